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
        // and the response of the action itself showed the same whole history
        assertThat(mapped.json().path("taskHistory").size()).isEqualTo(83);
    }
}
