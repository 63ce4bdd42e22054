package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskStatus;
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

import static dev.tmserverless.fn.tasks.CommentsTest.comment;
import static dev.tmserverless.fn.tasks.ExtendTest.extend;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.stop;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.fn.tasks.UndoTest.undo;
import static dev.tmserverless.fn.tasks.ValidationTest.lockV;
import static dev.tmserverless.fn.tasks.ValidationTest.stopV;
import static dev.tmserverless.fn.tasks.ValidationTest.unlockV;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole loop a mapper and a validator run on one project, in order, through the handler Lambda runs against
 * dynalite: lock, comment, extend, stop, lock again and map, undo, map again; the validator locks both tasks, stops,
 * locks them again, extends, validates one and invalidates the other with a comment and mapping issues; the mapper
 * re-maps the invalidated task and the validator validates it. Each answer is the one the reference client reads
 * (docs/workflow.md), and the tasks' histories tell the whole story in order.
 */
class WorkflowLoopTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-loop").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        claims = fn.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterAll
    static void close() {
        fn.close();
        env.close();
    }

    private static Api.Answer ok(Api.Answer a, String what) {
        assertThat(a.status()).as(what + ": " + a.body()).isEqualTo(200);
        return a;
    }

    private static List<String> rows(JsonNode history) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : history) {
            String action = h.path("action").asText();
            out.add(action.equals("STATE_CHANGE") ? action + " " + h.path("actionText").asText() : action);
        }
        return out;
    }

    @Test
    void aMapperAndAValidatorRunTheWholeLoop() {
        User mapper = fx.user("loop-mapper");
        User v = ValidationTest.validator(fx, "loop-validator");
        Project p = fx.project(fx.user("loop-pm"), ProjectStatus.PUBLISHED, 2);
        long pid = p.id();
        String m = token(mapper.id());
        String val = token(v.id());

        // lock
        var locked = ok(call(fn, "POST", lock(pid, 1), m, null), "lock");
        assertThat(locked.json().path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(locked.json().path("lockHolder").asText()).isEqualTo(mapper.username());
        // comment while mapping
        var commented = ok(call(fn, "POST", comment(pid, 1), m, "{\"comment\": \"starting in the north <b>now</b>\"}"), "comment");
        assertThat(commented.json().path("taskHistory").get(0).path("action").asText()).isEqualTo("COMMENT");
        assertThat(commented.json().path("taskHistory").get(0).path("actionText").asText())
                .isEqualTo("starting in the north &lt;b&gt;now&lt;/b&gt;");
        assertThat(commented.json().path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        // extend
        assertThat(ok(call(fn, "POST", extend(pid), m, "{\"taskIds\": [1]}"), "extend").json().path("Success").asText())
                .isEqualTo("Successfully extended task expiry");
        // stop: back to READY, the mapper's slot free
        var stopped = ok(call(fn, "POST", stop(pid, 1), m, "{\"comment\": \"clouds, back later\"}"), "stop");
        assertThat(stopped.json().path("taskStatus").asText()).isEqualTo("READY");
        assertThat(claims.get(mapper.id())).isEmpty();
        // lock again and map
        ok(call(fn, "POST", lock(pid, 1), m, null), "lock again");
        var mapped = ok(call(fn, "POST", unlock(pid, 1), m, "{\"status\": \"MAPPED\", \"comment\": \"all buildings\"}"), "map");
        assertThat(mapped.json().path("taskStatus").asText()).isEqualTo("MAPPED");
        // undo the mapping, then map it again, and the second task too
        var undone = ok(call(fn, "POST", undo(pid, 1), m, null), "undo");
        assertThat(undone.json().path("taskStatus").asText()).isEqualTo("READY");
        assertThat(fx.projects.get(pid).orElseThrow().counters().tasksMapped()).isZero();
        for (int t : new int[]{1, 2}) {
            ok(call(fn, "POST", lock(pid, t), m, null), "lock " + t);
            ok(call(fn, "POST", unlock(pid, t), m, "{\"status\": \"MAPPED\"}"), "map " + t);
        }
        assertThat(fx.projects.get(pid).orElseThrow().counters().tasksMapped()).isEqualTo(2);

        // the validator locks both, stops, locks both again and extends
        var vLocked = ok(call(fn, "POST", lockV(pid), val, "{\"taskIds\": [1, 2]}"), "lock for validation");
        assertThat(vLocked.json().path("tasks").get(0).path("taskStatus").asText()).isEqualTo("LOCKED_FOR_VALIDATION");
        assertThat(vLocked.json().path("tasks").get(1).path("lockHolder").asText()).isEqualTo(v.username());
        var vStopped = ok(call(fn, "POST", stopV(pid), val, "{\"resetTasks\": [{\"taskId\": 1}, {\"taskId\": 2}]}"),
                "stop validation");
        assertThat(vStopped.json().path("tasks").get(0).path("taskStatus").asText()).isEqualTo("MAPPED");
        assertThat(claims.get(v.id())).isEmpty();
        ok(call(fn, "POST", lockV(pid), val, "{\"taskIds\": [1, 2]}"), "lock for validation again");
        ok(call(fn, "POST", extend(pid), val, "{\"taskIds\": [1, 2]}"), "extend validation");
        // validate one, invalidate the other with a comment and mapping issues
        var validated = ok(call(fn, "POST", unlockV(pid), val, "{\"validatedTasks\": ["
                + "{\"taskId\": 1, \"status\": \"VALIDATED\", \"comment\": \"good work\"},"
                + "{\"taskId\": 2, \"status\": \"INVALIDATED\", \"comment\": \"missing buildings in the east\","
                + " \"validationIssues\": [{\"mappingIssueCategoryId\": 1, \"issue\": \"Missed features\", \"count\": 3}]}]}"),
                "validate");
        assertThat(validated.json().path("tasks").get(0).path("taskStatus").asText()).isEqualTo("VALIDATED");
        assertThat(validated.json().path("tasks").get(1).path("taskStatus").asText()).isEqualTo("INVALIDATED");
        assertThat(claims.get(v.id())).isEmpty();

        // the mapper sees the invalidated task among theirs, re-maps it
        var relocked = ok(call(fn, "POST", lock(pid, 2), m, null), "re-lock");
        assertThat(relocked.json().path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        ok(call(fn, "POST", unlock(pid, 2), m, "{\"status\": \"MAPPED\", \"comment\": \"added the east side\"}"), "re-map");
        // and the validator validates it
        ok(call(fn, "POST", lockV(pid), val, "{\"taskIds\": [2]}"), "lock for validation a third time");
        var last = ok(call(fn, "POST", unlockV(pid), val, "{\"validatedTasks\": [{\"taskId\": 2, \"status\": \"VALIDATED\"}]}"),
                "validate the re-mapped task");
        assertThat(last.json().path("tasks").get(0).path("taskStatus").asText()).isEqualTo("VALIDATED");

        // both tasks VALIDATED, the counters say so, nobody holds anything
        for (int t : new int[]{1, 2}) {
            var task = fx.tasks.get(pid, t).orElseThrow();
            assertThat(task.status()).isEqualTo(TaskStatus.VALIDATED);
            assertThat(task.lockedBy()).isNull();
            assertThat(task.validatedBy()).isEqualTo(v.id());
            assertThat(task.mappedBy()).isEqualTo(mapper.id());
        }
        var counters = fx.projects.get(pid).orElseThrow().counters();
        assertThat(counters.tasksValidated()).isEqualTo(2);
        assertThat(counters.tasksMapped()).isZero();
        assertThat(claims.get(mapper.id())).isEmpty();
        assertThat(claims.get(v.id())).isEmpty();

        // the histories the task page reads tell the whole story, newest first
        JsonNode one = ok(call(fn, "GET", "/api/v2/projects/" + pid + "/tasks/1/", m, null), "task 1").json();
        assertThat(rows(one.path("taskHistory"))).containsExactly(
                "STATE_CHANGE VALIDATED", "COMMENT", "EXTENDED_FOR_VALIDATION", "LOCKED_FOR_VALIDATION",
                "LOCKED_FOR_VALIDATION",
                "STATE_CHANGE MAPPED", "LOCKED_FOR_MAPPING",
                "STATE_CHANGE READY", "COMMENT",
                "STATE_CHANGE MAPPED", "COMMENT", "LOCKED_FOR_MAPPING",
                "COMMENT", "EXTENDED_FOR_MAPPING", "COMMENT", "LOCKED_FOR_MAPPING");
        JsonNode two = ok(call(fn, "GET", "/api/v2/projects/" + pid + "/tasks/2/", m, null), "task 2").json();
        assertThat(rows(two.path("taskHistory"))).containsExactly(
                "STATE_CHANGE VALIDATED", "LOCKED_FOR_VALIDATION",
                "STATE_CHANGE MAPPED", "COMMENT", "LOCKED_FOR_MAPPING",
                "STATE_CHANGE INVALIDATED", "COMMENT", "EXTENDED_FOR_VALIDATION", "LOCKED_FOR_VALIDATION",
                "LOCKED_FOR_VALIDATION",
                "STATE_CHANGE MAPPED", "LOCKED_FOR_MAPPING");
        JsonNode invalidation = two.path("taskHistory").get(5);
        assertThat(invalidation.path("actionBy").asText()).isEqualTo(v.username());
        assertThat(invalidation.path("issues").get(0).path("name").asText()).isEqualTo("Missed features");
        assertThat(invalidation.path("issues").get(0).path("count").asInt()).isEqualTo(3);
        assertThat(two.path("taskHistory").get(6).path("actionText").asText()).isEqualTo("missing buildings in the east");

        // the project's activity feed has the state changes, no comments, newest first
        JsonNode activity = ok(call(fn, "GET", "/api/v2/projects/" + pid + "/activities/", null, null), "activities").json();
        List<String> actions = new ArrayList<>();
        activity.path("activity").forEach(a -> actions.add(a.path("action").asText()));
        assertThat(actions).isNotEmpty().doesNotContain("COMMENT");
        assertThat(activity.path("activity").get(0).path("taskId").asInt()).isEqualTo(2);
        assertThat(activity.path("activity").get(0).path("actionText").asText()).isEqualTo("VALIDATED");
    }

    /** {@code p} with a licence its mappers and validators must accept first. */
    static Project licensed(Project p, int licenseId) {
        var stored = fx.projects.get(p.id()).orElseThrow();
        Project q = stored.project();
        Project withLicence = new Project(q.id(), q.status(), q.projectPriority(), q.difficulty(), q.defaultLocale(),
                q.authorId(), q.authorUsername(), q.organisationId(), q.mappingPermission(), q.mappingPermissionLevelId(),
                q.validationPermission(), q.validationPermissionLevelId(), q.enforceRandomTaskSelection(), q.isPrivate(),
                q.changesetComment(), q.osmchaFilterId(), q.dueDate(), q.imagery(), q.josmPreset(), q.idPresets(),
                q.extraIdParams(), q.rapidPowerUser(), q.sandbox(), q.database(), q.mappingTypes(), licenseId,
                q.allowedUsernames(), q.allowedUserIds(), q.created(), q.lastUpdated(), q.taskCreationMode(),
                q.mappingEditors(), q.validationEditors(), q.projectInfoLocales(), q.aoiBbox(), q.aoiCentroid(),
                q.areaKm2(), q.countryTag());
        assertThat(fx.projects.update(withLicence, stored.version())).isTrue();
        return withLicence;
    }

    @Test
    void aProjectsLicenceMustBeAcceptedBeforeMappingOrValidatingAndRefusalsWriteNothing() {
        User mapper = fx.user("lic-mapper");
        User v = ValidationTest.validator(fx, "lic-validator");
        Project p = licensed(ValidationTest.mappedProject(fx, fx.user("lic-first-mapper"), 2), 7);
        long pid = p.id();
        var before = List.of(fx.tasks.get(pid, 1).orElseThrow(), fx.tasks.get(pid, 2).orElseThrow());

        var lock = call(fn, "POST", TasksFunctionTest.lock(pid, 1), token(mapper.id()), null);
        assertThat(lock.status()).isEqualTo(403); // task 1 is MAPPED: the task's own check comes first
        var vLock = call(fn, "POST", lockV(pid), token(v.id()), "{\"taskIds\": [1, 2]}");
        assertThat(vLock.status()).as(vLock.body()).isEqualTo(409);
        assertThat(vLock.subCode()).isEqualTo("UserLicenseError");
        assertThat(List.of(fx.tasks.get(pid, 1).orElseThrow(), fx.tasks.get(pid, 2).orElseThrow())).isEqualTo(before);
        assertThat(claims.get(v.id())).isEmpty();

        fx.users.acceptLicense(v.id(), 7);
        assertThat(ok(call(fn, "POST", lockV(pid), token(v.id()), "{\"taskIds\": [1, 2]}"), "after accepting")
                .json().path("tasks").get(1).path("taskStatus").asText()).isEqualTo("LOCKED_FOR_VALIDATION");
        ok(call(fn, "POST", unlockV(pid), token(v.id()), "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"INVALIDATED\"},"
                + " {\"taskId\": 2, \"status\": \"VALIDATED\"}]}"), "validate");
        // the invalidated task is open to mapping again, not to a mapper who has not accepted the licence
        var remap = call(fn, "POST", TasksFunctionTest.lock(pid, 1), token(mapper.id()), null);
        assertThat(remap.status()).as(remap.body()).isEqualTo(409);
        assertThat(remap.subCode()).isEqualTo("UserLicenseError");
        assertThat(fx.tasks.get(pid, 1).orElseThrow().status()).isEqualTo(TaskStatus.INVALIDATED);
        assertThat(claims.get(mapper.id())).isEmpty();
        fx.users.acceptLicense(mapper.id(), 7);
        ok(call(fn, "POST", TasksFunctionTest.lock(pid, 1), token(mapper.id()), null), "lock after accepting");
    }
}
