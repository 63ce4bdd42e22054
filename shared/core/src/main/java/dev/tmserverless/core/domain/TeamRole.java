package dev.tmserverless.core.domain;

import java.util.EnumSet;
import java.util.Set;

/** The role a team has on a project; stored as the reference's integers. */
public enum TeamRole {
    READ_ONLY(-1), MAPPER(0), VALIDATOR(1), PROJECT_MANAGER(2);

    public final int code;

    TeamRole(int code) { this.code = code; }

    /** Roles whose active members may map on a TEAMS project (or a private one). */
    public static final Set<TeamRole> MAPPING = EnumSet.of(MAPPER, VALIDATOR, PROJECT_MANAGER);
    /** Roles whose active members may validate on a TEAMS project. */
    public static final Set<TeamRole> VALIDATION = EnumSet.of(VALIDATOR, PROJECT_MANAGER);
}
