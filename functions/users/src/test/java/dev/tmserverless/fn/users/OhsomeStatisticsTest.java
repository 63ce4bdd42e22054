package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.OhsomeStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Instant;

import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /users/statistics/ohsome/: a user's OSM edits by topic, asked of the ohsome stand-in and answered as it came. */
class OhsomeStatisticsTest {
    static final String PATH = "/api/v2/users/statistics/ohsome/";
    static final String TOPICS = "highway,waterway,building,poi";
    static Isolated isolated;
    static Isolated.Applied env;
    static UsersFunction fn;
    static User caller;

    @BeforeAll
    static void start() {
        isolated = Emulators.shared().isolated("users-ohsome");
        env = isolated.applyAsSystemProperties();
        System.setProperty("TM_OHSOME_TIMEOUT_MS", "300");
        fn = new UsersFunction();
        caller = fn.getApplicationContext().getBean(UserStore.class)
                .upsertOnLogin(7_300_001, "ohsome-caller", null, null, false, Instant.now());
    }

    @AfterAll
    static void stop() {
        fn.close();
        System.clearProperty("TM_OHSOME_TIMEOUT_MS");
        env.close();
    }

    @AfterEach
    void clear() {
        isolated.ohsome().clearFaults();
    }

    static String query(long osmId) {
        return PATH + "?hashtag=hotosm-project-%2A&userId=" + osmId + "&topics=" + TOPICS;
    }

    @Test
    void answersOhsomesFiguresAsTheProfilePageReadsThem() {
        long osmId = 7_300_101;
        Emulators.shared().ohsome().addStats(osmId, "building", new OhsomeStandIn.TopicStats(293, 83, 44, 249, 0, 0));
        Emulators.shared().ohsome().addStats(osmId, "highway", new OhsomeStandIn.TopicStats(6, 21, 0, 229.4, 3.5, 1.25));
        var a = get(fn, query(osmId), token(caller.id()));
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        var topics = a.json().path("result").path("topics");
        assertThat(topics.fieldNames()).toIterable().containsExactly("highway", "waterway", "building", "poi");
        assertThat(topics.path("building").path("value").asDouble()).isEqualTo(249);
        assertThat(topics.path("building").path("added").asLong()).isEqualTo(293);
        assertThat(topics.path("building").path("modified").path("count_modified").asLong()).isEqualTo(83);
        assertThat(topics.path("building").path("deleted").asLong()).isEqualTo(44);
        assertThat(topics.path("highway").path("value").asDouble()).isEqualTo(229.4);
        assertThat(topics.path("highway").path("modified").path("unit_more").asDouble()).isEqualTo(3.5);
        assertThat(topics.path("highway").path("modified").path("unit_less").asDouble()).isEqualTo(1.25);
        assertThat(topics.path("poi").path("added").asLong()).isZero();
        assertThat(a.json().path("result").path("userId").asLong()).isEqualTo(osmId);
        assertThat(a.json().path("query").path("hashtag").asText()).isEqualTo("hotosm-project-*");
    }

    @Test
    void datesReachOhsomeAsInstants() {
        var a = get(fn, query(7_300_102) + "&startdate=2024-03-01&enddate=2024-3-9", token(caller.id()));
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        assertThat(a.json().path("query").path("timespan").path("startDate").asText()).isEqualTo("2024-03-01T00:00:00Z");
        assertThat(a.json().path("query").path("timespan").path("endDate").asText()).isEqualTo("2024-03-09T00:00:00Z");
    }

    @Test
    void needsASignedInCaller() {
        var a = get(fn, query(1), null);
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.subCode()).isEqualTo("InvalidToken");
    }

    @Test
    void aQueryWithoutUserIdOrTopicsOrWithABadDateIsRefused() {
        String t = token(caller.id());
        var noUser = get(fn, PATH + "?topics=" + TOPICS, t);
        assertThat(noUser.status()).isEqualTo(422);
        assertThat(noUser.json().path("detail").path(0).path("loc").toString()).isEqualTo("[\"query\",\"userId\"]");
        var notANumber = get(fn, PATH + "?userId=abc&topics=" + TOPICS, t);
        assertThat(notANumber.status()).isEqualTo(422);
        assertThat(notANumber.json().path("detail").path(0).path("type").asText()).isEqualTo("int_parsing");
        var noTopics = get(fn, PATH + "?userId=5", t);
        assertThat(noTopics.status()).isEqualTo(422);
        assertThat(noTopics.json().path("detail").path(0).path("loc").toString()).isEqualTo("[\"query\",\"topics\"]");
        for (String date : new String[] {"01-03-2024", "2024-02-30", "yesterday"}) {
            var bad = get(fn, query(5) + "&startdate=" + date, t);
            assertThat(bad.status()).as(date).isEqualTo(400);
            assertThat(bad.structuredSubCode()).isEqualTo("UNKNOWN_ERROR");
            assertThat(bad.json().path("error").path("message").asText())
                    .isEqualTo("Invalid date format for '" + date + "', expected YYYY-MM-DD");
        }
        var badEnd = get(fn, query(5) + "&enddate=2024-13-01", t);
        assertThat(badEnd.status()).isEqualTo(400);
    }

    @Test
    void aTopicOhsomeDoesNotKnowIsA400NotA502() {
        var a = get(fn, PATH + "?userId=5&topics=highway,unicorns", token(caller.id()));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.structuredSubCode()).isEqualTo("OHSOME_QUERY_REFUSED");
        assertThat(a.json().path("error").path("details").path("ohsomeMessage").asText()).contains("unicorns");
    }

    @Test
    void ohsomeFailingIsAStructured502() {
        String t = token(caller.id());
        for (OhsomeStandIn.Fault fault : new OhsomeStandIn.Fault[] {OhsomeStandIn.Fault.status(503),
                OhsomeStandIn.Fault.status(500), OhsomeStandIn.Fault.status(401), OhsomeStandIn.Fault.notJson(),
                OhsomeStandIn.Fault.hang()}) {
            isolated.ohsome().fail(fault);
            var a = get(fn, query(5), t);
            assertThat(a.status()).as("%s", fault).isEqualTo(502);
            assertThat(a.structuredSubCode()).isEqualTo("OHSOME_UNAVAILABLE");
            assertThat(a.json().path("error").path("code").asInt()).isEqualTo(502);
            isolated.ohsome().clearFaults();
        }
        assertThat(get(fn, query(5), t).status()).isEqualTo(200);
    }

    @Test
    void anUnreachableOhsomeIsA502() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String previous = System.setProperty("TM_OHSOME_STATS_API_URL", "http://127.0.0.1:" + closedPort + "/api");
        try (UsersFunction offline = new UsersFunction()) {
            var a = get(offline, query(5), token(caller.id()));
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.structuredSubCode()).isEqualTo("OHSOME_UNAVAILABLE");
        } finally {
            System.setProperty("TM_OHSOME_STATS_API_URL", previous);
        }
    }
}
