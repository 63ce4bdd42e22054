package dev.tmserverless.fn.tasks;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** undo-last-action through the real handler against dynalite (docs/workflow.md). */
class UndoTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-undo").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String undo(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/undo-last-action/" + t + "/"; }

    private static void map(User u, long p, int t) {
        assertThat(call(fn, "POST", lock(p, t), token(u.id()), null).status()).isEqualTo(200);
        assertThat(call(fn, "POST", unlock(p, t), token(u.id()), "{\"status\":\"MAPPED\"}").status()).isEqualTo(200);
    }

    @Test
    void theMapperUndoesTheirMappingAndTheCountersMoveBack() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        map(u, p.id(), 1);
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isEqualTo(1);
        var a = call(fn, "POST", undo(p.id(), 1), token(u.id()), null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("taskStatus").asText()).isEqualTo("READY");
        var h = a.json().path("taskHistory");
        assertThat(h.get(0).path("action").asText()).isEqualTo("STATE_CHANGE");
        assertThat(h.get(0).path("actionText").asText()).isEqualTo("READY");
        assertThat(h.get(1).path("action").asText()).isEqualTo("COMMENT");
        assertThat(h.get(1).path("actionText").asText()).isEqualTo("Undo state from MAPPED to READY");
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.status()).isEqualTo(TaskStatus.READY);
        assertThat(t.mappedBy()).isNull();
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isZero();
        // the task can be mapped again
        assertThat(call(fn, "POST", lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
    }

    @Test
    void anotherUserWithoutValidationRightsIsRefusedAndNothingChanges() {
        User u = fx.user("mapper");
        User other = fx.user("beginner");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        map(u, p.id(), 1);
        Task before = fx.tasks.get(p.id(), 1).orElseThrow();
        var a = call(fn, "POST", undo(p.id(), 1), token(other.id()), null);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.subCode()).isEqualTo("UndoPermissionError");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow()).isEqualTo(before);
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isEqualTo(1);
    }

    @Test
    void aValidatorMayUndoOthersWorkOnlyWhileHoldingNoLock() {
        User u = fx.user("mapper");
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        map(u, p.id(), 1);
        // the author is a project manager and passes the validation check, but not while holding a lock
        assertThat(call(fn, "POST", lock(p.id(), 2), token(pm.id()), null).status()).isEqualTo(200);
        assertThat(call(fn, "POST", undo(p.id(), 1), token(pm.id()), null).subCode()).isEqualTo("UndoPermissionError");
        assertThat(call(fn, "POST", TasksFunctionTest.stop(p.id(), 2), token(pm.id()), "{}").status()).isEqualTo(200);
        var a = call(fn, "POST", undo(p.id(), 1), token(pm.id()), null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("taskStatus").asText()).isEqualTo("READY");
        assertThat(a.json().path("taskHistory").get(0).path("actionBy").asText()).isEqualTo(pm.username());
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isZero();
    }

    @Test
    void aReadyOrUnknownTaskCannotBeUndone() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        var ready = call(fn, "POST", undo(p.id(), 1), token(u.id()), null);
        assertThat(ready.status()).isEqualTo(403);
        assertThat(ready.subCode()).isEqualTo("UndoPermissionError");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().history()).isEmpty();
        var unknown = call(fn, "POST", undo(p.id(), 99), token(u.id()), null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
    }

    /**
     * A validator's undo of an invalidation raced against mappers locking the same tasks, with real threads: for each
     * task exactly one of the two answers 200 and the task shows only the winner's rows (undo first: MAPPED and the
     * lock refused; lock first: locked and the undo refused), and the project counters match the tasks. Fails when the
     * version condition of a task write is weakened.
     */
    @Test
    void undoRacingANewLockEndsWithExactlyOneWinnerPerTask() throws Exception {
        int n = 10;
        try (Race race = new Race(2 * n)) {
            for (int round = 0; round < 3; round++) {
                User mapper = fx.user("mapper-race");
                User v = ValidationTest.validator(fx, "validator-race");
                Project p = fx.project(fx.user("pm-race"), ProjectStatus.PUBLISHED, n);
                java.util.List<User> takers = new java.util.ArrayList<>();
                for (int t = 1; t <= n; t++) {
                    map(mapper, p.id(), t);
                    assertThat(call(fn, "POST", ValidationTest.lockV(p.id()), token(v.id()), "{\"taskIds\": [" + t + "]}").status()).isEqualTo(200);
                    assertThat(call(fn, "POST", ValidationTest.unlockV(p.id()), token(v.id()),
                            "{\"validatedTasks\": [{\"taskId\": " + t + ", \"status\": \"INVALIDATED\"}]}").status()).isEqualTo(200);
                    takers.add(fx.user("taker-race"));
                }
                var answers = race.run(2 * n, k -> k < n
                        ? call(fn, "POST", undo(p.id(), k + 1), token(v.id()), null)
                        : call(fn, "POST", lock(p.id(), k - n + 1), token(takers.get(k - n).id()), null));
                int undone = 0;
                for (int t = 1; t <= n; t++) {
                    var u = answers.get(t - 1);
                    var l = answers.get(n + t - 1);
                    Task task = fx.tasks.get(p.id(), t).orElseThrow();
                    String what = "round " + round + " task " + t + ": undo " + u.body() + " / lock " + l.body();
                    assertThat(u.status() == 200 ^ l.status() == 200).as(what).isTrue();
                    long undoRows = task.history().stream().filter(e -> "Undo state from INVALIDATED to MAPPED".equals(e.actionText())).count();
                    if (u.status() == 200) {
                        undone++;
                        assertThat(l.subCode()).as(what).isEqualTo("InvalidTaskState");
                        assertThat(task.status()).as(what).isEqualTo(TaskStatus.MAPPED);
                        assertThat(undoRows).as(what).isEqualTo(1);
                        assertThat(task.history().get(task.history().size() - 1).actionText()).as(what).isEqualTo("MAPPED");
                    } else {
                        assertThat(u.subCode()).as(what).isEqualTo("UndoPermissionError");
                        assertThat(task.status()).as(what).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
                        assertThat(task.lockedBy()).as(what).isEqualTo(takers.get(t - 1).id());
                        assertThat(undoRows).as(what).isZero();
                    }
                }
                assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isEqualTo(undone);
            }
        }
    }
}
