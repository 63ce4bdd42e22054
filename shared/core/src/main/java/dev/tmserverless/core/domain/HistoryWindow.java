package dev.tmserverless.core.domain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which history rows a task item keeps, so the item stays far below DynamoDB's 400 KB limit however often the
 * task is locked and commented on (docs/locking.md "Bounded task items"). Kept: the newest {@link #INLINE_ROWS}
 * rows, and whatever older rows a decision reads — the two newest STATE_CHANGE rows (the status to fall back to,
 * and undo's target) and every open lock row (closed on unlock, renamed on expiry). Every other row moves to an
 * archive item, read back only to show a task's whole history.
 */
public final class HistoryWindow {
    private HistoryWindow() {}

    /** Rows kept on the task item beyond the protected ones. */
    public static final int INLINE_ROWS = 40;

    /** Rows merged at most unless a reader asks for more (reading a task asks for all, docs/workflow.md). */
    public static final int SHOWN_ROWS = 1000;

    /** The rows to keep on the item and the rows to archive, each oldest first. */
    public record Cut(List<HistoryEntry> inline, List<HistoryEntry> archived) {}

    public static Cut cut(List<HistoryEntry> history) {
        return cut(history, INLINE_ROWS);
    }

    public static Cut cut(List<HistoryEntry> history, int inlineRows) {
        if (history.size() <= inlineRows) return new Cut(history, List.of());
        Set<Integer> keep = new HashSet<>();
        int stateChanges = 0;
        for (int i = history.size() - 1; i >= 0; i--) {
            HistoryEntry e = history.get(i);
            boolean recent = history.size() - i <= inlineRows;
            boolean decisive = e.action() == TaskAction.STATE_CHANGE && stateChanges < 2;
            if (e.action() == TaskAction.STATE_CHANGE) stateChanges++;
            boolean openLock = e.action().isLockPeriod() && e.actionText() == null;
            if (recent || decisive || openLock) keep.add(e.id());
        }
        List<HistoryEntry> inline = new ArrayList<>();
        List<HistoryEntry> archived = new ArrayList<>();
        for (HistoryEntry e : history) (keep.contains(e.id()) ? inline : archived).add(e);
        return new Cut(inline, archived);
    }

    /**
     * A task's whole history from its item's rows and archived rows: by row id, the item's row winning (an
     * archive written by a write that then lost its race may repeat rows the item still has), newest
     * {@link #SHOWN_ROWS} rows at most, oldest first.
     */
    public static List<HistoryEntry> merge(List<HistoryEntry> inline, List<HistoryEntry> archived) {
        return merge(inline, archived, SHOWN_ROWS);
    }

    /** As {@link #merge(List, List)}, the newest {@code limit} rows at most. */
    public static List<HistoryEntry> merge(List<HistoryEntry> inline, List<HistoryEntry> archived, int limit) {
        TreeMap<Integer, HistoryEntry> byId = new TreeMap<>();
        for (HistoryEntry e : archived) byId.put(e.id(), e);
        for (HistoryEntry e : inline) byId.put(e.id(), e);
        List<HistoryEntry> all = new ArrayList<>(byId.values());
        return all.size() <= limit ? all : all.subList(all.size() - limit, all.size());
    }
}
