package dev.tmserverless.core.domain;

import java.time.Instant;

/**
 * One task history row. {@code id} is the row's position-independent number within the task (1, 2, …),
 * so entries keep their ids when the task is copied on split. The actor's username is kept with the row
 * so history can be rendered without reading user items.
 */
public record HistoryEntry(int id, TaskAction action, String actionText, Instant actionDate, long userId,
                           String username) {
    public HistoryEntry withText(String text) {
        return new HistoryEntry(id, action, text, actionDate, userId, username);
    }

    public HistoryEntry withAction(TaskAction a, String text) {
        return new HistoryEntry(id, a, text, actionDate, userId, username);
    }
}
