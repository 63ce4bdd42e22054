package dev.tmserverless.core.domain;

import java.util.Locale;
import java.util.Optional;

/** Task states; the wire carries the name, storage the reference's integer. */
public enum TaskStatus {
    READY(0), LOCKED_FOR_MAPPING(1), MAPPED(2), LOCKED_FOR_VALIDATION(3), VALIDATED(4), INVALIDATED(5),
    BADIMAGERY(6), SPLIT(7);

    public final int code;

    TaskStatus(int code) { this.code = code; }

    public boolean isLocked() { return this == LOCKED_FOR_MAPPING || this == LOCKED_FOR_VALIDATION; }

    public static TaskStatus ofCode(int code) {
        for (TaskStatus s : values()) if (s.code == code) return s;
        throw new IllegalArgumentException("unknown task status " + code);
    }

    /** Case-insensitive name lookup, as the reference accepts {@code "mapped"}. */
    public static Optional<TaskStatus> parse(String name) {
        if (name == null) return Optional.empty();
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
