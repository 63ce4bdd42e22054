package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The one-lock-per-user rule across projects without transactions: before a user's task
 * lock is written, the user's claim item is written conditionally; docs/locking.md has the protocol and its
 * failure cases.
 */
@Singleton
public class LockClaims {
    /**
     * A claim of the slot: one task for mapping ({@code taskIds} is just {@code taskId}), or a set of tasks of one
     * project for validation ({@code taskId} is the smallest of them).
     */
    public record Claim(long userId, long projectId, int taskId, String claimId, Instant claimedAt, Instant expiresAt,
                        List<Integer> taskIds) {
        public Claim {
            taskIds = List.copyOf(taskIds);
        }

        public Claim(long userId, long projectId, int taskId, String claimId, Instant claimedAt, Instant expiresAt) {
            this(userId, projectId, taskId, claimId, claimedAt, expiresAt, List.of(taskId));
        }
    }

    private final DynamoDbClient ddb;
    private final String table;

    public LockClaims(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /**
     * Claims the user's lock slot for one task. Succeeds if the slot is free, expired, already this task's,
     * or held by the claim {@code replacing} (a stale claim the caller proved dead). Returns the new claim,
     * or empty if another claim holds the slot.
     */
    public Optional<Claim> claim(long userId, long projectId, int taskId, Instant now, Instant expiresAt,
                                 String replacing) {
        Claim c = new Claim(userId, projectId, taskId, UUID.randomUUID().toString(), now, expiresAt);
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.user(userId), Keys.LOCK));
        item.put("projectId", Attr.n(projectId));
        item.put("taskId", Attr.n((long) taskId));
        item.put("claimId", Attr.s(c.claimId()));
        item.put("claimedAt", Attr.n(now.toEpochMilli()));
        item.put("expiresAt", Attr.n(expiresAt.toEpochMilli()));
        // listed by expiry for the sweeper; the slot leaves the index when it is released
        item.put("gsi1pk", Attr.s(Keys.LOCKS));
        item.put("gsi1sk", Attr.s(Keys.lockExpiry(expiresAt.toEpochMilli(), userId)));
        Map<String, AttributeValue> v = new HashMap<>(Map.of(":now", Attr.n(now.toEpochMilli()),
                ":p", Attr.n(projectId), ":t", Attr.n((long) taskId)));
        // a validation claim that happens to start with this task is not this task's mapping claim
        String cond = "attribute_not_exists(pk) OR expiresAt <= :now OR (projectId = :p AND taskId = :t AND attribute_not_exists(tasks))";
        if (replacing != null) {
            cond += " OR claimId = :old";
            v.put(":old", Attr.s(replacing));
        }
        String condition = cond;
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression(condition)
                .expressionAttributeValues(v))) ? Optional.of(c) : Optional.empty();
    }

    /**
     * Claims the user's lock slot for a set of tasks of one project (a validation lock, docs/locking.md
     * "Validation: several tasks under one claim"). Succeeds if the slot is free, expired, already holds exactly
     * this project and set, or is held by the claim {@code replacing}. The set is stored as {@code tasks}, its ids
     * sorted between commas (",3,7,12,"), so "the same set" is one string comparison and "names task 7" one
     * {@code contains(tasks, ",7,")}.
     */
    public Optional<Claim> claimSet(long userId, long projectId, Collection<Integer> taskIds, Instant now,
                                    Instant expiresAt, String replacing) {
        List<Integer> ids = new ArrayList<>(new TreeSet<>(taskIds));
        if (ids.isEmpty()) throw new IllegalArgumentException("a claim names at least one task");
        Claim c = new Claim(userId, projectId, ids.get(0), UUID.randomUUID().toString(), now, expiresAt, ids);
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.user(userId), Keys.LOCK));
        item.put("projectId", Attr.n(projectId));
        item.put("taskId", Attr.n((long) c.taskId()));
        item.put("tasks", Attr.s(setKey(ids)));
        item.put("claimId", Attr.s(c.claimId()));
        item.put("claimedAt", Attr.n(now.toEpochMilli()));
        item.put("expiresAt", Attr.n(expiresAt.toEpochMilli()));
        item.put("gsi1pk", Attr.s(Keys.LOCKS));
        item.put("gsi1sk", Attr.s(Keys.lockExpiry(expiresAt.toEpochMilli(), userId)));
        Map<String, AttributeValue> v = new HashMap<>(Map.of(":now", Attr.n(now.toEpochMilli()),
                ":p", Attr.n(projectId), ":ts", Attr.s(setKey(ids))));
        String cond = "attribute_not_exists(pk) OR expiresAt <= :now OR (projectId = :p AND tasks = :ts)";
        if (replacing != null) {
            cond += " OR claimId = :old";
            v.put(":old", Attr.s(replacing));
        }
        String condition = cond;
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression(condition)
                .expressionAttributeValues(v))) ? Optional.of(c) : Optional.empty();
    }

    private static String setKey(List<Integer> sortedIds) {
        StringBuilder sb = new StringBuilder(",");
        for (int id : sortedIds) sb.append(id).append(',');
        return sb.toString();
    }

    public Optional<Claim> get(long userId) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.LOCK)).consistentRead(true)).item();
        if (i == null || i.isEmpty()) return Optional.empty();
        return Optional.of(claim(userId, i));
    }

    private static Claim claim(long userId, Map<String, AttributeValue> i) {
        int taskId = Attr.integer(i, "taskId");
        String set = Attr.str(i, "tasks");
        List<Integer> ids = set == null ? List.of(taskId)
                : Arrays.stream(set.split(",")).filter(x -> !x.isEmpty()).map(Integer::valueOf).toList();
        return new Claim(userId, Attr.lng(i, "projectId"), taskId, Attr.str(i, "claimId"),
                Instant.ofEpochMilli(Attr.lng(i, "claimedAt")), Instant.ofEpochMilli(Attr.lng(i, "expiresAt")), ids);
    }

    /**
     * Slots whose lock expired before {@code now}, oldest first, at most {@code max}: one Query of the locks
     * partition of the index (eventually consistent: a slot listed may have been released or re-claimed since).
     */
    public List<Claim> expired(Instant now, int max) {
        List<Claim> out = new ArrayList<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName(Resources.TABLE.indexes().get(0).name())
                .keyConditionExpression("gsi1pk = :lk AND gsi1sk < :now")
                .expressionAttributeValues(Map.of(":lk", Attr.s(Keys.LOCKS),
                        ":now", Attr.s(Keys.lockExpiryBefore(now.toEpochMilli()))))
                .limit(Math.min(max, 500)))) {
            for (var item : page.items()) {
                out.add(claim(Long.parseLong(Attr.str(item, "pk").substring("USER#".length())), item));
                if (out.size() >= max) return out;
            }
        }
        return out;
    }

    /**
     * True if any lock slot exists, expired or not: one Query of the locks partition of the index with limit 1
     * (eventually consistent: a slot written a moment ago may not show yet, docs/locking.md "Expiry").
     */
    public boolean anyHeld() {
        return !ddb.query(b -> b.tableName(table).indexName(Resources.TABLE.indexes().get(0).name())
                .keyConditionExpression("gsi1pk = :lk").projectionExpression("pk")
                .expressionAttributeValues(Map.of(":lk", Attr.s(Keys.LOCKS))).limit(1)).items().isEmpty();
    }

    /**
     * How many distinct users hold a live lock in each project: one Query of the locks partition of the index
     * from {@code now} on (eventually consistent; a project search shows it as {@code activeMappers}).
     */
    public Map<Long, Integer> liveHoldersByProject(Instant now) {
        Map<Long, java.util.Set<Long>> users = new java.util.HashMap<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName(Resources.TABLE.indexes().get(0).name())
                .keyConditionExpression("gsi1pk = :lk AND gsi1sk >= :now")
                .projectionExpression("pk, projectId")
                .expressionAttributeValues(Map.of(":lk", Attr.s(Keys.LOCKS),
                        ":now", Attr.s(Keys.lockExpiryBefore(now.toEpochMilli())))))) {
            for (var item : page.items()) {
                users.computeIfAbsent(Attr.lng(item, "projectId"), k -> new java.util.HashSet<>())
                        .add(Long.parseLong(Attr.str(item, "pk").substring("USER#".length())));
            }
        }
        Map<Long, Integer> out = new java.util.HashMap<>();
        users.forEach((p, u) -> out.put(p, u.size()));
        return out;
    }

    /**
     * Removes an expired slot the sweeper found: only if it is still that claim with that expiry (an extension or a
     * new claim since moved or replaced it). True if this call removed it.
     */
    public boolean releaseExpired(Claim c) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(c.userId()), Keys.LOCK))
                .conditionExpression("claimId = :c AND expiresAt = :e")
                .expressionAttributeValues(Map.of(":c", Attr.s(c.claimId()), ":e", Attr.n(c.expiresAt().toEpochMilli())))));
    }

    /**
     * Frees the slot held by claim {@code c} once none of its tasks is locked by the user any more (the caller
     * checked), if the slot is still that claim and does not outlive {@code endedExpiresAt}, the latest expiry
     * of the locks just ended: a re-claim of the same set in between has a later expiry and is left alone.
     */
    public void releaseClaim(Claim c, Instant endedExpiresAt) {
        if (endedExpiresAt == null) return;
        // false when released, replaced or re-claimed since
        Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(c.userId()), Keys.LOCK))
                .conditionExpression("claimId = :c AND expiresAt <= :e")
                .expressionAttributeValues(Map.of(":c", Attr.s(c.claimId()), ":e", Attr.n(endedExpiresAt.toEpochMilli())))));
    }

    /**
     * Frees the slot if it still holds the lock that ended (this task, that lock's expiry); a slot taken since
     * then, even for the same task by a quick re-lock, is left alone. True if this call freed it.
     */
    public boolean release(long userId, long projectId, int taskId, Instant lockExpiresAt) {
        if (lockExpiresAt == null) return false;
        // false when already released, or re-claimed since
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.LOCK))
                .conditionExpression("projectId = :p AND taskId = :t AND expiresAt = :e AND attribute_not_exists(tasks)")
                .expressionAttributeValues(Map.of(":p", Attr.n(projectId), ":t", Attr.n((long) taskId),
                        ":e", Attr.n(lockExpiresAt.toEpochMilli())))));
    }

    /**
     * Moves the slot's expiry to a lock's new expiry after that lock was extended, if the slot still holds the
     * lock (this project and task, and the expiry the lock had, or an earlier one); a slot released or claimed
     * for another lock since is left alone. False if nothing was changed.
     */
    public boolean extend(long userId, long projectId, int taskId, Instant oldExpiresAt, Instant newExpiresAt) {
        if (oldExpiresAt == null || newExpiresAt == null) return false;
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.LOCK))
                .updateExpression("SET expiresAt = :new, gsi1sk = :sk")
                .conditionExpression("projectId = :p AND ((taskId = :t AND attribute_not_exists(tasks)) OR contains(tasks, :ts))"
                        + " AND (expiresAt = :old OR expiresAt < :new)")
                .expressionAttributeValues(Map.of(":p", Attr.n(projectId), ":t", Attr.n((long) taskId), ":ts", Attr.s("," + taskId + ","),
                        ":old", Attr.n(oldExpiresAt.toEpochMilli()), ":new", Attr.n(newExpiresAt.toEpochMilli()),
                        ":sk", Attr.s(Keys.lockExpiry(newExpiresAt.toEpochMilli(), userId))))));
    }

    /**
     * Sets a claim's expiry to its lock's: a twin request's claim replaced the winner's in the slot with its own
     * (later) expiry. Only that exact claim is changed.
     */
    public void align(Claim c, Instant lockExpiresAt) {
        // false when replaced meanwhile: then whoever replaced it aligns it
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(c.userId()), Keys.LOCK))
                .updateExpression("SET expiresAt = :e, gsi1sk = :sk")
                .conditionExpression("claimId = :c")
                .expressionAttributeValues(Map.of(":c", Attr.s(c.claimId()), ":e", Attr.n(lockExpiresAt.toEpochMilli()),
                        ":sk", Attr.s(Keys.lockExpiry(lockExpiresAt.toEpochMilli(), c.userId()))))));
    }

    /** Undoes a claim whose task write lost: only that exact claim is removed. */
    public void abandon(Claim c) {
        // false when replaced meanwhile
        Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(c.userId()), Keys.LOCK))
                .conditionExpression("claimId = :c")
                .expressionAttributeValues(Map.of(":c", Attr.s(c.claimId())))));
    }
}
