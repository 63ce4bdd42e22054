package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectInfo;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /projects/ through the real handler against the emulators: visibility, statuses, filters, text, orders,
 * pages, the map, the CSV, the 400s, and that a write shows in the next search. Each test works in its own
 * organisation(s) and filters by it, so tests do not see each other's projects.
 */
class ProjectSearchTest {
    static Isolated isolated;
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;
    static User admin;
    static User author;
    static User plain;

    @BeforeAll
    static void start() {
        isolated = Emulators.shared().isolated("projects-search");
        env = isolated.applyAsSystemProperties();
        System.setProperty("TM_SEARCH_REFRESH_MS", "0");
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
        admin = fx.user("admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        admin = fx.users.get(admin.id()).orElseThrow();
        author = fx.user("author");
        plain = fx.user("plain");
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_SEARCH_REFRESH_MS");
        fn.close();
        env.close();
    }

    /** A project's settings for a test, with the defaults most tests want. */
    static final class P {
        ProjectStatus status = ProjectStatus.PUBLISHED;
        String priority = "MEDIUM";
        String difficulty = "MODERATE";
        boolean isPrivate;
        List<User> allowed = List.of();
        User by = author;
        long org;
        List<ProjectInfo> infos = List.of(new ProjectInfo("en", "Test", "short", "description", "", ""));
        List<String> types = List.of();
        Instant created = Instant.now();
        Instant updated = Instant.now();
        String due;
        String mapPermission = "ANY";
        int mapLevel = 1;
        String imagery;
        boolean sandbox;

        P(long org) { this.org = org; }
    }

    static Organisation org(User... managers) {
        String u = UUID.randomUUID().toString();
        return fx.orgs.create("Org " + u, "org-" + u, "https://logo/" + u, null, null, null,
                java.util.Arrays.stream(managers).map(User::id).toList());
    }

    static Project save(P s) {
        long id = fx.counters.next("PROJECT");
        Project p = new Project(id, s.status, s.priority, s.difficulty, "en", s.by.id(), s.by.username(), s.org,
                s.mapPermission, s.mapLevel, "ANY", 1, false, s.isPrivate, "#hotosm-project-" + id + " #floods", null,
                s.due, s.imagery, null, List.of(), null, false, s.sandbox, "OSM", s.types, null,
                s.allowed.stream().map(User::username).toList(), s.allowed.stream().map(User::id).toList(),
                s.created, s.updated, "GRID", List.of("ID"), List.of("ID"), s.infos,
                new double[]{85.3, 27.7, 85.4, 27.8}, new double[]{85.35 + id * 1e-7, 27.75}, 12.5);
        fx.projects.create(p);
        fx.projects.gridWritten(id, 10);
        return p;
    }

    static Api.Answer search(User u, String query) { return search(u, query, Map.of()); }

    static Api.Answer search(User u, String query, Map<String, String> headers) {
        Api.Answer a = call(fn, "GET", "/api/v2/projects/?" + query, u == null ? null : token(u.id()), null, headers);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }

    static List<Long> ids(Api.Answer a) {
        List<Long> out = new ArrayList<>();
        a.json().path("results").forEach(r -> out.add(r.path("projectId").asLong()));
        return out;
    }

    @Test
    void visibilityAndStatusRules() {
        User listed = fx.user("listed");
        User orgManager = fx.user("orgmanager");
        Organisation o = org(orgManager);
        Project pub = save(new P(o.id()));
        P priv = new P(o.id());
        priv.isPrivate = true;
        priv.allowed = List.of(listed);
        Project hidden = save(priv);
        P d = new P(o.id());
        d.status = ProjectStatus.DRAFT;
        Project draft = save(d);
        P ar = new P(o.id());
        ar.status = ProjectStatus.ARCHIVED;
        Project archived = save(ar);
        String q = "organisationId=" + o.id();

        assertThat(ids(search(null, q))).containsExactly(pub.id());
        assertThat(ids(search(plain, q))).containsExactly(pub.id());
        assertThat(ids(search(listed, q))).containsExactlyInAnyOrder(pub.id(), hidden.id());
        assertThat(ids(search(orgManager, q))).containsExactlyInAnyOrder(pub.id(), hidden.id());
        assertThat(ids(search(admin, q))).containsExactlyInAnyOrder(pub.id(), hidden.id());
        // drafts: only for whoever manages them; anonymous callers asking only for drafts get nothing
        assertThat(ids(search(author, q + "&projectStatuses=DRAFT"))).containsExactly(draft.id());
        assertThat(ids(search(orgManager, q + "&projectStatuses=DRAFT"))).containsExactly(draft.id());
        Api.Answer none = search(plain, q + "&projectStatuses=DRAFT");
        assertThat(none.json()).isEqualTo(Api.call(fn, "GET", "/api/v2/projects/?" + q + "&projectStatuses=DRAFT",
                null, null).json());
        assertThat(none.json().toString()).isEqualTo("{\"mapResults\":{},\"results\":[]}");
        assertThat(ids(search(null, q + "&projectStatuses=DRAFT,PUBLISHED"))).containsExactly(pub.id());
        // archived only when asked for
        assertThat(ids(search(plain, q + "&projectStatuses=ARCHIVED"))).containsExactly(archived.id());
        assertThat(ids(search(admin, q + "&projectStatuses=PUBLISHED,DRAFT,ARCHIVED")))
                .containsExactlyInAnyOrder(pub.id(), hidden.id(), draft.id(), archived.id());
        // createdByMe drops the published-only default; it means nothing to an anonymous caller
        assertThat(ids(search(author, q + "&createdByMe=true")))
                .containsExactlyInAnyOrder(pub.id(), hidden.id(), draft.id(), archived.id());
        assertThat(ids(search(plain, q + "&createdByMe=true"))).isEmpty();
        assertThat(ids(search(null, q + "&createdByMe=true"))).containsExactly(pub.id());
    }

    @Test
    void resultEntriesCarryTheListFieldsAndTheMapHasEveryMatch() {
        Organisation o = org();
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            P p = new P(o.id());
            p.infos = List.of(new ProjectInfo("en", "Roads " + i, "Map the roads " + i, "long text", "", ""));
            p.due = i == 0 ? "2030-01-01T00:00:00Z" : null;
            made.add(save(p).id());
        }
        fx.projects.addCounters(made.get(0), new CounterDelta(3, 2, 0));
        Api.Answer a = search(null, "organisationId=" + o.id() + "&orderBy=id&orderByType=ASC");
        assertThat(ids(a)).containsExactlyElementsOf(made.subList(0, 14));
        JsonNode first = a.json().path("results").get(0);
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("projectId", "locale", "name", "shortDescription", "difficulty", "priority",
                "organisationName", "organisationLogo", "campaigns", "percentMapped", "percentValidated", "status",
                "activeMappers", "lastUpdated", "dueDate", "totalContributors", "country", "sandbox", "database",
                "creationDate", "author", "partnerNames", "totalAreaSquareKilometers");
        assertThat(first.path("name").asText()).isEqualTo("Roads 0");
        assertThat(first.path("shortDescription").asText()).isEqualTo("Map the roads 0");
        assertThat(first.path("organisationName").asText()).isEqualTo(o.name());
        assertThat(first.path("organisationLogo").asText()).isEqualTo(o.logo());
        assertThat(first.path("percentMapped").asInt()).isEqualTo(50);
        assertThat(first.path("percentValidated").asInt()).isEqualTo(20);
        assertThat(first.path("status").asText()).isEqualTo("PUBLISHED");
        assertThat(first.path("dueDate").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(first.path("author").asText()).isEqualTo(author.username());
        assertThat(first.path("locale").asText()).isEqualTo("en");
        assertThat(a.json().path("pagination").toString()).isEqualTo(
                "{\"hasNext\":true,\"hasPrev\":false,\"nextNum\":2,\"page\":1,\"pages\":2,\"prevNum\":null,\"perPage\":14,\"total\":16}");
        JsonNode map = a.json().path("mapResults");
        assertThat(map.path("type").asText()).isEqualTo("FeatureCollection");
        assertThat(map.path("features")).hasSize(16);
        JsonNode f = map.path("features").get(0);
        assertThat(f.path("geometry").path("type").asText()).isEqualTo("Point");
        assertThat(f.path("geometry").path("coordinates").get(1).asDouble()).isEqualTo(27.75);
        assertThat(f.path("properties").toString()).isEqualTo("{\"projectId\":" + made.get(0) + ",\"priority\":\"MEDIUM\"}");

        Api.Answer two = search(null, "organisationId=" + o.id() + "&orderBy=id&page=2&omitMapResults=true");
        assertThat(ids(two)).containsExactlyElementsOf(made.subList(14, 16));
        assertThat(two.json().path("mapResults").isArray()).isTrue();
        assertThat(two.json().path("mapResults")).isEmpty();
        assertThat(two.json().path("pagination").path("hasPrev").asBoolean()).isTrue();
        assertThat(two.json().path("pagination").path("prevNum").asInt()).isEqualTo(1);
        Api.Answer beyond = search(null, "organisationId=" + o.id() + "&page=3");
        assertThat(ids(beyond)).isEmpty();
        assertThat(beyond.json().path("pagination").path("total").asInt()).isEqualTo(16);
    }

    @Test
    void filtersMatchTheReference() {
        User orgManager = fx.user("filters");
        Organisation o = org(orgManager);
        P a = new P(o.id());
        a.difficulty = "EASY";
        a.types = List.of("ROADS", "BUILDINGS");
        a.imagery = "https://tiles.example/{z}/{x}/{y}.png";
        Project easy = save(a);
        P b = new P(o.id());
        b.difficulty = "CHALLENGING";
        b.types = List.of("BUILDINGS");
        b.imagery = "Bing";
        b.sandbox = true;
        Project hard = save(b);
        String q = "organisationId=" + o.id();

        assertThat(ids(search(null, q + "&difficulty=EASY"))).containsExactly(easy.id());
        assertThat(ids(search(null, q + "&difficulty=all"))).containsExactlyInAnyOrder(easy.id(), hard.id());
        assertThat(ids(search(null, q + "&mappingTypes=ROADS"))).containsExactly(easy.id());
        assertThat(ids(search(null, q + "&mappingTypes=BUILDINGS"))).containsExactlyInAnyOrder(easy.id(), hard.id());
        assertThat(ids(search(null, q + "&mappingTypes=BUILDINGS&mappingTypesExact=true"))).containsExactly(hard.id());
        assertThat(ids(search(null, q + "&imagery=custom"))).containsExactly(easy.id());
        assertThat(ids(search(null, q + "&imagery=Bing"))).containsExactly(hard.id());
        assertThat(ids(search(null, q + "&sandbox=true"))).containsExactly(hard.id());
        assertThat(ids(search(null, q + "&sandbox=false&database=OSM"))).containsExactly(easy.id());
        assertThat(ids(search(null, "organisationName=" + o.name().replace(" ", "%20"))))
                .containsExactlyInAnyOrder(easy.id(), hard.id());
        // no such campaign, no interest linked, no team on them, nothing mapped, no favourites
        for (String f : List.of("campaign=x", "country=England", "interests=1", "teamId=1", "mappedByMe=true",
                "favoritedByMe=true", "basedOnMyInterests=true")) {
            assertThat(ids(search(plain, q + "&" + f))).as(f).isEmpty();
        }
        // managedByMe: the organisation's manager manages both
        assertThat(ids(search(orgManager, q + "&managedByMe=true"))).containsExactlyInAnyOrder(easy.id(), hard.id());
    }

    /**
     * The filters by who took part: the projects a team is on (any role), the projects the caller mapped a task of,
     * the projects of a partner's partnerships (begun by partnershipFrom, not ended before partnershipTo). Each
     * combines with the others and with every other filter.
     */
    @Test
    void teamMappedByMeAndPartnerFilterByWhoTookPart() {
        Organisation o = org();
        Project a = save(new P(o.id()));
        Project b = save(new P(o.id()));
        Project c = save(new P(o.id()));
        String q = "organisationId=" + o.id();
        var teams = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.TeamStore.class);
        var team = teams.create(o.id(), "Search team " + UUID.randomUUID(), null, null,
                dev.tmserverless.core.domain.Team.JoinMethod.BY_REQUEST, dev.tmserverless.core.domain.Team.Visibility.PUBLIC,
                author.id(), Instant.now());
        teams.assign(a.id(), team.id(), dev.tmserverless.core.domain.TeamRole.MAPPER);
        teams.assign(c.id(), team.id(), dev.tmserverless.core.domain.TeamRole.VALIDATOR);
        assertThat(ids(search(null, q + "&teamId=" + team.id()))).containsExactlyInAnyOrder(a.id(), c.id());

        User mapper = fx.user("search-mapper");
        fx.users.addMappedProjectWrite(mapper.id(), b.id());
        fx.users.addMappedProjectWrite(mapper.id(), c.id());
        assertThat(ids(search(mapper, q + "&mappedByMe=true"))).containsExactlyInAnyOrder(b.id(), c.id());
        assertThat(ids(search(mapper, q + "&mappedByMe=true&teamId=" + team.id()))).containsExactly(c.id());
        assertThat(ids(search(plain, q + "&mappedByMe=true"))).isEmpty();

        var partners = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.PartnerStore.class);
        var partner = partners.create(new dev.tmserverless.aws.store.PartnerStore.Partner(0, "Search partner " + UUID.randomUUID(),
                "#p", null, null, null, null, null, null, "search-partner-" + UUID.randomUUID(), List.of(), null));
        Instant jan = Instant.parse("2026-01-01T00:00:00Z"), mar = Instant.parse("2026-03-01T00:00:00Z");
        partners.createPartnership(a.id(), partner.id(), jan, mar);
        partners.createPartnership(b.id(), partner.id(), mar, null);
        assertThat(ids(search(admin, q + "&partnerId=" + partner.id()))).containsExactlyInAnyOrder(a.id(), b.id());
        // begun by 1 February: only a's
        assertThat(ids(search(admin, q + "&partnerId=" + partner.id() + "&partnershipFrom=2026-02-01"))).containsExactly(a.id());
        // not ended before 1 April: only b's, which has not ended
        assertThat(ids(search(admin, q + "&partnerId=" + partner.id() + "&partnershipTo=2026-04-01"))).containsExactly(b.id());
        assertThat(ids(search(admin, q + "&partnerId=" + partner.id() + "&teamId=" + team.id()))).containsExactly(a.id());
    }

    @Test
    void datesCompareWithMidnightOfTheDayGiven() {
        Organisation o = org();
        Instant now = Instant.now();
        P recent = new P(o.id());
        recent.updated = now.minus(Duration.ofMinutes(10));
        recent.created = recent.updated;
        Project p1 = save(recent);
        P old = new P(o.id());
        old.updated = now.minus(Duration.ofDays(3));
        old.created = old.updated;
        Project p3 = save(old);
        String q = "organisationId=" + o.id();
        LocalDate today = LocalDate.ofInstant(now.minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
        assertThat(ids(search(null, q + "&lastUpdatedFrom=" + today))).containsExactly(p1.id());
        assertThat(ids(search(null, q + "&lastUpdatedTo=" + today.minusDays(1)))).containsExactly(p3.id());
        assertThat(ids(search(null, q + "&createdFrom=" + today))).containsExactly(p1.id());
        assertThat(ids(search(null, q + "&createdTo=" + today.minusDays(1)))).containsExactly(p3.id());
        // orders by date: newest first descending, and ascending the reverse
        assertThat(ids(search(null, q + "&orderBy=last_updated&orderByType=DESC"))).containsExactly(p1.id(), p3.id());
        assertThat(ids(search(null, q + "&orderBy=lastUpdated"))).containsExactly(p3.id(), p1.id());
    }

    @Test
    void ordersBreakTiesByIdNewestFirst() {
        Organisation o = org();
        String[] priorities = {"URGENT", "HIGH", "MEDIUM", "LOW", "MEDIUM"};
        List<Long> made = new ArrayList<>();
        for (String pr : priorities) {
            P p = new P(o.id());
            p.priority = pr;
            p.due = pr.equals("LOW") ? null : "2030-0" + (made.size() + 1) + "-01T00:00:00Z";
            made.add(save(p).id());
        }
        String q = "organisationId=" + o.id();
        // default order: priority ascending (URGENT first), equal priorities newest first
        assertThat(ids(search(null, q))).containsExactly(made.get(0), made.get(1), made.get(4), made.get(2), made.get(3));
        assertThat(ids(search(null, q + "&orderBy=priority&orderByType=DESC")))
                .containsExactly(made.get(3), made.get(4), made.get(2), made.get(1), made.get(0));
        // a missing due date sorts last ascending and first descending, as SQL's NULL does
        assertThat(ids(search(null, q + "&orderBy=due_date"))).containsExactly(made.get(0), made.get(1),
                made.get(2), made.get(4), made.get(3));
        assertThat(ids(search(null, q + "&orderBy=due_date&orderByType=DESC")).get(0)).isEqualTo(made.get(3));
        fx.projects.addCounters(made.get(2), new CounterDelta(5, 0, 0));
        fx.projects.addCounters(made.get(1), new CounterDelta(0, 10, 0));
        assertThat(ids(search(null, q + "&orderBy=percent_mapped&orderByType=DESC")).subList(0, 2))
                .containsExactly(made.get(1), made.get(2));
        assertThat(ids(search(null, q + "&orderBy=percentValidated&orderByType=DESC")).get(0)).isEqualTo(made.get(1));
    }

    @Test
    void textSearchCoversEveryLocaleOfTheCallerOrEnglish() {
        Organisation o = org();
        P a = new P(o.id());
        a.infos = List.of(new ProjectInfo("en", "test_project_41 Kathmandu", "Flooding in the valley",
                        "Buildings and roads damaged by the monsoon", "", ""),
                new ProjectInfo("fr", "Inondations", "Vallée inondée", "Bâtiments endommagés", "", ""));
        Project flood = save(a);
        P b = new P(o.id());
        b.infos = List.of(new ProjectInfo("es", "Caminos rurales", "Mapear caminos", "Carreteras", "", ""));
        Project spanish = save(b);
        String q = "organisationId=" + o.id();

        assertThat(ids(search(null, q + "&textSearch=test_project_41"))).containsExactly(flood.id());
        assertThat(ids(search(null, q + "&textSearch=kathmandu"))).containsExactly(flood.id());
        assertThat(ids(search(null, q + "&textSearch=monsoon%20roads"))).containsExactly(flood.id());
        assertThat(ids(search(null, q + "&textSearch=floods"))).containsExactly(flood.id());
        assertThat(ids(search(null, q + "&textSearch=monsoon%20deserts"))).isEmpty();
        assertThat(ids(search(null, q + "&textSearch=caminos"))).containsExactly(spanish.id());
        // with Accept-Language only that locale's rows and English ones count
        assertThat(ids(search(null, q + "&textSearch=endommag", Map.of("Accept-Language", "fr")))).containsExactly(flood.id());
        assertThat(ids(search(null, q + "&textSearch=endommag", Map.of("Accept-Language", "de")))).isEmpty();
        assertThat(ids(search(null, q + "&textSearch=caminos", Map.of("Accept-Language", "fr")))).isEmpty();
        assertThat(ids(search(null, q, Map.of("Accept-Language", "fr")))).containsExactly(flood.id());
        Api.Answer fr = search(null, q + "&textSearch=inondations", Map.of("Accept-Language", "fr"));
        assertThat(fr.json().path("results").get(0).path("name").asText()).isEqualTo("Inondations");
        assertThat(fr.json().path("results").get(0).path("locale").asText()).isEqualTo("fr");
    }

    @Test
    void actionKeepsProjectsWithWorkLeftThatTheCallerMayDo() {
        Organisation o = org();
        Project open = save(new P(o.id()));
        Project mapped = save(new P(o.id()));
        fx.projects.addCounters(mapped.id(), new CounterDelta(10, 0, 0));
        Project done = save(new P(o.id()));
        fx.projects.addCounters(done.id(), new CounterDelta(0, 8, 2));
        P adv = new P(o.id());
        adv.mapLevel = 3;
        Project advanced = save(adv);
        P t = new P(o.id());
        t.mapPermission = "TEAMS";
        Project teams = save(t);
        String q = "organisationId=" + o.id();

        assertThat(ids(search(plain, q + "&action=map"))).containsExactlyInAnyOrder(open.id());
        assertThat(ids(search(null, q + "&action=map"))).containsExactlyInAnyOrder(open.id(), advanced.id(), teams.id());
        assertThat(ids(search(admin, q + "&action=map"))).containsExactlyInAnyOrder(open.id(), teams.id());
        assertThat(ids(search(plain, q + "&action=validate")))
                .containsExactlyInAnyOrder(open.id(), mapped.id(), advanced.id(), teams.id());
        assertThat(ids(search(plain, q + "&action=any"))).hasSize(5);
    }

    @Test
    void aWriteShowsInTheNextSearch() {
        Organisation o = org();
        Project p = save(new P(o.id()));
        String q = "organisationId=" + o.id();
        assertThat(search(null, q).json().path("results").get(0).path("percentMapped").asInt()).isZero();
        fx.projects.addCounters(p.id(), new CounterDelta(4, 0, 0));
        assertThat(search(null, q).json().path("results").get(0).path("percentMapped").asInt()).isEqualTo(40);
        Project renamed = new Project(p.id(), p.status(), "URGENT", p.difficulty(), p.defaultLocale(), p.authorId(),
                p.authorUsername(), p.organisationId(), p.mappingPermission(), p.mappingPermissionLevelId(),
                p.validationPermission(), p.validationPermissionLevelId(), false, false, p.changesetComment(), null,
                null, null, null, List.of(), null, false, false, "OSM", List.of(), null, List.of(), List.of(),
                p.created(), Instant.now(), "GRID", List.of("ID"), List.of("ID"),
                List.of(new ProjectInfo("en", "Renamed", "", "", "", "")), p.aoiBbox(), p.aoiCentroid(), 1);
        assertThat(fx.projects.update(renamed, fx.projects.get(p.id()).orElseThrow().version())).isTrue();
        JsonNode r = search(null, q).json().path("results").get(0);
        assertThat(r.path("name").asText()).isEqualTo("Renamed");
        assertThat(r.path("priority").asText()).isEqualTo("URGENT");
        assertThat(r.path("percentMapped").asInt()).isEqualTo(40);
        assertThat(ids(search(null, q + "&textSearch=renamed"))).containsExactly(p.id());
    }

    @Test
    void campaignsAndInterestsFilterAndCampaignsShowInTheResults() {
        var campaigns = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.CampaignStore.class);
        var interests = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.InterestStore.class);
        Organisation o = org();
        Project a = save(new P(o.id()));
        Project b = save(new P(o.id()));
        Project c = save(new P(o.id()));
        String u = UUID.randomUUID().toString();
        var floods = campaigns.create("Floods " + u, null, null, null);
        var roads = campaigns.create("Roads " + u, null, null, null);
        campaigns.linkProject(a.id(), floods.id());
        campaigns.linkProject(b.id(), roads.id());
        var health = interests.create("health " + u);
        var water = interests.create("water " + u);
        interests.setForProject(a.id(), List.of(health.id()));
        interests.setForProject(c.id(), List.of(water.id(), health.id()));
        String q = "organisationId=" + o.id();

        Api.Answer byCampaign = search(null, q + "&campaign=" + floods.name().replace(" ", "%20"));
        assertThat(ids(byCampaign)).containsExactly(a.id());
        assertThat(byCampaign.json().path("results").get(0).path("campaigns").toString())
                .isEqualTo("[{\"id\":" + floods.id() + ",\"name\":\"" + floods.name() + "\"}]");
        assertThat(ids(search(null, q + "&campaign=Floods"))).isEmpty(); // the whole name, as the reference compares
        assertThat(ids(search(null, q + "&interests=" + water.id()))).containsExactly(c.id());
        assertThat(ids(search(null, q + "&interests=" + health.id() + "," + water.id()))).containsExactlyInAnyOrder(a.id(), c.id());
        // basedOnMyInterests: the caller's interests, and the query's are ignored
        User keen = fx.user("keen");
        interests.setForUser(keen.id(), List.of(water.id()));
        assertThat(ids(search(keen, q + "&basedOnMyInterests=true&interests=" + health.id()))).containsExactly(c.id());
        assertThat(ids(search(plain, q + "&basedOnMyInterests=true"))).isEmpty();

        // links change: the next search follows
        campaigns.unlinkProject(a.id(), floods.id());
        campaigns.linkProject(c.id(), floods.id());
        assertThat(ids(search(null, q + "&campaign=" + floods.name().replace(" ", "%20")))).containsExactly(c.id());
        assertThat(search(null, q + "&orderBy=id").json().path("results").get(0).path("campaigns")).isEmpty();
        interests.setForProject(c.id(), List.of());
        assertThat(ids(search(null, q + "&interests=" + water.id()))).isEmpty();
        assertThat(ids(search(null, q + "&interests=" + health.id()))).containsExactly(a.id());

        // a deleted interest matches no project, though a project that chose it keeps its id until next saved;
        // nor does a caller's deleted interest
        interests.setForUser(keen.id(), List.of(health.id()));
        assertThat(ids(search(keen, q + "&basedOnMyInterests=true"))).containsExactly(a.id());
        assertThat(interests.delete(health.id())).isTrue();
        assertThat(ids(search(null, q + "&interests=" + health.id()))).isEmpty();
        assertThat(ids(search(null, q + "&interests=" + health.id() + "," + water.id()))).isEmpty();
        assertThat(ids(search(keen, q + "&basedOnMyInterests=true"))).isEmpty();
    }

    @Test
    void aSearchHeldByTheInstanceFollowsEachChange() {
        Organisation o = org();
        List<Project> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) ps.add(save(new P(o.id())));
        String q = "organisationId=" + o.id() + "&orderBy=percent_mapped&orderByType=DESC";
        // ties broken by id, newest first
        assertThat(ids(search(null, q))).containsExactly(ps.get(3).id(), ps.get(2).id(), ps.get(1).id(), ps.get(0).id());
        fx.projects.addCounters(ps.get(0).id(), new CounterDelta(5, 0, 0));
        assertThat(ids(search(null, q))).containsExactly(ps.get(0).id(), ps.get(3).id(), ps.get(2).id(), ps.get(1).id());
        fx.projects.addCounters(ps.get(2).id(), new CounterDelta(7, 0, 0));
        fx.projects.addCounters(ps.get(0).id(), new CounterDelta(-5, 0, 0));
        assertThat(ids(search(null, q))).containsExactly(ps.get(2).id(), ps.get(3).id(), ps.get(1).id(), ps.get(0).id());
        // a project that stops matching leaves the search, and the map follows
        Project p = ps.get(3);
        Project archived = new Project(p.id(), ProjectStatus.ARCHIVED, p.projectPriority(), p.difficulty(), p.defaultLocale(),
                p.authorId(), p.authorUsername(), p.organisationId(), p.mappingPermission(), p.mappingPermissionLevelId(),
                p.validationPermission(), p.validationPermissionLevelId(), false, false, p.changesetComment(), null,
                null, null, null, List.of(), null, false, false, "OSM", List.of(), null, List.of(), List.of(),
                p.created(), Instant.now(), "GRID", List.of("ID"), List.of("ID"), p.projectInfoLocales(), p.aoiBbox(),
                p.aoiCentroid(), 1);
        assertThat(fx.projects.update(archived, fx.projects.get(p.id()).orElseThrow().version())).isTrue();
        Api.Answer after = search(null, q);
        assertThat(ids(after)).containsExactly(ps.get(2).id(), ps.get(1).id(), ps.get(0).id());
        List<Long> onMap = new ArrayList<>();
        after.json().path("mapResults").path("features").forEach(f -> onMap.add(f.path("properties").path("projectId").asLong()));
        assertThat(onMap).containsExactly(ps.get(0).id(), ps.get(1).id(), ps.get(2).id());
        assertThat(ids(search(null, "organisationId=" + o.id() + "&projectStatuses=ARCHIVED"))).containsExactly(p.id());
    }

    @Test
    void aFreshInstanceLoadsTheSnapshotThenWhatChangedSince() throws Exception {
        Organisation o = org();
        Project a = save(new P(o.id()));
        var index = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.ProjectSearchIndex.class);
        assertThat(index.writeSnapshot()).isGreaterThan(0);
        assertThat(index.writeSnapshot()).as("nothing changed since").isEqualTo(-1);
        var blobs = fn.getApplicationContext().getBean(dev.tmserverless.aws.blob.BlobStore.class);
        byte[] gz = blobs.getBytes(dev.tmserverless.aws.store.ProjectSearchIndex.SNAPSHOT_KEY).orElseThrow();
        assertThat(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz)).readAllBytes()).isNotEmpty();
        // written after the snapshot: a fresh instance reads them from the table
        Project b = save(new P(o.id()));
        fx.projects.addCounters(a.id(), new CounterDelta(5, 0, 0));
        try (ProjectsFunction fresh = new ProjectsFunction()) {
            Api.Answer r = call(fresh, "GET", "/api/v2/projects/?orderBy=id&organisationId=" + o.id(), null, null);
            assertThat(ids(r)).containsExactly(a.id(), b.id());
            assertThat(r.json().path("results").get(0).path("percentMapped").asInt()).isEqualTo(50);
        }
    }

    @Test
    void aCompressedAnswerIsTheSameDocumentAndFollowsChanges() {
        Organisation o = org();
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < 20; i++) made.add(save(new P(o.id())).id());
        String q = "organisationId=" + o.id() + "&orderBy=id";
        Map<String, String> gz = Map.of("accept-encoding", "gzip, deflate, br");
        Api.Answer zipped = search(null, q, gz);
        assertThat(zipped.headers()).containsEntry("content-encoding", "gzip");
        assertThat(zipped.json()).isEqualTo(search(null, q).json());
        assertThat(zipped.json().path("mapResults").path("features")).hasSize(20);
        // a counter move keeps the same map (reused) but a new percentage on the page
        fx.projects.addCounters(made.get(0), new CounterDelta(5, 0, 0));
        Api.Answer after = search(null, q, gz);
        assertThat(after.json().path("results").get(0).path("percentMapped").asInt()).isEqualTo(50);
        assertThat(after.json()).isEqualTo(search(null, q).json());
        // a new match changes the map
        long added = save(new P(o.id())).id();
        Api.Answer more = search(null, q + "&page=2", gz);
        assertThat(more.json().path("mapResults").path("features")).hasSize(21);
        assertThat(ids(more)).containsExactly(made.get(14), made.get(15), made.get(16), made.get(17), made.get(18),
                made.get(19), added);
    }

    @Test
    void csvExportHasTheReferenceColumns() {
        Organisation o = org();
        P s = new P(o.id());
        s.infos = List.of(new ProjectInfo("en", "Roads, rivers", "", "", "", ""));
        Project p = save(s);
        fx.projects.addCounters(p.id(), new CounterDelta(1, 0, 1));
        Api.Answer a = search(null, "organisationId=" + o.id() + "&downloadAsCSV=true");
        assertThat(a.headers().get("content-type")).isEqualTo("text/csv");
        assertThat(a.headers().get("content-disposition")).isEqualTo("attachment; filename=data.csv");
        String[] lines = a.body().split("\n");
        assertThat(lines[0]).isEqualTo("projectId,name,priority,difficulty,status,sandbox,database,lastUpdated,"
                + "dueDate,organisationName,percentMapped,percentValidated,totalArea,country,creation_date,"
                + "totalContributors,author");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).startsWith(p.id() + ",\"Roads, rivers\",MEDIUM,MODERATE,PUBLISHED,False,OSM,");
        assertThat(lines[1]).contains("," + o.name() + ",11.11,0.00,12.500,,").endsWith(",0," + author.username());
    }

    @Test
    void badValuesAreTheReferenceErrors() {
        assertError(null, "difficulty=HARD", 400, "Projects GET - 'HARD'");
        assertError(null, "projectStatuses=PUBLISHED,GONE", 400, "Projects GET - 'GONE'");
        assertError(null, "mappingTypes=roads", 400, "Projects GET - 'roads'");
        assertError(null, "createdFrom=2024-13-01", 400, "Projects GET - InvalidDateValue- Invalid date value");
        assertError(null, "interests=1,x", 400, "Projects GET - invalid literal for int() with base 10: 'x'");
        assertError(null, "orderBy=name", 400, "Projects GET - unknown orderBy 'name'");
        // limits: a 10 KB text, 1,000 values in a list, dates outside the years 1 to 9999
        assertError(null, "textSearch=" + "a".repeat(10_240), 400, "Projects GET - textSearch is longer than 1000 characters");
        assertError(null, "projectStatuses=" + String.join(",", java.util.Collections.nCopies(1000, "PUBLISHED")), 400,
                "Projects GET - projectStatuses has more than 100 values");
        assertError(null, "interests=" + String.join(",", java.util.Collections.nCopies(1000, "1")), 400,
                "Projects GET - interests has more than 100 values");
        assertError(null, "createdTo=10000-01-01", 400, "Projects GET - InvalidDateValue- Invalid date value");
        assertError(null, "lastUpdatedFrom=0000-01-01", 400, "Projects GET - InvalidDateValue- Invalid date value");
        assertError(null, "omitMapResults=true&downloadAsCSV=true", 400,
                "omitMapResults and downloadAsCSV cannot be both set to true");
        assertError(admin, "partnershipFrom=2024-01-01", 400,
                "partnershipFrom or partnershipTo cannot be provided without partnerId");
        assertError(admin, "partnerId=1&partnershipFrom=2024-02-01&partnershipTo=2024-01-01", 400,
                "partnershipFrom cannot be greater than partnershipTo");
        assertError(plain, "partnerId=1", 401, "Only admins can search projects by partnerId, partnershipFrom, partnershipTo");
        Api.Answer page = call(fn, "GET", "/api/v2/projects/?page=x", null, null);
        assertThat(page.status()).isEqualTo(422);
        assertThat(page.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"query\",\"page\"]");
        assertThat(call(fn, "GET", "/api/v2/projects/?omitMapResults=maybe", null, null).status()).isEqualTo(422);
        // an admin's partner search is allowed; a partner without partnerships matches nothing
        assertThat(search(admin, "partnerId=999999").json().path("results")).isEmpty();
    }

    static void assertError(User u, String query, int status, String error) {
        Api.Answer a = call(fn, "GET", "/api/v2/projects/?" + query, u == null ? null : token(u.id()), null);
        assertThat(a.status()).as(query).isEqualTo(status);
        assertThat(a.json().toString()).as(query).isEqualTo("{\"Error\":" + dev.tmserverless.aws.http.Json.write(error) + "}");
    }
}
