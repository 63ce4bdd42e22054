package dev.tmserverless.core.domain;

import java.time.Instant;

/**
 * Progress of writing a project's tasks (docs/api-differences.md D16). {@code total} is known once the worker has counted
 * the grid; {@code written} only grows.
 */
public record GridJob(long projectId, State state, String source, Integer zoom, boolean clipToAoi, Long total,
                      long written, String error, Instant updated) {
    public enum State { QUEUED, RUNNING, DONE, FAILED }

    public boolean done() { return state == State.DONE; }
}
