package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Mapping-issue categories (what a validator records with an invalidation): a few items in one partition. */
@Singleton
public class IssueCategoryStore {
    public record Category(long id, String name, String description, boolean archived) {}

    private static final String PARTITION = "ISSUECATEGORIES";

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;

    public IssueCategoryStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    public Category create(String name, String description, boolean archived) {
        Category c = new Category(counters.next("ISSUECATEGORY"), name, description, archived);
        put(c);
        return c;
    }

    /** Replaces a category that exists; false if it does not. */
    public boolean update(Category c) {
        Map<String, AttributeValue> item = item(c);
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_exists(pk)")));
    }

    public boolean delete(long id) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(Attr.key(PARTITION, key(id)))
                .conditionExpression("attribute_exists(pk)")));
    }

    public Optional<Category> get(long id) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(PARTITION, key(id))).consistentRead(true)).item();
        return i == null || i.isEmpty() ? Optional.empty() : Optional.of(read(i));
    }

    /** Every category in id order (one Query). */
    public List<Category> all() {
        List<Category> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(PARTITION)))).items().forEach(i -> out.add(read(i)));
        return out;
    }

    private void put(Category c) {
        Map<String, AttributeValue> item = item(c);
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    private static String key(long id) { return "CATEGORY#" + String.format("%010d", id); }

    private static Map<String, AttributeValue> item(Category c) {
        Map<String, AttributeValue> i = new HashMap<>(Attr.key(PARTITION, key(c.id())));
        i.put("id", Attr.n(c.id()));
        i.put("name", Attr.s(c.name()));
        i.put("description", Attr.s(c.description()));
        i.put("archived", Attr.bool(c.archived()));
        return i;
    }

    private static Category read(Map<String, AttributeValue> i) {
        return new Category(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "description"), Attr.bool(i, "archived"));
    }
}
