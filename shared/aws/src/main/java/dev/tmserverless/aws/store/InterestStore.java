package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Interests (partition {@code INTEREST}, names unique through {@link UniqueNames}), and which interests a user and a
 * project have: one item each ({@code USER#<id>} / {@code INTERESTS}, {@code PROJECT#<id>} / {@code INTERESTS}), so
 * setting them is one put that replaces the whole set. docs/reference-data.md.
 */
@Singleton
public class InterestStore {
    public record Interest(long id, String name) {}

    static final String INTERESTS = "INTERESTS";

    private final DynamoDbClient ddb;
    private final String table;
    private final SmallCollection items;
    private final UniqueNames names;

    public InterestStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.items = new SmallCollection(ddb, config.table(), counters, "INTEREST");
        this.names = new UniqueNames(ddb, config.table(), "INTERESTNAME", id -> get(id).map(Interest::name));
    }

    /** A new interest; {@link NameTaken} if another has the name (nothing is written). */
    public Interest create(String name) {
        Interest i = new Interest(items.nextId(), name);
        names.claim(name, i.id());
        items.put(item(i));
        return i;
    }

    /** Renames an interest; false if it does not exist; {@link NameTaken} if another has the name. */
    public boolean rename(long id, String name) {
        Optional<Interest> current = get(id);
        if (current.isEmpty()) return false;
        String old = current.get().name();
        if (old.equals(name)) return true;
        names.claim(name, id);
        if (!items.replaceIf(item(new Interest(id, name)), "name", old)) {
            names.release(name, id);
            return get(id).isPresent() && rename(id, name);
        }
        names.release(old, id);
        return true;
    }

    /** Deletes an interest, then its name; false if it does not exist. Users and projects that have it drop it on read. */
    public boolean delete(long id) {
        Optional<Interest> current = get(id);
        if (current.isEmpty() || !items.delete(id)) return false;
        names.release(current.get().name(), id);
        return true;
    }

    public Optional<Interest> get(long id) { return items.get(id).map(InterestStore::read); }

    /** Every interest, in id order (one Query). */
    public List<Interest> all() { return items.all().stream().map(InterestStore::read).toList(); }

    /**
     * The interests these ids name, in the given order (one Query of all interests); 404 INTEREST_NOT_FOUND for
     * the first id that names none. The one check of interest ids, before a user's or a project's set is written.
     */
    public List<Interest> existing(List<Long> ids) {
        if (ids.isEmpty()) return List.of();
        Map<Long, Interest> byId = new HashMap<>();
        all().forEach(i -> byId.put(i.id(), i));
        List<Interest> out = new java.util.ArrayList<>();
        for (long id : ids) {
            Interest i = byId.get(id);
            if (i == null) throw notFound(id);
            out.add(i);
        }
        return out;
    }

    public static ApiException notFound(long id) {
        return new ApiException(ErrorCode.INTEREST_NOT_FOUND, ErrorCode.INTEREST_NOT_FOUND.message, Map.of("interest_id", id));
    }

    public List<Long> ofUser(long userId) { return ids(Keys.user(userId)); }

    /** Replaces the user's interests (one put). */
    public void setForUser(long userId, List<Long> ids) { put(Keys.user(userId), ids); }

    public List<Long> ofProject(long projectId) { return ids(Keys.project(projectId)); }

    /** Each project's interest ids (projects without any left out): one BatchGetItem per 100 projects. */
    public Map<Long, List<Long>> ofProjects(java.util.Collection<Long> projectIds) {
        Map<Long, List<Long>> out = new java.util.TreeMap<>();
        var keys = projectIds.stream().distinct().map(id -> Attr.key(Keys.project(id), INTERESTS)).toList();
        for (var i : Dynamo.batchGet(ddb, table, keys)) {
            if (!i.containsKey("ids")) continue;
            out.put(Long.parseLong(Attr.str(i, "pk").substring("PROJECT#".length())),
                    i.get("ids").l().stream().map(v -> Long.parseLong(v.n())).toList());
        }
        return out;
    }

    /** Replaces the project's interests (one put), then its search summary's copy of them (docs/search.md). */
    public void setForProject(long projectId, List<Long> ids) {
        put(Keys.project(projectId), ids);
        if (ids.isEmpty()) {
            SearchSummaries.changeWriting(ddb, table, projectId, null, null, SearchSummaries.INTERESTS, null, null, Map.of());
        } else {
            SearchSummaries.changeWriting(ddb, table, projectId, SearchSummaries.INTERESTS + " = :i", null, null, null, null,
                    Map.of(":i", SearchSummaries.idSet(ids)));
        }
    }

    private List<Long> ids(String pk) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(pk, INTERESTS)).consistentRead(true)).item();
        if (i == null || i.isEmpty() || !i.containsKey("ids")) return List.of();
        return i.get("ids").l().stream().map(v -> Long.parseLong(v.n())).toList();
    }

    private void put(String pk, List<Long> ids) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(pk, INTERESTS));
        item.put("ids", AttributeValue.fromL(new LinkedHashSet<>(ids).stream().map(Attr::n).toList()));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    private Map<String, AttributeValue> item(Interest i) {
        Map<String, AttributeValue> m = items.item(i.id());
        m.put("name", Attr.s(i.name()));
        return m;
    }

    private static Interest read(Map<String, AttributeValue> i) {
        return new Interest(Attr.lng(i, "id"), Attr.str(i, "name"));
    }
}
