package dev.tmserverless.core.domain;

import java.time.Instant;
import java.util.Set;

/** A Tasking Manager user; {@code id} is the OpenStreetMap user id. */
public record User(long id, String username, UserRole role, MappingLevel mappingLevel, String pictureUrl,
                   String emailAddress, Instant dateRegistered, Set<Integer> acceptedLicenses) {
    public User {
        acceptedLicenses = acceptedLicenses == null ? Set.of() : Set.copyOf(acceptedLicenses);
    }

    public boolean isAdmin() { return role == UserRole.ADMIN; }

    public boolean isBlocked() { return role == UserRole.READ_ONLY; }

    public Actor actor() { return new Actor(id, username); }
}
