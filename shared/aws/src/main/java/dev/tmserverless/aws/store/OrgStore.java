package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Organisation;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Organisations, with their managers' user ids on the item. */
@Singleton
public class OrgStore {
    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;

    public OrgStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    public Organisation create(String name, String slug, String logo, String description, String url, String type,
                               List<Long> managers) {
        long id = counters.next("ORGANISATION");
        Organisation org = new Organisation(id, name, slug, logo, description, url, type, managers);
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.org(id), Keys.META));
        item.put("id", Attr.n(id));
        item.put("name", Attr.s(name));
        item.put("slug", Attr.s(slug));
        item.put("logo", Attr.s(logo));
        item.put("description", Attr.s(description));
        item.put("url", Attr.s(url));
        item.put("type", Attr.s(type));
        item.put("managers", AttributeValue.fromL(managers.stream().map(Attr::n).toList()));
        ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        return org;
    }

    public Optional<Organisation> get(long id) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.org(id), Keys.META))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        List<Long> managers = item.get("managers").l().stream().map(v -> Long.parseLong(v.n())).toList();
        return Optional.of(new Organisation(id, Attr.str(item, "name"), Attr.str(item, "slug"), Attr.str(item, "logo"),
                Attr.str(item, "description"), Attr.str(item, "url"), Attr.str(item, "type"), managers));
    }
}
