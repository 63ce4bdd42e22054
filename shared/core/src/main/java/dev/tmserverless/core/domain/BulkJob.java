package dev.tmserverless.core.domain;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A project manager's bulk action over every task of a project (docs/workflow.md "Bulk actions"): what to do,
 * on whose behalf, and how far it got. {@code cursor} is the highest task id already decided; it only grows, so
 * a run after a crash or a duplicate delivery resumes after it. {@code processed} counts tasks decided,
 * {@code changed} tasks written.
 */
public record BulkJob(long projectId, String jobId, Action action, Actor actor, Actor target, TaskStatus resetAction,
                      State state, int cursor, long processed, long changed, long total, String error,
                      Instant created, Instant updated) {
    public enum State { QUEUED, RUNNING, DONE, FAILED }

    /** The bulk actions, by their path segment, with the reference's success text. */
    public enum Action {
        MAP_ALL("map-all", "All tasks mapped"),
        VALIDATE_ALL("validate-all", "All tasks validated"),
        INVALIDATE_ALL("invalidate-all", "All tasks invalidated"),
        RESET_ALL_BADIMAGERY("reset-all-badimagery", "All bad imagery tasks marked ready for mapping"),
        RESET_ALL("reset-all", "All tasks reset"),
        RESET_BY_USER("reset-by-user", "Successfully reverted tasks");

        public final String path;
        public final String success;

        Action(String path, String success) {
            this.path = path;
            this.success = success;
        }

        public static Optional<Action> parse(String name) {
            if (name == null) return Optional.empty();
            try {
                return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    public boolean finished() { return state == State.DONE || state == State.FAILED; }

    /** The decision this job makes for one task, as stored; a task outside the action's "From" is a no-op. */
    public TaskChange decide(Task stored, Instant now) {
        return switch (action) {
            case MAP_ALL -> TaskMachine.mapAll(stored, actor, now);
            case VALIDATE_ALL -> TaskMachine.validateAll(stored, actor, now);
            case INVALIDATE_ALL -> TaskMachine.invalidateAll(stored, actor, now);
            case RESET_ALL_BADIMAGERY -> TaskMachine.resetBadImagery(stored, actor, now);
            case RESET_ALL -> TaskMachine.resetAll(stored, actor, now);
            case RESET_BY_USER -> TaskMachine.resetByUser(stored, target, resetAction, now);
        };
    }
}
