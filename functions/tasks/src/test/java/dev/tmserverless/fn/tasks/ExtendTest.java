package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** extend through the real handler against dynalite: the task's lock and the caller's lock slot move together. */
class ExtendTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static TaskService service;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-extend").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        service = fn.getApplicationContext().getBean(TaskService.class);
        claims = fn.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterEach
    void realClock() {
        service.clock = Clock.systemUTC();
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String extend(long p) { return "/api/v2/projects/" + p + "/tasks/actions/extend/"; }

    /** Requests from now on are made ten minutes later. */
    private static void tenMinutesLater() {
        service.clock = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
    }

    @Test
    void extendMovesTheTaskLockAndTheSlotToTheNewExpiry() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(fn, "POST", lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        Task before = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(claims.get(u.id()).orElseThrow().expiresAt()).isEqualTo(before.lockExpiresAt());
        tenMinutesLater();
        var a = call(fn, "POST", extend(p.id()), token(u.id()), "{\"taskIds\": [1]}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("Success").asText()).isEqualTo("Successfully extended task expiry");
        Task after = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(after.lockedBy()).isEqualTo(u.id());
        assertThat(after.lockExpiresAt()).isAfterOrEqualTo(before.lockExpiresAt().plus(Duration.ofMinutes(10)));
        assertThat(claims.get(u.id()).orElseThrow().expiresAt()).isEqualTo(after.lockExpiresAt());
        var h = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", token(u.id()), null).json().path("taskHistory");
        assertThat(h.get(0).path("action").asText()).isEqualTo("EXTENDED_FOR_MAPPING");
        assertThat(h.get(0).path("actionBy").asText()).isEqualTo(u.username());
        assertThat(h.get(1).path("action").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(h.get(1).path("actionText").asText()).startsWith("00:10:");
    }

    @Test
    void anotherUsersTaskIsRefusedAndNothingChanges() {
        User u = fx.user("mapper");
        User other = fx.user("other");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        call(fn, "POST", lock(p.id(), 2), token(other.id()), null);
        Task one = fx.tasks.get(p.id(), 1).orElseThrow();
        Task two = fx.tasks.get(p.id(), 2).orElseThrow();
        var otherSlot = claims.get(other.id()).orElseThrow();
        tenMinutesLater();
        // the caller's own task comes first: it is decided, but nothing is written once task 1 is refused
        var a = call(fn, "POST", extend(p.id()), token(other.id()), "{\"taskIds\": [2, 1]}");
        assertThat(a.status()).isEqualTo(403);
        assertThat(a.subCode()).isEqualTo("LockedByAnotherUser");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow()).isEqualTo(one);
        assertThat(fx.tasks.get(p.id(), 2).orElseThrow()).isEqualTo(two);
        assertThat(claims.get(other.id()).orElseThrow()).isEqualTo(otherSlot);
    }

    @Test
    void refusalsForUnlockedAndUnknownTasks() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        var ready = call(fn, "POST", extend(p.id()), token(u.id()), "{\"taskIds\": [1]}");
        assertThat(ready.status()).isEqualTo(403);
        assertThat(ready.subCode()).isEqualTo("TaskStatusNotLocked");
        var unknown = call(fn, "POST", extend(p.id()), token(u.id()), "{\"taskIds\": [7]}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
    }

    @Test
    void aBodyWithoutATaskIdListIsInvalidData() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        for (String body : new String[]{null, "not json", "[]", "{}", "{\"taskIds\": 1}", "{\"taskIds\": [\"1\"]}",
                "{\"taskIds\": [1.5]}", "{\"taskIds\": [4294967297]}", "{\"taskIds\": [null]}"}) {
            var a = call(fn, "POST", extend(p.id()), token(u.id()), body);
            assertThat(a.status()).as(String.valueOf(body)).isEqualTo(400);
            assertThat(a.subCode()).as(String.valueOf(body)).isEqualTo("InvalidData");
        }
    }

    @Test
    void afterAnExtensionUnlockingStillFreesTheSlot() {
        User u = fx.user("mapper");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        call(fn, "POST", lock(p.id(), 1), token(u.id()), null);
        tenMinutesLater();
        assertThat(call(fn, "POST", extend(p.id()), token(u.id()), "{\"taskIds\": [1]}").status()).isEqualTo(200);
        assertThat(call(fn, "POST", unlock(p.id(), 1), token(u.id()), "{\"status\": \"MAPPED\"}").status()).isEqualTo(200);
        assertThat(claims.get(u.id())).isEmpty();
        assertThat(call(fn, "POST", lock(p.id(), 2), token(u.id()), null).status()).isEqualTo(200);
    }

    /**
     * A validator extends only one task of their set, then ends the set in two requests: the slot outlives the last
     * lock (its expiry is the extended one), so the release keeps it; it names no task the validator still holds, so
     * their next lock takes it over once the grace period has passed (docs/locking.md "Validation").
     */
    @Test
    void aPartlyExtendedSetEndedInTwoRequestsLeavesAStaleSlotTheNextLockTakesOver() {
        User mapper = fx.user("mapper-px");
        User v = ValidationTest.validator(fx, "validator-px");
        Project p = ValidationTest.mappedProject(fx, mapper, 3);
        assertThat(call(fn, "POST", ValidationTest.lockV(p.id()), token(v.id()), "{\"taskIds\": [1, 2]}").status()).isEqualTo(200);
        tenMinutesLater();
        assertThat(call(fn, "POST", extend(p.id()), token(v.id()), "{\"taskIds\": [2]}").status()).isEqualTo(200);
        assertThat(call(fn, "POST", ValidationTest.unlockV(p.id()), token(v.id()),
                "{\"validatedTasks\": [{\"taskId\": 2, \"status\": \"VALIDATED\"}]}").status()).isEqualTo(200);
        assertThat(claims.get(v.id())).isPresent(); // task 1 is still theirs
        assertThat(call(fn, "POST", ValidationTest.unlockV(p.id()), token(v.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\"}]}").status()).isEqualTo(200);
        var slot = claims.get(v.id()).orElseThrow(); // kept: it expires after task 1's lock did
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isNull();
        assertThat(fx.tasks.get(p.id(), 2).orElseThrow().lockedBy()).isNull();
        // ten minutes after the claim the slot is stale: the validator's next lock replaces it
        var next = call(fn, "POST", ValidationTest.lockV(p.id()), token(v.id()), "{\"taskIds\": [3]}");
        assertThat(next.status()).as(next.body()).isEqualTo(200);
        var now = claims.get(v.id()).orElseThrow();
        assertThat(now.claimId()).isNotEqualTo(slot.claimId());
        assertThat(now.taskIds()).containsExactly(3);
    }
}
