package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Organisation;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Organisations, with their managers' user ids on the item. Every organisation item is in gsi1 partition
 * {@code ORGS} (the list); names and slugs are unique through guard items {@code ORGNAME#name} and
 * {@code ORGSLUG#slug}, the slug guard doubling as the slug lookup (docs/data-model.md).
 */
@Singleton
public class OrgStore {
    /** The name or slug ({@link #field}) is held by another organisation. */
    public static final class Taken extends RuntimeException {
        private final String field;
        private final String value;

        Taken(String field, String value) {
            super(field + " already taken: " + value, null, false, false);
            this.field = field;
            this.value = value;
        }

        /** {@code "name"} or {@code "slug"}. */
        public String field() { return field; }

        public String value() { return value; }
    }

    /** The fields an update replaces; {@code managers} replaces the list. */
    public record Changes(String name, String slug, String logo, String description, String url, String type,
                          Integer subscriptionTier, List<Long> managers) {}

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;
    private final UniqueNames names;
    private final UniqueNames slugs;

    public OrgStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
        this.names = new UniqueNames(ddb, table, Keys.ORG_NAME, id -> get(id).map(Organisation::name));
        this.slugs = new UniqueNames(ddb, table, Keys.ORG_SLUG, id -> get(id).map(Organisation::slug));
    }

    /** Creates the organisation; {@link Taken} if its name or slug belongs to another one (nothing is left written). */
    public Organisation create(String name, String slug, String logo, String description, String url, String type,
                               List<Long> managers) {
        return create(name, slug, logo, description, url, type, null, managers);
    }

    public Organisation create(String name, String slug, String logo, String description, String url, String type,
                               Integer subscriptionTier, List<Long> managers) {
        long id = counters.next("ORGANISATION");
        Organisation org = new Organisation(id, name, slug, logo, description, url, type, subscriptionTier, managers);
        claim(names, "name", name, id);
        try {
            claim(slugs, "slug", slug, id);
        } catch (RuntimeException e) {
            names.release(name, id);
            throw e;
        }
        Map<String, AttributeValue> item = item(org);
        ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        return org;
    }

    public Optional<Organisation> get(long id) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.org(id), Keys.META)).consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) return Optional.empty();
        return Optional.of(read(item));
    }

    /** The organisation whose slug is {@code slug} (GetItem on the slug guard, then on the organisation). */
    public Optional<Organisation> bySlug(String slug) {
        // a guard left behind by an interrupted rename names an organisation that has another slug now
        return slugs.holder(slug).flatMap(this::get).filter(o -> slug.equals(o.slug()));
    }

    /** Every organisation: one Query of gsi1 partition {@code ORGS}, paged. */
    public List<Organisation> all() {
        List<Organisation> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var res = ddb.query(b -> {
                b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :o")
                        .expressionAttributeValues(Map.of(":o", Attr.s(Keys.ORGS)));
                if (from != null) b.exclusiveStartKey(from);
            });
            res.items().forEach(item -> out.add(read(item)));
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /**
     * Applies {@code c} to {@code current}: a new name or slug is claimed first ({@link Taken} if another
     * organisation holds it, and nothing changes), then the item is replaced if nobody changed it meanwhile,
     * then the old guards are released. Returns false if the organisation changed or vanished meanwhile.
     */
    public boolean update(Organisation current, Changes c) {
        Organisation next = new Organisation(current.id(), c.name(), c.slug(), c.logo(), c.description(), c.url(),
                c.type(), c.subscriptionTier(), c.managers());
        boolean newName = !next.name().equals(current.name());
        boolean newSlug = !next.slug().equals(current.slug());
        if (newName) claim(names, "name", next.name(), current.id());
        try {
            if (newSlug) claim(slugs, "slug", next.slug(), current.id());
        } catch (RuntimeException e) {
            if (newName) names.release(next.name(), current.id());
            throw e;
        }
        Map<String, AttributeValue> item = item(next);
        // name and slug must still be the ones whose guards this update swaps; other fields: last write wins
        if (!Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("#n = :n AND slug = :s")
                .expressionAttributeNames(Map.of("#n", "name"))
                .expressionAttributeValues(Map.of(":n", Attr.s(current.name()), ":s", Attr.s(current.slug())))))) {
            if (newName) names.release(next.name(), current.id());
            if (newSlug) slugs.release(next.slug(), current.id());
            return false;
        }
        if (newName) names.release(current.name(), current.id());
        if (newSlug) slugs.release(current.slug(), current.id());
        return true;
    }

    /** Deletes the organisation item, then its guards. */
    public void delete(Organisation org) {
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.org(org.id()), Keys.META)));
        names.release(org.name(), org.id());
        slugs.release(org.slug(), org.id());
    }

    /** Takes a name or slug for organisation {@code id} ({@link UniqueNames}); {@link Taken} if another holds it. */
    private void claim(UniqueNames guards, String field, String value, long id) {
        try {
            guards.claim(value, id);
        } catch (NameTaken e) {
            throw new Taken(field, value);
        }
    }

    private static Map<String, AttributeValue> item(Organisation org) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.org(org.id()), Keys.META));
        item.put("id", Attr.n(org.id()));
        item.put("name", Attr.s(org.name()));
        item.put("slug", Attr.s(org.slug()));
        item.put("logo", Attr.s(org.logo()));
        item.put("description", Attr.s(org.description()));
        item.put("url", Attr.s(org.url()));
        item.put("type", Attr.s(org.type()));
        item.put("tier", Attr.n(org.subscriptionTier()));
        item.put("managers", managers(org.managers()));
        item.put("gsi1pk", Attr.s(Keys.ORGS));
        item.put("gsi1sk", Attr.s(Keys.orgSort(org.id())));
        return item;
    }

    private static AttributeValue managers(List<Long> ids) {
        return AttributeValue.fromL(ids.stream().map(Attr::n).toList());
    }

    static Organisation read(Map<String, AttributeValue> item) {
        AttributeValue m = item.get("managers");
        List<Long> managers = m == null || m.l() == null ? List.of()
                : m.l().stream().map(v -> Long.parseLong(v.n())).toList();
        return new Organisation(Objects.requireNonNull(Attr.lng(item, "id")), Attr.str(item, "name"),
                Attr.str(item, "slug"), Attr.str(item, "logo"), Attr.str(item, "description"), Attr.str(item, "url"),
                Attr.str(item, "type"), Attr.integer(item, "tier"), managers);
    }
}
