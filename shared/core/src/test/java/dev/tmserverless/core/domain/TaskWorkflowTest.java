package dev.tmserverless.core.domain;

import dev.tmserverless.core.domain.TaskMachine.Trigger;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;


import static dev.tmserverless.core.domain.TaskStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Validation, extension, expiry, undo, comments and the project managers' bulk actions. */
class TaskWorkflowTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final Duration LOCK = Duration.ofHours(2);
    static final Actor ANA = new Actor(1, "ana");      // maps
    static final Actor BEN = new Actor(2, "ben");      // validates
    static final Actor CY = new Actor(3, "cy");        // another validator
    static final Actor PAM = new Actor(9, "pam");      // project manager

    static Instant at(int minutes) { return T0.plus(Duration.ofMinutes(minutes)); }

    static ErrorCode refusal(Runnable r) { return TaskMachineTest.refusal(r); }

    /** Applies a change as a store would: the version grows by one. */
    static Task written(TaskChange c) {
        assertThat(c.isNoop()).as("a change to write").isFalse();
        return c.after().withVersion(c.before().version() + 1);
    }

    static Task ready() { return Task.ready(7, 1, 10, 20, 11, true); }

    /** Ana locked at minute 0 and marked {@code status} at minute 10. */
    static Task marked(TaskStatus status) {
        Task locked = written(TaskMachine.lockForMapping(ready(), ANA, at(0), LOCK));
        return written(TaskMachine.unlockAfterMapping(locked, ANA, at(10), status.name(), null));
    }

    static Task lockedForValidation(Task t, Actor by, int minute) {
        return written(TaskMachine.lockForValidation(t, by, false, at(minute), LOCK));
    }

    /** Mapped by Ana, validated by Ben at minute 30. */
    static Task validated() {
        Task v = lockedForValidation(marked(MAPPED), BEN, 20);
        return written(TaskMachine.unlockAfterValidation(v, BEN, at(30), "VALIDATED", null, null));
    }

    static List<String> rows(Task t) {
        return t.history().stream().map(h -> h.action() + ":" + h.actionText() + ":" + h.username()).toList();
    }

    /** Every decision stays inside the rule table: it starts in {@code from} and ends in {@code to}. */
    static TaskChange follows(Trigger trigger, TaskChange c, Instant now) {
        TaskMachine.Rule rule = TaskMachine.RULES.get(trigger);
        // every decision starts from the released view of an expired lock, except the expiry itself
        Task from = trigger == Trigger.EXPIRE ? c.before() : c.before().effective(now);
        if (c.isNoop()) {
            assertThat(rule.wrongState()).as("only skipping triggers decide no-ops").isNull();
            return c;
        }
        assertThat(rule.from()).contains(from.status());
        if (rule.to().isEmpty()) assertThat(c.after().status()).isEqualTo(from.previousStatus());
        else assertThat(rule.to()).contains(c.after().status());
        return c;
    }

    // ------------------------------------------------------------------------------------------ validation

    @Test
    void aValidatorLocksAMappedTaskWithAnOpenRowAndAnExpiry() {
        TaskChange c = follows(Trigger.LOCK_FOR_VALIDATION,
                TaskMachine.lockForValidation(marked(MAPPED), BEN, false, at(20), LOCK), at(20));
        Task t = c.after();
        assertThat(t.status()).isEqualTo(LOCKED_FOR_VALIDATION);
        assertThat(t.lockedBy()).isEqualTo(BEN.userId());
        assertThat(t.lockExpiresAt()).isEqualTo(at(20).plus(LOCK));
        assertThat(t.mappedBy()).isEqualTo(ANA.userId());
        assertThat(rows(t)).last().isEqualTo("LOCKED_FOR_VALIDATION:null:ben");
        assertThat(c.counters()).isEqualTo(CounterDelta.NONE);
    }

    @Test
    void invalidatedAndBadImageryTasksCanBeLockedForValidationButReadyAndValidatedOnesCannot() {
        assertThat(TaskMachine.lockForValidation(marked(BADIMAGERY), BEN, false, at(20), LOCK).after().status())
                .isEqualTo(LOCKED_FOR_VALIDATION);
        Task invalid = written(TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), BEN, 20), BEN,
                at(30), "INVALIDATED", null, null));
        assertThat(TaskMachine.lockForValidation(invalid, CY, false, at(40), LOCK).after().lockedBy()).isEqualTo(CY.userId());
        assertThat(refusal(() -> TaskMachine.lockForValidation(ready(), BEN, false, at(0), LOCK)))
                .isEqualTo(ErrorCode.NOT_READY_FOR_VALIDATION);
        assertThat(refusal(() -> TaskMachine.lockForValidation(validated(), CY, false, at(40), LOCK)))
                .isEqualTo(ErrorCode.NOT_READY_FOR_VALIDATION);
    }

    @Test
    void aMapperCannotValidateTheirOwnTaskUnlessAdminAndTheStateIsCheckedFirst() {
        assertThat(refusal(() -> TaskMachine.lockForValidation(marked(MAPPED), ANA, false, at(20), LOCK)))
                .isEqualTo(ErrorCode.CANNOT_VALIDATE_MAPPED_TASK);
        assertThat(refusal(() -> TaskMachine.lockForValidation(marked(BADIMAGERY), ANA, false, at(20), LOCK)))
                .isEqualTo(ErrorCode.CANNOT_VALIDATE_MAPPED_TASK);
        assertThat(TaskMachine.lockForValidation(marked(MAPPED), ANA, true, at(20), LOCK).after().lockedBy())
                .isEqualTo(ANA.userId());
        // a READY task that Ana once marked (mappedBy kept) is refused for its state, not for her
        Task readyAgain = marked(READY).withMappedBy(ANA.userId());
        assertThat(refusal(() -> TaskMachine.lockForValidation(readyAgain, ANA, false, at(20), LOCK)))
                .isEqualTo(ErrorCode.NOT_READY_FOR_VALIDATION);
    }

    @Test
    void theValidatorLockingAgainChangesNothingAnotherValidatorWaitsForTheExpiry() {
        Task held = lockedForValidation(marked(MAPPED), BEN, 20);
        assertThat(TaskMachine.lockForValidation(held, BEN, false, at(25), LOCK).isNoop()).isTrue();
        assertThat(refusal(() -> TaskMachine.lockForValidation(held, CY, false, at(25), LOCK)))
                .isEqualTo(ErrorCode.NOT_READY_FOR_VALIDATION);
        Task cys = TaskMachine.lockForValidation(held, CY, false, at(20).plus(LOCK), LOCK).after();
        assertThat(cys.lockedBy()).isEqualTo(CY.userId());
        assertThat(rows(cys)).containsSubsequence("AUTO_UNLOCKED_FOR_VALIDATION:02:00:00:ben", "LOCKED_FOR_VALIDATION:null:cy");
    }

    @Test
    void aRequestForSeveralTasksIsRefusedByItsFirstBadTaskInRequestOrderBeforeAnythingChanges() {
        Map<Integer, Task> stored = new HashMap<>();
        stored.put(1, marked(MAPPED));
        stored.put(2, Task.ready(7, 2, 1, 1, 11, true));
        stored.put(3, Task.ready(7, 3, null, null, null, false).withStatus(BADIMAGERY).withMappedBy(ANA.userId()));
        var load = (java.util.function.IntFunction<Optional<Task>>) id -> Optional.ofNullable(stored.get(id));
        java.util.function.Function<Task, TaskChange> lock = t -> TaskMachine.lockForValidation(t, BEN, false, at(20), LOCK);

        ApiException missing = (ApiException) catchThrown(() -> TaskMachine.decideAll(7, List.of(1, 99, 2), load, lock));
        assertThat(missing.code()).isEqualTo(ErrorCode.TASK_NOT_FOUND);
        assertThat(missing.details()).containsEntry("task_id", 99).containsEntry("project_id", 7L);
        assertThat(refusal(() -> TaskMachine.decideAll(7, List.of(1, 2, 99), load, lock)))
                .isEqualTo(ErrorCode.NOT_READY_FOR_VALIDATION);

        List<TaskChange> ok = TaskMachine.decideAll(7, List.of(3, 1, 3), load, lock);
        assertThat(ok).extracting(c -> c.after().taskId()).containsExactly(3, 1);
        assertThat(ok).allSatisfy(c -> assertThat(c.after().status()).isEqualTo(LOCKED_FOR_VALIDATION));
    }

    static Throwable catchThrown(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void validatingRecordsCommentIssuesAndStateChangeAndMovesCounters() {
        Task held = lockedForValidation(marked(MAPPED), BEN, 20);
        List<MappingIssue> issues = List.of(new MappingIssue(1, "Missing tags", 2), new MappingIssue(3, "Geometry", 0));
        TaskChange c = follows(Trigger.UNLOCK_AFTER_VALIDATION,
                TaskMachine.unlockAfterValidation(held, BEN, at(25), "validated", "nice <work>", issues), at(25));
        Task t = c.after();
        assertThat(t.status()).isEqualTo(VALIDATED);
        assertThat(t.validatedBy()).isEqualTo(BEN.userId());
        assertThat(t.mappedBy()).isEqualTo(ANA.userId());
        assertThat(t.lockedBy()).isNull();
        assertThat(t.lockExpiresAt()).isNull();
        assertThat(rows(t)).endsWith("LOCKED_FOR_VALIDATION:00:05:00:ben", "COMMENT:nice &lt;work&gt;:ben",
                "STATE_CHANGE:VALIDATED:ben");
        HistoryEntry comment = t.history().get(t.history().size() - 2);
        HistoryEntry change = t.lastEntry();
        assertThat(change.issues()).containsExactly(new MappingIssue(1, "Missing tags", 2));
        assertThat(comment.issues()).isEqualTo(change.issues());
        assertThat(t.history().get(0).issues()).isEmpty();
        assertThat(c.counters()).isEqualTo(new CounterDelta(-1, 1, 0));
        assertThat(c.userCounters()).containsExactly(new UserCounterDelta(BEN.userId(), 0, 1, 0));
    }

    @Test
    void invalidatingClearsMapperAndValidatorSoTheTaskCanBeMappedAgain() {
        TaskChange c = TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), BEN, 20), BEN, at(25),
                "INVALIDATED", null, List.of());
        Task t = c.after();
        assertThat(t.status()).isEqualTo(INVALIDATED);
        assertThat(t.mappedBy()).isNull();
        assertThat(t.validatedBy()).isNull();
        assertThat(rows(t)).last().isEqualTo("STATE_CHANGE:INVALIDATED:ben");
        assertThat(c.counters()).isEqualTo(new CounterDelta(-1, 0, 0));
        assertThat(c.userCounters()).containsExactly(new UserCounterDelta(BEN.userId(), 0, 0, 1));
        assertThat(TaskMachine.lockForMapping(written(c), ANA, at(30), LOCK).after().status()).isEqualTo(LOCKED_FOR_MAPPING);
    }

    @Test
    void leavingATaskMappedAfterValidationKeepsItsMapperAndMovesNoCounter() {
        TaskChange c = TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), BEN, 20), BEN, at(25),
                "MAPPED", null, null);
        assertThat(c.after().status()).isEqualTo(MAPPED);
        assertThat(c.after().mappedBy()).isEqualTo(ANA.userId());
        assertThat(c.counters()).isEqualTo(CounterDelta.NONE);
        assertThat(c.userCounters()).isEmpty();
    }

    @Test
    void unlockAfterValidationChecksTheLockThenTheHolderThenTheStatus() {
        assertThat(refusal(() -> TaskMachine.unlockAfterValidation(marked(MAPPED), BEN, at(20), "VALIDATED", null, null)))
                .isEqualTo(ErrorCode.NOT_LOCKED_FOR_VALIDATION);
        assertThat(ErrorCode.NOT_LOCKED_FOR_VALIDATION.subCode).isEqualTo("NotLockedForValidation ");
        Task mapping = written(TaskMachine.lockForMapping(ready(), BEN, at(0), LOCK));
        assertThat(refusal(() -> TaskMachine.unlockAfterValidation(mapping, BEN, at(1), "READY", null, null)))
                .isEqualTo(ErrorCode.NOT_LOCKED_FOR_VALIDATION);
        Task held = lockedForValidation(marked(MAPPED), BEN, 20);
        assertThat(refusal(() -> TaskMachine.unlockAfterValidation(held, CY, at(21), "VALIDATED", null, null)))
                .isEqualTo(ErrorCode.TASK_NOT_OWNED_VALIDATION);
        assertThat(ErrorCode.TASK_NOT_OWNED_VALIDATION.subCode).isEqualTo("TaskNotOwned ");
        for (String bad : new String[]{"READY", "BADIMAGERY", "LOCKED_FOR_MAPPING", "nonsense"}) {
            assertThat(refusal(() -> TaskMachine.unlockAfterValidation(held, BEN, at(21), bad, null, null)))
                    .as(bad).isEqualTo(ErrorCode.INVALID_DATA);
        }
        // the holder's lock has expired: the task is no longer locked
        assertThat(refusal(() -> TaskMachine.unlockAfterValidation(held, BEN, at(20).plus(LOCK), "VALIDATED", null, null)))
                .isEqualTo(ErrorCode.NOT_LOCKED_FOR_VALIDATION);
    }

    @Test
    void stoppingValidationRestoresThePreviousStatusWithCommentAndNoStateChange() {
        Task held = lockedForValidation(marked(BADIMAGERY), BEN, 20);
        TaskChange c = follows(Trigger.STOP_VALIDATION, TaskMachine.stopValidation(held, BEN, at(22), "later"), at(22));
        assertThat(c.after().status()).isEqualTo(BADIMAGERY);
        assertThat(c.after().lockedBy()).isNull();
        assertThat(c.after().mappedBy()).isEqualTo(ANA.userId());
        assertThat(rows(c.after())).endsWith("STATE_CHANGE:BADIMAGERY:ana", "LOCKED_FOR_VALIDATION:00:02:00:ben",
                "COMMENT:later:ben");
        assertThat(c.counters()).isEqualTo(CounterDelta.NONE);
        assertThat(refusal(() -> TaskMachine.stopValidation(marked(MAPPED), BEN, at(22), null)))
                .isEqualTo(ErrorCode.NOT_LOCKED_FOR_VALIDATION);
        assertThat(refusal(() -> TaskMachine.stopValidation(held, CY, at(22), null)))
                .isEqualTo(ErrorCode.TASK_NOT_OWNED_VALIDATION);
    }

    // ------------------------------------------------------------------------------------------ extend, expiry

    @Test
    void extendingClosesTheLockPeriodAndKeepsTheTaskPastItsFirstExpiry() {
        Task locked = written(TaskMachine.lockForMapping(ready(), ANA, at(0), LOCK));
        TaskChange c = follows(Trigger.EXTEND, TaskMachine.extend(locked, ANA, at(90), LOCK), at(90));
        Task t = written(c);
        assertThat(t.status()).isEqualTo(LOCKED_FOR_MAPPING);
        assertThat(t.lockExpiresAt()).isEqualTo(at(90).plus(LOCK));
        assertThat(rows(t)).containsExactly("LOCKED_FOR_MAPPING:01:30:00:ana", "EXTENDED_FOR_MAPPING:null:ana");
        assertThat(t.lockedByAt(ANA.userId(), at(0).plus(LOCK).plusSeconds(1))).isTrue();
        Task done = TaskMachine.unlockAfterMapping(t, ANA, at(100), "MAPPED", null).after();
        assertThat(rows(done)).containsExactly("LOCKED_FOR_MAPPING:01:30:00:ana", "EXTENDED_FOR_MAPPING:00:10:00:ana",
                "STATE_CHANGE:MAPPED:ana");
    }

    @Test
    void extendingAValidationLockWritesAnExtendedForValidationRow() {
        Task held = lockedForValidation(marked(MAPPED), BEN, 20);
        Task t = TaskMachine.extend(held, BEN, at(30), LOCK).after();
        assertThat(rows(t)).endsWith("LOCKED_FOR_VALIDATION:00:10:00:ben", "EXTENDED_FOR_VALIDATION:null:ben");
        assertThat(t.lockExpiresAt()).isEqualTo(at(30).plus(LOCK));
    }

    @Test
    void extendRefusesAnUnlockedTaskThenAnotherUsersLock() {
        assertThat(refusal(() -> TaskMachine.extend(marked(MAPPED), ANA, at(20), LOCK)))
                .isEqualTo(ErrorCode.TASK_STATUS_NOT_LOCKED);
        Task locked = written(TaskMachine.lockForMapping(ready(), ANA, at(0), LOCK));
        assertThat(refusal(() -> TaskMachine.extend(locked, BEN, at(1), LOCK))).isEqualTo(ErrorCode.LOCKED_BY_ANOTHER_USER);
        // too late: the lock has expired and cannot be revived
        assertThat(refusal(() -> TaskMachine.extend(locked, ANA, at(0).plus(LOCK), LOCK)))
                .isEqualTo(ErrorCode.TASK_STATUS_NOT_LOCKED);
    }

    @Test
    void aSweeperExpiresAnExtendedLockAsTheReferenceWouldWithTheFullDurationAndThePreviousStatus() {
        Task invalid = written(TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), BEN, 20), BEN,
                at(25), "INVALIDATED", null, null));
        Task locked = written(TaskMachine.lockForMapping(invalid, ANA, at(30), LOCK));
        Task extended = written(TaskMachine.extend(locked, ANA, at(60), LOCK));
        assertThat(TaskMachine.expire(extended, at(60).plus(LOCK).minusSeconds(1)).isNoop()).isTrue();
        TaskChange c = follows(Trigger.EXPIRE, TaskMachine.expire(extended, at(200)), at(200));
        Task t = c.after();
        assertThat(t.status()).isEqualTo(INVALIDATED);
        assertThat(t.lockedBy()).isNull();
        assertThat(t.lockExpiresAt()).isNull();
        assertThat(rows(t)).endsWith("LOCKED_FOR_MAPPING:00:30:00:ana", "AUTO_UNLOCKED_FOR_MAPPING:02:00:00:ana");
        assertThat(t).isEqualTo(extended.effective(at(200)));
        assertThat(c.before().version()).isEqualTo(extended.version());
        assertThat(TaskMachine.expire(marked(MAPPED), at(500)).isNoop()).isTrue();
    }

    @Test
    void anExpiredValidationLockReturnsTheTaskToMapped() {
        Task held = lockedForValidation(marked(MAPPED), BEN, 20);
        Task t = TaskMachine.expire(held, at(20).plus(LOCK)).after();
        assertThat(t.status()).isEqualTo(MAPPED);
        assertThat(rows(t)).last().isEqualTo("AUTO_UNLOCKED_FOR_VALIDATION:02:00:00:ben");
    }

    // ------------------------------------------------------------------------------------------------ undo

    @Test
    void theValidatorUndoesTheirValidationBackToMapped() {
        TaskChange c = follows(Trigger.UNDO, TaskMachine.undoLastAction(validated(), BEN, at(40), false), at(40));
        Task t = c.after();
        assertThat(t.status()).isEqualTo(MAPPED);
        assertThat(t.validatedBy()).isNull();
        assertThat(t.mappedBy()).isEqualTo(ANA.userId());
        assertThat(rows(t)).endsWith("STATE_CHANGE:VALIDATED:ben", "COMMENT:Undo state from VALIDATED to MAPPED:ben",
                "STATE_CHANGE:MAPPED:ben");
        assertThat(c.counters()).isEqualTo(new CounterDelta(1, -1, 0));
        assertThat(c.userCounters()).containsExactly(new UserCounterDelta(BEN.userId(), 0, -1, 0));
    }

    @Test
    void someoneElseMayUndoOnlyIfTheyMayValidateAndThenTheRowsAreTheirs() {
        assertThat(refusal(() -> TaskMachine.undoLastAction(validated(), CY, at(40), false)))
                .isEqualTo(ErrorCode.UNDO_PERMISSION_ERROR);
        TaskChange c = TaskMachine.undoLastAction(validated(), CY, at(40), true);
        assertThat(rows(c.after())).endsWith("COMMENT:Undo state from VALIDATED to MAPPED:cy", "STATE_CHANGE:MAPPED:cy");
        // the user counter that is taken back is the one the last actor earned
        assertThat(c.userCounters()).containsExactly(new UserCounterDelta(BEN.userId(), 0, -1, 0));
    }

    @Test
    void aLaterCommentByAnotherUserTakesAwayTheLastActorsRightToUndo() {
        Task commented = written(TaskMachine.comment(validated(), CY, at(35), "looks good"));
        assertThat(refusal(() -> TaskMachine.undoLastAction(commented, BEN, at(40), false)))
                .isEqualTo(ErrorCode.UNDO_PERMISSION_ERROR);
        assertThat(TaskMachine.undoLastAction(commented, CY, at(40), false).after().status()).isEqualTo(MAPPED);
    }

    @Test
    void readyAndLockedTasksCannotBeUndoneEvenByTheirLastActor() {
        Task readyAgain = marked(READY);
        assertThat(refusal(() -> TaskMachine.undoLastAction(readyAgain, ANA, at(20), true)))
                .isEqualTo(ErrorCode.UNDO_PERMISSION_ERROR);
        Task held = lockedForValidation(marked(MAPPED), BEN, 20);
        assertThat(refusal(() -> TaskMachine.undoLastAction(held, BEN, at(21), true)))
                .isEqualTo(ErrorCode.UNDO_PERMISSION_ERROR);
    }

    @Test
    void undoingMappedOrBadImageryLeadsToReadyAndForgetsTheMapper() {
        TaskChange mapped = TaskMachine.undoLastAction(marked(MAPPED), ANA, at(20), false);
        assertThat(mapped.after().status()).isEqualTo(READY);
        assertThat(mapped.after().mappedBy()).isNull();
        assertThat(mapped.counters()).isEqualTo(new CounterDelta(-1, 0, 0));
        assertThat(mapped.userCounters()).containsExactly(new UserCounterDelta(ANA.userId(), -1, 0, 0));
        TaskChange bad = TaskMachine.undoLastAction(marked(BADIMAGERY), ANA, at(20), false);
        assertThat(bad.after().status()).isEqualTo(READY);
        assertThat(rows(bad.after())).contains("COMMENT:Undo state from BADIMAGERY to READY:ana");
        assertThat(bad.counters()).isEqualTo(new CounterDelta(0, 0, -1));
        assertThat(bad.userCounters()).isEmpty();
    }

    @Test
    void undoingAnInvalidationReturnsToTheStatusBeforeIt() {
        Task invalid = written(TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), BEN, 20), BEN,
                at(25), "INVALIDATED", null, null));
        TaskChange c = TaskMachine.undoLastAction(invalid, BEN, at(30), false);
        assertThat(c.after().status()).isEqualTo(MAPPED);
        assertThat(c.counters()).isEqualTo(new CounterDelta(1, 0, 0));
        assertThat(c.userCounters()).containsExactly(new UserCounterDelta(BEN.userId(), 0, 0, -1));
        // an invalidated task whose history has a single STATE_CHANGE goes back to READY
        Task imported = Task.ready(7, 5, null, null, null, false).withStatus(INVALIDATED)
                .withHistory(List.of(new HistoryEntry(1, TaskAction.STATE_CHANGE, "INVALIDATED", at(0), BEN.userId(), "ben")));
        assertThat(TaskMachine.undoTarget(imported)).isEqualTo(READY);
    }

    @Test
    void undoUsesTheReleasedViewOfAnExpiredLock() {
        // Ben's validation lock on Ana's mapped task has expired: the task rests in MAPPED and Ben made the last row
        Task expired = lockedForValidation(marked(MAPPED), BEN, 20);
        TaskChange c = TaskMachine.undoLastAction(expired, BEN, at(20).plus(LOCK), false);
        assertThat(c.after().status()).isEqualTo(READY);
        assertThat(rows(c.after())).contains("AUTO_UNLOCKED_FOR_VALIDATION:02:00:00:ben",
                "COMMENT:Undo state from MAPPED to READY:ben");
    }

    // --------------------------------------------------------------------------------------------- comments

    @Test
    void aCommentAddsOneEscapedRowAndLeavesStatusAndLockAlone() {
        Task locked = written(TaskMachine.lockForMapping(ready(), ANA, at(0), LOCK));
        TaskChange c = follows(Trigger.COMMENT, TaskMachine.comment(locked, BEN, at(5), "<script>x</script>"), at(5));
        assertThat(c.after().status()).isEqualTo(LOCKED_FOR_MAPPING);
        assertThat(c.after().lockedBy()).isEqualTo(ANA.userId());
        assertThat(rows(c.after())).containsExactly("LOCKED_FOR_MAPPING:null:ana",
                "COMMENT:&lt;script&gt;x&lt;/script&gt;:ben");
        assertThat(refusal(() -> TaskMachine.comment(locked, BEN, at(5), "  "))).isEqualTo(ErrorCode.INVALID_DATA);
        assertThat(refusal(() -> TaskMachine.comment(locked, BEN, at(5), "x".repeat(TaskMachine.MAX_COMMENT_LENGTH + 1))))
                .isEqualTo(ErrorCode.INVALID_DATA);
        assertThat(TaskMachine.comment(locked, BEN, at(5), "x".repeat(TaskMachine.MAX_COMMENT_LENGTH)).isNoop()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------- bulk

    /** The reference's canned project: 1 MAPPED, 2 READY, 3 BADIMAGERY, 4 VALIDATED, no history, no mappers. */
    static List<Task> canned() {
        return List.of(bare(1, MAPPED), bare(2, READY), bare(3, BADIMAGERY), bare(4, VALIDATED));
    }

    static Task bare(int id, TaskStatus s) {
        return Task.ready(7, id, null, null, null, false).withStatus(s).withVersion(1);
    }

    static CounterDelta sum(List<Task> tasks, java.util.function.Function<Task, TaskChange> decide) {
        return tasks.stream().map(decide).map(TaskChange::counters).reduce(CounterDelta.NONE, CounterDelta::plus);
    }

    @Test
    void mapAllMapsReadyAndInvalidatedTasksAsThePmAndMovesCountersLikeTheReference() {
        TaskChange c = follows(Trigger.MAP_ALL, TaskMachine.mapAll(ready(), PAM, at(5)), at(5));
        assertThat(c.after().status()).isEqualTo(MAPPED);
        assertThat(c.after().mappedBy()).isEqualTo(PAM.userId());
        assertThat(rows(c.after())).containsExactly("LOCKED_FOR_MAPPING:00:00:00:pam", "STATE_CHANGE:MAPPED:pam");
        // canned project: mapped 1 → total − badImagery − validated = 2
        assertThat(sum(canned(), t -> TaskMachine.mapAll(t, PAM, at(5)))).isEqualTo(new CounterDelta(1, 0, 0));
        for (Task skipped : List.of(bare(1, MAPPED), bare(3, BADIMAGERY), bare(4, VALIDATED))) {
            assertThat(follows(Trigger.MAP_ALL, TaskMachine.mapAll(skipped, PAM, at(5)), at(5)).isNoop()).isTrue();
        }
    }

    @Test
    void mapAllTakesLockedTasksFromTheirHoldersClosingTheirLockPeriods() {
        Task mapping = written(TaskMachine.lockForMapping(ready(), ANA, at(0), LOCK));
        Task t = TaskMachine.mapAll(mapping, PAM, at(15)).after();
        assertThat(rows(t)).containsExactly("LOCKED_FOR_MAPPING:00:15:00:ana", "STATE_CHANGE:MAPPED:pam");
        assertThat(t.lockedBy()).isNull();
        assertThat(t.mappedBy()).isEqualTo(PAM.userId());
        // a task locked for validation keeps its mapper and its MAPPED count
        Task validating = lockedForValidation(marked(MAPPED), BEN, 20);
        TaskChange v = TaskMachine.mapAll(validating, PAM, at(30));
        assertThat(v.after().mappedBy()).isEqualTo(ANA.userId());
        assertThat(rows(v.after())).endsWith("LOCKED_FOR_VALIDATION:00:10:00:ben", "STATE_CHANGE:MAPPED:pam");
        assertThat(v.counters()).isEqualTo(CounterDelta.NONE);
    }

    @Test
    void validateAllValidatesOnlyMappedTasksAndSkipsLockedOnes() {
        TaskChange c = follows(Trigger.VALIDATE_ALL, TaskMachine.validateAll(marked(MAPPED), PAM, at(20)), at(20));
        assertThat(c.after().status()).isEqualTo(VALIDATED);
        assertThat(c.after().validatedBy()).isEqualTo(PAM.userId());
        assertThat(c.after().mappedBy()).isEqualTo(ANA.userId());
        assertThat(rows(c.after())).endsWith("LOCKED_FOR_VALIDATION:00:00:00:pam", "STATE_CHANGE:VALIDATED:pam");
        // no mapper recorded: the PM becomes the mapper
        assertThat(TaskMachine.validateAll(bare(1, MAPPED), PAM, at(20)).after().mappedBy()).isEqualTo(PAM.userId());
        assertThat(sum(canned(), t -> TaskMachine.validateAll(t, PAM, at(20)))).isEqualTo(new CounterDelta(-1, 1, 0));
        Task validating = lockedForValidation(marked(MAPPED), BEN, 20);
        assertThat(follows(Trigger.VALIDATE_ALL, TaskMachine.validateAll(validating, PAM, at(25)), at(25)).isNoop()).isTrue();
        // once Ben's lock has expired the task is MAPPED again and is validated
        assertThat(TaskMachine.validateAll(validating, PAM, at(20).plus(LOCK)).after().status()).isEqualTo(VALIDATED);
    }

    @Test
    void invalidateAllInvalidatesValidatedTasksAndClearsTheirPeople() {
        TaskChange c = follows(Trigger.INVALIDATE_ALL, TaskMachine.invalidateAll(validated(), PAM, at(40)), at(40));
        assertThat(c.after().status()).isEqualTo(INVALIDATED);
        assertThat(c.after().mappedBy()).isNull();
        assertThat(c.after().validatedBy()).isNull();
        assertThat(rows(c.after())).endsWith("LOCKED_FOR_VALIDATION:00:00:00:pam", "STATE_CHANGE:INVALIDATED:pam");
        assertThat(sum(canned(), t -> TaskMachine.invalidateAll(t, PAM, at(40)))).isEqualTo(new CounterDelta(0, -1, 0));
    }

    @Test
    void resetBadImageryMakesBadImageryTasksReady() {
        TaskChange c = follows(Trigger.RESET_BAD_IMAGERY, TaskMachine.resetBadImagery(marked(BADIMAGERY), PAM, at(20)), at(20));
        assertThat(c.after().status()).isEqualTo(READY);
        assertThat(rows(c.after())).endsWith("LOCKED_FOR_MAPPING:00:00:00:pam", "STATE_CHANGE:READY:pam");
        assertThat(sum(canned(), t -> TaskMachine.resetBadImagery(t, PAM, at(20)))).isEqualTo(new CounterDelta(0, 0, -1));
    }

    @Test
    void resetAllMakesEveryTaskReadyAndEndsLiveLocksAsAutoUnlocked() {
        Task validating = lockedForValidation(marked(MAPPED), BEN, 20);
        TaskChange c = follows(Trigger.RESET_ALL, TaskMachine.resetAll(validating, PAM, at(50)), at(50));
        Task t = c.after();
        assertThat(t.status()).isEqualTo(READY);
        assertThat(t.lockedBy()).isNull();
        assertThat(t.mappedBy()).isNull();
        assertThat(t.validatedBy()).isNull();
        assertThat(rows(t)).endsWith("AUTO_UNLOCKED_FOR_VALIDATION:00:30:00:ben", "COMMENT:Task reset:pam",
                "STATE_CHANGE:READY:pam");
        assertThat(c.counters()).isEqualTo(new CounterDelta(-1, 0, 0));
        assertThat(sum(canned(), x -> TaskMachine.resetAll(x, PAM, at(50)))).isEqualTo(new CounterDelta(-1, -1, -1));
        assertThat(follows(Trigger.RESET_ALL, TaskMachine.resetAll(ready(), PAM, at(50)), at(50)).isNoop()).isTrue();
    }

    @Test
    void resetByUserUndoesThatUsersValidationsOnTheirBehalf() {
        Task bens = validated();
        Task cys = written(TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), CY, 20), CY, at(30),
                "VALIDATED", null, null));
        TaskStatus action = TaskMachine.parseResetByUserAction("validated");
        TaskChange c = follows(Trigger.RESET_BY_USER, TaskMachine.resetByUser(bens, BEN, action, at(60)), at(60));
        assertThat(c.after().status()).isEqualTo(MAPPED);
        assertThat(rows(c.after())).endsWith("COMMENT:Undo state from VALIDATED to MAPPED:ben", "STATE_CHANGE:MAPPED:ben");
        assertThat(TaskMachine.resetByUser(cys, BEN, action, at(60)).isNoop()).isTrue();
        assertThat(TaskMachine.resetByUser(marked(MAPPED), BEN, action, at(60)).isNoop()).isTrue();
    }

    @Test
    void resetByUserUndoesThatUsersBadImageryAndRefusesOtherActions() {
        TaskStatus action = TaskMachine.parseResetByUserAction("BADIMAGERY");
        TaskChange c = TaskMachine.resetByUser(marked(BADIMAGERY), ANA, action, at(60));
        assertThat(c.after().status()).isEqualTo(READY);
        assertThat(c.counters()).isEqualTo(new CounterDelta(0, 0, -1));
        assertThat(TaskMachine.resetByUser(marked(BADIMAGERY), BEN, action, at(60)).isNoop()).isTrue();
        assertThatThrownBy(() -> TaskMachine.parseResetByUserAction("MAPPED")).isInstanceOf(ApiException.class)
                .hasMessage("Unable to revert tasks");
        assertThat(refusal(() -> TaskMachine.parseResetByUserAction(null))).isEqualTo(ErrorCode.INVALID_DATA);
    }

    @Test
    void unlockAfterMappingCountsTheMappersTaskOnlyWhenTheStatusChanges() {
        Task locked = written(TaskMachine.lockForMapping(ready(), ANA, at(0), LOCK));
        assertThat(TaskMachine.unlockAfterMapping(locked, ANA, at(5), "MAPPED", null).userCounters())
                .containsExactly(new UserCounterDelta(ANA.userId(), 1, 0, 0));
        assertThat(TaskMachine.unlockAfterMapping(locked, ANA, at(5), "READY", null).userCounters()).isEmpty();
    }

    /**
     * Tasks in every state the workflow reaches, some with live and some with expired locks at minute 60. Tasks
     * resting in a status no STATE_CHANGE row names (the reference's canned fixture) are left out: see
     * docs/workflow.md, "Tasks without history".
     */
    static List<Task> zoo() {
        Task mapping = written(TaskMachine.lockForMapping(ready(), ANA, at(50), LOCK));
        Task staleMapping = written(TaskMachine.lockForMapping(marked(READY), ANA, at(11), Duration.ofMinutes(5)));
        Task validating = lockedForValidation(marked(MAPPED), BEN, 50);
        Task staleValidating = written(TaskMachine.lockForValidation(marked(BADIMAGERY), BEN, false, at(20),
                Duration.ofMinutes(5)));
        Task invalid = written(TaskMachine.unlockAfterValidation(lockedForValidation(marked(MAPPED), BEN, 20), BEN,
                at(25), "INVALIDATED", null, null));
        return List.of(ready(), marked(MAPPED), marked(BADIMAGERY), marked(READY), validated(), invalid, mapping,
                staleMapping, validating, staleValidating);
    }

    @Test
    void everyDecisionMovesTheCountersExactlyAsTheTasksThemselvesCountThem() {
        Instant now = at(60);
        List<java.util.function.Function<Task, TaskChange>> decisions = List.of(
                t -> TaskMachine.lockForMapping(t, CY, now, LOCK),
                t -> TaskMachine.unlockAfterMapping(t, ANA, now, "MAPPED", null),
                t -> TaskMachine.unlockAfterMapping(t, ANA, now, "BADIMAGERY", null),
                t -> TaskMachine.stopMapping(t, ANA, now, null),
                t -> TaskMachine.lockForValidation(t, CY, false, now, LOCK),
                t -> TaskMachine.unlockAfterValidation(t, BEN, now, "VALIDATED", null, null),
                t -> TaskMachine.unlockAfterValidation(t, BEN, now, "INVALIDATED", null, null),
                t -> TaskMachine.unlockAfterValidation(t, BEN, now, "MAPPED", null, null),
                t -> TaskMachine.stopValidation(t, BEN, now, null),
                t -> TaskMachine.extend(t, ANA, now, LOCK),
                t -> TaskMachine.undoLastAction(t, CY, now, true),
                t -> TaskMachine.comment(t, CY, now, "hi"),
                t -> TaskMachine.expire(t, now),
                t -> TaskMachine.mapAll(t, PAM, now),
                t -> TaskMachine.validateAll(t, PAM, now),
                t -> TaskMachine.invalidateAll(t, PAM, now),
                t -> TaskMachine.resetBadImagery(t, PAM, now),
                t -> TaskMachine.resetAll(t, PAM, now),
                t -> TaskMachine.resetByUser(t, BEN, VALIDATED, now),
                t -> TaskMachine.resetByUser(t, ANA, BADIMAGERY, now));
        int decided = 0;
        for (Task t : zoo()) {
            for (var decide : decisions) {
                TaskChange c;
                try {
                    c = decide.apply(t);
                } catch (ApiException refused) {
                    continue;
                }
                decided++;
                ProjectCounters before = ProjectCounters.of(List.of(t.effective(now)));
                ProjectCounters after = ProjectCounters.of(List.of(c.after()));
                assertThat(new CounterDelta((int) (after.tasksMapped() - before.tasksMapped()),
                        (int) (after.tasksValidated() - before.tasksValidated()),
                        (int) (after.tasksBadImagery() - before.tasksBadImagery())))
                        .as("%s from %s", c.after().lastEntry(), t.status()).isEqualTo(c.counters());
                assertThat(c.after().history()).extracting(HistoryEntry::id).doesNotHaveDuplicates().isSorted();
                if (!c.after().status().isLocked()) assertThat(c.after().lockedBy()).isNull();
            }
        }
        assertThat(decided).isGreaterThan(60);
    }
}
