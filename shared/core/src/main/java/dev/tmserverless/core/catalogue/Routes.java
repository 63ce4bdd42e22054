package dev.tmserverless.core.catalogue;

import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.core.catalogue.Resources.PROJECTS;
import static dev.tmserverless.core.catalogue.Resources.TASKS;
import static dev.tmserverless.core.catalogue.Resources.USERS;

/**
 * Every API route, declared once: functions register their handlers by these constants, the OpenAPI document,
 * the route fuzz tests and the local stack read {@link #ALL}. Paths are the reference's, without the trailing
 * slash (both forms are served). API Gateway does not see these routes: it forwards whole path prefixes
 * ({@link Resources#MOUNTS}) to a function, which dispatches among its own routes (docs/routing.md).
 *
 * <p>Adding a route: a constant here and a handler registered for it in its function.
 */
public final class Routes {
    private Routes() {}

    private static final List<Resources.Route> DECLARED = new ArrayList<>();

    private static Resources.Route route(String method, String path, String function) {
        Resources.Route r = new Resources.Route(method, Resources.V2 + path, function);
        DECLARED.add(r);
        return r;
    }

    // ---- users: identity, login, organisations ----
    public static final Resources.Route LOGIN = route("GET", "/system/authentication/login", USERS);
    public static final Resources.Route LOGIN_CALLBACK = route("GET", "/system/authentication/callback", USERS);
    public static final Resources.Route USER_BY_USERNAME = route("GET", "/users/queries/{username}", USERS);
    public static final Resources.Route CREATE_ORGANISATION = route("POST", "/organisations", USERS);
    /** A numeric segment is an organisation id, any other a slug (the reference's int and str variants). */
    public static final Resources.Route ORGANISATION = route("GET", "/organisations/{organisationId}", USERS);
    public static final Resources.Route ORGANISATIONS = route("GET", "/organisations", USERS);
    public static final Resources.Route UPDATE_ORGANISATION = route("PATCH", "/organisations/{organisationId}", USERS);
    public static final Resources.Route DELETE_ORGANISATION = route("DELETE", "/organisations/{organisationId}", USERS);
    public static final Resources.Route USER_OSM_DETAILS = route("GET", "/users/{username}/openstreetmap", USERS);
    public static final Resources.Route HEARTBEAT = route("GET", "/system/heartbeat", USERS);
    public static final Resources.Route LANGUAGES = route("GET", "/system/languages", USERS);
    public static final Resources.Route BANNER = route("GET", "/system/banner", USERS);
    public static final Resources.Route UPDATE_BANNER = route("PATCH", "/system/banner", USERS);

    // ---- users: people (docs/people.md) ----
    public static final Resources.Route USERS_LIST = route("GET", "/users", USERS);
    public static final Resources.Route USER_BY_ID = route("GET", "/users/{userId}", USERS);
    public static final Resources.Route DELETE_USER = route("DELETE", "/users/{userId}", USERS);
    /** Mention autocomplete: usernames starting with the segment, a project's participants first. */
    public static final Resources.Route FILTER_USERS = route("GET", "/users/queries/filter/{username}", USERS);
    public static final Resources.Route SET_USER = route("PATCH", "/users/me/actions/set-user", USERS);
    public static final Resources.Route RESEND_VERIFICATION = route("PATCH", "/users/me/actions/verify-email", USERS);
    public static final Resources.Route VERIFY_EMAIL = route("GET", "/system/authentication/email", USERS);
    public static final Resources.Route REGISTER_EMAIL = route("POST", "/users/actions/register", USERS);
    public static final Resources.Route SET_EXPERT_MODE = route("PATCH", "/users/{username}/actions/set-expert-mode/{isExpert}", USERS);
    public static final Resources.Route SET_LEVEL = route("PATCH", "/users/{username}/actions/set-level/{level}", USERS);
    public static final Resources.Route APPROVE_LEVEL = route("PATCH", "/users/{username}/actions/approve-level", USERS);
    public static final Resources.Route SET_ROLE = route("PATCH", "/users/{username}/actions/set-role/{role}", USERS);
    public static final Resources.Route UPDATE_STATS = route("PATCH", "/users/{username}/actions/update-stats", USERS);
    public static final Resources.Route LEVELS = route("GET", "/levels", USERS);
    public static final Resources.Route CREATE_LEVEL = route("POST", "/levels", USERS);
    public static final Resources.Route LEVEL = route("GET", "/levels/{levelId}", USERS);
    public static final Resources.Route UPDATE_LEVEL = route("PATCH", "/levels/{levelId}", USERS);
    public static final Resources.Route DELETE_LEVEL = route("DELETE", "/levels/{levelId}", USERS);
    public static final Resources.Route BADGES = route("GET", "/badges", USERS);
    public static final Resources.Route CREATE_BADGE = route("POST", "/badges", USERS);
    public static final Resources.Route BADGE = route("GET", "/badges/{badgeId}", USERS);
    public static final Resources.Route UPDATE_BADGE = route("PATCH", "/badges/{badgeId}", USERS);
    public static final Resources.Route DELETE_BADGE = route("DELETE", "/badges/{badgeId}", USERS);
    public static final Resources.Route USER_BADGES = route("GET", "/badges/user/{userId}", USERS);
    public static final Resources.Route CONTACT_ADMIN = route("POST", "/system/contact-admin", USERS);
    public static final Resources.Route IMAGE_UPLOAD = route("POST", "/system/image-upload", USERS);

    // ---- users: notifications (the caller's inbox) ----
    public static final Resources.Route NOTIFICATIONS = route("GET", "/notifications", USERS);
    public static final Resources.Route NOTIFICATION = route("GET", "/notifications/{messageId}", USERS);
    public static final Resources.Route DELETE_NOTIFICATION = route("DELETE", "/notifications/{messageId}", USERS);
    public static final Resources.Route DELETE_NOTIFICATIONS = route("DELETE", "/notifications/delete-multiple", USERS);
    public static final Resources.Route DELETE_ALL_NOTIFICATIONS = route("DELETE", "/notifications/delete-all", USERS);
    public static final Resources.Route MARK_NOTIFICATIONS_READ = route("POST", "/notifications/mark-as-read-multiple", USERS);
    public static final Resources.Route MARK_ALL_NOTIFICATIONS_READ = route("POST", "/notifications/mark-as-read-all", USERS);
    public static final Resources.Route UNREAD_NOTIFICATIONS = route("GET", "/notifications/queries/own/count-unread", USERS);
    public static final Resources.Route NOTIFICATIONS_SEEN = route("POST", "/notifications/queries/own/post-unread", USERS);

    // ---- users: licences ----
    public static final Resources.Route LICENSES = route("GET", "/licenses", USERS);
    public static final Resources.Route CREATE_LICENSE = route("POST", "/licenses", USERS);
    public static final Resources.Route LICENSE = route("GET", "/licenses/{licenseId}", USERS);
    public static final Resources.Route UPDATE_LICENSE = route("PATCH", "/licenses/{licenseId}", USERS);
    public static final Resources.Route DELETE_LICENSE = route("DELETE", "/licenses/{licenseId}", USERS);
    public static final Resources.Route ACCEPT_LICENSE = route("POST", "/licenses/{licenseId}/actions/accept-for-me", USERS);
    // ---- users: serving API consumers (docs, application keys) ----
    /** The OpenAPI document generated from this catalogue ({@link OpenApi}). */
    public static final Resources.Route API_DOCS = route("GET", "/system/docs/json", USERS);
    public static final Resources.Route APPLICATION_KEYS = route("GET", "/system/authentication/applications", USERS);
    public static final Resources.Route CREATE_APPLICATION_KEY = route("POST", "/system/authentication/applications", USERS);
    /** Checks a key: 200 if it exists, 404 APPLICATION_NOT_FOUND if not (no caller needed). */
    public static final Resources.Route CHECK_APPLICATION_KEY =
            route("PATCH", "/system/authentication/applications/{application_key}", USERS);
    /** The key itself, or (ours) the numeric keyId of one of the caller's keys. */
    public static final Resources.Route DELETE_APPLICATION_KEY =
            route("DELETE", "/system/authentication/applications/{application_key}", USERS);

    /**
     * Create routes that honour an {@code Idempotency-Key} header: a retry with the same key and body replays the
     * first answer instead of creating again (ApiFunction; docs/api-differences.md).
     */
    public static boolean idempotent(Resources.Route r) {
        return r.equals(CREATE_PROJECT) || r.equals(CREATE_ORGANISATION)
                // a message to many retried after a lost answer would otherwise go out twice (docs/reference-data.md)
                || r.equals(MESSAGE_PROJECT_CONTRIBUTORS) || r.equals(MESSAGE_CAMPAIGN) || r.equals(MESSAGE_TEAM)
                || r.equals(CREATE_CAMPAIGN) || r.equals(CREATE_PARTNERSHIP);
    }
    // ---- users: teams (docs/data-model.md "Teams") ----
    public static final Resources.Route TEAMS = route("GET", "/teams", USERS);
    public static final Resources.Route CREATE_TEAM = route("POST", "/teams", USERS);
    /** A team's pending join requests as CSV; the literal segment wins over {@code {teamId}}. */
    public static final Resources.Route TEAM_JOIN_REQUESTS = route("GET", "/teams/join_requests", USERS);
    public static final Resources.Route TEAM = route("GET", "/teams/{teamId}", USERS);
    public static final Resources.Route UPDATE_TEAM = route("PATCH", "/teams/{teamId}", USERS);
    public static final Resources.Route DELETE_TEAM = route("DELETE", "/teams/{teamId}", USERS);
    public static final Resources.Route JOIN_TEAM = route("POST", "/teams/{teamId}/actions/join", USERS);
    public static final Resources.Route ANSWER_JOIN_REQUEST = route("PATCH", "/teams/{teamId}/actions/join", USERS);
    public static final Resources.Route ADD_TEAM_MEMBER = route("POST", "/teams/{teamId}/actions/add", USERS);
    public static final Resources.Route LEAVE_TEAM = route("POST", "/teams/{teamId}/actions/leave", USERS);
    public static final Resources.Route MESSAGE_TEAM = route("POST", "/teams/{teamId}/actions/message-members", USERS);
    public static final Resources.Route PROJECT_TEAMS = route("GET", "/projects/{projectId}/teams", USERS);
    public static final Resources.Route ASSIGN_PROJECT_TEAM = route("POST", "/projects/{projectId}/teams/{teamId}", USERS);
    /** The reference's path names the team first: {@code /projects/{team_id}/projects/{project_id}/}. */
    public static final Resources.Route CHANGE_PROJECT_TEAM = route("PATCH", "/projects/{teamId}/projects/{projectId}", USERS);
    public static final Resources.Route REMOVE_PROJECT_TEAM = route("DELETE", "/projects/{teamId}/projects/{projectId}", USERS);

    // ---- users: reference data (docs/reference-data.md) ----
    public static final Resources.Route INTERESTS = route("GET", "/interests", USERS);
    public static final Resources.Route CREATE_INTEREST = route("POST", "/interests", USERS);
    public static final Resources.Route INTEREST = route("GET", "/interests/{interestId}", USERS);
    public static final Resources.Route UPDATE_INTEREST = route("PATCH", "/interests/{interestId}", USERS);
    public static final Resources.Route DELETE_INTEREST = route("DELETE", "/interests/{interestId}", USERS);
    public static final Resources.Route SET_MY_INTERESTS = route("POST", "/users/me/actions/set-interests", USERS);
    public static final Resources.Route USER_INTERESTS = route("GET", "/users/{username}/queries/interests", USERS);
    public static final Resources.Route CAMPAIGNS = route("GET", "/campaigns", USERS);
    public static final Resources.Route CREATE_CAMPAIGN = route("POST", "/campaigns", USERS);
    public static final Resources.Route CAMPAIGN = route("GET", "/campaigns/{campaignId}", USERS);
    public static final Resources.Route UPDATE_CAMPAIGN = route("PATCH", "/campaigns/{campaignId}", USERS);
    public static final Resources.Route DELETE_CAMPAIGN = route("DELETE", "/campaigns/{campaignId}", USERS);
    /** Queues a message to everyone who mapped or validated a task of the campaign's projects (docs/reference-data.md). */
    public static final Resources.Route MESSAGE_CAMPAIGN =
            route("POST", "/campaigns/{campaignId}/actions/message-contributors", USERS);
    public static final Resources.Route ORGANISATION_CAMPAIGNS = route("GET", "/organisations/{organisationId}/campaigns", USERS);
    public static final Resources.Route ASSIGN_ORGANISATION_CAMPAIGN =
            route("POST", "/organisations/{organisationId}/campaigns/{campaignId}", USERS);
    public static final Resources.Route REMOVE_ORGANISATION_CAMPAIGN =
            route("DELETE", "/organisations/{organisationId}/campaigns/{campaignId}", USERS);
    public static final Resources.Route PROJECT_CAMPAIGNS = route("GET", "/projects/{projectId}/campaigns", USERS);
    public static final Resources.Route ASSIGN_PROJECT_CAMPAIGN = route("POST", "/projects/{projectId}/campaigns/{campaignId}", USERS);
    public static final Resources.Route REMOVE_PROJECT_CAMPAIGN = route("DELETE", "/projects/{projectId}/campaigns/{campaignId}", USERS);
    public static final Resources.Route PARTNERS = route("GET", "/partners", USERS);
    public static final Resources.Route CREATE_PARTNER = route("POST", "/partners", USERS);
    /** A numeric segment is a partner id (administrators), any other a permalink (public), as organisations. */
    public static final Resources.Route PARTNER = route("GET", "/partners/{partnerId}", USERS);
    public static final Resources.Route UPDATE_PARTNER = route("PUT", "/partners/{partnerId}", USERS);
    public static final Resources.Route DELETE_PARTNER = route("DELETE", "/partners/{partnerId}", USERS);
    public static final Resources.Route PARTNER_GENERAL_STATISTICS = route("GET", "/partners/{permalink}/general-statistics", USERS);
    public static final Resources.Route PARTNER_FILTERED_STATISTICS = route("GET", "/partners/{permalink}/filtered-statistics", USERS);
    public static final Resources.Route CREATE_PARTNERSHIP = route("POST", "/projects/partnerships", USERS);
    public static final Resources.Route PARTNERSHIP = route("GET", "/projects/partnerships/{partnershipId}", USERS);
    public static final Resources.Route UPDATE_PARTNERSHIP = route("PATCH", "/projects/partnerships/{partnershipId}", USERS);
    public static final Resources.Route DELETE_PARTNERSHIP = route("DELETE", "/projects/partnerships/{partnershipId}", USERS);
    public static final Resources.Route PROJECT_PARTNERS = route("GET", "/projects/{projectId}/partners", USERS);
    // unlinking teams from projects, with the reference's "last team of its kind" refusals
    public static final Resources.Route UNLINK_PROJECT_TEAM = route("DELETE", "/teams/projects/{projectId}/teams/{teamId}", USERS);
    /** The reference's path has no trailing slash; both forms are served here, as everywhere. */
    public static final Resources.Route UNLINK_TEAMS = route("DELETE", "/teams/projects/unlink", USERS);
    public static final Resources.Route UNLINK_TEAM_EVERYWHERE = route("DELETE", "/teams/projects/teams/{teamId}/unlink", USERS);

    // ---- projects ----
    public static final Resources.Route CREATE_PROJECT = route("POST", "/projects", PROJECTS);
    /** Project search (docs/search.md). */
    public static final Resources.Route SEARCH_PROJECTS = route("GET", "/projects", PROJECTS);
    public static final Resources.Route PROJECT = route("GET", "/projects/{projectId}", PROJECTS);
    public static final Resources.Route UPDATE_PROJECT = route("PATCH", "/projects/{projectId}", PROJECTS);
    public static final Resources.Route GRID_JOB = route("GET", "/projects/{projectId}/queries/grid-job", PROJECTS);
    /** Ours: a FAILED grid job queued again from scratch (docs/grid-jobs.md). */
    public static final Resources.Route RETRY_GRID_JOB = route("POST", "/projects/{projectId}/actions/retry-grid-job", PROJECTS);
    public static final Resources.Route PROJECT_AOI = route("GET", "/projects/{projectId}/queries/aoi", PROJECTS);
    /** The project's priority areas, a list of GeoJSON Polygons (docs/projects.md). */
    public static final Resources.Route PRIORITY_AREAS = route("GET", "/projects/{projectId}/queries/priority-areas", PROJECTS);
    public static final Resources.Route INTERSECTING_TILES = route("POST", "/projects/actions/intersecting-tiles", PROJECTS);
    public static final Resources.Route PROJECT_SUMMARY = route("GET", "/projects/{projectId}/queries/summary", PROJECTS);
    public static final Resources.Route PROJECT_CONTRIBUTIONS = route("GET", "/projects/{projectId}/contributions", PROJECTS);
    public static final Resources.Route SET_PROJECT_INTERESTS = route("POST", "/projects/{projectId}/actions/set-interests", PROJECTS);
    /** Queues a message to everyone who mapped or validated one of the project's tasks (docs/reference-data.md). */
    public static final Resources.Route MESSAGE_PROJECT_CONTRIBUTORS =
            route("POST", "/projects/{projectId}/actions/message-contributors", PROJECTS);
    // lists from the search index (docs/projects.md)
    public static final Resources.Route FEATURED_PROJECTS = route("GET", "/projects/queries/featured", PROJECTS);
    public static final Resources.Route MY_OWNED_PROJECTS = route("GET", "/projects/queries/myself/owner", PROJECTS);
    public static final Resources.Route PROJECTS_BBOX = route("GET", "/projects/queries/bbox", PROJECTS);
    public static final Resources.Route ACTIVE_PROJECTS = route("GET", "/projects/queries/active", PROJECTS);
    public static final Resources.Route SIMILAR_PROJECTS = route("GET", "/projects/queries/{projectId}/similar-projects", PROJECTS);
    // lists about users and the deployment (docs/projects.md "Lists about users and the deployment")
    /** The ten most popular projects, kept by the statistics function. */
    public static final Resources.Route POPULAR_PROJECTS = route("GET", "/projects/queries/popular", PROJECTS);
    /** The projects a user mapped, with their task counts (the reference frontend's profile page). */
    public static final Resources.Route TOUCHED_PROJECTS = route("GET", "/projects/queries/{username}/touched", PROJECTS);
    /** Under the users prefix, served by the projects function through its own mount (it holds the search index). */
    public static final Resources.Route RECOMMENDED_PROJECTS = route("GET", "/users/{username}/recommended-projects", PROJECTS);
    /** Every country some project is tagged with. */
    public static final Resources.Route COUNTRIES = route("GET", "/countries", PROJECTS);
    // a project's task annotations (docs/projects.md "Annotations")
    public static final Resources.Route ANNOTATIONS = route("GET", "/projects/{projectId}/annotations", PROJECTS);
    public static final Resources.Route ANNOTATIONS_OF_TYPE = route("GET", "/projects/{projectId}/annotations/{annotationType}", PROJECTS);
    public static final Resources.Route POST_ANNOTATIONS = route("POST", "/projects/{projectId}/annotations/{annotationType}", PROJECTS);
    // one project
    public static final Resources.Route PROJECT_NO_GEOMETRIES = route("GET", "/projects/{projectId}/queries/nogeometries", PROJECTS);
    public static final Resources.Route PROJECT_NO_TASKS = route("GET", "/projects/{projectId}/queries/notasks", PROJECTS);
    public static final Resources.Route DELETE_PROJECT = route("DELETE", "/projects/{projectId}", PROJECTS);
    public static final Resources.Route TRANSFER_OWNERSHIP = route("POST", "/projects/{projectId}/actions/transfer-ownership", PROJECTS);
    public static final Resources.Route FEATURE_PROJECT = route("POST", "/projects/{projectId}/actions/feature", PROJECTS);
    public static final Resources.Route UNFEATURE_PROJECT = route("POST", "/projects/{projectId}/actions/remove-feature", PROJECTS);
    public static final Resources.Route IS_FAVOURITE = route("GET", "/projects/{projectId}/favorite", PROJECTS);
    public static final Resources.Route ADD_FAVOURITE = route("POST", "/projects/{projectId}/favorite", PROJECTS);
    public static final Resources.Route REMOVE_FAVOURITE = route("DELETE", "/projects/{projectId}/favorite", PROJECTS);
    /** The caller's favourite projects (under the users mount: the users function serves it). */
    public static final Resources.Route MY_FAVOURITES = route("GET", "/users/queries/favorites", USERS);

    // ---- statistics: read from the aggregates where each mount already goes (docs/routing.md "Statistics") ----
    public static final Resources.Route SYSTEM_STATISTICS = route("GET", "/system/statistics", USERS);
    public static final Resources.Route USER_STATISTICS = route("GET", "/users/{username}/statistics", USERS);
    /** A user's OSM edits by topic, asked of the ohsomeNow statistics API and answered as it comes (docs/ohsome.md). */
    public static final Resources.Route OHSOME_STATISTICS = route("GET", "/users/statistics/ohsome", USERS);
    /** Users registered in a date range, by level, contribution, e-mail verification and gender. */
    public static final Resources.Route USERS_REGISTRATION_STATISTICS = route("GET", "/users/statistics", USERS);
    /** The caller-named user's progress towards their next mapping level (badge requirements vs their statistics). */
    public static final Resources.Route USER_NEXT_LEVEL = route("GET", "/users/statistics/nextlevel", USERS);
    /** A user's contribution rate per interest, over the projects they worked in. */
    public static final Resources.Route USER_INTEREST_STATISTICS = route("GET", "/users/{userId}/statistics/interests", USERS);
    public static final Resources.Route ORGANISATION_STATISTICS = route("GET", "/organisations/{organisationId}/statistics", USERS);
    public static final Resources.Route PROJECT_STATISTICS = route("GET", "/projects/{projectId}/statistics", PROJECTS);
    public static final Resources.Route PROJECT_USER_STATISTICS =
            route("GET", "/projects/{projectId}/statistics/queries/{username}", PROJECTS);
    public static final Resources.Route PROJECT_CONTRIBUTIONS_BY_DAY =
            route("GET", "/projects/{projectId}/contributions/queries/day", PROJECTS);
    public static final Resources.Route TASK_STATISTICS = route("GET", "/tasks/statistics", TASKS);

    // ---- tasks ----
    public static final Resources.Route TASKS_OF_PROJECT = route("GET", "/projects/{projectId}/tasks", TASKS);
    public static final Resources.Route TASK = route("GET", "/projects/{projectId}/tasks/{taskId}", TASKS);
    public static final Resources.Route LOCK_FOR_MAPPING =
            route("POST", "/projects/{projectId}/tasks/actions/lock-for-mapping/{taskId}", TASKS);
    public static final Resources.Route UNLOCK_AFTER_MAPPING =
            route("POST", "/projects/{projectId}/tasks/actions/unlock-after-mapping/{taskId}", TASKS);
    public static final Resources.Route STOP_MAPPING =
            route("POST", "/projects/{projectId}/tasks/actions/stop-mapping/{taskId}", TASKS);
    public static final Resources.Route UNDO_LAST_ACTION =
            route("POST", "/projects/{projectId}/tasks/actions/undo-last-action/{taskId}", TASKS);
    public static final Resources.Route EXTEND = route("POST", "/projects/{projectId}/tasks/actions/extend", TASKS);
    public static final Resources.Route LOCK_FOR_VALIDATION =
            route("POST", "/projects/{projectId}/tasks/actions/lock-for-validation", TASKS);
    public static final Resources.Route UNLOCK_AFTER_VALIDATION =
            route("POST", "/projects/{projectId}/tasks/actions/unlock-after-validation", TASKS);
    public static final Resources.Route STOP_VALIDATION =
            route("POST", "/projects/{projectId}/tasks/actions/stop-validation", TASKS);
    public static final Resources.Route SPLIT = route("POST", "/projects/{projectId}/tasks/actions/split/{taskId}", TASKS);
    // project manager's bulk actions (docs/workflow.md "Bulk actions")
    public static final Resources.Route MAP_ALL = route("POST", "/projects/{projectId}/tasks/actions/map-all", TASKS);
    public static final Resources.Route VALIDATE_ALL = route("POST", "/projects/{projectId}/tasks/actions/validate-all", TASKS);
    public static final Resources.Route INVALIDATE_ALL = route("POST", "/projects/{projectId}/tasks/actions/invalidate-all", TASKS);
    public static final Resources.Route RESET_ALL_BADIMAGERY =
            route("POST", "/projects/{projectId}/tasks/actions/reset-all-badimagery", TASKS);
    public static final Resources.Route RESET_ALL = route("POST", "/projects/{projectId}/tasks/actions/reset-all", TASKS);
    public static final Resources.Route RESET_BY_USER = route("POST", "/projects/{projectId}/tasks/actions/reset-by-user", TASKS);
    /** Our addition: the progress of the project's latest bulk action. */
    public static final Resources.Route BULK_JOB = route("GET", "/projects/{projectId}/tasks/queries/bulk-job", TASKS);
    public static final Resources.Route TASKS_OSM_XML = route("GET", "/projects/{projectId}/tasks/queries/xml", TASKS);
    public static final Resources.Route TASKS_GPX = route("GET", "/projects/{projectId}/tasks/queries/gpx", TASKS);
    public static final Resources.Route TASK_COMMENT = route("POST", "/projects/{projectId}/comments/tasks/{taskId}", TASKS);
    public static final Resources.Route PROJECT_CHAT = route("GET", "/projects/{projectId}/comments", TASKS);
    public static final Resources.Route POST_PROJECT_CHAT = route("POST", "/projects/{projectId}/comments", TASKS);
    public static final Resources.Route DELETE_PROJECT_CHAT = route("DELETE", "/projects/{projectId}/comments/{commentId}", TASKS);
    public static final Resources.Route ISSUE_CATEGORIES = route("GET", "/tasks/issues/categories", TASKS);
    public static final Resources.Route CREATE_ISSUE_CATEGORY = route("POST", "/tasks/issues/categories", TASKS);
    public static final Resources.Route ISSUE_CATEGORY = route("GET", "/tasks/issues/categories/{categoryId}", TASKS);
    public static final Resources.Route UPDATE_ISSUE_CATEGORY = route("PATCH", "/tasks/issues/categories/{categoryId}", TASKS);
    public static final Resources.Route DELETE_ISSUE_CATEGORY = route("DELETE", "/tasks/issues/categories/{categoryId}", TASKS);
    public static final Resources.Route ACTIVITIES = route("GET", "/projects/{projectId}/activities", TASKS);
    public static final Resources.Route LATEST_ACTIVITIES = route("GET", "/projects/{projectId}/activities/latest", TASKS);
    public static final Resources.Route MY_LOCKED_TASKS = route("GET", "/users/queries/tasks/locked", TASKS);
    public static final Resources.Route MY_LOCKED_TASK_DETAILS = route("GET", "/users/queries/tasks/locked/details", TASKS);
    public static final Resources.Route MAPPED_TASKS = route("GET", "/projects/{projectId}/tasks/queries/mapped", TASKS);
    public static final Resources.Route USER_TASKS = route("GET", "/users/{userId}/tasks", TASKS);
    public static final Resources.Route TASK_COMMENTS = route("GET", "/projects/{projectId}/comments/tasks/{taskId}", TASKS);
    public static final Resources.Route DELETE_TASKS = route("DELETE", "/projects/{projectId}/tasks", TASKS);
    public static final Resources.Route TASKS_AOI = route("PUT", "/projects/{projectId}/tasks/queries/aoi", TASKS);
    // the reference's path puts a username where every sibling has the project id; it reaches the tasks mount
    public static final Resources.Route OWN_INVALIDATED_TASKS =
            route("GET", "/projects/{username}/tasks/queries/own/invalidated", TASKS);

    /** Every route, in declaration order. */
    public static final List<Resources.Route> ALL = List.copyOf(DECLARED);
}
