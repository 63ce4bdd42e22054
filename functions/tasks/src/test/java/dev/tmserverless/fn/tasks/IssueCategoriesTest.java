package dev.tmserverless.fn.tasks;

import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Mapping-issue categories: public reads, administrator writes. */
class IssueCategoriesTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static final String BASE = "/api/v2/tasks/issues/categories/";

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("issue-categories").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void administratorsManageCategoriesThatEveryoneReads() {
        User admin = fx.user("admin-cat");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        User mapper = fx.user("mapper-cat");
        String auth = token(admin.id());

        var created = call(fn, "POST", BASE, auth, "{\"name\": \"Missing buildings\", \"description\": \"Buildings not mapped\"}");
        assertThat(created.status()).isEqualTo(200);
        long id = created.json().path("categoryId").asLong();
        long other = call(fn, "POST", BASE, auth, "{\"name\": \"Old\", \"archived\": true}").json().path("categoryId").asLong();

        var one = call(fn, "GET", BASE + id + "/", null, null).json();
        assertThat(one.toString()).isEqualTo("{\"categoryId\":" + id + ",\"name\":\"Missing buildings\",\"description\":\"Buildings not mapped\",\"archived\":false}");
        assertThat(call(fn, "GET", BASE, null, null).json().path("categories")).extracting(c -> c.path("categoryId").asLong()).contains(id).doesNotContain(other);
        assertThat(call(fn, "GET", BASE + "?includeArchived=true", null, null).json().path("categories"))
                .extracting(c -> c.path("categoryId").asLong()).contains(id, other);

        var patched = call(fn, "PATCH", BASE + id + "/", auth, "{\"name\": \"Missing buildings\", \"archived\": true}");
        assertThat(patched.json().path("archived").asBoolean()).isTrue();
        assertThat(call(fn, "DELETE", BASE + other + "/", auth, null).json().path("Success").asText()).isEqualTo("Mapping-issue category deleted");
        assertThat(call(fn, "GET", BASE + other + "/", null, null).structuredSubCode()).isEqualTo("ISSUE_CATEGORY_NOT_FOUND");
        assertThat(call(fn, "PATCH", BASE + other + "/", auth, "{\"name\": \"x\"}").structuredSubCode()).isEqualTo("ISSUE_CATEGORY_NOT_FOUND");

        // not an administrator, no token, a bad body: refused, nothing changed
        assertThat(call(fn, "POST", BASE, token(mapper.id()), "{\"name\": \"x\"}").status()).isEqualTo(403);
        assertThat(call(fn, "DELETE", BASE + id + "/", token(mapper.id()), null).status()).isEqualTo(403);
        assertThat(call(fn, "POST", BASE, null, "{\"name\": \"x\"}").status()).isEqualTo(401);
        assertThat(call(fn, "POST", BASE, auth, "{\"description\": \"no name\"}").status()).isEqualTo(422);
        assertThat(call(fn, "GET", BASE + id + "/", null, null).json().path("name").asText()).isEqualTo("Missing buildings");
    }
}
