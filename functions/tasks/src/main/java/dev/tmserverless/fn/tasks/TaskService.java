package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.TaskShape;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Task transitions as the API performs them: checks in the reference's order, then one conditional write.
 * The lock-slot protocol that keeps one lock per user is described in docs/locking.md.
 */
@Singleton
public class TaskService {
    /** A claim this young is never treated as stale: its request may still be about to write its task. */
    static final Duration CLAIM_GRACE = Duration.ofSeconds(60);
    private static final int ATTEMPTS = 5;

    /** The task and project after a transition, for building the response. */
    public record Outcome(Task task, ProjectAccess.View view) {}

    private final ProjectAccess access;
    private final ProjectStore projects;
    private final GridJobStore jobStore;
    private final TaskStore tasks;
    private final LockClaims claims;
    private final Splits splits;
    private final Duration lockFor;
    private final TmConfig config;
    Faults faults;
    Clock clock = Clock.systemUTC();

    public TaskService(ProjectAccess access, ProjectStore projects, GridJobStore jobStore, TaskStore tasks, LockClaims claims, Splits splits,
                       TmConfig config, Faults faults) {
        this.access = access;
        this.projects = projects;
        this.jobStore = jobStore;
        this.tasks = tasks;
        this.claims = claims;
        this.splits = splits;
        this.lockFor = config.lockDuration();
        this.config = config;
        this.faults = faults;
    }

    public Duration lockDuration() { return lockFor; }

    public Outcome lockForMapping(long projectId, int taskId, User user) {
        ProjectAccess.View view = actionable(projectId, user);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            Task stored = task(projectId, taskId);
            TaskChange change = TaskMachine.lockForMapping(stored, user.actor(), now, lockFor);
            if (change.isNoop()) return new Outcome(stored.effective(now), view);
            Permissions.checkCanMap(user, view.project(), view.pm());
            LockClaims.Claim claim = claimSlot(user, projectId, taskId, now, change.after().lockExpiresAt());
            faults.afterClaim();
            if (tasks.apply(change)) return new Outcome(change.after(), view);
            // Lost the race for the task. If our own twin request won it, the slot is rightly ours; otherwise
            // give the slot back and decide again on the task as it is now (which may be gone: split).
            Task current;
            try {
                current = task(projectId, taskId);
            } catch (ApiException e) {
                claims.abandon(claim);
                throw e;
            }
            if (current.lockedByAt(user.id(), clock.instant())) return new Outcome(current, view);
            claims.abandon(claim);
        }
        throw new ApiException(ErrorCode.INVALID_TASK_STATE);
    }

    public Outcome unlockAfterMapping(long projectId, int taskId, User user, String status, String comment) {
        return transition(projectId, taskId, user,
                (t) -> TaskMachine.unlockAfterMapping(t, user.actor(), clock.instant(), status, comment));
    }

    public Outcome stopMapping(long projectId, int taskId, User user, String comment) {
        return transition(projectId, taskId, user,
                (t) -> TaskMachine.stopMapping(t, user.actor(), clock.instant(), comment));
    }

    /**
     * Splits the caller's locked task into four READY tasks with new ids (spec §2.7). The split commits with one
     * conditional write that turns the task into a split mark; the children follow from the mark, so a crash
     * after the commit is finished by the next reader (see {@link Splits}).
     */
    public List<Outcome> split(long projectId, int taskId, User user) {
        ProjectAccess.View view = actionable(projectId, user);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            Task stored = task(projectId, taskId);
            List<TaskShape> children = TaskMachine.split(stored, splits.shapeOf(stored), user.actor(), now);
            checkTaskLimit(view, children.size() - 1);
            int first = projects.reserveTaskIds(projectId, children.size());
            List<Integer> ids = IntStream.range(first, first + children.size()).boxed().toList();
            if (tasks.markSplit(stored, ids, user.actor(), now)) {
                faults.afterSplitMark();
                return splits.finish(new TaskStore.SplitMark(stored, ids, user.actor(), now)).stream()
                        .map(c -> new Outcome(c, view)).toList();
            }
            // Lost the race (a twin request split it, or the lock ended): decide again on the task as it is now.
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /**
     * A split may not take the project past the deployment's task limit (TM_MAX_TASKS), the limit a new grid
     * is held to. Checked against the count read with the project at the start of the request, so concurrent
     * splits can overshoot it by at most three tasks each (docs/locking.md, "Split").
     */
    private void checkTaskLimit(ProjectAccess.View view, int added) {
        long max = config.aoiLimits().maxTasks();
        long total = view.stored().counters().totalTasks();
        if (total + added > max) {
            throw new ApiException(ErrorCode.TOO_MANY_TASKS, String.format(java.util.Locale.ROOT,
                    "Splitting this task would give the project more than %d tasks", max),
                    Map.of("totalTasks", total, "maxTasks", max));
        }
    }

    /** A transition that ends the caller's lock: write the task, then free the caller's lock slot. */
    private Outcome transition(long projectId, int taskId, User user, Function<Task, TaskChange> decide) {
        ProjectAccess.View view = actionable(projectId, user);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            TaskChange change = decide.apply(task(projectId, taskId));
            if (tasks.apply(change)) {
                faults.afterTaskWrite();
                claims.release(user.id(), projectId, taskId, change.before().lockExpiresAt());
                projects.addCounters(projectId, change.counters());
                return new Outcome(change.after(), view);
            }
        }
        throw new ApiException(ErrorCode.INVALID_TASK_STATE);
    }

    /**
     * Takes the caller's lock slot for this task. An occupied slot is stale when it is older than the grace
     * period and its task is no longer locked by the caller (a crash between the two writes, or a release
     * that failed); a stale slot is taken over conditionally on its exact claim id.
     */
    private LockClaims.Claim claimSlot(User user, long projectId, int taskId, Instant now, Instant expiresAt) {
        Optional<LockClaims.Claim> c = claims.claim(user.id(), projectId, taskId, now, expiresAt, null);
        if (c.isPresent()) return c.get();
        LockClaims.Claim held = claims.get(user.id()).orElse(null);
        if (held == null) {
            c = claims.claim(user.id(), projectId, taskId, now, expiresAt, null);
        } else if (held.claimedAt().plus(CLAIM_GRACE).isBefore(now)
                && tasks.get(held.projectId(), held.taskId()).map(t -> !t.lockedByAt(user.id(), now)).orElse(true)) {
            c = claims.claim(user.id(), projectId, taskId, now, expiresAt, held.claimId());
        }
        return c.orElseThrow(() -> new ApiException(ErrorCode.USER_ALREADY_HAS_TASK_LOCKED));
    }

    /** Project exists, the caller may see it, and its tasks are all written. */
    private ProjectAccess.View actionable(long projectId, User user) {
        ProjectAccess.View view = access.load(projectId, user);
        if (view.project().isPrivate() && !view.pm()
                && !view.project().allows(user)) {
            throw new ApiException(ErrorCode.PRIVATE_PROJECT);
        }
        if (jobStore.get(projectId).map(j -> !j.done()).orElse(false)) {
            throw new ApiException(ErrorCode.GRID_NOT_READY);
        }
        return view;
    }

    /** The task as stored; a task being split is gone (its split is finished first if it was left behind). */
    Task task(long projectId, int taskId) {
        Task t = tasks.get(projectId, taskId).orElse(null);
        if (t != null && t.status() == TaskStatus.SPLIT) {
            splits.finishAll(tasks.splitMark(projectId, taskId).stream().toList());
            t = null;
        }
        if (t == null) {
            throw new ApiException(ErrorCode.TASK_NOT_FOUND, ErrorCode.TASK_NOT_FOUND.message,
                    Map.of("project_id", projectId, "task_id", taskId));
        }
        return t;
    }

    /** Fault injection points for the failure-case tests of docs/locking.md; no-ops in production. */
    @Singleton
    public static class Faults {
        public void afterClaim() {}

        public void afterTaskWrite() {}

        public void afterSplitMark() {}
    }
}
