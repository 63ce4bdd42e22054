package dev.tmserverless.core.domain;

/**
 * Movement of one user's task counters ({@code tasksMapped}, {@code tasksValidated}, {@code tasksInvalidated})
 * caused by a transition; applied once the task write has won, like {@link CounterDelta}.
 */
public record UserCounterDelta(long userId, int tasksMapped, int tasksValidated, int tasksInvalidated) {
    /** +n on the counter that an arrival in {@code status} counts (MAPPED, VALIDATED, INVALIDATED); null if none. */
    static UserCounterDelta of(long userId, TaskStatus status, int n) {
        return switch (status) {
            case MAPPED -> new UserCounterDelta(userId, n, 0, 0);
            case VALIDATED -> new UserCounterDelta(userId, 0, n, 0);
            case INVALIDATED -> new UserCounterDelta(userId, 0, 0, n);
            default -> null;
        };
    }
}
