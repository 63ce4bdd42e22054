package dev.tmserverless.core.domain;

import java.util.Optional;

/** The seeded mapping levels: id and ordering coincide; new users are BEGINNER. */
public enum MappingLevel {
    BEGINNER(1), INTERMEDIATE(2), ADVANCED(3);

    public final int id;

    MappingLevel(int id) { this.id = id; }

    public int ordering() { return id; }

    public static Optional<MappingLevel> ofId(int id) {
        for (MappingLevel l : values()) if (l.id == id) return Optional.of(l);
        return Optional.empty();
    }
}
