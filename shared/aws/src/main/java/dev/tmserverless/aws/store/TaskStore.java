package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Actor;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskStatus;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Task items. The hot item holds state, lock and history only; a geometry that cannot be derived from the
 * tile indices, and an arbitrary task's extra properties, live in a separate "shape" item, so a lock write
 * stays about one write unit. Every transition is one UpdateItem conditioned on the version it was decided
 * from.
 *
 * <p>A split is committed by turning the parent into a split mark (status SPLIT, the child ids, who and
 * when) with one conditional write; the children follow from the mark alone, so anybody who finds an open
 * mark can finish the split with the same result. Finishing closes the mark instead of deleting it: the
 * parent's key and shape stay, so a finisher that comes late can neither recreate a task that was split
 * again since nor compute a child from a missing shape. Reads never show a mark as a task.
 */
@Singleton
public class TaskStore {
    /**
     * A task to create, with its geometry as GeoJSON text (null when it is the plain tile) and its
     * extra properties as JSON text (null when it has none).
     */
    public record NewTask(Task task, String geometryJson, String extraJson) {
        public NewTask(Task task, String geometryJson) { this(task, geometryJson, null); }

        boolean hasShapeItem() { return geometryJson != null || extraJson != null; }
    }

    /** A committed split not yet finished: the parent as it was, the child ids, who split and when. */
    public record SplitMark(Task parent, List<Integer> childIds, Actor by, Instant at) {}

    private final DynamoDbClient ddb;
    private final String table;

    public TaskStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /** The task; an open split mark reads as a task in status SPLIT, a closed one as no task. */
    public Optional<Task> get(long projectId, int taskId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.task(taskId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() || item.containsKey("splitDone") ? Optional.empty()
                : Optional.of(withCommentTexts(read(projectId, item)));
    }

    /** Every task of a project in id order (one paginated Query); split marks are left out. */
    public List<Task> list(long projectId) {
        return list(projectId, m -> {});
    }

    /** As {@link #list(long)}, handing each open split mark found on the way to {@code marks}. */
    public List<Task> list(long projectId, Consumer<SplitMark> marks) {
        List<Task> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":t", Attr.s(Keys.TASK_PREFIX))))
                .items().forEach(i -> {
                    if (!i.containsKey("splitInto")) out.add(read(projectId, i));
                    else if (!i.containsKey("splitDone")) marks.accept(mark(projectId, i));
                });
        return out;
    }

    /** Stored geometries by task id (only tasks that are not plain tiles have one). */
    public Map<Integer, String> geometries(long projectId) {
        Map<Integer, String> out = new LinkedHashMap<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :g)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":g", Attr.s(Keys.GEOM_PREFIX))))
                .items().forEach(i -> {
                    if (Attr.str(i, "g") != null) out.put(Attr.integer(i, "taskId"), Attr.str(i, "g"));
                });
        return out;
    }

    /**
     * A task's shape item: its geometry (null when it is the plain tile) and extra properties (null when
     * none), both JSON text; empty when the task has neither.
     */
    public Optional<Shape> shape(long projectId, int taskId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.geom(taskId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(new Shape(Attr.str(item, "g"), Attr.str(item, "ep")));
    }

    /** What a task's shape item holds; see {@link #shape}. */
    public record Shape(String geometryJson, String extraJson) {}

    /** The open split mark in a task's place, if a split of it is committed but not finished. */
    public Optional<SplitMark> splitMark(long projectId, int taskId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.task(taskId)))
                .consistentRead(true)).item();
        return item == null || !item.containsKey("splitInto") || item.containsKey("splitDone") ? Optional.empty()
                : Optional.of(mark(projectId, item));
    }

    /**
     * Writes new tasks with BatchWriteItem (25 per call), retrying unprocessed items with backoff. Puts are
     * idempotent for identical content, which is what makes re-running a grid job safe.
     */
    public void putAll(List<NewTask> tasks) {
        List<WriteRequest> writes = new ArrayList<>();
        for (NewTask nt : tasks) {
            writes.add(put(item(nt.task())));
            if (nt.hasShapeItem()) writes.add(put(shapeItem(nt)));
        }
        for (int i = 0; i < writes.size(); i += 25) {
            batch(writes.subList(i, Math.min(writes.size(), i + 25)));
        }
    }

    private void batch(List<WriteRequest> chunk) {
        Map<String, List<WriteRequest>> pending = Map.of(table, chunk);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) sleep(Math.min(1000, 25L << Math.min(attempt, 6)));
            if (attempt > 12) throw new IllegalStateException("BatchWriteItem kept leaving items unprocessed");
            var req = pending;
            var res = ddb.batchWriteItem(b -> b.requestItems(req));
            pending = res.hasUnprocessedItems() ? res.unprocessedItems() : Map.of();
        }
    }

    /**
     * Commits a split: the parent becomes a split mark, conditioned on the version the split was decided
     * from. False if the task moved on (another split, an unlock) since it was read.
     */
    public boolean markSplit(Task before, List<Integer> childIds, Actor by, Instant at) {
        Map<String, AttributeValue> v = new HashMap<>();
        v.put(":st", Attr.n((long) TaskStatus.SPLIT.code));
        v.put(":ids", AttributeValue.fromL(childIds.stream().map(id -> Attr.n((long) id)).toList()));
        v.put(":by", Attr.n(by.userId()));
        v.put(":byn", Attr.s(by.username()));
        v.put(":at", Attr.n(at.toEpochMilli()));
        return updateAtVersion(before, "#st = :st, splitInto = :ids, splitBy = :by, splitByName = :byn, splitAt = :at", v);
    }

    /**
     * Writes one child of a split unless it exists: a child written by an earlier attempt may already have
     * been locked, and must not be reset. Its shape item is written first so the task is never visible
     * without its geometry.
     */
    public void putChild(NewTask child) {
        if (child.hasShapeItem()) putIfAbsent(shapeItem(child));
        putIfAbsent(item(child.task()));
    }

    /** Items a split writes are the same whoever writes them; the first write stands. */
    private void putIfAbsent(Map<String, AttributeValue> item) {
        try {
            ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException ignored) {
            // written by an earlier attempt at the same split
        }
    }

    /**
     * Closes a split mark once its children exist. True for exactly one caller, who then accounts for the
     * split. The closed mark stays, hidden from reads, so the parent's id is never reused or recreated.
     */
    public boolean closeSplitMark(long projectId, int taskId) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.task(taskId)))
                    .updateExpression("SET splitDone = :t")
                    .conditionExpression("attribute_exists(splitInto) AND attribute_not_exists(splitDone)")
                    .expressionAttributeValues(Map.of(":t", Attr.bool(true))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Applies a decided change; false if the task moved on since it was read (the caller re-decides). */
    public boolean apply(TaskChange change) {
        if (change.isNoop()) return true;
        Task a = change.after();
        storeNewCommentTexts(change.before(), a);
        Map<String, AttributeValue> v = new HashMap<>();
        v.put(":st", Attr.n((long) a.status().code));
        v.put(":lb", Attr.n(a.lockedBy()));
        v.put(":le", a.lockExpiresAt() == null ? Attr.nul() : Attr.n(a.lockExpiresAt().toEpochMilli()));
        v.put(":mb", Attr.n(a.mappedBy()));
        v.put(":vb", Attr.n(a.validatedBy()));
        v.put(":h", history(a.history()));
        return updateAtVersion(change.before(), "#st = :st, lockedBy = :lb, lockExp = :le, mappedBy = :mb, validatedBy = :vb, h = :h", v);
    }

    /**
     * {@code SET assignments} on the task item, bumping its version, only if it is still at the version of
     * {@code before} ({@code #st} names the status attribute). False if somebody wrote it since.
     */
    private boolean updateAtVersion(Task before, String assignments, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> v = new HashMap<>(values);
        v.put(":nv", Attr.n(before.version() + 1));
        v.put(":v", Attr.n(before.version()));
        try {
            ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(before.projectId()), Keys.task(before.taskId())))
                    .updateExpression("SET " + assignments + ", v = :nv")
                    .conditionExpression("v = :v")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(v));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Map<String, AttributeValue> shapeItem(NewTask nt) {
        Map<String, AttributeValue> g = new HashMap<>(Attr.key(Keys.project(nt.task().projectId()), Keys.geom(nt.task().taskId())));
        g.put("taskId", Attr.n((long) nt.task().taskId()));
        if (nt.geometryJson() != null) g.put("g", Attr.s(nt.geometryJson()));
        if (nt.extraJson() != null) g.put("ep", Attr.s(nt.extraJson()));
        return g;
    }

    private static SplitMark mark(long projectId, Map<String, AttributeValue> i) {
        List<Integer> ids = i.get("splitInto").l().stream().map(a -> Integer.parseInt(a.n())).toList();
        return new SplitMark(read(projectId, i), ids, new Actor(Attr.lng(i, "splitBy"), Attr.str(i, "splitByName")),
                Instant.ofEpochMilli(Attr.lng(i, "splitAt")));
    }

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

    // --- comment texts ---------------------------------------------------------------------------------
    // A comment longer than INLINE_COMMENT is kept in its own item, addressed by its content's SHA-256, and the
    // history row holds only that address: the task item then grows by ~100 bytes per row whatever is written,
    // far from DynamoDB's 400 KB item limit. Content addressing makes the text item the same whoever writes it
    // (a lost race leaves at most an unused item) and lets split children share their parent's rows.

    static final int INLINE_COMMENT = 280;
    /** Stands for a text not yet read (list reads never need history texts); only this class sees it. */
    private static final String UNREAD = "\u0000comment:";

    private static boolean external(HistoryEntry e) {
        return e.action() == TaskAction.COMMENT && e.actionText() != null
                && (e.actionText().startsWith(UNREAD) || e.actionText().length() > INLINE_COMMENT);
    }

    private static String address(String text) {
        if (text.startsWith(UNREAD)) return text.substring(UNREAD.length());
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores the long comments {@code after} adds to {@code before}, before the task write that refers to them. */
    private void storeNewCommentTexts(Task before, Task after) {
        java.util.Set<String> known = new java.util.HashSet<>();
        before.history().stream().filter(TaskStore::external).forEach(e -> known.add(address(e.actionText())));
        for (HistoryEntry e : after.history()) {
            if (!external(e) || e.actionText().startsWith(UNREAD)) continue;
            String addr = address(e.actionText());
            if (!known.add(addr)) continue;
            Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.comment(addr), Keys.TEXT));
            item.put("t", Attr.s(e.actionText()));
            ddb.putItem(b -> b.tableName(table).item(item));
        }
    }

    /** The task with its long comments' texts read back in (one BatchGetItem per 100 distinct texts). */
    private Task withCommentTexts(Task t) {
        List<String> addrs = t.history().stream().filter(e -> external(e) && e.actionText().startsWith(UNREAD))
                .map(e -> address(e.actionText())).distinct().toList();
        if (addrs.isEmpty()) return t;
        Map<String, String> texts = new HashMap<>();
        for (int i = 0; i < addrs.size(); i += 100) {
            List<Map<String, AttributeValue>> keys = addrs.subList(i, Math.min(addrs.size(), i + 100)).stream()
                    .map(a -> Attr.key(Keys.comment(a), Keys.TEXT)).toList();
            Map<String, software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes> pending =
                    Map.of(table, software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder()
                            .keys(keys).consistentRead(true).build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 0) sleep(Math.min(1000, 25L << Math.min(attempt, 6)));
                if (attempt > 12) throw new IllegalStateException("BatchGetItem kept leaving keys unprocessed");
                var req = pending;
                var res = ddb.batchGetItem(b -> b.requestItems(req));
                res.responses().getOrDefault(table, List.of()).forEach(item ->
                        texts.put(Attr.str(item, "pk").substring(Keys.COMMENT_PREFIX.length()), Attr.str(item, "t")));
                pending = res.hasUnprocessedKeys() ? res.unprocessedKeys() : Map.of();
            }
        }
        List<HistoryEntry> h = new ArrayList<>();
        for (HistoryEntry e : t.history()) {
            h.add(external(e) && e.actionText().startsWith(UNREAD) ? e.withText(texts.get(address(e.actionText()))) : e);
        }
        return new Task(t.projectId(), t.taskId(), t.x(), t.y(), t.zoom(), t.isSquare(), t.status(), t.lockedBy(),
                t.lockExpiresAt(), t.mappedBy(), t.validatedBy(), t.version(), h);
    }

    private static AttributeValue history(List<HistoryEntry> h) {
        return AttributeValue.fromL(h.stream().map(e -> AttributeValue.fromM(Map.of(
                "i", Attr.n((long) e.id()), "a", Attr.s(e.action().name()),
                external(e) ? "r" : "t", external(e) ? Attr.s(address(e.actionText())) : Attr.s(e.actionText()),
                "d", Attr.n(e.actionDate().toEpochMilli()), "u", Attr.n(e.userId()), "n", Attr.s(e.username())))).toList());
    }

    /** A task as stored; long comments read as placeholders until {@link #withCommentTexts} fills them in. */
    static Task read(long projectId, Map<String, AttributeValue> i) {
        List<HistoryEntry> h = new ArrayList<>();
        AttributeValue hv = i.get("h");
        if (hv != null && hv.hasL()) {
            for (AttributeValue e : hv.l()) {
                var m = e.m();
                String ref = Attr.str(m, "r");
                h.add(new HistoryEntry(Attr.integer(m, "i"), TaskAction.valueOf(Attr.str(m, "a")),
                        ref != null ? UNREAD + ref : Attr.str(m, "t"),
                        Instant.ofEpochMilli(Attr.lng(m, "d")), Attr.lng(m, "u"), Attr.str(m, "n")));
            }
        }
        Long exp = Attr.lng(i, "lockExp");
        return new Task(projectId, Attr.integer(i, "taskId"), Attr.integer(i, "x"), Attr.integer(i, "y"),
                Attr.integer(i, "zoom"), Attr.bool(i, "sq"), TaskStatus.ofCode(Attr.integer(i, "status")),
                Attr.lng(i, "lockedBy"), exp == null ? null : Instant.ofEpochMilli(exp), Attr.lng(i, "mappedBy"),
                Attr.lng(i, "validatedBy"), Attr.lng(i, "v", 0), h);
    }

    private static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
