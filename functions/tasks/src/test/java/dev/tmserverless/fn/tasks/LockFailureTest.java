package dev.tmserverless.fn.tasks;

import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The failure cases of docs/locking.md, each produced by injecting the fault. */
class LockFailureTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static TaskService service;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("lock-faults").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        service = fn.getApplicationContext().getBean(TaskService.class);
    }

    @AfterEach
    void heal() {
        service.faults = new TaskService.Faults();
        service.clock = Clock.systemUTC();
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static void later(Duration d) {
        service.clock = Clock.fixed(Instant.now().plus(d), ZoneOffset.UTC);
    }

    @Test
    void crashBetweenClaimAndTaskWriteHealsAfterTheGracePeriod() {
        User u = fx.user("crashy");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        service.faults = new TaskService.Faults() {
            @Override public void afterClaim() { throw new IllegalStateException("injected crash"); }
        };
        var crashed = call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null);
        assertThat(crashed.status()).isEqualTo(500);
        assertThat(crashed.structuredSubCode()).isEqualTo("INTERNAL_SERVER_ERROR");
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.READY);
        service.faults = new TaskService.Faults();
        // the orphaned slot could still belong to a request in flight, so it is respected for the grace period
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(u.id()), null).subCode())
                .isEqualTo("UserAlreadyHasTaskLocked");
        later(TaskService.CLAIM_GRACE.plusSeconds(1));
        var healed = call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(u.id()), null);
        assertThat(healed.status()).isEqualTo(200);
    }

    @Test
    void aTaskWriteThatFailsWithoutLosingARaceGivesTheSlotBackAtOnce() {
        User u = fx.user("throttled");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        service.faults = new TaskService.Faults() {
            @Override public void taskWrite() { throw new IllegalStateException("injected: throughput exceeded"); }
        };
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(500);
        service.faults = new TaskService.Faults();
        // no grace period to sit out: the slot was never used
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(u.id()), null).status()).isEqualTo(200);
    }

    @Test
    void anUnlockWhoseSlotReleaseFailsStillAnswersTheDoneUnlock() {
        User u = fx.user("unlucky");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        service.faults = new TaskService.Faults() {
            @Override public void releaseSlot() { throw new IllegalStateException("injected: throughput exceeded"); }
        };
        var unlock = call(fn, "POST", TasksFunctionTest.unlock(p.id(), 1), token(u.id()), "{\"status\": \"MAPPED\"}");
        assertThat(unlock.status()).isEqualTo(200);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
    }

    @Test
    void crashAfterUnlockBeforeTheSlotIsFreedHealsToo() {
        User u = fx.user("crashy");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        service.faults = new TaskService.Faults() {
            @Override public void afterTaskWrite() { throw new IllegalStateException("injected crash"); }
        };
        assertThat(call(fn, "POST", TasksFunctionTest.unlock(p.id(), 1), token(u.id()), "{\"status\":\"MAPPED\"}").status())
                .isEqualTo(500);
        service.faults = new TaskService.Faults();
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.MAPPED);
        later(TaskService.CLAIM_GRACE.plusSeconds(1));
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(u.id()), null).status()).isEqualTo(200);
    }

    @Test
    void anExpiredLockIsFreeForOthersAndClosedAsAutoUnlocked() {
        User a = fx.user("slow");
        User b = fx.user("next");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(a.id()), null).status()).isEqualTo(200);
        later(service.lockDuration().plusSeconds(1));
        var taken = call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(b.id()), null);
        assertThat(taken.status()).isEqualTo(200);
        assertThat(taken.json().path("lockHolder").asText()).isEqualTo(b.username());
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(t.history().get(0).action()).isEqualTo(TaskAction.AUTO_UNLOCKED_FOR_MAPPING);
        assertThat(t.history().get(0).actionText()).isEqualTo("02:00:00");
        // the former holder can no longer unlock it, and is free to lock something else
        assertThat(call(fn, "POST", TasksFunctionTest.unlock(p.id(), 1), token(a.id()), "{\"status\":\"MAPPED\"}").subCode())
                .isEqualTo("TaskNotOwned");
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(a.id()), null).status()).isEqualTo(200);
    }

    @Test
    void readsShowAnExpiredLockAsReleased() {
        User a = fx.user("gone");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(a.id()), null);
        // move the stored lock's expiry into the past, as if two hours had gone by
        Task t = fx.tasks.get(p.id(), 1).orElseThrow();
        Task expired = new Task(t.projectId(), t.taskId(), t.x(), t.y(), t.zoom(), t.isSquare(), t.status(), t.lockedBy(),
                Instant.now().minusSeconds(1), t.mappedBy(), t.validatedBy(), t.version(), t.history());
        assertThat(fx.tasks.apply(new dev.tmserverless.core.domain.TaskChange(t, expired,
                dev.tmserverless.core.domain.CounterDelta.NONE))).isTrue();
        var read = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null);
        assertThat(read.json().path("taskStatus").asText()).isEqualTo("READY");
        assertThat(read.json().path("lockHolder").isNull()).isTrue();
        assertThat(read.json().path("taskHistory").get(0).path("action").asText()).isEqualTo("AUTO_UNLOCKED_FOR_MAPPING");
    }

    @Test
    void aReLockBetweenAnUnlockAndItsSlotReleaseKeepsTheNewLocksSlot() {
        User u = fx.user("quick");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
        service.faults = new TaskService.Faults() {
            @Override public void afterTaskWrite() {
                // a double click: the stop has written the task, the re-lock lands before the stop frees the slot
                service.faults = new TaskService.Faults();
                later(Duration.ofSeconds(1));
                assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(u.id()), null).status()).isEqualTo(200);
            }
        };
        assertThat(call(fn, "POST", TasksFunctionTest.stop(p.id(), 1), token(u.id()), "{}").status()).isEqualTo(200);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().lockedBy()).isEqualTo(u.id());
        // the user holds task 1, so the one-lock rule still refuses a second task
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 2), token(u.id()), null).subCode())
                .isEqualTo("UserAlreadyHasTaskLocked");
    }
}
