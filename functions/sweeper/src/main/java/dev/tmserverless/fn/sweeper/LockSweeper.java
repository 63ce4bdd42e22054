package dev.tmserverless.fn.sweeper;

import dev.tmserverless.aws.schedule.SweepSchedule;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskMachine;
import jakarta.inject.Singleton;

import java.time.Instant;

/**
 * Releases expired locks for good: the task gets its AUTO_UNLOCKED_* rows and goes back to its previous status
 * with one conditional write (the same decision every read already shows), and the holder's lock slot is freed.
 * Reads and writes never wait for this (an expired lock is free at once); it makes the history and the slots
 * match what reads show. docs/locking.md "Expiry".
 */
@Singleton
public class LockSweeper {
    /** Slots looked at per run; a run every minute keeps up with this many expiries a minute. */
    static final int BATCH = 1000;

    /** What one run did. */
    public record Sweep(int seen, int expired, int slotsFreed) {}

    private final LockClaims claims;
    private final TaskStore tasks;
    private final SweepSchedule schedule;
    /** Tests take the re-check out to see the race it closes. */
    volatile boolean recheckAfterDisarm = true;

    public LockSweeper(LockClaims claims, TaskStore tasks, SweepSchedule schedule) {
        this.claims = claims;
        this.tasks = tasks;
        this.schedule = schedule;
    }

    /**
     * Called after a run that found nothing else to do: disarms the schedule if no lock slot exists at all, then
     * looks again and re-arms it if a lock appeared meanwhile. A lock committed before the disarm armed the
     * schedule only after its slot was written, so the look after the disarm sees that slot (docs/locking.md
     * "Expiry"); a lock committed after it arms the schedule itself. True if the schedule is left disarmed.
     * A disarm that failed may still have landed (a timeout), so the second look is made all the same; then the
     * failure is thrown. A failed re-arm throws.
     */
    public boolean disarmIfIdleWriting() {
        if (!schedule.configured() || claims.anyHeld()) return false;
        RuntimeException failed = null;
        try {
            schedule.disarmWriting();
        } catch (RuntimeException e) {
            failed = e;
        }
        if (recheckAfterDisarm && claims.anyHeld()) {
            schedule.armWriting();
            return false;
        }
        if (failed != null) throw failed;
        return true;
    }

    /** Expires what had expired by {@code now}; a write that loses to a concurrent one is left to the winner. */
    public Sweep sweepWriting(Instant now) {
        int seen = 0;
        int expired = 0;
        int freed = 0;
        for (LockClaims.Claim c : claims.expired(now, BATCH)) {
            seen++;
            // a mapping lock names one task, a validation lock several
            for (int taskId : c.taskIds()) {
                Task t = tasks.get(c.projectId(), taskId).orElse(null);
                if (t != null && t.lockedBy() != null && t.lockedBy() == c.userId() && t.lockExpired(now)) {
                    TaskChange change = TaskMachine.expire(t, now);
                    if (!change.isNoop() && tasks.apply(change)) expired++;
                }
            }
            // only that claim with that expiry: a slot extended or taken again since is left alone
            if (claims.releaseExpired(c)) freed++;
        }
        return new Sweep(seen, expired, freed);
    }
}
