package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

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
        return u.isAdmin() || p.authorId() == u.id() || (org != null && org.isManager(u.id()))
                || m.roles().contains(TeamRole.PROJECT_MANAGER);
    }

    /** Creating (and deleting) needs admin or a manager of that organisation (docs/api-differences.md D9). */
    public static boolean canCreateIn(User u, Organisation org) {
        return u.isAdmin() || org.isManager(u.id());
    }

    /**
     * Managing an organisation (editing, deleting, and {@code isManager} in its DTO): an administrator or one
     * of its managers.
     */
    public static boolean canManageOrganisation(User u, Organisation org) {
        return u != null && org != null && (u.isAdmin() || org.isManager(u.id()));
    }

    /**
     * Who may see a project at all (docs/api-differences.md D8, D18). {@code u} is null for anonymous callers.
     * Drafts: PMs only. Private: PMs and the allow-list.
     */
    public static void checkVisible(User u, Project p, boolean pm) {
        if (pm) return;
        if (p.isPrivate() && !p.allows(u)) {
            throw new ApiException(ErrorCode.PRIVATE_PROJECT);
        }
        if (p.status() == ProjectStatus.DRAFT) {
            throw new ApiException(u == null ? ErrorCode.PRIVATE_PROJECT : ErrorCode.PROJECT_NOT_FETCHED);
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

    /** Bulk task actions need PM: 403 UserPermissionError. */
    public static void checkCanManage(boolean pm) {
        if (!pm) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
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
}
