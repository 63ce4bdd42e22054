package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project manager's bulk actions on small projects, done before the answer (docs/workflow.md "Bulk
 * actions"): each action's statuses, rows, counters and taken-over lock slots; the refusals in the reference's order.
 */
class BulkActionsTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-bulk").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        claims = fn.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String action(long p, String name) { return "/api/v2/projects/" + p + "/tasks/actions/" + name + "/"; }

    /** Tasks 1..6: READY, INVALIDATED, MAPPED, VALIDATED, BADIMAGERY, READY; stored counters match them. */
    static Project mixed(User pm, User mapper) {
        TaskStatus[] s = {TaskStatus.READY, TaskStatus.INVALIDATED, TaskStatus.MAPPED, TaskStatus.VALIDATED,
                TaskStatus.BADIMAGERY, TaskStatus.READY};
        List<TaskStore.NewTask> ts = new ArrayList<>();
        for (int i = 1; i <= s.length; i++) {
            Task t = Task.ready(0, i, 1010 + i, 1399, 11, true);
            if (s[i - 1] != TaskStatus.READY) {
                t = t.withStatus(s[i - 1]).withHistory(List.of(new HistoryEntry(1, TaskAction.STATE_CHANGE, s[i - 1].name(),
                        Instant.now(), mapper.id(), mapper.username())));
                if (s[i - 1] != TaskStatus.INVALIDATED) t = t.withMappedBy(mapper.id());
                if (s[i - 1] == TaskStatus.VALIDATED) t = t.withValidatedBy(mapper.id());
            }
            ts.add(new TaskStore.NewTask(t, null));
        }
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, ts, "");
        fx.projects.addCounters(p.id(), new CounterDelta(1, 1, 1));
        return p;
    }

    static List<Task> tasks(long p) { return fx.tasks.list(p); }

    static TaskStatus status(long p, int t) { return fx.tasks.get(p, t).orElseThrow().status(); }

    /** The stored counters equal a recount from the task items. */
    static void countersMatchTheTasks(long p) {
        assertThat(fx.projects.get(p).orElseThrow().counters()).isEqualTo(ProjectCounters.of(tasks(p)));
    }

    static Api.Answer post(long p, String name, User u) { return call(fn, "POST", action(p, name), token(u.id()), null); }

    @Test
    void mapAllMapsWhatCanBeMappedAndTakesLocksFromTheirHolders() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        Project p = mixed(pm, mapper);
        assertThat(call(fn, "POST", lock(p.id(), 6), token(mapper.id()), null).status()).isEqualTo(200);
        var a = post(p.id(), "map-all", pm);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("Success").asText()).isEqualTo("All tasks mapped");
        assertThat(List.of(status(p.id(), 1), status(p.id(), 2), status(p.id(), 3), status(p.id(), 4), status(p.id(), 5),
                status(p.id(), 6))).containsExactly(TaskStatus.MAPPED, TaskStatus.MAPPED, TaskStatus.MAPPED,
                TaskStatus.VALIDATED, TaskStatus.BADIMAGERY, TaskStatus.MAPPED);
        Task one = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(one.mappedBy()).isEqualTo(pm.id());
        assertThat(one.history()).extracting(HistoryEntry::action)
                .containsExactly(TaskAction.LOCKED_FOR_MAPPING, TaskAction.STATE_CHANGE);
        // the mapper's lock row is closed with its length, the slot freed
        Task six = fx.tasks.get(p.id(), 6).orElseThrow();
        assertThat(six.lockedBy()).isNull();
        assertThat(six.history().get(0).action()).isEqualTo(TaskAction.LOCKED_FOR_MAPPING);
        assertThat(six.history().get(0).userId()).isEqualTo(mapper.id());
        assertThat(six.history().get(0).actionText()).isNotNull();
        assertThat(six.history().get(1).userId()).isEqualTo(pm.id());
        assertThat(claims.get(mapper.id())).isEmpty();
        countersMatchTheTasks(p.id());
        var job = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/bulk-job/", token(pm.id()), null);
        assertThat(job.status()).isEqualTo(200);
        assertThat(job.json().path("state").asText()).isEqualTo("DONE");
        assertThat(job.json().path("action").asText()).isEqualTo("map-all");
        assertThat(job.json().path("processed").asLong()).isEqualTo(6);
        assertThat(job.json().path("changed").asLong()).isEqualTo(3);
        // a repeat changes nothing
        assertThat(post(p.id(), "map-all", pm).status()).isEqualTo(200);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().version()).isEqualTo(one.version());
        countersMatchTheTasks(p.id());
    }

    @Test
    void validateAllValidatesMappedTasksOnlyAndSkipsLockedOnes() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        Project p = mixed(pm, mapper);
        var a = post(p.id(), "validate-all", pm);
        assertThat(a.json().path("Success").asText()).isEqualTo("All tasks validated");
        assertThat(status(p.id(), 3)).isEqualTo(TaskStatus.VALIDATED);
        Task three = fx.tasks.get(p.id(), 3).orElseThrow();
        assertThat(three.validatedBy()).isEqualTo(pm.id());
        assertThat(three.mappedBy()).isEqualTo(mapper.id());
        assertThat(status(p.id(), 1)).isEqualTo(TaskStatus.READY);
        assertThat(status(p.id(), 2)).isEqualTo(TaskStatus.INVALIDATED);
        assertThat(status(p.id(), 5)).isEqualTo(TaskStatus.BADIMAGERY);
        countersMatchTheTasks(p.id());
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksValidated()).isEqualTo(2);
    }

    @Test
    void invalidateAllAndResetBadImagery() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        Project p = mixed(pm, mapper);
        assertThat(post(p.id(), "invalidate-all", pm).json().path("Success").asText()).isEqualTo("All tasks invalidated");
        Task four = fx.tasks.get(p.id(), 4).orElseThrow();
        assertThat(four.status()).isEqualTo(TaskStatus.INVALIDATED);
        assertThat(four.mappedBy()).isNull();
        assertThat(four.validatedBy()).isNull();
        assertThat(status(p.id(), 3)).isEqualTo(TaskStatus.MAPPED);
        countersMatchTheTasks(p.id());
        assertThat(post(p.id(), "reset-all-badimagery", pm).json().path("Success").asText())
                .isEqualTo("All bad imagery tasks marked ready for mapping");
        assertThat(status(p.id(), 5)).isEqualTo(TaskStatus.READY);
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksBadImagery()).isZero();
        countersMatchTheTasks(p.id());
    }

    @Test
    void resetAllMakesEveryTaskReadyAndFreesTheHoldersSlot() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        Project p = mixed(pm, mapper);
        assertThat(call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null).status()).isEqualTo(200);
        assertThat(post(p.id(), "reset-all", pm).json().path("Success").asText()).isEqualTo("All tasks reset");
        for (Task t : tasks(p.id())) {
            assertThat(t.status()).as("task %d", t.taskId()).isEqualTo(TaskStatus.READY);
            assertThat(t.mappedBy()).isNull();
            assertThat(t.validatedBy()).isNull();
        }
        Task one = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(one.history().get(0).action()).isEqualTo(TaskAction.AUTO_UNLOCKED_FOR_MAPPING);
        assertThat(one.history()).extracting(HistoryEntry::actionText).contains("Task reset");
        assertThat(claims.get(mapper.id())).isEmpty();
        assertThat(fx.projects.get(p.id()).orElseThrow().counters()).isEqualTo(new ProjectCounters(6, 0, 0, 0));
    }

    @Test
    void resetByUserUndoesOnlyThatUsersValidations() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        User other = fx.user("other");
        Project p = mixed(pm, mapper);
        // task 4 is VALIDATED by mapper; a validated task of someone else stays
        Task t3 = fx.tasks.get(p.id(), 3).orElseThrow();
        fx.tasks.apply(new dev.tmserverless.core.domain.TaskChange(t3, t3.withStatus(TaskStatus.VALIDATED)
                .withValidatedBy(other.id()).withVersion(t3.version()), new CounterDelta(-1, 1, 0)));
        fx.projects.addCounters(p.id(), new CounterDelta(-1, 1, 0));
        var a = call(fn, "POST", action(p.id(), "reset-by-user") + "?username=" + mapper.username() + "&action=VALIDATED",
                token(pm.id()), null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("Success").asText()).isEqualTo("Successfully reverted tasks");
        assertThat(status(p.id(), 4)).isEqualTo(TaskStatus.MAPPED);
        assertThat(status(p.id(), 3)).isEqualTo(TaskStatus.VALIDATED);
        Task four = fx.tasks.get(p.id(), 4).orElseThrow();
        assertThat(four.history().get(four.history().size() - 1).userId()).isEqualTo(mapper.id());
        countersMatchTheTasks(p.id());
        var b = call(fn, "POST", action(p.id(), "reset-by-user") + "?username=" + mapper.username() + "&action=BADIMAGERY",
                token(pm.id()), null);
        assertThat(b.status()).isEqualTo(200);
        assertThat(status(p.id(), 5)).isEqualTo(TaskStatus.READY);
        countersMatchTheTasks(p.id());
    }

    @Test
    void refusalsComeInTheReferencesOrder() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        Project p = mixed(pm, mapper);
        for (String name : List.of("map-all", "validate-all", "invalidate-all", "reset-all-badimagery", "reset-all")) {
            var notPm = post(p.id(), name, mapper);
            assertThat(notPm.status()).as(name).isEqualTo(403);
            assertThat(notPm.subCode()).as(name).isEqualTo("UserPermissionError");
            var unknown = post(999_999_999L, name, pm);
            assertThat(unknown.status()).as(name).isEqualTo(404);
            assertThat(unknown.structuredSubCode()).isEqualTo("PROJECT_NOT_FOUND");
        }
        String base = action(p.id(), "reset-by-user");
        String ok = "?username=" + mapper.username() + "&action=VALIDATED";
        for (String q : List.of("", "?username=" + mapper.username(), "?action=VALIDATED",
                "?username=nobody-at-all&action=VALIDATED", "?username=" + mapper.username() + "&action=MAPPED")) {
            var a = call(fn, "POST", base + q, token(pm.id()), null);
            assertThat(a.status()).as(q).isEqualTo(400);
            assertThat(a.error()).as(q).isEqualTo("Unable to revert tasks");
            assertThat(a.subCode()).isEqualTo("InvalidData");
            // bad parameters come before an unknown project
            assertThat(call(fn, "POST", action(999_999_999L, "reset-by-user") + q, token(pm.id()), null).status()).isEqualTo(400);
        }
        assertThat(call(fn, "POST", action(999_999_999L, "reset-by-user") + ok, token(pm.id()), null).status()).isEqualTo(404);
        var notPm = call(fn, "POST", base + ok, token(mapper.id()), null);
        assertThat(notPm.status()).isEqualTo(403);
        assertThat(notPm.subCode()).isEqualTo("UserActionNotPermitted");
        // nothing changed
        assertThat(status(p.id(), 1)).isEqualTo(TaskStatus.READY);
        assertThat(status(p.id(), 4)).isEqualTo(TaskStatus.VALIDATED);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/bulk-job/", token(mapper.id()), null).status())
                .isEqualTo(403);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/bulk-job/", token(pm.id()), null).status())
                .isEqualTo(404);
    }

    @Test
    void aProjectWhoseTasksAreStillBeingWrittenIsRefused() {
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 3);
        fx.jobs.put(new dev.tmserverless.core.domain.GridJob(p.id(), dev.tmserverless.core.domain.GridJob.State.RUNNING,
                "GRID", 11, false, 10L, 3, null, Instant.now()));
        var a = post(p.id(), "map-all", pm);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.subCode()).isEqualTo("GridNotReady");
        assertThat(status(p.id(), 1)).isEqualTo(TaskStatus.READY);
    }
}
