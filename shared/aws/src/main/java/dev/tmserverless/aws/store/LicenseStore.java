package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Imagery licences a project may require its mappers to accept, in partition {@code LICENSE}. */
@Singleton
public class LicenseStore extends SimpleItemStore<LicenseStore.License> {
    public record License(long id, String name, String description, String plainText) {}

    public LicenseStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        super(new SmallCollection(ddb, config.table(), counters, "LICENSE"));
    }

    public License create(String name, String description, String plainText) {
        return createWith(id -> new License(id, name, description, plainText));
    }

    @Override
    long id(License l) { return l.id(); }

    @Override
    void write(License l, Map<String, AttributeValue> i) {
        i.put("name", Attr.s(l.name()));
        i.put("description", Attr.s(l.description()));
        i.put("plainText", Attr.s(l.plainText()));
    }

    @Override
    License read(Map<String, AttributeValue> i) {
        return new License(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "description"), Attr.str(i, "plainText"));
    }
}
