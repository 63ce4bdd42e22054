package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The task-selection page's project reads: the summary and the contributions. */
class ProjectSummaryTest {
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("project-summary").applyAsSystemProperties();
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    /** Writes a decided change the way the tasks function does. */
    static void write(Project p, int taskId, java.util.function.Function<Task, dev.tmserverless.core.domain.TaskChange> decide) {
        Task t = fx.tasks.get(p.id(), taskId).orElseThrow();
        assertThat(fx.tasks.apply(decide.apply(t))).isTrue();
    }

    static void map(Project p, int taskId, User u, String status) {
        Instant now = Instant.now();
        write(p, taskId, t -> TaskMachine.lockForMapping(t, u.actor(), now, Duration.ofHours(2)));
        write(p, taskId, t -> TaskMachine.unlockAfterMapping(t, u.actor(), now.plusSeconds(1), status, null));
    }

    static void validate(Project p, int taskId, User u) {
        Instant now = Instant.now();
        write(p, taskId, t -> TaskMachine.lockForValidation(t, u.actor(), false, now, Duration.ofHours(2)));
        write(p, taskId, t -> TaskMachine.unlockAfterValidation(t, u.actor(), now.plusSeconds(1), "VALIDATED", null, List.of()));
    }

    @Test
    void theSummaryCarriesTheProjectAndItsPercentagesFromTheTasks() {
        User pm = fx.user("pm-sum");
        User ana = fx.user("ana-sum");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 4);
        map(p, 1, ana, "MAPPED");
        map(p, 2, ana, "MAPPED");
        validate(p, 2, pm);
        map(p, 3, ana, "BADIMAGERY");
        var a = call(fn, "GET", "/api/v2/projects/" + p.id() + "/queries/summary/", null, null);
        assertThat(a.status()).isEqualTo(200);
        JsonNode s = a.json();
        List<String> keys = new ArrayList<>();
        s.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).startsWith("projectId", "defaultLocale", "author", "created", "dueDate", "lastUpdated")
                .contains("aoiCentroid", "percentMapped", "percentValidated", "percentBadImagery", "projectInfo",
                        "shortDescription", "status", "mappingEditors", "validationEditors", "customEditor")
                .doesNotContain("tasks", "areaOfInterest");
        assertThat(s.path("projectId").asLong()).isEqualTo(p.id());
        assertThat(s.path("author").asText()).isEqualTo(pm.username());
        // 4 tasks, 1 bad imagery: 2 of 3 mapped (one of them validated), 1 of 3 validated, 1 of 4 bad imagery
        assertThat(s.path("percentMapped").asInt()).isEqualTo(66);
        assertThat(s.path("percentValidated").asInt()).isEqualTo(33);
        assertThat(s.path("percentBadImagery").asInt()).isEqualTo(25);
        assertThat(s.path("aoiCentroid").path("type").asText()).isEqualTo("Point");
        assertThat(s.path("aoiCentroid").path("coordinates").get(0).asDouble()).isEqualTo(p.aoiCentroid()[0]);
        assertThat(s.path("projectInfo").path("name").asText()).isEqualTo("Test");
        assertThat(s.path("status").asText()).isEqualTo("PUBLISHED");
    }

    @Test
    void aDraftsSummaryFollowsTheProjectsVisibility() {
        User pm = fx.user("pm-draft-sum");
        Project p = fx.project(pm, ProjectStatus.DRAFT, 1);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/queries/summary/", null, null).subCode()).isEqualTo("PrivateProject");
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/queries/summary/", token(fx.user("other").id()), null).status()).isEqualTo(403);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/queries/summary/", token(pm.id()), null).status()).isEqualTo(200);
        assertThat(call(fn, "GET", "/api/v2/projects/999999/queries/summary/", null, null).structuredSubCode()).isEqualTo("PROJECT_NOT_FOUND");
    }

    @Test
    void contributionsCountWhatEachUserMappedValidatedAndMarkedBadMostFirst() {
        User pm = fx.user("pm-contrib");
        User ana = fx.user("ana-contrib");
        User ben = fx.user("ben-contrib");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 5);
        map(p, 1, ana, "MAPPED");
        map(p, 2, ana, "MAPPED");
        map(p, 3, ana, "BADIMAGERY");
        map(p, 4, ben, "MAPPED");
        validate(p, 1, ben);
        // a lock given back still makes its holder a contributor
        Instant now = Instant.now();
        write(p, 5, t -> TaskMachine.lockForMapping(t, pm.actor(), now, Duration.ofHours(2)));
        write(p, 5, t -> TaskMachine.stopMapping(t, pm.actor(), now.plusSeconds(1), null));

        JsonNode list = call(fn, "GET", "/api/v2/projects/" + p.id() + "/contributions/", null, null).json().path("userContributions");
        assertThat(list.size()).isEqualTo(3);
        JsonNode first = list.get(0);
        assertThat(first.path("username").asText()).isEqualTo(ana.username());
        assertThat(first.path("mapped").asInt()).isEqualTo(2);
        assertThat(first.path("badImagery").asInt()).isEqualTo(1);
        assertThat(first.path("validated").asInt()).isEqualTo(0);
        assertThat(first.path("total").asInt()).isEqualTo(3);
        assertThat(first.path("mappedTasks").toString()).isEqualTo("[1,2]");
        assertThat(first.path("badImageryTasks").toString()).isEqualTo("[3]");
        assertThat(first.path("mappingLevel").asText()).isEqualTo("BEGINNER");
        assertThat(first.path("dateRegistered").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
        JsonNode second = list.get(1);
        assertThat(second.path("username").asText()).isEqualTo(ben.username());
        assertThat(second.path("mapped").asInt()).isEqualTo(1);
        assertThat(second.path("validated").asInt()).isEqualTo(1);
        assertThat(second.path("validatedTasks").toString()).isEqualTo("[1]");
        assertThat(list.get(2).path("username").asText()).isEqualTo(pm.username());
        assertThat(list.get(2).path("total").asInt()).isEqualTo(0);

        // the read comes from the task-map snapshot's rows, not from a Query of every task item: with the snapshot
        // kept current (a clock that stands still), a task item removed behind its back still counts
        var maps = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.TaskMaps.class);
        maps.clock = java.time.Clock.fixed(Instant.now(), java.time.ZoneOffset.UTC);
        try {
            String path = "/api/v2/projects/" + p.id() + "/contributions/";
            assertThat(call(fn, "GET", path, null, null).json().path("userContributions").size()).isEqualTo(3);
            var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
            String table = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
            ddb.deleteItem(b -> b.tableName(table).key(Map.of(
                    "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                    "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("TASK#0000004"))));
            JsonNode again = call(fn, "GET", path, null, null).json().path("userContributions");
            assertThat(again.get(1).path("username").asText()).isEqualTo(ben.username());
            assertThat(again.get(1).path("mappedTasks").toString()).isEqualTo("[4]");
        } finally {
            maps.clock = java.time.Clock.systemUTC();
        }
    }
}
