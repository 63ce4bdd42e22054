package dev.tmserverless.core.domain;

import java.time.Instant;
import java.util.List;

/**
 * One task history row. {@code id} is the row's position-independent number within the task (1, 2, …),
 * so entries keep their ids when the task is copied on split. The actor's username is kept with the row
 * so history can be rendered without reading user items. {@code issues} are the validation issues recorded
 * with the row (only COMMENT and STATE_CHANGE rows of an unlock after validation carry any); empty otherwise.
 */
public record HistoryEntry(int id, TaskAction action, String actionText, Instant actionDate, long userId,
                           String username, List<MappingIssue> issues) {
    public HistoryEntry {
        issues = issues == null ? List.of() : List.copyOf(issues);
    }

    /** A row without validation issues. */
    public HistoryEntry(int id, TaskAction action, String actionText, Instant actionDate, long userId,
                        String username) {
        this(id, action, actionText, actionDate, userId, username, List.of());
    }

    public HistoryEntry withText(String text) {
        return new HistoryEntry(id, action, text, actionDate, userId, username, issues);
    }

    public HistoryEntry withAction(TaskAction a, String text) {
        return new HistoryEntry(id, a, text, actionDate, userId, username, issues);
    }
}
