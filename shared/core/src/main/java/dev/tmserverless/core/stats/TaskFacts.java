package dev.tmserverless.core.stats;

import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What statistics know of one task: its current state (from the newest version seen) and every history row it
 * ever had except comments (rows that left the task item's window stay here). Facts are merged, never replaced:
 * {@link #merge} is commutative, associative and idempotent, so images of the task applied in any order, any
 * number of times, give the same facts (docs/statistics.md "Exactly once in effect").
 */
public final class TaskFacts {
    public long p;
    public int t;
    /** Version of the state below ({@code Long.MAX_VALUE} once the task is gone: split or deleted). */
    public long v = -1;
    public int status;
    public Long lockedBy;
    public Long lockExp;
    public Long mappedBy;
    public Long validatedBy;
    /** Split into children, or deleted with its project: it counts for nothing. */
    public boolean gone;
    public boolean sq;
    public int x;
    public int y;
    public int z;
    public TreeMap<Integer, Row> rows = new TreeMap<>();

    /** A history row: action (ordinal of {@link TaskAction}), text, date (epoch ms), user. */
    public static final class Row {
        public int a;
        public String t;
        public long d;
        public long u;

        public Row() {}

        public Row(int a, String t, long d, long u) {
            this.a = a;
            this.t = t;
            this.d = d;
            this.u = u;
        }

        public TaskAction action() { return TaskAction.values()[a]; }

        /** A lock row's text and action change once, when the lock ends: the ended form wins a merge. */
        int rank() {
            TaskAction act = action();
            int r = (t != null && !t.isEmpty()) ? 1 : 0;
            if (act == TaskAction.AUTO_UNLOCKED_FOR_MAPPING || act == TaskAction.AUTO_UNLOCKED_FOR_VALIDATION) r += 2;
            return r;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && r.a == a && r.d == d && r.u == u && java.util.Objects.equals(r.t, t);
        }

        @Override
        public int hashCode() { return java.util.Objects.hash(a, t, d, u); }
    }

    public TaskFacts() {}

    /** Facts of one stored image of a task ({@code splitDone}/{@code splitInto}: a split mark). */
    public static TaskFacts of(Task task, boolean splitMark) {
        TaskFacts f = new TaskFacts();
        f.p = task.projectId();
        f.t = task.taskId();
        f.v = task.version();
        f.status = task.status().code;
        f.lockedBy = task.lockedBy();
        f.lockExp = task.lockExpiresAt() == null ? null : task.lockExpiresAt().toEpochMilli();
        f.mappedBy = task.mappedBy();
        f.validatedBy = task.validatedBy();
        f.gone = splitMark;
        f.sq = task.isSquare();
        f.x = task.x();
        f.y = task.y();
        f.z = task.zoom();
        f.addRows(task.history());
        return f;
    }

    /** Facts of rows only (an archive item of the task's older rows). */
    public static TaskFacts rowsOnly(long projectId, int taskId, List<HistoryEntry> rows) {
        TaskFacts f = new TaskFacts();
        f.p = projectId;
        f.t = taskId;
        f.addRows(rows);
        return f;
    }

    /** The task was deleted (its project was): it counts for nothing from now on, whatever arrives later. */
    public static TaskFacts deleted(long projectId, int taskId) {
        TaskFacts f = new TaskFacts();
        f.p = projectId;
        f.t = taskId;
        f.v = Long.MAX_VALUE;
        f.gone = true;
        return f;
    }

    private void addRows(List<HistoryEntry> h) {
        for (HistoryEntry e : h) {
            if (e.action() == TaskAction.COMMENT) continue;
            rows.put(e.id(), new Row(e.action().ordinal(), e.actionText(), e.actionDate().toEpochMilli(), e.userId()));
        }
    }

    /** Merges {@code o} into these facts; true if anything changed. */
    public boolean merge(TaskFacts o) {
        boolean changed = false;
        if (o.v > v) {
            boolean keepGeometry = o.v == Long.MAX_VALUE;
            v = o.v;
            status = o.status;
            lockedBy = o.lockedBy;
            lockExp = o.lockExp;
            mappedBy = o.mappedBy;
            validatedBy = o.validatedBy;
            gone = o.gone;
            if (!keepGeometry) {
                sq = o.sq;
                x = o.x;
                y = o.y;
                z = o.z;
            }
            changed = true;
        }
        for (Map.Entry<Integer, Row> e : o.rows.entrySet()) {
            Row mine = rows.get(e.getKey());
            Row theirs = e.getValue();
            if (mine == null || theirs.rank() > mine.rank()
                    || (theirs.rank() == mine.rank() && !theirs.equals(mine) && order(theirs, mine) > 0)) {
                rows.put(e.getKey(), theirs);
                changed = true;
            }
        }
        return changed;
    }

    /** A total order between two different rows of the same rank, so that merging them commutes. */
    private static int order(Row a, Row b) {
        int c = Integer.compare(a.a, b.a);
        if (c != 0) return c;
        c = Long.compare(a.d, b.d);
        if (c != 0) return c;
        c = Long.compare(a.u, b.u);
        if (c != 0) return c;
        return String.valueOf(a.t).compareTo(String.valueOf(b.t));
    }
}
