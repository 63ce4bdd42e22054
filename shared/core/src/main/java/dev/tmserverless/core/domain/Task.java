package dev.tmserverless.core.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one task: the unit of consistency. {@code version} grows by one with every write, and
 * every write is conditioned on the version it was decided from. {@code history} is oldest first.
 */
public record Task(long projectId, int taskId, Integer x, Integer y, Integer zoom, boolean isSquare,
                   TaskStatus status, Long lockedBy, Instant lockExpiresAt, Long mappedBy, Long validatedBy,
                   long version, List<HistoryEntry> history) {

    public Task {
        history = List.copyOf(history);
    }

    /** A new READY task as the grid creates it. */
    public static Task ready(long projectId, int taskId, Integer x, Integer y, Integer zoom, boolean isSquare) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, TaskStatus.READY, null, null, null, null, 0,
                List.of());
    }

    /** The status named by the newest STATE_CHANGE row; READY when there is none (docs/workflow.md "prev"). */
    public TaskStatus previousStatus() {
        for (int i = history.size() - 1; i >= 0; i--) {
            HistoryEntry e = history.get(i);
            if (e.action() == TaskAction.STATE_CHANGE) {
                return TaskStatus.parse(e.actionText()).filter(s -> s != TaskStatus.SPLIT).orElse(TaskStatus.READY);
            }
        }
        return TaskStatus.READY;
    }

    public boolean lockExpired(Instant now) {
        return status.isLocked() && lockExpiresAt != null && !now.isBefore(lockExpiresAt);
    }

    /** True if {@code userId} holds a lock on this task that has not expired at {@code now}. */
    public boolean lockedByAt(long userId, Instant now) {
        return status.isLocked() && lockedBy != null && lockedBy == userId && !lockExpired(now);
    }

    /**
     * The task as every read must show it at {@code now}: an expired lock is already released (docs/api-differences.md D12),
     * with its open lock rows marked auto-unlocked for the period the lock was valid. Writes start from this
     * view too, so an expired lock never blocks anybody.
     */
    public Task effective(Instant now) {
        if (!lockExpired(now)) return this;
        List<HistoryEntry> h = new ArrayList<>(history);
        for (int i = 0; i < h.size(); i++) {
            HistoryEntry e = h.get(i);
            if (e.action().isLockPeriod() && e.actionText() == null) {
                h.set(i, e.withAction(e.action().autoUnlocked(),
                        Durations.format(java.time.Duration.between(e.actionDate(), lockExpiresAt))));
            }
        }
        return new Task(projectId, taskId, x, y, zoom, isSquare, previousStatus(), null, null, mappedBy,
                validatedBy, version, h);
    }

    public int nextHistoryId() {
        return history.isEmpty() ? 1 : history.get(history.size() - 1).id() + 1;
    }

    public Instant lastUpdated() {
        return history.isEmpty() ? null : history.get(history.size() - 1).actionDate();
    }

    /**
     * The status the task rests in: its own status, or for a locked task the status it was locked from (the
     * previous STATE_CHANGE). Counters count a task in this status.
     */
    public TaskStatus restingStatus() {
        return status.isLocked() ? previousStatus() : status;
    }

    /** The newest history row, or null for a task without history. */
    public HistoryEntry lastEntry() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }

    public Task withStatus(TaskStatus s) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, s, lockedBy, lockExpiresAt, mappedBy, validatedBy,
                version, history);
    }

    /** Held by {@code userId} until {@code expiresAt}; {@code (null, null)} for no lock. */
    public Task withLock(Long userId, Instant expiresAt) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, status, userId, expiresAt, mappedBy, validatedBy,
                version, history);
    }

    public Task withMappedBy(Long userId) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, status, lockedBy, lockExpiresAt, userId, validatedBy,
                version, history);
    }

    public Task withValidatedBy(Long userId) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, status, lockedBy, lockExpiresAt, mappedBy, userId,
                version, history);
    }

    public Task withVersion(long v) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, status, lockedBy, lockExpiresAt, mappedBy,
                validatedBy, v, history);
    }

    public Task withHistory(List<HistoryEntry> h) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, status, lockedBy, lockExpiresAt, mappedBy,
                validatedBy, version, h);
    }

    Task with(TaskStatus s, Long locked, Instant expires, Long mapped, Long validated, List<HistoryEntry> h) {
        return new Task(projectId, taskId, x, y, zoom, isSquare, s, locked, expires, mapped, validated, version, h);
    }
}
