package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskMachineTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final Duration LOCK = Duration.ofHours(2);
    static final Actor ANA = new Actor(1, "ana");
    static final Actor BEN = new Actor(2, "ben");

    static Task ready() { return Task.ready(7, 1, 10, 20, 11, true); }

    static Task locked(Actor a) {
        TaskChange c = TaskMachine.lockForMapping(ready(), a, T0, LOCK);
        return c.after().withVersion(1);
    }

    static ErrorCode refusal(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e.code();
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void lockingAReadyTaskRecordsAnOpenLockRowAndExpiry() {
        Task t = locked(ANA);
        assertThat(t.status()).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
        assertThat(t.lockedBy()).isEqualTo(1L);
        assertThat(t.lockExpiresAt()).isEqualTo(T0.plus(LOCK));
        assertThat(t.history()).singleElement().satisfies(h -> {
            assertThat(h.action()).isEqualTo(TaskAction.LOCKED_FOR_MAPPING);
            assertThat(h.actionText()).isNull();
            assertThat(h.username()).isEqualTo("ana");
        });
    }

    @Test
    void theHolderLockingAgainChangesNothing() {
        Task t = locked(ANA);
        TaskChange again = TaskMachine.lockForMapping(t, ANA, T0.plusSeconds(60), LOCK);
        assertThat(again.isNoop()).isTrue();
    }

    @Test
    void anotherUserCannotLockALockedTaskButCanOnceItExpired() {
        Task t = locked(ANA);
        assertThat(refusal(() -> TaskMachine.lockForMapping(t, BEN, T0.plusSeconds(60), LOCK)))
                .isEqualTo(ErrorCode.INVALID_TASK_STATE);
        TaskChange c = TaskMachine.lockForMapping(t, BEN, T0.plus(LOCK), LOCK);
        assertThat(c.after().lockedBy()).isEqualTo(2L);
        assertThat(c.after().history().get(0).action()).isEqualTo(TaskAction.AUTO_UNLOCKED_FOR_MAPPING);
        assertThat(c.after().history().get(0).actionText()).isEqualTo("02:00:00");
        assertThat(c.before().version()).isEqualTo(1);
    }

    @Test
    void mappedValidatedAndBadImageryTasksCannotBeLockedForMapping() {
        for (TaskStatus s : new TaskStatus[]{TaskStatus.MAPPED, TaskStatus.VALIDATED, TaskStatus.BADIMAGERY}) {
            Task t = ready().withStatus(s);
            assertThat(refusal(() -> TaskMachine.lockForMapping(t, ANA, T0, LOCK))).isEqualTo(ErrorCode.INVALID_TASK_STATE);
        }
    }

    @Test
    void unlockAfterMappingWritesDurationCommentAndStateChangeAndMovesCounters() {
        Task t = locked(ANA);
        TaskChange c = TaskMachine.unlockAfterMapping(t, ANA, T0.plusSeconds(3723), "mapped", "done <b>");
        Task a = c.after();
        assertThat(a.status()).isEqualTo(TaskStatus.MAPPED);
        assertThat(a.mappedBy()).isEqualTo(1L);
        assertThat(a.lockedBy()).isNull();
        assertThat(a.history()).extracting(HistoryEntry::action)
                .containsExactly(TaskAction.LOCKED_FOR_MAPPING, TaskAction.COMMENT, TaskAction.STATE_CHANGE);
        assertThat(a.history().get(0).actionText()).isEqualTo("01:02:03");
        assertThat(a.history().get(1).actionText()).isEqualTo("done &lt;b&gt;");
        assertThat(a.history().get(2).actionText()).isEqualTo("MAPPED");
        assertThat(c.counters()).isEqualTo(new CounterDelta(1, 0, 0));
    }

    @Test
    void unlockChecksLockThenOwnerThenStatus() {
        assertThat(refusal(() -> TaskMachine.unlockAfterMapping(ready(), ANA, T0, "test", null)))
                .isEqualTo(ErrorCode.LOCK_BEFORE_UNLOCKING);
        Task t = locked(ANA);
        assertThat(refusal(() -> TaskMachine.unlockAfterMapping(t, BEN, T0, "MAPPED", null)))
                .isEqualTo(ErrorCode.TASK_NOT_OWNED);
        assertThat(refusal(() -> TaskMachine.unlockAfterMapping(t, ANA, T0, "INVALIDATED", null)))
                .isEqualTo(ErrorCode.INVALID_UNLOCK_STATE);
        assertThat(ErrorCode.INVALID_UNLOCK_STATE.subCode).isEqualTo("InvalidUnlockState ");
        assertThat(refusal(() -> TaskMachine.unlockAfterMapping(t, ANA, T0, "NOPE", null)))
                .isEqualTo(ErrorCode.INVALID_DATA);
    }

    @Test
    void anExpiredLockCanNoLongerBeUnlockedByItsFormerHolder() {
        Task t = locked(ANA);
        assertThat(refusal(() -> TaskMachine.unlockAfterMapping(t, ANA, T0.plus(LOCK), "MAPPED", null)))
                .isEqualTo(ErrorCode.LOCK_BEFORE_UNLOCKING);
    }

    @Test
    void stopMappingRestoresThePreviousStatusWithoutAStateChange() {
        Task mapped = TaskMachine.unlockAfterMapping(locked(ANA), ANA, T0.plusSeconds(10), "BADIMAGERY", null).after();
        // a BADIMAGERY task cannot be re-locked for mapping; an INVALIDATED one can and returns to INVALIDATED on stop
        Task invalid = ready().withStatus(TaskStatus.INVALIDATED).withVersion(3)
                .withHistory(java.util.List.of(new HistoryEntry(1, TaskAction.STATE_CHANGE, "INVALIDATED", T0, 9, "val")));
        Task relocked = TaskMachine.lockForMapping(invalid, BEN, T0.plusSeconds(20), LOCK).after();
        TaskChange stop = TaskMachine.stopMapping(relocked, BEN, T0.plusSeconds(30), "cannot map");
        assertThat(stop.after().status()).isEqualTo(TaskStatus.INVALIDATED);
        assertThat(stop.after().history()).extracting(HistoryEntry::action)
                .containsExactly(TaskAction.STATE_CHANGE, TaskAction.LOCKED_FOR_MAPPING, TaskAction.COMMENT);
        assertThat(stop.after().history().get(1).actionText()).isEqualTo("00:00:10");
        assertThat(stop.counters()).isEqualTo(CounterDelta.NONE);
        assertThat(mapped.status()).isEqualTo(TaskStatus.BADIMAGERY);
    }

    @Test
    void countersFollowThePreviousStateChange() {
        assertThat(CounterDelta.between(TaskStatus.MAPPED, TaskStatus.BADIMAGERY)).isEqualTo(new CounterDelta(-1, 0, 1));
        assertThat(CounterDelta.between(TaskStatus.READY, TaskStatus.READY)).isEqualTo(CounterDelta.NONE);
        assertThat(CounterDelta.between(TaskStatus.INVALIDATED, TaskStatus.MAPPED)).isEqualTo(new CounterDelta(1, 0, 0));
    }

    @Test
    void durationsKeepMicroseconds() {
        assertThat(Durations.format(Duration.ofMillis(3_000_250))).isEqualTo("00:50:00.250000");
        assertThat(Durations.parse("26:00:01.5")).isEqualTo(Duration.ofHours(26).plusSeconds(1).plusMillis(500));
    }

    static dev.tmserverless.core.geo.TaskShape shape(Task t) {
        return dev.tmserverless.core.geo.TileMath.squareTask(t.x(), t.y(), t.zoom());
    }

    @Test
    void splitRefusesInTheReferenceOrder() {
        // size comes before the lock: a deep tile nobody holds is SmallToSplit, not LockToSplit
        Task deep = Task.ready(7, 2, 10, 20, 18, true);
        assertThat(refusal(() -> TaskMachine.split(deep, shape(deep), ANA, T0))).isEqualTo(ErrorCode.SMALL_TO_SPLIT);
        assertThat(refusal(() -> TaskMachine.split(ready(), shape(ready()), ANA, T0))).isEqualTo(ErrorCode.LOCK_TO_SPLIT);
        Task held = locked(ANA);
        assertThat(refusal(() -> TaskMachine.split(held, shape(held), BEN, T0.plusSeconds(5))))
                .isEqualTo(ErrorCode.SPLIT_OTHER_USER_TASK);
        // an expired lock is no lock
        assertThat(refusal(() -> TaskMachine.split(held, shape(held), ANA, T0.plus(LOCK))))
                .isEqualTo(ErrorCode.LOCK_TO_SPLIT);
        // square flag with indices that name no tile
        Task bogus = Task.ready(7, 3, 5000, 20, 11, true).withStatus(TaskStatus.LOCKED_FOR_MAPPING)
                .withLock(1L, T0.plus(LOCK)).withVersion(1).withHistory(held.history());
        var bogusShape = new dev.tmserverless.core.geo.TaskShape(5000, 20, 11, true, shape(held).geometry(), null);
        assertThat(refusal(() -> TaskMachine.split(bogus, bogusShape, ANA, T0.plusSeconds(5))))
                .isEqualTo(ErrorCode.SPLIT_SERVICE_ERROR);
        assertThat(TaskMachine.split(held, shape(held), ANA, T0.plusSeconds(5))).extracting(c -> c.x() + "," + c.y())
                .containsExactly("20,40", "20,41", "21,40", "21,41");
    }

    @Test
    void splitChildrenStartWithOnlySplitAndReady() {
        Task mapped = TaskMachine.unlockAfterMapping(locked(BEN), BEN, T0.plusSeconds(10), "READY", "clouds").after();
        Task relocked = TaskMachine.lockForMapping(withVersion(mapped, 2), ANA, T0.plusSeconds(20), LOCK).after();
        var kids = TaskMachine.split(relocked, shape(relocked), ANA, T0.plusSeconds(30));
        Task child = TaskMachine.splitChild(relocked, 42, kids.get(3), ANA, T0.plusSeconds(30));
        assertThat(child.taskId()).isEqualTo(42);
        assertThat(child.status()).isEqualTo(TaskStatus.READY);
        assertThat(child.lockedBy()).isNull();
        assertThat(child.zoom()).isEqualTo(12);
        assertThat(child.history()).extracting(h -> h.action() + ":" + h.actionText() + ":" + h.username())
                .containsExactly("STATE_CHANGE:SPLIT:ana", "STATE_CHANGE:READY:ana");
        assertThat(child.history()).extracting(HistoryEntry::id).containsExactly(1, 2);
        assertThat(child.lastUpdated()).isEqualTo(T0.plusSeconds(30));
        assertThat(child.previousStatus()).isEqualTo(TaskStatus.READY);
        assertThat(child).isEqualTo(TaskMachine.splitChild(relocked, 42, kids.get(3), ANA, T0.plusSeconds(30)));
    }

    static Task withVersion(Task t, long v) {
        return t.withVersion(v);
    }
}
