package dev.tmserverless.core.domain;

/** History row kinds, stored and sent as their names. */
public enum TaskAction {
    LOCKED_FOR_MAPPING, LOCKED_FOR_VALIDATION, STATE_CHANGE, COMMENT, AUTO_UNLOCKED_FOR_MAPPING,
    AUTO_UNLOCKED_FOR_VALIDATION, EXTENDED_FOR_MAPPING, EXTENDED_FOR_VALIDATION;

    /** Rows that stand for a period of holding a lock; their text is the period's length once it ends. */
    public boolean isLockPeriod() {
        return this == LOCKED_FOR_MAPPING || this == LOCKED_FOR_VALIDATION
                || this == EXTENDED_FOR_MAPPING || this == EXTENDED_FOR_VALIDATION;
    }

    public TaskAction autoUnlocked() {
        return switch (this) {
            case LOCKED_FOR_MAPPING, EXTENDED_FOR_MAPPING -> AUTO_UNLOCKED_FOR_MAPPING;
            case LOCKED_FOR_VALIDATION, EXTENDED_FOR_VALIDATION -> AUTO_UNLOCKED_FOR_VALIDATION;
            default -> throw new IllegalStateException(this + " is not a lock period");
        };
    }
}
