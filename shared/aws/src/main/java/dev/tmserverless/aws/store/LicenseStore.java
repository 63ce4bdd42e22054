package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Imagery licences a project may require its mappers to accept, in partition {@code LICENSE}. */
@Singleton
public class LicenseStore {
    public record License(long id, String name, String description, String plainText) {}

    private final SmallCollection items;

    public LicenseStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.items = new SmallCollection(ddb, config.table(), counters, "LICENSE");
    }

    public License create(String name, String description, String plainText) {
        License l = new License(items.nextId(), name, description, plainText);
        items.put(item(l));
        return l;
    }

    /** Replaces a licence that exists; false if it does not. */
    public boolean update(License l) { return items.replace(item(l)); }

    public boolean delete(long id) { return items.delete(id); }

    public Optional<License> get(long id) { return items.get(id).map(LicenseStore::read); }

    public List<License> all() { return items.all().stream().map(LicenseStore::read).toList(); }

    private Map<String, AttributeValue> item(License l) {
        Map<String, AttributeValue> i = items.item(l.id());
        i.put("name", Attr.s(l.name()));
        i.put("description", Attr.s(l.description()));
        i.put("plainText", Attr.s(l.plainText()));
        return i;
    }

    private static License read(Map<String, AttributeValue> i) {
        return new License(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "description"), Attr.str(i, "plainText"));
    }
}
