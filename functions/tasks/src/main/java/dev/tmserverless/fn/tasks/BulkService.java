package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.queue.BulkJobs;
import dev.tmserverless.aws.store.BulkJobStore;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Actor;
import dev.tmserverless.core.domain.BulkJob;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The project manager's bulk actions (docs/workflow.md "Bulk actions"): checks in the reference's order, then a
 * job item; a project of at most {@link TmConfig#bulkInlineTasks()} tasks is done before answering, a larger one
 * by the bulk worker after answering.
 */
@Singleton
public class BulkService {
    /** Inline work stops in time for the answer; what is left goes to the worker. */
    static final Duration INLINE_BUDGET = Duration.ofSeconds(20);
    /** An open job unchanged for longer than a worker slice can run without recording a page has lost its message. */
    static final Duration STALE = Duration.ofMinutes(20);

    private final ProjectAccess access;
    private final UserStore users;
    private final BulkJobStore jobs;
    private final BulkJobs queue;
    private final BulkRunner runner;
    private final TmConfig config;
    private final GridJobStore gridJobs;
    Clock clock = Clock.systemUTC();

    public BulkService(ProjectAccess access, UserStore users, BulkJobStore jobs, BulkJobs queue, BulkRunner runner,
                       TmConfig config, GridJobStore gridJobs) {
        this.gridJobs = gridJobs;
        this.access = access;
        this.users = users;
        this.jobs = jobs;
        this.queue = queue;
        this.runner = runner;
        this.config = config;
    }

    /** map-all, validate-all, invalidate-all, reset-all-badimagery, reset-all: 404, then 403 UserPermissionError. */
    public BulkJob start(long projectId, BulkJob.Action action, User pm) {
        ProjectAccess.View view = access.load(projectId, pm);
        Permissions.checkCanManage(view.pm());
        return start(view, action, pm, null, null);
    }

    /**
     * reset-by-user: 400 InvalidData for missing parameters, an unknown user or an action other than VALIDATED or
     * BADIMAGERY; then 404; then 403 UserActionNotPermitted.
     */
    public BulkJob resetByUser(long projectId, String username, String action, User pm) {
        if (username == null || username.isBlank() || action == null || action.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Unable to revert tasks");
        }
        User target = users.byUsername(username.trim())
                .orElseThrow(() -> new ApiException(ErrorCode.INVALID_DATA, "Unable to revert tasks"));
        TaskStatus reset = TaskMachine.parseResetByUserAction(action);
        ProjectAccess.View view = access.load(projectId, pm);
        Permissions.checkCanRevert(view.pm());
        return start(view, BulkJob.Action.RESET_BY_USER, pm, target.actor(), reset);
    }

    private BulkJob start(ProjectAccess.View view, BulkJob.Action action, User pm, Actor target, TaskStatus reset) {
        // a job reads the tasks that exist when it runs: not before they are all written
        if (gridJobs.get(view.project().id()).map(j -> !j.done()).orElse(false)) {
            throw new ApiException(ErrorCode.GRID_NOT_READY);
        }
        Instant now = clock.instant();
        long total = view.stored().counters().totalTasks();
        BulkJob job = new BulkJob(view.project().id(), BulkJobStore.newJobId(now), action, pm.actor(), target, reset,
                BulkJob.State.QUEUED, 0, 0, 0, total, null, now, now);
        jobs.create(job);
        if (total <= config.bulkInlineTasks()) {
            Instant until = now.plus(INLINE_BUDGET);
            BulkRunner.Outcome o = runner.run(job.projectId(), job.jobId(), Integer.MAX_VALUE,
                    () -> clock.instant().isBefore(until));
            if (o != BulkRunner.Outcome.MORE) return job;
        }
        queue.send(job.projectId(), job.jobId());
        return job;
    }

    /**
     * The project's latest bulk job; 404 PROJECT_NOT_FOUND, then 403 UserPermissionError, then 404 NOT_FOUND. An
     * open job that has not moved for {@link #STALE} is sent to the worker again (once per stale period).
     */
    public BulkJob latest(long projectId, User pm) {
        ProjectAccess.View view = access.load(projectId, pm);
        Permissions.checkCanManage(view.pm());
        BulkJob job = jobs.latest(projectId).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                "The project has no bulk job", Map.of("project_id", projectId)));
        Instant now = clock.instant();
        if (!job.finished() && job.updated().plus(STALE).isBefore(now)
                && jobs.claimResend(projectId, job.jobId(), job.updated(), now)) {
            queue.send(projectId, job.jobId());
        }
        return job;
    }
}
