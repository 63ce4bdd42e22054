package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Mapping badges (docs/people.md "Badges"), all in partition {@code BADGE}. A badge's {@code requirements} is the
 * reference's JSON object of statistic name ⇒ threshold, kept as the text the administrator sent. Each badge item
 * counts its holders ({@code holders}), so a badge that users have earned is not deleted.
 */
@Singleton
public class BadgeStore {
    public record Badge(long id, String name, String description, String imagePath, String requirements,
                        boolean enabled, boolean internal, long holders) {}

    private final DynamoDbClient ddb;
    private final String table;
    private final SmallCollection items;

    public BadgeStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.items = new SmallCollection(ddb, table, counters, "BADGE");
    }

    /** Every badge, by name as the reference lists them. */
    public List<Badge> all() {
        return items.all().stream().map(BadgeStore::read)
                .sorted(Comparator.comparing(Badge::name).thenComparingLong(Badge::id)).toList();
    }

    public Optional<Badge> get(long id) { return items.get(id).map(BadgeStore::read); }

    public Badge create(String name, String description, String imagePath, String requirements, boolean enabled,
                        boolean internal) {
        Badge b = new Badge(items.nextId(), name, description, imagePath, requirements, enabled, internal, 0);
        items.put(item(b));
        return b;
    }

    /** Writes the editable fields of a badge that exists (holders kept); false if it does not. */
    public boolean update(Badge b) {
        var values = new HashMap<String, AttributeValue>();
        values.put(":n", Attr.s(b.name()));
        values.put(":d", Attr.s(b.description()));
        values.put(":i", Attr.s(b.imagePath()));
        values.put(":r", Attr.s(b.requirements()));
        values.put(":e", Attr.bool(b.enabled()));
        values.put(":x", Attr.bool(b.internal()));
        return Dynamo.conditionally(() -> ddb.updateItem(u -> u.tableName(table).key(items.keyOf(b.id()))
                .updateExpression("SET #n = :n, description = :d, imagePath = :i, requirements = :r, enabled = :e, internal = :x")
                .conditionExpression("attribute_exists(pk)").expressionAttributeNames(Map.of("#n", "name"))
                .expressionAttributeValues(values)));
    }

    public enum Deleted { DELETED, NOT_FOUND, HAS_USERS }

    /** Deletes a badge nobody holds. */
    public Deleted delete(long id) {
        boolean done = Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(items.keyOf(id))
                .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(holders) OR holders <= :zero)")
                .expressionAttributeValues(Map.of(":zero", Attr.n(0L)))));
        if (done) return Deleted.DELETED;
        return get(id).isPresent() ? Deleted.HAS_USERS : Deleted.NOT_FOUND;
    }

    /** One more holder, after the badge was added to a user (UserStore#awardBadgeWrite won). */
    public void addHolderWrite(long id) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(items.keyOf(id))
                .updateExpression("ADD holders :one").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":one", Attr.n(1L)))));
    }

    private Map<String, AttributeValue> item(Badge b) {
        Map<String, AttributeValue> i = items.item(b.id());
        i.put("name", Attr.s(b.name()));
        i.put("description", Attr.s(b.description()));
        i.put("imagePath", Attr.s(b.imagePath()));
        i.put("requirements", Attr.s(b.requirements()));
        i.put("enabled", Attr.bool(b.enabled()));
        i.put("internal", Attr.bool(b.internal()));
        return i;
    }

    private static Badge read(Map<String, AttributeValue> i) {
        return new Badge(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "description"), Attr.str(i, "imagePath"),
                Attr.str(i, "requirements"), Attr.bool(i, "enabled"), Attr.bool(i, "internal"), Attr.lng(i, "holders", 0));
    }
}
