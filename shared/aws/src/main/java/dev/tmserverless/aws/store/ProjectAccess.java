package dev.tmserverless.aws.store;

import dev.tmserverless.core.domain.Membership;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Loads a project with what every permission decision about it needs: its organisation, the caller's
 * {@link Membership} (the roles on the project of the teams in which the caller is an active member) and
 * PM(u, p), which a team with the PROJECT_MANAGER role also grants.
 */
@Singleton
public class ProjectAccess {
    public record View(ProjectStore.Stored stored, Organisation org, Membership membership, boolean pm) {
        public Project project() { return stored.project(); }

        /**
         * Cache-Control of an answer about this project that is the same for every caller: shared caches may keep
         * it only when anybody may read it (published and not private).
         */
        public String cacheControl() {
            Project p = project();
            return p.status() == dev.tmserverless.core.domain.ProjectStatus.PUBLISHED && !p.isPrivate()
                    ? dev.tmserverless.aws.http.Response.PUBLIC_CACHE : dev.tmserverless.aws.http.Response.PRIVATE_CACHE;
        }
    }

    private final ProjectStore projects;
    private final OrgStore orgs;
    private final TeamStore teams;

    public ProjectAccess(ProjectStore projects, OrgStore orgs, TeamStore teams) {
        this.projects = projects;
        this.orgs = orgs;
        this.teams = teams;
    }

    /** The project or 404 PROJECT_NOT_FOUND; {@code user} may be null (anonymous). */
    public View load(long projectId, User user) {
        ProjectStore.Stored s = projects.get(projectId).orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND,
                ErrorCode.PROJECT_NOT_FOUND.message, Map.of("project_id", projectId)));
        Organisation org = orgs.get(s.project().organisationId()).orElse(null);
        Membership m = user == null ? Membership.NONE : new Membership(java.util.Set.copyOf(teams.activeRoles(projectId, user.id())));
        return new View(s, org, m, Permissions.isProjectManager(user, s.project(), org, m));
    }

    /**
     * The project's teams as the project DTO and {@code GET /projects/{id}/teams/} show them:
     * {@code [{teamId, name, role}]} (one Query of the project's team links, one BatchGetItem of the teams).
     */
    public java.util.List<Map<String, Object>> teams(long projectId) {
        var links = teams.teamsOfProject(projectId);
        Map<Long, dev.tmserverless.core.domain.Team> byId = new java.util.HashMap<>();
        teams.getAll(links.stream().map(TeamStore.ProjectTeam::teamId).toList()).forEach(t -> byId.put(t.id(), t));
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (var l : links) {
            var t = byId.get(l.teamId());
            if (t == null) continue;
            Map<String, Object> dto = new java.util.LinkedHashMap<>();
            dto.put("teamId", t.id());
            dto.put("name", t.name());
            dto.put("role", l.role().name());
            out.add(dto);
        }
        return out;
    }

    /** As {@link #load}, then the visibility rules (docs/api-differences.md D8, D18). */
    public View visible(long projectId, User user) {
        View v = load(projectId, user);
        Permissions.checkVisible(user, v.project(), v.pm(), v.membership());
        return v;
    }
}
