package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

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

    public enum Trigger { LOCK_FOR_MAPPING, UNLOCK_AFTER_MAPPING, STOP_MAPPING }

    /** from: states the trigger may start in; to: states it may end in (empty: the task's previous status). */
    public record Rule(Set<TaskStatus> from, Set<TaskStatus> to, ErrorCode wrongState) {}

    public static final Map<Trigger, Rule> RULES = Map.of(
            Trigger.LOCK_FOR_MAPPING, new Rule(EnumSet.of(READY, INVALIDATED), EnumSet.of(LOCKED_FOR_MAPPING),
                    ErrorCode.INVALID_TASK_STATE),
            Trigger.UNLOCK_AFTER_MAPPING, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.of(MAPPED, BADIMAGERY, READY),
                    ErrorCode.LOCK_BEFORE_UNLOCKING),
            Trigger.STOP_MAPPING, new Rule(EnumSet.of(LOCKED_FOR_MAPPING), EnumSet.noneOf(TaskStatus.class),
                    ErrorCode.LOCK_BEFORE_UNLOCKING));

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

    private static void appendComment(List<HistoryEntry> h, String comment, Instant now, Actor actor) {
        if (comment != null && !comment.isBlank()) append(h, TaskAction.COMMENT, Html.escape(comment), now, actor);
    }

    private static void append(List<HistoryEntry> h, TaskAction action, String text, Instant now, Actor actor) {
        int id = h.isEmpty() ? 1 : h.get(h.size() - 1).id() + 1;
        h.add(new HistoryEntry(id, action, text, now, actor.userId(), actor.username()));
    }
}
