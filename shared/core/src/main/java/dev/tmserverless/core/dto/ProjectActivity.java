package dev.tmserverless.core.dto;

import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a project's activity and contribution reads need of its tasks, one small row per task, built with the
 * task-map snapshot (docs/performance.md "Activity and contributions") so those reads do not Query every task.
 *
 * @param tasks        per task: its state as reads show it and its last action other than a comment
 * @param contributors the ids of everyone with a history row other than a comment, in task order
 */
public record ProjectActivity(List<Row> tasks, List<Long> contributors) {
    /** {@code actionDate} in epoch milliseconds, null (with {@code actionBy}) for a task nobody has touched. */
    public record Row(int taskId, String status, Long actionDate, String actionBy, Long mappedBy, Long validatedBy) {}

    public ProjectActivity {
        tasks = List.copyOf(tasks);
        contributors = List.copyOf(contributors);
    }

    /** From the tasks as reads show them (lock expiry applied). */
    public static ProjectActivity of(List<Task> tasks) {
        List<Row> rows = new ArrayList<>(tasks.size());
        Set<Long> ids = new LinkedHashSet<>();
        for (Task t : tasks) {
            HistoryEntry last = null;
            for (int i = t.history().size() - 1; i >= 0 && last == null; i--) {
                if (t.history().get(i).action() != TaskAction.COMMENT) last = t.history().get(i);
            }
            for (HistoryEntry e : t.history()) if (e.action() != TaskAction.COMMENT) ids.add(e.userId());
            rows.add(new Row(t.taskId(), t.status().name(), last == null ? null : last.actionDate().toEpochMilli(),
                    last == null ? null : last.username(), t.mappedBy(), t.validatedBy()));
        }
        return new ProjectActivity(rows, new ArrayList<>(ids));
    }

    /** {@code GET /projects/{id}/activities/latest/}: {@code [{taskId, taskStatus, actionDate, actionBy}]}. */
    public List<Map<String, Object>> latest() {
        List<Map<String, Object>> out = new ArrayList<>(tasks.size());
        for (Row r : tasks) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("taskId", r.taskId());
            a.put("taskStatus", r.status());
            a.put("actionDate", r.actionDate() == null ? null : java.time.Instant.ofEpochMilli(r.actionDate()));
            a.put("actionBy", r.actionBy());
            out.add(a);
        }
        return out;
    }
}
