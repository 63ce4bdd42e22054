package dev.tmserverless.fn.stats;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.fn.users.UsersFunction;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill: data written while no aggregator ran (the feed is never delivered here) gets its statistics from
 * the scheduled reconciliation's first pass, and every statistics route then answers them.
 */
class BackfillTest {
    static FeedHarness h;
    static StatsFunction stats;
    static TasksFunction tasks;
    static ProjectsFunction projects;
    static UsersFunction users;
    static Fixture fx;
    static User author;
    static User validator;
    static Project p;
    static String day;

    @BeforeAll
    static void start() {
        h = FeedHarness.start("stats-backfill");
        stats = new StatsFunction();
        tasks = new TasksFunction();
        projects = new ProjectsFunction();
        users = new UsersFunction();
        fx = new Fixture(stats.getApplicationContext());
        author = fx.user("author-backfill");
        validator = fx.user("validator-backfill");
        p = fx.project(author, ProjectStatus.PUBLISHED, 4);
        var stored = fx.projects.get(p.id()).orElseThrow();
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) dev.tmserverless.aws.http.Json.MAPPER.valueToTree(stored.project());
        doc.set("countryTag", dev.tmserverless.aws.http.Json.MAPPER.valueToTree(List.of("Nepal")));
        assertThat(fx.projects.update(dev.tmserverless.aws.http.Json.MAPPER.convertValue(doc, Project.class), stored.version())).isTrue();
        // the author maps task 1 in three seconds, the validator validates it in two
        Instant at = Instant.now().minusSeconds(60);
        day = LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
        assertThat(fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(p.id(), 1).orElseThrow(), author.actor(),
                at, Duration.ofHours(2)))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), 1).orElseThrow(), author.actor(),
                at.plusSeconds(3), "MAPPED", null))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.lockForValidation(fx.tasks.get(p.id(), 1).orElseThrow(), validator.actor(),
                true, at.plusSeconds(10), Duration.ofHours(2)))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.unlockAfterValidation(fx.tasks.get(p.id(), 1).orElseThrow(), validator.actor(),
                at.plusSeconds(12), "VALIDATED", null, List.of()))).isTrue();
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
    void theReconciliationsFirstPassBuildsEveryStatisticForDataThatPredatesTheAggregator() {
        String tk = token(validator.id());
        String projectPath = "/api/v2/projects/" + p.id() + "/statistics/";
        String authorPath = "/api/v2/users/" + author.username() + "/statistics/";
        String taskStats = "/api/v2/tasks/statistics/?startDate=" + day + "&endDate=" + day;
        // nothing aggregated yet: the records were never delivered
        assertThat(call(projects, "GET", projectPath, null, null).json().get("totalMappers").asInt()).isZero();
        assertThat(call(users, "GET", authorPath, tk, null).json().get("tasksMapped").asInt()).isZero();
        assertThat(call(users, "GET", "/api/v2/system/statistics/", null, null).json().get("totalProjects").asInt()).isZero();
        assertThat(call(tasks, "GET", taskStats, tk, null).json().get("taskStats")).isEmpty();

        Reconciler.Run run = stats.getApplicationContext().getBean(Reconciler.class).runWriting();
        assertThat(run.toProject()).isGreaterThanOrEqualTo(p.id());

        var project = call(projects, "GET", projectPath, null, null).json();
        assertThat(project.get("totalMappers").asInt()).isEqualTo(1);
        assertThat(project.get("totalMappingTime").asInt()).isEqualTo(3);
        assertThat(project.get("totalValidationTime").asInt()).isEqualTo(2);
        var timeline = call(projects, "GET", "/api/v2/projects/" + p.id() + "/contributions/queries/day/", null, null)
                .json().get("stats");
        assertThat(timeline).hasSize(1);
        assertThat(timeline.get(0).get("cumulative_mapped").asInt()).isEqualTo(1);
        assertThat(timeline.get(0).get("cumulative_validated").asInt()).isEqualTo(1);
        var mine = call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/queries/" + validator.username() + "/",
                null, null).json();
        assertThat(mine.get("timeSpentValidating").asInt()).isEqualTo(2);

        var a = call(users, "GET", authorPath, tk, null).json();
        assertThat(a.get("tasksMapped").asInt()).isEqualTo(1);
        assertThat(a.get("tasksValidatedByOthers").asInt()).isEqualTo(1);
        assertThat(a.get("timeSpentMapping").asInt()).isEqualTo(3);
        assertThat(a.get("countriesContributed").get("countries").get(0).get("name").asText()).isEqualTo("Nepal");
        assertThat(a.get("countriesContributed").get("countries").get(0).get("mapped").asInt()).isEqualTo(1);
        var v = call(users, "GET", "/api/v2/users/" + validator.username() + "/statistics/", tk, null).json();
        assertThat(v.get("tasksValidated").asInt()).isEqualTo(1);
        assertThat(v.get("countriesContributed").get("countries").get(0).get("validated").asInt()).isEqualTo(1);

        var home = call(users, "GET", "/api/v2/system/statistics/?abbreviated=false", null, null).json();
        assertThat(home.get("totalProjects").asInt()).isEqualTo(1);
        assertThat(home.get("totalMappers").asInt()).isEqualTo(2);
        assertThat(home.get("totalValidators").asInt()).isEqualTo(1);
        var registrations = call(users, "GET", "/api/v2/users/statistics/?startDate="
                + LocalDate.now(ZoneOffset.UTC), tk, null).json();
        assertThat(registrations.get("total").asInt()).isEqualTo(2);
        var row = call(tasks, "GET", taskStats, tk, null).json().get("taskStats").get(0);
        assertThat(row.get("mapped").asInt()).isEqualTo(1);
        assertThat(row.get("validated").asInt()).isEqualTo(1);
        assertThat(call(tasks, "GET", taskStats + "&country=nepal", tk, null).json().get("taskStats")).hasSize(1);
        assertThat(call(users, "GET", "/api/v2/organisations/" + p.organisationId() + "/statistics/", null, null).json()
                .get("activeTasks").get("validated").asInt()).isEqualTo(1);
    }
}
