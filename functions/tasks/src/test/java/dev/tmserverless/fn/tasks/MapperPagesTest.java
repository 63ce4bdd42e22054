package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The reads the task-selection and mapping pages start from: latest activity per task, the caller's locked tasks. */
class MapperPagesTest {
    /** Task 1's item key (Keys in shared/aws: TASK# and the id padded to seven digits). */
    static final String TASK_KEY_1 = "TASK#0000001";
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("mapper-pages").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void latestActivityIsReadFromTheTaskMapSnapshotNotFromEveryTaskItem() {
        User ana = fx.user("ana-snap");
        Project p = fx.project(fx.user("pm-snap"), ProjectStatus.PUBLISHED, 3);
        call(fn, "POST", lock(p.id(), 2), token(ana.id()), null);
        String path = "/api/v2/projects/" + p.id() + "/activities/latest/";
        var maps = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.TaskMaps.class);
        // a clock that stands still: the snapshot built now stays current (no age-based rebuild during the test)
        maps.clock = java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC);
        try {
            assertThat(call(fn, "GET", path, null, null).json().path("activity").size()).isEqualTo(3);
            // a task item removed behind the snapshot's back (no change counted): a read that Queried the task
            // items would miss it; the snapshot's rows still have it, so the read touched no task item
            var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
            String table = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
            ddb.deleteItem(b -> b.tableName(table).key(java.util.Map.of(
                    "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + p.id()),
                    "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(TASK_KEY_1))));
            JsonNode activity = call(fn, "GET", path, null, null).json().path("activity");
            assertThat(activity.size()).isEqualTo(3);
            assertThat(activity.get(1).path("actionBy").asText()).isEqualTo(ana.username());
        } finally {
            maps.clock = java.time.Clock.systemUTC();
        }
    }

    @Test
    void latestActivityHasOneEntryPerTaskWithItsNewestRowThatIsNotAComment() {
        User ana = fx.user("ana-act");
        User ben = fx.user("ben-act");
        Project p = fx.project(fx.user("pm-act"), ProjectStatus.PUBLISHED, 3);
        call(fn, "POST", lock(p.id(), 2), token(ana.id()), null);
        call(fn, "POST", unlock(p.id(), 2), token(ana.id()), "{\"status\": \"MAPPED\", \"comment\": \"done\"}");
        call(fn, "POST", lock(p.id(), 3), token(ben.id()), null);

        JsonNode activity = call(fn, "GET", "/api/v2/projects/" + p.id() + "/activities/latest/", null, null).json().path("activity");
        assertThat(activity.size()).isEqualTo(3);
        assertThat(activity.get(0).path("taskId").asInt()).isEqualTo(1);
        assertThat(activity.get(0).path("taskStatus").asText()).isEqualTo("READY");
        assertThat(activity.get(0).path("actionBy").isNull()).isTrue();
        assertThat(activity.get(1).path("taskStatus").asText()).isEqualTo("MAPPED");
        assertThat(activity.get(1).path("actionBy").asText()).isEqualTo(ana.username());
        assertThat(activity.get(1).path("actionDate").asText()).isNotEmpty();
        assertThat(activity.get(2).path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(activity.get(2).path("actionBy").asText()).isEqualTo(ben.username());
    }

    @Test
    void historyRowsCarryTheirUsersPictures() {
        User withPicture = fx.users.upsertOnLogin(9_100_001, "pictured", "https://example.org/p.png", null, false,
                java.time.Instant.now());
        Project p = fx.project(fx.user("pm-pic"), ProjectStatus.PUBLISHED, 1);
        JsonNode dto = call(fn, "POST", lock(p.id(), 1), token(withPicture.id()), null).json();
        assertThat(dto.path("taskHistory").get(0).path("actionBy").asText()).isEqualTo("pictured");
        assertThat(dto.path("taskHistory").get(0).path("pictureUrl").asText()).isEqualTo("https://example.org/p.png");
    }

    @Test
    void theActivityListsEveryRowButCommentsNewestFirstTenAPage() {
        User ana = fx.user("ana-feed");
        Project p = fx.project(fx.user("pm-feed"), ProjectStatus.PUBLISHED, 6);
        for (int t = 1; t <= 6; t++) {
            call(fn, "POST", lock(p.id(), t), token(ana.id()), null);
            call(fn, "POST", unlock(p.id(), t), token(ana.id()), "{\"status\": \"MAPPED\", \"comment\": \"ok\"}");
        }
        JsonNode first = call(fn, "GET", "/api/v2/projects/" + p.id() + "/activities/", null, null).json();
        assertThat(first.path("pagination").path("total").asInt()).isEqualTo(12);
        assertThat(first.path("activity").size()).isEqualTo(10);
        JsonNode newest = first.path("activity").get(0);
        assertThat(newest.path("taskId").asInt()).isEqualTo(6);
        assertThat(newest.path("action").asText()).isEqualTo("STATE_CHANGE");
        assertThat(newest.path("actionText").asText()).isEqualTo("MAPPED");
        assertThat(newest.path("actionBy").asText()).isEqualTo(ana.username());
        assertThat(first.path("activity")).noneMatch(a -> a.path("action").asText().equals("COMMENT"));
        JsonNode second = call(fn, "GET", "/api/v2/projects/" + p.id() + "/activities/?page=2", null, null).json();
        assertThat(second.path("activity").size()).isEqualTo(2);
        assertThat(second.path("activity").get(1).path("action").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(second.path("activity").get(1).path("taskId").asInt()).isEqualTo(1);
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/activities/?page=x", null, null).status()).isEqualTo(422);
    }

    @Test
    void theCallersLockedTaskIsFoundThroughTheirLockSlot() {
        User ana = fx.user("ana-locked");
        Project p = fx.project(fx.user("pm-locked"), ProjectStatus.PUBLISHED, 2);
        var none = call(fn, "GET", "/api/v2/users/queries/tasks/locked/", token(ana.id()), null).json();
        assertThat(none.path("lockedTasks").size()).isZero();
        assertThat(none.path("projectId").isNull()).isTrue();
        assertThat(call(fn, "GET", "/api/v2/users/queries/tasks/locked/details/", token(ana.id()), null).structuredSubCode())
                .isEqualTo("TASK_NOT_FOUND");

        call(fn, "POST", lock(p.id(), 2), token(ana.id()), null);
        var locked = call(fn, "GET", "/api/v2/users/queries/tasks/locked/", token(ana.id()), null).json();
        assertThat(locked.path("lockedTasks").toString()).isEqualTo("[2]");
        assertThat(locked.path("projectId").asLong()).isEqualTo(p.id());
        assertThat(locked.path("taskStatus").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        JsonNode details = call(fn, "GET", "/api/v2/users/queries/tasks/locked/details/", token(ana.id()), null).json().path("tasks");
        assertThat(details.size()).isEqualTo(1);
        assertThat(details.get(0).path("taskId").asInt()).isEqualTo(2);
        assertThat(details.get(0).path("lockHolder").asText()).isEqualTo(ana.username());
        assertThat(details.get(0).path("autoUnlockSeconds").asLong()).isPositive();
        assertThat(details.get(0).path("taskHistory").get(0).path("pictureUrl").isNull()).isTrue();

        // somebody else's lock is not the caller's; without a token the answer is 401
        assertThat(call(fn, "GET", "/api/v2/users/queries/tasks/locked/", token(fx.user("ben").id()), null).json()
                .path("lockedTasks").size()).isZero();
        assertThat(call(fn, "GET", "/api/v2/users/queries/tasks/locked/", null, null).status()).isEqualTo(401);

        call(fn, "POST", unlock(p.id(), 2), token(ana.id()), "{\"status\": \"MAPPED\"}");
        assertThat(call(fn, "GET", "/api/v2/users/queries/tasks/locked/", token(ana.id()), null).json()
                .path("lockedTasks").size()).isZero();
    }
}
