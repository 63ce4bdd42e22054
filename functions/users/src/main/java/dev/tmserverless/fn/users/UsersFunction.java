package dev.tmserverless.fn.users;

import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContextBuilder;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The users function: OSM login, user profiles, organisations, teams and the site-wide system routes. */
public class UsersFunction extends ApiFunction {
    @Inject LoginService login;
    @Inject OrganisationService organisations;
    @Inject SystemService system;
    @Inject OsmClient osm;
    @Inject TeamService teams;

    public UsersFunction() { super(); }

    public UsersFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.USERS; }

    @Override
    protected void register(Handlers h) {
        h.on(Routes.LOGIN, this::loginUrl)
                .on(Routes.LOGIN_CALLBACK, this::callback)
                .on(Routes.USER_BY_USERNAME, this::userByName)
                .on(Routes.CREATE_ORGANISATION, this::createOrganisation)
                .on(Routes.ORGANISATION, this::organisation)
                .on(Routes.ORGANISATIONS, this::organisations)
                .on(Routes.UPDATE_ORGANISATION, this::updateOrganisation)
                .on(Routes.DELETE_ORGANISATION, this::deleteOrganisation)
                .on(Routes.USER_OSM_DETAILS, this::osmDetails)
                .on(Routes.HEARTBEAT, req -> Response.ok(system.heartbeat()))
                .on(Routes.LANGUAGES, req -> Response.ok(system.languages()))
                .on(Routes.BANNER, req -> Response.ok(system.banner()))
                .on(Routes.UPDATE_BANNER, this::updateBanner)
                .on(Routes.TEAMS, this::listTeams)
                .on(Routes.CREATE_TEAM, this::createTeam)
                .on(Routes.TEAM_JOIN_REQUESTS, this::joinRequests)
                .on(Routes.TEAM, req -> Response.ok(teams.get(teamId(req), req.caller().require(),
                        queryBool(req, "omitMemberList", false))))
                .on(Routes.UPDATE_TEAM, req -> {
                    User caller = req.caller().require();
                    teams.update(teamId(req), TeamService.TeamUpdate.from(req.json()), caller);
                    return Response.ok(Map.of("Status", "Updated"));
                })
                .on(Routes.DELETE_TEAM, req -> {
                    teams.delete(teamId(req), req.caller().require());
                    return Response.ok(Map.of("Success", "Team deleted"));
                })
                .on(Routes.JOIN_TEAM, req -> {
                    teams.join(teamId(req), req.caller().require(), Instant.now());
                    return Response.ok(Map.of("Success", "Join request successful"));
                })
                .on(Routes.ANSWER_JOIN_REQUEST, req -> {
                    User caller = req.caller().require();
                    teams.answerJoin(teamId(req), TeamService.JoinAnswer.from(req.json()), caller, Instant.now());
                    return Response.ok(Map.of("Success", "True"));
                })
                .on(Routes.ADD_TEAM_MEMBER, req -> {
                    User caller = req.caller().require();
                    teams.add(teamId(req), TeamService.AddMember.from(req.json()), caller, Instant.now());
                    return Response.ok(Map.of("Success", "User added to the team"));
                })
                .on(Routes.LEAVE_TEAM, req -> {
                    User caller = req.caller().require();
                    teams.leave(teamId(req), TeamService.Leave.from(req.json()), caller);
                    return Response.ok(Map.of("Success", "User removed from the team"));
                })
                .on(Routes.MESSAGE_TEAM, req -> {
                    teams.message(teamId(req), req.caller().require());
                    return Response.ok(Map.of());
                })
                .on(Routes.PROJECT_TEAMS, req -> Response.ok(teams.projectTeams(
                        req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND), req.caller().optional().orElse(null))))
                .on(Routes.ASSIGN_PROJECT_TEAM, req -> {
                    User caller = req.caller().require();
                    long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
                    long teamId = teamId(req);
                    var role = TeamService.ProjectRole.from(req.json());
                    teams.assign(projectId, teamId, role, caller);
                    return Response.created(Map.of("Success", "Team " + teamId + " assigned to project " + projectId
                            + " with role " + role.role().name()));
                })
                .on(Routes.CHANGE_PROJECT_TEAM, req -> {
                    User caller = req.caller().require();
                    var role = TeamService.ProjectRole.from(req.json());
                    teams.changeRole(teamId(req), req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND), role, caller);
                    return Response.created(Map.of("Status", "Team role updated successfully."));
                })
                .on(Routes.REMOVE_PROJECT_TEAM, req -> {
                    User caller = req.caller().require();
                    teams.unassign(teamId(req), req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND), caller);
                    return Response.ok(Map.of("Success", true));
                });
    }

    static long teamId(Request req) {
        return req.longParam("teamId", ErrorCode.TEAM_NOT_FOUND);
    }

    Response createTeam(Request req) {
        User caller = req.caller().require();
        var request = TeamService.NewTeam.from(req.json());
        return Response.created(Map.of("teamId", teams.create(request, caller, Instant.now())));
    }

    /**
     * A team's pending join requests as the reference's CSV download, or a JSON message when there are none.
     * {@code team_id} is required (422); only the team's managers may read them (403 UserNotTeamManager).
     */
    Response joinRequests(Request req) {
        User caller = req.caller().require();
        Long teamId = queryLong(req, "team_id");
        if (teamId == null) {
            throw new ApiException(ErrorCode.SCHEMA_INVALID, "Field required",
                    Map.of("loc", java.util.List.of("query", "team_id"), "type", "missing"));
        }
        var csv = teams.joinRequestsCsv(teamId, caller);
        if (csv.isEmpty()) return Response.ok(Map.of("message", "No inactive members found for the specified team"));
        String day = java.time.format.DateTimeFormatter.BASIC_ISO_DATE.format(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        return Response.text(csv.get(), "text/csv; charset=utf-8")
                .asAttachment("join_requests_" + teamId + "_" + day + ".csv", "text/csv; charset=utf-8");
    }

    /** Signed-in callers only; private teams are shown to their members and administrators. */
    Response listTeams(Request req) {
        User caller = req.caller().require();
        Long perPage = queryLong(req, "perPage");
        Long page = queryLong(req, "page");
        var search = new TeamService.Search(req.query("team_name").orElse(null), queryLong(req, "member"),
                queryLong(req, "manager"), queryLong(req, "member_request"), req.query("team_role").orElse(null),
                queryLong(req, "organisation"), queryBool(req, "omitMemberList", false),
                queryBool(req, "fullMemberList", true), queryBool(req, "paginate", false),
                page == null ? 1 : (int) Math.max(1, Math.min(page, 1_000_000)),
                perPage == null ? 10 : (int) Math.max(1, Math.min(perPage, 1000)));
        return Response.ok(teams.list(search, caller));
    }

    Response loginUrl(Request req) {
        return Response.ok(login.loginUrl(req.query("redirect_uri").orElse(null)));
    }

    Response callback(Request req) {
        String code = req.query("code").filter(c -> !c.isBlank())
                .orElseThrow(() -> new ApiException(ErrorCode.INVALID_DATA, "Missing code parameter"));
        return Response.ok(login.callback(code, req.query("redirect_uri").orElse(null),
                req.query("email_address").orElse(null), Instant.now()));
    }

    Response userByName(Request req) {
        User caller = req.caller().require();
        String username = req.pathParams().get("username");
        User user = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
        return Response.ok(UserDto.of(user, user.id() == caller.id()));
    }

    Response createOrganisation(Request req) {
        User caller = req.caller().require();
        if (!caller.isAdmin()) throw new ApiException(ErrorCode.ONLY_ADMIN_ACCESS);
        var request = OrganisationService.NewOrganisation.from(req.json());
        return Response.created(Map.of("organisationId", organisations.create(request)));
    }

    /** A numeric segment is an id, anything else a slug (the reference's two routes in one). */
    Response organisation(Request req) {
        boolean omitManagers = queryBool(req, "omitManagerList", false);
        return Response.ok(organisations.get(req.pathParams().get("organisationId"), req.caller().optional(),
                omitManagers));
    }

    /** Only a signed-in caller may filter by manager (403 LoginToFilterManager), but by any manager's id. */
    Response organisations(Request req) {
        Long managerUserId = queryLong(req, "manager_user_id");
        boolean omitManagers = queryBool(req, "omitManagerList", false);
        queryBool(req, "omitOrgStats", true);
        var caller = req.caller().optional();
        if (managerUserId != null && caller.isEmpty()) throw new ApiException(ErrorCode.LOGIN_TO_FILTER_MANAGER);
        return Response.ok(organisations.list(caller, managerUserId, omitManagers));
    }

    Response updateOrganisation(Request req) {
        User caller = req.caller().require();
        var update = OrganisationService.OrganisationUpdate.from(req.json());
        organisations.update(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND), update, caller);
        return Response.ok(Map.of("Status", "Updated"));
    }

    Response deleteOrganisation(Request req) {
        User caller = req.caller().require();
        organisations.delete(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND), caller);
        return Response.ok(Map.of("Success", "Organisation deleted"));
    }

    /** The user's public OSM account details, asked of OSM at each call. */
    Response osmDetails(Request req) {
        req.caller().require();
        String username = req.pathParams().get("username");
        User user = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
        OsmClient.OsmAccount account = osm.account(user.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accountCreated", account.accountCreated());
        out.put("changesetCount", account.changesetCount());
        return Response.ok(out);
    }

    /** Signed in, then the body's schema (422), then administrators only (403 OnlyAdminAccess), as the reference. */
    Response updateBanner(Request req) {
        User caller = req.caller().require();
        var update = SystemService.BannerUpdate.from(req.json());
        if (!caller.isAdmin()) throw new ApiException(ErrorCode.BANNER_ADMIN_ONLY);
        return Response.ok(system.updateBanner(update));
    }

    /** A query flag as FastAPI reads a bool: true/false, 1/0, yes/no, on/off; anything else is 422. */
    static boolean queryBool(Request req, String name, boolean dflt) {
        var v = req.query(name);
        if (v.isEmpty()) return dflt;
        return switch (v.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on", "t", "y" -> true;
            case "false", "0", "no", "off", "f", "n" -> false;
            default -> throw queryError(name, "Input should be a valid boolean, unable to interpret input", "bool_parsing");
        };
    }

    /** An integer query parameter, or null when absent; not an integer is 422. */
    static Long queryLong(Request req, String name) {
        var v = req.query(name);
        if (v.isEmpty()) return null;
        String s = v.get().trim();
        if (!s.matches("[+-]?\\d{1,18}")) {
            throw queryError(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing");
        }
        return Long.parseLong(s);
    }

    private static ApiException queryError(String name, String msg, String type) {
        return new ApiException(ErrorCode.SCHEMA_INVALID, msg, Map.of("loc", java.util.List.of("query", name), "type", type));
    }
}
