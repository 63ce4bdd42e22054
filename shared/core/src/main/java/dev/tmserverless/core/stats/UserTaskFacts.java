package dev.tmserverless.core.stats;

import java.util.TreeMap;

/**
 * One user's rows in one task, and whether another user validated or invalidated that task: the part of a task's
 * {@link TaskFacts} that the user's statistics read. Derived whole from the task's merged facts.
 */
public final class UserTaskFacts {
    public long p;
    public int t;
    public boolean gone;
    /** Another user VALIDATED the task. */
    public boolean ov;
    /** Another user INVALIDATED the task. */
    public boolean oi;
    public TreeMap<Integer, TaskFacts.Row> rows = new TreeMap<>();
}
