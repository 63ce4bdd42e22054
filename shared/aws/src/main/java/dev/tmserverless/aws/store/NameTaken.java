package dev.tmserverless.aws.store;

/** A unique name (or permalink) is held by another item; nothing was written. */
public final class NameTaken extends RuntimeException {
    private final String value;

    NameTaken(String value) {
        super("taken: " + value);
        this.value = value;
    }

    public String value() { return value; }
}
