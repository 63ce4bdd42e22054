package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /api/0.6/user/{id}.json}: an account's public profile, as openstreetmap.org answers it. */
class OsmStandInPublicUserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static OsmStandIn osm;

    @BeforeAll
    static void start() {
        osm = OsmStandIn.start();
    }

    @AfterAll
    static void stop() {
        osm.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(osm.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAccountsPublicProfileNeedsNoTokenAndHoldsNoPrivateFields() throws Exception {
        int id = osm.addAccount("Public Pat", 42);
        assertThat(id).isEqualTo(OsmStandIn.userId("Public Pat"));
        HttpResponse<String> a = get("/api/0.6/user/" + id + ".json");
        assertThat(a.statusCode()).isEqualTo(200);
        assertThat(a.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode user = JSON.readTree(a.body()).get("user");
        assertThat(user.get("id").asInt()).isEqualTo(id);
        assertThat(user.get("display_name").asText()).isEqualTo("Public Pat");
        assertThat(user.get("account_created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(user.get("changesets").get("count").asInt()).isEqualTo(42);
        assertThat(user.get("contributor_terms").get("agreed").asBoolean()).isTrue();
        assertThat(user.has("languages")).isFalse();
        assertThat(user.has("messages")).isFalse();
        assertThat(user.get("contributor_terms").has("pd")).isFalse();
    }

    @Test
    void unknownAccountsAre404AndDeletedOnes410() throws Exception {
        assertThat(get("/api/0.6/user/" + OsmStandIn.userId("nobody here") + ".json").statusCode()).isEqualTo(404);
        assertThat(get("/api/0.6/user/99999999999.json").statusCode()).isEqualTo(404);
        osm.addAccount("Gone Gina", 3);
        osm.deleteAccount("Gone Gina");
        assertThat(get("/api/0.6/user/" + OsmStandIn.userId("Gone Gina") + ".json").statusCode()).isEqualTo(410);
    }
}
