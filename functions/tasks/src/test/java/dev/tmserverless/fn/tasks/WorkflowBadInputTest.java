package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.tmserverless.fn.tasks.ExtendTest.extend;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.stop;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.fn.tasks.ValidationTest.lockV;
import static dev.tmserverless.fn.tasks.ValidationTest.stopV;
import static dev.tmserverless.fn.tasks.ValidationTest.unlockV;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on the task workflow's write routes, through the handler against dynalite: wrong types, unknown statuses,
 * empty and huge lists, ids beyond the int range and a task named twice are each a 400 InvalidData (or the
 * reference's refusal where it has one), never a 500, and write nothing: the tasks, the callers' lock slots and the
 * project counters stay as they were (RouteFuzz walks every route with generic junk; this walks the workflow's own
 * fields with the users and locks that would otherwise let the request through).
 */
class WorkflowBadInputTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-workflow-bad").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        claims = fn.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterAll
    static void close() {
        fn.close();
        env.close();
    }

    /** Everything a workflow request could write: the project's tasks, the lock slots of the given users, the counters. */
    static List<Object> state(long projectId, int tasks, User... users) {
        List<Object> out = new ArrayList<>();
        for (int t = 1; t <= tasks; t++) out.add(fx.tasks.get(projectId, t).orElseThrow());
        for (User u : users) out.add(claims.get(u.id()));
        out.add(fx.projects.get(projectId).orElseThrow().counters());
        return out;
    }

    static String ids(int from, int n) {
        return IntStream.range(from, from + n).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    static void refused(String method, String path, String auth, String body, int status, String subCode, Runnable unchanged) {
        Api.Answer a = call(fn, method, path, auth, body);
        String what = method + " " + path + " " + (body == null ? "" : body.length() > 80 ? body.substring(0, 80) + "…" : body);
        assertThat(a.status()).as(what + " -> " + a.body()).isEqualTo(status);
        assertThat(a.subCode()).as(what).isEqualTo(subCode);
        unchanged.run();
    }

    @Test
    void validationRequestsWithBadListsAreRefusedAndWriteNothing() {
        User mapper = fx.user("mapper-bad");
        User v = ValidationTest.validator(fx, "validator-bad");
        User free = ValidationTest.validator(fx, "validator-free");
        Project p = ValidationTest.mappedProject(fx, mapper, 4);
        long pid = p.id();
        assertThat(call(fn, "POST", lockV(pid), token(v.id()), "{\"taskIds\": [1, 2]}").status()).isEqualTo(200);
        List<Object> before = state(pid, 4, v, free);
        Runnable unchanged = () -> assertThat(state(pid, 4, v, free)).isEqualTo(before);

        List<String> badIdLists = List.of("1", "\"1\"", "{}", "null", "[\"1\"]", "[1.5]", "[true]", "[null]", "[[1]]",
                "[2147483648]", "[4294967297]", "[99999999999999999999]", "[]", "[3, 3]", "[3, 4, 3]", ids(1, 501));
        for (String list : badIdLists) {
            // a validator holding no lock asks for free MAPPED tasks: fine but for the list
            refused("POST", lockV(pid), token(free.id()), "{\"taskIds\": " + list + "}", 400, "InvalidData", unchanged);
            // the holder extends their own locks
            refused("POST", extend(pid), token(v.id()), "{\"taskIds\": " + list + "}", 400, "InvalidData", unchanged);
        }
        refused("POST", lockV(pid), token(free.id()), "{}", 400, "InvalidData", unchanged);
        // the holder extending their own two locks with one named twice
        refused("POST", extend(pid), token(v.id()), "{\"taskIds\": [1, 2, 1]}", 400, "InvalidData", unchanged);
        refused("POST", lockV(pid), token(free.id()), "{\"taskIds\": [3], \"extra\": ", 400, "InvalidData", unchanged);

        // ending the holder's validation locks: wrong types, unknown or not-allowed statuses, lists
        List<String> badValidated = List.of("[]", "{}", "[1]", "[null]", "[{}]",
                "[{\"taskId\": \"1\", \"status\": \"VALIDATED\"}]",
                "[{\"taskId\": 4294967297, \"status\": \"VALIDATED\"}]",
                "[{\"taskId\": 1, \"status\": 7}]",
                "[{\"taskId\": 1}]",
                "[{\"taskId\": 1, \"status\": \"GOOD\"}]",
                "[{\"taskId\": 1, \"status\": \"READY\"}]",
                "[{\"taskId\": 1, \"status\": \"LOCKED_FOR_MAPPING\"}]",
                // the first task would be fine: still nothing is written
                "[{\"taskId\": 1, \"status\": \"VALIDATED\"}, {\"taskId\": 2, \"status\": \"BOGUS\"}]",
                "[{\"taskId\": 1, \"status\": \"VALIDATED\"}, {\"taskId\": 1, \"status\": \"INVALIDATED\"}]",
                "[{\"taskId\": 1, \"status\": \"VALIDATED\", \"comment\": {\"text\": \"x\"}}]",
                "[{\"taskId\": 1, \"status\": \"VALIDATED\", \"comment\": \"" + "x".repeat(10_001) + "\"}]",
                "[{\"taskId\": 1, \"status\": \"INVALIDATED\", \"validationIssues\": \"many\"}]",
                "[{\"taskId\": 1, \"status\": \"INVALIDATED\", \"validationIssues\": [{\"mappingIssueCategoryId\": \"a\", \"issue\": \"x\", \"count\": 1}]}]",
                "[{\"taskId\": 1, \"status\": \"INVALIDATED\", \"validationIssues\": [{\"mappingIssueCategoryId\": 1, \"issue\": \"x\", \"count\": 4294967297}]}]",
                IntStream.rangeClosed(1, 501).mapToObj(i -> "{\"taskId\": " + i + ", \"status\": \"VALIDATED\"}")
                        .collect(Collectors.joining(", ", "[", "]")));
        for (String list : badValidated) {
            refused("POST", unlockV(pid), token(v.id()), "{\"validatedTasks\": " + list + "}", 400, "InvalidData", unchanged);
        }
        List<String> badReset = List.of("[]", "{}", "[1]", "[null]", "[{\"taskId\": \"1\"}]", "[{\"taskId\": 1.0e20}]",
                "[{\"taskId\": 1}, {\"taskId\": 1}]", "[{\"taskId\": 1, \"comment\": 5}]",
                IntStream.rangeClosed(1, 501).mapToObj(i -> "{\"taskId\": " + i + "}").collect(Collectors.joining(", ", "[", "]")));
        for (String list : badReset) {
            refused("POST", stopV(pid), token(v.id()), "{\"resetTasks\": " + list + "}", 400, "InvalidData", unchanged);
        }
        // a task the project does not have, beside the holder's own: the reference's 404, nothing written
        Api.Answer unknown = call(fn, "POST", unlockV(pid), token(v.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\"}, {\"taskId\": 2147483647, \"status\": \"VALIDATED\"}]}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        unchanged.run();

        // the same requests done right still work: the refusals above left nothing behind
        assertThat(call(fn, "POST", unlockV(pid), token(v.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\"}, {\"taskId\": 2, \"status\": \"INVALIDATED\"}]}").status())
                .isEqualTo(200);
        assertThat(call(fn, "POST", lockV(pid), token(free.id()), "{\"taskIds\": [3, 4]}").status()).isEqualTo(200);
    }

    @Test
    void mappingRequestsWithBadBodiesAreRefusedAndWriteNothing() {
        User mapper = fx.user("mapper-bad-m");
        Project p = fx.project(fx.user("pm-bad-m"), ProjectStatus.PUBLISHED, 2);
        long pid = p.id();
        assertThat(call(fn, "POST", lock(pid, 1), token(mapper.id()), null).status()).isEqualTo(200);
        List<Object> before = state(pid, 2, mapper);
        Runnable unchanged = () -> assertThat(state(pid, 2, mapper)).isEqualTo(before);
        String m = token(mapper.id());
        for (String body : new String[]{null, "", "[]", "\"MAPPED\"", "{}", "{\"status\": 7}", "{\"status\": [\"MAPPED\"]}",
                "{\"status\": \"DONE\"}", "{\"status\": \"MAPPED\", \"comment\": 5}",
                "{\"status\": \"MAPPED\", \"comment\": [\"done\"]}",
                "{\"status\": \"MAPPED\", \"comment\": \"" + "x".repeat(10_001) + "\"}"}) {
            refused("POST", unlock(pid, 1), m, body, 400, "InvalidData", unchanged);
        }
        // a known status the mapper may not set: the reference's refusal
        refused("POST", unlock(pid, 1), m, "{\"status\": \"VALIDATED\"}", 403, "InvalidUnlockState ", unchanged);
        for (String body : new String[]{"{\"comment\": 5}", "{\"comment\": {}}", "{\"comment\": \"" + "x".repeat(10_001) + "\"}"}) {
            refused("POST", stop(pid, 1), m, body, 400, "InvalidData", unchanged);
        }
        // ids beyond the int range in the path name no task
        for (String id : new String[]{"2147483648", "99999999999"}) {
            Api.Answer a = call(fn, "POST", "/api/v2/projects/" + pid + "/tasks/actions/unlock-after-mapping/" + id + "/", m,
                    "{\"status\": \"MAPPED\"}");
            assertThat(a.status()).as(id).isEqualTo(404);
            unchanged.run();
            a = call(fn, "POST", "/api/v2/projects/" + pid + "/tasks/actions/undo-last-action/" + id + "/", m, null);
            assertThat(a.status()).as(id).isEqualTo(404);
            unchanged.run();
        }
        // a task comment that is not text is an empty comment
        for (String body : new String[]{"{\"comment\": 5}", "{\"comment\": [\"x\"]}", "{\"comment\": \"\"}", "[]", "x"}) {
            refused("POST", CommentsTest.comment(pid, 1), m, body, 400, "InvalidData", unchanged);
        }
        assertThat(call(fn, "POST", unlock(pid, 1), m, "{\"status\": \"MAPPED\", \"comment\": \"done\"}").status()).isEqualTo(200);
    }

    @Test
    void bulkAndReadParametersOutsideTheirValuesAreRefused() {
        User pm = fx.user("pm-bad-b");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        long pid = p.id();
        List<Object> before = state(pid, 2);
        Runnable unchanged = () -> assertThat(state(pid, 2)).isEqualTo(before);
        String base = "/api/v2/projects/" + pid + "/tasks/actions/reset-by-user/";
        for (String q : new String[]{"", "?username=" + pm.username(), "?action=VALIDATED", "?username=" + pm.username() + "&action=MAPPED",
                "?username=" + pm.username() + "&action=BOGUS", "?username=nobody-here&action=VALIDATED"}) {
            refused("POST", base + q, token(pm.id()), null, 400, "InvalidData", unchanged);
        }
        for (String q : new String[]{"?status=BOGUS", "?project_status=BOGUS", "?page=x", "?page_size=-1", "?project_id=99999999999999999999"}) {
            Api.Answer a = call(fn, "GET", "/api/v2/users/" + pm.id() + "/tasks/" + q, token(pm.id()), null);
            assertThat(a.status()).as(q + " " + a.body()).isEqualTo(400);
        }
    }
}
