package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskChange;
import dev.tmserverless.core.domain.TaskStatus;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What each user did to each task, kept beside the users (docs/workflow.md "A user's tasks and counters"): one
 * <em>contribution item</em> per user and task ({@code USER#<id> / UTASK#<project>#<task>}) with the dates of the
 * user's newest row and of their newest STATE_CHANGE to each status, and the date a mapper's work was last
 * validated ({@code USER#<id> / STATS}). Users' counters (tasks mapped, validated, invalidated) are the statistics
 * aggregator's, from the change feed (docs/statistics.md); a mapper's projects are on their profile (docs/people.md).
 *
 * <p>Everything here is derived from a committed task change ({@link #recordWrites}, a pure function of the rows the
 * change added) and written after it, never in its place: the task write stays the one conditional write of the
 * transition. Every write sets values taken from the change (never adds), so recording the same change twice
 * leaves the same items. A crash between the task write and these writes leaves them behind until they are
 * recomputed from the task items.
 */
@Singleton
public class UserTasks {
    private static final Logger LOG = LoggerFactory.getLogger(UserTasks.class);

    private final DynamoDbClient ddb;
    private final String table;
    private final UserStore users;

    public UserTasks(DynamoDbClient ddb, TmConfig config, UserStore users) {
        this.ddb = ddb;
        this.table = config.table();
        this.users = users;
    }

    /** One user's contribution to one task. {@code statusDates}: status name ⇒ newest STATE_CHANGE date by the user. */
    public record Contribution(long projectId, int taskId, Instant last, Map<String, Instant> statusDates,
                               Map<String, Integer> statusRows, Instant invalidatedAt, Integer invalidatedRow,
                               Long invalidatedBy) {}

    /** What is kept about a user's work as a whole: when a validator last validated a task they mapped. */
    public record Stats(Instant lastValidationDate) {
        public static final Stats NONE = new Stats(null);
    }

    /**
     * Records what a committed change added: for every user with a new row, their contribution item; the mapper's
     * invalidation and validation dates. Never throws: the task change stands whatever happens here.
     */
    public void recordWrites(TaskChange change) {
        try {
            record(change.before(), change.after());
        } catch (RuntimeException e) {
            LOG.warn("user contribution of task {}/{} not recorded: {}", change.after().projectId(), change.after().taskId(), e.toString());
        }
    }

    private void record(Task before, Task after) {
        int newestBefore = before.history().isEmpty() ? 0 : before.history().get(before.history().size() - 1).id();
        Map<Long, List<HistoryEntry>> byUser = new LinkedHashMap<>();
        for (HistoryEntry e : after.history()) {
            if (e.id() > newestBefore) byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
        }
        for (var entry : byUser.entrySet()) writeContribution(entry.getKey(), after, entry.getValue());
        for (HistoryEntry e : byUser.values().stream().flatMap(List::stream).toList()) {
            if (e.action() != TaskAction.STATE_CHANGE) continue;
            if ("MAPPED".equals(e.actionText())) {
                // the project joins the mapper's projectsMapped (a set: a repeat changes nothing; docs/people.md)
                users.addMappedProjectWrite(e.userId(), after.projectId());
            } else if ("INVALIDATED".equals(e.actionText())) {
                Long mapper = newestMapper(before);
                if (mapper != null && mapper != e.userId()) writeInvalidation(mapper, after, e);
            } else if ("VALIDATED".equals(e.actionText()) && before.mappedBy() != null) {
                ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(before.mappedBy()), Keys.USER_STATS))
                        .updateExpression("SET lastValidationDate = :d")
                        .expressionAttributeValues(Map.of(":d", Attr.n(e.actionDate().toEpochMilli()))));
            }
        }
    }

    /** The author of the task's newest MAPPED or BADIMAGERY STATE_CHANGE: whose work an invalidation rejects. */
    private static Long newestMapper(Task t) {
        for (int i = t.history().size() - 1; i >= 0; i--) {
            HistoryEntry e = t.history().get(i);
            if (e.action() == TaskAction.STATE_CHANGE
                    && ("MAPPED".equals(e.actionText()) || "BADIMAGERY".equals(e.actionText()))) return e.userId();
        }
        return t.mappedBy();
    }

    private void writeContribution(long userId, Task t, List<HistoryEntry> rows) {
        Map<String, AttributeValue> v = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        List<String> sets = new ArrayList<>(List.of("projectId = :p", "taskId = :t", "#last = :l"));
        names.put("#last", "last");
        v.put(":p", Attr.n(t.projectId()));
        v.put(":t", Attr.n((long) t.taskId()));
        v.put(":l", Attr.n(rows.get(rows.size() - 1).actionDate().toEpochMilli()));
        Map<String, HistoryEntry> newestByStatus = new LinkedHashMap<>();
        for (HistoryEntry e : rows) {
            if (e.action() == TaskAction.STATE_CHANGE && e.actionText() != null && isStatus(e.actionText())) {
                newestByStatus.put(e.actionText(), e);
            }
        }
        int k = 0;
        for (var s : newestByStatus.entrySet()) {
            sets.add("#s" + k + " = :s" + k + ", #r" + k + " = :r" + k);
            names.put("#s" + k, "s_" + s.getKey());
            names.put("#r" + k, "r_" + s.getKey());
            v.put(":s" + k, Attr.n(s.getValue().actionDate().toEpochMilli()));
            v.put(":r" + k, Attr.n((long) s.getValue().id()));
            k++;
        }
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.userTask(t.projectId(), t.taskId())))
                .updateExpression("SET " + String.join(", ", sets)).expressionAttributeNames(names)
                .expressionAttributeValues(v));
    }

    private void writeInvalidation(long mapper, Task t, HistoryEntry e) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(mapper), Keys.userTask(t.projectId(), t.taskId())))
                .updateExpression("SET projectId = :p, taskId = :t, inv = :d, invRow = :r, invBy = :u, #last = if_not_exists(#last, :d)")
                .expressionAttributeNames(Map.of("#last", "last"))
                .expressionAttributeValues(Map.of(":p", Attr.n(t.projectId()), ":t", Attr.n((long) t.taskId()),
                        ":d", Attr.n(e.actionDate().toEpochMilli()), ":r", Attr.n((long) e.id()), ":u", Attr.n(e.userId()))));
    }

    private static boolean isStatus(String s) {
        try {
            TaskStatus.valueOf(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Every contribution of a user (one paginated Query of their items). */
    public List<Contribution> contributions(long userId) {
        List<Contribution> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.user(userId)), ":t", Attr.s(Keys.USER_TASK_PREFIX))))
                .items().forEach(i -> out.add(read(i)));
        return out;
    }

    private static Contribution read(Map<String, AttributeValue> i) {
        Map<String, Instant> dates = new HashMap<>();
        Map<String, Integer> rows = new HashMap<>();
        i.forEach((k, a) -> {
            if (k.startsWith("s_") && a.n() != null) dates.put(k.substring(2), Instant.ofEpochMilli(Long.parseLong(a.n())));
            if (k.startsWith("r_") && a.n() != null) rows.put(k.substring(2), Integer.parseInt(a.n()));
        });
        Long inv = Attr.lng(i, "inv");
        Long last = Attr.lng(i, "last");
        return new Contribution(Attr.lng(i, "projectId"), Attr.integer(i, "taskId"),
                last == null ? null : Instant.ofEpochMilli(last), dates, rows,
                inv == null ? null : Instant.ofEpochMilli(inv), Attr.integer(i, "invRow"), Attr.lng(i, "invBy"));
    }

    /** What is kept about a user's work as a whole (one GetItem). */
    public Stats stats(long userId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.USER_STATS))).item();
        if (item == null || item.isEmpty()) return Stats.NONE;
        Long lv = Attr.lng(item, "lastValidationDate");
        return new Stats(lv == null ? null : Instant.ofEpochMilli(lv));
    }

    /** As {@link #stats(long)} for several users (BatchGetItem); users without any are left out. */
    public Map<Long, Stats> stats(java.util.Collection<Long> userIds) {
        Map<Long, Stats> out = new HashMap<>();
        List<Long> ids = userIds.stream().distinct().toList();
        var keys = ids.stream().map(id -> Attr.key(Keys.user(id), Keys.USER_STATS)).toList();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            long id = Long.parseLong(Attr.str(item, "pk").substring("USER#".length()));
            Long lv = Attr.lng(item, "lastValidationDate");
            out.put(id, new Stats(lv == null ? null : Instant.ofEpochMilli(lv)));
        }
        return out;
    }

    /** Statuses a contribution item can name (for validating a filter). */
    public static Optional<String> statusName(String given) {
        if (given == null) return Optional.empty();
        String s = given.trim().toUpperCase(java.util.Locale.ROOT);
        return isStatus(s) ? Optional.of(s) : Optional.empty();
    }
}
