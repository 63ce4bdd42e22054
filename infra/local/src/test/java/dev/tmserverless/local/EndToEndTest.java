package dev.tmserverless.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's walk-through over HTTP against the real function jars (built earlier in the reactor):
 * log in as admin, create an organisation and a project from an AOI and a zoom, wait for the grid worker,
 * see the tasks, publish, log in as a mapper, lock and map a task, split another.
 */
class EndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static LocalStack stack;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        Path data = Files.createTempDirectory("tm-e2e");
        LocalStack.Config c = LocalStack.Config.defaults().withPort(port).withDataDir(data);
        for (var f : c.functions()) {
            assertThat(c.jarOf(f)).as("function jar (build the functions first)").exists();
        }
        stack = LocalStack.start(c);
        base = stack.apiUrl().toString().replaceAll("/$", "");
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    static JsonNode send(String method, String path, String auth, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + " -> " + r.body()).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    static String login(String name) throws Exception {
        return send("GET", "/_local/login?username=" + name, null, null, 200).path("authorization").asText();
    }

    @Test
    void aMapperLocksAndMapsATaskOfAProjectCreatedFromAnAoiAndAZoom() throws Exception {
        String admin = login("admin");
        long org = send("POST", "/api/v2/organisations/", admin,
                "{\"name\": \"Kathmandu Living Labs\", \"managers\": [\"admin\"]}", 201).path("organisationId").asLong();
        long project = send("POST", "/api/v2/projects/", admin, """
                {"projectName": "Flood response", "organisation": %d, "grid": {"zoom": 16, "clipToAoi": true},
                 "areaOfInterest": {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                  "geometry": {"type": "Polygon", "coordinates": [[[85.30,27.68],[85.33,27.68],[85.33,27.70],[85.30,27.70],[85.30,27.68]]]}}]}}
                """.formatted(org), 201).path("projectId").asLong();
        JsonNode job = null;
        for (int i = 0; i < 150; i++) {
            job = send("GET", "/api/v2/projects/" + project + "/queries/grid-job", admin, null, 200);
            if (!job.path("state").asText().matches("QUEUED|RUNNING")) break;
            Thread.sleep(200);
        }
        assertThat(job.path("state").asText()).isEqualTo("DONE");
        long total = job.path("total").asLong();
        assertThat(total).isPositive();
        JsonNode tasks = send("GET", "/api/v2/projects/" + project + "/tasks/", admin, null, 200);
        assertThat(tasks.path("features").size()).isEqualTo((int) total);

        send("PATCH", "/api/v2/projects/" + project + "/", admin, """
                {"status": "PUBLISHED", "projectPriority": "URGENT", "defaultLocale": "en", "difficulty": "EASY",
                 "mappingPermission": "ANY", "mappingPermissionLevelId": 1, "validationPermission": "ANY",
                 "validationPermissionLevelId": 2, "private": false, "taskCreationMode": "GRID",
                 "mappingEditors": ["ID"], "validationEditors": ["ID"],
                 "projectInfoLocales": [{"locale": "en", "name": "Flood response", "shortDescription": "Buildings",
                   "description": "Map the buildings", "instructions": "Trace every roof"}]}""", 200);

        String mapper = login("mapper-" + System.nanoTime() % 100000);
        JsonNode locked = send("POST", "/api/v2/projects/" + project + "/tasks/actions/lock-for-mapping/1", mapper, null, 200);
        assertThat(locked.path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        JsonNode mapped = send("POST", "/api/v2/projects/" + project + "/tasks/actions/unlock-after-mapping/1/", mapper,
                "{\"status\": \"MAPPED\", \"comment\": \"done\"}", 200);
        assertThat(mapped.path("taskStatus").asText()).isEqualTo("MAPPED");
        JsonNode p = send("GET", "/api/v2/projects/" + project + "/", null, null, 200);
        assertThat(p.path("status").asText()).isEqualTo("PUBLISHED");
        assertThat(p.path("percentMapped").asInt()).isEqualTo((int) (100 / total));
        // the mapper splits a full square task in four: the map shows the children with the next ids
        int square = 0;
        for (JsonNode f : tasks.path("features")) {
            if (f.path("properties").path("taskIsSquare").asBoolean()) { square = f.path("properties").path("taskId").asInt(); break; }
        }
        send("POST", "/api/v2/projects/" + project + "/tasks/actions/lock-for-mapping/" + square, mapper, null, 200);
        JsonNode children = send("POST", "/api/v2/projects/" + project + "/tasks/actions/split/" + square + "/", mapper, null, 200);
        List<Long> ids = new ArrayList<>();
        children.path("tasks").forEach(t -> ids.add(t.path("taskId").asLong()));
        assertThat(ids).containsExactly(total + 1, total + 2, total + 3, total + 4);
        assertThat(send("GET", "/api/v2/projects/" + project + "/tasks/", null, null, 200).path("features").size())
                .isEqualTo((int) total + 3);
        send("GET", "/api/v2/projects/" + project + "/tasks/" + square + "/", null, null, 404);
        // unknown routes answer like API Gateway
        send("GET", "/api/v2/nothing/here/", null, null, 404);
    }

    /** Polls {@code path} until {@code done} holds (at most about 30 s): queued work lands on the local stack's pollers. */
    static JsonNode awaitJson(String path, String auth, java.util.function.Predicate<JsonNode> done) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 150; i++) {
            last = send("GET", path, auth, null, 200);
            if (done.test(last)) return last;
            Thread.sleep(200);
        }
        return last;
    }

    static boolean hasType(JsonNode list, String type) {
        for (JsonNode m : list.path("userMessages")) if (m.path("messageType").asText().equals(type)) return true;
        return false;
    }

    /**
     * An activation's people over HTTP: an administrator sets up an organisation with a manager; the manager makes
     * a team and a campaign and gives the team mapping rights on a project mapped by teams only; a mapper joins the
     * team and maps, one who did not join is refused; they chat and mention each other and see it in their
     * notifications and profiles; the manager's message to the team reaches its members through the messenger.
     */
    @Test
    void anOrganisationsTeamMapsChatsAndHearsFromItsManager() throws Exception {
        String suffix = String.valueOf(System.nanoTime() % 100000);
        String admin = login("admin");
        String lead = login("lead" + suffix);
        String mapperName = "teammapper" + suffix;
        String mapper = login(mapperName);
        String friendName = "friend" + suffix;
        String friend = login(friendName);
        long org = send("POST", "/api/v2/organisations/", admin,
                "{\"name\": \"Relief " + suffix + "\", \"managers\": [\"lead" + suffix + "\"]}", 201).path("organisationId").asLong();
        long team = send("POST", "/api/v2/teams/", lead, "{\"organisation_id\": " + org + ", \"name\": \"Relief mappers "
                + suffix + "\", \"visibility\": \"PUBLIC\", \"joinMethod\": \"ANY\"}", 201).path("teamId").asLong();
        long campaign = send("POST", "/api/v2/campaigns/", lead, "{\"name\": \"Floods " + suffix + "\", \"organisations\": ["
                + org + "]}", 201).path("campaignId").asLong();
        assertThat(send("GET", "/api/v2/organisations/" + org + "/campaigns/", null, null, 200).toString()).contains("Floods " + suffix);

        long project = send("POST", "/api/v2/projects/", lead, """
                {"projectName": "Team mapping %s", "organisation": %d, "grid": {"zoom": 16, "clipToAoi": true},
                 "areaOfInterest": {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                  "geometry": {"type": "Polygon", "coordinates": [[[85.30,27.68],[85.31,27.68],[85.31,27.69],[85.30,27.69],[85.30,27.68]]]}}]}}
                """.formatted(suffix, org), 201).path("projectId").asLong();
        JsonNode job = awaitJson("/api/v2/projects/" + project + "/queries/grid-job", lead,
                j -> !j.path("state").asText().matches("QUEUED|RUNNING"));
        assertThat(job.path("state").asText()).isEqualTo("DONE");
        send("PATCH", "/api/v2/projects/" + project + "/", lead, """
                {"status": "PUBLISHED", "projectPriority": "URGENT", "defaultLocale": "en", "difficulty": "EASY",
                 "mappingPermission": "TEAMS", "mappingPermissionLevelId": 1, "validationPermission": "TEAMS",
                 "validationPermissionLevelId": 1, "private": false, "taskCreationMode": "GRID",
                 "mappingEditors": ["ID"], "validationEditors": ["ID"],
                 "projectInfoLocales": [{"locale": "en", "name": "Team mapping %s", "shortDescription": "Roads",
                   "description": "Map the roads", "instructions": "Trace every road"}]}""".formatted(suffix), 200);
        send("POST", "/api/v2/projects/" + project + "/teams/" + team + "/", lead, "{\"role\": \"MAPPER\"}", 201);
        assertThat(send("GET", "/api/v2/projects/" + project + "/teams/", null, null, 200).path("teams").get(0).path("role").asText())
                .isEqualTo("MAPPER");

        // only the team maps
        assertThat(send("POST", "/api/v2/projects/" + project + "/tasks/actions/lock-for-mapping/1", mapper, null, 403)
                .path("SubCode").asText()).endsWith("USER_NOT_TEAM_MEMBER");
        send("POST", "/api/v2/teams/" + team + "/actions/join/", mapper, null, 200);
        send("POST", "/api/v2/projects/" + project + "/tasks/actions/lock-for-mapping/1", mapper, null, 200);
        send("POST", "/api/v2/projects/" + project + "/tasks/actions/unlock-after-mapping/1/", mapper, "{\"status\": \"MAPPED\"}", 200);
        send("POST", "/api/v2/projects/" + project + "/tasks/actions/lock-for-mapping/2", friend, null, 403);

        // they talk: a mention reaches the bell and the notification list
        int before = send("GET", "/api/v2/notifications/queries/own/count-unread/", friend, null, 200).path("unread").asInt();
        send("POST", "/api/v2/projects/" + project + "/comments/", mapper,
                "{\"message\": \"@" + friendName + " can you join us? <b>north</b> is done\"}", 200);
        assertThat(send("GET", "/api/v2/projects/" + project + "/comments/", null, null, 200).path("chat").get(0).path("message").asText())
                .doesNotContain("<b>");
        assertThat(send("GET", "/api/v2/notifications/queries/own/count-unread/", friend, null, 200).path("unread").asInt())
                .isEqualTo(before + 1);
        assertThat(hasType(send("GET", "/api/v2/notifications/", friend, null, 200), "MENTION_NOTIFICATION")).isTrue();
        JsonNode profile = send("GET", "/api/v2/users/queries/" + mapperName + "/", friend, null, 200);
        assertThat(profile.path("username").asText()).isEqualTo(mapperName);
        assertThat(profile.path("projectsMapped").asInt()).isEqualTo(1);

        // the manager's message to the team goes through the queue and the messenger
        send("POST", "/api/v2/teams/" + team + "/actions/message-members/", lead,
                "{\"subject\": \"Shift\", \"message\": \"We start at nine\"}", 200);
        assertThat(hasType(awaitJson("/api/v2/notifications/", mapper, n -> hasType(n, "TEAM_BROADCAST")), "TEAM_BROADCAST")).isTrue();
        assertThat(campaign).isPositive();
    }
}
