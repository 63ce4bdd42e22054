package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TileMath;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;

import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Splitting a task through the real handler against dynalite, including races and a crash. */
class SplitTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static TaskService service;
    static Race race;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("split").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        service = fn.getApplicationContext().getBean(TaskService.class);
        race = new Race(16);
    }

    @AfterEach
    void heal() {
        service.faults = new TaskService.Faults();
        service.clock = java.time.Clock.systemUTC();
    }

    @AfterAll
    static void stop() {
        race.close();
        fn.close();
        env.close();
    }

    static String split(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/split/" + t + "/"; }

    static TaskStore.NewTask tile(int id, int x, int y, int z) {
        return new TaskStore.NewTask(Task.ready(0, id, x, y, z, true), null);
    }

    static TaskStore.NewTask shape(int id, String geometryJson, String extraJson) {
        return new TaskStore.NewTask(Task.ready(0, id, null, null, null, false), geometryJson, extraJson);
    }

    /** A lon/lat box as a GeoJSON MultiPolygon text. */
    static String box(double w, double s, double e, double n) {
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[" + w + "," + s + "],[" + e + "," + s + "],[" + e + "," + n
                + "],[" + w + "," + n + "],[" + w + "," + s + "]]]]}";
    }

    /** An L-shaped block whose centroid leaves the top-right quadrant of its bbox empty. */
    static final String L_SHAPE = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.0,56.0],[-3.9,56.0],[-3.9,56.03],"
            + "[-3.97,56.03],[-3.97,56.1],[-4.0,56.1],[-4.0,56.0]]]]}";

    static long totalTasks(Project p) { return fx.projects.get(p.id()).orElseThrow().counters().totalTasks(); }

    static List<Integer> listedIds(Project p) {
        var fc = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", null, null).json();
        List<Integer> ids = new ArrayList<>();
        fc.path("features").forEach(f -> ids.add(f.path("properties").path("taskId").asInt()));
        return ids;
    }

    static List<Integer> ids(Api.Answer a) {
        List<Integer> ids = new ArrayList<>();
        a.json().path("tasks").forEach(t -> ids.add(t.path("taskId").asInt()));
        return ids;
    }

    @Test
    void refusalsComeInTheReferenceOrderAndChangeNothing() {
        User author = fx.user("author");
        User other = fx.user("other");
        // 2: a zoom-18 tile; 3: a 100 m square (about 10,000 m²), below the 25,000 m² rule
        Project p = fx.project(author, ProjectStatus.PUBLISHED, List.of(tile(1, 1011, 1399, 11),
                tile(2, 1011 * 128, 1399 * 128, 18), shape(3, box(-4.0, 56.0, -3.9984, 56.0009), null),
                shape(4, L_SHAPE, null)), "");
        assertThat(call(fn, "POST", split(p.id(), 1), null, null).status()).isEqualTo(401);
        assertThat(call(fn, "POST", split(999_999, 1), token(author.id()), null).structuredSubCode()).isEqualTo("PROJECT_NOT_FOUND");
        assertThat(call(fn, "POST", split(p.id(), 999), token(author.id()), null).structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        // size is checked before the lock, as in the reference
        var deep = call(fn, "POST", split(p.id(), 2), token(author.id()), null);
        assertThat(deep.status()).isEqualTo(403);
        assertThat(deep.subCode()).isEqualTo("SmallToSplit");
        assertThat(call(fn, "POST", split(p.id(), 3), token(author.id()), null).subCode()).isEqualTo("SmallToSplit");
        assertThat(call(fn, "POST", split(p.id(), 1), token(author.id()), null).subCode()).isEqualTo("LockToSplit");
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(other.id()), null).status()).isEqualTo(200);
        var notMine = call(fn, "POST", split(p.id(), 1), token(author.id()), null);
        assertThat(notMine.status()).isEqualTo(403);
        assertThat(notMine.subCode()).isEqualTo("SplitOtherUserTask");
        // the L's centroid leaves its top-right quadrant empty: that child would not intersect the task
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 4), token(author.id()), null).status()).isEqualTo(200);
        var empty = call(fn, "POST", split(p.id(), 4), token(author.id()), null);
        assertThat(empty.status()).isEqualTo(403);
        assertThat(empty.subCode()).isEqualTo("SplitGeoJsonError");
        assertThat(fx.tasks.get(p.id(), 4).orElseThrow().lockedBy()).isEqualTo(author.id());
        assertThat(listedIds(p)).containsExactly(1, 2, 3, 4);
        assertThat(totalTasks(p)).isEqualTo(4);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(other.id());
    }

    @Test
    void aSplitThatWouldPassTheTaskLimitIsRefusedAndChangesNothing() {
        User author = fx.user("author");
        Project p = fx.project(author, ProjectStatus.PUBLISHED, List.of(tile(1, 1011, 1399, 11), tile(2, 1012, 1399, 11)), "");
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(author.id()), null).status()).isEqualTo(200);
        // 2 tasks + 3 = 5 > 4
        System.setProperty("TM_MAX_TASKS", "4");
        try {
            var refused = call(fn, "POST", split(p.id(), 1), token(author.id()), null);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.subCode()).isEqualTo("TooManyTasks");
            assertThat(refused.json().path("Error").asText()).contains("more than 4 tasks");
            assertThat(listedIds(p)).containsExactly(1, 2);
            assertThat(totalTasks(p)).isEqualTo(2);
            assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(author.id());
            // exactly at the limit is allowed
            System.setProperty("TM_MAX_TASKS", "5");
            assertThat(call(fn, "POST", split(p.id(), 1), token(author.id()), null).status()).isEqualTo(200);
            assertThat(totalTasks(p)).isEqualTo(5);
        } finally {
            System.clearProperty("TM_MAX_TASKS");
        }
    }

    @Test
    void aSplitWhoseChildCannotFitATaskIsRefusedAndChangesNothing() {
        User pm = fx.user("pm-budget");
        int max = dev.tmserverless.core.geo.TaskShapeBudget.MAX_BYTES;
        // a triangle with short numbers; its children's cut vertices carry the centroid's full precision, and each
        // child keeps the parent's extra properties: a parent exactly at the budget gives children over it
        String triangle = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.0,56.0],[-3.9,56.0],[-4.0,56.1],[-4.0,56.0]]]]}";
        String atBudget = "{\"pad\":\"" + "x".repeat(max - triangle.length() - 10) + "\"}";
        String roomy = "{\"pad\":\"" + "x".repeat(max - triangle.length() - 10 - 2_000) + "\"}";
        assertThat(triangle.length() + atBudget.length()).isEqualTo(max);
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, List.of(shape(1, triangle, atBudget), shape(2, triangle, roomy)), "");
        String tok = token(pm.id());
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), tok, null).status()).isEqualTo(200);
        var refused = call(fn, "POST", split(p.id(), 1), tok, null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.subCode()).isEqualTo("TaskShapeTooLarge");
        assertThat(refused.json().path("Error").asText()).startsWith("Splitting task 1 would give a task (child 1 of 4) of ");
        // nothing changed: the task is still the splitter's, no ids were taken, no child exists
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(pm.id());
        assertThat(listedIds(p)).containsExactly(1, 2);
        assertThat(totalTasks(p)).isEqualTo(2);
        assertThat(call(fn, "POST", TasksFunctionTest.stop(p.id(), 1), tok, "{}").status()).isEqualTo(200);
        // with room for the longer numbers the same triangle splits
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), tok, null).status()).isEqualTo(200);
        var split = call(fn, "POST", split(p.id(), 2), tok, null);
        assertThat(split.status()).isEqualTo(200);
        assertThat(ids(split)).containsExactly(3, 4, 5, 6);
        assertThat(fx.shapes.shape(p.id(), 3).orElseThrow().extraJson()).isEqualTo(roomy);
    }

    @Test
    void aSquareTaskBecomesItsFourChildTilesWithTheNextIds() {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, List.of(tile(1, 1009, 1399, 11), tile(2, 1010, 1399, 11),
                tile(3, 1011, 1399, 11)), "Tile {x}/{y}/{z}");
        String tok = token(mapper.id());
        call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), tok, null);
        var a = call(fn, "POST", split(p.id(), 2), tok, null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(ids(a)).containsExactly(4, 5, 6, 7);
        List<String> tiles = new ArrayList<>();
        for (JsonNode t : a.json().path("tasks")) {
            assertThat(t.path("taskStatus").asText()).isEqualTo("READY");
            assertThat(t.path("lockHolder").isNull()).isTrue();
            tiles.add(t.path("perTaskInstructions").asText());
            var h = t.path("taskHistory");
            assertThat(h.get(0).path("action").asText() + " " + h.get(0).path("actionText").asText()).isEqualTo("STATE_CHANGE READY");
            assertThat(h.get(1).path("action").asText() + " " + h.get(1).path("actionText").asText()).isEqualTo("STATE_CHANGE SPLIT");
            assertThat(h.get(1).path("actionBy").asText()).isEqualTo(mapper.username());
            // the splitter's lock row is not carried over
            assertThat(h.size()).isEqualTo(2);
        }
        // the reference's child order: (2x, 2y), (2x, 2y+1), (2x+1, 2y), (2x+1, 2y+1) at zoom + 1
        assertThat(tiles).containsExactly("Tile 2020/2798/12", "Tile 2020/2799/12", "Tile 2021/2798/12", "Tile 2021/2799/12");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/2/", null, null).structuredSubCode())
                .isEqualTo("TASK_NOT_FOUND");
        assertThat(listedIds(p)).containsExactly(1, 3, 4, 5, 6, 7);
        assertThat(totalTasks(p)).isEqualTo(6);
        var fc = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/?tasks=5", null, null).json();
        assertThat(fc.path("features").get(0).path("geometry")).isEqualTo(GeoJson.write(TileMath.square(2020, 2799, 12)));
        assertThat(fc.path("features").get(0).path("properties").path("taskIsSquare").asBoolean()).isTrue();
        // the splitter holds no lock any more, and a child splits again with the ids after the highest
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 7), tok, null).status()).isEqualTo(200);
        assertThat(ids(call(fn, "POST", split(p.id(), 7), tok, null))).containsExactly(8, 9, 10, 11);
        assertThat(totalTasks(p)).isEqualTo(9);
    }

    @Test
    void childrenStartWithOnlyTheirOwnCreationRowsAndTheParentKeepsItsHistory() {
        User pm = fx.user("pm-history");
        User earlier = fx.user("earlier-mapper");
        User splitter = fx.user("splitter");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, List.of(tile(1, 1009, 1399, 11), tile(2, 1010, 1399, 11)), "");
        // the parent has a history by someone else first: a lock, a comment and the stop
        String early = token(earlier.id());
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), early, null).status()).isEqualTo(200);
        assertThat(call(fn, "POST", TasksFunctionTest.stop(p.id(), 1), early, "{\"comment\": \"too cloudy here\"}").status())
                .isEqualTo(200);
        String tok = token(splitter.id());
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), tok, null).status()).isEqualTo(200);
        int parentRows = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null).json().path("taskHistory").size();
        assertThat(parentRows).isGreaterThanOrEqualTo(3);
        var a = call(fn, "POST", split(p.id(), 1), tok, null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(ids(a)).containsExactly(3, 4, 5, 6);
        for (int child : ids(a)) {
            JsonNode t = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/" + child + "/", null, null).json();
            assertThat(t.path("taskStatus").asText()).isEqualTo("READY");
            assertThat(t.path("lockHolder").isNull()).isTrue();
            JsonNode h = t.path("taskHistory");
            // only the child's own creation: the splitter's SPLIT then READY, nothing copied from the parent
            assertThat(h.size()).as("task %d", child).isEqualTo(2);
            List<String> rows = new ArrayList<>();
            h.forEach(r -> rows.add(r.path("historyId").asInt() + " " + r.path("action").asText() + " "
                    + r.path("actionText").asText() + " " + r.path("actionBy").asText()));
            assertThat(rows).containsExactly("2 STATE_CHANGE READY " + splitter.username(),
                    "1 STATE_CHANGE SPLIT " + splitter.username());
            assertThat(t.toString()).doesNotContain("too cloudy").doesNotContain(earlier.username());
            // the task map's "last updated" is the split
            assertThat(t.path("lastUpdated").asText()).isEqualTo(h.get(0).path("actionDate").asText());
        }
        // the parent's rows are not shown four more times in the project's activity
        JsonNode activity = call(fn, "GET", "/api/v2/projects/" + p.id() + "/activities/", null, null).json();
        List<String> children = new ArrayList<>();
        activity.path("activity").forEach(r -> { if (r.path("taskId").asInt() > 2) children.add(r.path("actionText").asText()); });
        assertThat(children).hasSize(8).containsOnly("SPLIT", "READY");
        // the earlier mapper does not find the children among their tasks; the splitter does
        var theirsAnswer = call(fn, "GET", "/api/v2/users/" + earlier.id() + "/tasks/", early, null);
        assertThat(theirsAnswer.status()).isEqualTo(200);
        List<Integer> theirs = new ArrayList<>();
        theirsAnswer.json().path("tasks").forEach(t -> theirs.add(t.path("taskId").asInt()));
        assertThat(theirs).doesNotContain(3, 4, 5, 6);
        JsonNode mine = call(fn, "GET", "/api/v2/users/" + splitter.id() + "/tasks/?status=READY", tok, null).json();
        assertThat(mine.path("pagination").path("total").asInt()).isEqualTo(4);
        // the parent keeps its whole history on its (closed) split mark
        var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
        var mark = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(java.util.Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("TASK#0000001")))).item();
        assertThat(mark).containsKeys("splitInto", "splitDone");
        assertThat(mark.get("splitBy").n()).isEqualTo(Long.toString(splitter.id()));
        assertThat(mark.get("h").l()).hasSize(parentRows);
        assertThat(mark.get("h").toString()).contains("too cloudy here");
    }

    @Test
    void theSplitterFindsTheChildrenAmongTheirTasks() {
        User pm = fx.user("pm-mine");
        User mapper = fx.user("mapper-mine");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, List.of(tile(1, 1009, 1399, 11), tile(2, 1010, 1399, 11)),
                "Tile {x}/{y}/{z}");
        String tok = token(mapper.id());
        call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), tok, null);
        assertThat(ids(call(fn, "POST", split(p.id(), 1), tok, null))).containsExactly(3, 4, 5, 6);
        JsonNode mine = call(fn, "GET", "/api/v2/users/" + mapper.id() + "/tasks/?sort_by=project_id", tok, null).json();
        List<Integer> listed = new ArrayList<>();
        mine.path("tasks").forEach(t -> {
            assertThat(t.path("projectId").asLong()).isEqualTo(p.id());
            assertThat(t.path("taskStatus").asText()).isEqualTo("READY");
            listed.add(t.path("taskId").asInt());
        });
        // the split task itself is gone; its four children carry the splitter's SPLIT and READY rows
        assertThat(listed).containsExactlyInAnyOrder(3, 4, 5, 6);
        JsonNode ready = call(fn, "GET", "/api/v2/users/" + mapper.id() + "/tasks/?status=READY", tok, null).json();
        assertThat(ready.path("pagination").path("total").asInt()).isEqualTo(4);
    }

    @Test
    void anArbitraryTaskIsCutAtItsCentroidAndKeepsItsExtraProperties() {
        User pm = fx.user("pm");
        // a triangular block: its centroid is off the bbox centre, so the four pieces differ in size
        String triangle = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.0,56.0],[-3.9,56.0],[-4.0,56.1],[-4.0,56.0]]]]}";
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, List.of(shape(1, triangle, "{\"name\":\"Block A\",\"households\":12}")),
                "Map {name} ({households} households)");
        String tok = token(pm.id());
        var locked = call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), tok, null);
        assertThat(locked.json().path("perTaskInstructions").asText()).isEqualTo("Map Block A (12 households)");
        var a = call(fn, "POST", split(p.id(), 1), tok, null);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(ids(a)).containsExactly(2, 3, 4, 5);
        a.json().path("tasks").forEach(t ->
                assertThat(t.path("perTaskInstructions").asText()).isEqualTo("Map Block A (12 households)"));
        var fc = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", null, null).json();
        Geometry parent = GeoJson.read(Json.parse(triangle));
        double cx = parent.getCentroid().getX(), cy = parent.getCentroid().getY();
        double sum = 0;
        List<Geometry> children = new ArrayList<>();
        for (JsonNode f : fc.path("features")) {
            assertThat(f.path("properties").path("taskIsSquare").asBoolean()).isFalse();
            assertThat(f.path("properties").path("taskX").isNull()).isTrue();
            Geometry g = GeoJson.read(f.path("geometry"));
            children.add(g);
            sum += g.getArea();
        }
        assertThat(children).hasSize(4);
        assertThat(sum).isCloseTo(parent.getArea(), within(parent.getArea() * 1e-6));
        // left-bottom, left-top, right-bottom, right-top
        boolean[][] expected = {{true, true}, {true, false}, {false, true}, {false, false}};
        for (int i = 0; i < 4; i++) {
            var c = children.get(i).getCentroid();
            assertThat(c.getX() <= cx).as("child %d left", i).isEqualTo(expected[i][0]);
            assertThat(c.getY() <= cy).as("child %d bottom", i).isEqualTo(expected[i][1]);
        }
    }

    /** Locks and splits the task with a function that dies right after the commit, before any child is written. */
    static Api.Answer splitThatCrashesAfterItsCommit(Project p, int taskId, String tok) {
        call(fn, "POST", TasksFunctionTest.lock(p.id(), taskId), tok, null);
        service.faults = new TaskService.Faults() {
            @Override
            public void afterSplitMark() { throw new IllegalStateException("crash after the split commit"); }
        };
        try {
            return call(fn, "POST", split(p.id(), taskId), tok, null);
        } finally {
            service.faults = new TaskService.Faults();
        }
    }

    @Test
    void aCrashAfterTheCommitIsFinishedByTheNextReader() {
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 3);
        String tok = token(pm.id());
        assertThat(splitThatCrashesAfterItsCommit(p, 1, tok).status()).isEqualTo(500);
        // committed: the parent is a split mark, no child is written yet
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.SPLIT);
        assertThat(fx.tasks.get(p.id(), 4)).isEmpty();
        // the next list finishes it: children listed, parent gone, counted once, the splitter's lock slot freed
        assertThat(listedIds(p)).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(listedIds(p)).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(totalTasks(p)).isEqualTo(6);
        assertThat(fx.tasks.get(p.id(), 1)).isEmpty();
        assertThat(fx.tasks.get(p.id(), 4).orElseThrow().history()).extracting(h -> h.actionText())
                .containsExactly("SPLIT", "READY");
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), tok, null).status()).isEqualTo(200);
        assertThat(call(fn, "POST", split(p.id(), 1), tok, null).structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
    }

    @Test
    void aCrashAfterTheCommitIsFinishedByAnActionOnTheSplitTask() {
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        String tok = token(pm.id());
        splitThatCrashesAfterItsCommit(p, 2, tok);
        var retry = call(fn, "POST", TasksFunctionTest.unlock(p.id(), 2), tok, "{\"status\":\"MAPPED\"}");
        assertThat(retry.status()).isEqualTo(404);
        assertThat(retry.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(fx.tasks.list(p.id())).extracting(Task::taskId).containsExactly(1, 3, 4, 5, 6);
        assertThat(totalTasks(p)).isEqualTo(5);
        assertThat(fx.projects.get(p.id()).orElseThrow().counters().tasksMapped()).isZero();
    }

    @Test
    void theHolderSendingTheSameSplitManyTimesAtOnceSplitsOnce() throws Exception {
        User u = fx.user("double-clicker");
        String tok = token(u.id());
        int rounds = 10, n = 8;
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, rounds);
        for (int round = 1; round <= rounds; round++) {
            int taskId = round;
            assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), taskId), tok, null).status()).isEqualTo(200);
            List<Api.Answer> answers = race.run(n, k -> call(fn, "POST", split(p.id(), taskId), tok, null));
            List<Api.Answer> won = answers.stream().filter(a -> a.status() == 200).toList();
            assertThat(won).as("round %d", round).hasSize(1);
            assertThat(answers).filteredOn(a -> a.status() != 200)
                    .allSatisfy(a -> assertThat(a.structuredSubCode()).isEqualTo("TASK_NOT_FOUND"));
            List<Integer> children = ids(won.get(0));
            assertThat(children).hasSize(4);
            for (int c : children) {
                Task t = fx.tasks.get(p.id(), c).orElseThrow();
                assertThat(t.status()).isEqualTo(TaskStatus.READY);
                assertThat(t.history()).filteredOn(h -> "SPLIT".equals(h.actionText())).hasSize(1);
            }
            assertThat(fx.tasks.get(p.id(), taskId)).isEmpty();
            assertThat(totalTasks(p)).isEqualTo(rounds + 3L * round);
            assertThat(fx.tasks.list(p.id())).hasSize(rounds + 3 * round);
        }
    }

    @Test
    void splitRacingTheHoldersOwnUnlockEndsOneWayOnly() throws Exception {
        User u = fx.user("torn");
        String tok = token(u.id());
        int rounds = 12;
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, rounds);
        int splits = 0, mapped = 0;
        for (int round = 1; round <= rounds; round++) {
            int taskId = round;
            assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), taskId), tok, null).status()).isEqualTo(200);
            List<Api.Answer> answers = race.run(2, k -> k == 0
                    ? call(fn, "POST", split(p.id(), taskId), tok, null)
                    : call(fn, "POST", TasksFunctionTest.unlock(p.id(), taskId), tok, "{\"status\":\"MAPPED\"}"));
            boolean splitWon = answers.get(0).status() == 200;
            boolean unlockWon = answers.get(1).status() == 200;
            assertThat(splitWon ^ unlockWon).as("round %d: exactly one wins", round).isTrue();
            if (splitWon) {
                splits++;
                assertThat(answers.get(1).structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
                assertThat(fx.tasks.get(p.id(), taskId)).isEmpty();
            } else {
                mapped++;
                assertThat(answers.get(0).subCode()).isEqualTo("LockToSplit");
                assertThat(fx.tasks.get(p.id(), taskId).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
            }
        }
        var counters = fx.projects.get(p.id()).orElseThrow().counters();
        assertThat(counters.tasksMapped()).isEqualTo(mapped);
        assertThat(counters.totalTasks()).isEqualTo(rounds + 3L * splits);
        assertThat(fx.tasks.list(p.id())).hasSize(rounds + 3 * splits);
    }

    @Test
    void manyMappersSplittingAtOnceGetDistinctIds() throws Exception {
        int n = 12;
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, n);
        List<String> tokens = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String tok = token(fx.user("m").id());
            tokens.add(tok);
            assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), i), tok, null).status()).isEqualTo(200);
        }
        List<Api.Answer> answers = race.run(n, k -> call(fn, "POST", split(p.id(), k + 1), tokens.get(k), null));
        List<Integer> all = new ArrayList<>();
        for (Api.Answer a : answers) {
            assertThat(a.status()).isEqualTo(200);
            all.addAll(ids(a));
        }
        assertThat(all).doesNotHaveDuplicates().hasSize(4 * n).allSatisfy(id -> assertThat(id).isBetween(n + 1, 5 * n));
        assertThat(listedIds(p)).hasSize(4 * n);
        assertThat(totalTasks(p)).isEqualTo(4L * n);
    }

    @Test
    void aLateFinisherOfAnOldMarkChangesNothing() {
        User pm = fx.user("pm");
        // a clipped tile: indices set, not square, its own geometry (the western 40% of the tile)
        var env = TileMath.square(1010, 1399, 11).getEnvelopeInternal();
        String strip = box(env.getMinX(), env.getMinY(), env.getMinX() + 0.4 * env.getWidth(), env.getMaxY());
        Project p = fx.project(pm, ProjectStatus.PUBLISHED,
                List.of(new TaskStore.NewTask(Task.ready(0, 1, 1010, 1399, 11, false), strip)), "");
        String tok = token(pm.id());
        splitThatCrashesAfterItsCommit(p, 1, tok);
        TaskStore.SplitMark old = fx.tasks.splitMark(p.id(), 1).orElseThrow();
        Splits splits = fn.getApplicationContext().getBean(Splits.class);

        JsonNode finished = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", null, null).json();
        assertThat(listedIds(p)).containsExactly(2, 3, 4, 5);
        splits.finish(old);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/", null, null).json()).isEqualTo(finished);
        assertThat(totalTasks(p)).isEqualTo(4);
        // a child split again is not brought back by the old mark
        call(fn, "POST", TasksFunctionTest.lock(p.id(), 3), tok, null);
        assertThat(call(fn, "POST", split(p.id(), 3), tok, null).status()).isEqualTo(200);
        splits.finish(old);
        assertThat(listedIds(p)).containsExactly(2, 4, 5, 6, 7, 8, 9);
        assertThat(totalTasks(p)).isEqualTo(7);
        assertThat(fx.tasks.splitMark(p.id(), 1)).isEmpty();
    }

    @Test
    void aLockThatLosesItsTaskToASplitGivesItsSlotBack() {
        User a = fx.user("a");
        User b = fx.user("b");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(a.id()), null).status()).isEqualTo(200);
        // b asks once a's lock has expired; while b's request runs, a's split of the task commits
        service.clock = java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofHours(3));
        service.faults = new TaskService.Faults() {
            @Override
            public void afterClaim() {
                Task t = fx.tasks.get(p.id(), 1).orElseThrow();
                int first = fx.projects.reserveTaskIds(p.id(), 4);
                fx.tasks.markSplit(t, List.of(first, first + 1, first + 2, first + 3), a.actor(), java.time.Instant.now());
            }
        };
        var lost = call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(b.id()), null);
        service.faults = new TaskService.Faults();
        assertThat(lost.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(fn.getApplicationContext().getBean(dev.tmserverless.aws.store.LockClaims.class).get(b.id())).isEmpty();
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(b.id()), null).status()).isEqualTo(200);
        assertThat(listedIds(p)).containsExactly(2, 3, 4, 5, 6);
    }

    @Test
    void aProjectWrittenBeforeTheIdCounterStillSplits() {
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 3);
        var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
        ddb.updateItem(b -> b.tableName(table).key(java.util.Map.of(
                        "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                        "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("META")))
                .updateExpression("REMOVE maxTaskId"));
        String tok = token(pm.id());
        call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), tok, null);
        assertThat(ids(call(fn, "POST", split(p.id(), 2), tok, null))).containsExactly(4, 5, 6, 7);
        assertThat(totalTasks(p)).isEqualTo(6);
    }
}
