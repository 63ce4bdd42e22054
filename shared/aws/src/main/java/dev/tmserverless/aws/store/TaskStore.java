package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Actor;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.HistoryWindow;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskStatus;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Task items. The hot item holds state, lock and history only ({@link TaskItems}); a geometry that cannot be
 * derived from the tile indices, and an arbitrary task's extra properties, live in a separate shape item
 * ({@link TaskShapes}), and long comments in their own items ({@link CommentTexts}), so a lock write stays about
 * one write unit. Every transition is one UpdateItem conditioned on the version it was decided
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
    private final CommentTexts comments;
    private final UserTasks userTasks;

    public TaskStore(DynamoDbClient ddb, TmConfig config, CommentTexts comments, UserTasks userTasks) {
        this.ddb = ddb;
        this.table = config.table();
        this.comments = comments;
        this.userTasks = userTasks;
    }

    /**
     * The task as decisions need it; an open split mark reads as a task in status SPLIT, a closed one as no task.
     * Its history is the item's window (long comments as placeholders): {@link #withWholeHistory} is for showing it.
     */
    public Optional<Task> get(long projectId, int taskId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.task(taskId)))
                .consistentRead(true)).item();
        return read(projectId, item);
    }

    /**
     * {@link #get} for several tasks of one project in one consistent BatchGetItem (100 keys a call); a task that
     * {@link #get} would not answer is absent from the map.
     */
    public Map<Integer, Task> getAll(long projectId, java.util.Collection<Integer> taskIds) {
        List<Map<String, AttributeValue>> keys = new java.util.LinkedHashSet<>(taskIds).stream()
                .map(id -> Attr.key(Keys.project(projectId), Keys.task(id))).toList();
        Map<Integer, Task> out = new java.util.HashMap<>();
        for (var item : Dynamo.batchGet(ddb, table, keys)) read(projectId, item).ifPresent(t -> out.put(t.taskId(), t));
        return out;
    }

    /** A task item as {@link #get} answers it: a finished split's mark is no task. */
    static Optional<Task> read(long projectId, Map<String, AttributeValue> item) {
        return item == null || item.isEmpty() || item.containsKey("splitDone") ? Optional.empty()
                : Optional.of(TaskItems.read(projectId, item));
    }

    /** Every task of a project in id order (one paginated Query); split marks are left out. */
    public List<Task> list(long projectId) {
        return list(projectId, m -> {});
    }

    /** As {@link #list(long)}, handing each open split mark found on the way to {@code marks}. */
    public List<Task> list(long projectId, Consumer<SplitMark> marks) {
        return list(projectId, marks, false);
    }

    /** As {@link #list(long, Consumer)}, with strongly consistent reads when {@code consistent}. */
    public List<Task> list(long projectId, Consumer<SplitMark> marks, boolean consistent) {
        List<Task> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).consistentRead(consistent).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":t", Attr.s(Keys.TASK_PREFIX))))
                .items().forEach(i -> {
                    if (!i.containsKey("splitInto")) out.add(TaskItems.read(projectId, i));
                    else if (!i.containsKey("splitDone")) marks.accept(mark(projectId, i));
                });
        return out;
    }

    /** One page of a project's tasks, in id order, after task id {@code afterTaskId}; split marks are left out. */
    public record Page(List<Task> tasks, int lastTaskId, boolean more) {}

    /**
     * Up to {@code limit} task items after {@code afterTaskId} (one consistent Query): the page a bulk job decides
     * before recording its cursor. {@code lastTaskId} is the last item read (a split mark included), so the next
     * page starts after it.
     */
    public Page page(long projectId, int afterTaskId, int limit) {
        var res = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :p AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)),
                        ":from", Attr.s(Keys.task(afterTaskId + 1)), ":to", Attr.s(Keys.TASK_LAST)))
                .limit(limit).consistentRead(true));
        List<Task> out = new ArrayList<>();
        int last = afterTaskId;
        for (var i : res.items()) {
            last = Math.max(last, Attr.integer(i, "taskId"));
            if (!i.containsKey("splitInto")) out.add(TaskItems.read(projectId, i));
        }
        return new Page(out, last, res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty());
    }

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
        putAll(tasks, 1);
    }

    /** {@link #putAll(List)} with up to {@code parallelism} BatchWriteItem calls in flight. */
    public void putAll(List<NewTask> tasks, int parallelism) {
        putAll(tasks, parallelism, null);
    }

    /** {@link #putAll(List, int)} was stopped because its writer's deadline passed: some tasks may be unwritten. */
    public static final class DeadlinePassed extends RuntimeException {
        DeadlinePassed() { super("the batch writer's deadline passed", null, false, false); }
    }

    /**
     * {@link #putAll(List, int)} by a writer whose unconditional puts must all have landed before a deadline
     * ({@code timeLeft} says how long is left; null: no deadline): no BatchWriteItem call starts after it, and each
     * call is given up by the client when it comes. Throws {@link DeadlinePassed} then (the tasks not yet written
     * are for a conditional writer, {@link #putAllIfAbsent}).
     */
    public void putAll(List<NewTask> tasks, int parallelism, java.util.function.Supplier<java.time.Duration> timeLeft) {
        List<WriteRequest> writes = new ArrayList<>();
        java.util.Set<Long> projects = new java.util.TreeSet<>();
        for (NewTask nt : tasks) {
            writes.add(Dynamo.put(TaskItems.item(nt.task())));
            if (nt.hasShapeItem()) writes.add(Dynamo.put(TaskShapes.item(nt)));
            projects.add(nt.task().projectId());
        }
        try {
            Dynamo.batchWrite(ddb, table, writes, parallelism, timeLeft == null ? null : timeLeft::get);
        } catch (Dynamo.DeadlinePassed | software.amazon.awssdk.core.exception.ApiCallTimeoutException e) {
            throw new DeadlinePassed();
        }
        projects.forEach(p -> TaskMaps.bump(ddb, table, p));
    }

    /**
     * Writes each new task (its shape item first, so a task is never visible without its geometry) unless it
     * exists: a task written before, by an earlier delivery of the same grid job, may have been locked or mapped
     * since and is left exactly as it is. One conditional PutItem per item, up to {@code parallelism} tasks at once.
     */
    public void putAllIfAbsent(List<NewTask> tasks, int parallelism) {
        List<List<Map<String, AttributeValue>>> groups = new ArrayList<>();
        java.util.Set<Long> projects = new java.util.TreeSet<>();
        for (NewTask nt : tasks) {
            groups.add(nt.hasShapeItem() ? List.of(TaskShapes.item(nt), TaskItems.item(nt.task()))
                    : List.of(TaskItems.item(nt.task())));
            projects.add(nt.task().projectId());
        }
        Dynamo.putAllIfAbsent(ddb, table, groups, parallelism);
        projects.forEach(p -> TaskMaps.bump(ddb, table, p));
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
     * without its geometry. The writer that creates the child records its rows for their users, as after any
     * committed change (the splitter finds the children among their tasks).
     */
    public void putChild(NewTask child) {
        if (child.hasShapeItem()) putIfAbsent(TaskShapes.item(child));
        Task t = child.task();
        if (putIfAbsent(TaskItems.item(t.withHistory(archiveOverflow(t))))) {
            userTasks.recordWrites(new TaskChange(t.withHistory(List.of()), t, CounterDelta.NONE));
        }
    }

    /** Writes the rows of {@code t} beyond the item's window to an archive item; returns the rows the item keeps. */
    private List<HistoryEntry> archiveOverflow(Task t) {
        HistoryWindow.Cut cut = HistoryWindow.cut(t.history());
        if (!cut.archived().isEmpty()) {
            Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(t.projectId()),
                    Keys.history(t.taskId(), cut.archived().get(0).id())));
            item.put("h", TaskItems.history(cut.archived()));
            ddb.putItem(b -> b.tableName(table).item(item));
        }
        return cut.inline();
    }

    /** Rows numbered 1..n without a gap: nothing of this history was ever moved to an archive item. */
    private static boolean neverArchived(List<HistoryEntry> h) {
        return h.isEmpty() || (h.get(0).id() == 1 && h.get(h.size() - 1).id() == h.size());
    }

    /**
     * The task with its history for showing it: archived rows read back (newest archive items first, up to
     * {@link HistoryWindow#SHOWN_ROWS} rows) and long comment texts filled in.
     */
    public Task withWholeHistory(Task t) {
        return withHistory(t, HistoryWindow.SHOWN_ROWS);
    }

    /**
     * The task with the rows its item keeps (its window: the newest rows and those decisions read), long comment
     * texts filled in: what an action answers, at a cost that does not depend on how long the history is.
     */
    public Task withItemHistory(Task t) {
        return comments.fillIn(t);
    }

    /** As {@link #withWholeHistory(Task)}, the newest {@code limit} rows ({@code Integer.MAX_VALUE}: all of them). */
    public Task withHistory(Task t, int limit) {
        if (neverArchived(t.history())) return comments.fillIn(t);
        return comments.fillIn(t.withHistory(HistoryWindow.merge(t.history(), archivedRows(t, limit), limit)));
    }

    /** The task's archived rows, newest archive items first, until {@code limit} rows older than the window are read. */
    private List<HistoryEntry> archivedRows(Task t, int limit) {
        List<HistoryEntry> archived = new ArrayList<>();
        int inlineOldest = t.history().isEmpty() ? Integer.MAX_VALUE : t.history().get(0).id();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :h)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(t.projectId())), ":h", Attr.s(Keys.historyOf(t.taskId()))))
                .scanIndexForward(false))) {
            for (var item : page.items()) archived.addAll(TaskItems.historyRows(item.get("h")));
            if (archived.size() >= limit && archived.stream().allMatch(e -> e.id() < inlineOldest)) break;
        }
        return archived;
    }

    /** The number of COMMENT rows in the task's whole history (its window, and its archive only if it has one). */
    public int commentCount(Task t) {
        List<HistoryEntry> all = neverArchived(t.history()) ? t.history()
                : HistoryWindow.merge(t.history(), archivedRows(t, Integer.MAX_VALUE), Integer.MAX_VALUE);
        return (int) all.stream().filter(e -> e.action() == dev.tmserverless.core.domain.TaskAction.COMMENT).count();
    }

    /**
     * Every archived row of a project's tasks, by task id (one paginated Query of the archive items): with the
     * tasks' windows, a project's whole history (long comments as placeholders).
     */
    public Map<Integer, List<HistoryEntry>> archivedRows(long projectId) {
        Map<Integer, List<HistoryEntry>> out = new HashMap<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :h)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":h", Attr.s(Keys.HISTORY_PREFIX))))
                .items().forEach(item -> {
                    String sk = Attr.str(item, "sk");
                    int taskId = Integer.parseInt(sk.substring(Keys.HISTORY_PREFIX.length(), sk.indexOf('#', Keys.HISTORY_PREFIX.length())));
                    out.computeIfAbsent(taskId, k -> new ArrayList<>()).addAll(TaskItems.historyRows(item.get("h")));
                });
        return out;
    }

    /** Items a split writes are the same whoever writes them; the first write stands. */
    private boolean putIfAbsent(Map<String, AttributeValue> item) {
        // false when an earlier attempt at the same split wrote it
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")));
    }

    /**
     * Closes a split mark once its children exist. True for exactly one caller, who then accounts for the
     * split. The closed mark stays, hidden from reads, so the parent's id is never reused or recreated.
     */
    public boolean closeSplitMark(long projectId, int taskId) {
        return bumpedIf(projectId, Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.task(taskId)))
                .updateExpression("SET splitDone = :t")
                .conditionExpression("attribute_exists(splitInto) AND attribute_not_exists(splitDone)")
                .expressionAttributeValues(Map.of(":t", Attr.bool(true))))));
    }

    /**
     * After a committed task change, the project's task-map version moves (one ADD, never read first), so the
     * next map reader rebuilds its snapshot (docs/performance.md, "Task-map snapshots").
     */
    private boolean bumpedIf(long projectId, boolean committed) {
        if (committed) TaskMaps.bump(ddb, table, projectId);
        return committed;
    }

    /**
     * True if the project's delete has closed it to task changes (docs/projects.md "Deleting a project"): asked
     * after a lock is written, so that a lock that came after the delete's check of the tasks is undone.
     */
    public boolean projectClosedForDelete(long projectId) { return TaskMaps.closedForDelete(ddb, table, projectId); }

    /**
     * Applies a decided change; false if the task moved on since it was read (the caller re-decides). Once it has
     * won, the users who added rows get them recorded ({@link UserTasks#recordWrites}). History rows
     * beyond the item's window ({@link HistoryWindow}) move to an archive item first: written before the task, so
     * a row is never lost, and harmless if the task write then loses (reads prefer the item's rows).
     */
    public boolean apply(TaskChange change) {
        if (change.isNoop()) return true;
        Task a = change.after();
        comments.putNew(change.before(), a);
        List<HistoryEntry> inline = archiveOverflow(a);
        Map<String, AttributeValue> v = new HashMap<>();
        v.put(":st", Attr.n((long) a.status().code));
        v.put(":lb", Attr.n(a.lockedBy()));
        v.put(":le", a.lockExpiresAt() == null ? Attr.nul() : Attr.n(a.lockExpiresAt().toEpochMilli()));
        v.put(":mb", Attr.n(a.mappedBy()));
        v.put(":vb", Attr.n(a.validatedBy()));
        v.put(":h", TaskItems.history(inline));
        boolean won = updateAtVersionUnbumped(change.before(), "#st = :st, lockedBy = :lb, lockExp = :le, mappedBy = :mb, validatedBy = :vb, h = :h", v);
        if (!won) return false;
        if (a.status().isLocked() && !change.before().status().isLocked()) {
            dev.tmserverless.aws.observe.Metrics.count(dev.tmserverless.aws.observe.Metrics.TASKS_LOCKED);
        }
        // derived from the committed change, after it and side by side (neither reads the other): the task-map
        // version (TaskMaps) and the users' contribution items and counters (which never throw)
        var contributions = java.util.concurrent.CompletableFuture.runAsync(() -> userTasks.recordWrites(change), DERIVED);
        try {
            TaskMaps.bump(ddb, table, change.before().projectId());
        } finally {
            contributions.join();
        }
        return true;
    }

    /** Runs a committed change's contribution writes beside its task-map bump: a virtual thread each, nothing pooled. */
    private static final java.util.concurrent.Executor DERIVED = r -> Thread.ofVirtual().name("tm-derived-write").start(r);

    /**
     * Deletes a task item, only if it is still at the version it was read at (an administrator's task deletion);
     * false if somebody wrote it since. Its archived rows and shape stay, unread.
     */
    public boolean deleteAtVersionWrites(Task before) {
        return bumpedIf(before.projectId(), Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(before.projectId()), Keys.task(before.taskId())))
                .conditionExpression("v = :v AND attribute_not_exists(splitInto)")
                .expressionAttributeValues(Map.of(":v", Attr.n(before.version()))))));
    }

    /**
     * {@code SET assignments} on the task item, bumping its version, only if it is still at the version of
     * {@code before} ({@code #st} names the status attribute). False if somebody wrote it since.
     */
    private boolean updateAtVersion(Task before, String assignments, Map<String, AttributeValue> values) {
        return bumpedIf(before.projectId(), updateAtVersionUnbumped(before, assignments, values));
    }

    /** {@link #updateAtVersion} without the task-map bump, which the caller makes. */
    private boolean updateAtVersionUnbumped(Task before, String assignments, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> v = new HashMap<>(values);
        v.put(":nv", Attr.n(before.version() + 1));
        v.put(":v", Attr.n(before.version()));
        boolean written = Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(before.projectId()), Keys.task(before.taskId())))
                .updateExpression("SET " + assignments + ", v = :nv")
                .conditionExpression("v = :v")
                .expressionAttributeNames(Map.of("#st", "status"))
                .expressionAttributeValues(v)));
        if (!written) dev.tmserverless.aws.observe.Metrics.count(dev.tmserverless.aws.observe.Metrics.WRITE_CONFLICTS);
        return written;
    }

    private static SplitMark mark(long projectId, Map<String, AttributeValue> i) {
        List<Integer> ids = i.get("splitInto").l().stream().map(a -> Integer.parseInt(a.n())).toList();
        return new SplitMark(TaskItems.read(projectId, i), ids, new Actor(Attr.lng(i, "splitBy"), Attr.str(i, "splitByName")),
                Instant.ofEpochMilli(Attr.lng(i, "splitAt")));
    }


}
