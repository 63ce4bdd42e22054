package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Caller;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.MappingIssue;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Task transitions as the API performs them: checks in the reference's order, then one conditional write.
 * The lock-slot protocol that keeps one lock per user is described in docs/locking.md.
 */
@Singleton
public class TaskService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TaskService.class);

    /** A claim this young is never treated as stale: its request may still be about to write its task. */
    static final Duration CLAIM_GRACE = Duration.ofSeconds(60);
    private static final int ATTEMPTS = 5;
    /** Bookkeeping writes that run beside each other: a virtual thread each, nothing pooled. */
    private static final java.util.concurrent.Executor SIDE = r -> Thread.ofVirtual().name("tm-bookkeeping").start(r);

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
    private final MessageStore messages;
    private final UserStore users;
    private final CommentNotices notices;
    Faults faults;
    Clock clock = Clock.systemUTC();

    public TaskService(ProjectAccess access, ProjectStore projects, GridJobStore jobStore, TaskStore tasks, LockClaims claims, Splits splits,
                       TmConfig config, Faults faults, MessageStore messages, UserStore users, CommentNotices notices) {
        this.notices = notices;
        this.config = config;
        this.messages = messages;
        this.users = users;
        this.access = access;
        this.projects = projects;
        this.jobStore = jobStore;
        this.tasks = tasks;
        this.claims = claims;
        this.splits = splits;
        this.lockFor = config.lockDuration();
        this.faults = faults;
    }

    public Duration lockDuration() { return lockFor; }

    public Outcome lockForMapping(long projectId, int taskId, User user) {
        return lockForMapping(projectId, taskId, user.id(), read -> user);
    }

    /** Lock for mapping as the API's caller: the caller's record is read with the project and the task. */
    public Outcome lockForMapping(long projectId, int taskId, Caller caller) {
        return lockForMapping(projectId, taskId, caller.requireId(), caller::require);
    }

    private Outcome lockForMapping(long projectId, int taskId, long userId, Function<Optional<User>, User> caller) {
        Actionable a = actionable(projectId, userId, caller, List.of(taskId));
        User user = a.user();
        ProjectAccess.View view = a.view();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            // the first decision on the task as read with the project; after a lost race, on a fresh read
            Task stored = attempt == 0 ? live(projectId, taskId, a.reads().task(taskId)) : task(projectId, taskId);
            TaskChange change = TaskMachine.lockForMapping(stored, user.actor(), now, lockFor);
            if (change.isNoop()) return new Outcome(stored.effective(now), view);
            Permissions.checkCanMap(user, view.project(), view.pm(), view.membership());
            LockClaims.Claim claim = claimSlot(user, projectId, taskId, now, change.after().lockExpiresAt());
            faults.afterClaim();
            boolean written;
            try {
                faults.taskWrite();
                written = tasks.apply(change);
            } catch (RuntimeException e) {
                // not a lost race (throttling, a refused item): the task is unchanged, so the slot goes back at once
                // instead of blocking the user for the grace period
                claims.abandon(claim);
                throw e;
            }
            if (written) {
                if (tasks.projectClosedForDelete(projectId)) throw undoLockOfDeletedProject(change, claim, user);
                return new Outcome(change.after(), view);
            }
            // Lost the race for the task. If our own twin request won it, the slot is rightly ours; otherwise
            // give the slot back and decide again on the task as it is now (which may be gone: split).
            Task current;
            try {
                current = task(projectId, taskId);
            } catch (ApiException e) {
                claims.abandon(claim);
                throw e;
            }
            if (current.lockedByAt(user.id(), clock.instant())) {
                // a twin request of ours won: our claim may have replaced the winner's in the slot, with our later
                // expiry, which the unlock's release (conditioned on the lock's expiry) would not match
                if (!current.lockExpiresAt().equals(claim.expiresAt())) claims.align(claim, current.lockExpiresAt());
                return new Outcome(current, view);
            }
            claims.abandon(claim);
        }
        throw new ApiException(ErrorCode.INVALID_TASK_STATE);
    }

    /**
     * The project's delete closed it after checking that every task was READY, and this lock came after that check
     * (docs/projects.md "Deleting a project"): the lock is undone (the task as it was, the slot given back) and
     * refused as on a deleted project, so the delete and the lock never both succeed.
     */
    private ApiException undoLockOfDeletedProject(TaskChange lock, LockClaims.Claim claim, User user) {
        try {
            tasks.apply(TaskMachine.stopMapping(lock.after(), user.actor(), clock.instant(), null));
        } catch (RuntimeException e) {
            // the task is being removed with its project: the undo matters only until then
            LOG.info("lock of task {}/{} on a project being deleted not undone: {}", lock.after().projectId(),
                    lock.after().taskId(), e.toString());
        }
        claims.abandon(claim);
        return new ApiException(ErrorCode.PROJECT_NOT_FOUND);
    }

    public Outcome unlockAfterMapping(long projectId, int taskId, User user, String status, String comment) {
        return unlockAfterMapping(projectId, taskId, user.id(), read -> user, status, comment);
    }

    /** Unlock after mapping as the API's caller: the caller's record is read with the project and the task. */
    public Outcome unlockAfterMapping(long projectId, int taskId, Caller caller, String status, String comment) {
        return unlockAfterMapping(projectId, taskId, caller.requireId(), caller::require, status, comment);
    }

    private Outcome unlockAfterMapping(long projectId, int taskId, long userId, Function<Optional<User>, User> caller,
                                       String status, String comment) {
        Actionable a = actionable(projectId, userId, caller, List.of(taskId));
        return commented(transition(projectId, taskId, a,
                (t) -> TaskMachine.unlockAfterMapping(t, a.user().actor(), clock.instant(), status, comment)), comment, a.user());
    }

    public Outcome stopMapping(long projectId, int taskId, User user, String comment) {
        return stopMapping(projectId, taskId, user.id(), read -> user, comment);
    }

    /** Stop mapping as the API's caller: the caller's record is read with the project and the task. */
    public Outcome stopMapping(long projectId, int taskId, Caller caller, String comment) {
        return stopMapping(projectId, taskId, caller.requireId(), caller::require, comment);
    }

    private Outcome stopMapping(long projectId, int taskId, long userId, Function<Optional<User>, User> caller, String comment) {
        Actionable a = actionable(projectId, userId, caller, List.of(taskId));
        return commented(transition(projectId, taskId, a,
                (t) -> TaskMachine.stopMapping(t, a.user().actor(), clock.instant(), comment)), comment, a.user());
    }

    /**
     * A comment on a task (the reference's order: 403 ReadOnly, 400 InvalidData, 404): one COMMENT row with one
     * conditional write, re-decided on a lost race; then the people it concerns are told.
     */
    public Outcome comment(long projectId, int taskId, User user, String comment) {
        Permissions.checkCanComment(user);
        if (comment == null || comment.isBlank() || comment.length() > TaskMachine.MAX_COMMENT_LENGTH) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Unable to add comment");
        }
        ProjectAccess.View view = access.visible(projectId, user);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            TaskChange change = TaskMachine.comment(task(projectId, taskId), user.actor(), clock.instant(), comment);
            if (tasks.apply(change)) return commented(new Outcome(change.after(), view), comment, user);
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /** Tells those a written comment concerns (CommentNotices); the outcome unchanged. */
    private Outcome commented(Outcome o, String comment, User author) {
        notices.afterTaskComment(o.task(), comment, author, o.view().project(), clock.instant());
        return o;
    }

    /**
     * Undoes the task's last state change. Somebody other than the author of the newest row needs the validation
     * permission and no live lock of their own (docs/workflow.md). One conditional write, re-decided on a lost
     * race; the project counters move once it has won.
     */
    public Outcome undoLastAction(long projectId, int taskId, User user) {
        ProjectAccess.View view = actionable(projectId, user);
        boolean mayValidate = Permissions.canValidate(user, view.project(), view.pm(), view.membership())
                && !holdsLiveLock(user, clock.instant());
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            TaskChange change = TaskMachine.undoLastAction(task(projectId, taskId), user.actor(), clock.instant(), mayValidate);
            if (tasks.apply(change)) {
                projects.addCounters(projectId, change.counters());
                return new Outcome(change.after(), view);
            }
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /**
     * Extends the caller's locks on the listed tasks to now + the lock duration. Every task is decided before
     * anything is written (a refusal changes nothing); then each task is written conditionally (re-decided on a
     * lost race) and the caller's lock slot follows the new expiry, so the slot never expires before its lock.
     */
    public void extend(long projectId, List<Integer> taskIds, User user) {
        actionable(projectId, user);
        Instant now = clock.instant();
        List<TaskChange> changes = TaskMachine.decideAll(projectId, taskIds, tasksRead(projectId, taskIds),
                t -> TaskMachine.extend(t, user.actor(), now, lockFor));
        for (TaskChange decided : changes) {
            TaskChange change = decided;
            for (int attempt = 0; !tasks.apply(change); attempt++) {
                if (attempt + 1 >= ATTEMPTS) throw new ApiException(ErrorCode.CONFLICT);
                change = TaskMachine.extend(task(projectId, change.before().taskId()), user.actor(), clock.instant(), lockFor);
            }
            claims.extend(user.id(), projectId, change.before().taskId(), change.before().lockExpiresAt(),
                    change.after().lockExpiresAt());
        }
    }

    /** One task of an unlock-after-validation request. */
    public record ValidatedTask(int taskId, String status, String comment, List<MappingIssue> issues) {}

    /** One task of a stop-validation request. */
    public record ResetTask(int taskId, String comment) {}

    /**
     * Locks several tasks of one project for validation (docs/locking.md "Validation: several tasks under one
     * claim"): every task is decided, then the validation permission is checked, then the caller's lock slot is
     * claimed for the whole set, then each task is written conditionally in id order. If a task write loses,
     * the tasks this request already wrote are given back and the claim is abandoned, and the request is
     * decided again on the tasks as they are now (usually refused: somebody else holds the task).
     */
    public List<Outcome> lockForValidation(long projectId, List<Integer> taskIds, User user) {
        ProjectAccess.View view = actionable(projectId, user);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            List<TaskChange> changes = TaskMachine.decideAll(projectId, taskIds, tasksRead(projectId, taskIds),
                    t -> TaskMachine.lockForValidation(t, user.actor(), user.isAdmin(), now, lockFor));
            Permissions.checkCanValidate(user, view.project(), view.pm(), view.membership());
            List<TaskChange> writes = changes.stream().filter(c -> !c.isNoop())
                    .sorted(Comparator.comparingInt(c -> c.before().taskId())).toList();
            if (writes.isEmpty()) return outcomes(changes, now, view);
            List<Integer> set = changes.stream().map(c -> c.before().taskId()).toList();
            LockClaims.Claim claim = claimSet(user, projectId, set, now, now.plus(lockFor));
            faults.afterClaim();
            List<TaskChange> written = new ArrayList<>();
            for (TaskChange c : writes) {
                if (!tasks.apply(c)) break;
                written.add(c);
                faults.afterTaskWrite();
            }
            if (written.size() == writes.size()) return outcomes(changes, now, view);
            giveBack(written, user);
            // a twin request of the same caller may hold tasks of the set under the same claim: leave it to them
            Instant after = clock.instant();
            boolean twin = set.stream().anyMatch(id -> tasks.get(projectId, id).map(t -> t.lockedByAt(user.id(), after)).orElse(false));
            if (!twin) claims.abandon(claim);
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /** Gives back validation locks this request wrote, each at the version its own write left. */
    private void giveBack(List<TaskChange> written, User user) {
        for (TaskChange w : written) {
            Task mine = w.after().withVersion(w.before().version() + 1);
            // false when it moved on since (expired and taken, or a manager's bulk action): then it is not ours
            tasks.apply(TaskMachine.stopValidation(mine, user.actor(), clock.instant(), null));
        }
    }

    private static List<Outcome> outcomes(List<TaskChange> changes, Instant now, ProjectAccess.View view) {
        return changes.stream().map(c -> new Outcome(c.isNoop() ? c.before().effective(now) : c.after(), view)).toList();
    }

    /**
     * Ends the caller's validation locks with VALIDATED, INVALIDATED or MAPPED. Every task is decided before
     * any is written; each is then written conditionally (re-decided alone on a lost race), its counters moved,
     * and the lock slot freed once none of its tasks is locked by the caller.
     */
    public List<Outcome> unlockAfterValidation(long projectId, List<ValidatedTask> items, User user) {
        Map<Integer, ValidatedTask> byId = new LinkedHashMap<>();
        items.forEach(i -> byId.putIfAbsent(i.taskId(), i));
        Ended ended = endValidation(projectId, List.copyOf(byId.keySet()), user, (t, now) -> {
            ValidatedTask i = byId.get(t.taskId());
            return TaskMachine.unlockAfterValidation(t, user.actor(), now, i.status(), i.comment(), i.issues());
        });
        notifyMappers(ended.changes(), ended.view().project(), user);
        for (TaskChange c : ended.changes()) {
            notices.afterTaskComment(c.after(), byId.get(c.after().taskId()).comment(), user, ended.view().project(), clock.instant());
        }
        return ended.outcomes();
    }

    /**
     * Tells each mapper whose task was just validated or marked invalid, once per request (about their first such
     * task), unless they validated it themselves. Sent after the task writes: a crash in between loses the
     * message, never a task change.
     */
    private void notifyMappers(List<TaskChange> changes, Project project, User validator) {
        Map<Long, TaskChange> firstPerMapper = new LinkedHashMap<>();
        for (TaskChange c : changes) {
            TaskStatus s = c.after().status();
            Long mapper = c.before().mappedBy();
            if (mapper != null && (s == TaskStatus.VALIDATED || s == TaskStatus.INVALIDATED)) firstPerMapper.putIfAbsent(mapper, c);
        }
        if (firstPerMapper.isEmpty()) return;
        Map<Long, User> mappers = users.getAll(firstPerMapper.keySet());
        String projectName = project.info(project.defaultLocale()).name();
        Instant now = clock.instant();
        firstPerMapper.forEach((mapperId, c) -> {
            User mapper = mappers.get(mapperId);
            if (mapper == null) return;
            Messages.afterValidation(c.before(), c.after().status(), validator,
                    mapper.username(), projectName, config.orgName(), now).ifPresent(messages::send);
        });
    }

    /** Gives the caller's validation locks back: each task returns to the status it was locked from. */
    public List<Outcome> stopValidation(long projectId, List<ResetTask> items, User user) {
        Map<Integer, ResetTask> byId = new LinkedHashMap<>();
        items.forEach(i -> byId.putIfAbsent(i.taskId(), i));
        Ended ended = endValidation(projectId, List.copyOf(byId.keySet()), user,
                (t, now) -> TaskMachine.stopValidation(t, user.actor(), now, byId.get(t.taskId()).comment()));
        for (TaskChange c : ended.changes()) {
            notices.afterTaskComment(c.after(), byId.get(c.after().taskId()).comment(), user, ended.view().project(), clock.instant());
        }
        return ended.outcomes();
    }

    /** The written changes of a request that ended validation locks, and the project they were decided in. */
    private record Ended(ProjectAccess.View view, List<TaskChange> changes) {
        List<Outcome> outcomes() { return changes.stream().map(c -> new Outcome(c.after(), view)).toList(); }
    }

    private Ended endValidation(long projectId, List<Integer> ids, User user,
                                BiFunction<Task, Instant, TaskChange> decide) {
        ProjectAccess.View view = actionable(projectId, user);
        Instant now = clock.instant();
        List<TaskChange> changes = TaskMachine.decideAll(projectId, ids, tasksRead(projectId, ids),
                t -> decide.apply(t, now));
        List<TaskChange> out = new ArrayList<>();
        Instant ended = null;
        for (TaskChange decided : changes) {
            TaskChange change = decided;
            for (int attempt = 0; !tasks.apply(change); attempt++) {
                if (attempt + 1 >= ATTEMPTS) throw new ApiException(ErrorCode.CONFLICT);
                change = decide.apply(task(projectId, change.before().taskId()), clock.instant());
            }
            faults.afterTaskWrite();
            projects.addCounters(projectId, change.counters());
            Instant e = change.before().lockExpiresAt();
            if (e != null && (ended == null || e.isAfter(ended))) ended = e;
            out.add(change);
        }
        releaseIfDone(user, ended);
        return new Ended(view, out);
    }

    /** Frees the caller's lock slot if none of the tasks it names is still locked by the caller. */
    private void releaseIfDone(User user, Instant endedExpiresAt) {
        LockClaims.Claim held = claims.get(user.id()).orElse(null);
        if (held == null || endedExpiresAt == null) return;
        Instant now = clock.instant();
        boolean stillLocked = held.taskIds().stream().anyMatch(id ->
                tasks.get(held.projectId(), id).map(t -> t.lockedByAt(user.id(), now)).orElse(false));
        if (!stillLocked) claims.releaseClaim(held, endedExpiresAt);
    }

    /** Claims the caller's lock slot for a set of tasks; a stale slot is taken over as in {@link #claimSlot}. */
    private LockClaims.Claim claimSet(User user, long projectId, List<Integer> ids, Instant now, Instant expiresAt) {
        Optional<LockClaims.Claim> c = claims.claimSet(user.id(), projectId, ids, now, expiresAt, null);
        if (c.isPresent()) return c.get();
        LockClaims.Claim held = claims.get(user.id()).orElse(null);
        if (held == null) {
            c = claims.claimSet(user.id(), projectId, ids, now, expiresAt, null);
        } else if (stale(held, user, now)) {
            c = claims.claimSet(user.id(), projectId, ids, now, expiresAt, held.claimId());
        }
        return c.orElseThrow(() -> new ApiException(ErrorCode.USER_ALREADY_HAS_TASK_LOCKED));
    }

    /** Older than the grace period, and none of its tasks is locked by the user (docs/locking.md, stale slots). */
    private boolean stale(LockClaims.Claim held, User user, Instant now) {
        return held.claimedAt().plus(CLAIM_GRACE).isBefore(now) && held.taskIds().stream().noneMatch(id ->
                tasks.get(held.projectId(), id).map(t -> t.lockedByAt(user.id(), now)).orElse(false));
    }

    /** True if the user's lock slot holds a claim that has not expired. */
    private boolean holdsLiveLock(User user, Instant now) {
        return claims.get(user.id()).map(c -> c.expiresAt().isAfter(now)).orElse(false);
    }

    /**
     * Splits the caller's locked task into four READY tasks with new ids. The split commits with one
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

    /**
     * An administrator deletes tasks (the reference's legacy {@code DELETE /projects/{id}/tasks/}): every id must name
     * a task (404 TASK_NOT_FOUND listing the missing ones, nothing deleted), then each task item is deleted with
     * one write conditioned on the version read (re-read on a lost race), its counters and the task count move,
     * and a holder's lock slot is freed.
     */
    public void deleteTasks(long projectId, List<Integer> taskIds, User user) {
        Permissions.checkCanDeleteTasks(user);
        access.load(projectId, user);
        List<Integer> ids = taskIds.stream().distinct().toList();
        List<Integer> missing = ids.stream().filter(id -> tasks.get(projectId, id).map(t -> t.status() == TaskStatus.SPLIT).orElse(true)).toList();
        if (!missing.isEmpty()) {
            throw new ApiException(ErrorCode.TASK_NOT_FOUND, ErrorCode.TASK_NOT_FOUND.message,
                    Map.of("project_id", projectId, "tasks", missing));
        }
        for (int id : ids) {
            for (int attempt = 0; ; attempt++) {
                Task t = tasks.get(projectId, id).orElse(null);
                if (t == null || t.status() == TaskStatus.SPLIT) break; // deleted or split meanwhile
                if (tasks.deleteAtVersionWrites(t)) {
                    Task resting = t.effective(clock.instant());
                    projects.addTotalTasks(projectId, -1);
                    projects.addCounters(projectId, dev.tmserverless.core.domain.CounterDelta.between(resting.restingStatus(), TaskStatus.READY));
                    if (t.lockedBy() != null) claims.release(t.lockedBy(), projectId, id, t.lockExpiresAt());
                    break;
                }
                if (attempt + 1 >= ATTEMPTS) throw new ApiException(ErrorCode.CONFLICT);
            }
        }
    }

    /** A transition that ends the caller's lock: write the task, then free the caller's lock slot. */
    private Outcome transition(long projectId, int taskId, Actionable a, Function<Task, TaskChange> decide) {
        User user = a.user();
        ProjectAccess.View view = a.view();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            // the first decision on the task as read with the project; after a lost race, on a fresh read
            TaskChange change = decide.apply(attempt == 0 ? live(projectId, taskId, a.reads().task(taskId)) : task(projectId, taskId));
            if (tasks.apply(change)) {
                faults.afterTaskWrite();
                // the transition has happened: what follows is bookkeeping, and its failure must not turn a done
                // unlock into a 500 whose retry answers LockBeforeUnlocking (a slot left behind is taken over after
                // the grace period, docs/locking.md; counters are derived)
                // (the slot release and the counter move touch different items: side by side)
                Instant endedExpiry = change.before().lockExpiresAt();
                var release = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        faults.releaseSlot();
                        claims.release(user.id(), projectId, taskId, endedExpiry);
                    } catch (RuntimeException e) {
                        LOG.warn("task {}/{} changed, but its lock slot was not released", projectId, taskId, e);
                    }
                }, SIDE);
                try {
                    projects.addCounters(projectId, change.counters());
                } catch (RuntimeException e) {
                    LOG.warn("task {}/{} changed, but the project counters did not move", projectId, taskId, e);
                }
                release.join();
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
        } else if (stale(held, user, now)) {
            c = claims.claim(user.id(), projectId, taskId, now, expiresAt, held.claimId());
        }
        return c.orElseThrow(() -> new ApiException(ErrorCode.USER_ALREADY_HAS_TASK_LOCKED));
    }

    /** The caller, the project as {@link #actionable(long, User)} checks it, and the reads they came from. */
    private record Actionable(User user, ProjectAccess.View view, ProjectAccess.ActionReads reads) {}

    /**
     * {@link #actionable(long, User)} for an action on {@code taskIds}, from one round of reads that also holds the
     * caller's record and the tasks (ProjectAccess.forAction): {@code caller} turns the record read into the caller
     * (401 when the account is gone), then the same checks in the same order.
     */
    private Actionable actionable(long projectId, long userId, Function<Optional<User>, User> caller, List<Integer> taskIds) {
        ProjectAccess.ActionReads reads = access.forAction(projectId, userId, taskIds);
        User user = caller.apply(reads.user());
        ProjectAccess.View view = reads.view(user);
        Permissions.checkPrivateAccess(user, view.project(), view.pm(), view.membership());
        if (reads.job().map(j -> !j.done()).orElse(false)) {
            throw new ApiException(ErrorCode.GRID_NOT_READY);
        }
        return new Actionable(user, view, reads);
    }

    /** Project exists, the caller may see it, and its tasks are all written. */
    private ProjectAccess.View actionable(long projectId, User user) {
        ProjectAccess.View view = access.load(projectId, user);
        Permissions.checkPrivateAccess(user, view.project(), view.pm(), view.membership());
        if (jobStore.get(projectId).map(j -> !j.done()).orElse(false)) {
            throw new ApiException(ErrorCode.GRID_NOT_READY);
        }
        return view;
    }

    /** The task as stored; a task being split is gone (its split is finished first if it was left behind). */
    Task task(long projectId, int taskId) {
        return live(projectId, taskId, tasks.get(projectId, taskId));
    }

    /** {@link #task} for each of several tasks, all read first in one consistent BatchGetItem. */
    private java.util.function.IntFunction<Optional<Task>> tasksRead(long projectId, List<Integer> taskIds) {
        Map<Integer, Task> read = tasks.getAll(projectId, taskIds);
        return id -> Optional.of(live(projectId, id, Optional.ofNullable(read.get(id))));
    }

    /** {@link #task} on a task item already read. */
    private Task live(long projectId, int taskId, Optional<Task> read) {
        Task t = read.orElse(null);
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

    /**
     * The tasks {@code user} holds a live lock on, found through their lock slot (one read, no query over tasks);
     * empty when the slot is free, expired, or its task is no longer theirs.
     */
    public List<Task> lockedBy(User user) {
        Instant now = clock.instant();
        LockClaims.Claim c = claims.get(user.id()).orElse(null);
        if (c == null || !c.expiresAt().isAfter(now)) return List.of();
        List<Task> out = new java.util.ArrayList<>();
        for (int taskId : c.taskIds()) tasks.get(c.projectId(), taskId).filter(t -> t.lockedByAt(user.id(), now)).ifPresent(out::add);
        return out;
    }

    /** Fault injection points for the failure-case tests of docs/locking.md; no-ops in production. */
    @Singleton
    public static class Faults {
        public void afterClaim() {}

        /** Just before a lock's task write (a write that fails without losing a race). */
        public void taskWrite() {}

        /** In an ended lock's slot release. */
        public void releaseSlot() {}

        public void afterTaskWrite() {}

        public void afterSplitMark() {}
    }
}
