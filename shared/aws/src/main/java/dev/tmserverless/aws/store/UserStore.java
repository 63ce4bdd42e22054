package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Users: one item per user, found by id (key) or by username (gsi1). */
@Singleton
public class UserStore {
    private final DynamoDbClient ddb;
    private final String table;

    public UserStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    public Optional<User> get(long id) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(id), Keys.PROFILE))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(item));
    }

    /** The users of {@code ids} that exist, by id (BatchGetItem, 100 keys a call). */
    /** The users with these ids that exist (one BatchGetItem per 100 ids). */
    public Map<Long, User> getAll(java.util.Collection<Long> ids) {
        Map<Long, User> out = new HashMap<>();
        var keys = ids.stream().distinct().map(id -> Attr.key(Keys.user(id), Keys.PROFILE)).toList();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            User u = read(item);
            out.put(u.id(), u);
        }
        return out;
    }

    /**
     * The account that holds {@code username} now. Two accounts can carry the same name here: OSM display names
     * change hands, and an account renamed on OSM keeps its old name until its next login. The current holder is
     * the one whose login carried the name last ({@code nameAt}); accounts stored before that was recorded come
     * after, the newest OSM account first. So every lookup (profiles, managers, allow-lists) resolves the same way.
     */
    public Optional<User> byUsername(String username) {
        var res = ddb.query(b -> b.tableName(table).indexName("gsi1")
                .keyConditionExpression("gsi1pk = :u").expressionAttributeValues(Map.of(":u", Attr.s(Keys.username(username)))));
        return res.items().stream()
                .max(java.util.Comparator.comparingLong((Map<String, AttributeValue> i) -> Attr.lng(i, "nameAt", 0))
                        .thenComparingLong(i -> Attr.lng(i, "id", 0)))
                .map(UserStore::read);
    }

    /**
     * First login creates the user (MAPPER, BEGINNER); every login refreshes the username and picture from
     * OpenStreetMap. {@code admin} promotes (never demotes) a bootstrap administrator.
     */
    public User upsertOnLogin(long id, String username, String pictureUrl, String email, boolean admin, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.user(id), Keys.PROFILE));
        item.put("gsi1pk", Attr.s(Keys.username(username)));
        item.put("gsi1sk", Attr.s("USER"));
        item.put("id", Attr.n(id));
        item.put("username", Attr.s(username));
        item.put("role", Attr.n((long) (admin ? UserRole.ADMIN : UserRole.MAPPER).code));
        item.put("level", Attr.n((long) MappingLevel.BEGINNER.id));
        item.put("picture", Attr.s(pictureUrl));
        item.put("email", Attr.s(email));
        item.put("registered", Attr.s(now.toString()));
        item.put("nameAt", Attr.n(now.toEpochMilli()));
        if (!Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")))) {
            // an existing user: their OSM name and picture may have changed
            var values = new HashMap<String, AttributeValue>(Map.of(":n", Attr.s(username),
                    ":g", Attr.s(Keys.username(username)), ":p", Attr.s(pictureUrl), ":at", Attr.n(now.toEpochMilli())));
            String update = "SET username = :n, gsi1pk = :g, picture = :p, nameAt = :at";
            if (admin) {
                update += ", #r = :admin";
                values.put(":admin", Attr.n((long) UserRole.ADMIN.code));
            }
            String expr = update;
            var names = admin ? Map.of("#r", "role") : Map.<String, String>of();
            ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(id), Keys.PROFILE))
                    .updateExpression(expr).expressionAttributeValues(values)
                    .expressionAttributeNames(names.isEmpty() ? null : names));
        }
        return get(id).orElseThrow();
    }

    /** Records that the user accepted a licence (prerequisite for mapping projects that name one). */
    public void acceptLicense(long userId, int licenseId) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.PROFILE))
                .updateExpression("ADD licenses :l").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":l", AttributeValue.fromNs(java.util.List.of(Integer.toString(licenseId))))));
    }

    public void setRole(long userId, UserRole role) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.PROFILE))
                .updateExpression("SET #r = :r").conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#r", "role"))
                .expressionAttributeValues(Map.of(":r", Attr.n((long) role.code))));
    }

    public void setLevel(long userId, MappingLevel level) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.PROFILE))
                .updateExpression("SET #l = :l").conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#l", "level"))
                .expressionAttributeValues(Map.of(":l", Attr.n((long) level.id))));
    }

    static User read(Map<String, AttributeValue> item) {
        Set<Integer> licenses = new HashSet<>();
        AttributeValue l = item.get("licenses");
        if (l != null && l.hasNs()) l.ns().forEach(n -> licenses.add(Integer.parseInt(n)));
        int roleCode = Attr.integer(item, "role");
        UserRole role = roleCode == 1 ? UserRole.ADMIN : roleCode == -1 ? UserRole.READ_ONLY : UserRole.MAPPER;
        String registered = Attr.str(item, "registered");
        return new User(Attr.lng(item, "id"), Attr.str(item, "username"), role,
                MappingLevel.ofId(Attr.integer(item, "level")).orElse(MappingLevel.BEGINNER),
                Attr.str(item, "picture"), Attr.str(item, "email"),
                registered == null ? null : Instant.parse(registered), licenses);
    }
}
