package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project lists about users and the deployment (touched, recommended, countries), annotations, cloning, and a
 * delete racing real locks, through the projects and tasks handlers against the emulators.
 */
class ProjectQueriesTest {
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static TasksFunction tasks;
    static Fixture fx;
    static User admin;
    static User author;
    static User mapper;
    static Organisation org;

    static final String AOI = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
            + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.1],[-4.02,56.09]]]}}]}";

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("project-queries").applyAsSystemProperties();
        System.setProperty("TM_SEARCH_REFRESH_MS", "0");
        fn = new ProjectsFunction();
        tasks = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        admin = fx.user("admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        admin = fx.users.get(admin.id()).orElseThrow();
        author = fx.user("author");
        mapper = fx.user("mapper");
        String u = UUID.randomUUID().toString();
        org = fx.orgs.create("Org " + u, "org-" + u, null, null, null, null, List.of(author.id()));
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_SEARCH_REFRESH_MS");
        tasks.close();
        fn.close();
        env.close();
    }

    static Project project(User by, ProjectStatus status, int n) {
        return fx.project(by, status, readyTasks(n), "", org.id(), false, List.of());
    }

    static List<dev.tmserverless.aws.store.TaskStore.NewTask> readyTasks(int n) {
        List<dev.tmserverless.aws.store.TaskStore.NewTask> ts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ts.add(new dev.tmserverless.aws.store.TaskStore.NewTask(dev.tmserverless.core.domain.Task.ready(0, i, 1010 + i, 1399, 11, true), null));
        }
        return ts;
    }

    /** The stored project with one setting changed, written as a settings write would. */
    static Project change(Project p, String field, Object value) {
        var stored = fx.projects.get(p.id()).orElseThrow();
        ObjectNode doc = (ObjectNode) Json.MAPPER.valueToTree(stored.project());
        doc.set(field, Json.MAPPER.valueToTree(value));
        Project changed = Json.MAPPER.convertValue(doc, Project.class);
        assertThat(fx.projects.update(changed, stored.version())).isTrue();
        return changed;
    }

    static Api.Answer as(User u, String method, String path, String body) {
        return call(fn, method, "/api/v2" + path, u == null ? null : token(u.id()), body);
    }

    static Api.Answer task(User u, String method, String path, String body) {
        return call(tasks, method, "/api/v2" + path, u == null ? null : token(u.id()), body);
    }

    static void mapTask(User u, long projectId, int taskId) {
        assertThat(task(u, "POST", "/projects/" + projectId + "/tasks/actions/lock-for-mapping/" + taskId + "/", null).status()).isEqualTo(200);
        assertThat(task(u, "POST", "/projects/" + projectId + "/tasks/actions/unlock-after-mapping/" + taskId + "/",
                "{\"status\": \"MAPPED\"}").status()).isEqualTo(200);
    }

    static List<Long> ids(JsonNode results) {
        List<Long> out = new ArrayList<>();
        results.forEach(r -> out.add(r.path("projectId").asLong()));
        return out;
    }

    @Test
    void touchedListsTheProjectsAUserMappedWithTheTasksTheyMappedNewestFirst() {
        User ana = fx.user("ana");
        Project older = project(author, ProjectStatus.PUBLISHED, 3);
        Project newer = project(author, ProjectStatus.PUBLISHED, 3);
        Project untouched = project(author, ProjectStatus.PUBLISHED, 3);
        mapTask(ana, older.id(), 1);
        mapTask(ana, older.id(), 2);
        mapTask(ana, newer.id(), 3);

        var a = as(null, "GET", "/projects/queries/" + ana.username() + "/touched/", null);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode list = a.json().get("mappedProjects");
        assertThat(ids(list)).containsExactly(newer.id(), older.id()).doesNotContain(untouched.id());
        JsonNode first = list.get(1);
        assertThat(first.get("name").asText()).isEqualTo("Test");
        assertThat(first.get("tasksMapped").asInt()).isEqualTo(2);
        assertThat(first.get("tasksValidated").asInt()).isZero();
        assertThat(first.get("status").asText()).isEqualTo("PUBLISHED");
        assertThat(first.get("centroid").get("type").asText()).isEqualTo("Point");
        assertThat(first.get("centroid").get("coordinates").get(0).asDouble()).isEqualTo(-4.05);
        assertThat(list.get(0).get("tasksMapped").asInt()).isEqualTo(1);

        var nobody = as(null, "GET", "/projects/queries/nobody-" + UUID.randomUUID() + "/touched/", null);
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.body()).contains("USER_NOT_FOUND");
    }

    @Test
    void recommendationsAreProjectsOfTheCampaignsTheUserWorkedInThenOfTheirLevel() {
        User ben = fx.user("ben");
        CampaignStore campaigns = fn.getApplicationContext().getBean(CampaignStore.class);
        long campaign = campaigns.create("Campaign " + UUID.randomUUID(), null, null, null).id();
        Project worked = project(author, ProjectStatus.PUBLISHED, 2);
        Project sibling = project(author, ProjectStatus.PUBLISHED, 2);
        Project draftSibling = project(author, ProjectStatus.DRAFT, 2);
        Project own = project(ben, ProjectStatus.PUBLISHED, 2);
        Project easy = change(project(author, ProjectStatus.PUBLISHED, 2), "difficulty", "EASY");
        Project other = project(author, ProjectStatus.PUBLISHED, 2);
        for (Project p : List.of(worked, sibling, draftSibling, own)) campaigns.linkProject(p.id(), campaign);
        mapTask(ben, worked.id(), 1);

        assertThat(as(null, "GET", "/users/" + ben.username() + "/recommended-projects/", null).status()).isEqualTo(401);
        var a = as(mapper, "GET", "/users/" + ben.username() + "/recommended-projects/", null);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        List<Long> got = ids(a.json().get("results"));
        // the campaign's published projects by others, newest first, then the beginner's EASY projects
        assertThat(got).containsSubsequence(sibling.id(), worked.id(), easy.id())
                .doesNotContain(draftSibling.id(), own.id(), other.id());
        assertThat(a.json().get("results").get(0).has("percentMapped")).isTrue();
        assertThat(a.json().get("pagination").isNull()).isTrue();
        assertThat(as(mapper, "GET", "/users/nobody-" + UUID.randomUUID() + "/recommended-projects/", null).status()).isEqualTo(404);
    }

    @Test
    void countriesAreThoseOfEveryProjectsCountryTagSetThroughPatch() {
        Project p = project(author, ProjectStatus.DRAFT, 2);
        // the reference frontend sends back the project as it read it
        ObjectNode dto = (ObjectNode) as(author, "GET", "/projects/" + p.id() + "/", null).json();
        dto.set("countryTag", Json.MAPPER.valueToTree(List.of("Nepal", "Bhutan")));
        var patched = as(author, "PATCH", "/projects/" + p.id() + "/", Json.write(dto));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(as(author, "GET", "/projects/" + p.id() + "/", null).json().get("countryTag"))
                .extracting(JsonNode::asText).containsExactly("Nepal", "Bhutan");
        change(project(author, ProjectStatus.PUBLISHED, 1), "countryTag", List.of("Angola"));

        var a = as(null, "GET", "/countries/", null);
        assertThat(a.status()).isEqualTo(200);
        List<String> tags = new ArrayList<>();
        a.json().get("tags").forEach(t -> tags.add(t.asText()));
        assertThat(tags).contains("Angola", "Bhutan", "Nepal").isSorted().doesNotHaveDuplicates();

        dto.set("countryTag", Json.MAPPER.valueToTree("Nepal"));
        assertThat(as(author, "PATCH", "/projects/" + p.id() + "/", Json.write(dto)).status()).isEqualTo(400);
    }

    @Test
    void annotationsArePostedByAnAuthenticatedScriptAndReadByAnyone() {
        Project p = project(author, ProjectStatus.PUBLISHED, 3);
        String path = "/projects/" + p.id() + "/annotations/";
        String body = "{\"tasks\": [{\"taskId\": 1, \"annotationSource\": \"model-a\", \"annotationMarkdown\": \"**1**\","
                + " \"properties\": {\"buildings\": 0.9}}, {\"taskId\": 2, \"properties\": {\"buildings\": 0.1}}]}";
        assertThat(as(null, "POST", path + "ml-buildings/", body).status()).isEqualTo(401);

        // an application key in the Authorization header, base64 after "Token" as the reference's session tokens
        var key = fn.getApplicationContext().getBean(ApplicationKeyStore.class).create(mapper.id(), Instant.now());
        String header = "Token " + java.util.Base64.getEncoder().encodeToString(key.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var posted = call(fn, "POST", "/api/v2" + path + "ml-buildings/", header, body);
        assertThat(posted.status()).as(posted.body()).isEqualTo(200);
        assertThat(posted.json().asLong()).isEqualTo(p.id());

        var all = as(null, "GET", path, null).json();
        assertThat(all.get("projectId").asLong()).isEqualTo(p.id());
        assertThat(all.get("tasks")).hasSize(2);
        JsonNode one = all.get("tasks").get(0);
        assertThat(one.get("taskId").asInt()).isEqualTo(1);
        assertThat(one.get("annotationType").asText()).isEqualTo("ml-buildings");
        assertThat(one.get("annotationSource").asText()).isEqualTo("model-a");
        assertThat(one.get("annotationMarkdown").asText()).isEqualTo("**1**");
        assertThat(one.get("properties").get("buildings").asDouble()).isEqualTo(0.9);

        // posted again: new properties, the source and markdown it had (the reference's update)
        assertThat(as(mapper, "POST", path + "ml-buildings/", "{\"tasks\": [{\"taskId\": 1, \"annotationSource\": \"model-b\","
                + " \"properties\": {\"buildings\": 0.5}}]}").status()).isEqualTo(200);
        as(mapper, "POST", path + "ml-roads/", "{\"tasks\": [{\"taskId\": 3, \"properties\": {\"roads\": 2}}]}");
        JsonNode typed = as(null, "GET", path + "ml-buildings/", null).json().get("tasks");
        assertThat(typed).hasSize(2);
        assertThat(typed.get(0).get("annotationSource").asText()).isEqualTo("model-a");
        assertThat(typed.get(0).get("properties").get("buildings").asDouble()).isEqualTo(0.5);
        assertThat(as(null, "GET", path, null).json().get("tasks")).hasSize(3);
        assertThat(as(null, "GET", path + "ml-none/", null).json().get("tasks")).isEmpty();

        // a task the project does not have: 400 and nothing written
        var bad = as(mapper, "POST", path + "ml-water/", "{\"tasks\": [{\"taskId\": 2, \"properties\": {}},"
                + " {\"taskId\": 99, \"properties\": {}}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidData");
        assertThat(as(null, "GET", path + "ml-water/", null).json().get("tasks")).isEmpty();
        assertThat(as(mapper, "POST", path + "bad%23type/", "{\"tasks\": []}").status()).isEqualTo(400);
        assertThat(as(null, "GET", "/projects/99999999/annotations/", null).status()).isEqualTo(404);
    }

    @Test
    void aCloneCopiesTheSourcesSettingsTagsAndTeamsButNeverItsTasks() {
        Project src = project(author, ProjectStatus.PUBLISHED, 4);
        change(src, "changesetComment", Project.CHANGESET_PREFIX + "-" + src.id() + " #flood");
        change(src, "countryTag", List.of("Malawi"));
        change(src, "difficulty", "CHALLENGING");
        long campaign = fn.getApplicationContext().getBean(CampaignStore.class).create("Clone " + UUID.randomUUID(), null, null, null).id();
        fn.getApplicationContext().getBean(CampaignStore.class).linkProject(src.id(), campaign);
        long interest = fn.getApplicationContext().getBean(InterestStore.class).create("Clone " + UUID.randomUUID()).id();
        fn.getApplicationContext().getBean(InterestStore.class).setForProject(src.id(), List.of(interest));
        TeamStore teams = fn.getApplicationContext().getBean(TeamStore.class);
        Team team = teams.create(org.id(), "Team " + UUID.randomUUID(), null, null, Team.JoinMethod.ANY, Team.Visibility.PUBLIC,
                author.id(), Instant.now());
        teams.assign(src.id(), team.id(), TeamRole.VALIDATOR);

        String body = "{\"projectName\": \"Copy\", \"cloneFromProjectId\": " + src.id() + ", \"areaOfInterest\": " + AOI
                + ", \"grid\": {\"zoom\": 14, \"clipToAoi\": true}}";
        // only managers of the source's organisation (and administrators) create there
        assertThat(as(mapper, "POST", "/projects/", body).status()).isEqualTo(403);
        var created = as(author, "POST", "/projects/", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().get("projectId").asLong();
        assertThat(id).isNotEqualTo(src.id());

        JsonNode p = as(author, "GET", "/projects/" + id + "/", null).json();
        assertThat(p.get("status").asText()).isEqualTo("DRAFT");
        assertThat(p.get("author").asText()).isEqualTo(author.username());
        assertThat(p.get("organisation").asLong()).isEqualTo(org.id());
        assertThat(p.get("difficulty").asText()).isEqualTo("CHALLENGING");
        assertThat(p.get("projectInfo").get("name").asText()).isEqualTo("Test");
        assertThat(p.get("changesetComment").asText()).isEqualTo(Project.CHANGESET_PREFIX + "-" + id + " #flood");
        assertThat(p.get("countryTag")).extracting(JsonNode::asText).containsExactly("Malawi");
        assertThat(p.get("campaigns").get(0).get("id").asLong()).isEqualTo(campaign);
        assertThat(p.get("interests").get(0).get("id").asLong()).isEqualTo(interest);
        assertThat(p.get("teams").get(0).get("teamId").asLong()).isEqualTo(team.id());
        // its tasks come from its own grid job, not from the source
        assertThat(p.get("tasks").get("features")).isEmpty();
        assertThat(as(author, "GET", "/projects/" + id + "/queries/grid-job/", null).json().get("state").asText()).isEqualTo("QUEUED");
        assertThat(as(author, "GET", "/projects/" + src.id() + "/", null).json().get("tasks").get("features")).hasSize(4);

        // a private source the caller may not see cannot be cloned
        Project hidden = change(project(admin, ProjectStatus.PUBLISHED, 1), "private", true);
        User outsider = fx.user("outsider");
        String u = UUID.randomUUID().toString();
        fx.orgs.create("Other " + u, "other-" + u, null, null, null, null, List.of(outsider.id()));
        assertThat(as(outsider, "POST", "/projects/", body.replace("\"cloneFromProjectId\": " + src.id(),
                "\"cloneFromProjectId\": " + hidden.id())).status()).isEqualTo(403);
        assertThat(as(author, "POST", "/projects/", body.replace("\"cloneFromProjectId\": " + src.id(),
                "\"cloneFromProjectId\": 99999999")).status()).isEqualTo(404);
    }

    /**
     * A project manager deletes a project while mappers keep locking and stopping its tasks, all released at once,
     * many rounds. If the project is deleted, every lock answered 200 was stopped again with 200 (a lock whose stop
     * fails was held on a project being deleted) and every mapper can lock elsewhere at once; otherwise the delete
     * was refused (HasMappedTasks, or Conflict while the tasks kept changing) and the project is there.
     */
    @Test
    void aDeleteRacingLocksEitherRefusesOrDeletesAndRefusesTheLocks() throws Exception {
        int mappers = 3;
        int deleted = 0;
        int refused = 0;
        int round = 0;
        ExecutorService pool = Executors.newFixedThreadPool(mappers + 1);
        try {
            // at least 25 rounds, and on until both outcomes were seen (which one wins a race depends on the
            // machine's timing); every other round is light, one mapper locking once, so that a delete can win its
            // race, and every fourth lets the delete finish before the mapper starts, so that the checks of a won
            // delete run whatever the machine's timing
            for (; round < 25 || ((deleted == 0 || refused == 0) && round < 200); round++) {
                Project p = project(author, ProjectStatus.PUBLISHED, mappers);
                boolean light = round % 2 == 1;
                boolean deleteFirst = round % 4 == 3;
                CountDownLatch deleteDone = new CountDownLatch(deleteFirst ? 1 : 0);
                int tries = light ? 1 : 1 + round % 3;
                int active = light ? 1 : mappers;
                List<User> who = new ArrayList<>();
                for (int i = 0; i < mappers; i++) who.add(fx.user("racer"));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<List<int[]>>> work = new ArrayList<>();
                for (int i = 0; i < active; i++) {
                    User m = who.get(i);
                    String base = "/projects/" + p.id() + "/tasks/actions/";
                    int t = i + 1;
                    work.add(pool.submit(() -> {
                        go.await();
                        deleteDone.await();
                        List<int[]> out = new ArrayList<>();
                        for (int k = 0; k < tries; k++) {
                            int lock = task(m, "POST", base + "lock-for-mapping/" + t + "/", null).status();
                            int stop = lock == 200 ? task(m, "POST", base + "stop-mapping/" + t + "/", "{}").status() : 0;
                            out.add(new int[]{lock, stop});
                        }
                        return out;
                    }));
                }
                Future<Api.Answer> delete = pool.submit(() -> {
                    go.await();
                    return as(author, "DELETE", "/projects/" + p.id() + "/", null);
                });
                go.countDown();
                Api.Answer d = delete.get(60, TimeUnit.SECONDS);
                deleteDone.countDown();
                int r = round;
                List<int[]> attempts = new ArrayList<>();
                for (Future<List<int[]>> f : work) attempts.addAll(f.get(60, TimeUnit.SECONDS));
                if (d.status() == 200) {
                    deleted++;
                    for (int[] a : attempts) {
                        if (a[0] == 200) assertThat(a[1]).as("round %d: a lock answered 200 on the deleted project", r).isEqualTo(200);
                    }
                    assertThat(fx.projects.get(p.id())).isEmpty();
                    // every mapper's slot is free: each locks a task elsewhere at once
                    Project elsewhere = project(author, ProjectStatus.PUBLISHED, mappers);
                    for (int i = 0; i < mappers; i++) {
                        assertThat(task(who.get(i), "POST", "/projects/" + elsewhere.id() + "/tasks/actions/lock-for-mapping/"
                                + (i + 1) + "/", null).status()).as("round %d: mapper %d's slot", r, i).isEqualTo(200);
                    }
                } else {
                    refused++;
                    assertThat(d.status()).as(d.body()).isIn(403, 409);
                    if (d.status() == 403) assertThat(d.subCode()).isEqualTo("HasMappedTasks");
                    assertThat(fx.projects.get(p.id())).isPresent();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("delete racing locks: " + deleted + " deleted, " + refused + " refused of " + round);
        assertThat(deleted).as("some rounds delete").isPositive();
        assertThat(refused).as("some rounds refuse").isPositive();
    }
}
