package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

/**
 * The permission predicates of spec §0.3 and §2.3. Team membership is not modelled yet, so team-based
 * grants are never given (a TEAMS project admits only its managers).
 */
public final class Permissions {
    private Permissions() {}

    /** PM(u, p): admin, author, or manager of the project's organisation. */
    public static boolean isProjectManager(User u, Project p, Organisation org) {
        if (u == null) return false;
        return u.isAdmin() || p.authorId() == u.id() || (org != null && org.isManager(u.id()));
    }

    /** Creating (and deleting) needs admin or a manager of that organisation (spec §8 D9). */
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
     * Who may see a project at all (spec §3.6, §8 D8, D18). {@code u} is null for anonymous callers.
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

    /**
     * Mapping permission, spec §2.3 in its order, except step 6 (one lock per user), which is enforced by the
     * lock claim at write time so that it holds under concurrency.
     */
    public static void checkCanMap(User u, Project p, boolean pm) {
        if (u.isBlocked()) throw new ApiException(ErrorCode.USER_NOT_ALLOWED);
        if (p.licenseId() != null && !u.acceptedLicenses().contains(p.licenseId())) {
            throw new ApiException(ErrorCode.USER_LICENSE_ERROR);
        }
        if (p.status() == ProjectStatus.DRAFT && !pm) throw new ApiException(ErrorCode.PROJECT_NOT_PUBLISHED);
        if (!pm) {
            if ("TEAMS".equals(p.mappingPermission())) throw new ApiException(ErrorCode.USER_NOT_TEAM_MEMBER);
            int required = MappingLevel.ofId(p.mappingPermissionLevelId()).map(MappingLevel::ordering).orElse(1);
            if (u.mappingLevel().ordering() < required) {
                throw new ApiException(ErrorCode.USER_NOT_CORRECT_MAPPING_LEVEL);
            }
            if (p.isPrivate() && !p.allows(u)) {
                throw new ApiException(ErrorCode.USER_NOT_ALLOWED);
            }
        }
    }
}
