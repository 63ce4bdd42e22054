package dev.tmserverless.fn.users;

import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.dto.ApplicationKeyDto;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContextBuilder;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The users function: OSM login, user profiles, organisations, teams and the site-wide system routes. */
public class UsersFunction extends ApiFunction {
    @Inject LoginService login;
    @Inject OrganisationService organisations;
    @Inject SystemService system;
    @Inject OsmClient osm;
    @Inject OhsomeClient ohsome;
    @Inject Notifications notifications;
    @Inject Licenses licenses;
    @Inject TeamService teams;
    @Inject Interests interests;
    @Inject Campaigns campaigns;
    @Inject Partners partners;
    @Inject TeamUnlinks unlinks;
    @Inject People people;
    @Inject Images images;
    @Inject LevelsAndBadges levelsAndBadges;
    @Inject dev.tmserverless.aws.store.FavouriteStore favourites;
    @Inject dev.tmserverless.aws.store.ProjectStore projectStore;
    @Inject dev.tmserverless.aws.store.StatsReads statistics;
    @Inject dev.tmserverless.aws.store.OrgStore orgStore;
    @Inject dev.tmserverless.aws.store.LevelStore levelStore;

    public UsersFunction() { super(); }

    public UsersFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.USERS; }

    @Override
    protected void register(Handlers h) {
        licenses.register(h);
        interests.register(h);
        campaigns.register(h);
        partners.register(h);
        unlinks.register(h);
        levelsAndBadges.register(h);
        registerPeople(h);
        h.on(Routes.LOGIN, this::loginUrl)
                .on(Routes.LOGIN_CALLBACK, this::callback)
                .on(Routes.USER_BY_USERNAME, this::userByName)
                .on(Routes.MY_FAVOURITES, this::myFavourites)
                .on(Routes.CREATE_ORGANISATION, this::createOrganisation)
                .on(Routes.ORGANISATION, this::organisation)
                .on(Routes.ORGANISATIONS, this::organisations)
                .on(Routes.SYSTEM_STATISTICS, req -> Response.ok(statistics.system(
                        dev.tmserverless.aws.http.Fields.queryBool(req, "abbreviated", true))))
                .on(Routes.USER_STATISTICS, this::userStatistics)
                .on(Routes.USERS_REGISTRATION_STATISTICS, this::registrationStatistics)
                .on(Routes.USER_INTEREST_STATISTICS, req -> {
                    req.caller().require();
                    return Response.ok(statistics.interestRates(req.longParam("userId", ErrorCode.USER_NOT_FOUND)));
                })
                .on(Routes.OHSOME_STATISTICS, req -> {
                    req.caller().require();
                    return Response.ok(ohsome.userStats(OhsomeClient.Query.from(req)));
                })
                .on(Routes.ORGANISATION_STATISTICS, this::organisationStatistics)
                .on(Routes.UPDATE_ORGANISATION, this::updateOrganisation)
                .on(Routes.DELETE_ORGANISATION, this::deleteOrganisation)
                .on(Routes.USER_OSM_DETAILS, this::osmDetails)
                .on(Routes.HEARTBEAT, req -> Response.ok(system.heartbeat()))
                .on(Routes.LANGUAGES, req -> Response.ok(system.languages()))
                .on(Routes.BANNER, req -> Response.ok(system.banner()))
                .on(Routes.UPDATE_BANNER, this::updateBanner)
                .on(Routes.NOTIFICATIONS, req -> Response.ok(notifications.list(req.caller().require(), Notifications.ListQuery.from(req))))
                .on(Routes.NOTIFICATION, req -> Response.ok(notifications.readOne(req.caller().require(), messageId(req))))
                .on(Routes.DELETE_NOTIFICATION, req -> {
                    notifications.delete(req.caller().require(), messageId(req));
                    return Response.ok(Map.of("Success", "Message deleted"));
                })
                .on(Routes.DELETE_NOTIFICATIONS, req -> {
                    User u = req.caller().require();
                    notifications.deleteMany(u, Notifications.messageIds(req.json()));
                    return Response.ok(Map.of("Success", "Messages deleted"));
                })
                .on(Routes.DELETE_ALL_NOTIFICATIONS, req -> {
                    User u = req.caller().require();
                    notifications.deleteAll(u, req.query("messageType").filter(s -> !s.isBlank()).map(Notifications.ListQuery::types).orElse(null));
                    return Response.ok(Map.of("Success", "Messages deleted"));
                })
                .on(Routes.MARK_NOTIFICATIONS_READ, req -> {
                    User u = req.caller().require();
                    notifications.markRead(u, Notifications.messageIds(req.json()));
                    return Response.ok(Map.of("Success", "Messages marked as read"));
                })
                .on(Routes.MARK_ALL_NOTIFICATIONS_READ, req -> {
                    User u = req.caller().require();
                    notifications.markAllRead(u, req.query("messageType").filter(s -> !s.isBlank()).map(Notifications.ListQuery::types).orElse(null));
                    return Response.ok(Map.of("Success", "Messages marked as read"));
                })
                .on(Routes.UNREAD_NOTIFICATIONS, req -> Response.ok(notifications.countNew(req.caller().require(), Instant.now())))
                .on(Routes.NOTIFICATIONS_SEEN, req -> Response.ok(notifications.markSeen(req.caller().require(), Instant.now())))
                .on(Routes.API_DOCS, req -> Response.ok(OpenApiHolder.DOCUMENT))
                .on(Routes.APPLICATION_KEYS, this::applicationKeys)
                .on(Routes.CREATE_APPLICATION_KEY, this::createApplicationKey)
                .on(Routes.CHECK_APPLICATION_KEY, this::checkApplicationKey)
                .on(Routes.DELETE_APPLICATION_KEY, this::deleteApplicationKey)
                .on(Routes.TEAMS, this::listTeams)
                .on(Routes.CREATE_TEAM, this::createTeam)
                .on(Routes.TEAM_JOIN_REQUESTS, this::joinRequests)
                .on(Routes.TEAM, req -> Response.ok(teams.get(teamId(req), req.caller().require(),
                        Fields.queryBool(req, "omitMemberList", false))))
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
                    User caller = req.caller().require();
                    teams.message(teamId(req), TeamService.TeamMessage.from(req.json()), caller, Instant.now());
                    return Response.ok(Map.of("Success", "Message sent successfully"));
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

    /** The document depends only on the catalogue: built once per function instance, at first use. */
    private static final class OpenApiHolder {
        static final Map<String, Object> DOCUMENT = dev.tmserverless.core.catalogue.OpenApi.document();
    }

    /** The caller's keys; the keys themselves are not stored, so {@code applicationkey} is null (keyId names them). */
    Response applicationKeys(Request req) {
        User caller = req.caller().require();
        return Response.ok(new ApplicationKeyDto.Applications(applicationKeys.list(caller.id()).stream()
                .map(k -> new ApplicationKeyDto(k.keyId(), k.userId(), null, k.created())).toList()));
    }

    /** A new key for the caller: the only answer that shows it. */
    Response createApplicationKey(Request req) {
        User caller = req.caller().require();
        var created = applicationKeys.create(caller.id(), Instant.now());
        var k = created.key();
        return Response.ok(new ApplicationKeyDto(k.keyId(), k.userId(), created.value(), k.created()));
    }

    /** 200 with no body if the key exists (keys do not expire), else 404 APPLICATION_NOT_FOUND. */
    Response checkApplicationKey(Request req) {
        findKey(req.pathParams().get("application_key"));
        return Response.empty(200);
    }

    /** The owner's delete: 200 with no body; someone else's key: 302 with no body, as the reference answers. */
    Response deleteApplicationKey(Request req) {
        User caller = req.caller().require();
        String given = req.pathParams().get("application_key");
        ApplicationKeyStore.Key key = given != null && given.matches("\\d{1,18}")
                ? applicationKeys.byId(caller.id(), Long.parseLong(given))
                        .orElseThrow(() -> new ApiException(ErrorCode.APPLICATION_NOT_FOUND))
                : findKey(given);
        if (!Permissions.canDeleteApplicationKey(caller, key.userId())) return Response.empty(302);
        applicationKeys.delete(key);
        return Response.empty(200);
    }

    private ApplicationKeyStore.Key findKey(String given) {
        return (ApplicationKeyStore.looksLikeKey(given) ? applicationKeys.find(given) : java.util.Optional.<ApplicationKeyStore.Key>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.APPLICATION_NOT_FOUND));
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
        Long teamId = Fields.queryLong(req, "team_id");
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
        Long perPage = Fields.queryLong(req, "perPage");
        Long page = Fields.queryLong(req, "page");
        var search = new TeamService.Search(req.query("team_name").orElse(null), Fields.queryLong(req, "member"),
                Fields.queryLong(req, "manager"), Fields.queryLong(req, "member_request"), req.query("team_role").orElse(null),
                Fields.queryLong(req, "organisation"), Fields.queryBool(req, "omitMemberList", false),
                Fields.queryBool(req, "fullMemberList", true), Fields.queryBool(req, "paginate", false),
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
        return Response.ok(people.byUsername(caller, req.pathParams().get("username")));
    }

    private void registerPeople(Handlers h) {
        h.on(Routes.USERS_LIST, this::listUsers)
                .on(Routes.USER_BY_ID, req -> Response.ok(people.byId(req.caller().require(), userId(req))))
                .on(Routes.DELETE_USER, req -> {
                    User caller = req.caller().require();
                    return Response.ok(people.delete(caller, userId(req)));
                })
                .on(Routes.FILTER_USERS, req -> {
                    req.caller().require();
                    Long page = Fields.queryLong(req, "page");
                    return Response.ok(people.filter(req.pathParams().get("username"), Fields.queryLong(req, "projectId"),
                            page == null ? 1 : (int) Math.max(1, Math.min(page, 100_000))));
                })
                .on(Routes.SET_USER, req -> {
                    User caller = req.caller().require();
                    JsonNode body;
                    try {
                        body = req.json();
                    } catch (ApiException e) {
                        throw new ApiException(ErrorCode.UPDATE_USER_INVALID);
                    }
                    return Response.ok(people.setUser(caller, People.UserUpdate.from(body), Instant.now()));
                })
                .on(Routes.RESEND_VERIFICATION, req -> {
                    people.resendVerification(req.caller().require(), Instant.now());
                    return Response.ok(Map.of("Success", "Verification email resent"));
                })
                .on(Routes.VERIFY_EMAIL, req -> {
                    people.verifyEmail(requiredQuery(req, "username"), requiredQuery(req, "token"), Instant.now());
                    return Response.ok(Map.of("Status", "OK"));
                })
                .on(Routes.SET_ROLE, req -> {
                    User caller = req.caller().require();
                    people.setRole(caller, req.pathParams().get("username"), req.pathParams().get("role"));
                    return Response.ok(Map.of("Success", "Role Added"));
                })
                .on(Routes.SET_LEVEL, req -> {
                    User caller = req.caller().require();
                    people.setLevel(caller, req.pathParams().get("username"), req.pathParams().get("level"), Instant.now());
                    return Response.ok(Map.of("Success", "Level set"));
                })
                .on(Routes.SET_EXPERT_MODE, req -> {
                    User caller = req.caller().require();
                    people.setExpert(caller, req.pathParams().get("username"), req.pathParams().get("isExpert"));
                    return Response.ok(Map.of("Success", "Expert mode updated"));
                })
                .on(Routes.APPROVE_LEVEL, req -> {
                    people.approveLevel(req.caller().require(), req.pathParams().get("username"), Instant.now());
                    return Response.ok(null);
                })
                .on(Routes.UPDATE_STATS, req -> {
                    people.updateStats(req.caller().require(), req.pathParams().get("username"), Instant.now());
                    return Response.ok(null);
                })
                .on(Routes.CONTACT_ADMIN, req -> {
                    people.contactAdmin(req.json());
                    return Response.created(Map.of("Success", "Email sent"));
                })
                .on(Routes.REGISTER_EMAIL, req -> Response.ok(people.register(req.json())))
                .on(Routes.IMAGE_UPLOAD, req -> Response.created(images.upload(req.caller().require(), req.json())));
    }

    private static long userId(Request req) {
        return req.longParam("userId", ErrorCode.USER_NOT_FOUND);
    }

    private static String requiredQuery(Request req, String name) {
        return req.query(name).orElseThrow(() -> new ApiException(ErrorCode.SCHEMA_INVALID, "Field required",
                Map.of("loc", java.util.List.of("query", name), "type", "missing")));
    }

    /** {@code GET /users/}: a bad role, page or sort direction is 400 InvalidData, as the reference. */
    Response listUsers(Request req) {
        User caller = req.caller().require();
        People.ListQuery q;
        try {
            Long page = Fields.queryLong(req, "page");
            Long perPage = Fields.queryLong(req, "perPage");
            boolean paginate = Fields.queryBool(req, "pagination", true);
            String dir = req.query("sort_dir").orElse("asc").trim().toLowerCase(java.util.Locale.ROOT);
            if (!dir.equals("asc") && !dir.equals("desc")) throw new ApiException(ErrorCode.USER_LIST_INVALID);
            java.util.Set<dev.tmserverless.core.domain.UserRole> roles = new java.util.HashSet<>();
            for (String r : req.query("role").filter(s -> !s.isBlank()).map(s -> s.split(",")).orElse(new String[0])) {
                roles.add(dev.tmserverless.core.domain.UserRole.valueOf(r.trim()));
            }
            java.util.Set<Integer> levels = new java.util.HashSet<>();
            String level = req.query("level").orElse("").trim();
            if (level.matches("\\d{1,9}(,\\d{1,9})*")) for (String l : level.split(",")) levels.add(Integer.parseInt(l));
            String sort = req.query("sort").filter(s -> !s.isBlank()).map(String::trim).orElse(null);
            if (sort != null && sort.length() > 64) throw new ApiException(ErrorCode.USER_LIST_INVALID);
            q = new People.ListQuery(page == null ? 1 : (int) Math.max(1, Math.min(page, 1_000_000)),
                    perPage == null ? 20 : (int) Math.max(1, Math.min(perPage, 500)), paginate, sort, dir.equals("desc"),
                    req.query("username").map(String::trim).filter(s -> !s.isEmpty()).orElse(null), roles, levels);
        } catch (IllegalArgumentException | ApiException e) {
            throw new ApiException(ErrorCode.USER_LIST_INVALID);
        }
        return Response.ok(people.list(caller, q));
    }

    Response createOrganisation(Request req) {
        User caller = req.caller().require();
        if (!Permissions.canCreateOrganisation(caller)) throw new ApiException(ErrorCode.ONLY_ADMIN_ACCESS);
        var request = OrganisationService.NewOrganisation.from(req.json());
        return Response.created(Map.of("organisationId", organisations.create(request)));
    }

    /** A numeric segment is an id, anything else a slug (the reference's two routes in one). */
    Response organisation(Request req) {
        boolean omitManagers = Fields.queryBool(req, "omitManagerList", false);
        return Response.ok(organisations.get(req.pathParams().get("organisationId"), req.caller().optional(),
                omitManagers));
    }

    /** Only a signed-in caller may filter by manager (403 LoginToFilterManager), but by any manager's id. */
    Response organisations(Request req) {
        Long managerUserId = Fields.queryLong(req, "manager_user_id");
        boolean omitManagers = Fields.queryBool(req, "omitManagerList", false);
        boolean omitStats = Fields.queryBool(req, "omitOrgStats", true);
        var caller = req.caller().optional();
        if (managerUserId != null && caller.isEmpty()) throw new ApiException(ErrorCode.LOGIN_TO_FILTER_MANAGER);
        Map<String, Object> body = organisations.list(caller, managerUserId, omitManagers);
        if (!omitStats) {
            // each organisation's figures for this year, from its statistics summary (docs/statistics.md)
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> list = (List<Map<String, Object>>) body.get("organisations");
            var ids = list.stream().map(o -> ((Number) o.get("organisationId")).longValue()).toList();
            var figures = statistics.organisationsThisYear(ids);
            for (Map<String, Object> o : list) o.put("stats", figures.get(((Number) o.get("organisationId")).longValue()));
        }
        return Response.ok(body);
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
        if (!Permissions.canEditSiteContent(caller)) throw new ApiException(ErrorCode.BANNER_ADMIN_ONLY);
        return Response.ok(system.updateBanner(update));
    }

    private static long messageId(Request req) {
        return req.longParam("messageId", ErrorCode.MESSAGE_NOT_FOUND);
    }

    /**
     * GET /users/queries/favorites/: the caller's favourite projects as project DTOs without tasks or AOI
     * (docs/api-differences.md), by project id.
     */
    Response myFavourites(Request req) {
        User user = req.caller().require();
        java.util.List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (var st : projectStore.getAll(favourites.ofUser(user.id()))) {
            var p = st.project();
            var dto = dev.tmserverless.core.dto.ProjectDto.of(p, st.counters(), orgStore.get(p.organisationId()).orElse(null),
                    null, null, req.locale(), 0);
            dto.remove("tasks");
            out.add(dto);
        }
        return Response.ok(java.util.Map.of("favoritedProjects", out));
    }

    /** Runs a read beside the caller's login check (two independent round trips at once). */
    private static final java.util.concurrent.ExecutorService BESIDE = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /**
     * A user's statistics: the account and its summary (one gsi1 Query) are read while the caller's login is
     * checked (one GetItem), so the answer costs about one round trip; nothing is answered to a caller who is not
     * signed in.
     */
    Response userStatistics(Request req) {
        var answer = BESIDE.submit(() -> statistics.user(req.pathParams().get("username")));
        try {
            req.caller().require();
        } catch (RuntimeException e) {
            answer.cancel(true);
            throw e;
        }
        try {
            return Response.ok(answer.get());
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Users registered from {@code startDate} to {@code endDate} (today when absent), both whole days. */
    Response registrationStatistics(Request req) {
        req.caller().require();
        java.time.LocalDate start = date(req.query("startDate").orElseThrow(() -> Fields.missingQuery("startDate")));
        java.time.LocalDate end = req.query("endDate").filter(s -> !s.isEmpty()).map(UsersFunction::date)
                .orElseGet(statistics::today);
        var ladder = levelStore.all().stream()
                .map(l -> new dev.tmserverless.core.stats.Registrations.Level(l.id(), l.name())).toList();
        return Response.ok(statistics.registrations(start, end, ladder));
    }

    private static java.time.LocalDate date(String s) {
        try {
            return java.time.LocalDate.parse(s.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ApiException(ErrorCode.INVALID_DATE_VALUE);
        }
    }

    /** Organisation statistics; {@code year} keeps the projects created from that year on. */
    Response organisationStatistics(Request req) {
        long id = req.longParam("organisationId", dev.tmserverless.core.error.ErrorCode.ORGANISATION_NOT_FOUND);
        if (orgStore.get(id).isEmpty()) {
            throw new dev.tmserverless.core.error.ApiException(dev.tmserverless.core.error.ErrorCode.ORGANISATION_NOT_FOUND);
        }
        Long year = dev.tmserverless.aws.http.Fields.queryLong(req, "year");
        return Response.ok(statistics.organisation(id, year == null ? null : year.intValue()));
    }
}
