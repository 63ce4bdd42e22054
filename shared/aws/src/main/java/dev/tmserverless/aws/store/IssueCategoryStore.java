package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Mapping-issue categories (what a validator records with an invalidation), in partition {@code ISSUECATEGORY}. */
@Singleton
public class IssueCategoryStore extends SimpleItemStore<IssueCategoryStore.Category> {
    public record Category(long id, String name, String description, boolean archived) {}

    public IssueCategoryStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        super(new SmallCollection(ddb, config.table(), counters, "ISSUECATEGORY"));
    }

    public Category create(String name, String description, boolean archived) {
        return createWith(id -> new Category(id, name, description, archived));
    }

    @Override
    long id(Category c) { return c.id(); }

    @Override
    void write(Category c, Map<String, AttributeValue> i) {
        i.put("name", Attr.s(c.name()));
        i.put("description", Attr.s(c.description()));
        i.put("archived", Attr.bool(c.archived()));
    }

    @Override
    Category read(Map<String, AttributeValue> i) {
        return new Category(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "description"), Attr.bool(i, "archived"));
    }
}
