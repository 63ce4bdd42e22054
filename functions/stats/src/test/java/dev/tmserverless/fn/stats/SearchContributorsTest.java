package dev.tmserverless.fn.stats;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Project search's {@code totalContributors}: task actions go through the tasks function, the feed carries them to
 * the aggregator, and the next search (and its CSV) counts the users who worked on the project.
 */
class SearchContributorsTest {
    static FeedHarness h;
    static StatsFunction stats;
    static TasksFunction tasks;
    static ProjectsFunction projects;
    static Fixture fx;

    @BeforeAll
    static void start() throws Exception {
        h = FeedHarness.start("search-contributors");
        stats = new StatsFunction();
        tasks = new TasksFunction();
        System.setProperty("TM_SEARCH_REFRESH_MS", "0"); // search reads every change at once
        projects = new ProjectsFunction();
        fx = new Fixture(stats.getApplicationContext());
        h.feed(e -> stats.handleRequest(e, new Api.TestContext()));
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_SEARCH_REFRESH_MS");
        h.close();
        stats.close();
        tasks.close();
        projects.close();
    }

    @Test
    void searchCountsTheUsersWhoWorkedOnTheProjectAndFollowsNewOnes() throws Exception {
        User author = fx.user("author");
        Project q = fx.project(author, ProjectStatus.PUBLISHED, 3);
        String search = "/api/v2/projects/?organisationId=" + q.organisationId();
        assertThat(call(projects, "GET", search, null, null).json().path("results").get(0).path("totalContributors").asInt()).isZero();
        for (int task = 1; task <= 2; task++) {
            User u = fx.user("contributor-" + task);
            assertThat(call(tasks, "POST", "/api/v2/projects/" + q.id() + "/tasks/actions/lock-for-mapping/" + task + "/",
                    token(u.id()), null).status()).isEqualTo(200);
            h.caughtUp();
            var r = call(projects, "GET", search, null, null).json().path("results").get(0);
            assertThat(r.path("projectId").asLong()).isEqualTo(q.id());
            assertThat(r.path("totalContributors").asInt()).isEqualTo(task);
        }
        String csv = call(projects, "GET", search + "&downloadAsCSV=true", null, null).body();
        assertThat(csv.split("\n")[1]).endsWith(",2," + author.username());
    }
}
