package dev.tmserverless.core.domain;

/** A team of an organisation; its members are stored apart ({@link TeamMember}). */
public record Team(long id, long organisationId, String name, String logo, String description, JoinMethod joinMethod,
                   Visibility visibility) {
    /** How a user joins: at once (ANY), by a request a team manager accepts (BY_REQUEST), or only when added. */
    public enum JoinMethod { ANY, BY_REQUEST, BY_INVITE }

    /** PRIVATE teams are listed only to their members and to administrators. */
    public enum Visibility { PUBLIC, PRIVATE }

    /** A member's function in the team. */
    public enum Function { MANAGER, MEMBER }
}
