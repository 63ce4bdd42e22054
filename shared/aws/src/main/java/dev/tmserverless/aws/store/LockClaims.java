package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The one-lock-per-user rule across projects (spec §2.3 step 6) without transactions: before a user's task
 * lock is written, the user's claim item is written conditionally; docs/locking.md has the protocol and its
 * failure cases.
 */
@Singleton
public class LockClaims {
    public record Claim(long userId, long projectId, int taskId, String claimId, Instant claimedAt, Instant expiresAt) {}

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
        Map<String, AttributeValue> v = new HashMap<>(Map.of(":now", Attr.n(now.toEpochMilli()),
                ":p", Attr.n(projectId), ":t", Attr.n((long) taskId)));
        String cond = "attribute_not_exists(pk) OR expiresAt <= :now OR (projectId = :p AND taskId = :t)";
        if (replacing != null) {
            cond += " OR claimId = :old";
            v.put(":old", Attr.s(replacing));
        }
        String condition = cond;
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression(condition)
                .expressionAttributeValues(v))) ? Optional.of(c) : Optional.empty();
    }

    public Optional<Claim> get(long userId) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.LOCK)).consistentRead(true)).item();
        if (i == null || i.isEmpty()) return Optional.empty();
        return Optional.of(new Claim(userId, Attr.lng(i, "projectId"), Attr.integer(i, "taskId"), Attr.str(i, "claimId"),
                Instant.ofEpochMilli(Attr.lng(i, "claimedAt")), Instant.ofEpochMilli(Attr.lng(i, "expiresAt"))));
    }

    /**
     * Frees the slot if it still holds the lock that ended (this task, that lock's expiry); a slot taken since
     * then, even for the same task by a quick re-lock, is left alone.
     */
    public void release(long userId, long projectId, int taskId, Instant lockExpiresAt) {
        if (lockExpiresAt == null) return;
        // false when already released, or re-claimed since
        Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.LOCK))
                .conditionExpression("projectId = :p AND taskId = :t AND expiresAt = :e")
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
                .updateExpression("SET expiresAt = :new")
                .conditionExpression("projectId = :p AND taskId = :t AND (expiresAt = :old OR expiresAt < :new)")
                .expressionAttributeValues(Map.of(":p", Attr.n(projectId), ":t", Attr.n((long) taskId),
                        ":old", Attr.n(oldExpiresAt.toEpochMilli()), ":new", Attr.n(newExpiresAt.toEpochMilli())))));
    }

    /** Undoes a claim whose task write lost: only that exact claim is removed. */
    public void abandon(Claim c) {
        // false when replaced meanwhile
        Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(c.userId()), Keys.LOCK))
                .conditionExpression("claimId = :c")
                .expressionAttributeValues(Map.of(":c", Attr.s(c.claimId())))));
    }
}
