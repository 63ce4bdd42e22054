package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /organisations/ (admins only) and GET /organisations/{id}/ (public). */
class OrganisationsTest {
    static final String ORGS = "/api/v2/organisations/";
    static final AtomicLong IDS = new AtomicLong(8_000_000);
    static Isolated.Applied env;
    static UsersFunction fn;
    static UserStore users;
    static OrgStore orgs;
    static User admin;
    static User mapper;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-orgs").applyAsSystemProperties();
        fn = new UsersFunction();
        users = fn.getApplicationContext().getBean(UserStore.class);
        orgs = fn.getApplicationContext().getBean(OrgStore.class);
        admin = user("root", true);
        mapper = user("mapper", false);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static User user(String name, boolean admin) {
        return users.upsertOnLogin(IDS.incrementAndGet(), name, "https://osm.test/" + name + ".png", null, admin,
                Instant.now());
    }

    static long create(String body) {
        var a = post(fn, ORGS, token(admin.id()), body);
        assertThat(a.status()).as("%s", a.json()).isEqualTo(201);
        assertThat(a.json().fieldNames()).toIterable().containsExactly("organisationId");
        return a.json().path("organisationId").asLong();
    }

    @Test
    void anAdminCreatesAnOrganisationWithManagers() {
        User m1 = user("Ana", false);
        User m2 = user("ben", false);
        long id = create("""
                {"name": "Missing Maps", "logo": "https://logo.test/mm.png", "description": "Mapping the places",
                 "url": "https://missingmaps.org", "type": "FULL_FEE", "managers": ["ana", "ben", "Ana"]}""");
        Organisation stored = orgs.get(id).orElseThrow();
        assertThat(stored.managers()).containsExactly(m1.id(), m2.id());

        var a = get(fn, ORGS + id + "/", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().fieldNames()).toIterable().containsExactly("organisationId", "managers", "name", "slug",
                "logo", "description", "url", "isManager", "projects", "teams", "campaigns", "stats", "type",
                "subscriptionTier");
        assertThat(a.json().path("organisationId").asLong()).isEqualTo(id);
        assertThat(a.json().path("name").asText()).isEqualTo("Missing Maps");
        assertThat(a.json().path("slug").asText()).isEqualTo("missing-maps");
        assertThat(a.json().path("logo").asText()).isEqualTo("https://logo.test/mm.png");
        assertThat(a.json().path("description").asText()).isEqualTo("Mapping the places");
        assertThat(a.json().path("url").asText()).isEqualTo("https://missingmaps.org");
        assertThat(a.json().path("type").asText()).isEqualTo("FULL_FEE");
        assertThat(a.json().path("subscriptionTier").isNull()).isTrue();
        assertThat(a.json().path("isManager").asBoolean(true)).isFalse();
        assertThat(a.json().path("projects").isArray()).isTrue();
        assertThat(a.json().path("teams").isArray()).isTrue();
        assertThat(a.json().path("campaigns").isNull()).isTrue();
        assertThat(a.json().path("managers")).hasSize(2);
        assertThat(a.json().path("managers").get(0).path("username").asText()).isEqualTo("Ana");
        assertThat(a.json().path("managers").get(0).path("pictureUrl").asText()).isEqualTo("https://osm.test/Ana.png");
        assertThat(a.json().path("managers").get(1).path("username").asText()).isEqualTo("ben");
    }

    @Test
    void isManagerIsTrueForManagersAndAdminsOnly() {
        User boss = user("boss", false);
        long id = create("{\"name\": \"Bossy Org\", \"managers\": [\"boss\"]}");
        String path = ORGS + id;
        assertThat(get(fn, path, token(boss.id())).json().path("isManager").asBoolean()).isTrue();
        assertThat(get(fn, path, token(admin.id())).json().path("isManager").asBoolean()).isTrue();
        assertThat(get(fn, path, token(mapper.id())).json().path("isManager").asBoolean()).isFalse();
        assertThat(get(fn, path, null).json().path("isManager").asBoolean()).isFalse();
        // the route is public: a bad token reads as anonymous, not as a refusal
        var bad = get(fn, path, "Token Z2FyYmFnZQ==");
        assertThat(bad.status()).isEqualTo(200);
        assertThat(bad.json().path("isManager").asBoolean()).isFalse();
    }

    @Test
    void theSlugDefaultsToOneDerivedFromTheNameAndTheTypeToFree() {
        long derived = create("{\"name\": \"  Cruz Roja Española — Équipe #2 \"}");
        var a = get(fn, ORGS + derived, null).json();
        assertThat(a.path("name").asText()).isEqualTo("Cruz Roja Española — Équipe #2");
        assertThat(a.path("slug").asText()).isEqualTo("cruz-roja-espanola-equipe-2");
        assertThat(a.path("type").asText()).isEqualTo("FREE");
        assertThat(a.path("managers")).isEmpty();
        assertThat(a.path("logo").isNull()).isTrue();
        long given = create("{\"name\": \"Given\", \"slug\": \"my-own-slug\", \"type\": \"discounted\"}");
        var b = get(fn, ORGS + given, null).json();
        assertThat(b.path("slug").asText()).isEqualTo("my-own-slug");
        assertThat(b.path("type").asText()).isEqualTo("DISCOUNTED");
    }

    @Test
    void onlyAdministratorsMayCreate() {
        var refused = post(fn, ORGS, token(mapper.id()), "{\"name\": \"Mine\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.subCode()).isEqualTo("OnlyAdminAccess");
        assertThat(refused.error()).isEqualTo("Only admin users can create organisations.");
        // the permission is checked before the body is read
        assertThat(post(fn, ORGS, token(mapper.id()), "not json").subCode()).isEqualTo("OnlyAdminAccess");
        var anonymous = post(fn, ORGS, null, "{\"name\": \"Mine\"}");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.subCode()).isEqualTo("InvalidToken");
        assertThat(anonymous.headers()).containsEntry("www-authenticate", "Bearer");
    }

    @Test
    void invalidBodiesAre400InvalidData() {
        String[] bodies = {null, "", "not json", "[]", "\"name\"", "{}", "{\"name\": null}", "{\"name\": \"  \"}",
                "{\"name\": 42}", "{\"name\": \"X\", \"managers\": \"ana\"}", "{\"name\": \"X\", \"managers\": [1]}",
                "{\"name\": \"X\", \"type\": \"PLATINUM\"}", "{\"name\": \"X\", \"logo\": {}}",
                "{\"name\": \"" + "n".repeat(513) + "\"}"};
        for (String body : bodies) {
            var a = post(fn, ORGS, token(admin.id()), body);
            assertThat(a.status()).as(body).isEqualTo(400);
            assertThat(a.subCode()).as(body).isEqualTo("InvalidData");
        }
    }

    @Test
    void anUnknownManagerIsUserNotFoundAndNothingIsCreated() {
        long before = create("{\"name\": \"Before\"}");
        var a = post(fn, ORGS, token(admin.id()), "{\"name\": \"Ghosts\", \"managers\": [\"mapper\", \"ghost\"]}");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.structuredSubCode()).isEqualTo("USER_NOT_FOUND");
        assertThat(a.json().path("error").path("details").path("username").asText()).isEqualTo("ghost");
        // no organisation was written and no id was used up
        assertThat(orgs.get(before + 1)).isEmpty();
        assertThat(create("{\"name\": \"After\"}")).isEqualTo(before + 1);
    }

    @Test
    void unknownIdsAndSlugsAre404() {
        var unknown = get(fn, ORGS + "987654/", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.structuredSubCode()).isEqualTo("ORGANISATION_NOT_FOUND");
        assertThat(unknown.json().path("error").path("details").path("organisation_id").asLong()).isEqualTo(987654);
        for (String id : new String[]{"no-such-slug", "1.5", "-", "99999999999999999999"}) {
            var a = get(fn, ORGS + id, null);
            assertThat(a.status()).as(id).isEqualTo(404);
            assertThat(a.structuredSubCode()).as(id).isEqualTo("ORGANISATION_NOT_FOUND");
        }
        assertThat(get(fn, ORGS + "no-such-slug/", null).json().path("error").path("details").path("slug").asText())
                .isEqualTo("no-such-slug");
    }
}
