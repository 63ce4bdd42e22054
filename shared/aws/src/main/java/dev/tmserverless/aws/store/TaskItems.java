package dev.tmserverless.aws.store;

import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.MappingIssue;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The task item's codec. Attribute names (docs/data-model.md): {@code status} (code), {@code lockedBy},
 * {@code lockExp} (epoch ms), {@code mappedBy}, {@code validatedBy}, {@code sq} (is a square tile), {@code v}
 * (version), {@code h} (history, oldest first; each row {@code i} id, {@code a} action, {@code t} text or
 * {@code r} the address of a long comment, {@code d} epoch ms, {@code u} user id, {@code n} username, and only on rows that record validation
 * issues {@code x}, a list of {@code c} mapping-issue category id, {@code s} issue name, {@code k} count). Short
 * names keep a lock write near one write unit.
 */
final class TaskItems {
    private TaskItems() {}

    static Map<String, AttributeValue> item(Task t) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(t.projectId()), Keys.task(t.taskId())));
        item.put("taskId", Attr.n((long) t.taskId()));
        item.put("x", Attr.n(t.x()));
        item.put("y", Attr.n(t.y()));
        item.put("zoom", Attr.n(t.zoom()));
        item.put("sq", Attr.bool(t.isSquare()));
        item.put("status", Attr.n((long) t.status().code));
        item.put("lockedBy", Attr.n(t.lockedBy()));
        item.put("lockExp", t.lockExpiresAt() == null ? Attr.nul() : Attr.n(t.lockExpiresAt().toEpochMilli()));
        item.put("mappedBy", Attr.n(t.mappedBy()));
        item.put("validatedBy", Attr.n(t.validatedBy()));
        item.put("h", history(t.history()));
        item.put("v", Attr.n(t.version()));
        return item;
    }

    static AttributeValue history(List<HistoryEntry> h) {
        return AttributeValue.fromL(h.stream().map(e -> {
            boolean external = CommentTexts.external(e);
            Map<String, AttributeValue> row = new HashMap<>(Map.of(
                    "i", Attr.n((long) e.id()), "a", Attr.s(e.action().name()),
                    external ? "r" : "t", external ? Attr.s(CommentTexts.address(e.actionText())) : Attr.s(e.actionText()),
                    "d", Attr.n(e.actionDate().toEpochMilli()), "u", Attr.n(e.userId()), "n", Attr.s(e.username())));
            if (!e.issues().isEmpty()) {
                row.put("x", AttributeValue.fromL(e.issues().stream().map(x -> AttributeValue.fromM(Map.of(
                        "c", Attr.n((long) x.categoryId()), "s", Attr.s(x.name()), "k", Attr.n((long) x.count())))).toList()));
            }
            return AttributeValue.fromM(row);
        }).toList());
    }

    /** History rows as stored ({@code h} of a task or archive item); long comments as placeholders. */
    static List<HistoryEntry> historyRows(AttributeValue hv) {
        List<HistoryEntry> h = new ArrayList<>();
        if (hv != null && hv.hasL()) {
            for (AttributeValue e : hv.l()) {
                var m = e.m();
                String ref = Attr.str(m, "r");
                h.add(new HistoryEntry(Attr.integer(m, "i"), TaskAction.valueOf(Attr.str(m, "a")),
                        ref != null ? CommentTexts.UNREAD + ref : Attr.str(m, "t"),
                        Instant.ofEpochMilli(Attr.lng(m, "d")), Attr.lng(m, "u"), Attr.str(m, "n"), issues(m.get("x"))));
            }
        }
        return h;
    }

    /**
     * A task as stored: the item's window of its history ({@link dev.tmserverless.core.domain.HistoryWindow}), long
     * comments read as placeholders until {@link CommentTexts#fillIn} fills them in.
     */
    static Task read(long projectId, Map<String, AttributeValue> i) {
        List<HistoryEntry> h = historyRows(i.get("h"));
        Long exp = Attr.lng(i, "lockExp");
        return task(projectId, i, exp, h);
    }

    private static List<MappingIssue> issues(AttributeValue x) {
        if (x == null || !x.hasL()) return List.of();
        return x.l().stream().map(AttributeValue::m)
                .map(m -> new MappingIssue(Attr.integer(m, "c"), Attr.str(m, "s"), Attr.integer(m, "k"))).toList();
    }

    private static Task task(long projectId, Map<String, AttributeValue> i, Long exp, List<HistoryEntry> h) {
        return new Task(projectId, Attr.integer(i, "taskId"), Attr.integer(i, "x"), Attr.integer(i, "y"),
                Attr.integer(i, "zoom"), Attr.bool(i, "sq"), TaskStatus.ofCode(Attr.integer(i, "status")),
                Attr.lng(i, "lockedBy"), exp == null ? null : Instant.ofEpochMilli(exp), Attr.lng(i, "mappedBy"),
                Attr.lng(i, "validatedBy"), Attr.lng(i, "v", 0), h);
    }
}
