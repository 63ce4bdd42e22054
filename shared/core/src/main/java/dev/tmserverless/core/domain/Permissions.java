package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import dev.tmserverless.core.search.ProjectSummary;

import java.util.Locale;
import java.util.Set;

/**
 * The permission predicates: who manages a project, who sees it, who may map, validate and comment. The
 * checks run in the reference's order and the first failure wins (docs/workflow.md, "Permissions").
 * Team membership is an input ({@link Membership}); callers that do not know it pass {@link Membership#NONE}.
 */
public final class Permissions {
    private Permissions() {}

    /** PM(u, p): admin, author, or manager of the project's organisation. */
    public static boolean isProjectManager(User u, Project p, Organisation org) {
        return isProjectManager(u, p, org, Membership.NONE);
    }

    /** PM(u, p), also granted by active membership of a team that has the PROJECT_MANAGER role on the project. */
    public static boolean isProjectManager(User u, Project p, Organisation org, Membership m) {
        if (u == null) return false;
        return manages(u, p.authorId(), org) || m.roles().contains(TeamRole.PROJECT_MANAGER);
    }

    /** PM(u, p) without team roles, from the author and the organisation alone (what the search index knows). */
    public static boolean manages(User u, long authorId, Organisation org) {
        return u != null && (u.isAdmin() || authorId == u.id() || (org != null && org.isManager(u.id())));
    }

    /**
     * Whether project search lists a project for {@code u} (null: anonymous), before any status rule: public
     * projects for everybody; a private one for its PMs and its allow-list (docs/api-differences.md).
     */
    public static boolean listable(User u, ProjectSummary s, Organisation org) {
        if (!s.isPrivate()) return true;
        return u != null && (manages(u, s.authorId(), org) || s.allowedUserIds().contains(u.id()));
    }

    /**
     * Project search's DRAFT rule: an administrator sees every draft, anybody else only the drafts they manage
     * (author or manager of its organisation); anonymous callers none.
     */
    public static boolean listsDraft(User u, ProjectSummary s, Organisation org) {
        return manages(u, s.authorId(), org);
    }

    /**
     * Project search's {@code action=map} / {@code action=validate} rule for the caller's side (the project's
     * progress is the caller's check): anonymous callers pass; a logged-in caller needs the project's level,
     * and unless administrator a rule that asks no team (teams are not modelled, so no team membership can
     * satisfy one).
     */
    public static boolean listedFor(User u, ProjectSummary s, boolean validate) {
        if (u == null) return true;
        Rule rule = validate ? Rule.of(s.validationPermission(), s.validationLevel())
                : Rule.of(s.mappingPermission(), s.mappingLevel());
        if (u.mappingLevel().ordering() < rule.minLevelOrdering()) return false;
        return u.isAdmin() || !rule.teams();
    }

    /** Transferring a project: an administrator, its author or a manager of its organisation. */
    public static boolean canTransferProject(User u, Project p, Organisation org) {
        return manages(u, p.authorId(), org);
    }

    /** Who may receive a project: an administrator or a manager of the project's organisation. */
    public static boolean canOwnProject(User u, Organisation org) {
        return u != null && (u.isAdmin() || (org != null && org.isManager(u.id())));
    }

    /** Creating (and deleting) needs admin or a manager of that organisation (docs/api-differences.md D9). */
    public static boolean canCreateIn(User u, Organisation org) {
        return u.isAdmin() || org.isManager(u.id());
    }

    /**
     * Moving a project to another organisation hands its management to the target's managers: only they or an
     * administrator may (403 UserPermissionError otherwise).
     */
    public static boolean canMoveProjectTo(User u, Organisation target) {
        return u != null && (u.isAdmin() || target.isManager(u.id()));
    }

    /**
     * Administrators manage every project and every organisation: project search's "managed by me" is every
     * project for them, and they edit or delete an organisation whether it exists or not (404 then, where anybody
     * else is refused first).
     */
    public static boolean managesEverything(User u) {
        return u != null && u.isAdmin();
    }

    /** Project search's partner filters: administrators only (403 otherwise). */
    public static boolean canFilterByPartner(User u) {
        return u != null && u.isAdmin();
    }

    /** Creating an organisation: administrators only (403 OnlyAdminAccess). */
    public static boolean canCreateOrganisation(User u) {
        return u != null && u.isAdmin();
    }

    /** An organisation's type and subscription tier: set by administrators only (others' values are ignored). */
    public static boolean canSetOrganisationTier(User u) {
        return u != null && u.isAdmin();
    }

    /**
     * The site's shared content: the banner, licences and mapping-issue categories are written by administrators
     * only (each route's refusal: OnlyAdminAccess for the banner, the structured 403 for the others).
     */
    public static boolean canEditSiteContent(User u) {
        return u != null && u.isAdmin();
    }

    /**
     * Administrator-only actions (levels, badges, a user's role, level, expert mode, statistics, level votes):
     * 403 "Admin access required" otherwise.
     */
    public static void checkAdmin(User u) {
        if (u == null || !u.isAdmin()) throw new ApiException(ErrorCode.ADMIN_REQUIRED);
    }

    /**
     * Whether {@code viewer} sees the private part of {@code owner}'s profile (e-mail address, its verification,
     * gender): only the same OSM account. Usernames can change hands, so the ids are compared, never the names.
     */
    public static boolean seesPrivateProfile(User viewer, User owner) {
        return viewer != null && owner != null && viewer.id() == owner.id();
    }

    /** Deleting (anonymising) an account: the account itself or an administrator (401 UserPermissionError). */
    public static void checkCanDeleteUser(User caller, long userId) {
        if (caller.id() != userId && !caller.isAdmin()) throw new ApiException(ErrorCode.DELETE_USER_NOT_PERMITTED);
    }

    /** Voting for a user's level nomination: an administrator, never for themself (400 PermisisonError). */
    public static void checkCanVote(User voter, User nominee) {
        checkAdmin(voter);
        if (voter.id() == nominee.id()) throw new ApiException(ErrorCode.SELF_VOTE);
    }

    /** An application key is deleted by its owner only, administrators included (as the reference). */
    public static boolean canDeleteApplicationKey(User u, long ownerId) {
        return u != null && u.id() == ownerId;
    }

    /**
     * Managing an organisation (editing, deleting, and {@code isManager} in its DTO): an administrator or one
     * of its managers.
     */
    public static boolean canManageOrganisation(User u, Organisation org) {
        return u != null && org != null && (u.isAdmin() || org.isManager(u.id()));
    }

    /**
     * Creating a team in an organisation: an administrator or a manager of that organisation
     * (403 CreateTeamNotPermitted otherwise).
     */
    public static boolean canCreateTeam(User u, Organisation org) {
        return u != null && (u.isAdmin() || (org != null && org.isManager(u.id())));
    }

    /**
     * Managing a team (editing, deleting, adding members, answering join requests, assigning it to projects):
     * an administrator, an active manager of the team, or a manager of the team's organisation.
     * {@code member} is the caller's membership of the team, or null.
     */
    public static boolean canManageTeam(User u, Organisation org, TeamMember member) {
        if (u == null) return false;
        return u.isAdmin() || (member != null && member.isActiveManager()) || (org != null && org.isManager(u.id()));
    }

    /** Removing {@code username} from a team: a team manager, or the user themself (leaving). */
    public static boolean canRemoveFromTeam(User u, boolean teamManager, User removed) {
        return teamManager || (u != null && removed != null && u.id() == removed.id());
    }

    /** Private teams are listed only to their members (active or not) and administrators. */
    public static boolean canSeeTeam(User u, Team t, boolean isMember) {
        return t.visibility() == Team.Visibility.PUBLIC || isMember || (u != null && u.isAdmin());
    }

    /**
     * Who may see a project at all (docs/api-differences.md D8, D18). {@code u} is null for anonymous callers.
     * Drafts: PMs only. Private: PMs and the allow-list.
     */
    public static void checkVisible(User u, Project p, boolean pm) {
        checkVisible(u, p, pm, Membership.NONE);
    }

    /** A project everybody may see, signed in or not: neither private nor a draft ({@link #checkVisible} passes). */
    public static boolean visibleToAll(Project p) {
        return !p.isPrivate() && p.status() != ProjectStatus.DRAFT;
    }

    /** As above; active members of a team with a mapping role on the project also see a private project. */
    public static void checkVisible(User u, Project p, boolean pm, Membership m) {
        if (pm) return;
        checkPrivateAccess(u, p, false, m);
        if (p.status() == ProjectStatus.DRAFT) {
            throw new ApiException(u == null ? ErrorCode.PRIVATE_PROJECT : ErrorCode.PROJECT_NOT_FETCHED);
        }
    }

    /**
     * A private project is open to its PMs, its allow-list and the active members of its mapping-role teams; anybody
     * else gets 403 PrivateProject. Every task action checks this first (docs/api-differences.md D18).
     */
    public static void checkPrivateAccess(User u, Project p, boolean pm, Membership m) {
        if (p.isPrivate() && !pm && !p.allows(u) && !m.hasAny(TeamRole.MAPPING)) {
            throw new ApiException(ErrorCode.PRIVATE_PROJECT);
        }
    }

    /** {@link #checkCanMap(User, Project, boolean, Membership)} for a caller without team memberships. */
    public static void checkCanMap(User u, Project p, boolean pm) {
        checkCanMap(u, p, pm, Membership.NONE);
    }

    /**
     * Mapping permission in the reference's order, except "one locked task per user", which the lock slot
     * enforces at write time so that it holds under concurrency (docs/locking.md):
     * blocked ⇒ UserNotAllowed; licence not accepted ⇒ 409 UserLicenseError; draft and not PM ⇒
     * ProjectNotPublished; then, unless PM: TEAMS and no mapping-role team ⇒ USER_NOT_TEAM_MEMBER, level below
     * the project's mapping level ⇒ USER_NOT_CORRECT_MAPPING_LEVEL, private and neither on the allow-list nor
     * in a mapping-role team ⇒ UserNotAllowed.
     */
    public static void checkCanMap(User u, Project p, boolean pm, Membership m) {
        check(u, p, pm, m, Rule.of(p.mappingPermission(), p.mappingPermissionLevelId()), TeamRole.MAPPING,
                ErrorCode.USER_NOT_TEAM_MEMBER, ErrorCode.USER_NOT_CORRECT_MAPPING_LEVEL);
    }

    /**
     * Validation permission: the same order as mapping with the project's validation permission and level and
     * the validation team roles (VALIDATOR, PROJECT_MANAGER). Team and level refusals are both
     * {@code ValidtionNotAllowed}, their message naming the reason. PMs bypass team and level rules and the
     * draft rule, not the block, the licence or the one-lock rule (the latter is the caller's, see
     * docs/workflow.md).
     */
    public static void checkCanValidate(User u, Project p, boolean pm, Membership m) {
        check(u, p, pm, m, Rule.of(p.validationPermission(), p.validationPermissionLevelId()), TeamRole.VALIDATION,
                ErrorCode.VALIDATION_NOT_ALLOWED, ErrorCode.VALIDATION_NOT_ALLOWED);
    }

    /** True if {@link #checkCanValidate} passes (undo asks this of a caller who did not make the last change). */
    public static boolean canValidate(User u, Project p, boolean pm, Membership m) {
        try {
            checkCanValidate(u, p, pm, m);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** Blocked (read-only) users cannot comment: 403 ReadOnly. */
    public static void checkCanComment(User u) {
        if (u.isBlocked()) throw new ApiException(ErrorCode.READ_ONLY);
    }

    /**
     * Posting to a project's chat: not blocked (403 ReadOnly); a draft only for its managers, a private project only
     * for its managers, its allow-list and the active members of its mapping-role teams (403 UserNotPermitted).
     */
    public static void checkCanChat(User u, Project p, boolean pm, Membership m) {
        checkCanComment(u);
        if (pm) return;
        if (p.status() == ProjectStatus.DRAFT || (p.isPrivate() && !p.allows(u) && !m.hasAny(TeamRole.MAPPING))) {
            throw new ApiException(ErrorCode.USER_NOT_PERMITTED);
        }
    }

    /** Deleting a chat message: its author or a project manager (403 DeletePermissionError). */
    public static void checkCanDeleteChat(User u, long authorId, boolean pm) {
        if (!pm && u.id() != authorId) throw new ApiException(ErrorCode.DELETE_PERMISSION_ERROR);
    }

    /** Bulk task actions need PM: 403 UserPermissionError. */
    public static void checkCanManage(boolean pm) {
        if (!pm) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
    }

    /** Deleting tasks is for administrators: 403 OnlyAdminAccess. */
    public static void checkCanDeleteTasks(User u) {
        if (!u.isAdmin()) throw new ApiException(ErrorCode.ONLY_ADMIN_TASK_DELETE);
    }

    /**
     * Whose task list ({@code GET /users/{id}/tasks/}) shows a project's tasks: the user themself and administrators
     * see all; anybody else only published or archived projects that are not private.
     */
    public static boolean showsOthersTasks(User caller, long ownerId, Project p) {
        if (caller.id() == ownerId || caller.isAdmin()) return true;
        return p.status() != ProjectStatus.DRAFT && !p.isPrivate();
    }

    /** Reverting a user's tasks (reset-by-user) needs PM: 403 UserActionNotPermitted. */
    public static void checkCanRevert(boolean pm) {
        if (!pm) throw new ApiException(ErrorCode.USER_ACTION_NOT_PERMITTED);
    }

    /**
     * A project's mapping or validation rule: whether team membership is required and the lowest mapping level.
     * The retired values LEVEL and TEAMS_LEVEL read as the reference's migration rewrote them: ANY or TEAMS with
     * at least the INTERMEDIATE level.
     */
    public record Rule(boolean teams, int minLevelOrdering) {
        public static Rule of(String permission, int levelId) {
            int level = MappingLevel.ofId(levelId).map(MappingLevel::ordering).orElse(MappingLevel.BEGINNER.ordering());
            String name = permission == null ? "ANY" : permission.trim().toUpperCase(Locale.ROOT);
            return switch (name) {
                case "TEAMS" -> new Rule(true, level);
                case "LEVEL" -> new Rule(false, Math.max(level, MappingLevel.INTERMEDIATE.ordering()));
                case "TEAMS_LEVEL" -> new Rule(true, Math.max(level, MappingLevel.INTERMEDIATE.ordering()));
                default -> new Rule(false, level);
            };
        }
    }

    private static void check(User u, Project p, boolean pm, Membership m, Rule rule, Set<TeamRole> roles,
                              ErrorCode notTeamMember, ErrorCode levelTooLow) {
        if (u.isBlocked()) throw new ApiException(ErrorCode.USER_NOT_ALLOWED);
        if (p.licenseId() != null && !u.acceptedLicenses().contains(p.licenseId())) {
            throw new ApiException(ErrorCode.USER_LICENSE_ERROR);
        }
        if (p.status() == ProjectStatus.DRAFT && !pm) throw new ApiException(ErrorCode.PROJECT_NOT_PUBLISHED);
        if (pm) return;
        boolean member = m.hasAny(roles);
        if (rule.teams() && !member) {
            throw new ApiException(notTeamMember, reason(notTeamMember, "USER_NOT_TEAM_MEMBER"));
        }
        if (u.mappingLevel().ordering() < rule.minLevelOrdering()) {
            throw new ApiException(levelTooLow, reason(levelTooLow, "USER_NOT_CORRECT_MAPPING_LEVEL"));
        }
        if (p.isPrivate() && !p.allows(u) && !member) throw new ApiException(ErrorCode.USER_NOT_ALLOWED);
    }

    private static String reason(ErrorCode code, String reason) {
        return code == ErrorCode.VALIDATION_NOT_ALLOWED
                ? "Validation not allowed because: ValidatingNotAllowed." + reason : code.message;
    }

    /** Whether {@code u} manages at least one of {@code orgs} (administrators only through a membership). */
    public static boolean managesAnOrganisation(User u, java.util.Collection<Organisation> orgs) {
        return u != null && orgs.stream().anyMatch(o -> o.isManager(u.id()));
    }

    /**
     * The project-manager tools that span projects (the caller's own projects, projects in a bounding box): managers
     * of at least one organisation (403 UserPermissionError otherwise).
     */
    public static boolean canUseManagerTools(User u, boolean managesAnOrganisation) {
        return u != null && managesAnOrganisation;
    }

    /**
     * Deleting a project: a PM of it who is also an administrator or a manager of some organisation (a project's
     * author alone may not; 403 UserPermissionError when not PM, else ProjectDeletePermissionError).
     */
    public static boolean canDeleteProject(User u, boolean pm, boolean managesAnOrganisation) {
        return pm && u != null && (u.isAdmin() || managesAnOrganisation);
    }

    /**
     * Writing interests and campaigns (and reading one interest, as the reference): an administrator or a manager
     * of at least one organisation. {@code managesAnOrganisation} is whether the caller manages any.
     */
    public static boolean canWriteReferenceData(User u, boolean managesAnOrganisation) {
        return u != null && (u.isAdmin() || managesAnOrganisation);
    }

    /** Partners (and their id-addressed reads) are for administrators only. */
    public static boolean canManagePartners(User u) {
        return u != null && u.isAdmin();
    }

    /** Messaging every contributor of a campaign's projects: administrators only. */
    public static boolean canMessageCampaign(User u) {
        return u != null && u.isAdmin();
    }

    /** Giving an organisation a campaign or taking it away: an administrator or a manager of that organisation. */
    public static boolean canLinkOrganisationCampaign(User u, Organisation org) {
        return canManageOrganisation(u, org);
    }
}
