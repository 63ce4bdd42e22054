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

    // ---- projects ----
    public static final Resources.Route CREATE_PROJECT = route("POST", "/projects", PROJECTS);
    /** Project search (docs/search.md). */
    public static final Resources.Route SEARCH_PROJECTS = route("GET", "/projects", PROJECTS);
    public static final Resources.Route PROJECT = route("GET", "/projects/{projectId}", PROJECTS);
    public static final Resources.Route UPDATE_PROJECT = route("PATCH", "/projects/{projectId}", PROJECTS);
    public static final Resources.Route GRID_JOB = route("GET", "/projects/{projectId}/queries/grid-job", PROJECTS);
    public static final Resources.Route PROJECT_AOI = route("GET", "/projects/{projectId}/queries/aoi", PROJECTS);
    public static final Resources.Route INTERSECTING_TILES = route("POST", "/projects/actions/intersecting-tiles", PROJECTS);

    // ---- tasks ----
    public static final Resources.Route TASKS_OF_PROJECT = route("GET", "/projects/{projectId}/tasks", TASKS);
    public static final Resources.Route TASK = route("GET", "/projects/{projectId}/tasks/{taskId}", TASKS);
    public static final Resources.Route LOCK_FOR_MAPPING =
            route("POST", "/projects/{projectId}/tasks/actions/lock-for-mapping/{taskId}", TASKS);
    public static final Resources.Route UNLOCK_AFTER_MAPPING =
            route("POST", "/projects/{projectId}/tasks/actions/unlock-after-mapping/{taskId}", TASKS);
    public static final Resources.Route STOP_MAPPING =
            route("POST", "/projects/{projectId}/tasks/actions/stop-mapping/{taskId}", TASKS);
    public static final Resources.Route SPLIT = route("POST", "/projects/{projectId}/tasks/actions/split/{taskId}", TASKS);
    public static final Resources.Route TASKS_OSM_XML = route("GET", "/projects/{projectId}/tasks/queries/xml", TASKS);
    public static final Resources.Route TASKS_GPX = route("GET", "/projects/{projectId}/tasks/queries/gpx", TASKS);

    /** Every route, in declaration order. */
    public static final List<Resources.Route> ALL = List.copyOf(DECLARED);
}
