package dev.tmserverless.fn.sweeper;

import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The lock sweeper through its Lambda handler against dynalite (docs/locking.md "Expiry"). */
class SweeperFunctionTest {
    static Isolated.Applied env;
    static SweeperFunction sweeper;
    static TasksFunction tasksFn;
    static Fixture fx;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("sweeper").applyAsSystemProperties();
        sweeper = new SweeperFunction();
        tasksFn = new TasksFunction();
        fx = new Fixture(sweeper.getApplicationContext());
        claims = sweeper.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterAll
    static void stop() {
        sweeper.close();
        tasksFn.close();
        env.close();
    }

    /** Locks task {@code taskId} for {@code u} as the tasks function does (slot, then task), at {@code at} for two hours. */
    static void lockedAt(User u, long projectId, int taskId, Instant at) {
        Task t = fx.tasks.get(projectId, taskId).orElseThrow();
        var change = TaskMachine.lockForMapping(t, u.actor(), at, Duration.ofHours(2));
        assertThat(claims.claim(u.id(), projectId, taskId, at, change.after().lockExpiresAt(), null)).isPresent();
        assertThat(fx.tasks.apply(change)).isTrue();
    }

    static void sweep() {
        sweeper.handleRequest(new com.amazonaws.services.lambda.runtime.events.ScheduledEvent(), new Api.TestContext());
    }

    @Test
    void anExpiredLockIsReleasedForGoodWithItsRowsAndTheHoldersSlot() {
        User ana = fx.user("ana-expired");
        Project p = fx.project(fx.user("pm-expired"), ProjectStatus.PUBLISHED, 2);
        lockedAt(ana, p.id(), 1, Instant.now().minus(Duration.ofHours(3)));
        sweep();
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.status()).isEqualTo(TaskStatus.READY);
        assertThat(t.lockedBy()).isNull();
        assertThat(t.history()).extracting(e -> e.action()).containsExactly(TaskAction.AUTO_UNLOCKED_FOR_MAPPING);
        assertThat(t.history().get(0).actionText()).isEqualTo("02:00:00");
        assertThat(claims.get(ana.id())).isEmpty();
        // a second run finds nothing to do
        assertThat(sweeper.handleRequest(new com.amazonaws.services.lambda.runtime.events.ScheduledEvent(), new Api.TestContext()))
                .containsEntry("tasksReleased", 0);
    }

    @Test
    void aLiveLockIsLeftAlone() {
        User ben = fx.user("ben-live");
        Project p = fx.project(fx.user("pm-live"), ProjectStatus.PUBLISHED, 1);
        lockedAt(ben, p.id(), 1, Instant.now().minus(Duration.ofMinutes(5)));
        sweep();
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.status()).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
        assertThat(t.lockedBy()).isEqualTo(ben.id());
        assertThat(claims.get(ben.id())).isPresent();
    }

    /** The sweeper's write is conditioned on the task as it decided: a mapper's lock in between wins. */
    @Test
    void anExpiryDecidedBeforeAMappersLockLosesToIt() {
        User gone = fx.user("gone-interleaved");
        User taker = fx.user("taker-interleaved");
        Project p = fx.project(fx.user("pm-interleaved"), ProjectStatus.PUBLISHED, 1);
        lockedAt(gone, p.id(), 1, Instant.now().minus(Duration.ofHours(3)));
        Task seenBySweeper = fx.tasks.get(p.id(), 1).orElseThrow();
        var taken = Api.call(tasksFn, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/1/",
                Api.token(taker.id()), null);
        assertThat(taken.status()).isEqualTo(200);
        assertThat(fx.tasks.apply(TaskMachine.expire(seenBySweeper, Instant.now()))).isFalse();
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.lockedBy()).isEqualTo(taker.id());
        sweep();
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(taker.id());
        assertThat(claims.get(taker.id())).isPresent();
    }

    /**
     * The sweeper and mappers taking the same expired tasks at once: every lock a mapper was granted stands (the
     * sweeper's write is conditioned on the version it decided from), and every expired lock ends released.
     */
    @Test
    void aMapperTakingAnExpiredTaskWhileTheSweeperRunsKeepsIt() throws Exception {
        for (int round = 0; round < 4; round++) race(round);
    }

    private void race(int round) throws Exception {
        int n = 12;
        Project p = fx.project(fx.user("pm-race-" + round), ProjectStatus.PUBLISHED, n);
        Instant past = Instant.now().minus(Duration.ofHours(3));
        List<User> mappers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            lockedAt(fx.user("gone-" + round + "-" + i), p.id(), i, past);
            mappers.add(fx.user("taker-" + round + "-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n + 2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> locks = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                int task = i;
                User u = mappers.get(i - 1);
                long delay = (long) (Math.random() * 60);
                locks.add(pool.submit(() -> {
                    go.await();
                    Thread.sleep(delay); // spread the locks over the sweep
                    return Api.call(tasksFn, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/" + task + "/",
                            Api.token(u.id()), null).status();
                }));
            }
            List<Future<?>> sweeps = List.of(pool.submit(() -> { go.await(); sweep(); return null; }),
                    pool.submit(() -> { go.await(); sweep(); return null; }));
            go.countDown();
            for (Future<?> s : sweeps) s.get();
            for (int i = 1; i <= n; i++) {
                assertThat(locks.get(i - 1).get()).as("task " + i).isEqualTo(200);
                Task t = fx.tasks.get(p.id(), i).orElseThrow();
                assertThat(t.status()).as("task " + i).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
                assertThat(t.lockedBy()).as("task " + i).isEqualTo(mappers.get(i - 1).id());
                // the expired lock shows as auto-unlocked exactly once, the new lock once
                assertThat(t.history()).extracting(e -> e.action())
                        .containsExactly(TaskAction.AUTO_UNLOCKED_FOR_MAPPING, TaskAction.LOCKED_FOR_MAPPING);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Applies {@code decide} to the task as stored now; the write must win (the task's setup, no race). */
    private static void setUp(long projectId, int taskId, java.util.function.Function<Task, dev.tmserverless.core.domain.TaskChange> decide) {
        assertThat(fx.tasks.apply(decide.apply(fx.tasks.get(projectId, taskId).orElseThrow()))).isTrue();
    }

    /**
     * Undo, comments and the holders' own late actions raced against two sweeps of the locks they meet expired: every
     * task ends in a state the reference could reach (undo's target; the lock's previous status), its expired lock
     * shows as AUTO_UNLOCKED exactly once, every answered undo and comment shows exactly once, and every expired
     * lock's slot is free. Fails when the version condition of a task write is weakened (docs/locking.md "Expiry").
     */
    @Test
    void undoCommentsAndLateActionsRacingTheSweepEachLeaveOneConsistentHistory() throws Exception {
        for (int round = 0; round < 12; round++) raceActions(round);
    }

    private void raceActions(int round) throws Exception {
        int n = 8;
        Duration lock = Duration.ofHours(2);
        Instant now = Instant.now();
        Project p = fx.project(fx.user("pm-act-" + round), ProjectStatus.PUBLISHED, n);
        User mapper = fx.user("mapper-act-" + round);
        User val = fx.user("val-act-" + round);
        fx.users.setLevel(val.id(), dev.tmserverless.core.domain.MappingLevel.INTERMEDIATE);
        List<User> holders = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int task = i;
            User holder = fx.user("holder-act-" + round + "-" + i);
            holders.add(holder);
            Instant lockedAt = now.minus(Duration.ofHours(3));
            if (i <= 4) {
                // odd: INVALIDATED by val; even: MAPPED. Then the holder's validation lock expired an hour ago.
                setUp(p.id(), task, t -> TaskMachine.lockForMapping(t, mapper.actor(), now.minusSeconds(8 * 3600), lock));
                setUp(p.id(), task, t -> TaskMachine.unlockAfterMapping(t, mapper.actor(), now.minusSeconds(8 * 3600 - 60), "MAPPED", null));
                if (i % 2 == 1) {
                    setUp(p.id(), task, t -> TaskMachine.lockForValidation(t, val.actor(), false, now.minusSeconds(6 * 3600), lock));
                    setUp(p.id(), task, t -> TaskMachine.unlockAfterValidation(t, val.actor(), now.minusSeconds(6 * 3600 - 60),
                            "INVALIDATED", null, List.of()));
                }
                Task t = fx.tasks.get(p.id(), task).orElseThrow();
                var change = TaskMachine.lockForValidation(t, holder.actor(), false, lockedAt, lock);
                assertThat(claims.claimSet(holder.id(), p.id(), List.of(task), lockedAt, change.after().lockExpiresAt(), null)).isPresent();
                assertThat(fx.tasks.apply(change)).isTrue();
            } else {
                lockedAt(holder, p.id(), task, lockedAt);
            }
        }
        String base = "/api/v2/projects/" + p.id();
        ExecutorService pool = Executors.newFixedThreadPool(n + 2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Answer>> acts = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                int task = i;
                User holder = holders.get(i - 1);
                acts.add(pool.submit(() -> {
                    go.await();
                    return switch (task) {
                        // the validator undoes: INVALIDATED -> MAPPED, MAPPED -> READY
                        case 1, 2, 3, 4 -> Api.call(tasksFn, "POST", base + "/tasks/actions/undo-last-action/" + task + "/", Api.token(val.id()), null);
                        case 5, 6 -> Api.call(tasksFn, "POST", base + "/comments/tasks/" + task + "/", Api.token(mapper.id()),
                                "{\"comment\": \"seen in round " + round + "\"}");
                        case 7 -> Api.call(tasksFn, "POST", base + "/tasks/actions/stop-mapping/" + task + "/", Api.token(holder.id()), "{}");
                        default -> Api.call(tasksFn, "POST", base + "/tasks/actions/extend/", Api.token(holder.id()), "{\"taskIds\": [" + task + "]}");
                    };
                }));
            }
            List<Future<?>> sweeps = List.of(pool.submit(() -> { go.await(); sweep(); return null; }),
                    pool.submit(() -> { go.await(); sweep(); return null; }));
            go.countDown();
            for (Future<?> s : sweeps) s.get();
            for (int i = 1; i <= n; i++) {
                Api.Answer a = acts.get(i - 1).get();
                Task t = fx.tasks.get(p.id(), i).orElseThrow();
                String what = "round " + round + " task " + i + ": " + a.body();
                assertThat(t.lockedBy()).as(what).isNull();
                assertThat(claims.get(holders.get(i - 1).id())).as(what).isEmpty();
                TaskAction expired = i <= 4 ? TaskAction.AUTO_UNLOCKED_FOR_VALIDATION : TaskAction.AUTO_UNLOCKED_FOR_MAPPING;
                assertThat(t.history().stream().filter(e -> e.action() == expired).count()).as(what).isEqualTo(1);
                assertThat(t.history().stream().filter(e -> e.action().isLockPeriod() && e.actionText() == null).count())
                        .as(what + ": no lock row left open").isZero();
                if (i <= 4) {
                    assertThat(a.status()).as(what).isEqualTo(200);
                    TaskStatus target = i % 2 == 1 ? TaskStatus.MAPPED : TaskStatus.READY;
                    String from = i % 2 == 1 ? "INVALIDATED" : "MAPPED";
                    assertThat(t.status()).as(what).isEqualTo(target);
                    assertThat(t.history().stream().filter(e -> e.action() == TaskAction.COMMENT
                            && ("Undo state from " + from + " to " + target).equals(e.actionText())).count()).as(what).isEqualTo(1);
                    assertThat(t.history().get(t.history().size() - 1).actionText()).as(what).isEqualTo(target.name());
                } else if (i <= 6) {
                    assertThat(a.status()).as(what).isEqualTo(200);
                    assertThat(t.status()).as(what).isEqualTo(TaskStatus.READY);
                    assertThat(t.history().stream().filter(e -> e.action() == TaskAction.COMMENT).count()).as(what).isEqualTo(1);
                } else {
                    // the holder's own action comes too late whichever write lands first: the lock has expired
                    assertThat(a.status()).as(what).isEqualTo(403);
                    assertThat(t.status()).as(what).isEqualTo(TaskStatus.READY);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
