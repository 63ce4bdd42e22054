package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.Split;
import dev.tmserverless.core.geo.SplitGeometryException;
import dev.tmserverless.core.geo.TaskShape;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.tmserverless.core.domain.TaskStatus.*;

/**
 * The task state machine (spec §2.2). Pure: given the task as stored, the actor and the clock, it either
 * refuses with the reference's error or returns the {@link TaskChange} to write. Each trigger's legal
 * source states and outcomes are in {@link #RULES}; nothing else decides them.
 */
public final class TaskMachine {
    private TaskMachine() {}

    public enum Trigger { LOCK_FOR_MAPPING, UNLOCK_AFTER_MAPPING, STOP_MAPPING, SPLIT }

    /** from: states the trigger may start in; to: states it may end in (empty: the task's previous status). */
    public record Rule(Set<TaskStatus> from, Set<TaskStatus> to, ErrorCode wrongState) {}

    public static final Map<Trigger, Rule> RULES = Map.of(
            Trigger.LOCK_FOR_MAPPING, new Rule(EnumSet.of(READY, INVALIDATED), EnumSet.of(LOCKED_FOR_MAPPING),
                    ErrorCode.INVALID_TASK_STATE),
            Trigger.UNLOCK_AFTER_MAPPING, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.of(MAPPED, BADIMAGERY, READY),
                    ErrorCode.LOCK_BEFORE_UNLOCKING),
            Trigger.STOP_MAPPING, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.noneOf(TaskStatus.class),
                    ErrorCode.LOCK_BEFORE_UNLOCKING),
            // the task itself is deleted; its four children start READY
            Trigger.SPLIT, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.of(READY), ErrorCode.LOCK_TO_SPLIT));

    /**
     * Lock for mapping. The holder of a live mapping lock asking again gets a no-op change (spec §8 D4): the
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

    /** Parses the requested end state of a mapping lock; unknown names are bad input (spec §8 D6). */
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
                CounterDelta.between(t.previousStatus(), to));
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
     * Decides a split (spec §2.7): the checks in the reference's order (SmallToSplit before the lock checks),
     * then the four children's shapes. {@code shape} is the task's geometry as stored.
     */
    public static List<TaskShape> split(Task stored, TaskShape shape, Actor actor, Instant now) {
        Task t = stored.effective(now);
        if (Split.tooSmall(shape)) throw new ApiException(ErrorCode.SMALL_TO_SPLIT);
        requireHolder(Trigger.SPLIT, t, actor, now, ErrorCode.SPLIT_OTHER_USER_TASK);
        try {
            return Split.children(shape);
        } catch (SplitGeometryException e) {
            ErrorCode code = e.reason() == SplitGeometryException.Reason.MALFORMED_TILE
                    ? ErrorCode.SPLIT_SERVICE_ERROR : ErrorCode.SPLIT_GEOJSON_ERROR;
            throw new ApiException(code, e.getMessage());
        }
    }

    /**
     * One child of a split: READY, carrying the parent's history without the splitter's lock row, then
     * STATE_CHANGE SPLIT and STATE_CHANGE READY by the splitter. Deterministic, so a split interrupted after
     * its commit can be completed later with the same result.
     */
    public static Task splitChild(Task parent, int childId, TaskShape child, Actor actor, Instant at) {
        List<HistoryEntry> h = new ArrayList<>(parent.history());
        for (int i = h.size() - 1; i >= 0; i--) {
            if (h.get(i).action() == TaskAction.LOCKED_FOR_MAPPING) {
                h.remove(i);
                break;
            }
        }
        append(h, TaskAction.STATE_CHANGE, SPLIT.name(), at, actor);
        append(h, TaskAction.STATE_CHANGE, READY.name(), at, actor);
        return new Task(parent.projectId(), childId, child.x(), child.y(), child.zoom(), child.isSquare(), READY,
                null, null, null, null, 0, h);
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

    /** Ends the actor's newest open lock period, recording its exact length (spec §8 D5). */
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
        if (comment == null || comment.isBlank()) return;
        if (comment.length() > MAX_COMMENT_LENGTH) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Comment is longer than " + MAX_COMMENT_LENGTH + " characters");
        }
        append(h, TaskAction.COMMENT, Html.escape(comment), now, actor);
    }

    private static void append(List<HistoryEntry> h, TaskAction action, String text, Instant now, Actor actor) {
        int id = h.isEmpty() ? 1 : h.get(h.size() - 1).id() + 1;
        h.add(new HistoryEntry(id, action, text, now, actor.userId(), actor.username()));
    }
}
