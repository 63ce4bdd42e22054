package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.SystemStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Instant;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /system/heartbeat/, GET /system/languages/, GET and PATCH /system/banner/ against dynalite. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemRoutesTest {
    static final String BANNER = "/api/v2/system/banner/";
    static Isolated.Applied env;
    static UsersFunction fn;
    static SystemStore system;
    static User admin;
    static User mapper;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-system").applyAsSystemProperties();
        fn = new UsersFunction();
        system = fn.getApplicationContext().getBean(SystemStore.class);
        UserStore users = fn.getApplicationContext().getBean(UserStore.class);
        admin = users.upsertOnLogin(7_100_001, "sysadmin", null, null, true, Instant.now());
        mapper = users.upsertOnLogin(7_100_002, "sysmapper", null, null, false, Instant.now());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    @Order(1)
    void theHeartbeatReportsTheRecordedRelease() {
        var none = get(fn, "/api/v2/system/heartbeat/", null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().toString()).isEqualTo("{\"status\":\"Fastapi healthy\",\"release\":null}");
        system.putRelease(new SystemStore.Release("v5.1.0", "2026-05-06T08:38:46"));
        var a = get(fn, "/api/v2/system/heartbeat", null);
        assertThat(a.json().path("release").toString())
                .isEqualTo("{\"version\":\"v5.1.0\",\"published_at\":\"2026-05-06T08:38:46\"}");
    }

    @Test
    void theLanguagesAreTheSupportedLocalesWithTheMapperLevels() {
        var a = get(fn, "/api/v2/system/languages/", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().fieldNames()).toIterable()
                .containsExactly("mapperLevelIntermediate", "mapperLevelAdvanced", "supportedLanguages");
        assertThat(a.json().path("mapperLevelIntermediate").asInt()).isEqualTo(250);
        assertThat(a.json().path("mapperLevelAdvanced").asInt()).isEqualTo(500);
        var languages = a.json().path("supportedLanguages");
        assertThat(languages).hasSize(26);
        assertThat(languages.get(0).toString()).isEqualTo("{\"code\":\"ar\",\"language\":\"عربى\"}");
        assertThat(languages.get(4).toString()).isEqualTo("{\"code\":\"en\",\"language\":\"English\"}");
        assertThat(languages.get(18).toString()).isEqualTo("{\"code\":\"pt_BR\",\"language\":\"Português (Brasil)\"}");
        assertThat(languages.get(25).toString()).isEqualTo("{\"code\":\"zh_TW\",\"language\":\"繁體中文\"}");
    }

    @Test
    @Order(2)
    void theBannerStartsAsTheWelcomeAndAdminsSetIt() {
        var first = get(fn, BANNER, null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().toString()).isEqualTo("{\"message\":\"Welcome to the API\",\"visible\":true}");

        var a = call(fn, "PATCH", BANNER, token(admin.id()),
                "{\"message\": \"### Outage\\n\\n**Saturday**: see [status](https://status.test) <script>x()</script>\","
                        + " \"visible\": false}");
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        String html = "<h3>Outage</h3>\n<p><strong>Saturday</strong>: see "
                + "<a href=\"https://status.test\" rel=\"nofollow\">status</a> x()</p>";
        assertThat(a.json().path("message").asText()).isEqualTo(html);
        assertThat(a.json().path("visible").asBoolean(true)).isFalse();
        var read = get(fn, BANNER, null).json();
        assertThat(read.path("message").asText()).isEqualTo(html);
        assertThat(read.path("visible").asBoolean(true)).isFalse();
        // visible defaults to true
        var b = call(fn, "PATCH", BANNER, token(admin.id()), "{\"message\": \"Hello\"}");
        assertThat(b.json().toString()).isEqualTo("{\"message\":\"<p>Hello</p>\",\"visible\":true}");
    }

    @Test
    @Order(3)
    void onlyAdministratorsSetTheBannerAndBadBodiesAre422() {
        assertThat(call(fn, "PATCH", BANNER, null, "{\"message\": \"x\"}").status()).isEqualTo(401);
        var refused = call(fn, "PATCH", BANNER, token(mapper.id()), "{\"message\": \"Mine\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.subCode()).isEqualTo("OnlyAdminAccess");
        assertThat(refused.error()).isEqualTo("Banner can only be updated by system admins");
        for (String body : new String[]{"{}", "[]", "{\"message\": 5}", "{\"message\": null}",
                "{\"message\": \"x\", \"visible\": \"yes\"}", "{\"message\": \"" + "m".repeat(256) + "\"}"}) {
            var a = call(fn, "PATCH", BANNER, token(admin.id()), body);
            assertThat(a.status()).as(body).isEqualTo(422);
            assertThat(a.json().path("detail").get(0).path("loc").get(0).asText()).as(body).isEqualTo("body");
        }
        assertThat(call(fn, "PATCH", BANNER, token(admin.id()), "{\"message\": \"" + "m".repeat(255) + "\"}").status())
                .isEqualTo(200);
        assertThat(get(fn, BANNER, null).json().path("message").asText()).isEqualTo("<p>" + "m".repeat(255) + "</p>");
    }
}
