package dev.tmserverless.aws.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Uniqueness of a text field of one kind of item (a campaign's name, a partner's permalink …) without transactions:
 * a guard item {@code <prefix>#<value>} / {@code UNIQUE} names the item that holds the value. The writer claims the
 * guard first (conditional put), then writes its item, then releases the guard of the value it gave up. A guard left
 * behind by an interrupted write names an item that does not have that value: the next claimant takes it over,
 * conditionally on it still naming the same holder, but only once the guard is older than {@link #IN_FLIGHT_MILLIS}.
 * A younger one may belong to a write still under way (claimed, its item not written yet): taking it over then would
 * let two racing creates of one name both succeed.
 */
final class UniqueNames {
    /** Longer than any function runs (API functions end within API Gateway's 30 s): a write this old has ended. */
    static final long IN_FLIGHT_MILLIS = 60_000;
    private final DynamoDbClient ddb;
    private final String table;
    private final String prefix;
    /** The value the item with this id has now, or empty if there is no such item. */
    private final LongFunction<Optional<String>> currentOf;

    UniqueNames(DynamoDbClient ddb, String table, String prefix, LongFunction<Optional<String>> currentOf) {
        this.ddb = ddb;
        this.table = table;
        this.prefix = prefix;
        this.currentOf = currentOf;
    }

    private String pk(String value) { return prefix + "#" + value; }

    /** Takes {@code value} for item {@code id}; {@link NameTaken} if another item has it. */
    void claim(String value, long id) {
        Map<String, AttributeValue> guard = new HashMap<>(Attr.key(pk(value), Keys.UNIQUE));
        guard.put("id", Attr.n(id));
        guard.put("at", Attr.n(System.currentTimeMillis()));
        if (Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(guard)
                .conditionExpression("attribute_not_exists(pk) OR id = :me").expressionAttributeValues(Map.of(":me", Attr.n(id)))))) {
            return;
        }
        var held = guard(value);
        long holder = held.map(g -> Attr.lng(g, "id", -1)).orElse(-1L);
        if (holder >= 0 && currentOf.apply(holder).map(value::equals).orElse(false)) throw new NameTaken(value);
        // guards written before claims were dated count as old
        if (holder >= 0 && System.currentTimeMillis() - Attr.lng(held.get(), "at", 0) < IN_FLIGHT_MILLIS) throw new NameTaken(value);
        boolean taken = holder < 0
                ? Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(guard).conditionExpression("attribute_not_exists(pk)")))
                : Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(guard).conditionExpression("id = :holder")
                        .expressionAttributeValues(Map.of(":holder", Attr.n(holder)))));
        if (!taken) throw new NameTaken(value);
    }

    /** Gives up {@code value} if item {@code id} holds it. */
    void release(String value, long id) {
        Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(pk(value), Keys.UNIQUE))
                .conditionExpression("id = :me").expressionAttributeValues(Map.of(":me", Attr.n(id)))));
    }

    /** The id the guard of {@code value} names (it may be stale: check the item). */
    Optional<Long> holder(String value) { return guard(value).map(g -> Attr.lng(g, "id", -1)); }

    /** The guard item of {@code value}, read consistently. */
    private Optional<Map<String, AttributeValue>> guard(String value) {
        var held = ddb.getItem(b -> b.tableName(table).key(Attr.key(pk(value), Keys.UNIQUE)).consistentRead(true)).item();
        return held == null || held.isEmpty() ? Optional.empty() : Optional.of(held);
    }
}
