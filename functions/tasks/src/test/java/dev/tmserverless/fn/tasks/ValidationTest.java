package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.MappingIssue;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The validation workflow through the real handler against dynalite (docs/workflow.md, docs/locking.md). */
class ValidationTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-validation").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        claims = fn.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String lockV(long p) { return "/api/v2/projects/" + p + "/tasks/actions/lock-for-validation/"; }

    static String unlockV(long p) { return "/api/v2/projects/" + p + "/tasks/actions/unlock-after-validation/"; }

    static String stopV(long p) { return "/api/v2/projects/" + p + "/tasks/actions/stop-validation/"; }

    /** A user with the mapping level the default validation permission asks for. */
    static User validator(Fixture fx, String name) {
        User u = fx.user(name);
        fx.users.setLevel(u.id(), MappingLevel.INTERMEDIATE);
        return u;
    }

    /** A published project of {@code n} tasks MAPPED by {@code mapper}, each with the STATE_CHANGE row that says so. */
    static Project mappedProject(Fixture fx, User mapper, int n) {
        List<TaskStore.NewTask> ts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Task t = Task.ready(0, i, 1010 + i, 1399, 11, true).withStatus(TaskStatus.MAPPED).withMappedBy(mapper.id())
                    .withHistory(List.of(new HistoryEntry(1, TaskAction.STATE_CHANGE, "MAPPED", Instant.now(),
                            mapper.id(), mapper.username())));
            ts.add(new TaskStore.NewTask(t, null));
        }
        return fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, ts, "");
    }

    @Test
    void aValidatorLocksSeveralTasksAndEndsThemWithDifferentStatuses() {
        User mapper = fx.user("mapper");
        User v = validator(fx, "validator");
        Project p = mappedProject(fx, mapper, 3);
        var locked = call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [2, 1]}");
        assertThat(locked.status()).isEqualTo(200);
        var dtos = locked.json().path("tasks");
        assertThat(dtos.size()).isEqualTo(2);
        assertThat(dtos.get(0).path("taskId").asInt()).isEqualTo(2);
        assertThat(dtos.get(1).path("taskId").asInt()).isEqualTo(1);
        assertThat(dtos.get(0).path("taskStatus").asText()).isEqualTo("LOCKED_FOR_VALIDATION");
        assertThat(dtos.get(0).path("lockHolder").asText()).isEqualTo(v.username());
        assertThat(claims.get(v.id()).orElseThrow().taskIds()).containsExactly(1, 2);
        var before = fx.projects.get(p.id()).orElseThrow().counters();

        var done = call(fn, "POST", unlockV(p.id()), token(v.id()), "{\"validatedTasks\": ["
                + "{\"taskId\": 1, \"status\": \"VALIDATED\", \"comment\": \"good\"},"
                + "{\"taskId\": 2, \"status\": \"INVALIDATED\"}]}");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.json().path("tasks").get(0).path("taskStatus").asText()).isEqualTo("VALIDATED");
        assertThat(done.json().path("tasks").get(1).path("taskStatus").asText()).isEqualTo("INVALIDATED");
        Task one = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(one.status()).isEqualTo(TaskStatus.VALIDATED);
        assertThat(one.validatedBy()).isEqualTo(v.id());
        assertThat(one.lockedBy()).isNull();
        var after = fx.projects.get(p.id()).orElseThrow().counters();
        assertThat(after.tasksValidated() - before.tasksValidated()).isEqualTo(1);
        assertThat(after.tasksMapped() - before.tasksMapped()).isEqualTo(-2);
        // the slot is free once none of its tasks is locked
        assertThat(claims.get(v.id())).isEmpty();
        // an invalidated task can be mapped again
        var remap = call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(mapper.id()), null);
        assertThat(remap.status()).isEqualTo(200);
        assertThat(remap.json().path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
    }

    @Test
    void validationIssuesAreStoredOnTheUnlockRowsAndReadBack() {
        User mapper = fx.user("mapper");
        User v = validator(fx, "validator");
        Project p = mappedProject(fx, mapper, 1);
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1]}").status()).isEqualTo(200);
        var a = call(fn, "POST", unlockV(p.id()), token(v.id()), "{\"validatedTasks\": [{\"taskId\": 1, "
                + "\"status\": \"INVALIDATED\", \"comment\": \"fix roads\", \"validationIssues\": ["
                + "{\"mappingIssueCategoryId\": 3, \"issue\": \"Missing roads\", \"count\": 2},"
                + "{\"mappingIssueCategoryId\": 4, \"issue\": \"Unused\", \"count\": 0}]}]}");
        assertThat(a.status()).isEqualTo(200);
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        HistoryEntry state = t.history().get(t.history().size() - 1);
        HistoryEntry comment = t.history().get(t.history().size() - 2);
        assertThat(state.action()).isEqualTo(TaskAction.STATE_CHANGE);
        // only issues counted above zero are kept, on the COMMENT and the STATE_CHANGE row
        assertThat(state.issues()).containsExactly(new MappingIssue(3, "Missing roads", 2));
        assertThat(comment.issues()).containsExactly(new MappingIssue(3, "Missing roads", 2));
        var h = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null).json().path("taskHistory");
        assertThat(h.get(0).path("issues").get(0).path("categoryId").asInt()).isEqualTo(3);
        assertThat(h.get(0).path("issues").get(0).path("name").asText()).isEqualTo("Missing roads");
        assertThat(h.get(0).path("issues").get(0).path("count").asInt()).isEqualTo(2);
        assertThat(h.get(2).path("issues").isNull()).isTrue();
    }

    @Test
    void aCrashMidWayLeavesTheWrittenTasksLockedUntilTheValidatorEndsThem() {
        User mapper = fx.user("mapper");
        User v = validator(fx, "validator");
        Project p = mappedProject(fx, mapper, 3);
        TaskService service = fn.getApplicationContext().getBean(TaskService.class);
        service.faults = new TaskService.Faults() {
            @Override public void afterTaskWrite() { throw new IllegalStateException("injected crash"); }
        };
        try {
            assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [2, 1]}").status()).isEqualTo(500);
        } finally {
            service.faults = new TaskService.Faults();
        }
        // tasks are written in id order: 1 is locked, 2 is not; the slot names the whole set
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(v.id());
        assertThat(fx.tasks.get(p.id(), 2).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
        assertThat(claims.get(v.id()).orElseThrow().taskIds()).containsExactly(1, 2);
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [3]}").subCode())
                .isEqualTo("UserAlreadyHasTaskLocked");
        // stopping the one written task frees the slot, since none of its tasks is locked any more
        assertThat(call(fn, "POST", stopV(p.id()), token(v.id()), "{\"resetTasks\": [{\"taskId\": 1}]}").status())
                .isEqualTo(200);
        assertThat(claims.get(v.id())).isEmpty();
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [3]}").status()).isEqualTo(200);
    }

    @Test
    void stopValidationRestoresMappedAndFreesTheSlot() {
        User mapper = fx.user("mapper");
        User v = validator(fx, "validator");
        Project p = mappedProject(fx, mapper, 2);
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1]}").status()).isEqualTo(200);
        var before = fx.projects.get(p.id()).orElseThrow().counters();
        var a = call(fn, "POST", stopV(p.id()), token(v.id()), "{\"resetTasks\": [{\"taskId\": 1, \"comment\": \"later\"}]}");
        assertThat(a.status()).isEqualTo(200);
        var t = a.json().path("tasks").get(0);
        assertThat(t.path("taskStatus").asText()).isEqualTo("MAPPED");
        assertThat(t.path("taskHistory").get(0).path("actionText").asText()).isEqualTo("later");
        assertThat(t.path("taskHistory").get(1).path("action").asText()).isEqualTo("LOCKED_FOR_VALIDATION");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
        assertThat(fx.projects.get(p.id()).orElseThrow().counters()).isEqualTo(before);
        assertThat(claims.get(v.id())).isEmpty();
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [2]}").status()).isEqualTo(200);
    }

    @Test
    void theSlotStaysWhileAnyOfItsTasksIsLocked() {
        User mapper = fx.user("mapper");
        User v = validator(fx, "validator");
        Project p = mappedProject(fx, mapper, 3);
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1, 2]}").status()).isEqualTo(200);
        // re-locking the same set is a no-op; another set is the one-lock rule
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [2, 1]}").status()).isEqualTo(200);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().history()).hasSize(2);
        var other = call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [3]}");
        assertThat(other.subCode()).isEqualTo("UserAlreadyHasTaskLocked");
        assertThat(fx.tasks.get(p.id(), 3).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
        assertThat(call(fn, "POST", unlockV(p.id()), token(v.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"MAPPED\"}]}").status()).isEqualTo(200);
        assertThat(claims.get(v.id())).isPresent();
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [3]}").subCode())
                .isEqualTo("UserAlreadyHasTaskLocked");
        assertThat(call(fn, "POST", stopV(p.id()), token(v.id()), "{\"resetTasks\": [{\"taskId\": 2}]}").status())
                .isEqualTo(200);
        assertThat(claims.get(v.id())).isEmpty();
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [3]}").status()).isEqualTo(200);
        // and a validator holding a validation lock cannot lock for mapping elsewhere
        Project q = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(q.id(), 1), token(v.id()), null).subCode())
                .isEqualTo("UserAlreadyHasTaskLocked");
    }

    @Test
    void refusalsComeInTheReferenceOrderAndChangeNothing() {
        User mapper = fx.user("mapper");
        User v = validator(fx, "validator");
        User beginner = fx.user("beginner");
        Project p = mappedProject(fx, mapper, 3);
        Project ready = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(fn, "POST", lockV(ready.id()), token(v.id()), "{\"taskIds\": [1]}").subCode())
                .isEqualTo("NotReadyForValidation");
        assertThat(call(fn, "POST", lockV(p.id()), token(mapper.id()), "{\"taskIds\": [1]}").subCode())
                .isEqualTo("CannotValidateMappedTask");
        assertThat(call(fn, "POST", lockV(p.id()), token(beginner.id()), "{\"taskIds\": [1]}").subCode())
                .isEqualTo("ValidtionNotAllowed");
        var missing = call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1, 99]}");
        assertThat(missing.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
        assertThat(claims.get(v.id())).isEmpty();

        assertThat(call(fn, "POST", unlockV(p.id()), token(v.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\"}]}").subCode()).isEqualTo("NotLockedForValidation ");
        // a task named twice is bad input (docs/api-differences.md "Task workflow input"): nothing locked
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1, 2, 1]}").subCode()).isEqualTo("InvalidData");
        assertThat(claims.get(v.id())).isEmpty();
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1, 2]}").status()).isEqualTo(200);
        User other = validator(fx, "other");
        assertThat(call(fn, "POST", unlockV(p.id()), token(other.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\"}]}").subCode()).isEqualTo("TaskNotOwned ");
        assertThat(call(fn, "POST", stopV(p.id()), token(other.id()), "{\"resetTasks\": [{\"taskId\": 1}]}").subCode())
                .isEqualTo("TaskNotOwned ");
        // the second task's bad status refuses the whole request: the first is not written either
        var bad = call(fn, "POST", unlockV(p.id()), token(v.id()), "{\"validatedTasks\": ["
                + "{\"taskId\": 1, \"status\": \"VALIDATED\"}, {\"taskId\": 2, \"status\": \"READY\"}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidData");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.LOCKED_FOR_VALIDATION);
        for (String body : new String[]{null, "{}", "{\"taskIds\": \"1\"}", "{\"taskIds\": [\"x\"]}"}) {
            assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), body).subCode()).as(body).isEqualTo("InvalidData");
        }
        for (String body : new String[]{null, "{}", "{\"validatedTasks\": [1]}", "{\"validatedTasks\": [{\"taskId\": 1}]}",
                "{\"validatedTasks\": [{\"status\": \"VALIDATED\"}]}",
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\", \"validationIssues\": 3}]}"}) {
            assertThat(call(fn, "POST", unlockV(p.id()), token(v.id()), body).subCode()).as(body).isEqualTo("InvalidData");
        }
        for (String body : new String[]{null, "{}", "{\"resetTasks\": {}}", "{\"resetTasks\": [{\"taskId\": \"1\"}]}"}) {
            assertThat(call(fn, "POST", stopV(p.id()), token(v.id()), body).subCode()).as(body).isEqualTo("InvalidData");
        }
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(v.id());
    }
}
