package dev.tmserverless.fn.users;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.auth.SessionTokens;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application keys against dynalite: created, listed, checked and deleted on the reference's routes; usable as a
 * credential in the session token's header form; stored only as a hash; revoked at once by deletion; and limited
 * per key and minute, exactly, under concurrent requests.
 */
class ApplicationKeysTest {
    static final String KEYS = "/api/v2/system/authentication/applications/";
    static final int LIMIT = 5;
    static Isolated.Applied env;
    static UsersFunction fn;
    static ApplicationKeyStore store;
    static User owner;
    static User other;

    @BeforeAll
    static void start() {
        System.setProperty("TM_APP_KEY_REQUESTS_PER_MINUTE", Integer.toString(LIMIT));
        env = Emulators.shared().isolated("users-appkeys").applyAsSystemProperties();
        fn = new UsersFunction();
        store = fn.getApplicationContext().getBean(ApplicationKeyStore.class);
        UserStore users = fn.getApplicationContext().getBean(UserStore.class);
        owner = users.upsertOnLogin(7_200_001, "keyowner", null, null, false, Instant.now());
        other = users.upsertOnLogin(7_200_002, "keyother", null, null, true, Instant.now());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_APP_KEY_REQUESTS_PER_MINUTE");
        fn.close();
        env.close();
    }

    static String header(String key) { return SessionTokens.header(key); }

    static String newKey() {
        var a = post(fn, KEYS, token(owner.id()), null);
        assertThat(a.status()).isEqualTo(200);
        return a.json().path("applicationkey").asText();
    }

    @Test
    void aKeyIsCreatedListedCheckedAndWorksAsACredential() {
        var created = post(fn, KEYS, token(owner.id()), null);
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.json().fieldNames()).toIterable()
                .containsExactly("keyId", "userId", "applicationkey", "createdDate");
        assertThat(created.json().path("userId").asLong()).isEqualTo(owner.id());
        String key = created.json().path("applicationkey").asText();
        assertThat(key).startsWith(ApplicationKeyStore.PREFIX).hasSizeGreaterThan(40);

        var list = get(fn, KEYS, token(owner.id()));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("applications")).anySatisfy(k -> {
            assertThat(k.path("keyId").asLong()).isEqualTo(created.json().path("keyId").asLong());
            assertThat(k.path("applicationkey").isNull()).isTrue();
        });
        assertThat(get(fn, KEYS, token(other.id())).json().path("applications")).isEmpty();
        assertThat(get(fn, KEYS, null).status()).isEqualTo(401);

        assertThat(call(fn, "PATCH", KEYS + key + "/", null, null).status()).isEqualTo(200);
        var unknown = call(fn, "PATCH", KEYS + ApplicationKeyStore.PREFIX + "nothing/", null, null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("sub_code").asText()).isEqualTo("APPLICATION_NOT_FOUND");

        // a login-required route, with the key in the session token's header form
        var me = get(fn, "/api/v2/users/queries/keyowner/", header(key));
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("username").asText()).isEqualTo("keyowner");
    }

    @Test
    void onlyTheHashIsStored() {
        String key = newKey();
        DynamoDbClient ddb = fn.getApplicationContext().getBean(DynamoDbClient.class);
        String table = fn.getApplicationContext().getBean(TmConfig.class).table();
        String everything = ddb.scan(b -> b.tableName(table)).items().toString();
        assertThat(everything).doesNotContain(key).doesNotContain(key.substring(ApplicationKeyStore.PREFIX.length()))
                .contains(ApplicationKeyStore.hash(key));
    }

    @Test
    void deletingRevokesAtOnceAndOnlyTheOwnerMayDelete() {
        String key = newKey();
        var notMine = call(fn, "DELETE", KEYS + key + "/", token(other.id()), null);
        assertThat(notMine.status()).isEqualTo(302);
        assertThat(notMine.body()).isEmpty();
        assertThat(get(fn, "/api/v2/users/queries/keyowner/", header(key)).status()).isEqualTo(200);

        var deleted = call(fn, "DELETE", KEYS + key + "/", token(owner.id()), null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).isEmpty();
        var after = get(fn, "/api/v2/users/queries/keyowner/", header(key));
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().path("SubCode").asText()).isEqualTo("InvalidToken");
        assertThat(call(fn, "PATCH", KEYS + key + "/", null, null).status()).isEqualTo(404);
        assertThat(call(fn, "DELETE", KEYS + key + "/", token(owner.id()), null).status()).isEqualTo(404);

        // a key whose value is lost is deleted by its keyId
        var second = post(fn, KEYS, token(owner.id()), null).json();
        long keyId = second.path("keyId").asLong();
        assertThat(call(fn, "DELETE", KEYS + keyId + "/", token(other.id()), null).status()).isEqualTo(404);
        assertThat(call(fn, "DELETE", KEYS + keyId + "/", token(owner.id()), null).status()).isEqualTo(200);
        assertThat(get(fn, "/api/v2/users/queries/keyowner/", header(second.path("applicationkey").asText())).status())
                .isEqualTo(401);
    }

    /** N threads at once on one key and one window: exactly the limit get through; the next window starts afresh. */
    @Test
    void theLimitHoldsExactlyUnderConcurrency() throws Exception {
        String hash = ApplicationKeyStore.hash(newKey());
        Instant window = Instant.parse("2026-01-01T10:00:05Z");
        int threads = 24;
        int limit = 7;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> admit = () -> {
                    go.await();
                    return store.admit(hash, window, limit);
                };
                results.add(pool.submit(admit));
            }
            go.countDown();
            int admitted = 0;
            for (var f : results) if (f.get()) admitted++;
            assertThat(admitted).isEqualTo(limit);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.admit(hash, window.plusSeconds(50), limit)).isFalse();
        assertThat(store.admit(hash, window.plusSeconds(60), limit)).isTrue();
    }

    /** Through the function: the limit's worth of requests, then 429 in the structured shape with Retry-After. */
    @Test
    void overTheLimitIs429() {
        for (int attempt = 0; ; attempt++) {
            String key = newKey();
            long minute = Instant.now().getEpochSecond() / 60;
            List<Integer> statuses = new ArrayList<>();
            Http.call(fn, "GET", "/api/v2/system/heartbeat/", header(key), null);
            for (int i = 1; i <= LIMIT; i++) {
                var a = get(fn, "/api/v2/users/queries/keyowner/", header(key));
                statuses.add(a.status());
                if (a.status() == 429) {
                    assertThat(a.json().path("error").path("code").asInt()).isEqualTo(429);
                    assertThat(a.json().path("error").path("sub_code").asText()).isEqualTo("TOO_MANY_REQUESTS");
                    assertThat(a.json().path("error").path("details").path("limit").asInt()).isEqualTo(LIMIT);
                    assertThat(Integer.parseInt(a.headers().get("retry-after"))).isBetween(1, 60);
                }
            }
            if (Instant.now().getEpochSecond() / 60 != minute && attempt < 3) continue; // crossed a window: again
            // the heartbeat counted too (every request with a key does), so the limit's last request is refused
            assertThat(statuses.subList(0, LIMIT - 1)).containsOnly(200);
            assertThat(statuses.get(LIMIT - 1)).isEqualTo(429);
            // a session token is not limited
            assertThat(get(fn, "/api/v2/users/queries/keyowner/", token(owner.id())).status()).isEqualTo(200);
            return;
        }
    }
}
