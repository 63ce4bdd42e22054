package dev.tmserverless.testing;

import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.aws.store.PartnerStore;
import dev.tmserverless.aws.store.ChatStore;
import dev.tmserverless.aws.store.IssueCategoryStore;
import dev.tmserverless.aws.store.LicenseStore;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.testing.AuthMatrix.Actor;
import dev.tmserverless.testing.AuthMatrix.Cell;
import dev.tmserverless.testing.AuthMatrix.Request;
import dev.tmserverless.testing.AuthMatrix.Row;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

import static dev.tmserverless.testing.AuthMatrix.ACTIONABLE;
import static dev.tmserverless.testing.AuthMatrix.ANYONE;
import static dev.tmserverless.testing.AuthMatrix.MAP;
import static dev.tmserverless.testing.AuthMatrix.PM;
import static dev.tmserverless.testing.AuthMatrix.SIGNED_IN;
import static dev.tmserverless.testing.AuthMatrix.TEAM_MANAGERS;
import static dev.tmserverless.testing.AuthMatrix.VALIDATE;
import static dev.tmserverless.testing.AuthMatrix.VISIBLE;
import static dev.tmserverless.testing.AuthMatrix.admin;
import static dev.tmserverless.testing.AuthMatrix.manager;
import static dev.tmserverless.testing.AuthMatrix.notBlocked;
import static dev.tmserverless.testing.AuthMatrix.only;
import static dev.tmserverless.testing.AuthMatrix.row;
import static dev.tmserverless.testing.AuthMatrix.signedIn;

/**
 * One row per route of {@link Routes}: who may call it (a policy from {@link AuthMatrix}'s vocabulary) and, when
 * the route's path, a query and a body are not enough, how to build a valid request for a cell. Adding a route:
 * add its row here (the matrix fails until you do). Keep the reference's rules; where we differ, the row says
 * why (docs/permissions.md).
 */
public final class AuthRows {
    private AuthRows() {}

    private static final String AOI = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
            + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.1],[-4.02,56.09]]]}}]}";

    static final String REDIRECT_URI = "http://127.0.0.1:3000/authorized";

    /** Managers of an organisation: administrators and its managers. */
    private static final java.util.Set<Actor> ORG_MANAGERS = EnumSet.of(Actor.ADMIN, Actor.ORG_MANAGER);
    /** Managers of any organisation: the project's organisation's and the other one's (not administrators). */
    private static final java.util.Set<Actor> ANY_ORG_MANAGER = EnumSet.of(Actor.ORG_MANAGER, Actor.OTHER_ORG);

    /** Who writes interests and campaigns: administrators and managers of any organisation. */
    private static final java.util.Set<Actor> REFERENCE_WRITERS = EnumSet.of(Actor.ADMIN, Actor.ORG_MANAGER, Actor.OTHER_ORG);

    public static final List<Row> ALL = List.of(
            // ---- users: identity, login, organisations ----
            row(Routes.LOGIN, ANYONE),
            row(Routes.LOGIN_CALLBACK, ANYONE, c -> Request.of(c.path(Routes.LOGIN_CALLBACK) + "/?code=" + osmCode(c)
                    + "&redirect_uri=" + java.net.URLEncoder.encode(REDIRECT_URI, java.nio.charset.StandardCharsets.UTF_8), null)),
            row(Routes.USER_BY_USERNAME, SIGNED_IN),
            row(Routes.CREATE_ORGANISATION, admin(ErrorCode.ONLY_ADMIN_ACCESS), c -> Request.of(c.path(Routes.CREATE_ORGANISATION) + "/",
                    "{\"name\": \"Org " + unique() + "\", \"managers\": []}")),
            row(Routes.ORGANISATION, ANYONE),
            row(Routes.ORGANISATIONS, ANYONE),
            row(Routes.UPDATE_ORGANISATION, signedIn(ORG_MANAGERS, ErrorCode.USER_NOT_ORG_ADMIN), "", "{\"description\": \"Updated\"}"),
            row(Routes.DELETE_ORGANISATION, signedIn(ORG_MANAGERS, ErrorCode.USER_NOT_ORG_ADMIN),
                    c -> Request.of("/api/v2/organisations/" + emptyOrganisation(c) + "/", null)),
            row(Routes.USER_OSM_DETAILS, SIGNED_IN, c -> Request.of("/api/v2/users/" + osmAccount(c).username() + "/openstreetmap/", null)),
            row(Routes.OHSOME_STATISTICS, SIGNED_IN, "?userId=4242&topics=highway,waterway,building,poi", null),
            // ---- users: statistics (login required, as in the reference) ----
            row(Routes.USER_STATISTICS, SIGNED_IN),
            row(Routes.USERS_REGISTRATION_STATISTICS, SIGNED_IN, "?startDate=2024-01-01&endDate=2024-02-01", null),
            row(Routes.USER_NEXT_LEVEL, SIGNED_IN, c -> Request.of(c.path(Routes.USER_NEXT_LEVEL) + "/?userId="
                    + c.world().bystander.id(), null)),
            row(Routes.USER_INTEREST_STATISTICS, SIGNED_IN,
                    c -> Request.of("/api/v2/users/" + c.world().bystander.id() + "/statistics/interests/", null)),
            row(Routes.HEARTBEAT, ANYONE),
            row(Routes.LANGUAGES, ANYONE),
            row(Routes.BANNER, ANYONE),
            row(Routes.UPDATE_BANNER, admin(ErrorCode.BANNER_ADMIN_ONLY), "", "{\"message\": \"Welcome\", \"visible\": true}"),

            // ---- users: notifications: each caller acts on a message of their own ----
            row(Routes.NOTIFICATIONS, SIGNED_IN),
            row(Routes.NOTIFICATION, SIGNED_IN, c -> Request.of("/api/v2/notifications/" + ownMessage(c) + "/", null)),
            row(Routes.DELETE_NOTIFICATION, SIGNED_IN, c -> Request.of("/api/v2/notifications/" + ownMessage(c) + "/", null)),
            row(Routes.DELETE_NOTIFICATIONS, SIGNED_IN, c -> Request.of(c.path(Routes.DELETE_NOTIFICATIONS) + "/",
                    "{\"messageIds\": [" + ownMessage(c) + "]}")),
            row(Routes.DELETE_ALL_NOTIFICATIONS, SIGNED_IN).ownCast(),
            row(Routes.MARK_NOTIFICATIONS_READ, SIGNED_IN, c -> Request.of(c.path(Routes.MARK_NOTIFICATIONS_READ) + "/",
                    "{\"messageIds\": [" + ownMessage(c) + "]}")),
            row(Routes.MARK_ALL_NOTIFICATIONS_READ, SIGNED_IN),
            row(Routes.UNREAD_NOTIFICATIONS, SIGNED_IN),
            row(Routes.NOTIFICATIONS_SEEN, SIGNED_IN),

            // ---- users: licences ----
            row(Routes.LICENSES, ANYONE),
            row(Routes.CREATE_LICENSE, admin(ErrorCode.ADMIN_REQUIRED), "", "{\"name\": \"Licence\", \"description\": \"d\", \"plainText\": \"t\"}"),
            row(Routes.LICENSE, ANYONE, c -> Request.of("/api/v2/licenses/" + license(c) + "/", null)),
            row(Routes.UPDATE_LICENSE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/licenses/" + license(c) + "/",
                    "{\"name\": \"Licence\", \"description\": \"d\", \"plainText\": \"t\"}")),
            row(Routes.DELETE_LICENSE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/licenses/" + license(c) + "/", null)),
            row(Routes.ACCEPT_LICENSE, SIGNED_IN, c -> Request.of("/api/v2/licenses/" + license(c) + "/actions/accept-for-me/", null)),

            // ---- users: people, levels, badges (docs/people.md) ----
            row(Routes.USERS_LIST, SIGNED_IN),
            row(Routes.LEVELS, ANYONE),
            row(Routes.LEVEL, ANYONE, c -> Request.of("/api/v2/levels/1/", null)),
            row(Routes.BADGES, ANYONE),
            row(Routes.SET_USER, SIGNED_IN, c -> Request.of(c.path(Routes.SET_USER) + "/",
                    "{\"id\": " + (c.user() == null ? 1 : c.user().id()) + ", \"city\": \"Lusaka\"}")),
            row(Routes.CONTACT_ADMIN, ANYONE, "", "{\"name\": \"Visitor\", \"email\": \"v@example.org\", \"content\": \"Hello\"}"),
            row(Routes.USER_BY_ID, SIGNED_IN, c -> Request.of("/api/v2/users/" + c.world().bystander.id() + "/", null)),
            // somebody else's account (a new one per cell): administrators only; one's own is open to its owner
            row(Routes.DELETE_USER, signedIn(EnumSet.of(Actor.ADMIN), ErrorCode.DELETE_USER_NOT_PERMITTED),
                    c -> Request.of("/api/v2/users/" + c.fx().user("leaving").id() + "/", null)),
            row(Routes.FILTER_USERS, SIGNED_IN, c -> Request.of("/api/v2/users/queries/filter/"
                    + c.user(Actor.MAPPER).username() + "/?projectId=" + c.world().project.id(), null)),
            row(Routes.RESEND_VERIFICATION, SIGNED_IN, c -> {
                if (c.user() != null) withEmail(c, c.user());
                return Request.of(c.path(Routes.RESEND_VERIFICATION) + "/", null);
            }),
            // the link in the mail: whoever opens it (a new account with a fresh address per cell)
            row(Routes.VERIFY_EMAIL, ANYONE, c -> {
                User u = withEmail(c, c.fx().user("verifying"));
                String token = c.bean(dev.tmserverless.aws.http.Tokens.class).email().issue(u.emailAddress(), u.id(), Instant.now());
                return Request.of(c.path(Routes.VERIFY_EMAIL) + "/?username=" + u.username() + "&token="
                        + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8), null);
            }),
            row(Routes.REGISTER_EMAIL, ANYONE, c -> Request.of(c.path(Routes.REGISTER_EMAIL) + "/",
                    "{\"email\": \"someone-" + unique() + "@example.org\"}")),
            // the administrators' actions on a person: each cell acts on a new account
            row(Routes.SET_ROLE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/users/" + c.fx().user("promoted").username()
                    + "/actions/set-role/MAPPER/", null)),
            row(Routes.SET_LEVEL, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/users/" + c.fx().user("levelled").username()
                    + "/actions/set-level/INTERMEDIATE/", null)),
            row(Routes.SET_EXPERT_MODE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/users/" + c.fx().user("expert").username()
                    + "/actions/set-expert-mode/true/", null)),
            row(Routes.APPROVE_LEVEL, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/users/" + c.fx().user("nominee").username()
                    + "/actions/approve-level/", null)),
            row(Routes.UPDATE_STATS, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/users/" + osmAccount(c).username()
                    + "/actions/update-stats/", null)),
            // levels and badges: anyone reads them, administrators write them
            row(Routes.CREATE_LEVEL, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of(c.path(Routes.CREATE_LEVEL) + "/",
                    "{\"name\": \"Level " + unique() + "\", \"approvalsRequired\": 1, \"requiredBadges\": [{\"id\": " + badge(c) + "}]}")),
            row(Routes.UPDATE_LEVEL, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/levels/" + level(c) + "/",
                    "{\"color\": \"#ff0000\", \"requiredBadges\": [{\"id\": " + badge(c) + "}]}")),
            row(Routes.DELETE_LEVEL, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/levels/" + level(c) + "/", null)),
            row(Routes.BADGE, ANYONE, c -> Request.of("/api/v2/badges/" + badge(c) + "/", null)),
            row(Routes.CREATE_BADGE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of(c.path(Routes.CREATE_BADGE) + "/",
                    "{\"name\": \"Badge " + unique() + "\", \"description\": \"d\", \"imagePath\": \"https://example.org/b.png\","
                            + " \"requirements\": \"{\\\"changeset\\\": 10}\"}")),
            row(Routes.UPDATE_BADGE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/badges/" + badge(c) + "/",
                    "{\"description\": \"Updated\"}")),
            row(Routes.DELETE_BADGE, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/badges/" + badge(c) + "/", null)),
            row(Routes.USER_BADGES, ANYONE, c -> Request.of("/api/v2/badges/user/" + c.world().bystander.id() + "/", null)),
            // a tiny PNG; a signed-in caller, as the reference (a blocked user included)
            row(Routes.IMAGE_UPLOAD, SIGNED_IN, c -> Request.of(c.path(Routes.IMAGE_UPLOAD) + "/",
                    "{\"filename\": \"dot.png\", \"mime\": \"image/png\", \"data\": \"" + AuthRows.PNG + "\"}")),

            // ---- users: API consumers ----
            row(Routes.API_DOCS, ANYONE),
            row(Routes.APPLICATION_KEYS, SIGNED_IN),
            row(Routes.CREATE_APPLICATION_KEY, SIGNED_IN),
            row(Routes.CHECK_APPLICATION_KEY, ANYONE, c -> Request.of("/api/v2/system/authentication/applications/"
                    + c.bean(ApplicationKeyStore.class).create(c.world().bystander.id(), Instant.now()).value() + "/", null)),
            row(Routes.DELETE_APPLICATION_KEY, SIGNED_IN, c -> Request.of("/api/v2/system/authentication/applications/"
                    + (c.user() == null ? "1" : c.bean(ApplicationKeyStore.class).create(c.user().id(), Instant.now()).key().keyId()) + "/", null)),

            // ---- users: teams; the team is the project's mapping team, managed by TEAM_MANAGER ----
            row(Routes.TEAMS, SIGNED_IN),
            row(Routes.CREATE_TEAM, signedIn(ORG_MANAGERS, ErrorCode.CREATE_TEAM_NOT_PERMITTED), c -> Request.of(c.path(Routes.CREATE_TEAM) + "/",
                    "{\"organisation_id\": " + c.organisationId() + ", \"name\": \"Team " + unique() + "\", \"visibility\": \"PUBLIC\"}")),
            row(Routes.TEAM_JOIN_REQUESTS, signedIn(TEAM_MANAGERS, ErrorCode.USER_NOT_TEAM_MANAGER),
                    c -> Request.of(c.path(Routes.TEAM_JOIN_REQUESTS) + "/?team_id=" + c.teamId(), null)),
            row(Routes.TEAM, SIGNED_IN),
            row(Routes.UPDATE_TEAM, signedIn(TEAM_MANAGERS, ErrorCode.USER_NOT_TEAM_MANAGER), "", "{\"description\": \"Updated\"}"),
            row(Routes.DELETE_TEAM, signedIn(TEAM_MANAGERS, ErrorCode.USER_NOT_TEAM_MANAGER_DELETE),
                    c -> Request.of("/api/v2/teams/" + freshTeam(c, c.user(Actor.TEAM_MANAGER)) + "/", null)),
            row(Routes.JOIN_TEAM, SIGNED_IN, c -> Request.of("/api/v2/teams/" + freshTeam(c, c.world().bystander) + "/actions/join/", null)),
            row(Routes.ANSWER_JOIN_REQUEST, signedIn(TEAM_MANAGERS, ErrorCode.APPROVE_JOIN_ERROR), c -> Request.of(c.path(Routes.ANSWER_JOIN_REQUEST) + "/",
                    "{\"username\": \"" + applicant(c, false).username() + "\", \"type\": \"join-response\", \"action\": \"accept\"}")),
            row(Routes.ADD_TEAM_MEMBER, signedIn(TEAM_MANAGERS, ErrorCode.USER_NOT_TEAM_MANAGER), c -> Request.of(c.path(Routes.ADD_TEAM_MEMBER) + "/",
                    "{\"username\": \"" + c.fx().user("newcomer").username() + "\", \"role\": \"MEMBER\"}")),
            // removing another member; leaving oneself is open to every member
            row(Routes.LEAVE_TEAM, signedIn(TEAM_MANAGERS, ErrorCode.REMOVE_USER_ERROR), c -> Request.of(c.path(Routes.LEAVE_TEAM) + "/",
                    "{\"username\": \"" + applicant(c, true).username() + "\"}")),
            row(Routes.MESSAGE_TEAM, signedIn(TEAM_MANAGERS, ErrorCode.USER_NOT_PERMITTED), "", "{\"subject\": \"Hello\", \"message\": \"Map tonight\"}"),
            row(Routes.PROJECT_TEAMS, VISIBLE),
            // a team manager who is also PM of the project; the team is a new one of the project's organisation
            row(Routes.ASSIGN_PROJECT_TEAM, signedIn(TEAM_MANAGERS, ErrorCode.TEAM_USER_PERMISSION_ERROR)
                    .then(only(PM, ErrorCode.USER_PERMISSION_ERROR)),
                    c -> Request.of("/api/v2/projects/" + c.projectId() + "/teams/" + freshTeam(c, c.user(Actor.TEAM_MANAGER)) + "/",
                            "{\"role\": \"MAPPER\"}")),
            row(Routes.CHANGE_PROJECT_TEAM, manager(ErrorCode.USER_PERMISSION_ERROR),
                    c -> Request.of("/api/v2/projects/" + assignedTeam(c) + "/projects/" + c.projectId() + "/", "{\"role\": \"VALIDATOR\"}")),
            row(Routes.REMOVE_PROJECT_TEAM, manager(ErrorCode.USER_PERMISSION_ERROR),
                    c -> Request.of("/api/v2/projects/" + assignedTeam(c) + "/projects/" + c.projectId() + "/", null)),

            // ---- users: reference data (docs/reference-data.md); writers of interests and campaigns manage any organisation ----
            row(Routes.INTERESTS, ANYONE),
            row(Routes.CREATE_INTEREST, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of(c.path(Routes.CREATE_INTEREST) + "/", "{\"name\": \"Interest " + unique() + "\"}")),
            row(Routes.INTEREST, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of("/api/v2/interests/" + interest(c) + "/", null)),
            row(Routes.UPDATE_INTEREST, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of("/api/v2/interests/" + interest(c) + "/", "{\"name\": \"Interest " + unique() + "\"}")),
            row(Routes.DELETE_INTEREST, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of("/api/v2/interests/" + interest(c) + "/", null)),
            row(Routes.SET_MY_INTERESTS, SIGNED_IN, c -> Request.of(c.path(Routes.SET_MY_INTERESTS) + "/",
                    "{\"interests\": [" + interest(c) + "]}")),
            row(Routes.USER_INTERESTS, SIGNED_IN),
            row(Routes.CAMPAIGNS, ANYONE),
            row(Routes.CREATE_CAMPAIGN, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of(c.path(Routes.CREATE_CAMPAIGN) + "/", "{\"name\": \"Campaign " + unique() + "\"}")),
            row(Routes.CAMPAIGN, ANYONE, c -> Request.of("/api/v2/campaigns/" + campaign(c) + "/", null)),
            row(Routes.UPDATE_CAMPAIGN, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of("/api/v2/campaigns/" + campaign(c) + "/", "{\"description\": \"Updated\"}")),
            row(Routes.DELETE_CAMPAIGN, signedIn(REFERENCE_WRITERS, ErrorCode.ORG_MANAGER_REQUIRED),
                    c -> Request.of("/api/v2/campaigns/" + campaign(c) + "/", null)),
            row(Routes.MESSAGE_CAMPAIGN, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/campaigns/" + campaign(c)
                    + "/actions/message-contributors/", "{\"subject\": \"Hello\", \"message\": \"Thanks\"}")),
            row(Routes.ORGANISATION_CAMPAIGNS, ANYONE),
            row(Routes.ASSIGN_ORGANISATION_CAMPAIGN, signedIn(ORG_MANAGERS, ErrorCode.ORG_MANAGER_OF_THIS_REQUIRED),
                    c -> Request.of("/api/v2/organisations/" + c.organisationId() + "/campaigns/" + campaign(c) + "/", null)),
            row(Routes.REMOVE_ORGANISATION_CAMPAIGN, signedIn(ORG_MANAGERS, ErrorCode.ORG_MANAGER_OF_THIS_REQUIRED), c -> {
                long id = campaign(c);
                c.bean(CampaignStore.class).linkOrganisation(c.organisationId(), id);
                return Request.of("/api/v2/organisations/" + c.organisationId() + "/campaigns/" + id + "/", null);
            }),
            row(Routes.PROJECT_CAMPAIGNS, VISIBLE),
            row(Routes.ASSIGN_PROJECT_CAMPAIGN, manager(ErrorCode.USER_PERMISSION_ERROR),
                    c -> Request.of("/api/v2/projects/" + c.projectId() + "/campaigns/" + campaign(c) + "/", null)),
            row(Routes.REMOVE_PROJECT_CAMPAIGN, manager(ErrorCode.USER_PERMISSION_ERROR), c -> {
                long id = campaign(c);
                c.bean(CampaignStore.class).linkProject(c.projectId(), id);
                return Request.of("/api/v2/projects/" + c.projectId() + "/campaigns/" + id + "/", null);
            }),
            row(Routes.PARTNERS, admin(ErrorCode.PARTNER_ADMIN_ONLY)),
            row(Routes.CREATE_PARTNER, admin(ErrorCode.PARTNER_ADMIN_ONLY), c -> Request.of(c.path(Routes.CREATE_PARTNER) + "/",
                    "{\"name\": \"Partner " + unique() + "\", \"primary_hashtag\": \"#p\", \"permalink\": \"p-" + unique() + "\"}")),
            // by id: administrators (a permalink is public: ReferenceDataTest)
            row(Routes.PARTNER, admin(ErrorCode.PARTNER_ADMIN_ONLY), c -> Request.of("/api/v2/partners/" + partner(c).id() + "/", null)),
            row(Routes.UPDATE_PARTNER, admin(ErrorCode.PARTNER_ADMIN_ONLY),
                    c -> Request.of("/api/v2/partners/" + partner(c).id() + "/", "{\"secondary_hashtag\": \"#s\"}")),
            row(Routes.DELETE_PARTNER, admin(ErrorCode.PARTNER_ADMIN_ONLY), c -> Request.of("/api/v2/partners/" + partner(c).id() + "/", null)),
            // public; every caller reaches the partner's MapSwipe group check (the partner has none)
            row(Routes.PARTNER_GENERAL_STATISTICS, (a, k) -> new AuthMatrix.Expect(ErrorCode.EMPTY_MAPSWIPE_GROUP),
                    c -> Request.of("/api/v2/partners/" + partner(c).permalink() + "/general-statistics/", null)),
            row(Routes.PARTNER_FILTERED_STATISTICS, (a, k) -> new AuthMatrix.Expect(ErrorCode.EMPTY_MAPSWIPE_GROUP),
                    c -> Request.of("/api/v2/partners/" + partner(c).permalink() + "/filtered-statistics/?fromDate=2024-01-01&toDate=2024-02-01", null)),
            // partnerships: the project's managers; others 401 UserPermissionError, as the reference
            row(Routes.CREATE_PARTNERSHIP, SIGNED_IN.then(only(PM, ErrorCode.PARTNERSHIP_NOT_MANAGER)),
                    c -> Request.of(c.path(Routes.CREATE_PARTNERSHIP) + "/", "{\"projectId\": " + c.projectId() + ", \"partnerId\": "
                            + partner(c).id() + "}")),
            row(Routes.PARTNERSHIP, ANYONE, c -> Request.of("/api/v2/projects/partnerships/" + partnership(c) + "/", null)),
            row(Routes.UPDATE_PARTNERSHIP, SIGNED_IN.then(only(PM, ErrorCode.PARTNERSHIP_NOT_MANAGER)),
                    c -> Request.of("/api/v2/projects/partnerships/" + partnership(c) + "/", "{\"endedOn\": \"2030-01-01\"}")),
            row(Routes.DELETE_PARTNERSHIP, SIGNED_IN.then(only(PM, ErrorCode.PARTNERSHIP_NOT_MANAGER)),
                    c -> Request.of("/api/v2/projects/partnerships/" + partnership(c) + "/", null)),
            row(Routes.PROJECT_PARTNERS, VISIBLE),
            // unlinking: a new mapper team of the project's organisation, managed by TEAM_MANAGER, on the project
            row(Routes.UNLINK_PROJECT_TEAM, signedIn(TEAM_MANAGERS, ErrorCode.TEAM_USER_PERMISSION_ERROR),
                    c -> Request.of("/api/v2/teams/projects/" + c.projectId() + "/teams/" + linkedTeam(c) + "/", null)),
            row(Routes.UNLINK_TEAMS, signedIn(TEAM_MANAGERS, ErrorCode.TEAM_USER_PERMISSION_ERROR),
                    c -> Request.of(c.path(Routes.UNLINK_TEAMS), "{\"items\": [{\"project_id\": " + c.projectId() + ", \"team_id\": "
                            + linkedTeam(c) + "}]}")),
            row(Routes.UNLINK_TEAM_EVERYWHERE, signedIn(TEAM_MANAGERS, ErrorCode.TEAM_USER_PERMISSION_ERROR),
                    c -> Request.of("/api/v2/teams/projects/teams/" + linkedTeam(c) + "/unlink", null)),

            // ---- statistics (docs/statistics.md): site, organisation and tasks as the reference; a project's follow who sees it ----
            row(Routes.SYSTEM_STATISTICS, ANYONE),
            row(Routes.ORGANISATION_STATISTICS, ANYONE),
            row(Routes.TASK_STATISTICS, SIGNED_IN, "?startDate=2024-01-01&endDate=2024-06-01", null),
            row(Routes.PROJECT_STATISTICS, VISIBLE),
            row(Routes.PROJECT_USER_STATISTICS, VISIBLE),
            row(Routes.PROJECT_CONTRIBUTIONS_BY_DAY, VISIBLE),

            // ---- projects ----
            row(Routes.CREATE_PROJECT, signedIn(ORG_MANAGERS, ErrorCode.NOT_PERMITTED_TO_CREATE), c -> Request.of(c.path(Routes.CREATE_PROJECT) + "/",
                    "{\"projectName\": \"Matrix\", \"organisation\": " + c.organisationId() + ", \"areaOfInterest\": " + AOI
                            + ", \"grid\": {\"zoom\": 14, \"clipToAoi\": true}}")),
            row(Routes.SEARCH_PROJECTS, ANYONE),
            row(Routes.PROJECT, VISIBLE),
            row(Routes.UPDATE_PROJECT, manager(ErrorCode.USER_PERMISSION_ERROR), c -> Request.of(c.path(Routes.UPDATE_PROJECT) + "/",
                    projectSettings(c))),
            row(Routes.GRID_JOB, VISIBLE),
            // PMs only; the world's project has no failed job, so nothing is queued (docs/grid-jobs.md)
            row(Routes.RETRY_GRID_JOB, manager(ErrorCode.USER_PERMISSION_ERROR)
                    .then((a, k) -> new AuthMatrix.Expect(ErrorCode.GRID_JOB_NOT_FAILED))),
            row(Routes.PROJECT_AOI, ANYONE),
            row(Routes.PRIORITY_AREAS, ANYONE),
            row(Routes.INTERSECTING_TILES, SIGNED_IN, c -> Request.of(c.path(Routes.INTERSECTING_TILES) + "/",
                    "{\"areaOfInterest\": " + AOI + ", \"grid\": {\"type\": \"FeatureCollection\", \"features\": []}, \"clipToAoi\": true}")),
            row(Routes.PROJECT_SUMMARY, VISIBLE),
            row(Routes.PROJECT_CONTRIBUTIONS, VISIBLE),
            row(Routes.SET_PROJECT_INTERESTS, manager(ErrorCode.USER_PERMISSION_ERROR),
                    c -> Request.of(c.path(Routes.SET_PROJECT_INTERESTS) + "/", "{\"interests\": [" + interest(c) + "]}")),
            row(Routes.MESSAGE_PROJECT_CONTRIBUTORS, manager(ErrorCode.USER_PERMISSION_ERROR), "",
                    "{\"subject\": \"Hello\", \"message\": \"Thanks for mapping\"}"),
            // ---- projects: lists and management (docs/projects.md) ----
            row(Routes.FEATURED_PROJECTS, ANYONE),
            // managers of some organisation only, administrators included (the reference's rule)
            row(Routes.MY_OWNED_PROJECTS, signedIn(ANY_ORG_MANAGER, ErrorCode.USER_PERMISSION_ERROR)),
            row(Routes.PROJECTS_BBOX, signedIn(ANY_ORG_MANAGER, ErrorCode.USER_PERMISSION_ERROR), "?bbox=-4.1,56.0,-3.9,56.2&srid=4326", null),
            row(Routes.ACTIVE_PROJECTS, ANYONE),
            // a project that is not published has no similar projects: 404 for everybody
            row(Routes.SIMILAR_PROJECTS, AuthMatrix.on(AuthMatrix.Kind.DRAFT, (a, k) -> new AuthMatrix.Expect(ErrorCode.PROJECT_NOT_FOUND))),
            // read as an anonymous caller would, whoever asks: public projects (the team-only one is public too)
            row(Routes.PROJECT_NO_GEOMETRIES, (a, k) -> k == AuthMatrix.Kind.PUBLIC || k == AuthMatrix.Kind.TEAMS ? AuthMatrix.Expect.ALLOWED
                    : new AuthMatrix.Expect(ErrorCode.PRIVATE_PROJECT)),
            row(Routes.PROJECT_NO_TASKS, manager(ErrorCode.USER_PERMISSION_ERROR)),
            // lists about users and the deployment: public, as the reference, except recommendations (signed in)
            row(Routes.POPULAR_PROJECTS, ANYONE),
            row(Routes.TOUCHED_PROJECTS, ANYONE),
            row(Routes.RECOMMENDED_PROJECTS, SIGNED_IN),
            row(Routes.COUNTRIES, ANYONE),
            // annotations: read by anyone (whatever the project's visibility, as the reference); posted by any
            // authenticated caller, with a session token or an application key
            row(Routes.ANNOTATIONS, ANYONE),
            row(Routes.ANNOTATIONS_OF_TYPE, ANYONE, c -> Request.of("/api/v2/projects/" + c.projectId() + "/annotations/ml/", null)),
            row(Routes.POST_ANNOTATIONS, SIGNED_IN, c -> Request.of("/api/v2/projects/" + c.projectId() + "/annotations/ml/",
                    "{\"tasks\": [{\"taskId\": " + c.readyTask() + ", \"properties\": {\"score\": 1}}]}")),
            // PM, then manager of some organisation; the world's project has mapped tasks, so nothing is deleted
            row(Routes.DELETE_PROJECT, manager(ErrorCode.USER_PERMISSION_ERROR)
                    .then(only(EnumSet.of(Actor.ADMIN, Actor.ORG_MANAGER), ErrorCode.PROJECT_DELETE_PERMISSION_ERROR))
                    .then((a, k) -> new AuthMatrix.Expect(ErrorCode.HAS_MAPPED_TASKS))),
            row(Routes.TRANSFER_OWNERSHIP, signedIn(EnumSet.of(Actor.ADMIN, Actor.AUTHOR, Actor.ORG_MANAGER), ErrorCode.TRANSFER_PERMISSION_ERROR),
                    c -> Request.of(c.path(Routes.TRANSFER_OWNERSHIP) + "/", "{\"username\": \"" + c.user(Actor.ORG_MANAGER).username() + "\"}")),
            // each cell starts from the state the action changes
            row(Routes.FEATURE_PROJECT, manager(ErrorCode.USER_PERMISSION_ERROR), c -> {
                c.bean(dev.tmserverless.aws.store.ProjectStore.class).setFeaturedWriting(c.projectId(), false);
                return Request.of(c.path(Routes.FEATURE_PROJECT) + "/", null);
            }),
            row(Routes.UNFEATURE_PROJECT, manager(ErrorCode.USER_PERMISSION_ERROR), c -> {
                c.bean(dev.tmserverless.aws.store.ProjectStore.class).setFeaturedWriting(c.projectId(), true);
                return Request.of(c.path(Routes.UNFEATURE_PROJECT) + "/", null);
            }),
            row(Routes.IS_FAVOURITE, SIGNED_IN),
            row(Routes.ADD_FAVOURITE, SIGNED_IN),
            row(Routes.REMOVE_FAVOURITE, SIGNED_IN, c -> {
                if (c.user() != null) c.bean(dev.tmserverless.aws.store.FavouriteStore.class).addWriting(c.user().id(), c.projectId());
                return Request.of(c.path(Routes.REMOVE_FAVOURITE) + "/", null);
            }),
            row(Routes.MY_FAVOURITES, SIGNED_IN),

            // ---- tasks: each caller acts on a task of their own ----
            row(Routes.TASKS_OF_PROJECT, VISIBLE),
            row(Routes.TASK, VISIBLE),
            row(Routes.LOCK_FOR_MAPPING, MAP).ownCast(),
            // the caller first tries to lock their task; those who could not are told the task is not theirs
            row(Routes.UNLOCK_AFTER_MAPPING, ACTIONABLE.then(MAP.orElse(ErrorCode.LOCK_BEFORE_UNLOCKING)),
                    c -> lockedForMapping(c, Routes.UNLOCK_AFTER_MAPPING, "{\"status\": \"MAPPED\"}")).ownCast(),
            row(Routes.STOP_MAPPING, ACTIONABLE.then(MAP.orElse(ErrorCode.LOCK_BEFORE_UNLOCKING)),
                    c -> lockedForMapping(c, Routes.STOP_MAPPING, "{}")).ownCast(),
            // undoing somebody else's mapping needs the validation permission
            row(Routes.UNDO_LAST_ACTION, ACTIONABLE.then(VALIDATE.orElse(ErrorCode.UNDO_PERMISSION_ERROR)),
                    c -> Request.of("/api/v2/projects/" + c.projectId() + "/tasks/actions/undo-last-action/" + c.mappedTask() + "/", null)),
            row(Routes.EXTEND, ACTIONABLE.then(MAP.orElse(ErrorCode.TASK_STATUS_NOT_LOCKED)),
                    c -> { lock(c); return Request.of(c.path(Routes.EXTEND) + "/", "{\"taskIds\": [" + c.readyTask() + "]}"); }).ownCast(),
            row(Routes.LOCK_FOR_VALIDATION, VALIDATE, c -> Request.of(c.path(Routes.LOCK_FOR_VALIDATION) + "/",
                    "{\"taskIds\": [" + c.mappedTask() + "]}")).ownCast(),
            row(Routes.UNLOCK_AFTER_VALIDATION, ACTIONABLE.then(VALIDATE.orElse(ErrorCode.NOT_LOCKED_FOR_VALIDATION)),
                    c -> { lockForValidation(c); return Request.of(c.path(Routes.UNLOCK_AFTER_VALIDATION) + "/",
                            "{\"validatedTasks\": [{\"taskId\": " + c.mappedTask() + ", \"status\": \"VALIDATED\"}]}"); }).ownCast(),
            row(Routes.STOP_VALIDATION, ACTIONABLE.then(VALIDATE.orElse(ErrorCode.NOT_LOCKED_FOR_VALIDATION)),
                    c -> { lockForValidation(c); return Request.of(c.path(Routes.STOP_VALIDATION) + "/",
                            "{\"resetTasks\": [{\"taskId\": " + c.mappedTask() + "}]}"); }).ownCast(),
            row(Routes.SPLIT, ACTIONABLE.then(MAP.orElse(ErrorCode.LOCK_TO_SPLIT)), c -> lockedForMapping(c, Routes.SPLIT, null)).ownCast(),
            row(Routes.MAP_ALL, manager(ErrorCode.USER_PERMISSION_ERROR)),
            row(Routes.VALIDATE_ALL, manager(ErrorCode.USER_PERMISSION_ERROR)),
            row(Routes.INVALIDATE_ALL, manager(ErrorCode.USER_PERMISSION_ERROR)),
            row(Routes.RESET_ALL_BADIMAGERY, manager(ErrorCode.USER_PERMISSION_ERROR)),
            row(Routes.RESET_ALL, manager(ErrorCode.USER_PERMISSION_ERROR)),
            row(Routes.RESET_BY_USER, manager(ErrorCode.USER_ACTION_NOT_PERMITTED),
                    c -> Request.of(c.path(Routes.RESET_BY_USER) + "/?username=" + c.world().bystander.username() + "&action=VALIDATED", null)),
            row(Routes.BULK_JOB, manager(ErrorCode.USER_PERMISSION_ERROR), c -> {
                bulkJob(c);
                return Request.of(c.path(Routes.BULK_JOB) + "/", null);
            }).ownProject(),
            row(Routes.TASKS_OSM_XML, ANYONE),
            row(Routes.TASKS_GPX, ANYONE),
            row(Routes.TASK_COMMENT, notBlocked(ErrorCode.READ_ONLY).then(VISIBLE), "", "{\"comment\": \"Looks good\"}"),
            row(Routes.PROJECT_CHAT, VISIBLE),
            // posting: a draft for its PMs; a private project for its PMs, allow-list and mapping-role teams
            row(Routes.POST_PROJECT_CHAT, notBlocked(ErrorCode.READ_ONLY).then((a, k) -> {
                if (PM.contains(a) || k == AuthMatrix.Kind.PUBLIC || k == AuthMatrix.Kind.TEAMS) return AuthMatrix.Expect.ALLOWED;
                if (k == AuthMatrix.Kind.PRIVATE && (AuthMatrix.ALLOW_LIST.contains(a) || AuthMatrix.MAPPING_TEAM.contains(a))) {
                    return AuthMatrix.Expect.ALLOWED;
                }
                return new AuthMatrix.Expect(ErrorCode.USER_NOT_PERMITTED);
            }), "", "{\"message\": \"Hello\"}"),
            // a message of somebody else's: the project's managers only
            row(Routes.DELETE_PROJECT_CHAT, manager(ErrorCode.DELETE_PERMISSION_ERROR), c -> Request.of("/api/v2/projects/" + c.projectId()
                    + "/comments/" + c.bean(ChatStore.class).post(c.projectId(), c.world().bystander.id(), c.world().bystander.username(),
                    "Hi", Instant.now()).id() + "/", null)),
            row(Routes.ISSUE_CATEGORIES, ANYONE),
            row(Routes.CREATE_ISSUE_CATEGORY, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of(c.path(Routes.CREATE_ISSUE_CATEGORY) + "/",
                    "{\"name\": \"Issue " + unique() + "\"}")),
            row(Routes.ISSUE_CATEGORY, ANYONE, c -> Request.of("/api/v2/tasks/issues/categories/" + category(c) + "/", null)),
            row(Routes.UPDATE_ISSUE_CATEGORY, admin(ErrorCode.ADMIN_REQUIRED), c -> Request.of("/api/v2/tasks/issues/categories/" + category(c) + "/",
                    "{\"name\": \"Issue " + unique() + "\"}")),
            row(Routes.DELETE_ISSUE_CATEGORY, admin(ErrorCode.ADMIN_REQUIRED),
                    c -> Request.of("/api/v2/tasks/issues/categories/" + category(c) + "/", null)),
            row(Routes.ACTIVITIES, VISIBLE),
            row(Routes.LATEST_ACTIVITIES, VISIBLE),
            row(Routes.MY_LOCKED_TASKS, SIGNED_IN),
            // the details of the caller's lock: a blocked caller could not lock one
            row(Routes.MY_LOCKED_TASK_DETAILS, SIGNED_IN.then(only(EnumSet.complementOf(EnumSet.of(Actor.BLOCKED, Actor.ANONYMOUS)),
                    ErrorCode.TASK_NOT_FOUND)), c -> {
                lock(c);
                return Request.of(c.path(Routes.MY_LOCKED_TASK_DETAILS) + "/", null);
            }).ownCast(),
            // ---- tasks: the workflow's reads about people, and the reference's legacy task routes ----
            row(Routes.MAPPED_TASKS, VISIBLE),
            // any signed-in user may list anybody's tasks, as in the reference (drafts and private projects left out)
            row(Routes.USER_TASKS, SIGNED_IN, c -> Request.of("/api/v2/users/" + c.world().bystander.id() + "/tasks/", null)),
            row(Routes.OWN_INVALIDATED_TASKS, SIGNED_IN),
            row(Routes.TASK_COMMENTS, VISIBLE),
            // each administrator's cell deletes a task of its own
            row(Routes.DELETE_TASKS, admin(ErrorCode.ONLY_ADMIN_TASK_DELETE),
                    c -> Request.of(c.path(Routes.DELETE_TASKS) + "/", "{\"tasks\": [" + c.readyTask() + "]}")),
            row(Routes.TASKS_AOI, manager(ErrorCode.USER_PERMISSION_ERROR), c -> Request.of(c.path(Routes.TASKS_AOI) + "/",
                    "{\"areaOfInterest\": " + AOI + ", \"grid\": {\"type\": \"FeatureCollection\", \"features\": []}, \"clipToAoi\": true}"))
    );

    /**
     * Routes that landed while the matrix was being written, whose rows their authors are adding: each is reported,
     * not yet asserted. Adding a row means taking the route out of this list (a route with a row that is still
     * listed fails); a route in neither fails. Do not add new routes here.
     */
    public static final java.util.Set<dev.tmserverless.core.catalogue.Resources.Route> PENDING = java.util.Set.of(
    );

    // ---- per-cell resources ----

    private static final java.net.http.HttpClient BROWSER = java.net.http.HttpClient.newBuilder()
            .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();

    /** A user with an account at the OSM stand-in. */
    static User osmAccount(Cell c) {
        String name = "osm" + unique();
        int id = dev.tmserverless.emulators.Emulators.shared().osm().addAccount(name, 3);
        return c.fx().users.upsertOnLogin(id, name, null, null, false, Instant.now());
    }

    /** The code OSM hands back after a person approved the login (what the browser does between login and callback). */
    static String osmCode(Cell c) {
        Api.Answer login = Api.call(c.world().fn(), "GET", "/api/v2/system/authentication/login/?redirect_uri="
                + java.net.URLEncoder.encode(REDIRECT_URI, java.nio.charset.StandardCharsets.UTF_8), null, null);
        try {
            var approved = BROWSER.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    login.json().path("auth_url").asText() + "&username=osm" + unique())).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            String location = approved.headers().firstValue("location").orElseThrow();
            for (String kv : java.net.URI.create(location).getRawQuery().split("&")) {
                if (kv.startsWith("code=")) return kv.substring(5);
            }
            throw new IllegalStateException("no code in " + location);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }


    static String unique() { return UUID.randomUUID().toString().substring(0, 8); }

    /** A full PATCH body that keeps the project's kind (the PATCH body is a whole ProjectDTO). */
    static String projectSettings(Cell c) {
        boolean isPrivate = c.kind() == AuthMatrix.Kind.PRIVATE;
        return "{\"status\": \"" + (c.kind() == AuthMatrix.Kind.DRAFT ? "DRAFT" : "PUBLISHED") + "\", \"projectPriority\": \"HIGH\","
                + " \"defaultLocale\": \"" + c.world().project.defaultLocale() + "\", \"difficulty\": \"EASY\","
                + " \"mappingPermission\": \"" + c.world().project.mappingPermission() + "\", \"mappingPermissionLevelId\": " + c.world().project.mappingPermissionLevelId() + ","
                + " \"validationPermission\": \"" + c.world().project.validationPermission() + "\", \"validationPermissionLevelId\": " + c.world().project.validationPermissionLevelId() + ","
                + " \"private\": " + isPrivate + ", \"taskCreationMode\": \"GRID\", \"mappingEditors\": [\"ID\"], \"validationEditors\": [\"ID\"],"
                + (isPrivate ? " \"allowedUsernames\": [\"" + c.user(Actor.MAPPER).username() + "\", \"" + c.user(Actor.BLOCKED).username() + "\"]," : "")
                + " \"projectInfoLocales\": [{\"locale\": \"" + c.world().project.defaultLocale() + "\", \"name\": \"Matrix\","
                + " \"shortDescription\": \"s\", \"description\": \"d\", \"instructions\": \"i\"}]}";
    }

    /** A message to the caller (anonymous callers name one that is not theirs). */
    static long ownMessage(Cell c) {
        User to = c.user() == null ? c.world().bystander : c.user();
        return c.bean(MessageStore.class).send(Messages.welcome(to, "TM", Instant.now())).id();
    }

    /** A 1×1 PNG, base64. */
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    /** Gives {@code u} an address of its own (unverified) and answers the user as stored. */
    static User withEmail(Cell c, User u) {
        c.fx().users.updateProfileWrite(u.id(), new dev.tmserverless.aws.store.UserStore.ProfileChanges(java.util.Map.of(),
                java.util.Map.of(), null, null, null, null, "u" + u.id() + "-" + unique() + "@example.org"));
        return c.fx().users.get(u.id()).orElseThrow();
    }

    static long badge(Cell c) {
        return c.bean(dev.tmserverless.aws.store.BadgeStore.class).create("Badge " + unique(), "d", "https://example.org/b.png",
                "{\"changeset\": 10}", true, false).id();
    }

    /** A new level above the others, nobody at it. */
    static int level(Cell c) {
        return c.bean(dev.tmserverless.aws.store.LevelStore.class).create("Level " + unique(), 1, null, false,
                java.util.Set.of(badge(c))).orElseThrow().id();
    }

    static long license(Cell c) {
        return c.bean(LicenseStore.class).create("Licence " + unique(), "d", "t").id();
    }

    static long category(Cell c) {
        return c.bean(IssueCategoryStore.class).create("Issue " + unique(), "d", false).id();
    }

    /** An organisation without projects, managed by ORG_MANAGER. */
    static long emptyOrganisation(Cell c) {
        String u = unique();
        return c.fx().orgs.create("Empty " + u, "empty-" + u, null, null, null, null, List.of(c.user(Actor.ORG_MANAGER).id())).id();
    }

    /** A new public team of the project's organisation created (and so managed) by {@code creator}. */
    static long freshTeam(Cell c, User creator) {
        return c.bean(TeamStore.class).create(c.organisationId(), "Team " + unique(), null, null, Team.JoinMethod.BY_REQUEST,
                Team.Visibility.PUBLIC, creator.id(), Instant.now()).id();
    }

    /** A new team on the project with the MAPPER role. */
    static long assignedTeam(Cell c) {
        long t = freshTeam(c, c.world().bystander);
        c.bean(TeamStore.class).assign(c.projectId(), t, TeamRole.MAPPER);
        return t;
    }

    /** A new user who asked to join the mapping team ({@code active}: and was accepted). */
    static User applicant(Cell c, boolean active) {
        User u = c.fx().user("applicant");
        c.bean(TeamStore.class).join(c.teamId(), u.id(), Team.Function.MEMBER, active, Instant.now());
        return u;
    }

    /** The caller tries to lock their READY task for mapping (a refusal is left for the row's policy). */
    static void lock(Cell c) {
        c.call("POST", "/api/v2/projects/" + c.projectId() + "/tasks/actions/lock-for-mapping/" + c.readyTask() + "/", null);
    }

    static Request lockedForMapping(Cell c, dev.tmserverless.core.catalogue.Resources.Route r, String body) {
        lock(c);
        return Request.of(c.path(r) + "/", body);
    }

    static void lockForValidation(Cell c) {
        c.call("POST", "/api/v2/projects/" + c.projectId() + "/tasks/actions/lock-for-validation/",
                "{\"taskIds\": [" + c.mappedTask() + "]}");
    }

    /** An administrator's map-all, so the project has a bulk job to report. */
    static void bulkJob(Cell c) {
        if (c.world().bulkDone) return;
        c.world().bulkDone = true;
        Api.call(c.world().fn(), "POST", "/api/v2/projects/" + c.projectId() + "/tasks/actions/map-all/",
                Api.token(c.user(Actor.ADMIN).id()), null);
    }

    // ---- reference data (docs/reference-data.md) ----

    static long interest(Cell c) {
        return c.bean(InterestStore.class).create("Interest " + unique()).id();
    }

    static long campaign(Cell c) {
        return c.bean(CampaignStore.class).create("Campaign " + unique(), null, null, null).id();
    }

    static PartnerStore.Partner partner(Cell c) {
        String u = unique();
        return c.bean(PartnerStore.class).create(new PartnerStore.Partner(0, "Partner " + u, "#p", null, null, null, null, null,
                null, "partner-" + u, List.of(), null));
    }

    static long partnership(Cell c) {
        return c.bean(PartnerStore.class).createPartnership(c.projectId(), partner(c).id(), Instant.now(), null).id();
    }

    /** A new team of the project's organisation, managed by TEAM_MANAGER, on the project as a MAPPER team. */
    static long linkedTeam(Cell c) {
        long t = freshTeam(c, c.user(Actor.TEAM_MANAGER));
        c.bean(TeamStore.class).assign(c.projectId(), t, TeamRole.MAPPER);
        return t;
    }
}
