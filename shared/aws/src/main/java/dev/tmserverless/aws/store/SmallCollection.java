package dev.tmserverless.aws.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A short list of reference-data items (licences, mapping-issue categories …) kept in one partition, so the
 * whole list is one Query: items {@code <partition>} / {@code ITEM#<10-digit id>} with ids from a counter.
 */
final class SmallCollection {
    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;
    private final String partition;

    SmallCollection(DynamoDbClient ddb, String table, Counters counters, String partition) {
        this.ddb = ddb;
        this.table = table;
        this.counters = counters;
        this.partition = partition;
    }

    long nextId() { return counters.next(partition); }

    /** A new item's attributes, keyed for {@code id}. */
    Map<String, AttributeValue> item(long id) {
        Map<String, AttributeValue> i = new HashMap<>(Attr.key(partition, key(id)));
        i.put("id", Attr.n(id));
        return i;
    }

    void put(Map<String, AttributeValue> item) {
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    /** Replaces an item that exists; false if it does not. */
    boolean replace(Map<String, AttributeValue> item) {
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_exists(pk)")));
    }

    /** Replaces an item whose attribute {@code attr} still holds {@code expected}; false if it does not (or is gone). */
    boolean replaceIf(Map<String, AttributeValue> item, String attr, String expected) {
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("#a = :e")
                .expressionAttributeNames(Map.of("#a", attr)).expressionAttributeValues(Map.of(":e", Attr.s(expected)))));
    }

    boolean delete(long id) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(partition, key(id)))
                .conditionExpression("attribute_exists(pk)")));
    }

    Optional<Map<String, AttributeValue>> get(long id) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(partition, key(id))).consistentRead(true)).item();
        return i == null || i.isEmpty() ? Optional.empty() : Optional.of(i);
    }

    /** Every item in id order. */
    List<Map<String, AttributeValue>> all() {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(partition)))).items().forEach(out::add);
        return out;
    }

    private static String key(long id) { return "ITEM#" + String.format("%010d", id); }

    /** The table key of item {@code id}. */
    Map<String, AttributeValue> keyOf(long id) { return Attr.key(partition, key(id)); }
}
