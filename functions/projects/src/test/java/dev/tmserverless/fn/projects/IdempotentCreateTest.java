package dev.tmserverless.fn.projects;

import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /projects/ with an Idempotency-Key against dynalite: concurrent identical requests create one project, a
 * retry replays the first answer, another body with the same key is refused, and without a key nothing changes.
 */
class IdempotentCreateTest {
    static final String AOI = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
             "coordinates":[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.1],[-4.02,56.09]]]}}]}""";

    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;
    static User manager;
    static User second;
    static Organisation org;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("projects-idempotent").applyAsSystemProperties();
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
        manager = fx.user("idem");
        second = fx.user("idem2");
        org = fx.orgs.create("Idempotent Org", "idem-org", null, null, null, null, List.of(manager.id(), second.id()));
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String body(String name) {
        return "{\"projectName\": \"" + name + "\", \"organisation\": " + org.id() + ", \"areaOfInterest\": " + AOI
                + ", \"grid\": {\"zoom\": 14, \"clipToAoi\": true}}";
    }

    static Api.Answer post(String body, String key) {
        return Api.call(fn, "POST", "/api/v2/projects/", Api.token(manager.id()), body,
                key == null ? Map.of() : Map.of("Idempotency-Key", key));
    }

    /** Projects created so far: the id counter moves once per creation (reading it moves it once more). */
    static long created() {
        return fx.counters.next("PROJECT");
    }

    @Test
    void concurrentIdenticalPostsWithOneKeyCreateOneProject() throws Exception {
        int rounds = 4;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = UUID.randomUUID().toString();
                String body = body("Concurrent " + round);
                long before = created();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Api.Answer>> answers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    answers.add(pool.submit(() -> {
                        go.await();
                        return post(body, key);
                    }));
                }
                go.countDown();
                Set<Long> ids = new HashSet<>();
                for (var f : answers) {
                    Api.Answer a = f.get();
                    assertThat(a.status()).as(a.body()).isIn(201, 409);
                    if (a.status() == 201) ids.add(a.json().path("projectId").asLong());
                    else assertThat(a.structuredSubCode()).isEqualTo("IDEMPOTENCY_KEY_IN_USE");
                }
                assertThat(created() - before - 1).as("projects created in round " + round).isEqualTo(1);
                assertThat(ids).hasSizeLessThanOrEqualTo(1);
                // once the first request is done, a retry gets its answer
                var retry = post(body, key);
                assertThat(retry.status()).isEqualTo(201);
                assertThat(retry.headers()).containsEntry("idempotent-replayed", "true");
                if (!ids.isEmpty()) assertThat(retry.json().path("projectId").asLong()).isEqualTo(ids.iterator().next());
                assertThat(fx.projects.get(retry.json().path("projectId").asLong())).isPresent();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndKeysArePerCaller() {
        String key = UUID.randomUUID().toString();
        var first = post(body("First"), key);
        assertThat(first.status()).isEqualTo(201);
        var other = post(body("Second"), key);
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"header\",\"Idempotency-Key\"]");
        assertThat(other.json().path("detail").get(0).path("type").asText()).isEqualTo("idempotency_key_reused");

        // another caller's identical key is another record
        var theirs = Api.call(fn, "POST", "/api/v2/projects/", Api.token(second.id()), body("First"),
                Map.of("Idempotency-Key", key));
        assertThat(theirs.status()).isEqualTo(201);
        assertThat(theirs.json().path("projectId").asLong()).isNotEqualTo(first.json().path("projectId").asLong());
    }

    @Test
    void aFailedRequestDoesNotHoldItsKeyAndNoKeyMeansNoReplay() {
        String key = UUID.randomUUID().toString();
        String bad = "{\"projectName\": \"Bad\", \"organisation\": " + org.id() + "}";
        assertThat(post(bad, key).status()).isBetween(400, 499);
        assertThat(post(bad, key).status()).as("the failure is not replayed: the handler ran again")
                .isBetween(400, 499).isNotEqualTo(409);

        long before = created();
        assertThat(post(body("No key"), null).status()).isEqualTo(201);
        assertThat(post(body("No key"), null).status()).isEqualTo(201);
        assertThat(created() - before - 1).isEqualTo(2);

        assertThat(post(body("Too long"), "k".repeat(256)).status()).isEqualTo(422);
    }
}
