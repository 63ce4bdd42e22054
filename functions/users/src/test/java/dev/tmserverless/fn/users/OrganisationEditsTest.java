package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /organisations/ (list and manager filter), GET /organisations/{slug}/, PATCH and DELETE
 * /organisations/{id}/, against dynalite. Each test uses its own organisation names.
 */
class OrganisationEditsTest {
    static final String ORGS = "/api/v2/organisations/";
    static final AtomicLong IDS = new AtomicLong(9_000_000);
    static Isolated.Applied env;
    static UsersFunction fn;
    static UserStore users;
    static OrgStore orgs;
    static Fixture fx;
    static User admin;
    static User mapper;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-org-edits").applyAsSystemProperties();
        fn = new UsersFunction();
        users = fn.getApplicationContext().getBean(UserStore.class);
        orgs = fn.getApplicationContext().getBean(OrgStore.class);
        fx = new Fixture(fn.getApplicationContext());
        admin = user("chief", true);
        mapper = user("plain-mapper", false);
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
        return a.json().path("organisationId").asLong();
    }

    static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("organisations").forEach(o -> out.add(o.path("name").asText()));
        return out;
    }

    @Test
    void theListHasEveryOrganisationByNameWithTheDtoFields() {
        User m = user("lister", false);
        long z = create("{\"name\": \"zeta List Org\", \"managers\": [\"lister\"], \"logo\": \"https://l.test/z.png\","
                + " \"subscriptionTier\": 2, \"type\": \"DISCOUNTED\"}");
        create("{\"name\": \"Alpha List Org\"}");
        var a = get(fn, ORGS, token(mapper.id()));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().fieldNames()).toIterable().containsExactly("organisations");
        List<String> names = names(a.json());
        assertThat(names).contains("Alpha List Org", "zeta List Org");
        assertThat(names.indexOf("Alpha List Org")).isLessThan(names.indexOf("zeta List Org"));
        JsonNode zeta = a.json().path("organisations").get(names.indexOf("zeta List Org"));
        assertThat(zeta.fieldNames()).toIterable().containsExactly("organisationId", "managers", "name", "slug",
                "logo", "description", "url", "isManager", "projects", "teams", "campaigns", "stats", "type",
                "subscriptionTier");
        assertThat(zeta.path("organisationId").asLong()).isEqualTo(z);
        assertThat(zeta.path("slug").asText()).isEqualTo("zeta-list-org");
        assertThat(zeta.path("logo").asText()).isEqualTo("https://l.test/z.png");
        assertThat(zeta.path("type").asText()).isEqualTo("DISCOUNTED");
        assertThat(zeta.path("subscriptionTier").asInt()).isEqualTo(2);
        assertThat(zeta.path("isManager").isNull()).isTrue();
        assertThat(zeta.path("managers")).hasSize(1);
        assertThat(zeta.path("managers").get(0).path("username").asText()).isEqualTo("lister");
        assertThat(zeta.path("managers").get(0).path("pictureUrl").asText()).isEqualTo("https://osm.test/lister.png");
        assertThat(m.id()).isPositive();

        // managers are left out for anonymous callers and with omitManagerList
        var anonymous = get(fn, ORGS, null).json().path("organisations").get(0);
        assertThat(anonymous.has("managers")).isFalse();
        var omitted = get(fn, ORGS + "?omitManagerList=true", token(mapper.id())).json().path("organisations").get(0);
        assertThat(omitted.has("managers")).isFalse();
        assertThat(omitted.has("name")).isTrue();
    }

    @Test
    void theManagerFilterListsOnlyTheOrganisationsThatUserManages() {
        User boss = user("filter-boss", false);
        User other = user("filter-other", false);
        create("{\"name\": \"Filter One\", \"managers\": [\"filter-boss\", \"filter-other\"]}");
        create("{\"name\": \"Filter Two\", \"managers\": [\"filter-boss\"]}");
        create("{\"name\": \"Filter Three\", \"managers\": [\"filter-other\"]}");
        var a = get(fn, ORGS + "?omitManagerList=true&manager_user_id=" + boss.id(), token(boss.id()));
        assertThat(a.status()).isEqualTo(200);
        assertThat(names(a.json())).containsExactly("Filter One", "Filter Two");
        // any signed-in user may filter by another's id; the list shows all managers of each organisation
        var b = get(fn, ORGS + "?manager_user_id=" + other.id(), token(mapper.id()));
        assertThat(names(b.json())).containsExactly("Filter One", "Filter Three");
        assertThat(b.json().path("organisations").get(0).path("managers")).hasSize(2);
        assertThat(names(get(fn, ORGS + "?manager_user_id=" + mapper.id(), token(mapper.id())).json())).isEmpty();
        // anonymous filtering is refused
        var anonymous = get(fn, ORGS + "?manager_user_id=" + boss.id(), null);
        assertThat(anonymous.status()).isEqualTo(403);
        assertThat(anonymous.subCode()).isEqualTo("LoginToFilterManager");
        // a query that is not of the declared type is FastAPI's 422
        var bad = get(fn, ORGS + "?manager_user_id=abc", token(mapper.id()));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"query\",\"manager_user_id\"]");
        assertThat(get(fn, ORGS + "?omitManagerList=maybe", null).status()).isEqualTo(422);
    }

    @Test
    void aNonNumericSegmentIsASlug() {
        User m = user("slug-manager", false);
        long id = create("{\"name\": \"Slugged Org\", \"slug\": \"slugged\", \"managers\": [\"slug-manager\"]}");
        var a = get(fn, ORGS + "slugged/", token(m.id()));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("organisationId").asLong()).isEqualTo(id);
        assertThat(a.json().path("isManager").asBoolean()).isTrue();
        assertThat(a.json().path("managers")).hasSize(1);
        assertThat(a.json().path("teams").isArray()).isTrue();
        // omitManagerList: managers empty, teams null, as the reference
        var abbreviated = get(fn, ORGS + "slugged/?omitManagerList=true", null).json();
        assertThat(abbreviated.path("managers")).isEmpty();
        assertThat(abbreviated.path("teams").isNull()).isTrue();
        assertThat(get(fn, ORGS + id + "/?omitManagerList=true", null).json().path("managers")).isEmpty();
    }

    @Test
    void managersAndAdminsUpdateOnlyWhatTheySend() {
        User m = user("patch-manager", false);
        User next = user("patch-next", false);
        long id = create("{\"name\": \"Patch Org\", \"managers\": [\"patch-manager\"], \"description\": \"old\","
                + " \"url\": \"https://old.test\", \"type\": \"FREE\"}");
        var a = call(fn, "PATCH", ORGS + id + "/", token(m.id()),
                "{\"name\": \"Patched Org\", \"description\": \"new\", \"type\": \"FULL_FEE\", \"subscriptionTier\": 3,"
                        + " \"organisationId\": 1, \"isManager\": true}");
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        assertThat(a.json().toString()).isEqualTo("{\"Status\":\"Updated\"}");
        Organisation o = orgs.get(id).orElseThrow();
        assertThat(o.name()).isEqualTo("Patched Org");
        assertThat(o.description()).isEqualTo("new");
        assertThat(o.url()).isEqualTo("https://old.test");
        assertThat(o.slug()).isEqualTo("patch-org");
        // a manager who is not an administrator does not change type or tier
        assertThat(o.type()).isEqualTo("FREE");
        assertThat(o.subscriptionTier()).isNull();
        assertThat(o.managers()).containsExactly(m.id());

        var b = call(fn, "PATCH", ORGS + id, token(admin.id()),
                "{\"slug\": \"patched\", \"type\": \"full_fee\", \"subscriptionTier\": 3, \"managers\": [\"patch-next\"],"
                        + " \"url\": null}");
        assertThat(b.status()).as("%s", b.json()).isEqualTo(200);
        o = orgs.get(id).orElseThrow();
        assertThat(o.type()).isEqualTo("FULL_FEE");
        assertThat(o.subscriptionTier()).isEqualTo(3);
        assertThat(o.managers()).containsExactly(next.id());
        assertThat(o.url()).isNull();
        assertThat(get(fn, ORGS + "patched/", null).json().path("organisationId").asLong()).isEqualTo(id);
        assertThat(get(fn, ORGS + "patch-org/", null).status()).isEqualTo(404);
        // the old manager no longer manages it
        var refused = call(fn, "PATCH", ORGS + id, token(m.id()), "{\"description\": \"again\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.subCode()).isEqualTo("UserNotOrgAdmin");
        assertThat(refused.error()).isEqualTo("User is not an admin for the org");
    }

    @Test
    void namesAndSlugsAreUnique() {
        long first = create("{\"name\": \"Unique One\"}");
        long second = create("{\"name\": \"Unique Two\"}");
        var dupName = call(fn, "PATCH", ORGS + second, token(admin.id()), "{\"name\": \"Unique One\"}");
        assertThat(dupName.status()).isEqualTo(402);
        assertThat(dupName.subCode()).isEqualTo("NameExists");
        assertThat(dupName.error()).isEqualTo("Organisation name already exists: Unique One");
        var dupSlug = call(fn, "PATCH", ORGS + second, token(admin.id()), "{\"slug\": \"unique-one\"}");
        assertThat(dupSlug.status()).isEqualTo(402);
        assertThat(dupSlug.subCode()).isEqualTo("NameExists");
        assertThat(orgs.get(second).orElseThrow().name()).isEqualTo("Unique Two");
        var created = post(fn, ORGS, token(admin.id()), "{\"name\": \"Unique One\"}");
        assertThat(created.status()).isEqualTo(400);
        assertThat(created.subCode()).isEqualTo("NameExists");
        // a name given up is free again; the same name sent back is no conflict
        assertThat(call(fn, "PATCH", ORGS + first, token(admin.id()), "{\"name\": \"Unique Renamed\"}").status())
                .isEqualTo(200);
        assertThat(call(fn, "PATCH", ORGS + second, token(admin.id()), "{\"name\": \"Unique One\"}").status())
                .isEqualTo(200);
        assertThat(call(fn, "PATCH", ORGS + second, token(admin.id()), "{\"name\": \"Unique One\"}").status())
                .isEqualTo(200);
        assertThat(get(fn, ORGS + "unique-one", null).json().path("organisationId").asLong()).isEqualTo(first);
    }

    @Test
    void badUpdatesAreRefusedAndChangeNothing() {
        long id = create("{\"name\": \"Bad Patch Org\"}");
        assertThat(call(fn, "PATCH", ORGS + id, null, "{}").status()).isEqualTo(401);
        for (String body : new String[]{"[]", "{\"name\": 5}", "{\"managers\": \"x\"}", "{\"managers\": [1]}",
                "{\"type\": \"GOLD\"}", "{\"subscriptionTier\": \"high\"}"}) {
            var a = call(fn, "PATCH", ORGS + id, token(admin.id()), body);
            assertThat(a.status()).as(body).isEqualTo(422);
            assertThat(a.json().path("detail").isArray()).as(body).isTrue();
        }
        for (String body : new String[]{"{\"name\": null}", "{\"name\": \" \"}", "{\"slug\": \"\"}", "not json",
                "{\"logo\": \"javascript:alert(1)\"}", "{\"url\": \"data:text/html,x\"}",
                "{\"description\": \"" + "d".repeat(2001) + "\"}", "{\"slug\": \"" + "s".repeat(256) + "\"}"}) {
            var a = call(fn, "PATCH", ORGS + id, token(admin.id()), body);
            assertThat(a.status()).as(body).isEqualTo(400);
            assertThat(a.subCode()).as(body).isEqualTo("InvalidData");
        }
        var ghost = call(fn, "PATCH", ORGS + id, token(admin.id()), "{\"managers\": [\"no-such-user\"]}");
        assertThat(ghost.status()).isEqualTo(404);
        assertThat(ghost.structuredSubCode()).isEqualTo("USER_NOT_FOUND");
        assertThat(orgs.get(id).orElseThrow().name()).isEqualTo("Bad Patch Org");
        // unknown organisation: a non-admin is refused first, an admin learns it is not there
        assertThat(call(fn, "PATCH", ORGS + "987654", token(mapper.id()), "{}").subCode()).isEqualTo("UserNotOrgAdmin");
        var missing = call(fn, "PATCH", ORGS + "987654", token(admin.id()), "{}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.structuredSubCode()).isEqualTo("ORGANISATION_NOT_FOUND");
    }

    @Test
    void deletionNeedsAManagerAndNoProjects() {
        User m = user("delete-manager", false);
        long id = create("{\"name\": \"Doomed Org\", \"managers\": [\"delete-manager\"]}");
        assertThat(call(fn, "DELETE", ORGS + id, null, null).status()).isEqualTo(401);
        var refused = call(fn, "DELETE", ORGS + id, token(mapper.id()), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.subCode()).isEqualTo("UserNotOrgAdmin");
        var a = call(fn, "DELETE", ORGS + id + "/", token(m.id()), null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().toString()).isEqualTo("{\"Success\":\"Organisation deleted\"}");
        assertThat(orgs.get(id)).isEmpty();
        assertThat(get(fn, ORGS + id, null).status()).isEqualTo(404);
        assertThat(get(fn, ORGS + "doomed-org", null).status()).isEqualTo(404);
        assertThat(names(get(fn, ORGS, null).json())).doesNotContain("Doomed Org");
        // its name and slug are free again
        create("{\"name\": \"Doomed Org\"}");
        assertThat(call(fn, "DELETE", ORGS + "987654", token(admin.id()), null).status()).isEqualTo(404);
    }

    @Test
    void anOrganisationWithProjectsIsNotDeleted() {
        User author = fx.user("org-project-author");
        var project = fx.project(author, ProjectStatus.DRAFT, 1);
        var a = call(fn, "DELETE", ORGS + project.organisationId(), token(admin.id()), null);
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.subCode()).isEqualTo("OrgHasProjects");
        assertThat(a.error()).isEqualTo("Organisation has some projects");
        assertThat(orgs.get(project.organisationId())).isPresent();
    }

    @Test
    void aProjectMovedToAnotherOrganisationBlocksOnlyTheNewOne() throws Exception {
        User author = fx.user("org-project-mover");
        var project = fx.project(author, ProjectStatus.DRAFT, 1);
        long from = project.organisationId();
        long to = create("{\"name\": \"Move Target Org\"}");
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) dev.tmserverless.aws.http.Json.MAPPER.valueToTree(project);
        doc.put("organisationId", to);
        var moved = dev.tmserverless.aws.http.Json.MAPPER.treeToValue(doc, dev.tmserverless.core.domain.Project.class);
        assertThat(fx.projects.update(moved, fx.projects.get(project.id()).orElseThrow().version())).isTrue();
        assertThat(call(fn, "DELETE", ORGS + to, token(admin.id()), null).subCode()).isEqualTo("OrgHasProjects");
        assertThat(call(fn, "DELETE", ORGS + from, token(admin.id()), null).status()).isEqualTo(200);
    }
}
