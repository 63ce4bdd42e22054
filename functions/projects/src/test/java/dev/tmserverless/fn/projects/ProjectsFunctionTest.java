package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Organisation;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Project creation, reading and publishing through the real handler against the emulators. */
class ProjectsFunctionTest {
    static final String AOI = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
             "coordinates":[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.1],[-4.02,56.09]]]}}]}""";
    static final String BOW_TIE = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
             "coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}""";
    static final String HUGE = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
             "coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}}]}""";

    static Isolated isolated;
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;
    static User admin;
    static User manager;
    static User mapper;
    static Organisation org;

    @BeforeAll
    static void start() {
        isolated = Emulators.shared().isolated("projects-fn");
        env = isolated.applyAsSystemProperties();
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
        admin = fx.user("admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        manager = fx.user("manager");
        mapper = fx.user("mapper");
        org = fx.orgs.create("Kathmandu Living Labs", "KLL", null, null, null, null, List.of(manager.id()));
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String body(String aoi, String extra) {
        return "{\"projectName\": \"Flood response\", \"organisation\": " + org.id() + ", \"areaOfInterest\": " + aoi
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    static String grid(int zoom) { return "\"grid\": {\"zoom\": " + zoom + ", \"clipToAoi\": true}"; }

    static long create(User u, String body) {
        var a = call(fn, "POST", "/api/v2/projects/", token(u.id()), body);
        assertThat(a.status()).as(String.valueOf(a.json())).isEqualTo(201);
        return a.json().path("projectId").asLong();
    }

    /** Receives what the projects function queued for the grid worker. */
    static List<String> queuedJobs() {
        List<String> out = new ArrayList<>();
        var sqs = Emulators.shared().sqs();
        for (int i = 0; i < 3; i++) {
            var res = sqs.receiveMessage(b -> b.queueUrl(isolated.queueUrl(Resources.GRID_JOBS)).maxNumberOfMessages(10)
                    .waitTimeSeconds(0));
            res.messages().forEach(m -> {
                out.add(m.body());
                sqs.deleteMessage(d -> d.queueUrl(isolated.queueUrl(Resources.GRID_JOBS)).receiptHandle(m.receiptHandle()));
            });
            if (!out.isEmpty()) break;
        }
        return out;
    }

    @Test
    void creatingAProjectFromAnAoiAndAZoomQueuesAGridJob() {
        queuedJobs();
        long id = create(manager, body(AOI, grid(14)));
        assertThat(queuedJobs()).containsExactly("{\"projectId\":" + id + "}");
        GridJob job = fx.jobs.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(GridJob.State.QUEUED);
        assertThat(job.source()).isEqualTo("GRID");
        assertThat(job.zoom()).isEqualTo(14);
        var status = call(fn, "GET", "/api/v2/projects/" + id + "/queries/grid-job/", token(manager.id()), null);
        assertThat(status.json().path("state").asText()).isEqualTo("QUEUED");
        assertThat(status.json().path("tasksWritten").asLong()).isZero();
        var p = fx.projects.get(id).orElseThrow().project();
        assertThat(p.status()).isEqualTo(ProjectStatus.DRAFT);
        assertThat(p.authorId()).isEqualTo(manager.id());
        assertThat(p.changesetComment()).isEqualTo("#hot-tm-stage-project-" + id);
        assertThat(p.areaKm2()).isBetween(1.0, 1.6);
    }

    @Test
    void referenceStyleTaskFeaturesAndArbitraryTasksAreAccepted() {
        String tasks = """
                "tasks": {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":2020,"y":2798,"zoom":12,"isSquare":true},
                 "geometry":{"type":"MultiPolygon","coordinates":[[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.1],[-4.02,56.09]]]]}}]}""";
        long a = create(admin, body(AOI, tasks));
        assertThat(fx.jobs.get(a).orElseThrow().source()).isEqualTo("FEATURES");
        long b = create(admin, body(AOI, "\"arbitraryTasks\": true"));
        assertThat(fx.jobs.get(b).orElseThrow().source()).isEqualTo("ARBITRARY");
        assertThat(fx.projects.get(b).orElseThrow().project().taskCreationMode()).isEqualTo("ARBITRARY");
        queuedJobs();
    }

    @Test
    void creationRefusalsHaveTheReferenceShapesAndWriteNothing() {
        long before = fx.counters.next("PROJECT");
        var noToken = call(fn, "POST", "/api/v2/projects/", null, body(AOI, grid(14)));
        assertThat(noToken.status()).isEqualTo(401);
        var empty = call(fn, "POST", "/api/v2/projects/", token(manager.id()), "{}");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"projectName\"]");
        var malformed = call(fn, "POST", "/api/v2/projects/", token(manager.id()), "{\"projectName\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.subCode()).isEqualTo("InvalidData");
        var notManager = call(fn, "POST", "/api/v2/projects/", token(mapper.id()), body(AOI, grid(14)));
        assertThat(notManager.status()).isEqualTo(403);
        assertThat(notManager.subCode()).isEqualTo("NotPermittedToCreate");
        var unknownOrg = call(fn, "POST", "/api/v2/projects/", token(admin.id()),
                body(AOI, grid(14)).replace("\"organisation\": " + org.id(), "\"organisation\": 987654"));
        assertThat(unknownOrg.status()).isEqualTo(404);
        assertThat(unknownOrg.structuredSubCode()).isEqualTo("ORGANISATION_NOT_FOUND");
        assertThat(call(fn, "POST", "/api/v2/projects/", token(admin.id()), body(BOW_TIE, grid(14))).subCode())
                .isEqualTo("SelfIntersectingAOI");
        assertThat(call(fn, "POST", "/api/v2/projects/", token(admin.id()), body(HUGE, grid(11))).subCode())
                .isEqualTo("AOITooLarge");
        assertThat(call(fn, "POST", "/api/v2/projects/", token(admin.id()), body(AOI, grid(40))).subCode())
                .isEqualTo("InvalidZoomLevel");
        assertThat(call(fn, "POST", "/api/v2/projects/", token(admin.id()),
                body("{\"type\":\"FeatureCollection\",\"features\":[]}", grid(14))).subCode()).isEqualTo("MustHaveFeatures");
        assertThat(call(fn, "POST", "/api/v2/projects/", token(admin.id()), body(AOI,
                "\"tasks\": {\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"x\":1,\"y\":1,\"zoom\":1},"
                        + "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.09]]]]}}]}")).subCode())
                .isEqualTo("PropertyNotFound");
        // none of these allocated a project id
        assertThat(fx.counters.next("PROJECT")).isEqualTo(before + 1);
        assertThat(queuedJobs()).isEmpty();
    }

    /** A small task of the AOI, then one whose stored geometry and extra properties take {@code bytes}. */
    static String tasksWithOneOf(int bytes) {
        String small = "{\"type\":\"Feature\",\"properties\":{\"x\":null,\"y\":null,\"zoom\":null,\"isSquare\":false},"
                + "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.09]]]]}}";
        return "\"tasks\": " + dev.tmserverless.testing.BigShapes.featureCollection(small,
                dev.tmserverless.testing.BigShapes.taskFeature(-4.01, 56.095, bytes));
    }

    @Test
    void aTaskShapeThatCannotFitItsItemIsRefusedAtCreationAndWritesNothing() {
        int max = dev.tmserverless.core.geo.TaskShapeBudget.MAX_BYTES;
        queuedJobs();
        long before = fx.counters.next("PROJECT");
        // one byte over the budget: 400 naming the task, nothing written
        var over = call(fn, "POST", "/api/v2/projects/", token(manager.id()), body(AOI, tasksWithOneOf(max + 1)));
        assertThat(over.status()).isEqualTo(400);
        assertThat(over.subCode()).isEqualTo("TaskShapeTooLarge");
        assertThat(over.json().path("Error").asText()).startsWith("Task 2 (feature 1 of tasks, from 0) would store "
                + String.format(java.util.Locale.ROOT, "%,d", max + 1) + " bytes");
        // arbitrary tasks: a detailed polygon of the AOI itself (about 600 KB of outline)
        String detailed = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"name\":\"Block\"},"
                + "\"geometry\":" + dev.tmserverless.testing.BigShapes.circle(-4.01, 56.095, 0.005, 25_000) + "}]}";
        var arbitrary = call(fn, "POST", "/api/v2/projects/", token(manager.id()), body(detailed, "\"arbitraryTasks\": true"));
        assertThat(arbitrary.status()).isEqualTo(400);
        assertThat(arbitrary.subCode()).isEqualTo("TaskShapeTooLarge");
        assertThat(arbitrary.json().path("Error").asText()).startsWith("Task 1 (polygon feature 0 of the Area of Interest");
        // a server grid whose one clipped cell is that outline (the AOI lies inside one zoom-11 tile)
        var grid = call(fn, "POST", "/api/v2/projects/", token(manager.id()), body(detailed, grid(11)));
        assertThat(grid.status()).isEqualTo(400);
        assertThat(grid.subCode()).isEqualTo("TaskShapeTooLarge");
        assertThat(grid.json().path("Error").asText()).startsWith("Task 1 (the tile 1001/1411/11 clipped to the Area of Interest) would store");
        // none of these allocated a project id, queued a job or wrote a project
        long after = fx.counters.next("PROJECT");
        assertThat(after).isEqualTo(before + 1);
        assertThat(queuedJobs()).isEmpty();
        assertThat(fx.projects.get(after)).isEmpty();
        assertThat(fx.jobs.get(after)).isEmpty();

        // exactly at the budget: created, its job queued with both tasks
        long id = create(manager, body(AOI, tasksWithOneOf(max)));
        assertThat(fx.jobs.get(id).orElseThrow().source()).isEqualTo("FEATURES");
        assertThat(queuedJobs()).containsExactly("{\"projectId\":" + id + "}");
        // the same detailed AOI unclipped: its tasks are squares, which store no geometry
        long squares = create(manager, body(detailed, "\"grid\": {\"zoom\": 11, \"clipToAoi\": false}"));
        assertThat(fx.jobs.get(squares).orElseThrow().state()).isEqualTo(GridJob.State.QUEUED);
        queuedJobs();
    }

    @Test
    void aDraftIsVisibleToItsManagersOnly() {
        long id = create(manager, body(AOI, grid(14)));
        var author = call(fn, "GET", "/api/v2/projects/" + id + "/", token(manager.id()), null);
        assertThat(author.status()).isEqualTo(200);
        JsonNode p = author.json();
        assertThat(p.path("projectId").asLong()).isEqualTo(id);
        assertThat(p.path("status").asText()).isEqualTo("DRAFT");
        assertThat(p.path("areaOfInterest").path("type").asText()).isEqualTo("MultiPolygon");
        assertThat(p.path("organisationName").asText()).isEqualTo("Kathmandu Living Labs");
        assertThat(p.path("projectInfo").path("name").asText()).isEqualTo("Flood response");
        assertThat(p.has("dueDate") && p.get("dueDate").isNull()).isTrue();
        List<String> infoKeys = new ArrayList<>();
        p.path("projectInfo").fieldNames().forEachRemaining(infoKeys::add);
        assertThat(infoKeys).containsExactly("locale", "name", "shortDescription", "description", "instructions", "perTaskInstructions");
        assertThat(call(fn, "GET", "/api/v2/projects/" + id, token(mapper.id()), null).subCode()).isEqualTo("ProjectNotFetched");
        assertThat(call(fn, "GET", "/api/v2/projects/" + id, null, null).subCode()).isEqualTo("PrivateProject");
        var missing = call(fn, "GET", "/api/v2/projects/99999999/", null, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.structuredSubCode()).isEqualTo("PROJECT_NOT_FOUND");
        queuedJobs();
    }

    static String publishBody(String status, String description) {
        return """
                {"status": "%s", "projectPriority": "HIGH", "defaultLocale": "en", "difficulty": "EASY",
                 "mappingPermission": "any", "mappingPermissionLevelId": 1, "validationPermission": "ANY",
                 "validationPermissionLevelId": 2, "private": false, "taskCreationMode": "GRID",
                 "mappingEditors": ["ID", "JOSM"], "validationEditors": ["JOSM"],
                 "projectInfoLocales": [{"locale": "en", "name": "Flood response", "shortDescription": "Map buildings",
                   "description": "%s", "instructions": "Trace every building"}]}""".formatted(status, description);
    }

    @Test
    void publishingNeedsAManagerCompleteInfoAndAllTasksWritten() {
        long id = create(manager, body(AOI, grid(14)));
        String path = "/api/v2/projects/" + id + "/";
        assertThat(call(fn, "PATCH", path, token(mapper.id()), publishBody("PUBLISHED", "x")).subCode())
                .isEqualTo("UserPermissionError");
        assertThat(call(fn, "PATCH", "/api/v2/projects/99999999/", token(manager.id()), publishBody("PUBLISHED", "x"))
                .structuredSubCode()).isEqualTo("PROJECT_NOT_FOUND");
        assertThat(call(fn, "PATCH", path, token(manager.id()), publishBody("PUBLISHED", "")).subCode())
                .isEqualTo("MissingRequiredAttribute");
        var badEnum = call(fn, "PATCH", path, token(manager.id()), publishBody("SOMETIMES", "x"));
        assertThat(badEnum.status()).isEqualTo(400);
        assertThat(badEnum.json().path("error").path("message").asText()).isEqualTo("Unknown status: SOMETIMES");
        assertThat(call(fn, "PATCH", path, token(manager.id()), "{\"status\": \"PUBLISHED\"}").subCode()).isEqualTo("InvalidData");
        assertThat(call(fn, "PATCH", path, token(manager.id()), publishBody("PUBLISHED", "x")).subCode()).isEqualTo("GridNotReady");
        // a draft may be saved while the grid is still being written
        assertThat(call(fn, "PATCH", path, token(manager.id()), publishBody("DRAFT", "")).status()).isEqualTo(200);
        fx.jobs.finished(id, GridJob.State.DONE, null, Instant.now());
        var ok = call(fn, "PATCH", path, token(manager.id()), publishBody("PUBLISHED", "Floods in the valley"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("Status").asText()).isEqualTo("Updated");
        var p = call(fn, "GET", path, token(manager.id()), null).json();
        assertThat(p.path("status").asText()).isEqualTo("PUBLISHED");
        assertThat(p.path("projectPriority").asText()).isEqualTo("HIGH");
        assertThat(p.path("mappingPermission").asText()).isEqualTo("ANY");
        assertThat(p.path("projectInfo").path("description").asText()).isEqualTo("Floods in the valley");
        queuedJobs();
    }

    static String withAreas(String body, String areas) {
        return body.replaceFirst("\\{", "{\"priorityAreas\": " + areas + ", ");
    }

    @Test
    void textsTooBigForTheProjectItemAreRefusedWith400AndChangeNothing() {
        long id = create(manager, body(AOI, grid(14)));
        String path = "/api/v2/projects/" + id + "/";
        var huge = call(fn, "PATCH", path, token(manager.id()), publishBody("DRAFT", "x".repeat(450_000)));
        assertThat(huge.status()).isEqualTo(400);
        assertThat(call(fn, "GET", path, token(manager.id()), null).json().path("projectInfo").path("description").asText())
                .doesNotContain("xxxx");
        // a long name at creation is refused before anything is stored
        String longName = body(AOI, grid(14)).replace("\"Flood response\"", "\"" + "n".repeat(450_000) + "\"");
        assertThat(longName).contains("nnnn");
        assertThat(call(fn, "POST", "/api/v2/projects/", token(manager.id()), longName).status()).isIn(400, 422);
    }

    @Test
    void priorityAreasAreStoredByPatchAndAnsweredAsAListOfPolygons() {
        long id = create(manager, body(AOI, grid(14)));
        String path = "/api/v2/projects/" + id + "/";
        String areasPath = path + "queries/priority-areas/";
        var none = call(fn, "GET", areasPath, null, null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().isArray()).isTrue();
        assertThat(none.json()).isEmpty();

        String two = """
                [{"type":"Polygon","coordinates":[[[-4.02,56.09],[-4.01,56.09],[-4.01,56.095],[-4.02,56.09]]]},
                 {"type":"Polygon","coordinates":[[[-4.005,56.095],[-4.0,56.095],[-4.0,56.1],[-4.005,56.095]]]}]""";
        assertThat(call(fn, "PATCH", path, token(manager.id()), withAreas(publishBody("DRAFT", ""), two)).status())
                .isEqualTo(200);
        var got = call(fn, "GET", areasPath, null, null).json();
        assertThat(got.size()).isEqualTo(2);
        assertThat(got.get(0).path("type").asText()).isEqualTo("Polygon");
        assertThat(got.get(1).path("coordinates").get(0).get(0).get(0).asDouble()).isEqualTo(-4.005);
        // the project itself carries them too (the edit form reads them there)
        assertThat(call(fn, "GET", path, token(manager.id()), null).json().path("priorityAreas").size()).isEqualTo(2);

        // bad geometry is refused and changes nothing
        String bowTie = "[{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}]";
        String point = "[{\"type\":\"Point\",\"coordinates\":[0,0]}]";
        String farOff = "[{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[500,0],[0,1],[0,0]]]}]";
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= PriorityAreas.MAX_AREAS; i++) {
            many.append(i == 0 ? "" : ",").append("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,1],[0,0]]]}");
        }
        for (String bad : List.of(bowTie, point, farOff, "{}", "[\"x\"]", many.append("]").toString())) {
            var r = call(fn, "PATCH", path, token(manager.id()), withAreas(publishBody("DRAFT", ""), bad));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.subCode()).as(bad).isEqualTo("InvalidGeoJson");
        }
        assertThat(call(fn, "GET", areasPath, null, null).json().size()).isEqualTo(2);

        // a body without the field keeps them; an empty list clears them
        assertThat(call(fn, "PATCH", path, token(manager.id()), publishBody("DRAFT", "")).status()).isEqualTo(200);
        assertThat(call(fn, "GET", areasPath, null, null).json().size()).isEqualTo(2);
        assertThat(call(fn, "PATCH", path, token(manager.id()), withAreas(publishBody("DRAFT", ""), "[]")).status())
                .isEqualTo(200);
        assertThat(call(fn, "GET", areasPath, null, null).json()).isEmpty();
        assertThat(call(fn, "GET", "/api/v2/projects/99999999/queries/priority-areas/", null, null).status())
                .isEqualTo(404);
        queuedJobs();
    }

    @Test
    void theStoredAoiIsPublicAndDownloadable() {
        long id = create(manager, body(AOI, grid(14)));
        var aoi = call(fn, "GET", "/api/v2/projects/" + id + "/queries/aoi/", null, null);
        assertThat(aoi.status()).isEqualTo(200);
        assertThat(aoi.json().path("type").asText()).isEqualTo("MultiPolygon");
        assertThat(aoi.json().path("coordinates").get(0).get(0).size()).isEqualTo(5);
        var file = call(fn, "GET", "/api/v2/projects/" + id + "/queries/aoi/?as_file=true", null, null);
        assertThat(file.headers()).containsEntry("content-type", "application/geo+json");
        assertThat(file.headers().get("content-disposition")).isEqualTo("attachment; filename=\"" + id + "-aoi.geojson\"");
        assertThat(call(fn, "GET", "/api/v2/projects/99999999/queries/aoi/", null, null).structuredSubCode())
                .isEqualTo("PROJECT_NOT_FOUND");
        queuedJobs();
    }

    @Test
    void intersectingTilesTrimsAGridToTheAoi() {
        String path = "/api/v2/projects/actions/intersecting-tiles/";
        // a 2×1 grid of unit squares; the AOI covers the left one fully and half of the right one
        String grid = """
                {"type":"FeatureCollection","features":[
                 {"type":"Feature","properties":{"x":0,"y":0,"zoom":1,"isSquare":true},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}},
                 {"type":"Feature","properties":{"x":1,"y":0,"zoom":1,"isSquare":true},"geometry":{"type":"MultiPolygon","coordinates":[[[[1,0],[2,0],[2,1],[1,1],[1,0]]]]}},
                 {"type":"Feature","properties":{"x":2,"y":0,"zoom":1,"isSquare":true},"geometry":{"type":"MultiPolygon","coordinates":[[[[2,0],[3,0],[3,1],[2,1],[2,0]]]]}}]}""";
        String aoi = """
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
                 "coordinates":[[[0,0],[1.5,0],[1.5,1],[0,1],[0,0]]]}}]}""";
        assertThat(call(fn, "POST", path, null, "{}").status()).isEqualTo(401);
        assertThat(call(fn, "POST", path, token(mapper.id()), "{\"grid\":\"invalid\"}").status()).isEqualTo(422);
        var clipped = call(fn, "POST", path, token(mapper.id()),
                "{\"areaOfInterest\": " + aoi + ", \"grid\": " + grid + ", \"clipToAoi\": true}");
        assertThat(clipped.status()).isEqualTo(200);
        var f = clipped.json().path("features");
        assertThat(f.size()).isEqualTo(2);
        assertThat(f.get(0).path("properties").path("isSquare").asBoolean()).isTrue();
        assertThat(f.get(1).path("properties").path("isSquare").asBoolean()).isFalse();
        assertThat(f.get(1).path("geometry").path("type").asText()).isEqualTo("MultiPolygon");
        var kept = call(fn, "POST", path, token(mapper.id()),
                "{\"areaOfInterest\": " + aoi + ", \"grid\": " + grid + ", \"clipToAoi\": false}");
        assertThat(kept.json().path("features").get(1).path("properties").path("isSquare").asBoolean()).isTrue();
        assertThat(call(fn, "POST", path, token(mapper.id()), "{\"areaOfInterest\": " + BOW_TIE + ", \"grid\": " + grid
                + ", \"clipToAoi\": true}").subCode()).isEqualTo("SelfIntersectingAOI");
        assertThat(call(fn, "POST", path, token(mapper.id()), "{\"areaOfInterest\": {\"type\":\"FeatureCollection\",\"features\":[]}, \"grid\": "
                + grid + ", \"clipToAoi\": true}").subCode()).isEqualTo("MustHaveFeatures");
    }

    @Test
    void theProjectComesFromTheTaskMapSnapshotWithAnETagAndAChangeShowsAtOnce() {
        User pm = fx.user("pm");
        var p = fx.project(pm, ProjectStatus.PUBLISHED, 3);
        String path = "/api/v2/projects/" + p.id() + "/";
        var first = call(fn, "GET", path, token(manager.id()), null);
        assertThat(first.headers()).containsEntry("cache-control", "public, max-age=2, s-maxage=2");
        String etag = first.headers().get("etag");
        assertThat(call(fn, "GET", path, null, null, java.util.Map.of("if-none-match", etag)).status()).isEqualTo(304);
        // abbreviated has its own ETag and no geometries
        var abbreviated = call(fn, "GET", path + "?abbreviated=true", null, null);
        assertThat(abbreviated.headers().get("etag")).isNotEqualTo(etag);
        assertThat(abbreviated.json().path("tasks").path("features").get(0).path("geometry").isNull()).isTrue();
        assertThat(first.json().path("tasks").path("features").get(0).path("geometry").path("type").asText()).isNotEmpty();
        // a committed task change: a new ETag, the new state, its counters and active mappers
        var m = fx.user("m");
        var t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(fx.tasks.apply(dev.tmserverless.core.domain.TaskMachine.lockForMapping(t, m.actor(), Instant.now(),
                java.time.Duration.ofHours(2)))).isTrue();
        var changed = call(fn, "GET", path, null, null, java.util.Map.of("if-none-match", etag));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.headers().get("etag")).isNotEqualTo(etag);
        assertThat(changed.json().path("activeMappers").asInt()).isEqualTo(1);
        assertThat(changed.json().path("tasks").path("features").get(0).path("properties").path("taskStatus").asText())
                .isEqualTo("LOCKED_FOR_MAPPING");
        // a draft is its managers': never in a shared cache
        var draft = fx.project(pm, ProjectStatus.DRAFT, 1);
        assertThat(call(fn, "GET", "/api/v2/projects/" + draft.id() + "/", token(pm.id()), null).headers())
                .containsEntry("cache-control", "private, no-cache");
    }

    /** The security review's comb AOI against the same comb turned a quarter: refused before any overlay. */
    @Test
    void intersectingTilesRefusesTheReviewsCombWith413() {
        int k = 1000;
        StringBuilder aoi = new StringBuilder("[[0,0],[" + (2 * k - 1) + ",0]");
        StringBuilder turned = new StringBuilder("[[0,0],[0," + (2 * k - 1) + "]");
        for (int i = k - 1; i >= 0; i--) {
            aoi.append(",[").append(2 * i + 1).append(',').append(2 * k).append("],[").append(2 * i).append(',').append(2 * k).append(']');
            turned.append(",[").append(2 * k).append(',').append(2 * i + 1).append("],[").append(2 * k).append(',').append(2 * i).append(']');
            if (i > 0) {
                aoi.append(",[").append(2 * i).append(",1],[").append(2 * i - 1).append(",1]");
                turned.append(",[1,").append(2 * i).append("],[1,").append(2 * i - 1).append(']');
            }
        }
        aoi.append(",[0,0]]");
        turned.append(",[0,0]]");
        String body = "{\"areaOfInterest\": {\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
                + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" + aoi + "]}}]}, \"grid\": {\"type\":\"FeatureCollection\","
                + "\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
                + turned + "]}}]}, \"clipToAoi\": true}";
        var a = call(fn, "POST", "/api/v2/projects/actions/intersecting-tiles/", token(mapper.id()), body);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.subCode()).isEqualTo("GridTooLarge");
        assertThat(a.json().path("Error").asText()).contains("vertices");
    }

    @Test
    void unknownRoutesAndNonNumericIdsAre404() {
        assertThat(call(fn, "GET", "/api/v2/projects/abc/", null, null).status()).isEqualTo(404);
    }

    @Test
    void theProjectsTaskMapFinishesASplitACrashLeftOpen() {
        User pm = fx.user("pm");
        var p = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        // a split of task 2 committed, then its function died before writing the children
        var t = fx.tasks.get(p.id(), 2).orElseThrow();
        int first = fx.projects.reserveTaskIds(p.id(), 4);
        fx.tasks.markSplit(t, List.of(first, first + 1, first + 2, first + 3), pm.actor(), Instant.now());
        var project = call(fn, "GET", "/api/v2/projects/" + p.id() + "/", null, null);
        assertThat(project.status()).isEqualTo(200);
        List<Integer> ids = new ArrayList<>();
        project.json().path("tasks").path("features").forEach(f -> ids.add(f.path("properties").path("taskId").asInt()));
        assertThat(ids).containsExactly(1, 3, 4, 5, 6);
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().totalTasks()).isEqualTo(5);
    }

    @Test
    void aZoomBeyondTheIntRangeIsRefusedNotWrapped() {
        long before = fx.counters.next("PROJECT");
        var a = call(fn, "POST", "/api/v2/projects/", token(manager.id()),
                body(AOI, "\"grid\": {\"zoom\": 4294967307, \"clipToAoi\": true}"));
        assertThat(a.status()).isEqualTo(422);
        assertThat(a.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"zoom\"]");
        assertThat(fx.projects.get(before + 1)).isEmpty();
    }

    @Test
    void movingAProjectNeedsAnIdAndTheRightToManageTheTargetOrganisation() {
        long id = create(manager, body(AOI, grid(14)));
        String path = "/api/v2/projects/" + id + "/";
        String base = publishBody("DRAFT", "x");
        for (String bad : List.of("true", "\"abc\"", "1.5", "[]")) {
            var a = call(fn, "PATCH", path, token(manager.id()), base.replaceFirst("\\{", "{\"organisation\": " + bad + ", "));
            assertThat(a.status()).as(bad).isEqualTo(400);
            assertThat(a.subCode()).isEqualTo("InvalidData");
        }
        var other = fx.orgs.create("Elsewhere", "EW", null, null, null, null, List.of(fx.user("other-manager").id()));
        String move = base.replaceFirst("\\{", "{\"organisation\": " + other.id() + ", ");
        var refused = call(fn, "PATCH", path, token(manager.id()), move);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.subCode()).isEqualTo("UserPermissionError");
        assertThat(fx.projects.get(id).orElseThrow().project().organisationId()).isEqualTo(org.id());
        assertThat(call(fn, "PATCH", path, token(admin.id()), move).status()).isEqualTo(200);
        assertThat(fx.projects.get(id).orElseThrow().project().organisationId()).isEqualTo(other.id());
    }

    @Test
    void aJobWhoseMessageWasLostIsSentAgainWhenItsStatusIsPolled() {
        queuedJobs(); // what earlier tests left
        long id = create(manager, body(AOI, grid(14)));
        assertThat(queuedJobs()).hasSize(1); // taken off the queue: as if the message had been lost
        String path = "/api/v2/projects/" + id + "/queries/grid-job/";
        // fresh: nothing is re-sent
        assertThat(call(fn, "GET", path, token(manager.id()), null).json().path("state").asText()).isEqualTo("QUEUED");
        assertThat(queuedJobs()).isEmpty();
        // still QUEUED a minute and more later: the poll sends it again, once
        GridJob j = fx.jobs.get(id).orElseThrow();
        fx.jobs.put(new GridJob(id, j.state(), j.source(), j.zoom(), j.clipToAoi(), j.total(), j.written(), null,
                Instant.now().minusSeconds(90)));
        call(fn, "GET", path, token(manager.id()), null);
        call(fn, "GET", path, token(manager.id()), null);
        assertThat(queuedJobs()).containsExactly("{\"projectId\":" + id + "}");
    }

    @Test
    void aRunningJobWhoseWorkerDiedIsSentAgainWhenItsStatusIsPolled() {
        queuedJobs();
        long id = create(manager, body(AOI, grid(14)));
        assertThat(queuedJobs()).hasSize(1); // the worker took it
        String path = "/api/v2/projects/" + id + "/queries/grid-job/";
        GridJob j = fx.jobs.get(id).orElseThrow();
        // running, progress recorded a moment ago: the worker is alive, nothing is sent
        fx.jobs.put(new GridJob(id, GridJob.State.RUNNING, j.source(), j.zoom(), j.clipToAoi(), 1000L, 300, null,
                Instant.now().minusSeconds(30)));
        call(fn, "GET", path, token(manager.id()), null);
        assertThat(queuedJobs()).isEmpty();
        // no progress for longer than a worker ever takes between flushes: it died; the poll sends the job once
        fx.jobs.put(new GridJob(id, GridJob.State.RUNNING, j.source(), j.zoom(), j.clipToAoi(), 1000L, 300, null,
                Instant.now().minus(ProjectsFunction.STALLED_AFTER).minusSeconds(10)));
        call(fn, "GET", path, token(manager.id()), null);
        call(fn, "GET", path, token(manager.id()), null);
        assertThat(queuedJobs()).containsExactly("{\"projectId\":" + id + "}");
        assertThat(fx.jobs.get(id).orElseThrow().written()).isEqualTo(300); // the new delivery resumes after these
    }

    /** The job's last change moves {@code ago} into the past, RUNNING, keeping everything else (its re-send count). */
    static void stall(long id, java.time.Duration ago) {
        var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        ddb.updateItem(b -> b.tableName(isolated.table())
                .key(java.util.Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + id),
                        "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("JOB#GRID")))
                .updateExpression("SET updated = :u, #st = :r")
                .expressionAttributeNames(java.util.Map.of("#st", "state"))
                .expressionAttributeValues(java.util.Map.of(
                        ":u", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(Instant.now().minus(ago).toString()),
                        ":r", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("RUNNING"))));
    }

    /**
     * A job whose worker dies every time (its time or memory limit) is sent again a few times, then FAILED, not
     * RUNNING forever; a project manager can queue it again, or delete the draft.
     */
    @Test
    void aJobWhoseWorkerKeepsDyingEndsFailedAndIsRetriedOrDeleted() {
        queuedJobs();
        long id = create(manager, body(AOI, grid(14)));
        assertThat(queuedJobs()).hasSize(1);
        String path = "/api/v2/projects/" + id + "/queries/grid-job/";
        String message = "{\"projectId\":" + id + "}";
        for (int i = 0; i < ProjectsFunction.MAX_RESENDS; i++) {
            stall(id, ProjectsFunction.STALLED_AFTER.plusSeconds(10));
            assertThat(call(fn, "GET", path, token(manager.id()), null).json().path("state").asText()).isEqualTo("RUNNING");
            assertThat(queuedJobs()).containsExactly(message);
        }
        stall(id, ProjectsFunction.STALLED_AFTER.plusSeconds(10));
        var failed = call(fn, "GET", path, token(manager.id()), null).json();
        assertThat(failed.path("state").asText()).isEqualTo("FAILED");
        assertThat(failed.path("error").asText()).contains("retry the job or delete the draft");
        assertThat(queuedJobs()).isEmpty();

        String retry = "/api/v2/projects/" + id + "/actions/retry-grid-job/";
        var refused = call(fn, "POST", retry, token(mapper.id()), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.subCode()).isEqualTo("UserPermissionError");
        var retried = call(fn, "POST", retry, token(manager.id()), null);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.json().path("state").asText()).isEqualTo("QUEUED");
        assertThat(retried.json().path("error").isNull()).isTrue();
        assertThat(queuedJobs()).containsExactly(message);
        var again = call(fn, "POST", retry, token(manager.id()), null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.subCode()).isEqualTo("GridJobNotFailed");
        // its re-sends start again from zero: the next stall is sent again, not failed
        stall(id, ProjectsFunction.STALLED_AFTER.plusSeconds(10));
        assertThat(call(fn, "GET", path, token(manager.id()), null).json().path("state").asText()).isEqualTo("RUNNING");
        assertThat(queuedJobs()).containsExactly(message);

        // a FAILED draft can be deleted
        fx.jobs.finished(id, GridJob.State.FAILED, "gave up", Instant.now());
        assertThat(call(fn, "DELETE", "/api/v2/projects/" + id + "/", token(manager.id()), null).status()).isEqualTo(200);
        assertThat(call(fn, "GET", "/api/v2/projects/" + id + "/", token(manager.id()), null).status()).isEqualTo(404);
    }

    @Test
    void thePrivateAllowListFollowsTheAccountNotTheName() {
        User pm = fx.user("pm");
        var p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        String path = "/api/v2/projects/" + p.id() + "/";
        User alice = fx.user("alice");
        String privateBody = publishBody("PUBLISHED", "x").replace("\"private\": false", "\"private\": true");
        var unknown = call(fn, "PATCH", path, token(pm.id()), privateBody.replaceFirst("\\{",
                "{\"allowedUsernames\": [\"" + alice.username() + "\", \"nobody-at-all\"], "));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.structuredSubCode()).isEqualTo("USER_NOT_FOUND");
        assertThat(fx.projects.get(p.id()).orElseThrow().project().isPrivate()).isFalse();
        // names match whatever their case
        String listed = alice.username().toUpperCase(java.util.Locale.ROOT);
        assertThat(call(fn, "PATCH", path, token(pm.id()), privateBody.replaceFirst("\\{",
                "{\"allowedUsernames\": [\"" + listed + "\"], ")).status()).isEqualTo(200);
        var seen = call(fn, "GET", path, token(alice.id()), null);
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.json().path("allowedUsernames").toString()).isEqualTo("[\"" + alice.username() + "\"]");
        assertThat(call(fn, "GET", path, token(fx.user("outsider").id()), null).subCode()).isEqualTo("PrivateProject");
        // alice renames her OSM account and somebody else takes her old name: the list still means alice
        String oldName = alice.username();
        fx.users.upsertOnLogin(alice.id(), oldName + "-renamed", null, null, false, Instant.now());
        User impostor = fx.users.upsertOnLogin(alice.id() + 1_000_000, oldName, null, null, false, Instant.now());
        assertThat(call(fn, "GET", path, token(impostor.id()), null).subCode()).isEqualTo("PrivateProject");
        assertThat(call(fn, "GET", path, token(alice.id()), null).status()).isEqualTo(200);
    }

    @Test
    void theProjectsPercentagesComeFromItsTasksEvenWhenACounterUpdateWasLost() {
        User pm = fx.user("pm");
        var p = fx.project(pm, ProjectStatus.PUBLISHED, 4);
        var mapper = fx.user("m").actor();
        Instant now = Instant.now();
        // tasks 1 and 2 mapped, task 3 locked for validation after mapping, as written by transitions whose
        // counter updates never happened (a crash after each task write)
        for (int id = 1; id <= 3; id++) {
            var t = fx.tasks.get(p.id(), id).orElseThrow();
            var locked = dev.tmserverless.core.domain.TaskMachine.lockForMapping(t, mapper, now, java.time.Duration.ofHours(2));
            assertThat(fx.tasks.apply(locked)).isTrue();
            var stored = fx.tasks.get(p.id(), id).orElseThrow();
            assertThat(fx.tasks.apply(dev.tmserverless.core.domain.TaskMachine.unlockAfterMapping(stored, mapper, now,
                    "MAPPED", null))).isTrue();
        }
        var t3 = fx.tasks.get(p.id(), 3).orElseThrow();
        assertThat(fx.tasks.apply(new dev.tmserverless.core.domain.TaskChange(t3, new dev.tmserverless.core.domain.Task(
                t3.projectId(), 3, t3.x(), t3.y(), t3.zoom(), true, dev.tmserverless.core.domain.TaskStatus.LOCKED_FOR_VALIDATION,
                pm.id(), now.plusSeconds(3600), t3.mappedBy(), null, t3.version(), t3.history()),
                dev.tmserverless.core.domain.CounterDelta.NONE))).isTrue();
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isZero();
        var project = call(fn, "GET", "/api/v2/projects/" + p.id() + "/", null, null).json();
        assertThat(project.path("percentMapped").asInt()).isEqualTo(75);
        assertThat(project.path("percentValidated").asInt()).isZero();
    }

    @Test
    void aProjectWhoseJobMessageCannotBeSentIsStillCreatedAndItsJobWaits() {
        ProjectService service = fn.getApplicationContext().getBean(ProjectService.class);
        service.beforeSend = () -> { throw new IllegalStateException("injected: the queue is unreachable"); };
        long id;
        try {
            id = create(manager, body(AOI, grid(14)));
        } finally {
            service.beforeSend = () -> {};
        }
        // the client got its project id once: a retry would have created a second project
        assertThat(call(fn, "GET", "/api/v2/projects/" + id + "/", token(manager.id()), null).status()).isEqualTo(200);
        var job = call(fn, "GET", "/api/v2/projects/" + id + "/queries/grid-job/", token(manager.id()), null);
        assertThat(job.json().path("state").asText()).isEqualTo("QUEUED");
    }
}
