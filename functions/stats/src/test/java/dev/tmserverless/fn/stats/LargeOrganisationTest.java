package dev.tmserverless.fn.stats;

import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.fn.users.UsersFunction;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tmserverless.testing.Api.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An organisation of 4,000 projects: its summary lists them all (about 600 KB of JSON, over DynamoDB's 400 KB item
 * limit) and is still written, gzipped, and the system summary beside it does not grow with the projects.
 */
class LargeOrganisationTest {
    static final int PROJECTS = 4_000;
    static FeedHarness h;
    static StatsFunction stats;
    static UsersFunction users;
    static Fixture fx;

    @BeforeAll
    static void start() {
        h = FeedHarness.start("stats-large-org");
        stats = new StatsFunction();
        users = new UsersFunction();
        fx = new Fixture(stats.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        h.close();
        stats.close();
        users.close();
    }

    @Test
    void anOrganisationOfThousandsOfProjectsHasItsStatistics() {
        long org = fx.orgs.create("Big org", "big-org", null, null, null, null, List.of()).id();
        // the projects' roll-ups, as the aggregator leaves them (the projects themselves are not needed here)
        String created = Instant.now().toString();
        List<WriteRequest> puts = new ArrayList<>();
        for (int p = 1; p <= PROJECTS; p++) {
            String d = "{\"p\":" + p + ",\"org\":" + org + ",\"status\":\"PUBLISHED\",\"created\":\"" + created
                    + "\",\"lastUpdated\":\"" + created + "\",\"totalTasks\":15,\"statuses\":{\"MAPPED\":3,\"READY\":10,"
                    + "\"VALIDATED\":2}}";
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("STAT#P#" + p), "sk", AttributeValue.fromS("ROLLUP"),
                    "d", AttributeValue.fromS(d), "w", AttributeValue.fromN("1"),
                    "gsi1pk", AttributeValue.fromS("STATROLLUPS"), "gsi1sk", AttributeValue.fromS(String.format("%010d", p)));
            puts.add(WriteRequest.builder().putRequest(r -> r.item(item)).build());
        }
        var ddb = Emulators.shared().dynamoDb();
        for (int i = 0; i < puts.size(); i += 25) {
            var chunk = puts.subList(i, Math.min(puts.size(), i + 25));
            var left = ddb.batchWriteItem(b -> b.requestItems(Map.of(h.isolated.table(), chunk))).unprocessedItems();
            assertThat(left).isEmpty();
        }

        stats.getApplicationContext().getBean(Aggregator.class).recomputeSystemWriting();

        var s = call(users, "GET", "/api/v2/organisations/" + org + "/statistics/", null, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("projects").get("published").asInt()).isEqualTo(PROJECTS);
        assertThat(s.json().get("activeTasks").get("ready").asInt()).isEqualTo(10 * PROJECTS);
        var home = call(users, "GET", "/api/v2/system/statistics/?abbreviated=false", null, null).json();
        assertThat(home.get("totalProjects").asInt()).isEqualTo(PROJECTS);
        assertThat(home.get("organisations").get(0).get("projectsCreated").asInt()).isEqualTo(PROJECTS);
    }
}
