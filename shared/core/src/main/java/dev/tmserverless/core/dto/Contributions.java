package dev.tmserverless.core.dto;

import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A project's contributors as the reference counts them, from the tasks' current state: everyone with a history
 * row other than a comment; {@code mapped} = tasks they mapped that are not bad imagery, {@code badImagery} = bad
 * imagery tasks they marked, {@code validated} = tasks they validated; sorted by total, highest first.
 */
public final class Contributions {
    private Contributions() {}

    /** The user ids {@link #of} needs profiles of. */
    public static Set<Long> contributors(List<Task> tasks) {
        Set<Long> ids = new LinkedHashSet<>();
        for (Task t : tasks) {
            for (HistoryEntry e : t.history()) if (e.action() != TaskAction.COMMENT) ids.add(e.userId());
        }
        return ids;
    }

    /** {@code tasks} as reads show them; {@code users} the contributors' profiles (a missing one is left out). */
    public static List<Map<String, Object>> of(List<Task> tasks, Map<Long, User> users) {
        return of(ProjectActivity.of(tasks), users);
    }

    /** From the rows the task-map snapshot keeps ({@link ProjectActivity}); the same answer as from the tasks. */
    public static List<Map<String, Object>> of(ProjectActivity activity, Map<Long, User> users) {
        Map<Long, List<Integer>> mapped = new LinkedHashMap<>();
        Map<Long, List<Integer>> badImagery = new LinkedHashMap<>();
        Map<Long, List<Integer>> validated = new LinkedHashMap<>();
        for (ProjectActivity.Row t : activity.tasks()) {
            if (t.mappedBy() != null) {
                (TaskStatus.BADIMAGERY.name().equals(t.status()) ? badImagery : mapped)
                        .computeIfAbsent(t.mappedBy(), k -> new ArrayList<>()).add(t.taskId());
            }
            if (t.validatedBy() != null) validated.computeIfAbsent(t.validatedBy(), k -> new ArrayList<>()).add(t.taskId());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (long id : activity.contributors()) {
            User u = users.get(id);
            if (u == null) continue;
            List<Integer> m = mapped.getOrDefault(id, List.of());
            List<Integer> b = badImagery.getOrDefault(id, List.of());
            List<Integer> v = validated.getOrDefault(id, List.of());
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("username", u.username());
            c.put("name", null);
            c.put("mappingLevel", u.mappingLevel().name());
            c.put("pictureUrl", u.pictureUrl());
            c.put("mapped", m.size());
            c.put("validated", v.size());
            c.put("badImagery", b.size());
            c.put("total", m.size() + v.size() + b.size());
            c.put("mappedTasks", m);
            c.put("validatedTasks", v);
            c.put("badImageryTasks", b);
            c.put("dateRegistered", u.dateRegistered() == null ? null : u.dateRegistered().atOffset(ZoneOffset.UTC).toLocalDate());
            out.add(c);
        }
        out.sort(Comparator.comparingInt((Map<String, Object> c) -> (Integer) c.get("total")).reversed());
        return out;
    }
}
