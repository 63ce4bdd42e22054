package dev.tmserverless.core.domain;

import java.util.List;

/**
 * A decided transition: the task as read ({@code before}, whose version conditions the write) and as it
 * must become. Stores derive one conditional update from the difference; {@code counters} is what the
 * project's counters must move by once the write has won, {@code userCounters} what users' task counters
 * must move by.
 */
public record TaskChange(Task before, Task after, CounterDelta counters, List<UserCounterDelta> userCounters) {
    public TaskChange {
        userCounters = userCounters == null ? List.of() : List.copyOf(userCounters);
    }

    /** A change that moves no user counters. */
    public TaskChange(Task before, Task after, CounterDelta counters) {
        this(before, after, counters, List.of());
    }

    /** The change that writes nothing: {@code stored} stays as it is. */
    public static TaskChange none(Task stored) {
        return new TaskChange(stored, stored, CounterDelta.NONE);
    }

    /** Nothing changes: an idempotent repeat of a request that already took effect, or a task a bulk action skips. */
    public boolean isNoop() { return before.equals(after); }
}
