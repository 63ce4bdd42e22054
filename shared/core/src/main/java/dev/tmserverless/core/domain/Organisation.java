package dev.tmserverless.core.domain;

import java.util.List;

/** An organisation; {@code managers} are user ids; {@code subscriptionTier} may be null. */
public record Organisation(long id, String name, String slug, String logo, String description, String url,
                           String type, Integer subscriptionTier, List<Long> managers) {
    public Organisation {
        managers = managers == null ? List.of() : List.copyOf(managers);
    }

    public boolean isManager(long userId) { return managers.contains(userId); }
}
