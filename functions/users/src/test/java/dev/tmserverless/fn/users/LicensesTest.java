package dev.tmserverless.fn.users;

import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Licences: public reads, administrator writes, and accepting one for yourself. */
class LicensesTest {
    static Isolated.Applied env;
    static UsersFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-licenses").applyAsSystemProperties();
        fn = new UsersFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void administratorsManageLicencesThatMappersAccept() {
        User admin = fx.user("admin-lic");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        User mapper = fx.user("mapper-lic");
        String auth = token(admin.id());
        var created = post(fn, "/api/v2/licenses/", auth, "{\"name\": \"Imagery X\", \"description\": \"d\", \"plainText\": \"terms\"}");
        assertThat(created.status()).isEqualTo(201);
        long id = created.json().path("licenseId").asLong();
        assertThat(get(fn, "/api/v2/licenses/" + id + "/", null).json().toString())
                .isEqualTo("{\"licenseId\":" + id + ",\"name\":\"Imagery X\",\"description\":\"d\",\"plainText\":\"terms\"}");
        assertThat(get(fn, "/api/v2/licenses/", null).json().path("licenses")).extracting(l -> l.path("licenseId").asLong()).contains(id);
        assertThat(call(fn, "PATCH", "/api/v2/licenses/" + id + "/", auth, "{\"name\": \"Imagery Y\"}").json().path("status").asText())
                .isEqualTo("Updated");
        assertThat(get(fn, "/api/v2/licenses/" + id + "/", null).json().path("name").asText()).isEqualTo("Imagery Y");

        assertThat(post(fn, "/api/v2/licenses/" + id + "/actions/accept-for-me/", token(mapper.id()), null).json().path("Success").asText())
                .isEqualTo("Terms Accepted");
        assertThat(fx.users.get(mapper.id()).orElseThrow().acceptedLicenses()).contains((int) id);

        assertThat(post(fn, "/api/v2/licenses/", token(mapper.id()), "{\"name\": \"x\"}").status()).isEqualTo(403);
        assertThat(post(fn, "/api/v2/licenses/", auth, "{}").status()).isEqualTo(422);
        assertThat(post(fn, "/api/v2/licenses/999999/actions/accept-for-me/", token(mapper.id()), null).structuredSubCode())
                .isEqualTo("LICENSE_NOT_FOUND");
        assertThat(call(fn, "DELETE", "/api/v2/licenses/" + id + "/", auth, null).json().path("Success").asText()).isEqualTo("License deleted");
        assertThat(get(fn, "/api/v2/licenses/" + id + "/", null).structuredSubCode()).isEqualTo("LICENSE_NOT_FOUND");
    }
}
