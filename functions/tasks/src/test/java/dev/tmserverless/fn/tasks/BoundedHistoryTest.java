package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.HistoryWindow;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.stop;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * However often a task is locked and commented on, its item keeps a bounded window of history rows (the rest is
 * archived), every action still works, and the task's history shows every row (docs/locking.md "Bounded task items").
 */
class BoundedHistoryTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("bounded-history").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop_() {
        fn.close();
        env.close();
    }

    @Test
    void aTaskLockedAndCommentedOnManyTimesKeepsABoundedItemAndShowsItsWholeHistory() {
        User u = fx.user("busy");
        String t = token(u.id());
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        String longComment = "long ".repeat(100);
        List<String> comments = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            assertThat(call(fn, "POST", lock(p.id(), 1), t, null).status()).isEqualTo(200);
            String c = (i % 4 == 0 ? longComment : "cycle ") + i;
            comments.add(c);
            assertThat(call(fn, "POST", stop(p.id(), 1), t, "{\"comment\": \"" + c + "\"}").status()).isEqualTo(200);
        }
        assertThat(call(fn, "POST", lock(p.id(), 1), t, null).status()).isEqualTo(200);
        var mapped = call(fn, "POST", unlock(p.id(), 1), t, "{\"status\": \"MAPPED\", \"comment\": \"done\"}");
        assertThat(mapped.status()).isEqualTo(200);

        // 40 × (lock, comment) + lock, comment, state change: 83 rows, of which the item keeps a bounded window
        var item = fx.tasks.get(p.id(), 1).orElseThrow();
        assertThat(item.history()).hasSizeLessThanOrEqualTo(HistoryWindow.INLINE_ROWS + 3);
        assertThat(item.status().name()).isEqualTo("MAPPED");

        JsonNode history = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", t, null).json().path("taskHistory");
        assertThat(history.size()).isEqualTo(83);
        assertThat(history.get(0).path("action").asText()).isEqualTo("STATE_CHANGE");
        assertThat(history.get(history.size() - 1).path("action").asText()).isEqualTo("LOCKED_FOR_MAPPING");
        List<String> shownComments = new ArrayList<>();
        for (JsonNode row : history) if (row.path("action").asText().equals("COMMENT")) shownComments.add(0, row.path("actionText").asText());
        comments.add("done");
        assertThat(shownComments).isEqualTo(comments);
        // the rows are numbered without gaps, newest first
        for (int i = 0; i < history.size(); i++) assertThat(history.get(i).path("historyId").asInt()).isEqualTo(83 - i);
        // the action's answer shows the rows the item keeps, newest first: its cost does not grow with the history
        JsonNode answered = mapped.json().path("taskHistory");
        assertThat(answered.size()).isBetween(HistoryWindow.INLINE_ROWS, HistoryWindow.INLINE_ROWS + 3);
        for (int i = 0; i < HistoryWindow.INLINE_ROWS; i++) assertThat(answered.get(i).path("historyId").asInt()).isEqualTo(83 - i);
    }

    /**
     * Past a thousand rows: the item's window stays the same size at every step, reading the task shows every row in
     * order, an action's answer the rows the item keeps, and the activity lists every row but comments.
     */
    @Test
    void aTaskPastAThousandRowsIsReadWholeAndAnsweredWithTheRowsItsItemKeeps() {
        User u = fx.user("busier");
        String t = token(u.id());
        String comment = "checked against the imagery ";
        java.time.Instant at = java.time.Instant.now().minusSeconds(7200);
        // a task written with 1,050 rows on its item (as imported data or an item from before the window): the first
        // change archives everything beyond the window at once, every later one its own overflow
        List<dev.tmserverless.core.domain.HistoryEntry> old = new ArrayList<>();
        for (int id = 1; id <= 1050; id++) {
            old.add(id % 2 == 1
                    ? new dev.tmserverless.core.domain.HistoryEntry(id, dev.tmserverless.core.domain.TaskAction.LOCKED_FOR_MAPPING,
                            "00:00:00.010000", at.plusMillis(10L * id), u.id(), u.username())
                    : new dev.tmserverless.core.domain.HistoryEntry(id, dev.tmserverless.core.domain.TaskAction.COMMENT,
                            comment + (id / 2 - 1), at.plusMillis(10L * id), u.id(), u.username()));
        }
        Project p = fx.project(fx.user("pm-busier"), ProjectStatus.PUBLISHED, List.of(new dev.tmserverless.aws.store.TaskStore.NewTask(
                dev.tmserverless.core.domain.Task.ready(0, 1, 2000, 1300, 12, true).withHistory(old), null)), "");
        at = at.plusSeconds(60);
        int rows = 1050;
        for (int i = 525; i < 550; i++) {
            // written through the store as the service writes them: lock, then stop with a comment (2 rows)
            at = at.plusMillis(10);
            var locked = dev.tmserverless.core.domain.TaskMachine.lockForMapping(fx.tasks.get(p.id(), 1).orElseThrow(),
                    u.actor(), at, java.time.Duration.ofHours(2));
            assertThat(fx.tasks.apply(locked)).isTrue();
            at = at.plusMillis(10);
            var stopped = dev.tmserverless.core.domain.TaskMachine.stopMapping(fx.tasks.get(p.id(), 1).orElseThrow(),
                    u.actor(), at, comment + i);
            assertThat(fx.tasks.apply(stopped)).isTrue();
            rows += 2;
            assertThat(fx.tasks.get(p.id(), 1).orElseThrow().history()).as("after %d rows", rows)
                    .hasSizeLessThanOrEqualTo(HistoryWindow.INLINE_ROWS + 3);
        }
        var locked = call(fn, "POST", lock(p.id(), 1), t, null);
        rows++;
        assertThat(locked.json().path("taskHistory").size()).isLessThanOrEqualTo(HistoryWindow.INLINE_ROWS + 3);
        assertThat(locked.json().path("taskHistory").get(0).path("historyId").asInt()).isEqualTo(rows);

        JsonNode history = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", t, null).json().path("taskHistory");
        assertThat(history.size()).isEqualTo(rows);
        for (int i = 0; i < history.size(); i++) {
            JsonNode row = history.get(i);
            int id = rows - i;
            assertThat(row.path("historyId").asInt()).isEqualTo(id);
            assertThat(row.path("action").asText()).isEqualTo(id % 2 == 1 ? "LOCKED_FOR_MAPPING" : "COMMENT");
            if (id % 2 == 0) assertThat(row.path("actionText").asText()).isEqualTo(comment + (id / 2 - 1));
        }
        JsonNode activity = call(fn, "GET", "/api/v2/projects/" + p.id() + "/activities/?page=56", t, null).json();
        assertThat(activity.path("pagination").path("total").asInt()).isEqualTo((rows + 1) / 2);
        // the oldest rows, archived long ago, are on the last page
        JsonNode last = activity.path("activity");
        assertThat(last.get(last.size() - 1).path("historyId").asInt()).isEqualTo(1);
    }
}
