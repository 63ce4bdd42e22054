package dev.tmserverless.core.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A mapping level as a user carries it: its id and name. Levels are data (administrators add, rename and delete
 * them, docs/people.md "Levels"); a level's ordering equals its id, because a new level is always placed above
 * every existing one and takes the next id, so comparing levels needs no lookup. The three seeded levels are
 * constants; new users get {@link #BEGINNER}.
 */
public final class MappingLevel {
    public static final MappingLevel BEGINNER = new MappingLevel(1, "BEGINNER");
    public static final MappingLevel INTERMEDIATE = new MappingLevel(2, "INTERMEDIATE");
    public static final MappingLevel ADVANCED = new MappingLevel(3, "ADVANCED");
    private static final List<MappingLevel> SEEDED = List.of(BEGINNER, INTERMEDIATE, ADVANCED);

    public final int id;
    private final String name;

    public MappingLevel(int id, String name) {
        if (id < 1) throw new IllegalArgumentException("level id " + id);
        this.id = id;
        this.name = name == null ? seededName(id) : name;
    }

    public String name() { return name; }

    /** Higher is more experienced; equal to the id (see the class comment). */
    public int ordering() { return id; }

    /** One of the seeded levels by id. */
    public static Optional<MappingLevel> ofId(int id) {
        return SEEDED.stream().filter(l -> l.id == id).findFirst();
    }

    /** A level's id and name as stored on a user; a missing name reads as the seeded one, else {@code LEVEL_<id>}. */
    public static MappingLevel of(int id, String name) {
        return new MappingLevel(id, name);
    }

    public static List<MappingLevel> seeded() { return SEEDED; }

    private static String seededName(int id) {
        return ofId(id).map(MappingLevel::name).orElse("LEVEL_" + id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MappingLevel l && l.id == id && Objects.equals(l.name, name);
    }

    @Override
    public int hashCode() { return Objects.hash(id, name); }

    @Override
    public String toString() { return name; }
}
