package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserProfile;
import dev.tmserverless.core.domain.UserRole;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    private final Counters counters;

    public UserStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
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
    /** OSM display names are at most 255 characters; a longer one names nobody (and would overflow a key). */
    public Optional<User> byUsername(String username) {
        if (username == null || username.length() > 255) return Optional.empty();
        var res = ddb.query(b -> b.tableName(table).indexName("gsi1")
                .keyConditionExpression("gsi1pk = :u AND gsi1sk = :k")
                .expressionAttributeValues(Map.of(":u", Attr.s(Keys.username(username)), ":k", Attr.s("USER"))));
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
        item.put("gsi2pk", Attr.s(Keys.USERS));
        item.put("gsi2sk", Attr.s(Keys.userSort(username, id)));
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
                    ":g", Attr.s(Keys.username(username)), ":p", Attr.s(pictureUrl), ":at", Attr.n(now.toEpochMilli()),
                    ":d", Attr.s(Keys.USERS), ":ds", Attr.s(Keys.userSort(username, id))));
            String update = "SET username = :n, gsi1pk = :g, picture = :p, nameAt = :at, gsi2pk = :d, gsi2sk = :ds";
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
                .updateExpression("SET #l = :l, levelName = :ln REMOVE nominated, votes").conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#l", "level"))
                .expressionAttributeValues(Map.of(":l", Attr.n((long) level.id), ":ln", Attr.s(level.name()))));
    }

    /**
     * Moves the user from level {@code from} to {@code to} on condition that they are still at {@code from}; a
     * pending nomination and its votes end with it. False if the user moved meanwhile (or does not exist).
     */
    public boolean changeLevelWrite(long userId, MappingLevel from, MappingLevel to) {
        // a user item without a level is at the beginner level
        String condition = from.id == MappingLevel.BEGINNER.id
                ? "attribute_exists(pk) AND (#l = :from OR attribute_not_exists(#l))" : "#l = :from";
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("SET #l = :l, levelName = :ln REMOVE nominated, votes")
                .conditionExpression(condition)
                .expressionAttributeNames(Map.of("#l", "level"))
                .expressionAttributeValues(Map.of(":l", Attr.n((long) to.id), ":ln", Attr.s(to.name()),
                        ":from", Attr.n((long) from.id)))));
    }

    static Map<String, AttributeValue> profileKey(long userId) { return Attr.key(Keys.user(userId), Keys.PROFILE); }

    static User read(Map<String, AttributeValue> item) {
        Set<Integer> licenses = new HashSet<>();
        AttributeValue l = item.get("licenses");
        if (l != null && l.hasNs()) l.ns().forEach(n -> licenses.add(Integer.parseInt(n)));
        int roleCode = Attr.integer(item, "role");
        UserRole role = roleCode == 1 ? UserRole.ADMIN : roleCode == -1 ? UserRole.READ_ONLY : UserRole.MAPPER;
        String registered = Attr.str(item, "registered");
        return new User(Attr.lng(item, "id"), Attr.str(item, "username"), role,
                level(item),
                Attr.str(item, "picture"), Attr.str(item, "email"),
                registered == null ? null : Instant.parse(registered), licenses);
    }

    private static MappingLevel level(Map<String, AttributeValue> item) {
        Integer id = Attr.integer(item, "level");
        if (id == null || id < 1) return MappingLevel.BEGINNER;
        return MappingLevel.of(id, Attr.str(item, "levelName"));
    }

    // ---------------------------------------------------------------- profile (docs/people.md)

    /** The user with their profile, from the one user item. */
    public Optional<UserProfile> profile(long id) {
        var item = ddb.getItem(b -> b.tableName(table).key(profileKey(id)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(readProfile(item));
    }

    /** Profiles of the users with these ids that exist (BatchGetItem). */
    public Map<Long, UserProfile> profiles(java.util.Collection<Long> ids) {
        Map<Long, UserProfile> out = new HashMap<>();
        var keys = ids.stream().distinct().map(UserStore::profileKey).toList();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            UserProfile p = readProfile(item);
            out.put(p.user().id(), p);
        }
        return out;
    }

    /**
     * The profile fields a user edits about themself. Null means "leave as it is"; {@code texts} and
     * {@code notifications} hold only the fields given. A changed {@code email} is stored unverified.
     */
    public record ProfileChanges(Map<String, String> texts, Map<String, Boolean> notifications, String defaultEditor,
                                 String gender, String selfDescriptionGender, Boolean expert, String email) {}

    /** Writes a user's own profile changes in one update; returns whether the e-mail address changed. */
    public boolean updateProfileWrite(long userId, ProfileChanges c) {
        UserProfile before = profile(userId).orElseThrow();
        boolean emailChanged = c.email() != null && !c.email().equalsIgnoreCase(
                before.user().emailAddress() == null ? "" : before.user().emailAddress());
        List<String> sets = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        int[] n = {0};
        java.util.function.BiConsumer<String, AttributeValue> set = (attr, v) -> {
            int i = n[0]++;
            names.put("#a" + i, attr);
            values.put(":v" + i, v);
            sets.add("#a" + i + " = :v" + i);
        };
        c.texts().forEach((k, v) -> set.accept("p_" + k, Attr.s(v)));
        c.notifications().forEach((k, v) -> set.accept("n_" + k, Attr.bool(v)));
        if (c.defaultEditor() != null) set.accept("editor", Attr.s(c.defaultEditor()));
        if (c.gender() != null) {
            set.accept("gender", Attr.s(c.gender()));
            if ("SELF_DESCRIBE".equals(c.gender())) {
                set.accept("genderSelf", Attr.s(c.selfDescriptionGender()));
            } else {
                names.put("#gs", "genderSelf");
                removes.add("#gs");
            }
        }
        if (c.expert() != null) set.accept("expert", Attr.bool(c.expert()));
        if (emailChanged) {
            set.accept("email", Attr.s(c.email()));
            set.accept("emailVerified", Attr.bool(false));
        }
        if (sets.isEmpty() && removes.isEmpty()) return false;
        String expr = (sets.isEmpty() ? "" : "SET " + String.join(", ", sets))
                + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
        // decided from the address read above: written only if it is still that address
        String oldEmail = before.user().emailAddress();
        String condition;
        if (oldEmail == null) {
            condition = "attribute_exists(pk) AND (attribute_not_exists(email) OR attribute_type(email, :nulType))";
            values.put(":nulType", Attr.s("NULL"));
        } else {
            condition = "email = :oldEmail";
            values.put(":oldEmail", Attr.s(oldEmail));
        }
        if (!Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression(expr.trim()).conditionExpression(condition).expressionAttributeNames(names)
                .expressionAttributeValues(values)))) {
            throw new dev.tmserverless.core.error.ApiException(dev.tmserverless.core.error.ErrorCode.CONFLICT);
        }
        return emailChanged;
    }

    /** Marks the address verified, on condition that it is still the user's address (false otherwise). */
    public boolean verifyEmailWrite(long userId, String email) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("SET emailVerified = :t").conditionExpression("email = :e")
                .expressionAttributeValues(Map.of(":t", Attr.bool(true), ":e", Attr.s(email)))));
    }

    public void setExpertWrite(long userId, boolean expert) {
        ddb.updateItem(b -> b.tableName(table).key(profileKey(userId)).updateExpression("SET expert = :x")
                .conditionExpression("attribute_exists(pk)").expressionAttributeValues(Map.of(":x", Attr.bool(expert))));
    }

    /** Adds a project to those the user mapped (a set: adding it again changes nothing). */
    public void addMappedProjectWrite(long userId, long projectId) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("ADD mapped :p").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromNs(List.of(Long.toString(projectId)))))));
    }

    /** Replaces the statistics badges are earned from, with the time they were taken. */
    public void recordStatsWrite(long userId, Map<String, Long> stats, Instant at) {
        Map<String, AttributeValue> m = new HashMap<>();
        stats.forEach((k, v) -> m.put(k, Attr.n(v)));
        ddb.updateItem(b -> b.tableName(table).key(profileKey(userId)).updateExpression("SET stats = :s, statsAt = :t")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromM(m), ":t", Attr.s(at.toString()))));
    }

    /** Gives the user a badge they do not hold yet; false if they already held it (so a holder is counted once). */
    public boolean awardBadgeWrite(long userId, long badgeId) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("ADD badges :b")
                .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(badges) OR NOT contains(badges, :id))")
                .expressionAttributeValues(Map.of(":b", AttributeValue.fromNs(List.of(Long.toString(badgeId))),
                        ":id", Attr.n(badgeId)))));
    }

    /** Nominates the user for a level (administrators vote); a nomination for another level and its votes end. */
    public boolean nominateWrite(long userId, int levelId) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("SET nominated = :l REMOVE votes")
                .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(nominated) OR nominated <> :l)")
                .expressionAttributeValues(Map.of(":l", Attr.n((long) levelId)))));
    }

    /** One administrator's vote for the user's nomination to {@code levelId}; false if that is not their nomination. */
    public boolean voteWrite(long userId, int levelId, long voterId) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("ADD votes :v").conditionExpression("nominated = :l")
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromNs(List.of(Long.toString(voterId))),
                        ":l", Attr.n((long) levelId)))));
    }

    /**
     * Removes what identifies a person from their user item (the reference's account deletion): the username becomes
     * {@code user_<id>}, profile texts, e-mail, gender, picture, expert mode and accepted licences go, an
     * administrator becomes a mapper. Tasks, teams and statistics stay, attributed to {@code user_<id>}.
     */
    public void anonymiseWrite(long userId) {
        UserProfile p = profile(userId).orElseThrow();
        String name = "user_" + userId;
        List<String> removes = new ArrayList<>(List.of("email", "picture", "gender", "genderSelf", "licenses", "stats", "statsAt"));
        for (String f : UserProfile.TEXT_FIELDS) removes.add("p_" + f);
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < removes.size(); i++) names.put("#r" + i, removes.get(i));
        names.put("#role", "role");
        String remove = String.join(", ", names.keySet().stream().filter(k -> k.startsWith("#r") && !k.equals("#role")).sorted().toList());
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":n", Attr.s(name), ":g", Attr.s(Keys.username(name)),
                ":ds", Attr.s(Keys.userSort(name, userId)), ":f", Attr.bool(false),
                ":role", Attr.n((long) (p.user().isAdmin() ? UserRole.MAPPER : p.user().role()).code)));
        ddb.updateItem(b -> b.tableName(table).key(profileKey(userId))
                .updateExpression("SET username = :n, gsi1pk = :g, gsi2sk = :ds, emailVerified = :f, expert = :f, #role = :role"
                        + " REMOVE " + remove)
                .conditionExpression("attribute_exists(pk)").expressionAttributeNames(names).expressionAttributeValues(values));
    }

    /**
     * Keeps an address left by somebody without an OSM account: {@code REGISTERED#<address> / UNIQUE} holding an id
     * from a counter; an address kept before answers its first id.
     */
    public long registerEmailWrite(String email) {
        var key = Attr.key("REGISTERED#" + email, Keys.UNIQUE);
        var existing = ddb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        if (existing != null && !existing.isEmpty()) return Attr.lng(existing, "id");
        long id = counters.next("REGISTERED");
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put("id", Attr.n(id));
        item.put("email", Attr.s(email));
        if (Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")))) {
            return id;
        }
        return Attr.lng(ddb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item(), "id");
    }

    /** Every user in username order (gsi2), read page by page: the user list filters these in memory. */
    public List<UserProfile> allByName() {
        return queryDirectory(null);
    }

    /** Users whose lower-case username starts with {@code prefix}, in username order. */
    public List<UserProfile> byNamePrefix(String prefix) {
        if (prefix.length() > 255) return List.of();
        return queryDirectory(prefix.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The user list's filters, served by the directory Query's FilterExpression: a substring of the lower-case
     * username (null: any), roles and level ids (empty: any).
     */
    public record DirectoryFilter(String nameContains, Set<UserRole> roles, Set<Integer> levels) {}

    /**
     * The {@code take} users after the first {@code skip} that match {@code f}, in username order (gsi2). DynamoDB
     * pages are read in order and reading stops once the page is full: a page costs the items up to its end, never
     * the rest of the directory.
     */
    public List<UserProfile> directoryPage(DirectoryFilter f, long skip, int take) {
        List<UserProfile> out = new ArrayList<>();
        if (take <= 0) return out;
        long[] skipped = {0};
        Map<String, AttributeValue> start = null;
        // each DynamoDB page evaluates at most the items still needed (a filter may drop some: then one more page)
        int limit = (int) Math.max(25, Math.min(1_000, skip + take));
        do {
            var q = directoryQuery(f).limit(limit).exclusiveStartKey(start).build();
            var r = ddb.query(q);
            for (Map<String, AttributeValue> i : r.items()) {
                if (!nameMatches(f, Attr.str(i, "gsi1pk"))) continue;
                if (skipped[0] < skip) {
                    skipped[0]++;
                    continue;
                }
                out.add(readProfile(i));
                if (out.size() == take) return out;
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /**
     * How many users match {@code f}: a {@code Select=COUNT} Query, which answers counts and no items (DynamoDB still
     * evaluates every directory item: the one part of the list that is not page-wise, docs/people.md).
     */
    public long directoryCount(DirectoryFilter f) {
        long n = 0;
        Map<String, AttributeValue> start = null;
        // a name with '#' can also match across the key's "USERNAME#" prefix: those keys are read and checked
        boolean exact = f.nameContains() == null || !f.nameContains().contains("#");
        do {
            var q = directoryQuery(f);
            q = exact ? q.select(software.amazon.awssdk.services.dynamodb.model.Select.COUNT) : q.projectionExpression("gsi1pk");
            var r = ddb.query(q.exclusiveStartKey(start).build());
            if (exact) n += r.count();
            else for (var i : r.items()) if (nameMatches(f, Attr.str(i, "gsi1pk"))) n++;
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return n;
    }

    /** Whether the lower-case username in a name key ({@code USERNAME#<lower-case username>}) contains the filter's name. */
    private static boolean nameMatches(DirectoryFilter f, String nameKey) {
        if (f.nameContains() == null || f.nameContains().isEmpty()) return true;
        String prefix = Keys.username("");
        if (nameKey == null || !nameKey.startsWith(prefix)) return false;
        return nameKey.substring(prefix.length()).contains(f.nameContains().toLowerCase(java.util.Locale.ROOT));
    }

    private software.amazon.awssdk.services.dynamodb.model.QueryRequest.Builder directoryQuery(DirectoryFilter f) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":d", Attr.s(Keys.USERS)));
        Map<String, String> names = new HashMap<>();
        List<String> filters = new ArrayList<>();
        if (f.nameContains() != null && !f.nameContains().isEmpty()) {
            // the index's own keys cannot be filtered on; gsi1pk is "USERNAME#<lower-case username>", and a lower-case
            // needle meets its upper-case prefix only through '#' (checked again on the items, nameMatches)
            filters.add("contains(gsi1pk, :name)");
            values.put(":name", Attr.s(f.nameContains().toLowerCase(java.util.Locale.ROOT)));
        }
        if (!f.roles().isEmpty()) {
            names.put("#role", "role");
            List<String> any = new ArrayList<>();
            // stored as the role's code; anything but ADMIN and READ_ONLY (a missing role included) reads as MAPPER
            if (f.roles().contains(UserRole.ADMIN)) any.add("#role = :admin");
            if (f.roles().contains(UserRole.READ_ONLY)) any.add("#role = :readOnly");
            if (f.roles().contains(UserRole.MAPPER)) any.add("NOT (#role IN (:admin, :readOnly))");
            // DynamoDB refuses a value the expression does not use
            if (f.roles().contains(UserRole.MAPPER) || f.roles().contains(UserRole.ADMIN)) values.put(":admin", Attr.n((long) UserRole.ADMIN.code));
            if (f.roles().contains(UserRole.MAPPER) || f.roles().contains(UserRole.READ_ONLY)) {
                values.put(":readOnly", Attr.n((long) UserRole.READ_ONLY.code));
            }
            filters.add("(" + String.join(" OR ", any) + ")");
        }
        if (!f.levels().isEmpty()) {
            names.put("#lvl", "level");
            List<String> keys = new ArrayList<>();
            int k = 0;
            for (Integer id : f.levels().stream().sorted().toList()) {
                values.put(":l" + k, Attr.n((long) id));
                keys.add(":l" + k++);
            }
            String in = "#lvl IN (" + String.join(", ", keys) + ")";
            // a user without a level reads as a beginner
            filters.add(f.levels().contains(MappingLevel.BEGINNER.id) ? "(" + in + " OR attribute_not_exists(#lvl))" : in);
        }
        var b = software.amazon.awssdk.services.dynamodb.model.QueryRequest.builder().tableName(table).indexName("gsi2")
                .keyConditionExpression("gsi2pk = :d").expressionAttributeValues(values);
        if (!names.isEmpty()) b.expressionAttributeNames(names);
        if (!filters.isEmpty()) b.filterExpression(String.join(" AND ", filters));
        return b;
    }

    private List<UserProfile> queryDirectory(String prefix) {
        List<UserProfile> out = new ArrayList<>();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":d", Attr.s(Keys.USERS)));
        String cond = "gsi2pk = :d";
        if (prefix != null && !prefix.isEmpty()) {
            cond += " AND begins_with(gsi2sk, :p)";
            values.put(":p", Attr.s(prefix));
        }
        String c = cond;
        ddb.queryPaginator(b -> b.tableName(table).indexName("gsi2").keyConditionExpression(c)
                .expressionAttributeValues(values)).items().forEach(i -> out.add(readProfile(i)));
        return out;
    }

    static UserProfile readProfile(Map<String, AttributeValue> item) {
        User u = read(item);
        Map<String, String> texts = new HashMap<>();
        for (String f : UserProfile.TEXT_FIELDS) {
            String v = Attr.str(item, "p_" + f);
            if (v != null) texts.put(f, v);
        }
        Map<String, Boolean> notifications = new HashMap<>();
        for (String f : UserProfile.NOTIFICATION_DEFAULTS.keySet()) {
            AttributeValue v = item.get("n_" + f);
            if (v != null && v.bool() != null) notifications.put(f, v.bool());
        }
        Map<String, Long> stats = new HashMap<>();
        AttributeValue st = item.get("stats");
        if (st != null && st.hasM()) st.m().forEach((k, v) -> { if (v.n() != null) stats.put(k, Long.parseLong(v.n())); });
        String statsAt = Attr.str(item, "statsAt");
        return new UserProfile(u, texts, Attr.str(item, "gender"), Attr.str(item, "genderSelf"), Attr.str(item, "editor"),
                notifications, Attr.bool(item, "expert"), Attr.bool(item, "emailVerified"), numbers(item, "mapped"),
                numbers(item, "badges"), stats, statsAt == null ? null : Instant.parse(statsAt),
                Attr.integer(item, "nominated"), numbers(item, "votes"));
    }

    private static Set<Long> numbers(Map<String, AttributeValue> item, String name) {
        Set<Long> out = new HashSet<>();
        AttributeValue v = item.get(name);
        if (v != null && v.hasNs()) v.ns().forEach(x -> out.add(Long.parseLong(x)));
        return out;
    }
}
