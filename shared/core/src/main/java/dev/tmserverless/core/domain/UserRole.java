package dev.tmserverless.core.domain;

public enum UserRole {
    READ_ONLY(-1), MAPPER(0), ADMIN(1);

    public final int code;

    UserRole(int code) { this.code = code; }
}
