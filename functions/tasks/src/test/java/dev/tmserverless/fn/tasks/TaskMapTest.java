package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.store.TaskMaps;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Task-map snapshots through the real handler against dynalite and s3rver (docs/performance.md). */
class TaskMapTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static TaskMaps maps;
    static TaskService service;
    static DynamoDbClient ddb;
    static String table;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("taskmaps").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        maps = fn.getApplicationContext().getBean(TaskMaps.class);
        service = fn.getApplicationContext().getBean(TaskService.class);
        ddb = fn.getApplicationContext().getBean(DynamoDbClient.class);
        table = fn.getApplicationContext().getBean(TmConfig.class).table();
    }

    @AfterEach
    void heal() {
        maps.faults = new TaskMaps.Faults();
        maps.clock = Clock.systemUTC();
        maps.lease = TaskMaps.LEASE;
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String tasks(long p) { return "/api/v2/projects/" + p + "/tasks/"; }

    static String status(JsonNode fc, int taskId) {
        for (JsonNode f : fc.path("features")) {
            if (f.path("properties").path("taskId").asInt() == taskId) return f.path("properties").path("taskStatus").asText();
        }
        return null;
    }

    /** Changes a task's status behind the store's back: no version bump, as a crash between the two writes would. */
    static void writeStatusWithoutBump(long projectId, int taskId, TaskStatus s) {
        ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("PROJECT#" + projectId),
                        "sk", AttributeValue.fromS(String.format("TASK#%07d", taskId))))
                .updateExpression("SET #st = :s").expressionAttributeNames(Map.of("#st", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromN(String.valueOf(s.code)))));
    }

    @Test
    void aCurrentSnapshotIsServedWithoutReadingTheTasksAndAChangeIsSeenAtOnce() {
        User u = fx.user("mapper");
        Project p = fx.project(u, ProjectStatus.PUBLISHED, 3);
        assertThat(status(call(fn, "GET", tasks(p.id()), null, null).json(), 2)).isEqualTo("READY");
        // an item changed without a version bump is not read: the answer is the stored snapshot
        writeStatusWithoutBump(p.id(), 2, TaskStatus.VALIDATED);
        assertThat(status(call(fn, "GET", tasks(p.id()), null, null).json(), 2)).isEqualTo("READY");
        // a committed change bumps the version: the next read shows it
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        JsonNode after = call(fn, "GET", tasks(p.id()), null, null).json();
        assertThat(status(after, 1)).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(status(after, 2)).isEqualTo("VALIDATED");
    }

    @Test
    void aChangeWhoseBumpWasLostShowsAfterTheMaximumAgeAndAnExpiredLockAfterItsExpiry() {
        User u = fx.user("mapper");
        Project p = fx.project(u, ProjectStatus.PUBLISHED, 2);
        call(fn, "GET", tasks(p.id()), null, null);
        writeStatusWithoutBump(p.id(), 2, TaskStatus.MAPPED);
        maps.clock = Clock.offset(Clock.systemUTC(), TaskMaps.MAX_AGE.plusSeconds(1));
        assertThat(status(call(fn, "GET", tasks(p.id()), null, null).json(), 2)).isEqualTo("MAPPED");
        // a lock shows until it expires, then the map is rebuilt with the task's previous state
        maps.clock = Clock.systemUTC();
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        assertThat(status(call(fn, "GET", tasks(p.id()), null, null).json(), 1)).isEqualTo("LOCKED_FOR_MAPPING");
        maps.clock = Clock.offset(Clock.systemUTC(), service.lockDuration().plusSeconds(1));
        assertThat(status(call(fn, "GET", tasks(p.id()), null, null).json(), 1)).isEqualTo("READY");
    }

    @Test
    void answersCarryTheVersionAsETagAndAnUnchangedMapIs304() {
        User u = fx.user("pm");
        Project p = fx.project(u, ProjectStatus.PUBLISHED, 2);
        var first = call(fn, "GET", tasks(p.id()), null, null);
        String etag = first.headers().get("etag");
        assertThat(etag).startsWith("\"tm-");
        assertThat(first.headers()).containsEntry("cache-control", "public, max-age=2, s-maxage=2");
        var again = call(fn, "GET", tasks(p.id()), null, null, Map.of("if-none-match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isNullOrEmpty();
        assertThat(again.headers()).containsEntry("etag", etag);
        for (String export : List.of("queries/xml/", "queries/gpx/")) {
            var x = call(fn, "GET", tasks(p.id()) + export, null, null);
            assertThat(x.status()).isEqualTo(200);
            assertThat(call(fn, "GET", tasks(p.id()) + export, null, null, Map.of("if-none-match", x.headers().get("etag"))).status())
                    .isEqualTo(304);
        }
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        var changed = call(fn, "GET", tasks(p.id()), null, null, Map.of("if-none-match", etag));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.headers().get("etag")).isNotEqualTo(etag);
        // a subset has its own ETag
        var some = call(fn, "GET", tasks(p.id()) + "?tasks=2,1", null, null);
        assertThat(some.json().path("features").get(0).path("properties").path("taskId").asInt()).isEqualTo(2);
        assertThat(some.headers().get("etag")).isNotEqualTo(changed.headers().get("etag"));
        // drafts are their managers': never in a shared cache
        Project draft = fx.project(u, ProjectStatus.DRAFT, 1);
        assertThat(call(fn, "GET", tasks(draft.id()), token(u.id()), null).headers())
                .containsEntry("cache-control", "private, no-cache");
        assertThat(call(fn, "GET", tasks(draft.id()) + "queries/xml/", null, null).headers())
                .containsEntry("cache-control", "private, no-cache");
    }

    /**
     * A mapper maps task after task while readers read the map, with slow rebuilds overlapping (no lease, random
     * delays before publishing). Every read shows every change committed before it started, and the published
     * snapshot never goes back to an older version (the publish write is conditioned on being newer).
     */
    @Test
    void readersRacingAMapperNeverSeeAnOlderMapAndThePublishedVersionNeverGoesBack() throws Exception {
        int steps = 12;
        User u = fx.user("mapper");
        Project p = fx.project(u, ProjectStatus.PUBLISHED, steps);
        maps.lease = Duration.ZERO;
        maps.faults = new TaskMaps.Faults() {
            @Override
            public void beforePublish(long version) {
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(150));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        AtomicInteger committed = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> readers = new java.util.ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(pool.submit(() -> {
                    while (!done.get()) {
                        int before = committed.get();
                        var s = maps.current(p.id());
                        JsonNode fc = dev.tmserverless.aws.http.Json.parse(maps.json(p.id(), s));
                        int mapped = 0;
                        for (JsonNode f : fc.path("features")) {
                            if (f.path("properties").path("taskStatus").asText().equals("MAPPED")) mapped++;
                        }
                        if (mapped < before) problems.add("read started after " + before + " changes showed " + mapped);
                    }
                    return null;
                }));
            }
            readers.add(pool.submit(() -> {
                long last = -1;
                while (!done.get()) {
                    long v = maps.publishedVersion(p.id());
                    if (v < last) problems.add("published version went back from " + last + " to " + v);
                    last = Math.max(last, v);
                }
                return null;
            }));
            for (int t = 1; t <= steps; t++) {
                service.lockForMapping(p.id(), t, u);
                service.unlockAfterMapping(p.id(), t, u, "MAPPED", null);
                committed.set(t);
                Thread.sleep(30);
            }
            Thread.sleep(300);
            done.set(true);
            for (Future<?> f : readers) f.get();
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertThat(problems).isEmpty();
        assertThat(status(call(fn, "GET", tasks(p.id()), null, null).json(), steps)).isEqualTo("MAPPED");
    }
}
