package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Idempotency records of create requests (docs/api-differences.md "Idempotency-Key"): one item per caller and key,
 * claimed by a conditional put before the handler runs, then holding the answer to replay. The claim is the only
 * thing that decides which of two concurrent requests creates: the other finds the item and never runs the handler.
 */
@Singleton
public class IdempotencyStore {
    /** How long a first answer is replayed. */
    public static final Duration RETENTION = Duration.ofHours(24);
    /**
     * How long a claim without an answer holds: longer than any HTTP function may run (29 s), so a claim whose
     * request died (timeout, crash) frees its key after a minute instead of blocking it for a day.
     */
    public static final Duration LEASE = Duration.ofSeconds(60);

    /** A record: its body hash, and the stored answer once the first request finished ({@code status} 0 before). */
    public record Record(String bodyHash, int status, String body, String contentType) {
        public boolean inFlight() { return status == 0; }
    }

    private final DynamoDbClient ddb;
    private final String table;

    public IdempotencyStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /** The item id of {@code key} as sent by user {@code userId}: keys are per caller. */
    public static String id(long userId, String key) {
        return ApplicationKeyStore.hash(userId + "\n" + key);
    }

    /**
     * Claims the key for a request with this body: true if no live record existed (this request goes ahead),
     * false if another request holds it or its answer is still kept.
     */
    public boolean claim(String id, String bodyHash, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.idempotency(id), Keys.IDEMPOTENCY));
        item.put("bodyHash", Attr.s(bodyHash));
        item.put(Resources.TABLE_TTL_ATTRIBUTE, Attr.n(now.plus(LEASE).getEpochSecond()));
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk) OR #x < :now")
                .expressionAttributeNames(Map.of("#x", Resources.TABLE_TTL_ATTRIBUTE))
                .expressionAttributeValues(Map.of(":now", Attr.n(now.getEpochSecond())))));
    }

    /** The live record, read consistently; an expired one counts as absent. */
    public Optional<Record> get(String id, Instant now) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.idempotency(id), Keys.IDEMPOTENCY))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || Attr.lng(item, Resources.TABLE_TTL_ATTRIBUTE, 0) < now.getEpochSecond()) return Optional.empty();
        return Optional.of(new Record(Attr.str(item, "bodyHash"), (int) Attr.lng(item, "status", 0),
                Attr.str(item, "body"), Attr.str(item, "contentType")));
    }

    /** Stores the first answer, replayed until {@link #RETENTION} after {@code now}. */
    public void complete(String id, int status, String body, String contentType, Instant now) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.idempotency(id), Keys.IDEMPOTENCY))
                .updateExpression("SET #s = :s, body = :b, contentType = :c, #x = :e")
                .expressionAttributeNames(Map.of("#s", "status", "#x", Resources.TABLE_TTL_ATTRIBUTE))
                .expressionAttributeValues(Map.of(":s", Attr.n((long) status), ":b", Attr.s(body),
                        ":c", Attr.s(contentType), ":e", Attr.n(now.plus(RETENTION).getEpochSecond()))));
    }

    /** Releases a claim whose request did not succeed, so that a retry runs again. */
    public void release(String id) {
        Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.idempotency(id), Keys.IDEMPOTENCY))
                .conditionExpression("attribute_not_exists(#s)")
                .expressionAttributeNames(Map.of("#s", "status"))));
    }
}
