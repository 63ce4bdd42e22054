package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Partners (partition {@code PARTNER}; name and permalink unique through {@link UniqueNames}) and project
 * partnerships (partition {@code PARTNERSHIP}, each also in gsi1 partition {@code PROJECTPARTNERS#<project>}, so a
 * project's partners are one Query). docs/reference-data.md.
 */
@Singleton
public class PartnerStore {
    public record Link(String name, String url) {}

    public record Partner(long id, String name, String primaryHashtag, String secondaryHashtag, String logoUrl,
                          String linkMeta, String linkX, String linkInstagram, String currentProjects, String permalink,
                          List<Link> websiteLinks, String mapswipeGroupId) {
        public Partner withId(long newId) {
            return new Partner(newId, name, primaryHashtag, secondaryHashtag, logoUrl, linkMeta, linkX, linkInstagram,
                    currentProjects, permalink, websiteLinks, mapswipeGroupId);
        }
    }

    public record Partnership(long id, long projectId, long partnerId, Instant startedOn, Instant endedOn) {}

    private final DynamoDbClient ddb;
    private final String table;
    private final SmallCollection partners;
    private final SmallCollection partnerships;
    private final UniqueNames names;
    private final UniqueNames permalinks;

    public PartnerStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.partners = new SmallCollection(ddb, config.table(), counters, "PARTNER");
        this.partnerships = new SmallCollection(ddb, config.table(), counters, "PARTNERSHIP");
        this.names = new UniqueNames(ddb, config.table(), "PARTNERNAME", id -> get(id).map(Partner::name));
        this.permalinks = new UniqueNames(ddb, config.table(), "PARTNERLINK", id -> get(id).map(Partner::permalink));
    }

    /** Creates {@code p} with a new id; {@link NameTaken} if its name or permalink is another partner's. */
    public Partner create(Partner p) {
        Partner withId = p.withId(partners.nextId());
        names.claim(withId.name(), withId.id());
        try {
            if (withId.permalink() != null) permalinks.claim(withId.permalink(), withId.id());
        } catch (RuntimeException e) {
            names.release(withId.name(), withId.id());
            throw e;
        }
        partners.put(item(withId));
        return withId;
    }

    /**
     * Replaces {@code current} by {@code next} if its name and permalink are still those of {@code current}; false if
     * it changed meanwhile or is gone; {@link NameTaken} if another partner has the new name or permalink.
     */
    public boolean replace(Partner current, Partner next) {
        boolean newName = !current.name().equals(next.name());
        boolean newLink = !Objects.equals(current.permalink(), next.permalink()) && next.permalink() != null;
        if (newName) names.claim(next.name(), next.id());
        try {
            if (newLink) permalinks.claim(next.permalink(), next.id());
        } catch (RuntimeException e) {
            if (newName) names.release(next.name(), next.id());
            throw e;
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":n", Attr.s(current.name()));
        String condition = "#n = :n AND " + (current.permalink() == null ? "(attribute_not_exists(permalink) OR attribute_type(permalink, :nul))"
                : "permalink = :l");
        if (current.permalink() == null) values.put(":nul", Attr.s("NULL"));
        else values.put(":l", Attr.s(current.permalink()));
        Map<String, AttributeValue> item = item(next);
        if (!Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression(condition)
                .expressionAttributeNames(Map.of("#n", "name")).expressionAttributeValues(values)))) {
            if (newName) names.release(next.name(), next.id());
            if (newLink) permalinks.release(next.permalink(), next.id());
            return false;
        }
        if (newName) names.release(current.name(), current.id());
        if (!Objects.equals(current.permalink(), next.permalink()) && current.permalink() != null) {
            permalinks.release(current.permalink(), current.id());
        }
        return true;
    }

    /** Deletes the partner, then its name and permalink; false if it did not exist. */
    public boolean delete(Partner p) {
        if (!partners.delete(p.id())) return false;
        names.release(p.name(), p.id());
        if (p.permalink() != null) permalinks.release(p.permalink(), p.id());
        return true;
    }

    public Optional<Partner> get(long id) { return partners.get(id).map(PartnerStore::read); }

    /** The partner whose permalink this is (a GetItem on the guard, then on the partner). */
    public Optional<Partner> byPermalink(String permalink) {
        return permalinks.holder(permalink).flatMap(this::get).filter(p -> permalink.equals(p.permalink()));
    }

    public List<Partner> all() { return partners.all().stream().map(PartnerStore::read).toList(); }

    // ---- partnerships ----

    public Partnership createPartnership(long projectId, long partnerId, Instant startedOn, Instant endedOn) {
        Partnership p = new Partnership(partnerships.nextId(), projectId, partnerId, startedOn, endedOn);
        partnerships.put(item(p));
        return p;
    }

    public Optional<Partnership> partnership(long id) { return partnerships.get(id).map(PartnerStore::readPartnership); }

    /** Replaces a partnership that exists; false if it does not. */
    public boolean updatePartnership(Partnership p) { return partnerships.replace(item(p)); }

    public boolean deletePartnership(long id) { return partnerships.delete(id); }

    /** A project's partnerships in id order (one Query of gsi1). */
    public List<Partnership> partnershipsOf(long projectId) {
        List<Partnership> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                        .expressionAttributeValues(Map.of(":p", Attr.s("PROJECTPARTNERS#" + projectId))))
                .items().forEach(i -> out.add(readPartnership(i)));
        return out;
    }

    /** Every partnership of a partner (one Query of all partnerships: there are few). */
    public List<Partnership> partnershipsOfPartner(long partnerId) {
        return partnerships.all().stream().map(PartnerStore::readPartnership).filter(p -> p.partnerId() == partnerId).toList();
    }

    private Map<String, AttributeValue> item(Partner p) {
        Map<String, AttributeValue> m = partners.item(p.id());
        m.put("name", Attr.s(p.name()));
        m.put("primaryHashtag", Attr.s(p.primaryHashtag()));
        m.put("secondaryHashtag", Attr.s(p.secondaryHashtag()));
        m.put("logoUrl", Attr.s(p.logoUrl()));
        m.put("linkMeta", Attr.s(p.linkMeta()));
        m.put("linkX", Attr.s(p.linkX()));
        m.put("linkInstagram", Attr.s(p.linkInstagram()));
        m.put("currentProjects", Attr.s(p.currentProjects()));
        m.put("permalink", Attr.s(p.permalink()));
        m.put("mapswipeGroupId", Attr.s(p.mapswipeGroupId()));
        m.put("websiteLinks", AttributeValue.fromL(p.websiteLinks().stream()
                .map(l -> AttributeValue.fromM(Map.of("name", Attr.s(l.name()), "url", Attr.s(l.url())))).toList()));
        return m;
    }

    private static Partner read(Map<String, AttributeValue> i) {
        List<Link> links = new ArrayList<>();
        if (i.containsKey("websiteLinks") && i.get("websiteLinks").hasL()) {
            for (AttributeValue v : i.get("websiteLinks").l()) links.add(new Link(Attr.str(v.m(), "name"), Attr.str(v.m(), "url")));
        }
        return new Partner(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "primaryHashtag"), Attr.str(i, "secondaryHashtag"),
                Attr.str(i, "logoUrl"), Attr.str(i, "linkMeta"), Attr.str(i, "linkX"), Attr.str(i, "linkInstagram"),
                Attr.str(i, "currentProjects"), Attr.str(i, "permalink"), links, Attr.str(i, "mapswipeGroupId"));
    }

    private Map<String, AttributeValue> item(Partnership p) {
        Map<String, AttributeValue> m = partnerships.item(p.id());
        m.put("projectId", Attr.n(p.projectId()));
        m.put("partnerId", Attr.n(p.partnerId()));
        m.put("startedOn", Attr.n(p.startedOn() == null ? null : p.startedOn().toEpochMilli()));
        m.put("endedOn", Attr.n(p.endedOn() == null ? null : p.endedOn().toEpochMilli()));
        m.put("gsi1pk", Attr.s("PROJECTPARTNERS#" + p.projectId()));
        m.put("gsi1sk", Attr.s(String.format("%010d", p.id())));
        return m;
    }

    private static Partnership readPartnership(Map<String, AttributeValue> i) {
        Long s = Attr.lng(i, "startedOn");
        Long e = Attr.lng(i, "endedOn");
        return new Partnership(Attr.lng(i, "id"), Attr.lng(i, "projectId"), Attr.lng(i, "partnerId"),
                s == null ? null : Instant.ofEpochMilli(s), e == null ? null : Instant.ofEpochMilli(e));
    }
}
