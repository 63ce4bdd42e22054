package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Campaigns (partition {@code CAMPAIGN}, names unique through {@link UniqueNames}) and their links: a project's
 * campaign is an item {@code PROJECT#<p>} / {@code CAMPAIGN#<c>}, an organisation's {@code ORG#<o>} /
 * {@code CAMPAIGN#<c>}; both are in gsi1 partition {@code CAMPAIGNLINKS#<c>} (sorted {@code PROJECT#…} and
 * {@code ORG#…}), so a campaign's projects and organisations are one Query each. docs/reference-data.md.
 */
@Singleton
public class CampaignStore {
    public record Campaign(long id, String name, String logo, String url, String description) {}

    private static final String CAMPAIGN_PREFIX = "CAMPAIGN#";

    private final DynamoDbClient ddb;
    private final String table;
    private final SmallCollection items;
    private final UniqueNames names;

    public CampaignStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.items = new SmallCollection(ddb, config.table(), counters, "CAMPAIGN");
        this.names = new UniqueNames(ddb, config.table(), "CAMPAIGNNAME", id -> get(id).map(Campaign::name));
    }

    /** A new campaign; {@link NameTaken} if another has the name (nothing is written). */
    public Campaign create(String name, String logo, String url, String description) {
        Campaign c = new Campaign(items.nextId(), name, logo, url, description);
        names.claim(name, c.id());
        items.put(item(c));
        return c;
    }

    /**
     * Replaces {@code current} by {@code next} (same id) if nobody renamed it meanwhile; false if it changed or is
     * gone. {@link NameTaken} if another campaign has the new name (nothing changes).
     */
    public boolean replace(Campaign current, Campaign next) {
        boolean rename = !current.name().equals(next.name());
        if (rename) names.claim(next.name(), next.id());
        if (!items.replaceIf(item(next), "name", current.name())) {
            if (rename) names.release(next.name(), next.id());
            return false;
        }
        if (rename) names.release(current.name(), current.id());
        return true;
    }

    /** Deletes the campaign, its name, then its links to projects and organisations; false if it did not exist. */
    public boolean delete(Campaign c) {
        if (!items.delete(c.id())) return false;
        names.release(c.name(), c.id());
        List<WriteRequest> deletes = new ArrayList<>();
        for (var link : links(c.id(), "")) {
            deletes.add(WriteRequest.builder().deleteRequest(d -> d.key(Attr.key(Attr.str(link, "pk"), Attr.str(link, "sk")))).build());
        }
        Dynamo.batchWrite(ddb, table, deletes);
        return true;
    }

    public Optional<Campaign> get(long id) { return items.get(id).map(CampaignStore::read); }

    /** Every campaign, in id order (one Query). */
    public List<Campaign> all() { return items.all().stream().map(CampaignStore::read).toList(); }

    /**
     * Links the campaign to the project, then adds it to the project's search summary (docs/search.md); false if it
     * already was linked (the summary is brought in line all the same).
     */
    public boolean linkProject(long projectId, long campaignId) {
        boolean linked = link(Keys.project(projectId), "PROJECT#" + pad(projectId), campaignId);
        SearchSummaries.changeWriting(ddb, table, projectId, null, SearchSummaries.CAMPAIGNS + " :c", null, null, null,
                Map.of(":c", SearchSummaries.idSet(List.of(campaignId))));
        return linked;
    }

    /** Unlinks, and takes the campaign out of the project's search summary; false if they were not linked. */
    public boolean unlinkProject(long projectId, long campaignId) {
        boolean unlinked = unlink(Keys.project(projectId), campaignId);
        SearchSummaries.changeWriting(ddb, table, projectId, null, null, null, SearchSummaries.CAMPAIGNS + " :c", null,
                Map.of(":c", SearchSummaries.idSet(List.of(campaignId))));
        return unlinked;
    }

    public List<Long> ofProject(long projectId) { return campaignIds(Keys.project(projectId)); }

    public List<Long> projectsOf(long campaignId) {
        return links(campaignId, "PROJECT#").stream().map(i -> Attr.lng(i, "ownerId")).toList();
    }

    public boolean linkOrganisation(long orgId, long campaignId) {
        return link(Keys.org(orgId), "ORG#" + pad(orgId), campaignId);
    }

    public boolean unlinkOrganisation(long orgId, long campaignId) { return unlink(Keys.org(orgId), campaignId); }

    public List<Long> ofOrganisation(long orgId) { return campaignIds(Keys.org(orgId)); }

    public List<Long> organisationsOf(long campaignId) {
        return links(campaignId, "ORG#").stream().map(i -> Attr.lng(i, "ownerId")).toList();
    }

    private boolean link(String ownerPk, String ownerSort, long campaignId) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(ownerPk, CAMPAIGN_PREFIX + pad(campaignId)));
        item.put("campaignId", Attr.n(campaignId));
        item.put("ownerId", Attr.n(Long.parseLong(ownerPk.substring(ownerPk.indexOf('#') + 1))));
        item.put("gsi1pk", Attr.s("CAMPAIGNLINKS#" + campaignId));
        item.put("gsi1sk", Attr.s(ownerSort));
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")));
    }

    private boolean unlink(String ownerPk, long campaignId) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(ownerPk, CAMPAIGN_PREFIX + pad(campaignId))).conditionExpression("attribute_exists(pk)")));
    }

    private List<Long> campaignIds(String ownerPk) {
        List<Long> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :o AND begins_with(sk, :c)")
                        .expressionAttributeValues(Map.of(":o", Attr.s(ownerPk), ":c", Attr.s(CAMPAIGN_PREFIX))))
                .items().forEach(i -> out.add(Attr.lng(i, "campaignId")));
        return out;
    }

    private List<Map<String, AttributeValue>> links(long campaignId, String ownerPrefix) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        String partition = "CAMPAIGNLINKS#" + campaignId;
        ddb.queryPaginator(b -> {
            b.tableName(table).indexName("gsi1");
            if (ownerPrefix.isEmpty()) {
                b.keyConditionExpression("gsi1pk = :c").expressionAttributeValues(Map.of(":c", Attr.s(partition)));
            } else {
                b.keyConditionExpression("gsi1pk = :c AND begins_with(gsi1sk, :o)")
                        .expressionAttributeValues(Map.of(":c", Attr.s(partition), ":o", Attr.s(ownerPrefix)));
            }
        }).items().forEach(out::add);
        return out;
    }

    private Map<String, AttributeValue> item(Campaign c) {
        Map<String, AttributeValue> m = items.item(c.id());
        m.put("name", Attr.s(c.name()));
        m.put("logo", Attr.s(c.logo()));
        m.put("url", Attr.s(c.url()));
        m.put("description", Attr.s(c.description()));
        return m;
    }

    private static Campaign read(Map<String, AttributeValue> i) {
        return new Campaign(Attr.lng(i, "id"), Attr.str(i, "name"), Attr.str(i, "logo"), Attr.str(i, "url"),
                Attr.str(i, "description"));
    }

    private static String pad(long id) { return String.format("%010d", id); }
}
