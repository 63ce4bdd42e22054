package dev.tmserverless.core.domain;

import java.time.Instant;

/**
 * A user's place in a team: an inactive member has asked to join and waits for a team manager.
 * {@code joinRequestNotifications}: a manager who wants a notice for each join request.
 */
public record TeamMember(long teamId, long userId, Team.Function function, boolean active, Instant joined,
                         boolean joinRequestNotifications) {
    public TeamMember(long teamId, long userId, Team.Function function, boolean active, Instant joined) {
        this(teamId, userId, function, active, joined, false);
    }

    /** An active manager: counts towards the team's managers, who may never drop to none. */
    public boolean isActiveManager() { return active && function == Team.Function.MANAGER; }
}
