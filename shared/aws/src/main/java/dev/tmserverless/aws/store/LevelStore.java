package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.MappingLevel;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mapping levels (docs/people.md "Levels"), all in partition {@code LEVEL}: the whole ladder is one Query.
 * The three seeded levels (BEGINNER 1, INTERMEDIATE 2, ADVANCED 3) are written the first time the ladder is read
 * empty. A new level takes the next id and its ordering is its id, so it always sits above every existing level.
 * Names are unique (a guard item per name, as organisations have), because administrators set a user's level by
 * name. Each level item counts the users at that level ({@code users}), so a level that users hold is not deleted.
 *
 * <p>Read methods for other functions: {@link #all()} (ordered from the lowest), {@link #get(int)},
 * {@link #next(int)} (the level above a given one, or empty at the top).
 */
@Singleton
public class LevelStore {
    /** A level: its required badges are badge ids; {@code users} counts the users at this level. */
    public record Level(int id, String name, int approvalsRequired, String color, boolean beginner,
                        Set<Long> requiredBadges, long users) {
        public int ordering() { return id; }

        public MappingLevel asMappingLevel() { return MappingLevel.of(id, name); }
    }

    private static final String PARTITION = "LEVEL";
    /** Level ids after the seeded three come from this counter, offset by the seeds. */
    private static final String COUNTER = "LEVEL";

    private final DynamoDbClient ddb;
    private final String table;
    private final SmallCollection items;
    private final Counters counters;
    /** Level names are unique regardless of case and surrounding spaces: the guards hold {@link #normal} names. */
    private final UniqueNames names;

    public LevelStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
        this.items = new SmallCollection(ddb, table, counters, PARTITION);
        this.names = new UniqueNames(ddb, table, "LEVELNAME", id -> items.get(id).map(i -> normal(read(i).name())));
    }

    /** Every level, lowest first; seeds the three reference levels when there are none. */
    public List<Level> all() {
        List<Level> levels = new ArrayList<>(items.all().stream().map(LevelStore::read).toList());
        if (levels.isEmpty()) {
            writeSeedsIfMissing();
            levels = new ArrayList<>(items.all().stream().map(LevelStore::read).toList());
        }
        levels.sort(Comparator.comparingInt(Level::ordering));
        return levels;
    }

    public Optional<Level> get(int id) {
        Optional<Level> l = items.get(id).map(LevelStore::read);
        if (l.isEmpty() && MappingLevel.ofId(id).isPresent() && items.all().isEmpty()) {
            writeSeedsIfMissing();
            l = items.get(id).map(LevelStore::read);
        }
        return l;
    }

    /** The level with this name (case-insensitive), if any. */
    public Optional<Level> byName(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        return all().stream().filter(l -> l.name().toUpperCase(Locale.ROOT).equals(n)).findFirst();
    }

    /** The lowest level above {@code ordering}, or empty when there is none. */
    public Optional<Level> next(int ordering) {
        return all().stream().filter(l -> l.ordering() > ordering).findFirst();
    }

    /** The level new users get. */
    public Level beginner() {
        return all().stream().filter(Level::beginner).findFirst().orElseGet(() -> all().get(0));
    }

    /**
     * Creates a level above every other one. Empty if its name is taken (a guard names another level).
     */
    public Optional<Level> create(String name, int approvalsRequired, String color, boolean beginner, Set<Long> badges) {
        all(); // the seeds exist before the first created level
        int id = (int) (MappingLevel.seeded().size() + counters.next(COUNTER));
        if (!claimName(name, id)) return Optional.empty();
        Level l = new Level(id, name, approvalsRequired, color, beginner, badges, 0);
        items.put(item(l));
        return Optional.of(l);
    }

    /**
     * Replaces a level's editable fields (name, approvals, colour, beginner flag, required badges), keeping its
     * user count. Empty if the level does not exist; {@code NAME_TAKEN} is answered by the exception.
     */
    public Optional<Level> update(Level changed) throws NameTakenException {
        Level old = get(changed.id()).orElse(null);
        if (old == null) return Optional.empty();
        boolean renamed = !normal(old.name()).equals(normal(changed.name()));
        if (renamed && !claimName(changed.name(), changed.id())) throw new NameTakenException();
        var values = new HashMap<String, AttributeValue>();
        values.put(":n", Attr.s(changed.name()));
        values.put(":a", Attr.n((long) changed.approvalsRequired()));
        values.put(":c", Attr.s(changed.color()));
        values.put(":b", Attr.bool(changed.beginner()));
        String update = "SET #n = :n, approvalsRequired = :a, color = :c, beginner = :b";
        if (changed.requiredBadges().isEmpty()) {
            update += " REMOVE badges";
        } else {
            update += ", badges = :badges";
            values.put(":badges", AttributeValue.fromNs(changed.requiredBadges().stream().map(String::valueOf).toList()));
        }
        String expr = update;
        if (!Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(key(changed.id()))
                .updateExpression(expr).conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#n", "name")).expressionAttributeValues(values)))) {
            return Optional.empty();
        }
        if (renamed) releaseName(old.name(), old.id());
        return get(changed.id());
    }

    /** Thrown when a rename asks for a name another level holds. */
    public static final class NameTakenException extends Exception {
        public NameTakenException() { super("level name taken", null, false, false); }
    }

    /** Outcome of a delete: done, no such level, or refused because users hold it. */
    public enum Deleted { DELETED, NOT_FOUND, HAS_USERS }

    /** Deletes a level no user holds (condition {@code users} absent or 0); its name is free again. */
    public Deleted delete(int id) {
        Level l = get(id).orElse(null);
        if (l == null) return Deleted.NOT_FOUND;
        boolean done = Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(key(id))
                .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(#u) OR #u <= :zero)")
                .expressionAttributeNames(Map.of("#u", "users")).expressionAttributeValues(Map.of(":zero", Attr.n(0L)))));
        if (!done) return get(id).isPresent() ? Deleted.HAS_USERS : Deleted.NOT_FOUND;
        releaseName(l.name(), id);
        return Deleted.DELETED;
    }

    /**
     * Moves one user's count from level {@code from} to level {@code to}, after the user's own level was written
     * (null {@code from}: a new user). Counts only guard deletion; docs/people.md says how they can drift.
     */
    public void moveUserCountWrite(Integer from, int to) {
        if (from != null && from == to) return;
        if (from != null) addUsers(from, -1);
        addUsers(to, 1);
    }

    private void addUsers(int id, long n) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(key(id)).updateExpression("ADD #u :n")
                .conditionExpression("attribute_exists(pk)").expressionAttributeNames(Map.of("#u", "users"))
                .expressionAttributeValues(Map.of(":n", Attr.n(n)))));
    }

    private void writeSeedsIfMissing() {
        for (MappingLevel m : MappingLevel.seeded()) {
            Level l = new Level(m.id, m.name(), 0, null, m.id == MappingLevel.BEGINNER.id, Set.of(), 0);
            claimName(l.name(), l.id());
            Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item(l))
                    .conditionExpression("attribute_not_exists(pk)")));
        }
    }

    /** Claims {@code name} for level {@code id} ({@link UniqueNames}); false if another level has it. */
    private boolean claimName(String name, int id) {
        try {
            names.claim(normal(name), id);
            return true;
        } catch (NameTaken e) {
            return false;
        }
    }

    private void releaseName(String name, int id) { names.release(normal(name), id); }

    private static String normal(String name) { return name.trim().toUpperCase(Locale.ROOT); }

    private Map<String, AttributeValue> key(int id) { return items.keyOf(id); }

    private Map<String, AttributeValue> item(Level l) {
        Map<String, AttributeValue> i = items.item(l.id());
        i.put("name", Attr.s(l.name()));
        i.put("approvalsRequired", Attr.n((long) l.approvalsRequired()));
        i.put("color", Attr.s(l.color()));
        i.put("beginner", Attr.bool(l.beginner()));
        if (!l.requiredBadges().isEmpty()) {
            i.put("badges", AttributeValue.fromNs(l.requiredBadges().stream().map(String::valueOf).toList()));
        }
        return i;
    }

    private static Level read(Map<String, AttributeValue> i) {
        Set<Long> badges = new LinkedHashSet<>();
        AttributeValue b = i.get("badges");
        if (b != null && b.hasNs()) b.ns().stream().map(Long::parseLong).sorted().forEach(badges::add);
        Integer approvals = Attr.integer(i, "approvalsRequired");
        return new Level(Attr.integer(i, "id"), Attr.str(i, "name"), approvals == null ? 0 : approvals,
                Attr.str(i, "color"), Attr.bool(i, "beginner"), badges, Attr.lng(i, "users", 0));
    }
}
