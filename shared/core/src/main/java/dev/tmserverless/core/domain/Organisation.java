package dev.tmserverless.core.domain;

import java.util.List;

/** An organisation; {@code managers} are user ids. */
public record Organisation(long id, String name, String slug, String logo, String description, String url,
                           String type, List<Long> managers) {
    public Organisation {
        managers = managers == null ? List.of() : List.copyOf(managers);
    }

    public boolean isManager(long userId) { return managers.contains(userId); }
}
