package dev.tmserverless.fn.stats;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.fn.users.UsersFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statistics route through the function that serves it, after real changes went through the feed to the
 * aggregator: the reference's shapes and formulas, and its 404s and 400s.
 */
class StatsRoutesTest {
    static FeedHarness h;
    static StatsFunction stats;
    static TasksFunction tasks;
    static ProjectsFunction projects;
    static UsersFunction users;
    static Fixture fx;
    static User author;
    static User mapper;
    static Project p;
    static Instant mappedAt;

    @BeforeAll
    static void start() throws Exception {
        h = FeedHarness.start("stats-routes");
        stats = new StatsFunction();
        tasks = new TasksFunction();
        projects = new ProjectsFunction();
        users = new UsersFunction();
        fx = new Fixture(stats.getApplicationContext());
        h.feed(e -> stats.handleRequest(e, new Api.TestContext()));
        author = fx.user("author-stats");
        mapper = fx.user("mapper-stats");
        p = fx.project(author, ProjectStatus.PUBLISHED, 4);
        // the author holds task 1 for three seconds and marks it MAPPED (the task store's transition: counters
        // untouched, as in the reference's test)
        mappedAt = Instant.now().minusSeconds(60);
        var lock = TaskMachine.lockForMapping(fx.tasks.get(p.id(), 1).orElseThrow(), author.actor(),
                mappedAt.minusSeconds(3), Duration.ofHours(2));
        assertThat(fx.tasks.apply(lock)).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), 1).orElseThrow(),
                author.actor(), mappedAt, "MAPPED", null))).isTrue();
        // the mapper holds task 2 now, through the tasks function (lock slot and all)
        var locked = call(tasks, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/2/",
                token(mapper.id()), null);
        assertThat(locked.status()).isEqualTo(200);
        h.caughtUp();
    }

    @AfterAll
    static void stop() {
        h.close();
        stats.close();
        tasks.close();
        projects.close();
        users.close();
    }

    @Test
    void projectStatisticsFollowTheReferenceFormulas() {
        assertThat(call(projects, "GET", "/api/v2/projects/99999/statistics/", null, null).status()).isEqualTo(404);
        var s = call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/", null, null);
        assertThat(s.status()).isEqualTo(200);
        var j = s.json();
        assertThat(j.get("projectId").asLong()).isEqualTo(p.id());
        assertThat(j.get("totalTasks").asInt()).isEqualTo(4);
        assertThat(j.get("totalMappers").asInt()).isEqualTo(1);
        assertThat(j.get("totalMappingTime").asInt()).isEqualTo(3);
        assertThat(j.get("totalTimeSpent").asInt()).isEqualTo(3);
        // two mapping lock rows: the ended one (3 s) and the mapper's open one
        assertThat(j.get("averageMappingTime").asInt()).isEqualTo(1);
        assertThat(j.get("timeToFinishMapping").asInt()).isEqualTo(4);
        assertThat(j.get("timeToFinishValidating").asInt()).isZero();
        assertThat(j.get("aoiCentroid").get("type").asText()).isEqualTo("Point");
        assertThat(j.has("projectArea(in sq.km)")).isTrue();
        assertThat(j.has("percentMapped") && j.has("percentValidated") && j.has("percentBadImagery")).isTrue();
    }

    @Test
    void aUsersTimeInAProjectComesFromTheirLockRows() {
        var s = call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/queries/" + author.username() + "/", null, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("timeSpentMapping").asInt()).isEqualTo(3);
        assertThat(s.json().get("timeSpentValidating").asInt()).isZero();
        assertThat(s.json().get("totalTimeSpent").asInt()).isEqualTo(3);
        assertThat(call(projects, "GET", "/api/v2/projects/99999/statistics/queries/" + author.username() + "/", null, null)
                .status()).isEqualTo(404);
        assertThat(call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/queries/nobody-at-all/", null, null)
                .status()).isEqualTo(404);
    }

    @Test
    void theContributionsTimelineCountsTheMappedTaskOnItsDay() {
        var s = call(projects, "GET", "/api/v2/projects/" + p.id() + "/contributions/queries/day/", null, null);
        assertThat(s.status()).isEqualTo(200);
        var day = s.json().get("stats").get(0);
        assertThat(day.get("date").asText()).isEqualTo(LocalDate.ofInstant(mappedAt, ZoneOffset.UTC).toString());
        assertThat(day.get("mapped").asInt()).isEqualTo(1);
        assertThat(day.get("cumulative_mapped").asInt()).isEqualTo(1);
        assertThat(day.get("cumulative_validated").asInt()).isZero();
        assertThat(day.get("total_tasks").asInt()).isEqualTo(4);
    }

    @Test
    void userStatisticsNeedALoginAndCountTheUsersWork() {
        String path = "/api/v2/users/" + author.username() + "/statistics/";
        assertThat(call(users, "GET", path, null, null).status()).isEqualTo(401);
        var s = call(users, "GET", path, token(mapper.id()), null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("tasksMapped").asInt()).isEqualTo(1);
        assertThat(s.json().get("projectsMapped").asInt()).isEqualTo(1);
        assertThat(s.json().get("timeSpentMapping").asInt()).isEqualTo(3);
        assertThat(s.json().get("totalTimeSpent").asInt()).isEqualTo(3);
        assertThat(s.json().get("contributionsByDay").get(0).get("count").asInt()).isEqualTo(1);
        assertThat(call(users, "GET", "/api/v2/users/nobody-at-all/statistics/", token(mapper.id()), null).status()).isEqualTo(404);
    }

    @Test
    void theHomePageCountsProjectsMappersAndWhoIsOnline() {
        var abbreviated = call(users, "GET", "/api/v2/system/statistics/", null, null).json();
        assertThat(abbreviated.get("totalProjects").asInt()).isEqualTo(1);
        assertThat(abbreviated.get("mappersOnline").asInt()).isEqualTo(1);
        assertThat(abbreviated.get("totalMappers").asInt()).isEqualTo(2);
        assertThat(abbreviated.has("totalValidators")).isFalse();
        var full = call(users, "GET", "/api/v2/system/statistics/?abbreviated=false", null, null).json();
        assertThat(full.get("totalValidators").asInt()).isZero();
        assertThat(full.get("organisations").get(0).get("projectsCreated").asInt()).isEqualTo(1);
        assertThat(full.get("totalOrganisations").asInt()).isEqualTo(1);
    }

    @Test
    void organisationStatisticsCountItsProjectsAndTheirTasks() {
        var s = call(users, "GET", "/api/v2/organisations/" + p.organisationId() + "/statistics/", null, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("projects").get("published").asInt()).isEqualTo(1);
        assertThat(s.json().get("activeTasks").get("mapped").asInt()).isEqualTo(1);
        assertThat(s.json().get("activeTasks").get("lockedForMapping").asInt()).isEqualTo(1);
        assertThat(s.json().get("activeTasks").get("ready").asInt()).isEqualTo(2);
        assertThat(call(users, "GET", "/api/v2/organisations/999999/statistics/", null, null).status()).isEqualTo(404);
        // the organisations list carries the same figures (this year's) when asked for them
        var list = call(users, "GET", "/api/v2/organisations/?omitOrgStats=false", null, null).json().get("organisations");
        var mine = java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .filter(o -> o.get("organisationId").asLong() == p.organisationId()).findFirst().orElseThrow();
        assertThat(mine.get("stats").get("projects").get("published").asInt()).isEqualTo(1);
        assertThat(mine.get("stats").get("activeTasks").get("mapped").asInt()).isEqualTo(1);
        var plain = call(users, "GET", "/api/v2/organisations/", null, null).json().get("organisations");
        assertThat(plain.get(0).get("stats").isNull()).isTrue();
    }

    @Test
    void taskStatisticsByDayWithTheReferencesRefusals() {
        String day = LocalDate.ofInstant(mappedAt, ZoneOffset.UTC).toString();
        String base = "/api/v2/tasks/statistics/";
        String tk = token(mapper.id());
        assertThat(call(tasks, "GET", base + "?startDate=" + day, null, null).status()).isEqualTo(401);
        assertThat(call(tasks, "GET", base, tk, null).status()).isEqualTo(422);
        var bad = call(tasks, "GET", base + "?startDate=yesterday", tk, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidDateValue");
        var reversed = call(tasks, "GET", base + "?startDate=2024-02-02&endDate=2024-02-01", tk, null);
        assertThat(reversed.subCode()).isEqualTo("InvalidDateRange");
        assertThat(reversed.error()).isEqualTo(" Start date must be earlier than end date");
        var tooLong = call(tasks, "GET", base + "?startDate=2022-01-01&endDate=2024-01-01", tk, null);
        assertThat(tooLong.error()).isEqualTo(" Date range cannot be greater than 1 year");
        var s = call(tasks, "GET", base + "?startDate=" + day + "&endDate=" + day, tk, null);
        assertThat(s.status()).isEqualTo(200);
        var row = s.json().get("taskStats").get(0);
        assertThat(row.get("date").asText()).isEqualTo(day);
        assertThat(row.get("mapped").asInt()).isEqualTo(1);
        assertThat(row.get("validated").asInt()).isZero();
        assertThat(row.get("badImagery").asInt()).isZero();
        assertThat(call(tasks, "GET", base + "?startDate=" + day + "&projectId=999999", tk, null).json()
                .get("taskStats")).isEmpty();
        assertThat(call(tasks, "GET", base + "?startDate=" + day + "&organisationId=" + p.organisationId(), tk, null).json()
                .get("taskStats")).hasSize(1);
    }
}
