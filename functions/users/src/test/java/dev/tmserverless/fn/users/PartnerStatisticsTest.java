package dev.tmserverless.fn.users;

import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.MapSwipeStandIn;
import dev.tmserverless.emulators.MapSwipeStandIn.Contribution;
import dev.tmserverless.emulators.MapSwipeStandIn.Member;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partner's MapSwipe statistics through the users function, asked of the MapSwipe stand-in (CSRF cookie and all)
 * and answered in the reference's shapes; MapSwipe's failures become the reference's 409 SubCodes.
 */
class PartnerStatisticsTest {
    static final AtomicInteger N = new AtomicInteger();
    static Isolated.Applied env;
    static UsersFunction fn;
    static User admin;
    static MapSwipeStandIn mapswipe;
    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-partner-stats").applyAsSystemProperties();
        fn = new UsersFunction();
        Fixture fx = new Fixture(fn.getApplicationContext());
        admin = fx.user("ps-admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        mapswipe = Emulators.shared().mapswipe();
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    /** A partner whose MapSwipe group is {@code group}; answers its permalink. */
    static String partner(String group) {
        String link = "ps-" + N.incrementAndGet() + "-" + System.nanoTime();
        var created = post(fn, "/api/v2/partners/", token(admin.id()), "{\"name\": \"Partner " + link + "\", \"primary_hashtag\": \"#ps\","
                + " \"permalink\": \"" + link + "\", \"mapswipe_group_id\": \"" + group + "\"}");
        assertThat(created.status()).as("%s", created.json()).isEqualTo(200);
        return link;
    }

    /** A group of three (one inactive): ada swiped long ago and lately in two projects, bob lately, cy never. */
    static String group() {
        String g = "grp-" + N.incrementAndGet() + "-" + System.nanoTime();
        mapswipe.addGroup(g, "Swipers", "Weekend swipers", List.of(new Member("fb-ada", "ada", true),
                new Member("fb-bob", "bob, jr", true), new Member("fb-cy", "cy", false)));
        mapswipe.addContribution(g, new Contribution("fb-ada", TODAY.minusDays(100), "p1", 1, "Find", "Red Cross", 100, 600, 2.0, 30.0, -2.0));
        mapswipe.addContribution(g, new Contribution("fb-ada", TODAY.minusDays(3), "p2", 2, "Validate", "HOT", 40, 200, 0.5, 36.0, -1.0));
        mapswipe.addContribution(g, new Contribution("fb-bob", TODAY.minusDays(3), "p1", 1, "Find", "Red Cross", 10, 60, 0.25, 30.0, -2.0));
        return g;
    }

    @Test
    void generalStatisticsShowTheGroupItsMembersAndItsTotals() {
        String g = group();
        String link = partner(g);
        int refusedBefore = mapswipe.refusedForCsrf();
        var a = get(fn, "/api/v2/partners/" + link + "/general-statistics/?limit=2&offset=0", null);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(200);
        var j = a.json();
        assertThat(j.path("provider").asText()).isEqualTo("mapswipe");
        assertThat(j.path("idInsideProvider").asText()).isEqualTo(g);
        assertThat(j.path("nameInsideProvider").asText()).isEqualTo("Swipers");
        assertThat(j.path("descriptionInsideProvider").asText()).isEqualTo("Weekend swipers");
        assertThat(j.path("membersCount").asInt()).isEqualTo(3);
        assertThat(j.path("members")).hasSize(2);
        var ada = j.path("members").get(0);
        assertThat(ada.path("userId").asText()).isEqualTo("fb-ada");
        assertThat(ada.path("username").asText()).isEqualTo("ada");
        assertThat(ada.path("isActive").asBoolean()).isTrue();
        assertThat(ada.path("totalcontributions").asLong()).isEqualTo(140);
        assertThat(ada.path("totalcontributionTime").asLong()).isEqualTo(800);
        assertThat(ada.path("totalMappingProjects").asInt()).isEqualTo(2);
        // all time: two contributors, 150 swipes; the last 30 days leave out ada's old swipes
        assertThat(j.path("totalContributors").asInt()).isEqualTo(2);
        assertThat(j.path("totalcontributions").asLong()).isEqualTo(150);
        assertThat(j.path("totalcontributionTime").asLong()).isEqualTo(860);
        assertThat(j.path("totalRecentContributors").asInt()).isEqualTo(2);
        assertThat(j.path("totalRecentcontributions").asLong()).isEqualTo(50);
        assertThat(j.path("totalRecentcontributionTime").asLong()).isEqualTo(260);
        // the next page
        var next = get(fn, "/api/v2/partners/" + link + "/general-statistics/?limit=2&offset=2", null).json();
        assertThat(next.path("members")).hasSize(1);
        assertThat(next.path("members").get(0).path("isActive").asBoolean()).isFalse();
        // every request went through MapSwipe's CSRF check
        assertThat(mapswipe.refusedForCsrf()).isEqualTo(refusedBefore);
    }

    @Test
    void theMembersDownloadAsCsvListsEveryMember() {
        String link = partner(group());
        var a = get(fn, "/api/v2/partners/" + link + "/general-statistics/?limit=1&downloadAsCSV=true", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.headers().entrySet()).anySatisfy(h -> {
            assertThat(h.getKey()).isEqualToIgnoringCase("content-disposition");
            assertThat(h.getValue()).contains("partner_members.csv");
        });
        assertThat(a.body().split("\n")).containsExactly(
                "userId,username,isActive,totalMappingProjects,totalSwipeTimeInSeconds,totalSwipes",
                "fb-ada,ada,True,2,800,140",
                "fb-bob,\"bob, jr\",True,1,60,10",
                "fb-cy,cy,False,0,0,0");
    }

    @Test
    void filteredStatisticsBreakTheRangeDownByDateTypeOrganisationAndPlace() {
        String g = group();
        String link = partner(g);
        String from = TODAY.minusDays(10).toString();
        String to = TODAY.toString();
        var a = get(fn, "/api/v2/partners/" + link + "/filtered-statistics/?fromDate=" + from + "&toDate=" + to, null);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(200);
        var j = a.json();
        assertThat(j.path("provider").asText()).isEqualTo("mapswipe");
        assertThat(j.path("idInsideProvider").asText()).isEqualTo(g);
        assertThat(j.path("fromDate").asText()).isEqualTo(from);
        assertThat(j.path("toDate").asText()).isEqualTo(to);
        assertThat(j.path("contributionsByDate")).hasSize(1);
        assertThat(j.path("contributionsByDate").get(0).path("taskDate").asText()).isEqualTo(TODAY.minusDays(3).toString());
        assertThat(j.path("contributionsByDate").get(0).path("totalcontributions").asLong()).isEqualTo(50);
        assertThat(j.path("contributionTimeByDate").get(0).path("totalcontributionTime").asLong()).isEqualTo(260);
        assertThat(j.path("contributionsByProjectType")).hasSize(2);
        assertThat(j.path("contributionsByProjectType").findValuesAsText("projectTypeDisplay")).containsExactlyInAnyOrder("Find", "Validate");
        assertThat(j.path("areaSwipedByProjectType").findValues("totalArea").stream().mapToDouble(n -> n.asDouble()).sum()).isEqualTo(0.75);
        assertThat(j.path("contributionsByorganizationName").findValuesAsText("organizationName")).containsExactlyInAnyOrder("HOT", "Red Cross");
        assertThat(j.path("contributionsByGeo")).hasSize(2);
        assertThat(j.path("contributionsByGeo").get(0).path("geojson").path("type").asText()).isEqualTo("Point");
        assertThat(j.path("contributionsByGeo").get(0).path("geojson").path("coordinates")).hasSize(2);
        assertThat(j.path("contributionsByUser").isArray()).isTrue();
    }

    @Test
    void aGroupMapSwipeDoesNotKnowAndMapSwipeFailuresAreTheReferences409s() {
        String unknown = partner("no-such-group-" + N.incrementAndGet());
        var a = get(fn, "/api/v2/partners/" + unknown + "/general-statistics/", null);
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.structuredSubCode()).isEqualTo("INVALID_MAPSWIPE_GROUP_ID");
        assertThat(get(fn, "/api/v2/partners/" + unknown + "/filtered-statistics/?fromDate=2024-01-01&toDate=2024-02-01", null)
                .structuredSubCode()).isEqualTo("INVALID_MAPSWIPE_GROUP_ID");

        String g = group();
        String link = partner(g);
        try {
            mapswipe.fail(g, MapSwipeStandIn.Fault.status(500));
            assertThat(get(fn, "/api/v2/partners/" + link + "/general-statistics/", null).structuredSubCode()).isEqualTo("MAPSWIPE_HTTP_ERROR");
            mapswipe.fail(g, MapSwipeStandIn.Fault.notJson());
            assertThat(get(fn, "/api/v2/partners/" + link + "/general-statistics/", null).structuredSubCode())
                    .isEqualTo("MAPSWIPE_INVALID_RESPONSE");
            mapswipe.fail(g, MapSwipeStandIn.Fault.graphQl("resolver failed"));
            var e = get(fn, "/api/v2/partners/" + link + "/filtered-statistics/?fromDate=2024-01-01&toDate=2024-02-01", null);
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.structuredSubCode()).isEqualTo("MAPSWIPE_GRAPHQL_ERROR");
        } finally {
            mapswipe.fail(g, null);
        }
        assertThat(get(fn, "/api/v2/partners/" + link + "/general-statistics/", null).status()).isEqualTo(200);
    }
}
