package dev.tmserverless.fn.stats;

import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /projects/queries/popular/ after real task changes went through the feed to the aggregator, which keeps the
 * list (docs/projects.md "Popular projects").
 */
class PopularProjectsTest {
    static FeedHarness h;
    static StatsFunction stats;
    static ProjectsFunction projects;
    static Fixture fx;
    static User mapper;
    static Project quiet;
    static Project busy;
    static Project hidden;
    static Project open;
    static Project draft;

    @BeforeAll
    static void start() throws Exception {
        h = FeedHarness.start("popular");
        stats = new StatsFunction();
        projects = new ProjectsFunction();
        fx = new Fixture(stats.getApplicationContext());
        h.feed(e -> stats.handleRequest(e, new Api.TestContext()));
        mapper = fx.user("mapper-popular");
        quiet = fx.project(mapper, ProjectStatus.PUBLISHED, 3);
        busy = fx.project(mapper, ProjectStatus.PUBLISHED, 3);
        hidden = fx.project(mapper, ProjectStatus.PUBLISHED, ready(3), "", fx.orgs.create("Hidden org", "hidden-org", null,
                null, null, null, List.of()).id(), true, List.of());
        open = fx.project(mapper, ProjectStatus.PUBLISHED, 3);
        draft = fx.project(mapper, ProjectStatus.DRAFT, 3);
        endedLock(quiet, 1);
        for (int t = 1; t <= 2; t++) endedLock(draft, t);
        for (int t = 1; t <= 2; t++) endedLock(busy, t);
        for (int t = 1; t <= 3; t++) endedLock(hidden, t);
        // a lock still held has not ended: it does not count yet
        assertThat(fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(open.id(), 1).orElseThrow(), mapper.actor(),
                Instant.now(), Duration.ofHours(2)))).isTrue();
        h.caughtUp();
    }

    @AfterAll
    static void stop() {
        h.close();
        stats.close();
        projects.close();
    }

    static List<TaskStore.NewTask> ready(int n) {
        List<TaskStore.NewTask> ts = new ArrayList<>();
        for (int i = 1; i <= n; i++) ts.add(new TaskStore.NewTask(Task.ready(0, i, 1010 + i, 1399, 11, true), null));
        return ts;
    }

    /** The mapper locks the task for a minute and stops: one lock row that ended with a duration. */
    static void endedLock(Project in, int taskId) {
        Instant at = Instant.now().minusSeconds(120);
        assertThat(fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(in.id(), taskId).orElseThrow(), mapper.actor(),
                at, Duration.ofHours(2)))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.stopMapping(fx.tasks.get(in.id(), taskId).orElseThrow(), mapper.actor(),
                at.plusSeconds(60), null))).isTrue();
    }

    @Test
    void popularProjectsAreThoseWithTheMostEndedLocksLatelyNeitherPrivateNorDrafts() {
        var a = call(projects, "GET", "/api/v2/projects/queries/popular/", null, null);
        assertThat(a.status()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        a.json().get("results").forEach(r -> ids.add(r.get("projectId").asLong()));
        // the private project has the most and the draft as many as the busy one, but neither is listed; the open
        // lock has not ended
        assertThat(ids).containsExactly(busy.id(), quiet.id());
        assertThat(a.json().get("results").get(0).get("status").asText()).isEqualTo("PUBLISHED");
        assertThat(a.json().get("results").get(0).has("percentMapped")).isTrue();
        assertThat(a.json().get("mapResults")).isEmpty();
    }
}
