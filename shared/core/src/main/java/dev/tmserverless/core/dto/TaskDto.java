package dev.tmserverless.core.dto;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** TaskDTO of the reference: exactly these ten keys. History newest first. */
@JsonPropertyOrder({"taskId", "projectId", "taskStatus", "lockHolder", "taskHistory", "taskAnnotation",
        "perTaskInstructions", "autoUnlockSeconds", "lastUpdated", "numberOfComments"})
public record TaskDto(int taskId, long projectId, String taskStatus, String lockHolder, List<History> taskHistory,
                      List<Object> taskAnnotation, String perTaskInstructions, long autoUnlockSeconds,
                      Instant lastUpdated, Integer numberOfComments) {

    @JsonPropertyOrder({"historyId", "taskId", "action", "actionText", "actionDate", "actionBy", "pictureUrl", "issues"})
    public record History(int historyId, Integer taskId, String action, String actionText, Instant actionDate,
                          String actionBy, String pictureUrl, List<Object> issues) {}

    /** {@code t} must already be the effective view at the time of the read. */
    public static TaskDto of(Task t, String perTaskInstructions, long autoUnlockSeconds) {
        return of(t, perTaskInstructions, autoUnlockSeconds, Map.of());
    }

    /** {@code pictures}: the picture URL of each user in the history (a user without one is left out). */
    public static TaskDto of(Task t, String perTaskInstructions, long autoUnlockSeconds, Map<Long, String> pictures) {
        List<History> h = new ArrayList<>();
        for (int i = t.history().size() - 1; i >= 0; i--) {
            HistoryEntry e = t.history().get(i);
            h.add(new History(e.id(), null, e.action().name(), e.actionText(), e.actionDate(), e.username(),
                    pictures.get(e.userId()), issues(e)));
        }
        return new TaskDto(t.taskId(), t.projectId(), t.status().name(), lockHolder(t), h, List.of(),
                perTaskInstructions, autoUnlockSeconds, t.lastUpdated(), null);
    }

    /** A row's validation issues as {@code {"categoryId", "name", "count"}}; null for a row without any. */
    static List<Object> issues(HistoryEntry e) {
        if (e.issues().isEmpty()) return null;
        List<Object> out = new ArrayList<>();
        for (var i : e.issues()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("categoryId", i.categoryId());
            m.put("name", i.name());
            m.put("count", i.count());
            out.add(m);
        }
        return out;
    }

    /** The holder's name is on their newest lock row. */
    static String lockHolder(Task t) {
        if (t.lockedBy() == null) return null;
        for (int i = t.history().size() - 1; i >= 0; i--) {
            HistoryEntry e = t.history().get(i);
            if (e.userId() == t.lockedBy() && (e.action().isLockPeriod())) return e.username();
        }
        return null;
    }

    /** True if the template names a placeholder other than {x}, {y} and {z}, i.e. an extra property. */
    public static boolean needsExtraProperties(String template) {
        if (template == null) return false;
        int i = 0;
        while ((i = template.indexOf('{', i)) >= 0) {
            int close = template.indexOf('}', i);
            if (close < 0) return false;
            String key = template.substring(i + 1, close);
            if (!key.equals("x") && !key.equals("y") && !key.equals("z")) return true;
            i = close + 1;
        }
        return false;
    }

    /** An arbitrary task's extra properties as placeholder values: strings as they are, anything else as JSON. */
    public static Map<String, Object> placeholderValues(JsonNode extraProperties) {
        Map<String, Object> out = new java.util.HashMap<>();
        if (extraProperties == null || !extraProperties.isObject()) return out;
        extraProperties.fields().forEachRemaining(e ->
                out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return out;
    }

    /** Renders {x}, {y}, {z} and extra-property placeholders; on any bad placeholder the raw text is returned. */
    public static String renderInstructions(String template, Task t, Map<String, Object> extra) {
        if (template == null || template.isEmpty()) return template == null ? "" : template;
        Map<String, Object> values = new java.util.HashMap<>(extra == null ? Map.of() : extra);
        values.put("x", t.x());
        values.put("y", t.y());
        values.put("z", t.zoom());
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) { out.append(template, i, template.length()); break; }
            int close = template.indexOf('}', open);
            if (close < 0) return template;
            String key = template.substring(open + 1, close);
            if (!values.containsKey(key)) return template;
            out.append(template, i, open).append(values.get(key));
            i = close + 1;
        }
        return out.toString();
    }

}
