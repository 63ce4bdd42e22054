package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.auth.SessionTokens;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.OsmStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import static dev.tmserverless.fn.users.Http.enc;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.header;
import static dev.tmserverless.fn.users.Http.login;
import static org.assertj.core.api.Assertions.assertThat;

/** The OSM OAuth 2 login end to end: the function, the OSM stand-in and dynalite. */
class LoginFlowTest {
    static final String DEFAULT_REDIRECT = "http://frontend.test/authorized";
    static Isolated isolated;
    static Isolated.Applied env;
    static String previousRedirect;
    static UsersFunction fn;

    @BeforeAll
    static void start() {
        isolated = Emulators.shared().isolated("users-login");
        env = isolated.applyAsSystemProperties();
        previousRedirect = System.setProperty("TM_REDIRECT_URI", DEFAULT_REDIRECT);
        fn = new UsersFunction();
    }

    @AfterAll
    static void stop() {
        fn.close();
        if (previousRedirect == null) System.clearProperty("TM_REDIRECT_URI");
        else System.setProperty("TM_REDIRECT_URI", previousRedirect);
        env.close();
    }

    @Test
    void loginAnswersTheAuthorizeUrlAndAState() {
        var a = get(fn, "/api/v2/system/authentication/login/", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().size()).isEqualTo(2);
        String state = a.json().path("state").asText();
        assertThat(state).matches("[A-Za-z0-9_-]{48}");
        URI url = URI.create(a.json().path("auth_url").asText());
        assertThat(url.getScheme() + "://" + url.getRawAuthority()).isEqualTo(Emulators.shared().osmUrl().toString());
        assertThat(url.getPath()).isEqualTo("/oauth2/authorize");
        assertThat(url.getRawQuery()).startsWith("response_type=code&client_id=").contains("&scope=read_prefs+write_api&");
        Map<String, String> q = Http.queryParams(url.getRawQuery());
        assertThat(q).containsExactly(Map.entry("response_type", "code"), Map.entry("client_id", isolated.osm().id()),
                Map.entry("redirect_uri", DEFAULT_REDIRECT), Map.entry("scope", "read_prefs write_api"),
                Map.entry("state", state));
        // every login gets a fresh state
        assertThat(get(fn, "/api/v2/system/authentication/login/", null).json().path("state").asText()).isNotEqualTo(state);
    }

    @Test
    void theQueryRedirectUriOverridesTheDefault() {
        var a = get(fn, "/api/v2/system/authentication/login?redirect_uri=" + enc("https://tm.example.org/authorized?x=1"), null);
        Map<String, String> q = Http.queryParams(URI.create(a.json().path("auth_url").asText()).getRawQuery());
        assertThat(q.get("redirect_uri")).isEqualTo("https://tm.example.org/authorized?x=1");
    }

    @Test
    void aFullLoginGivesASessionTokenThatWorks() {
        var a = login(fn, "alice");
        long osmId = OsmStandIn.userId("alice");
        assertThat(a.json().fieldNames()).toIterable().containsExactly("username", "session_token", "picture", "session");
        assertThat(a.json().path("username").asText()).isEqualTo("alice");
        assertThat(a.json().path("picture").asText()).isEqualTo(Emulators.shared().osmUrl() + "/avatars/" + osmId + ".svg");
        var session = a.json().path("session");
        assertThat(session.path("access_token").asText()).isNotBlank();
        assertThat(session.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(session.path("scope").asText()).isEqualTo("read_prefs write_api");
        assertThat(session.path("created_at").isNumber()).isTrue();
        String token = a.json().path("session_token").asText();
        assertThat(new SessionTokens(Emulators.TOKEN_SECRET).verify(token, Instant.now())).hasValue(osmId);

        // the reference header (Token <base64>) and plain Bearer both work
        for (String auth : new String[]{SessionTokens.header(token), "Bearer " + token}) {
            var me = get(fn, "/api/v2/users/queries/alice/", auth);
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.json().path("id").asLong()).isEqualTo(osmId);
            assertThat(me.json().path("username").asText()).isEqualTo("alice");
            assertThat(me.json().path("role").asText()).isEqualTo("MAPPER");
            assertThat(me.json().path("mappingLevel").asText()).isEqualTo("BEGINNER");
            assertThat(me.json().path("pictureUrl").asText()).isEqualTo(a.json().path("picture").asText());
        }
    }

    @Test
    void theEmailAddressOfTheCallbackIsKeptForANewUser() {
        String code = Http.authorize(fn, "dora");
        var a = get(fn, "/api/v2/system/authentication/callback/?code=" + enc(code) + "&redirect_uri="
                + enc(Http.REDIRECT_URI) + "&email_address=" + enc("dora@example.org"), null);
        assertThat(a.status()).isEqualTo(200);
        var me = get(fn, "/api/v2/users/queries/dora/", header(a));
        assertThat(me.json().path("emailAddress").asText()).isEqualTo("dora@example.org");
        assertThat(me.json().path("isEmailVerified").asBoolean(true)).isFalse();
    }

    @Test
    void bootstrapAdministratorsAreNamedByTheirOsmIdOnly() {
        // TM_BOOTSTRAP_ADMINS is the OSM id of the stand-in's "admin"
        var a = login(fn, "admin");
        assertThat(get(fn, "/api/v2/users/queries/admin/", header(a)).json().path("role").asText()).isEqualTo("ADMIN");
        var plain = login(fn, "bob");
        assertThat(get(fn, "/api/v2/users/queries/bob/", header(plain)).json().path("role").asText()).isEqualTo("MAPPER");
        // logging in again changes nothing
        var again = login(fn, "admin");
        assertThat(get(fn, "/api/v2/users/queries/admin/", header(again)).json().path("role").asText()).isEqualTo("ADMIN");
        // a display name in the list promotes nobody: whoever holds the name next would become administrator
        String before = System.getProperty("TM_BOOTSTRAP_ADMINS");
        System.setProperty("TM_BOOTSTRAP_ADMINS", before + ",gina");
        try {
            var g = login(fn, "gina");
            assertThat(get(fn, "/api/v2/users/queries/gina/", header(g)).json().path("role").asText()).isEqualTo("MAPPER");
        } finally {
            System.setProperty("TM_BOOTSTRAP_ADMINS", before);
        }
    }

    @Test
    void aBootstrapAdministratorNamedByOsmIdKeepsTheRoleWhateverTheName() {
        String before = System.getProperty("TM_BOOTSTRAP_ADMINS");
        System.setProperty("TM_BOOTSTRAP_ADMINS", before + ", " + OsmStandIn.userId("erin"));
        try {
            var a = login(fn, "erin");
            assertThat(get(fn, "/api/v2/users/queries/erin/", header(a)).json().path("role").asText()).isEqualTo("ADMIN");
            // nobody else is promoted by it
            var other = login(fn, "frank");
            assertThat(get(fn, "/api/v2/users/queries/frank/", header(other)).json().path("role").asText()).isEqualTo("MAPPER");
        } finally {
            System.setProperty("TM_BOOTSTRAP_ADMINS", before);
        }
    }

    @Test
    void aRenameOnOsmRenamesTheUserAndKeepsTheId() {
        long id = OsmStandIn.userId("carol");
        var first = login(fn, "carol");
        assertThat(first.json().path("username").asText()).isEqualTo("carol");
        // OSM now reports a new display name for the same account
        isolated.osm().failDetails(new OsmStandIn.Fault(200, "application/json; charset=utf-8",
                "{\"version\":\"0.6\",\"user\":{\"id\":" + id + ",\"display_name\":\"carol_renamed\","
                        + "\"img\":{\"href\":\"https://osm.test/new.png\"}}}"));
        try {
            var second = login(fn, "carol");
            assertThat(second.json().path("username").asText()).isEqualTo("carol_renamed");
            assertThat(second.json().path("picture").asText()).isEqualTo("https://osm.test/new.png");
        } finally {
            isolated.osm().clearFaults();
        }
        UserStore users = fn.getApplicationContext().getBean(UserStore.class);
        assertThat(users.get(id).orElseThrow().username()).isEqualTo("carol_renamed");
        var renamed = get(fn, "/api/v2/users/queries/carol_renamed/", header(first));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().path("id").asLong()).isEqualTo(id);
        assertThat(get(fn, "/api/v2/users/queries/carol/", header(first)).structuredSubCode()).isEqualTo("USER_NOT_FOUND");
    }
}
