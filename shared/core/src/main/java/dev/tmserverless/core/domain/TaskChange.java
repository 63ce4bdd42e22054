package dev.tmserverless.core.domain;

/**
 * A decided transition: the task as read ({@code before}, whose version conditions the write) and as it
 * must become. Stores derive one conditional update from the difference; {@code counters} is what the
 * project's counters must move by once the write has won.
 */
public record TaskChange(Task before, Task after, CounterDelta counters) {
    /** Nothing changes: an idempotent repeat of a request that already took effect. */
    public boolean isNoop() { return before.equals(after); }
}
