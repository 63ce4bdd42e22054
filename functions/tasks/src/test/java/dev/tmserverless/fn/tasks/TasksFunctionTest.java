package dev.tmserverless.fn.tasks;

import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The mapping workflow through the real handler against dynalite. */
class TasksFunctionTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-fn").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String lock(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/lock-for-mapping/" + t + "/"; }

    static String unlock(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/unlock-after-mapping/" + t + "/"; }

    static String stop(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/stop-mapping/" + t + "/"; }

    @Test
    void actionsWithoutATokenAreRefusedWith401() {
        var a = call(fn, "POST", lock(1, 1), null, null);
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.subCode()).isEqualTo("InvalidToken");
        assertThat(a.json().path("Error").asText()).isEqualTo("Not authenticated");
        assertThat(a.headers()).containsEntry("www-authenticate", "Bearer");
        var bad = call(fn, "POST", lock(1, 1), "Token bm9wZQ==", null);
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.json().path("Error").asText()).isEqualTo("Token is expired or invalid");
    }

    @Test
    void unknownProjectAndTaskAre404WithStructuredBodies() {
        User u = fx.user("mapper");
        Project p = fx.project(u, ProjectStatus.PUBLISHED, 2);
        var noProject = call(fn, "POST", lock(999_999, 1), token(u.id()), null);
        assertThat(noProject.status()).isEqualTo(404);
        assertThat(noProject.structuredSubCode()).isEqualTo("PROJECT_NOT_FOUND");
        var noTask = call(fn, "POST", lock(p.id(), 999_999), token(u.id()), null);
        assertThat(noTask.status()).isEqualTo(404);
        assertThat(noTask.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(noTask.json().path("error").path("details").path("task_id").asInt()).isEqualTo(999_999);
        // an id beyond the int range names no task (it must not wrap around to task 1)
        var overflow = call(fn, "POST", lock(p.id(), 0).replace("/0/", "/4294967297/"), token(u.id()), null);
        assertThat(overflow.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.READY);
    }

    @Test
    void aDraftCannotBeLockedByANonManager() {
        User author = fx.user("author");
        User other = fx.user("other");
        Project p = fx.project(author, ProjectStatus.DRAFT, 1);
        assertThat(call(fn, "POST", lock(p.id(), 1), token(other.id()), null).subCode()).isEqualTo("ProjectNotPublished");
        // the author is a project manager and may work on the draft
        var a = call(fn, "POST", lock(p.id(), 1), token(author.id()), null);
        assertThat(a.status()).isEqualTo(200);
    }

    @Test
    void lockAnswersTheReferenceTaskDto() {
        User u = fx.user("ana");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        var a = call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        assertThat(a.status()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        a.json().fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("taskId", "projectId", "taskStatus", "lockHolder", "taskHistory", "taskAnnotation",
                "perTaskInstructions", "autoUnlockSeconds", "lastUpdated", "numberOfComments");
        assertThat(a.json().path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(a.json().path("lockHolder").asText()).isEqualTo(u.username());
        assertThat(a.json().path("autoUnlockSeconds").asLong()).isEqualTo(7200);
        assertThat(a.json().path("taskHistory").get(0).path("action").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(a.json().path("taskHistory").get(0).path("actionText").isNull()).isTrue();
        // locking again is idempotent: same lock, no new history row
        var again = call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("taskHistory").size()).isEqualTo(1);
        // somebody else is refused
        var other = call(fn, "POST", lock(p.id(), 1), token(fx.user("ben").id()), null);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.subCode()).isEqualTo("InvalidTaskState");
    }

    @Test
    void oneLockedTaskPerUserAcrossProjects() {
        User u = fx.user("solo");
        User pm = fx.user("pm");
        Project p1 = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        Project p2 = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", lock(p1.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        var second = call(fn, "POST", lock(p2.id(), 2), token(u.id()), null);
        assertThat(second.status()).isEqualTo(403);
        assertThat(second.subCode()).isEqualTo("UserAlreadyHasTaskLocked");
        assertThat(fx.tasks.get(p2.id(), 2).orElseThrow().status()).isEqualTo(TaskStatus.READY);
        assertThat(call(fn, "POST", stop(p1.id(), 1), token(u.id()), "{}").status()).isEqualTo(200);
        assertThat(call(fn, "POST", lock(p2.id(), 2), token(u.id()), null).status()).isEqualTo(200);
    }

    @Test
    void unlockAfterMappingRecordsHistoryAndCounters() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 3);
        call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        var a = call(fn, "POST", unlock(p.id(), 1), token(u.id()), "{\"status\": \"mapped\", \"comment\": \"all <done>\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("taskStatus").asText()).isEqualTo("MAPPED");
        assertThat(a.json().path("lockHolder").isNull()).isTrue();
        var h = a.json().path("taskHistory");
        assertThat(h.get(0).path("action").asText()).isEqualTo("STATE_CHANGE");
        assertThat(h.get(0).path("actionText").asText()).isEqualTo("MAPPED");
        assertThat(h.get(0).path("actionBy").asText()).isEqualTo(u.username());
        assertThat(h.get(1).path("action").asText()).isEqualTo("COMMENT");
        assertThat(h.get(1).path("actionText").asText()).isEqualTo("all &lt;done&gt;");
        assertThat(h.get(2).path("action").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(h.get(2).path("actionText").asText()).matches("\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?");
        var counters = fx.projects.get(p.id()).orElseThrow().counters();
        assertThat(counters.tasksMapped()).isEqualTo(1);
        assertThat(counters.percentMapped()).isEqualTo(33);
        // the task is now MAPPED: it cannot be locked for mapping again
        assertThat(call(fn, "POST", lock(p.id(), 1), token(u.id()), null).subCode()).isEqualTo("InvalidTaskState");
        // and the mapper's lock slot is free again
        assertThat(call(fn, "POST", lock(p.id(), 2), token(u.id()), null).status()).isEqualTo(200);
    }

    @Test
    void unlockRefusalsComeInTheReferenceOrderAndChangeNothing() {
        User u = fx.user("mapper");
        User other = fx.user("other");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", unlock(p.id(), 1), token(u.id()), "not json").subCode()).isEqualTo("InvalidData");
        assertThat(call(fn, "POST", unlock(p.id(), 1), token(u.id()), "{}").subCode()).isEqualTo("InvalidData");
        assertThat(call(fn, "POST", unlock(p.id(), 1), token(u.id()), "{\"status\":\"test\"}").subCode())
                .isEqualTo("LockBeforeUnlocking");
        call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        assertThat(call(fn, "POST", unlock(p.id(), 1), token(other.id()), "{\"status\":\"MAPPED\"}").subCode())
                .isEqualTo("TaskNotOwned");
        var invalid = call(fn, "POST", unlock(p.id(), 1), token(u.id()), "{\"status\":\"INVALIDATED\"}");
        assertThat(invalid.status()).isEqualTo(403);
        assertThat(invalid.subCode()).isEqualTo("InvalidUnlockState ");
        var unknown = call(fn, "POST", unlock(p.id(), 1), token(u.id()), "{\"status\":\"DONE\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.subCode()).isEqualTo("InvalidData");
        var t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.status()).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
        assertThat(t.history()).hasSize(1);
    }

    @Test
    void stopMappingRestoresTheTaskAndKeepsTheComment() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(fn, "POST", stop(p.id(), 1), token(u.id()), "{}").subCode()).isEqualTo("LockBeforeUnlocking");
        call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        var a = call(fn, "POST", stop(p.id(), 1), token(u.id()), "{\"comment\": \"cannot map\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("taskStatus").asText()).isEqualTo("READY");
        assertThat(a.json().path("taskHistory").get(0).path("actionText").asText()).isEqualTo("cannot map");
    }

    @Test
    void tasksFeatureCollectionHasTheReferenceProperties() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 3);
        call(fn, "POST", lock(p.id(), 2), token(u.id()), null);
        var all = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", null, null);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("features").size()).isEqualTo(3);
        var f = all.json().path("features").get(1);
        assertThat(f.path("geometry").path("type").asText()).isEqualTo("MultiPolygon");
        var props = f.path("properties");
        assertThat(props.path("taskId").asInt()).isEqualTo(2);
        assertThat(props.path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(props.path("lockedBy").asLong()).isEqualTo(u.id());
        assertThat(props.path("taskZoom").asInt()).isEqualTo(11);
        assertThat(props.has("mappedBy")).isTrue();
        var some = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks?tasks=3,1", null, null);
        assertThat(some.json().path("features").get(0).path("properties").path("taskId").asInt()).isEqualTo(3);
        assertThat(some.json().path("features").get(1).path("properties").path("taskId").asInt()).isEqualTo(1);
        var file = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/?as_file=true", null, null);
        assertThat(file.headers()).containsEntry("content-type", "application/geo+json");
        assertThat(file.headers().get("content-disposition")).contains(p.id() + "-tasks.geojson");
    }

    @Test
    void draftTasksAreHiddenFromOthers() {
        User author = fx.user("author");
        Project p = fx.project(author, ProjectStatus.DRAFT, 1);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", null, null).subCode()).isEqualTo("PrivateProject");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", token(fx.user("x").id()), null).subCode())
                .isEqualTo("ProjectNotFetched");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", token(author.id()), null).status()).isEqualTo(200);
        // one task's history and instructions are hidden the same way
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null).subCode()).isEqualTo("PrivateProject");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", token(fx.user("y").id()), null).subCode())
                .isEqualTo("ProjectNotFetched");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", token(author.id()), null).status()).isEqualTo(200);
        // a task id that does not exist answers the same: nobody outside learns which ids (how many tasks) there are
        var missing = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/999/", null, null);
        assertThat(missing.status()).isEqualTo(403);
        assertThat(missing.subCode()).isEqualTo("PrivateProject");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/999/", token(fx.user("y").id()), null).subCode())
                .isEqualTo("ProjectNotFetched");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/999/", token(author.id()), null).structuredSubCode())
                .isEqualTo("TASK_NOT_FOUND");
    }

    @Test
    void getTaskForAnUnknownProjectIsTaskNotFound() {
        var a = call(fn, "GET", "/api/v2/projects/123456789/tasks/1/", null, null);
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        var bad = call(fn, "GET", "/api/v2/projects/abc/tasks/1/", null, null);
        assertThat(bad.status()).isEqualTo(404);
    }

    static org.w3c.dom.Document xml(String body) throws Exception {
        var f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void tasksExportAsOsmXmlForJosm() throws Exception {
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 3);
        String base = "/api/v2/projects/" + p.id() + "/tasks/queries/xml/";
        var all = call(fn, "GET", base, null, null);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.headers()).containsEntry("content-type", "text/xml");
        var doc = xml(all.body());
        assertThat(doc.getDocumentElement().getAttribute("upload")).isEqualTo("never");
        var ways = doc.getElementsByTagName("way");
        assertThat(ways.getLength()).isEqualTo(3);
        assertThat(((org.w3c.dom.Element) ways.item(0)).getAttribute("id")).isEqualTo("-1");
        // a square task is one closed way of four nodes
        assertThat(((org.w3c.dom.Element) ways.item(0)).getElementsByTagName("nd").getLength()).isEqualTo(5);
        assertThat(doc.getElementsByTagName("node").getLength()).isEqualTo(12);
        var one = xml(call(fn, "GET", base + "?tasks=2", null, null).body());
        assertThat(((org.w3c.dom.Element) one.getElementsByTagName("way").item(0)).getAttribute("id")).isEqualTo("-2");
        var file = call(fn, "GET", base + "?tasks=2&as_file=true", null, null);
        assertThat(file.headers().get("content-disposition")).isEqualTo("attachment; filename=\"HOT-project-" + p.id() + ".osm\"");
        var none = call(fn, "GET", base + "?tasks=99", null, null);
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.structuredSubCode()).isEqualTo("TASKS_NOT_FOUND");
        assertThat(call(fn, "GET", base + "?tasks=x", null, null).subCode()).isEqualTo("InvalidData");
        assertThat(call(fn, "GET", "/api/v2/projects/999999/tasks/queries/xml/", null, null).status()).isEqualTo(404);
    }

    @Test
    void tasksExportAsGpx() throws Exception {
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        String base = "/api/v2/projects/" + p.id() + "/tasks/queries/gpx/";
        var all = call(fn, "GET", base, null, null);
        assertThat(all.status()).isEqualTo(200);
        var doc = xml(all.body());
        assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.topografix.com/GPX/1/1");
        assertThat(doc.getElementsByTagName("trkseg").getLength()).isEqualTo(2);
        assertThat(doc.getElementsByTagName("trkpt").getLength()).isEqualTo(10);
        assertThat(doc.getElementsByTagName("wpt").getLength()).isEqualTo(8);
        assertThat(doc.getElementsByTagName("name").item(0).getTextContent())
                .isEqualTo("Task for project " + p.id() + ". Do not edit outside of this area!");
        var file = call(fn, "GET", base + "?as_file=true", null, null);
        assertThat(file.headers().get("content-disposition")).contains("HOT-project-" + p.id() + ".gpx");
        assertThat(call(fn, "GET", base + "?tasks=7", null, null).structuredSubCode()).isEqualTo("TASKS_NOT_FOUND");
    }

    @Test
    void theMountServesItsRoutesWithOrWithoutTheSlashAndAnswersUnknownPathsAndMethods() {
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        var slash = Api.event("GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null);
        assertThat(slash.getRouteKey()).isEqualTo("ANY /api/v2/projects/{projectId}/tasks/{proxy+}");
        assertThat(fn.handleRequest(slash, new Api.TestContext()).getStatusCode()).isEqualTo(200);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1", null, null).status()).isEqualTo(200);
        // what the mount also forwards: a deeper path that is no route, and a known path with another method
        var deeper = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/history/extra", null, null);
        assertThat(deeper.status()).isEqualTo(404);
        assertThat(deeper.structuredSubCode()).isEqualTo("NOT_FOUND");
        var wrongMethod = call(fn, "DELETE", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.structuredSubCode()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void theSnapStartKeepAliveIsAnsweredWithoutRoutingOrAToken() {
        var e = com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.builder().withVersion("2.0")
                .withRouteKey(dev.tmserverless.core.catalogue.Resources.KEEP_ALIVE_ROUTE_KEY)
                .withRawPath(dev.tmserverless.core.catalogue.Resources.KEEP_ALIVE_PATH).build();
        var r = fn.handleRequest(e, new Api.TestContext());
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(r.getBody()).isEqualTo("{}");
        // the same path through a mount's route key is an ordinary unknown path
        e.setRouteKey("ANY /api/v2/projects/{projectId}/tasks/{proxy+}");
        assertThat(fn.handleRequest(e, new Api.TestContext()).getStatusCode()).isEqualTo(404);
    }

    @Test
    void longCommentsNeverOutgrowTheTaskAndComeBackWhole() {
        User u = fx.user("talker");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        String tok = token(u.id());
        // quotes escape to six characters each: one such comment stored inline would be ~54 KB
        String comment = "'".repeat(9_000);
        String escaped = "&#x27;".repeat(9_000);
        for (int round = 0; round < 12; round++) {
            assertThat(call(fn, "POST", lock(p.id(), 1), tok, null).status()).as("lock %d", round).isEqualTo(200);
            var stopped = call(fn, "POST", stop(p.id(), 1), tok, "{\"comment\": \"" + comment + round + "\"}");
            assertThat(stopped.status()).as("stop %d", round).isEqualTo(200);
            assertThat(stopped.json().path("taskHistory").get(0).path("actionText").asText()).isEqualTo(escaped + round);
        }
        var read = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null);
        List<String> comments = new ArrayList<>();
        read.json().path("taskHistory").forEach(h -> { if (h.path("action").asText().equals("COMMENT")) comments.add(h.path("actionText").asText()); });
        assertThat(comments).hasSize(12).first().isEqualTo(escaped + 11);
        // 24 history rows with 650 KB of comments, and the task item stays small
        var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
        var item = ddb.getItem(b -> b.tableName(table).key(java.util.Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("TASK#0000001")))).item();
        assertThat(item.get("h").toString().length()).isLessThan(10_000);
        // a comment above the limit is refused and changes nothing
        call(fn, "POST", lock(p.id(), 1), tok, null);
        var tooLong = call(fn, "POST", stop(p.id(), 1), tok, "{\"comment\": \"" + "x".repeat(10_001) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.subCode()).isEqualTo("InvalidData");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
        // split children copy none of the parent's rows, so none of its comments (docs/locking.md "Split")
        var split = call(fn, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/split/1/", tok, null);
        assertThat(split.status()).isEqualTo(200);
        assertThat(split.json().path("tasks").get(0).path("taskHistory").size()).isEqualTo(2);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/2/", null, null).body()).doesNotContain("&#x27;");
    }
}
