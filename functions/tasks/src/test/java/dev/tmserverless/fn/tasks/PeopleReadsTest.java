package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.store.UserTasks;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.fn.tasks.ValidationTest.lockV;
import static dev.tmserverless.fn.tasks.ValidationTest.unlockV;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workflow's reads about people, through the handler against dynalite: who mapped what in a project, a user's
 * tasks with the reference's filters and paging, a user's counters, invalidations that concern a user; and the
 * reference's legacy task routes (task comments read, task deletion, the AOI's tiles).
 */
class PeopleReadsTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static UserTasks userTasks;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("people-reads").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        userTasks = fn.getApplicationContext().getBean(UserTasks.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static void map(User u, long p, int t) {
        assertThat(call(fn, "POST", lock(p, t), token(u.id()), null).status()).isEqualTo(200);
        assertThat(call(fn, "POST", unlock(p, t), token(u.id()), "{\"status\": \"MAPPED\"}").status()).isEqualTo(200);
    }

    static void validate(User v, long p, int t, String status) {
        assertThat(call(fn, "POST", lockV(p), token(v.id()), "{\"taskIds\": [" + t + "]}").status()).isEqualTo(200);
        assertThat(call(fn, "POST", unlockV(p), token(v.id()), "{\"validatedTasks\": [{\"taskId\": " + t
                + ", \"status\": \"" + status + "\"}]}").status()).isEqualTo(200);
    }

    @Test
    void mappedTasksAreGroupedByTheirMapperWithTheMappersDetails() {
        User ana = fx.user("ana-mapped");
        User ben = fx.user("ben-mapped");
        User val = ValidationTest.validator(fx, "val-mapped");
        Project p = fx.project(fx.user("pm-mapped"), ProjectStatus.PUBLISHED, 5);
        map(ana, p.id(), 1);
        map(ana, p.id(), 3);
        map(ben, p.id(), 2);
        map(ben, p.id(), 4);
        validate(val, p.id(), 4, "VALIDATED"); // no longer MAPPED: not listed

        JsonNode list = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/mapped/", null, null).json().path("mappedTasks");
        assertThat(list.size()).isEqualTo(2);
        JsonNode a = list.get(0);
        assertThat(a.path("username").asText()).isEqualTo(ana.username());
        assertThat(a.path("mappedTaskCount").asInt()).isEqualTo(2);
        assertThat(a.path("tasksMapped").toString()).isEqualTo("[1,3]");
        assertThat(a.path("lastSeen").asText()).isNotEmpty();
        assertThat(a.path("mappingLevel").asText()).isEqualTo("BEGINNER");
        assertThat(a.path("dateRegistered").isNull()).isFalse();
        assertThat(a.path("lastValidationDate").isNull()).isTrue();
        JsonNode b = list.get(1);
        assertThat(b.path("username").asText()).isEqualTo(ben.username());
        assertThat(b.path("tasksMapped").toString()).isEqualTo("[2]");
        // ben's task 4 was validated: his last validation date is known
        assertThat(b.path("lastValidationDate").asText()).isNotEmpty();

        assertThat(call(fn, "GET", "/api/v2/projects/999999/tasks/queries/mapped/", null, null).status()).isEqualTo(404);
    }

    @Test
    void aUsersTasksAreFilteredSortedAndPagedWithTheirCommentsAndDates() throws Exception {
        User ana = fx.user("ana-list");
        User other = fx.user("other-list");
        User val = ValidationTest.validator(fx, "val-list");
        Project p = fx.project(fx.user("pm-list"), ProjectStatus.PUBLISHED, 4);
        Project q = fx.project(fx.user("pm-list2"), ProjectStatus.PUBLISHED, 2);
        map(ana, p.id(), 1);
        map(ana, p.id(), 2);
        map(ana, q.id(), 1);
        call(fn, "POST", "/api/v2/projects/" + p.id() + "/comments/tasks/3/", token(ana.id()), "{\"comment\": \"clouds here\"}");
        call(fn, "POST", "/api/v2/projects/" + p.id() + "/comments/tasks/1/", token(other.id()), "{\"comment\": \"nice\"}");
        validate(val, p.id(), 2, "INVALIDATED");
        String base = "/api/v2/users/" + ana.id() + "/tasks/";

        JsonNode all = call(fn, "GET", base, token(other.id()), null).json();
        assertThat(all.path("pagination").path("total").asInt()).isEqualTo(4);
        List<String> order = new ArrayList<>();
        all.path("tasks").forEach(t -> order.add(t.path("projectId").asLong() + "/" + t.path("taskId").asInt()));
        // newest action first: the comment on p/3 was ana's last action
        assertThat(order).containsExactly(p.id() + "/3", q.id() + "/1", p.id() + "/2", p.id() + "/1");
        JsonNode first = all.path("tasks").get(0);
        assertThat(first.path("taskStatus").asText()).isEqualTo("READY");
        assertThat(first.path("numberOfComments").asInt()).isEqualTo(1);
        assertThat(first.path("lastUpdated").asText()).isNotEmpty();
        assertThat(first.path("autoUnlockSeconds").asLong()).isEqualTo(7200);
        assertThat(first.path("taskHistory").isArray()).isTrue();
        JsonNode p1 = all.path("tasks").get(3);
        assertThat(p1.path("numberOfComments").asInt()).isEqualTo(1); // the other user's comment counts too

        JsonNode mapped = call(fn, "GET", base + "?status=mapped&sort_by=project_id", token(other.id()), null).json();
        order.clear();
        mapped.path("tasks").forEach(t -> order.add(t.path("projectId").asLong() + "/" + t.path("taskId").asInt()));
        assertThat(order).containsExactly(p.id() + "/1", p.id() + "/2", q.id() + "/1");
        // task 2 is INVALIDATED now, but ana did set it MAPPED: the reference filters on the user's rows
        assertThat(mapped.path("tasks").get(1).path("taskStatus").asText()).isEqualTo("INVALIDATED");

        JsonNode page2 = call(fn, "GET", base + "?page=2&page_size=3", token(ana.id()), null).json();
        assertThat(page2.path("tasks").size()).isEqualTo(1);
        assertThat(page2.path("pagination").path("page").asInt()).isEqualTo(2);
        assertThat(page2.path("pagination").path("pages").asInt()).isEqualTo(2);
        JsonNode inQ = call(fn, "GET", base + "?project_id=" + q.id(), token(ana.id()), null).json();
        assertThat(inQ.path("pagination").path("total").asInt()).isEqualTo(1);
        JsonNode future = call(fn, "GET", base + "?start_date=2999-01-01", token(ana.id()), null).json();
        assertThat(future.path("tasks").size()).isZero();
        JsonNode today = call(fn, "GET", base + "?end_date=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1),
                token(ana.id()), null).json();
        assertThat(today.path("pagination").path("total").asInt()).isEqualTo(4);
        JsonNode archived = call(fn, "GET", base + "?project_status=ARCHIVED", token(ana.id()), null).json();
        assertThat(archived.path("pagination").path("total").asInt()).isZero();

        // bad input: clear 400s, an unknown user 404, no token 401
        for (String bad : List.of("?status=DONE", "?project_status=OPEN", "?sort_by=name", "?page=0", "?page_size=x",
                "?start_date=yesterday", "?project_id=99999999999999999999")) {
            var a = call(fn, "GET", base + bad, token(ana.id()), null);
            assertThat(a.status()).as(bad).isEqualTo(400);
            assertThat(a.subCode()).as(bad).isEqualTo("InvalidData");
        }
        assertThat(call(fn, "GET", "/api/v2/users/987654321/tasks/", token(ana.id()), null).status()).isEqualTo(404);
        assertThat(call(fn, "GET", base, null, null).status()).isEqualTo(401);
    }

    @Test
    void draftProjectsTasksAreShownToTheUserThemselfOnly() {
        User ana = fx.user("ana-draft");
        User pm = fx.user("pm-draft");
        Project d = fx.project(pm, ProjectStatus.DRAFT, 1);
        // the author of a draft may work on it
        map(pm, d.id(), 1);
        String base = "/api/v2/users/" + pm.id() + "/tasks/";
        assertThat(call(fn, "GET", base, token(pm.id()), null).json().path("pagination").path("total").asInt()).isEqualTo(1);
        assertThat(call(fn, "GET", base, token(ana.id()), null).json().path("pagination").path("total").asInt()).isZero();
    }

    @Test
    void aChangeRecordedTwiceLeavesTheSameContributionsAndTheMappersValidationDate() {
        User ana = fx.user("ana-count");
        User val = ValidationTest.validator(fx, "val-count");
        Project p = fx.project(fx.user("pm-count"), ProjectStatus.PUBLISHED, 3);
        map(ana, p.id(), 1);
        assertThat(userTasks.stats(ana.id()).lastValidationDate()).isNull();
        validate(val, p.id(), 1, "VALIDATED");
        Instant validated = userTasks.stats(ana.id()).lastValidationDate();
        assertThat(validated).isNotNull();
        assertThat(userTasks.stats(val.id()).lastValidationDate()).isNull();

        // a change recorded twice (a retry, a second consumer) leaves the same items
        var t = fx.tasks.get(p.id(), 3).orElseThrow();
        var change = TaskMachine.lockForMapping(t, ana.actor(), Instant.now(), java.time.Duration.ofHours(2));
        assertThat(fx.tasks.apply(change)).isTrue();
        var unlocked = TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), 3).orElseThrow(), ana.actor(), Instant.now(), "MAPPED", null);
        assertThat(fx.tasks.apply(unlocked)).isTrue();
        var once = userTasks.contributions(ana.id());
        userTasks.recordWrites(unlocked);
        userTasks.recordWrites(unlocked);
        assertThat(userTasks.contributions(ana.id())).containsExactlyInAnyOrderElementsOf(once);
        assertThat(once).hasSize(2);
        assertThat(userTasks.stats(ana.id()).lastValidationDate()).isEqualTo(validated);
    }

    @Test
    void invalidationsThatConcernAUserAreListedOpenThenClosed() {
        User ana = fx.user("ana-inv");
        User val = ValidationTest.validator(fx, "val-inv");
        Project p = fx.project(fx.user("pm-inv"), ProjectStatus.PUBLISHED, 2);
        map(ana, p.id(), 1);
        map(ana, p.id(), 2);
        validate(val, p.id(), 1, "INVALIDATED");
        validate(val, p.id(), 2, "INVALIDATED");
        map(ana, p.id(), 2);
        validate(val, p.id(), 2, "VALIDATED");

        String mine = "/api/v2/projects/" + ana.username() + "/tasks/queries/own/invalidated/";
        JsonNode all = call(fn, "GET", mine, token(ana.id()), null).json();
        assertThat(all.path("pagination").path("total").asInt()).isEqualTo(2);
        JsonNode open = call(fn, "GET", mine + "?closed=false", token(ana.id()), null).json().path("invalidatedTasks");
        assertThat(open.size()).isEqualTo(1);
        assertThat(open.get(0).path("taskId").asInt()).isEqualTo(1);
        assertThat(open.get(0).path("projectName").asText()).isNotEmpty();
        assertThat(open.get(0).path("historyId").asInt()).isPositive();
        JsonNode closed = call(fn, "GET", mine + "?closed=true", token(ana.id()), null).json().path("invalidatedTasks");
        assertThat(closed.size()).isEqualTo(1);
        assertThat(closed.get(0).path("taskId").asInt()).isEqualTo(2);
        JsonNode asValidator = call(fn, "GET", "/api/v2/projects/" + val.username()
                + "/tasks/queries/own/invalidated/?asValidator=true", token(ana.id()), null).json();
        assertThat(asValidator.path("pagination").path("total").asInt()).isEqualTo(2);
        assertThat(call(fn, "GET", "/api/v2/projects/nobody-here/tasks/queries/own/invalidated/", token(ana.id()), null)
                .status()).isEqualTo(404);
    }

    @Test
    void aTasksCommentsAreReadAsItsTaskDto() {
        User ana = fx.user("ana-comments");
        Project p = fx.project(fx.user("pm-comments"), ProjectStatus.PUBLISHED, 1);
        call(fn, "POST", "/api/v2/projects/" + p.id() + "/comments/tasks/1/", token(ana.id()), "{\"comment\": \"first\"}");
        call(fn, "POST", "/api/v2/projects/" + p.id() + "/comments/tasks/1/", token(ana.id()), "{\"comment\": \"second\"}");
        JsonNode dto = call(fn, "GET", "/api/v2/projects/" + p.id() + "/comments/tasks/1/", null, null).json();
        assertThat(dto.path("taskId").asInt()).isEqualTo(1);
        assertThat(dto.path("taskHistory").get(0).path("actionText").asText()).isEqualTo("second");
        assertThat(dto.path("taskHistory").get(1).path("actionText").asText()).isEqualTo("first");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/comments/tasks/9/", null, null).status()).isEqualTo(404);
    }

    @Test
    void onlyAnAdministratorDeletesTasksAndTheCountersFollow() {
        User pm = fx.user("pm-del");
        User admin = fx.user("admin-del");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        User ana = fx.user("ana-del");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 4);
        map(ana, p.id(), 2);
        call(fn, "POST", lock(p.id(), 3), token(ana.id()), null);
        String path = "/api/v2/projects/" + p.id() + "/tasks/";

        var notAdmin = call(fn, "DELETE", path, token(pm.id()), "{\"tasks\": [1]}");
        assertThat(notAdmin.status()).isEqualTo(403);
        assertThat(notAdmin.subCode()).isEqualTo("OnlyAdminAccess");
        for (String bad : List.of("{}", "{\"tasks\": 3}", "{\"tasks\": [\"a\"]}", "{\"tasks\": []}", "not json")) {
            var a = call(fn, "DELETE", path, token(admin.id()), bad);
            assertThat(a.status()).as(bad).isEqualTo(400);
            assertThat(a.subCode()).as(bad).isEqualTo("InvalidData");
        }
        var missing = call(fn, "DELETE", path, token(admin.id()), "{\"tasks\": [1, 77]}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(fx.tasks.get(p.id(), 1)).isPresent(); // nothing deleted

        var ok = call(fn, "DELETE", path, token(admin.id()), "{\"tasks\": [2, 3]}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("Success").asText()).isEqualTo("Task(s) deleted");
        assertThat(fx.tasks.get(p.id(), 2)).isEmpty();
        assertThat(fx.tasks.get(p.id(), 3)).isEmpty();
        var counters = fx.projects.get(p.id()).orElseThrow().counters();
        assertThat(counters.totalTasks()).isEqualTo(2);
        assertThat(counters.tasksMapped()).isZero();
        // the holder of the deleted lock may lock again at once
        assertThat(call(fn, "POST", lock(p.id(), 4), token(ana.id()), null).status()).isEqualTo(200);
        assertThat(call(fn, "GET", path + "2/", null, null).status()).isEqualTo(404);
        assertThat(call(fn, "DELETE", "/api/v2/projects/999999/tasks/", token(admin.id()), "{\"tasks\": [1]}").status()).isEqualTo(404);
    }

    @Test
    void theAoiTilesAreAManagersQuery() {
        User pm = fx.user("pm-aoi");
        User ana = fx.user("ana-aoi");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        String path = "/api/v2/projects/" + p.id() + "/tasks/queries/aoi/";
        String body = """
                {"clipToAoi": false,
                 "areaOfInterest": {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                   "geometry": {"type": "Polygon", "coordinates": [[[0.001,0.001],[0.004,0.001],[0.004,0.004],[0.001,0.004],[0.001,0.001]]]}}]},
                 "grid": {"type": "FeatureCollection", "features": [
                   {"type": "Feature", "properties": {"x": 1, "y": 1, "zoom": 1},
                    "geometry": {"type": "MultiPolygon", "coordinates": [[[[0,0],[0.005,0],[0.005,0.005],[0,0.005],[0,0]]]]}},
                   {"type": "Feature", "properties": {"x": 2, "y": 1, "zoom": 1},
                    "geometry": {"type": "MultiPolygon", "coordinates": [[[[1,1],[1.005,1],[1.005,1.005],[1,1.005],[1,1]]]]}}]}}""";
        assertThat(call(fn, "PUT", path, token(ana.id()), body).subCode()).isEqualTo("UserPermissionError");
        var bad = call(fn, "PUT", path, token(pm.id()), "{\"grid\": 1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidData");
        var ok = call(fn, "PUT", path, token(pm.id()), body);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().path("features").size()).isEqualTo(1);
    }
}
