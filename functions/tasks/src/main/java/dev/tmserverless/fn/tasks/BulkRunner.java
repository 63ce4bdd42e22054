package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.BulkJobStore;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.BulkJob;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskStatus;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Runs a bulk job page by page (docs/workflow.md "Bulk actions"): each page of tasks after the job's cursor is
 * read with one Query, each task decided by the job's state machine decision and written with one conditional
 * write (a lost race re-reads that task and decides again from its new state), its counters moved and a
 * taken-over lock's slot released; then the cursor is recorded. A run after a crash or a duplicate delivery
 * starts from the recorded cursor and finds the tasks it already changed to be no-ops.
 */
@Singleton
public class BulkRunner {
    /** Tasks per page: one Query, then one conditional write per task that changes. */
    static final int PAGE = 100;
    private static final int ATTEMPTS = 5;

    /** How a run ended. */
    public enum Outcome { DONE, MORE, GONE }

    private final BulkJobStore jobs;
    private final TaskStore tasks;
    private final ProjectStore projects;
    private final LockClaims claims;
    Clock clock = Clock.systemUTC();
    /** Test hook: runs after a page's task writes, before its cursor is recorded (a crash point). */
    Runnable afterPageWrites = () -> {};

    public BulkRunner(BulkJobStore jobs, TaskStore tasks, ProjectStore projects, LockClaims claims) {
        this.jobs = jobs;
        this.tasks = tasks;
        this.projects = projects;
        this.claims = claims;
    }

    /**
     * Decides pages of the job until it is done, {@code maxTasks} tasks were decided or {@code timeLeft} says
     * stop; MORE means the caller must have the rest run (the cursor is recorded), GONE that the job is finished
     * or does not exist.
     */
    public Outcome run(long projectId, String jobId, int maxTasks, BooleanSupplier timeLeft) {
        BulkJob job = jobs.get(projectId, jobId).orElse(null);
        if (job == null || job.finished()) return Outcome.GONE;
        int cursor = job.cursor();
        int decided = 0;
        while (true) {
            if (decided >= maxTasks || !timeLeft.getAsBoolean()) return Outcome.MORE;
            TaskStore.Page page = tasks.page(projectId, cursor, PAGE);
            long changed = 0;
            for (Task t : page.tasks()) {
                if (decideAndWrite(job, t)) changed++;
            }
            afterPageWrites.run();
            decided += page.tasks().size();
            if (page.lastTaskId() > cursor) {
                jobs.progress(projectId, jobId, page.lastTaskId(), page.tasks().size(), changed, clock.instant());
                cursor = page.lastTaskId();
            }
            if (!page.more()) {
                jobs.finished(projectId, jobId, BulkJob.State.DONE, null, clock.instant());
                return Outcome.DONE;
            }
        }
    }

    /** One task: decide, write conditionally, re-decide from the new state after a lost race. True if written. */
    private boolean decideAndWrite(BulkJob job, Task stored) {
        Task current = stored;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            TaskChange change = job.decide(current, clock.instant());
            if (change.isNoop()) return false;
            if (tasks.apply(change)) {
                projects.addCounters(job.projectId(), change.counters());
                releaseTakenLock(change);
                return true;
            }
            current = tasks.get(job.projectId(), stored.taskId()).orElse(null);
            // split meanwhile: its children come later in id order
            if (current == null || current.status() == TaskStatus.SPLIT) return false;
        }
        throw new IllegalStateException("task " + stored.taskId() + " of project " + job.projectId()
                + " kept changing under bulk job " + job.jobId());
    }

    /**
     * A change that took a task from its lock holder (map-all, reset-all) frees the holder's slot: a mapping slot
     * if it still holds that lock; a validation set once none of its tasks is locked by the holder any more.
     */
    private void releaseTakenLock(TaskChange change) {
        Task before = change.before();
        if (before.lockedBy() == null || change.after().lockedBy() != null) return;
        long holder = before.lockedBy();
        if (claims.release(holder, before.projectId(), before.taskId(), before.lockExpiresAt())) return;
        LockClaims.Claim held = claims.get(holder).orElse(null);
        if (held == null || held.projectId() != before.projectId() || !held.taskIds().contains(before.taskId())) return;
        Instant now = clock.instant();
        boolean stillLocked = held.taskIds().stream().anyMatch(id ->
                tasks.get(held.projectId(), id).map(t -> t.lockedByAt(holder, now)).orElse(false));
        if (!stillLocked) claims.releaseClaim(held, before.lockExpiresAt());
    }
}
