package dev.tmserverless.fn.stats;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.ChatStore;
import dev.tmserverless.aws.store.Counters;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.StatsStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.stats.ProjectFigures;
import dev.tmserverless.core.stats.TaskFacts;
import dev.tmserverless.core.stats.UserFigures;
import dev.tmserverless.core.stats.UserTaskFacts;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once in effect: a randomised history of 5,000 task transitions, committed through the task store and
 * captured by the feed, is delivered to the aggregator out of order, with duplicates and with aggregators killed
 * in the middle of a batch (whose batch then comes again, as Lambda redelivers it); afterwards every project and
 * user summary equals a full recount from the task items, and the system summary counts what the data holds.
 * Then drift planted by hand is repaired by the reconciliation.
 */
class ReplayTest {
    /** 5,000; a smaller number only to try a weakened rule quickly by hand ({@code -Dtm.stats.replayActions}). */
    static final int ACTIONS = Integer.getInteger("tm.stats.replayActions", 5_000);
    static FeedHarness h;
    static StatsFunction stats;
    static Fixture fx;
    static TmConfig config;
    static final Random RANDOM = new Random(20261130);
    static final List<Project> projects = new ArrayList<>();
    static final List<User> users = new ArrayList<>();

    /** A process death: escapes every catch of the handler, as a killed Lambda sandbox does. */
    static final class Killed extends Error {
        Killed() { super("killed", null, false, false); }
    }

    @BeforeAll
    static void start() {
        h = FeedHarness.start("stats-replay");
        stats = new StatsFunction();
        fx = new Fixture(stats.getApplicationContext());
        config = stats.getApplicationContext().getBean(TmConfig.class);
    }

    @AfterAll
    static void stop() {
        h.close();
        stats.close();
    }

    /** The aggregator's stores on a client that dies after {@code writesLeft} writes (or never, if negative). */
    static Aggregator aggregator(int writesLeft) {
        DynamoDbClient real = Emulators.shared().dynamoDb();
        AtomicInteger left = new AtomicInteger(writesLeft);
        DynamoDbClient client = (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[]{DynamoDbClient.class}, (proxy, m, args) -> {
                    String name = m.getName();
                    boolean write = name.startsWith("put") || name.startsWith("update") || name.startsWith("delete")
                            || name.startsWith("batchWrite");
                    if (write && writesLeft >= 0 && left.getAndDecrement() <= 0) throw new Killed();
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Counters counters = new Counters(client, config);
        return new Aggregator(new StatsStore(client, config), new ProjectStore(client, config),
                new ChatStore(client, config, counters), new OrgStore(client, config, counters));
    }


    @Test
    void aShuffledDuplicatedInterruptedReplayEqualsAFullRecountAndTheReconciliationRepairsDrift() throws Exception {
        User pm = fx.user("pm-replay");
        for (int i = 0; i < 10; i++) users.add(fx.user("mapper-replay-" + i));
        for (int i = 0; i < 3; i++) projects.add(fx.project(pm, ProjectStatus.PUBLISHED, 15));
        Instant clock = Instant.now().minus(Duration.ofDays(30));
        int applied = 0;
        while (applied < ACTIONS) {
            clock = clock.plusSeconds(1 + RANDOM.nextInt(900));
            Project p = projects.get(RANDOM.nextInt(projects.size()));
            int taskId = 1 + RANDOM.nextInt(15);
            Task t = fx.tasks.get(p.id(), taskId).orElseThrow();
            User u = users.get(RANDOM.nextInt(users.size()));
            TaskChange change;
            try {
                change = decide(t, u, pm, clock);
            } catch (ApiException refused) {
                continue;
            }
            if (change == null || change.after() == change.before()) continue;
            if (fx.tasks.apply(change)) applied++;
        }
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>(h.log().read(0, Integer.MAX_VALUE).stream()
                .filter(r -> Resources.TABLE_FEED.delivers(r.getDynamodb().getKeys().get("pk").getS(),
                        r.getDynamodb().getKeys().get("sk").getS())).toList());
        assertThat(records.size()).isGreaterThan(ACTIONS);

        // out of order: shuffled within windows of 300 records; duplicates: a fifth of them delivered again later
        List<DynamodbEvent.DynamodbStreamRecord> delivery = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 300) {
            List<DynamodbEvent.DynamodbStreamRecord> window = new ArrayList<>(records.subList(i, Math.min(records.size(), i + 300)));
            Collections.shuffle(window, RANDOM);
            delivery.addAll(window);
        }
        for (int i = 0; i < records.size() / 5; i++) {
            delivery.add(RANDOM.nextInt(delivery.size()), records.get(RANDOM.nextInt(records.size())));
        }
        // the handler class Lambda runs, its aggregator on a client of the table (or one that dies)
        StatsFunction healthy = stats;
        Aggregator original = stats.aggregator;
        healthy.aggregator = aggregator(-1);
        StatsFunction dying = new StatsFunction();
        int kills = 0;
        for (int i = 0; i < delivery.size(); ) {
            int size = 1 + RANDOM.nextInt(100);
            DynamodbEvent batch = new DynamodbEvent();
            batch.setRecords(new ArrayList<>(delivery.subList(i, Math.min(delivery.size(), i + size))));
            if (RANDOM.nextInt(5) == 0) {
                try {
                    dying.aggregator = aggregator(RANDOM.nextInt(4 * size));
                    dying.handleRequest(batch, new Api.TestContext());
                } catch (Killed expected) {
                    kills++;
                }
            }
            // at least once: the batch (again, after a kill) until it reports no failure
            for (int attempt = 0; ; attempt++) {
                var res = healthy.handleRequest(batch, new Api.TestContext());
                if (res.getBatchItemFailures().isEmpty()) break;
                assertThat(attempt).as("retries of one batch").isLessThan(3);
            }
            i += size;
        }
        assertThat(kills).isGreaterThan(5);
        dying.close();
        healthy.aggregator = original;

        StatsStore store = stats.getApplicationContext().getBean(StatsStore.class);
        assertEveryAggregateEqualsARecount(store);

        // drift planted by hand: a project summary, a user summary and a task's facts are wrong
        Project drifted = projects.get(0);
        User driftedUser = users.get(0);
        var ddb = Emulators.shared().dynamoDb();
        ddb.updateItem(b -> b.tableName(h.isolated.table())
                .key(Map.of("pk", av("STAT#P#" + drifted.id()), "sk", av("SUM")))
                .updateExpression("SET d = :d").expressionAttributeValues(Map.of(":d", av("{\"p\":" + drifted.id() + ",\"mapSecs\":1}"))));
        ddb.updateItem(b -> b.tableName(h.isolated.table())
                .key(Map.of("pk", av("STAT#U#" + driftedUser.id()), "sk", av("SUM")))
                .updateExpression("SET d = :d").expressionAttributeValues(Map.of(":d", av("{\"u\":" + driftedUser.id() + ",\"tasksMapped\":999}"))));
        ddb.deleteItem(b -> b.tableName(h.isolated.table())
                .key(Map.of("pk", av("STAT#P#" + projects.get(1).id()), "sk", av("T#0000003"))));
        assertThat(store.project(drifted.id()).orElseThrow().mapSecs).isEqualTo(1);
        Reconciler reconciler = stats.getApplicationContext().getBean(Reconciler.class);
        // this table's projects are ids 1..3: one slice of the walk covers them
        Reconciler.Run run = reconciler.runWriting();
        assertThat(run.fromProject()).isLessThanOrEqualTo(projects.get(0).id());
        assertThat(run.toProject()).isGreaterThanOrEqualTo(projects.get(2).id());
        assertEveryAggregateEqualsARecount(store);
    }

    static software.amazon.awssdk.services.dynamodb.model.AttributeValue av(String s) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(s);
    }

    /** A transition a user (or the PM) could make on the task now, or null. */
    static TaskChange decide(Task t, User u, User pm, Instant now) {
        Duration lock = Duration.ofMinutes(30);
        Task e = t.effective(now);
        if (!e.equals(t) && RANDOM.nextInt(3) == 0) return TaskMachine.expire(t, now);
        int dice = RANDOM.nextInt(10);
        return switch (e.status()) {
            case READY, INVALIDATED -> TaskMachine.lockForMapping(t, u.actor(), now, lock);
            case LOCKED_FOR_MAPPING -> {
                User holder = holder(e);
                yield dice < 6 ? TaskMachine.unlockAfterMapping(t, holder.actor(), now, "MAPPED", null)
                        : dice < 7 ? TaskMachine.unlockAfterMapping(t, holder.actor(), now, "BADIMAGERY", null)
                        : dice < 9 ? TaskMachine.stopMapping(t, holder.actor(), now, null)
                        : null;
            }
            case MAPPED -> dice < 8 ? TaskMachine.lockForValidation(t, u.actor(), true, now, lock)
                    : TaskMachine.undoLastAction(t, holderOrPm(e.mappedBy(), pm).actor(), now, true);
            case LOCKED_FOR_VALIDATION -> {
                User holder = holder(e);
                yield dice < 5 ? TaskMachine.unlockAfterValidation(t, holder.actor(), now, "VALIDATED", null, List.of())
                        : dice < 8 ? TaskMachine.unlockAfterValidation(t, holder.actor(), now, "INVALIDATED", null, List.of())
                        : TaskMachine.stopValidation(t, holder.actor(), now, null);
            }
            case VALIDATED -> dice < 3 ? TaskMachine.undoLastAction(t, holderOrPm(e.validatedBy(), pm).actor(), now, true) : null;
            case BADIMAGERY -> TaskMachine.resetBadImagery(t, pm.actor(), now);
            default -> null;
        };
    }

    static User holder(Task t) {
        return users.stream().filter(x -> x.id() == t.lockedBy()).findFirst().orElseThrow();
    }

    static User holderOrPm(Long id, User pm) {
        return users.stream().filter(x -> id != null && x.id() == id).findFirst().orElse(pm);
    }

    /** Every project and user summary against figures recounted from the task items and their archived rows. */
    static void assertEveryAggregateEqualsARecount(StatsStore store) {
        Map<Long, List<UserTaskFacts>> perUser = new TreeMap<>();
        Set<Long> validators = new TreeSet<>();
        for (Project p : projects) {
            List<TaskFacts> facts = new ArrayList<>();
            for (Task t : fx.tasks.list(p.id(), m -> { }, true)) {
                TaskFacts f = TaskFacts.of(fx.tasks.withWholeHistory(t), false);
                facts.add(f);
                ProjectFigures.byUser(f).forEach((u, ut) -> perUser.computeIfAbsent(u, k -> new ArrayList<>()).add(ut));
            }
            ProjectFigures expected = ProjectFigures.compute(p.id(), facts);
            ProjectFigures actual = store.project(p.id()).orElseThrow();
            expected.org = actual.org;
            expected.comments = actual.comments;
            expected.counters = actual.counters;
            expected.areaKm2 = actual.areaKm2;
            expected.centroid = actual.centroid;
            expected.countries = actual.countries;
            assertThat(Json.write(actual)).as("project %d", p.id()).isEqualTo(Json.write(expected));
            validators.addAll(expected.validators);
        }
        assertThat(perUser).isNotEmpty();
        perUser.forEach((u, tasks) -> assertThat(Json.write(store.user(u).orElseThrow())).as("user %d", u)
                .isEqualTo(Json.write(UserFigures.compute(u, tasks))));
        var system = store.system().orElseThrow();
        assertThat(system.totalProjects).isEqualTo(projects.size());
        assertThat(system.totalMappers).isEqualTo(users.size() + 1);
        assertThat(system.totalValidators).isEqualTo(validators.size());
    }
}
