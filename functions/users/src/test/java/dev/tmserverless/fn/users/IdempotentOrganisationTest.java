package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /organisations/ with an Idempotency-Key: a retry replays the creation instead of answering NameExists. */
class IdempotentOrganisationTest {
    static final String ORGS = "/api/v2/organisations/";
    static Isolated.Applied env;
    static UsersFunction fn;
    static User admin;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-idempotent").applyAsSystemProperties();
        fn = new UsersFunction();
        admin = fn.getApplicationContext().getBean(UserStore.class)
                .upsertOnLogin(7_300_001, "idemadmin", null, null, true, Instant.now());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static Api.Answer post(String body, String key) {
        return Api.call(fn, "POST", ORGS, token(admin.id()), body, key == null ? Map.of() : Map.of("Idempotency-Key", key));
    }

    @Test
    void aRetryWithTheKeyReplaysTheCreation() {
        String body = "{\"name\": \"Retry Mappers\", \"type\": \"FREE\"}";
        var first = post(body, "org-key-1");
        assertThat(first.status()).isEqualTo(201);
        var retry = post(body, "org-key-1");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.headers()).containsEntry("idempotent-replayed", "true");
        assertThat(retry.json()).isEqualTo(first.json());
        // without the key the same body is a second creation, refused by the name check
        var again = post(body, null);
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.subCode()).isEqualTo("NameExists");
    }
}
