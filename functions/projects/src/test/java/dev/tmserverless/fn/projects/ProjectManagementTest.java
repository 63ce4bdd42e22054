package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectInfo;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskMachine;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Managing one project and the lists beside search, through the real handler against the emulators: feature,
 * favourites, transfer of ownership, delete (and what it leaves of other projects), my projects, bbox, active,
 * similar, nogeometries and notasks.
 */
class ProjectManagementTest {
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;
    static BlobStore blobs;
    static User admin;
    static User manager;
    static User plain;
    static Organisation org;

    static final String AOI = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[85.3,27.7],[85.4,27.7],[85.4,27.8],[85.3,27.8],[85.3,27.7]]]]}";

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("projects-manage").applyAsSystemProperties();
        System.setProperty("TM_SEARCH_REFRESH_MS", "0");
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
        blobs = fn.getApplicationContext().getBean(BlobStore.class);
        admin = fx.user("admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        admin = fx.users.get(admin.id()).orElseThrow();
        manager = fx.user("manager");
        plain = fx.user("plain");
        org = org(manager);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_SEARCH_REFRESH_MS");
        fn.close();
        env.close();
    }

    static Organisation org(User... managers) {
        String u = UUID.randomUUID().toString();
        return fx.orgs.create("Org " + u, "org-" + u, null, null, null, null,
                java.util.Arrays.stream(managers).map(User::id).toList());
    }

    /** A project of {@code n} READY tasks in {@code orgId}, its AOI stored, its grid written. */
    static Project project(User author, long orgId, ProjectStatus status, int n, List<String> types) {
        long id = fx.counters.next("PROJECT");
        Project p = new Project(id, status, "MEDIUM", "MODERATE", "en", author.id(), author.username(), orgId, "ANY", 1,
                "ANY", 1, false, false, "#hotosm-project-" + id, null, null, null, null, List.of(), null, false, false,
                "OSM", types, null, List.of(), List.of(), Instant.now(), Instant.now(), "GRID", List.of("ID"), List.of("ID"),
                List.of(new ProjectInfo("en", "Project " + id, "short", "description", "", "")),
                new double[]{85.3, 27.7, 85.4, 27.8}, new double[]{85.35, 27.75}, 12.5);
        fx.jobs.put(new GridJob(id, GridJob.State.DONE, "GRID", 11, false, (long) n, n, null, Instant.now()));
        fx.projects.create(p);
        List<TaskStore.NewTask> ts = new ArrayList<>();
        for (int i = 1; i <= n; i++) ts.add(new TaskStore.NewTask(Task.ready(id, i, 1010 + i, 1399, 11, true), null));
        fx.tasks.putAll(ts);
        fx.projects.gridWritten(id, n);
        blobs.put(BlobStore.aoiKey(id), AOI);
        return p;
    }

    static Api.Answer as(User u, String method, String path, String body) {
        return call(fn, method, "/api/v2" + path, u == null ? null : token(u.id()), body);
    }

    static void assertError(Api.Answer a, int status, String subCode) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.json().path("SubCode").asText()).isEqualTo(subCode);
    }

    static List<Long> ids(JsonNode results) {
        List<Long> out = new ArrayList<>();
        results.forEach(r -> out.add(r.path("projectId").asLong()));
        return out;
    }

    @Test
    void featuringListsTheProjectOnTheHomePageUntilItIsRemoved() {
        Project p = project(manager, org.id(), ProjectStatus.PUBLISHED, 2, List.of());
        assertError(as(plain, "POST", "/projects/" + p.id() + "/actions/feature/", null), 403, "UserPermissionError");
        Api.Answer ok = as(manager, "POST", "/projects/" + p.id() + "/actions/feature/", null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().toString()).isEqualTo("{\"Success\":true}");
        assertError(as(manager, "POST", "/projects/" + p.id() + "/actions/feature/", null), 403, "AlreadyFeatured");
        Api.Answer featured = as(null, "GET", "/projects/queries/featured/", null);
        assertThat(featured.status()).isEqualTo(200);
        assertThat(ids(featured.json().path("results"))).contains(p.id());
        assertThat(featured.json().path("pagination").isNull()).isTrue();
        assertThat(featured.json().path("results").get(0).path("name").asText()).startsWith("Project ");
        assertThat(as(admin, "POST", "/projects/" + p.id() + "/actions/remove-feature/", null).status()).isEqualTo(200);
        assertError(as(admin, "POST", "/projects/" + p.id() + "/actions/remove-feature/", null), 403, "NotFeatured ");
        assertThat(ids(as(null, "GET", "/projects/queries/featured/", null).json().path("results"))).doesNotContain(p.id());
    }

    @Test
    void favouritesAreTheCallersOwnAndFilterSearch() {
        Project p = project(manager, org.id(), ProjectStatus.PUBLISHED, 1, List.of());
        String path = "/projects/" + p.id() + "/favorite/";
        assertThat(as(null, "GET", path, null).status()).isEqualTo(401);
        assertThat(as(plain, "GET", path, null).json().toString()).isEqualTo("{\"favorited\":false}");
        Api.Answer added = as(plain, "POST", path, null);
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.json().toString()).isEqualTo("{\"project_id\":" + p.id() + "}");
        assertThat(as(plain, "GET", path, null).json().path("favorited").asBoolean()).isTrue();
        assertThat(as(manager, "GET", path, null).json().path("favorited").asBoolean()).isFalse();
        assertThat(ids(as(plain, "GET", "/projects/?favoritedByMe=true&organisationId=" + org.id(), null).json().path("results")))
                .containsExactly(p.id());
        assertThat(as(manager, "GET", "/projects/?favoritedByMe=true&organisationId=" + org.id(), null).json().path("results")).isEmpty();
        assertThat(as(plain, "DELETE", path, null).json().toString()).isEqualTo("{\"project_id\":" + p.id() + "}");
        assertError(as(plain, "DELETE", path, null), 400, "NotFeatured ");
        assertThat(as(plain, "GET", "/projects/999999/favorite/", null).status()).isEqualTo(404);
    }

    @Test
    void ownershipGoesOnlyToAManagerOfTheOrganisationOrAnAdministrator() {
        Project p = project(manager, org.id(), ProjectStatus.PUBLISHED, 1, List.of());
        String path = "/projects/" + p.id() + "/actions/transfer-ownership/";
        User other = fx.user("othermanager");
        Organisation theirs = org(other);
        assertThat(theirs.id()).isPositive();
        assertError(as(manager, "POST", path, "{}"), 400, "InvalidData");
        assertThat(as(manager, "POST", path, "{\"username\":\"nobody-" + UUID.randomUUID() + "\"}").status()).isEqualTo(404);
        assertError(as(plain, "POST", path, "{\"username\":\"" + admin.username() + "\"}"), 403, "TransferPermissionError");
        // a manager of another organisation cannot receive it
        assertError(as(manager, "POST", path, "{\"username\":\"" + other.username() + "\"}"), 403, "InvalidNewOwner");
        Api.Answer ok = as(manager, "POST", path, "{\"username\":\"" + admin.username() + "\"}");
        assertThat(ok.json().toString()).isEqualTo("{\"Success\":\"Project Transferred\"}");
        assertThat(fx.projects.get(p.id()).orElseThrow().project().authorId()).isEqualTo(admin.id());
        assertThat(as(null, "GET", "/projects/" + p.id() + "/", null).json().path("author").asText()).isEqualTo(admin.username());
        // already the author: nothing to do
        assertThat(as(admin, "POST", path, "{\"username\":\"" + admin.username() + "\"}").status()).isEqualTo(200);
    }

    @Test
    void deleteRemovesEverythingOfTheProjectAndNothingOfAnother() {
        Project gone = project(manager, org.id(), ProjectStatus.PUBLISHED, 5, List.of());
        Project kept = project(manager, org.id(), ProjectStatus.PUBLISHED, 5, List.of());
        as(plain, "POST", "/projects/" + gone.id() + "/favorite/", null);
        as(plain, "POST", "/projects/" + kept.id() + "/favorite/", null);
        as(manager, "GET", "/projects/" + gone.id() + "/", null); // a task-map snapshot in the bucket
        assertError(as(plain, "DELETE", "/projects/" + gone.id() + "/", null), 403, "UserPermissionError");
        // a mapped task blocks the delete
        Task t = fx.tasks.get(gone.id(), 1).orElseThrow();
        var lock = TaskMachine.lockForMapping(t, plain.actor(), Instant.now(), Duration.ofHours(1));
        assertThat(fx.tasks.apply(lock)).isTrue();
        assertError(as(manager, "DELETE", "/projects/" + gone.id() + "/", null), 403, "HasMappedTasks");
        var unlock = TaskMachine.stopMapping(fx.tasks.get(gone.id(), 1).orElseThrow(), plain.actor(), Instant.now(), null);
        assertThat(fx.tasks.apply(unlock)).isTrue();

        Api.Answer ok = as(manager, "DELETE", "/projects/" + gone.id() + "/", null);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().toString()).isEqualTo("{\"Success\":\"Project deleted\"}");
        assertThat(as(manager, "GET", "/projects/" + gone.id() + "/", null).status()).isEqualTo(404);
        assertThat(fx.tasks.get(gone.id(), 1)).isEmpty();
        assertThat(blobs.get(BlobStore.aoiKey(gone.id()))).isEmpty();
        assertThat(as(plain, "GET", "/projects/" + gone.id() + "/favorite/", null).status()).isEqualTo(404);
        assertThat(ids(as(null, "GET", "/projects/?organisationId=" + org.id(), null).json().path("results")))
                .contains(kept.id()).doesNotContain(gone.id());
        // the other project is whole
        assertThat(fx.tasks.get(kept.id(), 5)).isPresent();
        assertThat(blobs.get(BlobStore.aoiKey(kept.id()))).isPresent();
        assertThat(as(plain, "GET", "/projects/" + kept.id() + "/favorite/", null).json().path("favorited").asBoolean()).isTrue();
        assertThat(as(null, "GET", "/projects/" + kept.id() + "/", null).json().path("tasks").path("features")).hasSize(5);
        // a plain user who authored a project but manages no organisation may not delete it
        Project own = project(plain, org(manager).id(), ProjectStatus.DRAFT, 1, List.of());
        assertError(as(plain, "DELETE", "/projects/" + own.id() + "/", null), 403, "DeletePermissionError");
    }

    @Test
    void myProjectsAreTheCallersByStatus() {
        User author = fx.user("author");
        Organisation mine = org(author);
        Project d = project(author, mine.id(), ProjectStatus.DRAFT, 1, List.of());
        Project a = project(author, mine.id(), ProjectStatus.PUBLISHED, 1, List.of());
        Project z = project(author, mine.id(), ProjectStatus.ARCHIVED, 1, List.of());
        project(manager, mine.id(), ProjectStatus.PUBLISHED, 1, List.of());
        assertError(as(plain, "GET", "/projects/queries/myself/owner/", null), 403, "UserPermissionError");
        JsonNode r = as(author, "GET", "/projects/queries/myself/owner/", null).json();
        assertThat(ids(r.path("draftProjects"))).containsExactly(d.id());
        assertThat(ids(r.path("activeProjects"))).containsExactly(a.id());
        assertThat(ids(r.path("archivedProjects"))).containsExactly(z.id());
        assertThat(r.path("activeProjects").get(0).path("projectInfo").path("name").asText()).isEqualTo("Project " + a.id());
    }

    @Test
    void bboxListsTheAoisThatMeetTheBoxForOrganisationManagers() {
        Project p = project(manager, org.id(), ProjectStatus.DRAFT, 1, List.of());
        assertError(as(plain, "GET", "/projects/queries/bbox/?bbox=85,27,86,28&srid=4326", null), 403, "UserPermissionError");
        assertError(as(manager, "GET", "/projects/queries/bbox/?bbox=85,27,86", null), 400, "InvalidData");
        assertError(as(manager, "GET", "/projects/queries/bbox/?bbox=a,b,c,d&srid=4326", null), 400, "InvalidData");
        assertError(as(manager, "GET", "/projects/queries/bbox/?bbox=-170,-60,170,70&srid=4326", null), 400, "BBoxTooBigError");
        JsonNode fc = as(manager, "GET", "/projects/queries/bbox/?bbox=85,27,86,28&srid=4326&createdByMe=true", null).json();
        JsonNode f = null;
        for (JsonNode x : fc.path("features")) if (x.path("properties").path("projectId").asLong() == p.id()) f = x;
        assertThat(f).isNotNull();
        assertThat(f.path("properties").path("projectStatus").asText()).isEqualTo("DRAFT");
        assertThat(f.path("geometry").path("type").asText()).isEqualTo("MultiPolygon");
        JsonNode none = as(manager, "GET", "/projects/queries/bbox/?bbox=10,10,11,11&srid=4326", null).json();
        assertThat(none.path("features")).isEmpty();
    }

    @Test
    void activeSimilarAndTheProjectWithoutGeometriesOrTasks() {
        Organisation o = org(manager);
        Project p = project(manager, o.id(), ProjectStatus.PUBLISHED, 3, List.of("ROADS", "BUILDINGS"));
        Project like = project(manager, o.id(), ProjectStatus.PUBLISHED, 1, List.of("ROADS", "BUILDINGS"));
        Project unlike = project(manager, o.id(), ProjectStatus.PUBLISHED, 1, List.of("WATERWAYS"));
        JsonNode active = as(null, "GET", "/projects/queries/active/?interval=1", null).json();
        List<Long> activeIds = new ArrayList<>();
        active.path("features").forEach(f -> activeIds.add(f.path("properties").path("project_id").asLong()));
        assertThat(activeIds).contains(p.id(), like.id());
        assertThat(as(null, "GET", "/projects/queries/active/?interval=25", null).status()).isEqualTo(400);
        assertThat(as(null, "GET", "/projects/queries/active/?interval=x", null).json().path("Error").asText())
                .startsWith("Interval must be");

        List<Long> similar = ids(as(null, "GET", "/projects/queries/" + p.id() + "/similar-projects/?limit=100", null)
                .json().path("results"));
        assertThat(similar).doesNotContain(p.id());
        assertThat(similar.indexOf(like.id())).isLessThan(similar.indexOf(unlike.id()));
        assertThat(as(null, "GET", "/projects/queries/999999/similar-projects/", null).status()).isEqualTo(404);

        Api.Answer ng = as(null, "GET", "/projects/" + p.id() + "/queries/nogeometries/", null);
        assertThat(ng.status()).isEqualTo(200);
        assertThat(ng.json().path("tasks").path("features")).hasSize(3);
        assertThat(ng.json().path("tasks").path("features").get(0).path("geometry").isNull()).isTrue();
        Api.Answer file = as(null, "GET", "/projects/" + p.id() + "/queries/nogeometries/?as_file=true", null);
        assertThat(file.headers().get("content-disposition")).contains("project_" + p.id() + ".geojson");

        assertThat(as(plain, "GET", "/projects/" + p.id() + "/queries/notasks/", null).status()).isEqualTo(403);
        JsonNode nt = as(manager, "GET", "/projects/" + p.id() + "/queries/notasks/", null).json();
        assertThat(nt.has("tasks")).isFalse();
        assertThat(nt.has("projectInfo")).isFalse();
        assertThat(nt.path("projectInfoLocales")).hasSize(1);
        assertThat(nt.path("projectId").asLong()).isEqualTo(p.id());
    }
}
