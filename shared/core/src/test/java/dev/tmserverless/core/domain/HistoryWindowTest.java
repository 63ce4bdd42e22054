package dev.tmserverless.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryWindowTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Actor ANA = new Actor(1, "ana");
    static final Actor BEN = new Actor(2, "ben");

    /** A mapped task that then collected {@code comments} comments and is locked for validation by Ben. */
    static Task busyTask(int comments) {
        Task t = Task.ready(1, 7, 1, 1, 10, true);
        Instant now = T0;
        t = apply(t, TaskMachine.lockForMapping(t, ANA, now, Duration.ofHours(2)));
        t = apply(t, TaskMachine.unlockAfterMapping(t, ANA, now = now.plusSeconds(60), "MAPPED", null));
        for (int i = 0; i < comments; i++) t = apply(t, TaskMachine.comment(t, ANA, now = now.plusSeconds(1), "note " + i));
        t = apply(t, TaskMachine.lockForValidation(t, BEN, false, now.plusSeconds(1), Duration.ofHours(2)));
        return t;
    }

    static Task apply(Task t, TaskChange c) {
        return c.after().withVersion(t.version() + 1);
    }

    @Test
    void aShortHistoryStaysWhole() {
        Task t = busyTask(3);
        assertThat(HistoryWindow.cut(t.history()).archived()).isEmpty();
    }

    @Test
    void aLongHistoryKeepsTheNewestRowsAndWhatDecisionsRead() {
        Task t = busyTask(300);
        HistoryWindow.Cut cut = HistoryWindow.cut(t.history());
        assertThat(cut.inline()).hasSizeLessThanOrEqualTo(HistoryWindow.INLINE_ROWS + 3);
        assertThat(cut.inline().size() + cut.archived().size()).isEqualTo(t.history().size());
        // the decisions taken on the cut task are the decisions taken on the whole one
        Task kept = t.withHistory(cut.inline());
        assertThat(kept.previousStatus()).isEqualTo(t.previousStatus()).isEqualTo(TaskStatus.MAPPED);
        assertThat(TaskMachine.undoTarget(kept.effective(T0))).isEqualTo(TaskMachine.undoTarget(t.effective(T0)));
        Instant later = T0.plus(Duration.ofDays(1));
        assertThat(kept.effective(later).status()).isEqualTo(t.effective(later).status());
        Instant soon = T0.plusSeconds(400);
        TaskChange whole = TaskMachine.stopValidation(t, BEN, soon, null);
        TaskChange fromCut = TaskMachine.stopValidation(kept, BEN, soon, null);
        assertThat(fromCut.after().status()).isEqualTo(whole.after().status());
        assertThat(fromCut.after().history().get(fromCut.after().history().size() - 1))
                .isEqualTo(whole.after().history().get(whole.after().history().size() - 1));
        // the open validation lock row and the MAPPED state change are kept though they are old or protected
        assertThat(cut.inline()).anyMatch(e -> e.action() == TaskAction.LOCKED_FOR_VALIDATION && e.actionText() == null);
        assertThat(cut.inline()).anyMatch(e -> e.action() == TaskAction.STATE_CHANGE && "MAPPED".equals(e.actionText()));
    }

    @Test
    void mergingGivesTheWholeHistoryBackInOrderTheItemsRowsWinning() {
        Task t = busyTask(100);
        HistoryWindow.Cut cut = HistoryWindow.cut(t.history());
        List<HistoryEntry> archiveWithAStaleCopy = new ArrayList<>(cut.archived());
        HistoryEntry inlineRow = cut.inline().get(cut.inline().size() - 1);
        archiveWithAStaleCopy.add(inlineRow.withText("stale"));
        assertThat(HistoryWindow.merge(cut.inline(), archiveWithAStaleCopy)).isEqualTo(t.history());
    }

    @Test
    void onlyTheNewestRowsAreShown() {
        List<HistoryEntry> rows = new ArrayList<>();
        for (int i = 1; i <= HistoryWindow.SHOWN_ROWS + 5; i++) rows.add(new HistoryEntry(i, TaskAction.COMMENT, "c", T0, 1, "ana"));
        List<HistoryEntry> shown = HistoryWindow.merge(rows.subList(rows.size() - 10, rows.size()), rows.subList(0, rows.size() - 10));
        assertThat(shown).hasSize(HistoryWindow.SHOWN_ROWS);
        assertThat(shown.get(0).id()).isEqualTo(6);
    }
}
