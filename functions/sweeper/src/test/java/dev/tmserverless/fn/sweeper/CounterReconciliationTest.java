package dev.tmserverless.fn.sweeper;

import dev.tmserverless.aws.store.CounterReconciler;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drift planted in a project's stored counters (a crash between a task write and its counter update) is
 * repaired by the sweeper's scheduled run, through its Lambda handler, against dynalite; a counter update that
 * is merely late is not "repaired" twice (docs/projects.md "Counters").
 */
class CounterReconciliationTest {
    static dev.tmserverless.emulators.Isolated.Applied env;
    static SweeperFunction sweeper;
    static Fixture fx;
    static CounterReconciler reconciler;
    static Instant now = Instant.now();

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("reconcile").applyAsSystemProperties();
        sweeper = new SweeperFunction();
        fx = new Fixture(sweeper.getApplicationContext());
        reconciler = sweeper.getApplicationContext().getBean(CounterReconciler.class);
    }

    @AfterAll
    static void stop() {
        sweeper.close();
        env.close();
    }

    /** One scheduled run of the sweeper, {@code later} after the previous one. */
    static Map<String, Object> sweepAfter(Duration later) {
        now = now.plus(later);
        reconciler.clock = Clock.fixed(now, ZoneOffset.UTC);
        return sweeper.handleRequest(new com.amazonaws.services.lambda.runtime.events.ScheduledEvent(), new Api.TestContext());
    }

    /** Maps task {@code taskId} as the tasks function does, but without the counter update that follows. */
    static CounterDelta mapWithoutCounters(User u, long projectId, int taskId) {
        Task t = fx.tasks.get(projectId, taskId).orElseThrow();
        TaskChange lock = TaskMachine.lockForMapping(t, u.actor(), Instant.now(), Duration.ofHours(1));
        assertThat(fx.tasks.apply(lock)).isTrue();
        TaskChange mapped = TaskMachine.unlockAfterMapping(fx.tasks.get(projectId, taskId).orElseThrow(), u.actor(), Instant.now(), "MAPPED", null);
        assertThat(fx.tasks.apply(mapped)).isTrue();
        return mapped.counters();
    }

    static ProjectCounters stored(long id) { return fx.projects.get(id).orElseThrow().counters(); }

    @Test
    void aLostCounterUpdateIsRepairedByTheSweeperWithinTwoRuns() {
        User mapper = fx.user("mapper-drift");
        Project p = fx.project(fx.user("pm-drift"), ProjectStatus.PUBLISHED, 4);
        fx.projects.addCounters(p.id(), CounterDelta.NONE); // an active project: its summary changed just now
        mapWithoutCounters(mapper, p.id(), 1);
        mapWithoutCounters(mapper, p.id(), 2);
        // and a counter moved with no task behind it (the opposite drift) on another project
        Project q = fx.project(fx.user("pm-drift2"), ProjectStatus.PUBLISHED, 4);
        fx.projects.addCounters(q.id(), new CounterDelta(0, 1, 0));
        ProjectCounters truthP = new ProjectCounters(4, 2, 0, 0);
        ProjectCounters truthQ = new ProjectCounters(4, 0, 0, 0);
        assertThat(stored(p.id())).isEqualTo(new ProjectCounters(4, 0, 0, 0));

        sweepAfter(Duration.ZERO);
        // the first look only notes the drift: a transition between its two writes looks the same for a moment
        assertThat(stored(p.id())).isEqualTo(new ProjectCounters(4, 0, 0, 0));
        Map<String, Object> second = sweepAfter(Duration.ofMinutes(1));
        assertThat((Integer) second.get("countersRepaired")).isGreaterThanOrEqualTo(2);
        assertThat(stored(p.id())).isEqualTo(truthP);
        assertThat(fx.projects.summaryCounters(p.id())).contains(truthP);
        assertThat(stored(q.id())).isEqualTo(truthQ);
        assertThat(fx.projects.summaryCounters(q.id())).contains(truthQ);
        // nothing left to do
        sweepAfter(Duration.ofMinutes(1));
        assertThat(stored(p.id())).isEqualTo(truthP);
        assertThat(fx.projects.driftMark(p.id())).isNull();
    }

    @Test
    void aCounterUpdateThatArrivesBetweenTheTwoLooksIsNotCountedTwice() {
        User mapper = fx.user("mapper-late");
        Project p = fx.project(fx.user("pm-late"), ProjectStatus.PUBLISHED, 3);
        fx.projects.addCounters(p.id(), CounterDelta.NONE);
        CounterDelta late = mapWithoutCounters(mapper, p.id(), 1);
        sweepAfter(Duration.ofMinutes(1)); // sees the task mapped and the counters not yet moved
        fx.projects.addCounters(p.id(), late); // the transition's own counter update, late
        // never counted twice, not even for a moment
        assertThat(stored(p.id())).isEqualTo(new ProjectCounters(3, 1, 0, 0));
        assertThat(fx.projects.summaryCounters(p.id())).contains(new ProjectCounters(3, 1, 0, 0));
        sweepAfter(Duration.ofMinutes(1));
        sweepAfter(Duration.ofMinutes(1));
        assertThat(stored(p.id())).isEqualTo(new ProjectCounters(3, 1, 0, 0));
        assertThat(fx.projects.summaryCounters(p.id())).contains(new ProjectCounters(3, 1, 0, 0));
    }

    @Test
    void aProjectWrittenBeforeTheSearchIndexGetsItsSummary() {
        Project p = fx.project(fx.user("pm-old"), ProjectStatus.PUBLISHED, 2);
        fx.projects.addCounters(p.id(), new CounterDelta(1, 0, 0));
        // as a project created before summaries existed: no summary item
        var ddb = sweeper.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = sweeper.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
        ddb.deleteItem(b -> b.tableName(table).key(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("SEARCH"))));
        assertThat(fx.projects.summaryCounters(p.id())).isEmpty();
        // a deployment whose backfill has not run yet
        ddb.deleteItem(b -> b.tableName(table).key(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("SYSTEM"),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("SEARCHBACKFILL"))));
        Map<String, Object> run = sweepAfter(Duration.ofMinutes(1));
        assertThat((Integer) run.get("summariesBackfilled")).isGreaterThanOrEqualTo(1);
        assertThat(fx.projects.summaryCounters(p.id())).contains(new ProjectCounters(2, 1, 0, 0));
        var index = sweeper.getApplicationContext().getBean(dev.tmserverless.aws.store.ProjectSearchIndex.class);
        index.reset();
        assertThat(index.current().row(p.id())).isNotNull();
        // done: later runs only look at the marker
        assertThat(sweepAfter(Duration.ofMinutes(1)).get("summariesBackfilled")).isEqualTo(-1);
    }
}
