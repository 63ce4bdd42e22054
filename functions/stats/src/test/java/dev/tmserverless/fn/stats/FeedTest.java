package dev.tmserverless.fn.stats;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.tmserverless.aws.store.StatsStore;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The emulated change feed: one record per committed write, both images, commit order per key, none for a lost condition. */
class FeedTest {
    static FeedHarness h;
    static StatsFunction stats;
    static Fixture fx;

    @BeforeAll
    static void start() {
        h = FeedHarness.start("stats-feed");
        stats = new StatsFunction();
        fx = new Fixture(stats.getApplicationContext());
        h.feed(e -> stats.handleRequest(e, new Api.TestContext()));
    }

    @AfterAll
    static void stop() {
        h.close();
        stats.close();
    }

    private static List<DynamodbEvent.DynamodbStreamRecord> recordsOf(long projectId, int taskId) {
        String sk = String.format("TASK#%07d", taskId);
        return h.log().read(0, Integer.MAX_VALUE).stream()
                .filter(r -> r.getDynamodb().getKeys().get("pk").getS().equals("PROJECT#" + projectId)
                        && r.getDynamodb().getKeys().get("sk").getS().equals(sk)).toList();
    }

    @Test
    void concurrentLocksOfOneTaskCommitOnceAndTheFeedCarriesExactlyThatWrite() throws Exception {
        Project p = fx.project(fx.user("pm-feed"), ProjectStatus.PUBLISHED, 1);
        List<User> mappers = List.of(fx.user("m1"), fx.user("m2"), fx.user("m3"), fx.user("m4"));
        Task before = fx.tasks.get(p.id(), 1).orElseThrow();
        int recordsBefore = recordsOf(p.id(), 1).size();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(mappers.size());
        List<Future<Boolean>> wins = mappers.stream().map(u -> pool.submit((Callable<Boolean>) () -> {
            go.await();
            return fx.tasks.apply(TaskMachine.lockForMapping(before, u.actor(), Instant.now(), Duration.ofHours(2)));
        })).toList();
        go.countDown();
        long won = 0;
        for (Future<Boolean> f : wins) if (f.get()) won++;
        pool.shutdown();
        assertThat(won).isEqualTo(1);
        var records = recordsOf(p.id(), 1);
        assertThat(records).hasSize(recordsBefore + 1);
        var r = records.get(records.size() - 1);
        assertThat(r.getEventName()).isEqualTo("MODIFY");
        assertThat(r.getDynamodb().getOldImage().get("status").getN()).isEqualTo("0");
        assertThat(r.getDynamodb().getNewImage().get("status").getN()).isEqualTo("1");
    }

    /** A BatchWriteItem gives one record per item it changed, with both images; an item put back unchanged gives none. */
    @Test
    void aBatchWriteRecordsEachItemItChangedWithBothImages() {
        Project p = fx.project(fx.user("pm-batch"), ProjectStatus.PUBLISHED, 30);
        for (int t = 1; t <= 30; t++) {
            var first = recordsOf(p.id(), t).get(0);
            assertThat(first.getEventName()).as("task %d", t).isEqualTo("INSERT");
            assertThat(first.getDynamodb().getOldImage()).isNull();
        }
        var ddb = stats.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = stats.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
        java.util.function.IntFunction<java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> item =
                t -> ddb.getItem(b -> b.tableName(table).consistentRead(true).key(java.util.Map.of(
                        "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                        "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(String.format("TASK#%07d", t))))).item();
        var changed = new java.util.HashMap<>(item.apply(1));
        changed.put("batchMark", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("x"));
        var removed = item.apply(2);
        var same = item.apply(3);
        int[] before = {recordsOf(p.id(), 1).size(), recordsOf(p.id(), 2).size(), recordsOf(p.id(), 3).size()};
        ddb.batchWriteItem(b -> b.requestItems(java.util.Map.of(table, List.of(
                software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().putRequest(r -> r.item(changed)).build(),
                software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().deleteRequest(r -> r.key(java.util.Map.of(
                        "pk", removed.get("pk"), "sk", removed.get("sk")))).build(),
                software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().putRequest(r -> r.item(same)).build()))));

        var one = recordsOf(p.id(), 1);
        assertThat(one).hasSize(before[0] + 1);
        assertThat(one.get(one.size() - 1).getEventName()).isEqualTo("MODIFY");
        assertThat(one.get(one.size() - 1).getDynamodb().getOldImage()).doesNotContainKey("batchMark");
        assertThat(one.get(one.size() - 1).getDynamodb().getNewImage().get("batchMark").getS()).isEqualTo("x");
        var two = recordsOf(p.id(), 2);
        assertThat(two).hasSize(before[1] + 1);
        assertThat(two.get(two.size() - 1).getEventName()).isEqualTo("REMOVE");
        assertThat(two.get(two.size() - 1).getDynamodb().getOldImage()).containsKey("status");
        assertThat(recordsOf(p.id(), 3)).as("an item put back unchanged").hasSize(before[2]);
    }

    @Test
    void aMappedTaskReachesTheProjectAndUserStatisticsWithItsLockTime() throws Exception {
        User pm = fx.user("pm-time");
        User ana = fx.user("ana-time");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 4);
        Instant t0 = Instant.now().minusSeconds(600);
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        var lock = TaskMachine.lockForMapping(t, ana.actor(), t0, Duration.ofHours(2));
        assertThat(fx.tasks.apply(lock)).isTrue();
        var done = TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), 1).orElseThrow(), ana.actor(), t0.plusSeconds(3), "MAPPED", null);
        assertThat(fx.tasks.apply(done)).isTrue();
        h.caughtUp();
        StatsStore store = stats.getApplicationContext().getBean(StatsStore.class);
        var figures = store.project(p.id()).orElseThrow();
        assertThat(figures.mapSecs).isEqualTo(3);
        assertThat(figures.mapRows).isEqualTo(1);
        assertThat(figures.mappers).containsExactly(ana.id());
        assertThat(figures.userTimes.get(ana.id())[0]).isEqualTo(3);
        var user = store.user(ana.id()).orElseThrow();
        assertThat(user.tasksMapped).isEqualTo(1);
        assertThat(user.timeSpentMapping).isEqualTo(3);
        assertThat(user.projectsMapped).isEqualTo(1);
        // records are in commit order for the task: the lock's record before the unlock's
        var records = recordsOf(p.id(), 1);
        assertThat(records.get(records.size() - 2).getDynamodb().getNewImage().get("status").getN()).isEqualTo("1");
        assertThat(records.get(records.size() - 1).getDynamodb().getNewImage().get("status").getN()).isEqualTo("2");
    }

    @Test
    void anOrganisationCreatedOrDeletedReachesTheHomePageWithoutAnyProjectChange() throws Exception {
        StatsStore store = stats.getApplicationContext().getBean(StatsStore.class);
        h.caughtUp();
        long before = store.system().map(s -> s.totalOrganisations).orElse(0L);
        String unique = java.util.UUID.randomUUID().toString().substring(0, 8);
        var org = fx.orgs.create("Feed org " + unique, "feed-org-" + unique, null, null, null, null, List.of());
        h.caughtUp();
        assertThat(store.system().orElseThrow().totalOrganisations).isEqualTo(before + 1);
        fx.orgs.delete(org);
        h.caughtUp();
        assertThat(store.system().orElseThrow().totalOrganisations).isEqualTo(before);
    }

    @Test
    void interestsGivenToAProjectAfterTheWorkReachItsContributorsFigures() throws Exception {
        StatsStore store = stats.getApplicationContext().getBean(StatsStore.class);
        var interests = stats.getApplicationContext().getBean(dev.tmserverless.aws.store.InterestStore.class);
        User pm = fx.user("pm-interest");
        User ana = fx.user("ana-interest");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        Instant t0 = Instant.now().minusSeconds(60);
        assertThat(fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(p.id(), 1).orElseThrow(), ana.actor(), t0,
                Duration.ofHours(2)))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), 1).orElseThrow(), ana.actor(),
                t0.plusSeconds(5), "MAPPED", null))).isTrue();
        h.caughtUp();
        assertThat(store.user(ana.id()).orElseThrow().interests).isEmpty();
        // the project manager tags the project afterwards: no task changes
        var floods = interests.create("Floods " + java.util.UUID.randomUUID().toString().substring(0, 6));
        interests.setForProject(p.id(), List.of(floods.id()));
        h.caughtUp();
        var figures = store.user(ana.id()).orElseThrow().interests;
        assertThat(figures).extracting(i -> i.name).containsExactly(floods.name());
        assertThat(figures.getFirst().projects).isEqualTo(1);
    }
}
