package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.Split;
import dev.tmserverless.core.geo.SplitGeometryException;
import dev.tmserverless.core.geo.TaskShape;
import dev.tmserverless.core.geo.TaskShapeBudget;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

import static dev.tmserverless.core.domain.TaskStatus.*;

/**
 * The task state machine (docs/workflow.md). Pure: given the task as stored, the actor and the clock, it either
 * refuses with the reference's error or returns the {@link TaskChange} to write. Each trigger's legal source
 * states and outcomes are in {@link #RULES}; nothing else decides them. Every decision starts from the task as
 * reads show it ({@link Task#effective}), so an expired lock never blocks anybody.
 */
public final class TaskMachine {
    private TaskMachine() {}

    public enum Trigger {
        LOCK_FOR_MAPPING, UNLOCK_AFTER_MAPPING, STOP_MAPPING, SPLIT,
        LOCK_FOR_VALIDATION, UNLOCK_AFTER_VALIDATION, STOP_VALIDATION, EXTEND, UNDO, COMMENT, EXPIRE,
        // project-manager bulk actions, decided one task at a time; a task outside {@code from} is skipped
        MAP_ALL, VALIDATE_ALL, INVALIDATE_ALL, RESET_BAD_IMAGERY, RESET_ALL, RESET_BY_USER
    }

    /**
     * from: states the trigger may start in; to: states it may end in (empty: the task's previous status);
     * wrongState: the refusal for a task outside {@code from} (null: the task is skipped, no refusal).
     */
    public record Rule(Set<TaskStatus> from, Set<TaskStatus> to, ErrorCode wrongState) {}

    private static final Set<TaskStatus> RESTING = EnumSet.of(READY, MAPPED, VALIDATED, INVALIDATED, BADIMAGERY);
    private static final Set<TaskStatus> LOCKED = EnumSet.of(LOCKED_FOR_MAPPING, LOCKED_FOR_VALIDATION);

    public static final Map<Trigger, Rule> RULES;

    static {
        Map<Trigger, Rule> r = new EnumMap<>(Trigger.class);
        r.put(Trigger.LOCK_FOR_MAPPING, new Rule(EnumSet.of(READY, INVALIDATED), EnumSet.of(LOCKED_FOR_MAPPING),
                ErrorCode.INVALID_TASK_STATE));
        r.put(Trigger.UNLOCK_AFTER_MAPPING, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.of(MAPPED, BADIMAGERY, READY),
                ErrorCode.LOCK_BEFORE_UNLOCKING));
        r.put(Trigger.STOP_MAPPING, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.noneOf(TaskStatus.class),
                ErrorCode.LOCK_BEFORE_UNLOCKING));
        // the task itself is deleted; its four children start READY
        r.put(Trigger.SPLIT, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.of(READY), ErrorCode.LOCK_TO_SPLIT));
        r.put(Trigger.LOCK_FOR_VALIDATION, new Rule(EnumSet.of(MAPPED, INVALIDATED, BADIMAGERY),
                EnumSet.of(LOCKED_FOR_VALIDATION), ErrorCode.NOT_READY_FOR_VALIDATION));
        r.put(Trigger.UNLOCK_AFTER_VALIDATION, new Rule(EnumSet.of(LOCKED_FOR_VALIDATION),
                EnumSet.of(VALIDATED, INVALIDATED, MAPPED), ErrorCode.NOT_LOCKED_FOR_VALIDATION));
        r.put(Trigger.STOP_VALIDATION, new Rule(EnumSet.of(LOCKED_FOR_VALIDATION), EnumSet.noneOf(TaskStatus.class),
                ErrorCode.NOT_LOCKED_FOR_VALIDATION));
        // the status stays; the lock gets a new expiry
        r.put(Trigger.EXTEND, new Rule(LOCKED, LOCKED, ErrorCode.TASK_STATUS_NOT_LOCKED));
        r.put(Trigger.UNDO, new Rule(EnumSet.of(MAPPED, VALIDATED, INVALIDATED, BADIMAGERY), RESTING,
                ErrorCode.UNDO_PERMISSION_ERROR));
        // a comment leaves the status as it is
        r.put(Trigger.COMMENT, new Rule(EnumSet.complementOf(EnumSet.of(SPLIT)), EnumSet.complementOf(EnumSet.of(SPLIT)),
                null));
        r.put(Trigger.EXPIRE, new Rule(LOCKED, EnumSet.noneOf(TaskStatus.class), null));
        r.put(Trigger.MAP_ALL, new Rule(EnumSet.of(READY, INVALIDATED, LOCKED_FOR_MAPPING, LOCKED_FOR_VALIDATION),
                EnumSet.of(MAPPED), null));
        r.put(Trigger.VALIDATE_ALL, new Rule(EnumSet.of(MAPPED), EnumSet.of(VALIDATED), null));
        r.put(Trigger.INVALIDATE_ALL, new Rule(EnumSet.of(VALIDATED), EnumSet.of(INVALIDATED), null));
        r.put(Trigger.RESET_BAD_IMAGERY, new Rule(EnumSet.of(BADIMAGERY), EnumSet.of(READY), null));
        r.put(Trigger.RESET_ALL, new Rule(EnumSet.of(LOCKED_FOR_MAPPING, MAPPED, LOCKED_FOR_VALIDATION, VALIDATED,
                INVALIDATED, BADIMAGERY), EnumSet.of(READY), null));
        // a VALIDATED task validated by the user, or a BADIMAGERY task the user marked: undone as that user
        r.put(Trigger.RESET_BY_USER, new Rule(EnumSet.of(VALIDATED, BADIMAGERY), EnumSet.of(MAPPED, READY), null));
        RULES = Collections.unmodifiableMap(r);
    }

    /**
     * Lock for mapping. The holder of a live mapping lock asking again gets a no-op change (docs/api-differences.md D4): the
     * lock is not renewed and no row is added.
     */
    public static TaskChange lockForMapping(Task stored, Actor actor, Instant now, Duration lockFor) {
        Task t = stored.effective(now);
        if (t.status() == LOCKED_FOR_MAPPING && t.lockedByAt(actor.userId(), now)) {
            return new TaskChange(stored, stored, CounterDelta.NONE);
        }
        requireFrom(Trigger.LOCK_FOR_MAPPING, t);
        List<HistoryEntry> h = new ArrayList<>(t.history());
        append(h, TaskAction.LOCKED_FOR_MAPPING, null, now, actor);
        return new TaskChange(stored, t.with(LOCKED_FOR_MAPPING, actor.userId(), now.plus(lockFor), t.mappedBy(),
                t.validatedBy(), h), CounterDelta.NONE);
    }

    /** Parses the requested end state of a mapping lock; unknown names are bad input (docs/api-differences.md D6). */
    public static TaskStatus parseStatus(String name) {
        return TaskStatus.parse(name).orElseThrow(() ->
                new ApiException(ErrorCode.INVALID_DATA, "Unknown task status: " + name));
    }

    public static TaskChange unlockAfterMapping(Task stored, Actor actor, Instant now, String statusName,
                                                String comment) {
        Task t = stored.effective(now);
        requireHolder(Trigger.UNLOCK_AFTER_MAPPING, t, actor, now, ErrorCode.TASK_NOT_OWNED);
        TaskStatus to = parseStatus(statusName);
        if (!RULES.get(Trigger.UNLOCK_AFTER_MAPPING).to().contains(to)) {
            throw new ApiException(ErrorCode.INVALID_UNLOCK_STATE, "Can't update status to " + to);
        }
        List<HistoryEntry> h = closeLockPeriod(t.history(), actor, now);
        appendComment(h, comment, now, actor);
        append(h, TaskAction.STATE_CHANGE, to.name(), now, actor);
        Long mappedBy = (to == MAPPED || to == BADIMAGERY) ? Long.valueOf(actor.userId()) : t.mappedBy();
        return new TaskChange(stored, t.with(to, null, null, mappedBy, t.validatedBy(), h),
                CounterDelta.between(t.previousStatus(), to), arrival(actor, t.previousStatus(), to));
    }

    public static TaskChange stopMapping(Task stored, Actor actor, Instant now, String comment) {
        Task t = stored.effective(now);
        requireHolder(Trigger.STOP_MAPPING, t, actor, now, ErrorCode.TASK_NOT_OWNED);
        List<HistoryEntry> h = closeLockPeriod(t.history(), actor, now);
        appendComment(h, comment, now, actor);
        return new TaskChange(stored, t.with(t.previousStatus(), null, null, t.mappedBy(), t.validatedBy(), h),
                CounterDelta.NONE);
    }

    /**
     * Decides a split (docs/locking.md, "Split"): the checks in the reference's order (SmallToSplit before the lock checks),
     * then the four children's shapes. {@code shape} is the task's geometry as stored.
     */
    public static List<TaskShape> split(Task stored, TaskShape shape, Actor actor, Instant now) {
        Task t = stored.effective(now);
        if (Split.tooSmall(shape)) throw new ApiException(ErrorCode.SMALL_TO_SPLIT);
        requireHolder(Trigger.SPLIT, t, actor, now, ErrorCode.SPLIT_OTHER_USER_TASK);
        List<TaskShape> children;
        try {
            children = Split.children(shape);
        } catch (SplitGeometryException e) {
            ErrorCode code = e.reason() == SplitGeometryException.Reason.MALFORMED_TILE
                    ? ErrorCode.SPLIT_SERVICE_ERROR : ErrorCode.SPLIT_GEOJSON_ERROR;
            throw new ApiException(code, e.getMessage());
        }
        // every child must fit a task's item, as at creation (docs/geometry.md "Task shape budget")
        TaskShapeBudget.requireChildren(stored.taskId(), children);
        return children;
    }

    /**
     * One child of a split: READY, with only its own creation state, STATE_CHANGE SPLIT then STATE_CHANGE READY by
     * the splitter. It copies none of the parent's rows (the reference copies them all, docs/api-differences.md);
     * the parent's history stays on its split mark. Deterministic, so a split interrupted after its commit can be
     * completed later with the same result.
     */
    public static Task splitChild(Task parent, int childId, TaskShape child, Actor actor, Instant at) {
        List<HistoryEntry> h = new ArrayList<>();
        append(h, TaskAction.STATE_CHANGE, SPLIT.name(), at, actor);
        append(h, TaskAction.STATE_CHANGE, READY.name(), at, actor);
        return new Task(parent.projectId(), childId, child.x(), child.y(), child.zoom(), child.isSquare(), READY,
                null, null, null, null, 0, h);
    }

    // ------------------------------------------------------------------------------------------ validation

    /**
     * Lock one task for validation, the reference's per-task checks in order: a task the caller already holds
     * for validation is a no-op (like mapping, docs/api-differences.md D4); otherwise it must be MAPPED,
     * INVALIDATED or BADIMAGERY (NotReadyForValidation) and not marked by the caller unless the caller is an
     * admin (CannotValidateMappedTask; a PM who is not an admin is refused too). The validation permission and
     * the one-lock rule are checked by the caller after every task of the request passed these checks
     * ({@link #decideAll}).
     */
    public static TaskChange lockForValidation(Task stored, Actor actor, boolean actorIsAdmin, Instant now,
                                               Duration lockFor) {
        Task t = stored.effective(now);
        if (t.status() == LOCKED_FOR_VALIDATION && t.lockedByAt(actor.userId(), now)) return TaskChange.none(stored);
        requireFrom(Trigger.LOCK_FOR_VALIDATION, t);
        if (!actorIsAdmin && t.mappedBy() != null && t.mappedBy() == actor.userId()) {
            throw new ApiException(ErrorCode.CANNOT_VALIDATE_MAPPED_TASK);
        }
        List<HistoryEntry> h = new ArrayList<>(t.history());
        append(h, TaskAction.LOCKED_FOR_VALIDATION, null, now, actor);
        return new TaskChange(stored, t.with(LOCKED_FOR_VALIDATION, actor.userId(), now.plus(lockFor), t.mappedBy(),
                t.validatedBy(), h), CounterDelta.NONE);
    }

    /**
     * All-or-nothing decision over a request's task ids, as the reference checks every task before changing
     * any: loads and decides each id in request order (a missing task is 404 TASK_NOT_FOUND at its place in the
     * order), so the first refusal in list order wins and nothing has been written. A repeated id is decided
     * once. The caller then writes the non-noop changes, one conditional write each.
     */
    public static List<TaskChange> decideAll(long projectId, List<Integer> taskIds, IntFunction<Optional<Task>> load,
                                             Function<Task, TaskChange> decide) {
        List<TaskChange> out = new ArrayList<>();
        for (int id : new LinkedHashSet<>(taskIds)) {
            Task t = load.apply(id).orElseThrow(() -> new ApiException(ErrorCode.TASK_NOT_FOUND,
                    ErrorCode.TASK_NOT_FOUND.message, Map.of("project_id", projectId, "task_id", id)));
            out.add(decide.apply(t));
        }
        return out;
    }

    /** Parses the end state of a validation lock: VALIDATED, INVALIDATED or MAPPED; anything else is bad input (D6). */
    public static TaskStatus parseValidationStatus(String name) {
        TaskStatus to = parseStatus(name);
        if (!RULES.get(Trigger.UNLOCK_AFTER_VALIDATION).to().contains(to)) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Can only set status to VALIDATED, INVALIDATED or MAPPED "
                    + "after validation, not " + to);
        }
        return to;
    }

    /**
     * Ends the caller's validation lock with VALIDATED, INVALIDATED or MAPPED. Checks: NotLockedForValidation,
     * then "TaskNotOwned ", then the status (400 InvalidData). Rows: the lock period closed, the COMMENT if any,
     * the STATE_CHANGE; {@code issues} with a count above zero are recorded on both new rows. VALIDATED sets
     * validatedBy; INVALIDATED clears mappedBy and validatedBy; MAPPED keeps mappedBy. Project counters move
     * from the previous STATE_CHANGE status; the validator's tasksValidated/tasksInvalidated grows by one.
     */
    public static TaskChange unlockAfterValidation(Task stored, Actor actor, Instant now, String statusName,
                                                   String comment, List<MappingIssue> issues) {
        Task t = stored.effective(now);
        requireHolder(Trigger.UNLOCK_AFTER_VALIDATION, t, actor, now, ErrorCode.TASK_NOT_OWNED_VALIDATION);
        TaskStatus to = parseValidationStatus(statusName);
        List<MappingIssue> counted = issues == null ? List.of()
                : issues.stream().filter(i -> i.count() > 0).toList();
        List<HistoryEntry> h = closeLockPeriod(t.history(), actor, now);
        appendComment(h, comment, now, actor, counted);
        append(h, TaskAction.STATE_CHANGE, to.name(), now, actor, counted);
        Long mappedBy = to == INVALIDATED ? null : t.mappedBy();
        Long validatedBy = switch (to) {
            case VALIDATED -> actor.userId();
            case INVALIDATED -> null;
            default -> t.validatedBy();
        };
        return new TaskChange(stored, t.with(to, null, null, mappedBy, validatedBy, h),
                CounterDelta.between(t.previousStatus(), to), arrival(actor, t.previousStatus(), to));
    }

    /**
     * Gives a validation lock back: the task returns to its previous status. Checks: NotLockedForValidation, then
     * "TaskNotOwned ". Rows: the lock period closed, then the COMMENT if any; no STATE_CHANGE, no counters.
     * The reference ignores {@code validationIssues} here, and so do we.
     */
    public static TaskChange stopValidation(Task stored, Actor actor, Instant now, String comment) {
        Task t = stored.effective(now);
        requireHolder(Trigger.STOP_VALIDATION, t, actor, now, ErrorCode.TASK_NOT_OWNED_VALIDATION);
        List<HistoryEntry> h = closeLockPeriod(t.history(), actor, now);
        appendComment(h, comment, now, actor);
        return new TaskChange(stored, t.with(t.previousStatus(), null, null, t.mappedBy(), t.validatedBy(), h),
                CounterDelta.NONE);
    }

    // ------------------------------------------------------------------------------------ extend, undo, comment

    /**
     * Extends the caller's live mapping or validation lock to {@code now + lockFor}. Checks: TaskStatusNotLocked
     * (an expired lock counts as not locked), then LockedByAnotherUser. Rows: the open lock period is closed
     * with its length and an open EXTENDED_FOR_MAPPING or EXTENDED_FOR_VALIDATION row follows. The status stays.
     */
    public static TaskChange extend(Task stored, Actor actor, Instant now, Duration lockFor) {
        Task t = stored.effective(now);
        requireHolder(Trigger.EXTEND, t, actor, now, ErrorCode.LOCKED_BY_ANOTHER_USER);
        List<HistoryEntry> h = closeLockPeriod(t.history(), actor, now);
        append(h, t.status() == LOCKED_FOR_MAPPING ? TaskAction.EXTENDED_FOR_MAPPING : TaskAction.EXTENDED_FOR_VALIDATION,
                null, now, actor);
        return new TaskChange(stored, t.with(t.status(), t.lockedBy(), now.plus(lockFor), t.mappedBy(),
                t.validatedBy(), h), CounterDelta.NONE);
    }

    /**
     * Undoes the task's last state change. Allowed when the task rests in MAPPED, VALIDATED, INVALIDATED or
     * BADIMAGERY and either the newest history row (of any kind) is the caller's or the caller passes the full
     * validation check ({@code mayValidate}: {@link Permissions#checkCanValidate} and holding no locked task);
     * else UndoPermissionError. See {@link #undoTarget} for the resulting status. Rows: COMMENT
     * "Undo state from X to Y", then STATE_CHANGE Y, both by the caller; no lock bookkeeping. Undoing to MAPPED
     * clears validatedBy, to READY clears mappedBy. Project counters: X −1, Y +1; the author of the newest row
     * loses the user counter X had earned (tasksMapped, tasksValidated or tasksInvalidated).
     */
    public static TaskChange undoLastAction(Task stored, Actor actor, Instant now, boolean mayValidate) {
        Task t = stored.effective(now);
        requireFrom(Trigger.UNDO, t);
        HistoryEntry last = t.lastEntry();
        boolean lastActor = last != null && last.userId() == actor.userId();
        if (!lastActor && !mayValidate) throw new ApiException(ErrorCode.UNDO_PERMISSION_ERROR);
        return undo(stored, t, actor, now);
    }

    /**
     * Where undo leads from the task's status: VALIDATED → MAPPED; MAPPED and BADIMAGERY → READY; otherwise
     * the second-newest STATE_CHANGE status (READY if there are fewer than two, if the newest names MAPPED or
     * BADIMAGERY, or if it names SPLIT).
     */
    public static TaskStatus undoTarget(Task t) {
        switch (t.status()) {
            case VALIDATED: return MAPPED;
            case MAPPED, BADIMAGERY: return READY;
            default: break;
        }
        List<String> changes = new ArrayList<>();
        for (int i = t.history().size() - 1; i >= 0 && changes.size() < 2; i--) {
            HistoryEntry e = t.history().get(i);
            if (e.action() == TaskAction.STATE_CHANGE) changes.add(e.actionText());
        }
        if (changes.size() < 2 || MAPPED.name().equals(changes.get(0)) || BADIMAGERY.name().equals(changes.get(0))) {
            return READY;
        }
        return TaskStatus.parse(changes.get(1)).filter(RESTING::contains).orElse(READY);
    }

    private static TaskChange undo(Task stored, Task t, Actor actor, Instant now) {
        TaskStatus from = t.status();
        TaskStatus to = undoTarget(t);
        HistoryEntry last = t.lastEntry();
        List<HistoryEntry> h = new ArrayList<>(t.history());
        append(h, TaskAction.COMMENT, "Undo state from " + from.name() + " to " + to.name(), now, actor);
        append(h, TaskAction.STATE_CHANGE, to.name(), now, actor);
        Long mappedBy = to == READY ? null : t.mappedBy();
        Long validatedBy = to == MAPPED ? null : t.validatedBy();
        List<UserCounterDelta> users = new ArrayList<>();
        if (last != null && from != to) {
            UserCounterDelta d = UserCounterDelta.of(last.userId(), from, -1);
            if (d != null) users.add(d);
        }
        return new TaskChange(stored, t.with(to, null, null, mappedBy, validatedBy, h),
                CounterDelta.between(from, to), users);
    }

    /**
     * A comment on the task (whoever may see the project and is not blocked, {@link Permissions#checkCanComment}):
     * one COMMENT row, HTML-escaped; an empty or blank comment, or one longer than {@link #MAX_COMMENT_LENGTH},
     * is 400 InvalidData. The status is not changed.
     */
    public static TaskChange comment(Task stored, Actor actor, Instant now, String comment) {
        Task t = stored.effective(now);
        if (comment == null || comment.isBlank()) throw new ApiException(ErrorCode.INVALID_DATA, "Comment is empty");
        List<HistoryEntry> h = new ArrayList<>(t.history());
        appendComment(h, comment, now, actor);
        return new TaskChange(stored, t.withHistory(h), CounterDelta.NONE);
    }

    // ------------------------------------------------------------------------------------------- expiry

    /**
     * The write a sweeper makes for a lock whose expiry has passed: exactly the task every read already shows
     * ({@link Task#effective}): open lock rows renamed AUTO_UNLOCKED_FOR_MAPPING / _VALIDATION with the length
     * of the lock period up to the expiry, the previous status restored, no holder. A live lock, or no lock,
     * is a no-op.
     */
    public static TaskChange expire(Task stored, Instant now) {
        if (!stored.lockExpired(now)) return TaskChange.none(stored);
        return new TaskChange(stored, stored.effective(now), CounterDelta.NONE);
    }

    // ------------------------------------------------------------------------------- project-manager bulk

    /**
     * map-all for one task: READY, INVALIDATED and locked tasks become MAPPED; others are skipped. An unlocked
     * task gets a LOCKED_FOR_MAPPING row by the PM (closed at once, 00:00:00); a locked task's open lock period
     * is closed with its length (the holder loses the lock). Then STATE_CHANGE MAPPED by the PM. mappedBy := PM,
     * except for a task that was locked for validation (its mapper stays).
     */
    public static TaskChange mapAll(Task stored, Actor pm, Instant now) {
        Task t = stored.effective(now);
        if (!RULES.get(Trigger.MAP_ALL).from().contains(t.status())) return TaskChange.none(stored);
        List<HistoryEntry> h = bulkLock(t, TaskAction.LOCKED_FOR_MAPPING, pm, now);
        append(h, TaskAction.STATE_CHANGE, MAPPED.name(), now, pm);
        Long mappedBy = t.status() == LOCKED_FOR_VALIDATION ? t.mappedBy() : Long.valueOf(pm.userId());
        return new TaskChange(stored, t.with(MAPPED, null, null, mappedBy, t.validatedBy(), h),
                CounterDelta.between(t.restingStatus(), MAPPED));
    }

    /**
     * validate-all for one task: only MAPPED tasks (a locked task is skipped, whatever it was locked from, as the
     * reference selects by status). Rows: LOCKED_FOR_VALIDATION by the PM, closed at once; STATE_CHANGE VALIDATED.
     * validatedBy := PM; mappedBy kept, or the PM if there was none.
     */
    public static TaskChange validateAll(Task stored, Actor pm, Instant now) {
        Task t = stored.effective(now);
        if (!RULES.get(Trigger.VALIDATE_ALL).from().contains(t.status())) return TaskChange.none(stored);
        List<HistoryEntry> h = bulkLock(t, TaskAction.LOCKED_FOR_VALIDATION, pm, now);
        append(h, TaskAction.STATE_CHANGE, VALIDATED.name(), now, pm);
        Long mappedBy = t.mappedBy() != null ? t.mappedBy() : Long.valueOf(pm.userId());
        return new TaskChange(stored, t.with(VALIDATED, null, null, mappedBy, pm.userId(), h),
                CounterDelta.between(MAPPED, VALIDATED));
    }

    /**
     * invalidate-all for one task: only VALIDATED tasks. Rows: LOCKED_FOR_VALIDATION by the PM, closed at once;
     * STATE_CHANGE INVALIDATED. mappedBy and validatedBy are cleared.
     */
    public static TaskChange invalidateAll(Task stored, Actor pm, Instant now) {
        Task t = stored.effective(now);
        if (!RULES.get(Trigger.INVALIDATE_ALL).from().contains(t.status())) return TaskChange.none(stored);
        List<HistoryEntry> h = bulkLock(t, TaskAction.LOCKED_FOR_VALIDATION, pm, now);
        append(h, TaskAction.STATE_CHANGE, INVALIDATED.name(), now, pm);
        return new TaskChange(stored, t.with(INVALIDATED, null, null, null, null, h),
                CounterDelta.between(VALIDATED, INVALIDATED));
    }

    /**
     * reset-all-badimagery for one task: only BADIMAGERY tasks. Rows: LOCKED_FOR_MAPPING by the PM, closed at
     * once; STATE_CHANGE READY. mappedBy is kept, as the reference's unlock to READY keeps it.
     */
    public static TaskChange resetBadImagery(Task stored, Actor pm, Instant now) {
        Task t = stored.effective(now);
        if (!RULES.get(Trigger.RESET_BAD_IMAGERY).from().contains(t.status())) return TaskChange.none(stored);
        List<HistoryEntry> h = bulkLock(t, TaskAction.LOCKED_FOR_MAPPING, pm, now);
        append(h, TaskAction.STATE_CHANGE, READY.name(), now, pm);
        return new TaskChange(stored, t.with(READY, null, null, t.mappedBy(), t.validatedBy(), h),
                CounterDelta.between(BADIMAGERY, READY));
    }

    /** The comment reset-all writes on every task it resets. */
    public static final String RESET_COMMENT = "Task reset";

    /**
     * reset-all for one task: every task not READY. A locked task's open lock period becomes
     * AUTO_UNLOCKED_FOR_MAPPING / _VALIDATION (still the holder's row) with the time it was held; then COMMENT
     * "Task reset" and STATE_CHANGE READY by the PM. Lock holder, mappedBy and validatedBy are cleared.
     */
    public static TaskChange resetAll(Task stored, Actor pm, Instant now) {
        Task t = stored.effective(now);
        if (!RULES.get(Trigger.RESET_ALL).from().contains(t.status())) return TaskChange.none(stored);
        List<HistoryEntry> h = new ArrayList<>(t.history());
        if (t.status().isLocked()) {
            for (int i = h.size() - 1; i >= 0; i--) {
                HistoryEntry e = h.get(i);
                if (e.action().isLockPeriod() && e.actionText() == null) {
                    h.set(i, e.withAction(e.action().autoUnlocked(),
                            Durations.format(Duration.between(e.actionDate(), now))));
                }
            }
        }
        append(h, TaskAction.COMMENT, RESET_COMMENT, now, pm);
        append(h, TaskAction.STATE_CHANGE, READY.name(), now, pm);
        return new TaskChange(stored, t.with(READY, null, null, null, null, h),
                CounterDelta.between(t.restingStatus(), READY));
    }

    /** The {@code action} of reset-by-user: VALIDATED or BADIMAGERY; anything else is 400 InvalidData. */
    public static TaskStatus parseResetByUserAction(String action) {
        return TaskStatus.parse(action).filter(RULES.get(Trigger.RESET_BY_USER).from()::contains)
                .orElseThrow(() -> new ApiException(ErrorCode.INVALID_DATA, "Unable to revert tasks"));
    }

    /**
     * reset-by-user for one task: a VALIDATED task validated by {@code user} (action VALIDATED), or a BADIMAGERY
     * task marked by {@code user} (action BADIMAGERY), is undone as the reference does it: on behalf of that
     * user, so the undo rows are theirs; other tasks are skipped. The PM's right to do this is the caller's
     * check (UserActionNotPermitted); no undo permission is asked of the user.
     */
    public static TaskChange resetByUser(Task stored, Actor user, TaskStatus action, Instant now) {
        Task t = stored.effective(now);
        boolean theirs = switch (action) {
            case VALIDATED -> t.status() == VALIDATED && t.validatedBy() != null && t.validatedBy() == user.userId();
            case BADIMAGERY -> t.status() == BADIMAGERY && t.mappedBy() != null && t.mappedBy() == user.userId();
            default -> throw new ApiException(ErrorCode.INVALID_DATA, "Unable to revert tasks");
        };
        return theirs ? undo(stored, t, user, now) : TaskChange.none(stored);
    }

    /**
     * The lock a bulk action takes on its way: an unlocked task gets a lock row by the PM, closed at once; a
     * locked task keeps its holder's row, closed with the time it was held.
     */
    private static List<HistoryEntry> bulkLock(Task t, TaskAction lock, Actor pm, Instant now) {
        List<HistoryEntry> h = new ArrayList<>(t.history());
        if (t.status().isLocked()) {
            for (int i = h.size() - 1; i >= 0; i--) {
                HistoryEntry e = h.get(i);
                if (e.action().isLockPeriod() && e.actionText() == null) {
                    h.set(i, e.withText(Durations.format(Duration.between(e.actionDate(), now))));
                    break;
                }
            }
        } else {
            append(h, lock, Durations.format(Duration.ZERO), now, pm);
        }
        return h;
    }

    /** The acting user's counter for arriving in {@code to} (only when the status really changes). */
    private static List<UserCounterDelta> arrival(Actor actor, TaskStatus from, TaskStatus to) {
        if (from == to) return List.of();
        UserCounterDelta d = UserCounterDelta.of(actor.userId(), to, 1);
        return d == null ? List.of() : List.of(d);
    }

    private static void requireFrom(Trigger trigger, Task t) {
        Rule rule = RULES.get(trigger);
        if (!rule.from().contains(t.status())) {
            throw new ApiException(rule.wrongState(), rule.wrongState().message,
                    Map.of("task_id", t.taskId(), "status", t.status().name()));
        }
    }

    private static void requireHolder(Trigger trigger, Task t, Actor actor, Instant now, ErrorCode notOwned) {
        requireFrom(trigger, t);
        if (!t.lockedByAt(actor.userId(), now)) throw new ApiException(notOwned);
    }

    /** Ends the actor's newest open lock period, recording its exact length (docs/api-differences.md D5). */
    static List<HistoryEntry> closeLockPeriod(List<HistoryEntry> history, Actor actor, Instant now) {
        List<HistoryEntry> h = new ArrayList<>(history);
        for (int i = h.size() - 1; i >= 0; i--) {
            HistoryEntry e = h.get(i);
            if (e.action().isLockPeriod() && e.actionText() == null && e.userId() == actor.userId()) {
                h.set(i, e.withText(Durations.format(Duration.between(e.actionDate(), now))));
                break;
            }
        }
        return h;
    }

    /** Longest comment accepted, in characters as sent (the stored, escaped text may be longer). */
    public static final int MAX_COMMENT_LENGTH = 10_000;

    private static void appendComment(List<HistoryEntry> h, String comment, Instant now, Actor actor) {
        appendComment(h, comment, now, actor, List.of());
    }

    private static void appendComment(List<HistoryEntry> h, String comment, Instant now, Actor actor,
                                      List<MappingIssue> issues) {
        if (comment == null || comment.isBlank()) return;
        if (comment.length() > MAX_COMMENT_LENGTH) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Comment is longer than " + MAX_COMMENT_LENGTH + " characters");
        }
        append(h, TaskAction.COMMENT, Html.escape(comment), now, actor, issues);
    }

    private static void append(List<HistoryEntry> h, TaskAction action, String text, Instant now, Actor actor) {
        append(h, action, text, now, actor, List.of());
    }

    private static void append(List<HistoryEntry> h, TaskAction action, String text, Instant now, Actor actor,
                               List<MappingIssue> issues) {
        int id = h.isEmpty() ? 1 : h.get(h.size() - 1).id() + 1;
        h.add(new HistoryEntry(id, action, text, now, actor.userId(), actor.username(), issues));
    }
}
