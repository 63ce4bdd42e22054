package dev.tmserverless.fn.sweeper;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.tmserverless.aws.schedule.SweepSchedule;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.EventRules;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.StreamPoller;
import dev.tmserverless.emulators.TableStream;
import dev.tmserverless.fn.stats.StatsFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock sweep's schedule armed by changes (docs/locking.md "Expiry"): the sweeper disarms it when it finds
 * nothing to do and no lock, the local Scheduler then stops firing it, a lock taken through the tasks function
 * arms it again through the change feed and the stats function, and a sweeper disarming while a mapper locks
 * never leaves a lock with the schedule disarmed. The table's changes reach the real stats function through the
 * stream emulation, the rule lives in the local EventBridge, the Scheduler is driven tick by tick.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepArmingTest {
    static Isolated.Applied env;
    static TableStream stream;
    static StreamPoller feed;
    static SweeperFunction sweeper;
    static TasksFunction tasksFn;
    static StatsFunction stats;
    static Fixture fx;
    static LockClaims claims;
    static EventRules rules;
    static String rule;
    /** Sweeps the schedule fired (see {@link #tick()}). */
    static long invocations;

    @BeforeAll
    static void start() {
        Emulators emulators = Emulators.shared();
        Isolated iso = emulators.isolated("arming");
        stream = TableStream.start(emulators.dynamoDbEndpoint(), emulators.dynamoDb(), Resources.TABLE_FEED::delivers);
        Map<String, String> vars = new HashMap<>(iso.env());
        vars.put(Emulators.ENV_ENDPOINT_DYNAMODB, stream.endpoint().toString());
        env = new Isolated(iso.resources(), vars, iso.osm()).applyAsSystemProperties();
        rules = emulators.rules();
        rule = vars.get(Resources.LOCK_SWEEP_RULE_ENV);
        sweeper = new SweeperFunction();
        tasksFn = new TasksFunction();
        stats = new StatsFunction();
        fx = new Fixture(sweeper.getApplicationContext());
        claims = sweeper.getApplicationContext().getBean(LockClaims.class);
        Resources.TableFeed f = Resources.TABLE_FEED;
        feed = new StreamPoller(stream.log(iso.table()), f.batchSize(), f.maxRetries(),
                r -> f.delivers(r.getDynamodb().getKeys().get("pk").getS(), r.getDynamodb().getKeys().get("sk").getS()),
                (DynamodbEvent e) -> stats.handleRequest(e, new Api.TestContext()), failed -> { }, line -> { }).start();
    }

    @AfterAll
    static void stop() {
        rules.beforeApplying(null);
        feed.close();
        sweeper.close();
        tasksFn.close();
        stats.close();
        env.close();
        stream.close();
    }

    static void caughtUp() throws InterruptedException {
        assertThat(feed.awaitCaughtUp(60_000)).as("the feed caught up").isTrue();
    }

    /**
     * One tick of the schedule as the local Scheduler runs it (infra/local's SchedulerTest checks the Scheduler
     * itself): the sweeper is invoked with a scheduled event only while the rule is enabled; true if it fired.
     */
    static boolean tick() {
        if (!rules.enabled(rule)) return false;
        invocations++;
        sweeper.handleRequest(new com.amazonaws.services.lambda.runtime.events.ScheduledEvent().withVersion("0")
                .withId(java.util.UUID.randomUUID().toString()).withDetailType("Scheduled Event").withSource("aws.events")
                .withTime(new org.joda.time.DateTime()).withResources(List.of(rule)), new Api.TestContext());
        return true;
    }

    /** Ticks the schedule until a run disarms it (every change so far delivered first); answers the runs it took. */
    static int ticksUntilDisarmed() throws InterruptedException {
        for (int runs = 0; runs < 6; runs++) {
            caughtUp();
            if (!rules.enabled(rule)) return runs;
            assertThat(tick()).isTrue();
        }
        throw new AssertionError("the sweeper never disarmed its schedule");
    }

    @Test
    @Order(1)
    void anIdleRunDisarmsTheScheduleALockArmsItThroughTheFeedAndItsExpiryIsSwept() throws Exception {
        User ana = fx.user("ana-arming");
        Project p = fx.project(fx.user("pm-arming"), ProjectStatus.PUBLISHED, 2);
        caughtUp();
        // the project's creation came through the feed: the schedule is armed
        assertThat(rules.enabled(rule)).isTrue();
        // a run or two settle the search snapshot and the counters, then one finds nothing and no lock: disarmed
        assertThat(ticksUntilDisarmed()).isBetween(1, 3);
        long disables = rules.calls("DisableRule", rule);
        assertThat(disables).isPositive();
        long runs = invocations;
        // disarmed, the schedule no longer fires
        assertThat(tick()).isFalse();
        assertThat(tick()).isFalse();
        assertThat(invocations).isEqualTo(runs);

        // a mapper locks a task over the API: its committed change reaches the stats function, which arms the rule
        var lock = Api.call(tasksFn, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/1/",
                Api.token(ana.id()), null);
        assertThat(lock.status()).isEqualTo(200);
        caughtUp();
        assertThat(rules.enabled(rule)).isTrue();
        // a run while the lock is live leaves it alone and the schedule armed
        assertThat(tick()).isTrue();
        caughtUp();
        assertThat(rules.enabled(rule)).isTrue();
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(ana.id());

        // three hours on, the armed schedule's next run releases the lock for good
        sweeper.clock = Clock.offset(Clock.systemUTC(), Duration.ofHours(3));
        try {
            assertThat(tick()).isTrue();
            Task t = fx.tasks.get(p.id(), 1).orElseThrow();
            assertThat(t.status()).isEqualTo(TaskStatus.READY);
            assertThat(t.lockedBy()).isNull();
            assertThat(t.history()).extracting(e -> e.action()).containsExactly(TaskAction.AUTO_UNLOCKED_FOR_MAPPING);
            assertThat(claims.get(ana.id())).isEmpty();
            // with nothing left, the schedule is disarmed again and stays so once every change is delivered
            assertThat(ticksUntilDisarmed()).isBetween(1, 3);
            caughtUp();
            assertThat(rules.enabled(rule)).isFalse();
            assertThat(rules.calls("DisableRule", rule)).isGreaterThan(disables);
        } finally {
            sweeper.clock = Clock.systemUTC();
        }
    }

    /**
     * A sweeper disarming (it saw no lock) while a mapper locks and the feed's consumer arms the rule after the
     * lock's commit, as the stats function does. The sweeper's DisableRule call is held in flight until the mapper
     * reaches a step that varies per round (before its slot, after its slot, after its task write, after arming),
     * then both go on with real threads. After both, the lock exists and the schedule must be armed. Without the
     * sweeper's look after disarming, the rounds that let the disable land after the arming end disarmed.
     */
    @Test
    @Order(2) // it stops the feed: the race's arming is the mapper's own
    void aSweeperDisarmingWhileAMapperLocksNeverLeavesTheLockUnswept() throws Exception {
        int rounds = 40;
        LockSweeper locks = sweeper.getApplicationContext().getBean(LockSweeper.class);
        SweepSchedule arming = stats.getApplicationContext().getBean(SweepSchedule.class);
        Project p = fx.project(fx.user("pm-arming-race"), ProjectStatus.PUBLISHED, rounds);
        caughtUp();
        // the project's own changes are delivered before the race starts; the race's arming is the mapper's own
        feed.close();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int rearmedByRecheck = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                assertThat(claims.anyHeld()).isFalse();
                arming.armWriting();
                User u = fx.user("racer-" + round);
                int task = round + 1;
                int releaseAt = round % 4;
                CountDownLatch disableArrived = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                rules.beforeApplying((call, name) -> {
                    if (!call.equals("DisableRule") || !name.equals(rule)) return;
                    disableArrived.countDown();
                    await(release);
                });
                Future<Boolean> sweeperRun = pool.submit(locks::disarmIfIdleWriting);
                Future<Instant> mapper = pool.submit(() -> {
                    // the sweeper has seen no lock and its disable is in flight
                    await(disableArrived);
                    if (releaseAt == 0) release.countDown();
                    Task t = fx.tasks.get(p.id(), task).orElseThrow();
                    var change = TaskMachine.lockForMapping(t, u.actor(), Instant.now(), Duration.ofHours(2));
                    assertThat(claims.claim(u.id(), p.id(), task, Instant.now(), change.after().lockExpiresAt(), null)).isPresent();
                    if (releaseAt == 1) release.countDown();
                    assertThat(fx.tasks.apply(change)).isTrue();
                    if (releaseAt == 2) release.countDown();
                    arming.armWriting(); // what the feed's consumer does once the lock is committed
                    release.countDown();
                    return change.after().lockExpiresAt();
                });
                Instant expires = mapper.get(30, TimeUnit.SECONDS);
                boolean leftDisarmed = sweeperRun.get(30, TimeUnit.SECONDS);
                assertThat(claims.anyHeld()).isTrue();
                assertThat(rules.enabled(rule)).as("round %d (disable released at step %d): a lock is held, so the"
                        + " schedule must be armed", round, releaseAt).isTrue();
                if (!leftDisarmed && releaseAt == 3) rearmedByRecheck++;
                // free the slot for the next round (the task stays locked: only slots count)
                assertThat(claims.release(u.id(), p.id(), task, expires)).isTrue();
            }
        } finally {
            rules.beforeApplying(null);
            pool.shutdownNow();
        }
        // the look after disarming did the re-arming in the rounds that needed it
        assertThat(rearmedByRecheck).isEqualTo(rounds / 4);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("a step of the race never came");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
