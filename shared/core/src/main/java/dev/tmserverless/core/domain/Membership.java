package dev.tmserverless.core.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * The roles of the teams attached to one project in which one user is an <em>active</em> member. The caller
 * computes it (teams are stored elsewhere); {@link #NONE} until teams exist.
 */
public record Membership(Set<TeamRole> roles) {
    public static final Membership NONE = new Membership(Set.of());

    public Membership {
        roles = roles == null || roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    public static Membership of(TeamRole... roles) {
        return new Membership(roles.length == 0 ? Set.of() : EnumSet.of(roles[0], roles));
    }

    /** Member of at least one attached team whose role is in {@code wanted}. */
    public boolean hasAny(Set<TeamRole> wanted) {
        for (TeamRole r : roles) if (wanted.contains(r)) return true;
        return false;
    }
}
