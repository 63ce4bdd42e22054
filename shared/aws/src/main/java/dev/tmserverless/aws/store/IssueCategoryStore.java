package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Mapping-issue categories (what a validator records with an invalidation), in partition {@code ISSUECATEGORY}. */
@Singleton
public class IssueCategoryStore {
    public record Category(long id, String name, String description, boolean archived) {}

    private final SmallCollection items;

    public IssueCategoryStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.items = new SmallCollection(ddb, config.table(), counters, "ISSUECATEGORY");
    }

    public Category create(String name, String description, boolean archived) {
        Category c = new Category(items.nextId(), name, description, archived);
        items.put(item(c));
        return c;
    }

    /** Replaces a category that exists; false if it does not. */
    public boolean update(Category c) { return items.replace(item(c)); }

    public boolean delete(long id) { return items.delete(id); }

    public Optional<Category> get(long id) { return items.get(id).map(IssueCategoryStore::read); }

    /** Every category in id order (one Query). */
    public List<Category> all() { return items.all().stream().map(IssueCategoryStore::read).toList(); }

    private Map<String, AttributeValue> item(Category c) {
        Map<String, AttributeValue> i = items.item(c.id());
        i.put("name", Attr.s(c.name()));
        i.put("description", Attr.s(c.description()));
        i.put("archived", Attr.bool(c.archived()));
        return i;
    }

    private static Category read(Map<String, AttributeValue> i) {
        return new Category(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "description"), Attr.bool(i, "archived"));
    }
}
