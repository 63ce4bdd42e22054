package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Team managers take their teams off projects: one pair, a list of pairs, or one team from every project. Every
 * pair is checked before anything is written (the caller manages the team; the project and the link exist; the
 * team is not the project's last project-manager team, nor its last mapper or validator team while mapping or
 * validation is restricted to teams); then the links are deleted one by one (docs/reference-data.md).
 */
@Singleton
public class TeamUnlinks {
    /** At most this many pairs in one bulk unlink. */
    static final int MAX_PAIRS = 100;

    private final TeamStore teams;
    private final OrgStore orgs;
    private final ProjectStore projects;

    public TeamUnlinks(TeamStore teams, OrgStore orgs, ProjectStore projects) {
        this.teams = teams;
        this.orgs = orgs;
        this.projects = projects;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.UNLINK_PROJECT_TEAM, this::one)
                .on(Routes.UNLINK_TEAMS, this::many)
                .on(Routes.UNLINK_TEAM_EVERYWHERE, this::everywhere);
    }

    record Pair(long projectId, long teamId) {}

    /** {@code {"items": [{"project_id", "team_id"}]}}; duplicates count once. */
    record Pairs(List<Pair> items) {
        static Pairs from(JsonNode body) {
            Fields.object(body);
            JsonNode items = body.get("items");
            if (items == null || items.isNull()) throw Fields.schema("items", "Field required", "missing");
            if (!items.isArray()) throw Fields.schema("items", "Input should be a valid list", "list_type");
            if (items.size() > MAX_PAIRS) throw new ApiException(ErrorCode.INVALID_DATA, "At most " + MAX_PAIRS + " project/team pairs");
            LinkedHashSet<Pair> pairs = new LinkedHashSet<>();
            for (JsonNode i : items) {
                Fields.object(i);
                pairs.add(new Pair(Fields.integer(i, "project_id"), Fields.integer(i, "team_id")));
            }
            return new Pairs(List.copyOf(pairs));
        }
    }

    Response one(Request req) {
        User caller = req.caller().require();
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        long teamId = UsersFunction.teamId(req);
        if (!manages(teamId, caller)) throw new ApiException(ErrorCode.TEAM_USER_PERMISSION_ERROR, "User is not a manager of the team");
        check(new Pair(projectId, teamId));
        if (!teams.unassign(projectId, teamId)) throw new ApiException(ErrorCode.TEAM_NOT_ON_PROJECT);
        return Response.ok(Map.of("Success", true));
    }

    Response many(Request req) {
        User caller = req.caller().require();
        List<Pair> pairs = Pairs.from(req.json()).items();
        if (pairs.isEmpty()) throw new ApiException(ErrorCode.UNLINK_NOTHING);
        for (Pair p : pairs) {
            if (!manages(p.teamId(), caller)) throw notManager(p.teamId(), caller);
            check(p);
        }
        for (Pair p : pairs) teams.unassign(p.projectId(), p.teamId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Success", true);
        m.put("Message", "Unlinked teams: " + pairs.stream().map(p -> "(project " + p.projectId() + ", team " + p.teamId() + ")")
                .collect(Collectors.joining(", ")));
        return Response.ok(m);
    }

    Response everywhere(Request req) {
        User caller = req.caller().require();
        long teamId = UsersFunction.teamId(req);
        if (!manages(teamId, caller)) throw notManager(teamId, caller);
        List<Long> projectIds = teams.projectsOfTeam(teamId).stream().map(TeamStore.ProjectTeam::projectId).toList();
        if (projectIds.isEmpty()) {
            throw new ApiException(ErrorCode.UNLINK_NOT_FOUND,
                    "Cannot unlink team with team id-" + teamId + ": team is not linked to any projects");
        }
        for (long p : projectIds) check(new Pair(p, teamId));
        for (long p : projectIds) teams.unassign(p, teamId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Success", true);
        m.put("Message", "Team id-" + teamId + " unlinked from projects: "
                + projectIds.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        return Response.ok(m);
    }

    /** The reference's refusals, first failure wins; nothing is written by a refused request. */
    private void check(Pair pair) {
        String prefix = "Cannot unlink team with team id-" + pair.teamId() + ": ";
        Project p = projects.get(pair.projectId()).map(ProjectStore.Stored::project).orElseThrow(() ->
                new ApiException(ErrorCode.UNLINK_NOT_FOUND, prefix + "project " + pair.projectId() + " not found"));
        List<TeamStore.ProjectTeam> links = teams.teamsOfProject(p.id());
        TeamRole role = links.stream().filter(l -> l.teamId() == pair.teamId()).map(TeamStore.ProjectTeam::role).findFirst()
                .orElseThrow(() -> new ApiException(ErrorCode.UNLINK_NOT_FOUND, prefix + "project " + p.id() + " has no such linked team"));
        long sameRole = links.stream().filter(l -> l.role() == role).count();
        if (role == TeamRole.PROJECT_MANAGER && sameRole <= 1) {
            throw new ApiException(ErrorCode.UNLINK_LAST_PM_TEAM, prefix + "project " + p.id()
                    + " requires at least one project manager and this is the only project-manager team. Contact the project"
                    + " admin to assign another project manager team before unlinking.");
        }
        if (role == TeamRole.MAPPER && "TEAMS".equals(p.mappingPermission()) && sameRole <= 1) {
            throw new ApiException(ErrorCode.UNLINK_LAST_MAPPER_TEAM, prefix + "project " + p.id()
                    + " mapping is restricted to assigned teams and this is the only mapper team. Contact the project admin"
                    + " to unlink the team and assign another mapper team.");
        }
        if (role == TeamRole.VALIDATOR && "TEAMS".equals(p.validationPermission()) && sameRole <= 1) {
            throw new ApiException(ErrorCode.UNLINK_LAST_VALIDATOR_TEAM, prefix + "project " + p.id()
                    + " validation is restricted to assigned teams and this is the only validator team. Contact the project"
                    + " admin to unlink the team and assign another validator team.");
        }
    }

    /** The team exists (404) and the caller manages it. */
    private boolean manages(long teamId, User caller) {
        Team t = teams.get(teamId).orElseThrow(() -> TeamService.notFound(teamId));
        Organisation org = orgs.get(t.organisationId()).orElse(null);
        return Permissions.canManageTeam(caller, org, teams.member(teamId, caller.id()).orElse(null));
    }

    private static ApiException notManager(long teamId, User caller) {
        return new ApiException(ErrorCode.TEAM_USER_PERMISSION_ERROR,
                "Cannot unlink team with team id-" + teamId + ": user " + caller.id() + " is not a manager of the team");
    }
}
