package dev.tmserverless.core.error;

/**
 * Every error this API can answer with: HTTP status, the wire sub-code exactly as reference clients match
 * it (typos and trailing spaces included), the body shape, and the default text. Nothing else in the code
 * base spells a sub-code.
 */
public enum ErrorCode {
    // --- structured "not found" family: {"error": {"code", "sub_code", "message", "details"}}
    PROJECT_NOT_FOUND(404, "PROJECT_NOT_FOUND", Shape.STRUCTURED, "The requested project was not found."),
    TASK_NOT_FOUND(404, "TASK_NOT_FOUND", Shape.STRUCTURED, "The requested task was not found."),
    TASKS_NOT_FOUND(404, "TASKS_NOT_FOUND", Shape.STRUCTURED, "The requested tasks were not found."),
    USER_NOT_FOUND(404, "USER_NOT_FOUND", Shape.STRUCTURED, "The requested user was not found."),
    ORGANISATION_NOT_FOUND(404, "ORGANISATION_NOT_FOUND", Shape.STRUCTURED, "The requested organisation was not found."),
    LICENSE_NOT_FOUND(404, "LICENSE_NOT_FOUND", Shape.STRUCTURED, "The requested license was not found."),
    NOT_FOUND(404, "NOT_FOUND", Shape.STRUCTURED, "The requested resource was not found."),
    ISSUE_CATEGORY_NOT_FOUND(404, "ISSUE_CATEGORY_NOT_FOUND", Shape.STRUCTURED, "The requested mapping issue category was not found."),
    MESSAGE_NOT_FOUND(404, "MESSAGE_NOT_FOUND", Shape.STRUCTURED, "The requested message was not found."),
    APPLICATION_NOT_FOUND(404, "APPLICATION_NOT_FOUND", Shape.STRUCTURED, "The requested application was not found on the server."),
    // ours: an application key over its per-minute limit (TEMPLATE_NOTES.md "Application keys")
    TOO_MANY_REQUESTS(429, "TOO_MANY_REQUESTS", Shape.STRUCTURED, "Too many requests with this application key; retry after the minute."),
    ROUTE_NOT_FOUND(404, "NOT_FOUND", Shape.STRUCTURED, "The requested URL was not found on the server."),
    METHOD_NOT_ALLOWED(405, "METHOD_NOT_ALLOWED", Shape.STRUCTURED, "Method not allowed."),
    ADMIN_REQUIRED(403, "UNKNOWN_ERROR", Shape.STRUCTURED, "Admin access required"),
    BAD_REQUEST(400, "BAD_REQUEST", Shape.STRUCTURED, "Bad request."),
    CONFLICT(409, "CONFLICT", Shape.STRUCTURED, "The resource was changed by another request; try again."),
    // body or query does not fit the declared schema: {"detail": [{"loc", "msg", "type"}]}
    SCHEMA_INVALID(422, "", Shape.DETAIL, "Field required"),
    // ours: an Idempotency-Key sent again with another body, or while its first request still runs
    IDEMPOTENCY_KEY_REUSED(422, "", Shape.DETAIL, "This Idempotency-Key was used with another request body"),
    IDEMPOTENCY_KEY_IN_USE(409, "IDEMPOTENCY_KEY_IN_USE", Shape.STRUCTURED,
            "A request with this Idempotency-Key is still being processed; retry later"),
    INTERNAL_SERVER_ERROR(500, "INTERNAL_SERVER_ERROR", Shape.STRUCTURED, "An internal server error occurred."),

    // --- authentication (docs/api-differences.md D1: a missing header is 401 like a bad token)
    NOT_AUTHENTICATED(401, "InvalidToken", Shape.LEGACY, "Not authenticated"),
    INVALID_TOKEN(401, "InvalidToken", Shape.LEGACY, "Token is expired or invalid"),

    // --- legacy business-rule family: {"Error": text, "SubCode": code}
    INVALID_DATA(400, "InvalidData", Shape.LEGACY, "Invalid data"),
    // task statistics: the reference answers the text after the sub-code's "-", leading space included
    INVALID_DATE_VALUE(400, "InvalidDateValue", Shape.LEGACY, " Invalid date value"),
    INVALID_DATE_RANGE(400, "InvalidDateRange", Shape.LEGACY, " Start date must be earlier than end date"),
    INVALID_GRANT(400, "InvalidGrantError", Shape.LEGACY, "Invalid authorization grant"),
    MUST_HAVE_FEATURES(400, "MustHaveFeatures", Shape.LEGACY, "Geojson does not contain any features"),
    MUST_BE_MULTIPLOYGON(400, "MustBeMultiPloygon", Shape.LEGACY, "Area Of Interest: geometry must be a MultiPolygon"),
    INVALID_MULTIPOLYGON_AOI(400, "InvalidMultipolygon", Shape.LEGACY, "Area of Interest: Invalid MultiPolygon"),
    SELF_INTERSECTING_AOI(400, "SelfIntersectingAOI", Shape.LEGACY, "Invalid geometry. Polygon is self intersecting"),
    MUST_BE_FEATURE_COLLECTION(400, "MustBeFeatureCollection", Shape.LEGACY, "Tasks: Invalid GeoJson must be FeatureCollection"),
    INVALID_FEATURE_COLLECTION(400, "InvalidFeatureCollection", Shape.LEGACY, "Tasks: Invalid FeatureCollection"),
    MUST_BE_FEATURE(400, "MustBeFeature", Shape.LEGACY, "Task: Invalid GeoJson should be a feature"),
    MUST_BE_MULTIPOLYGON(400, "MustBeMultiPolygon", Shape.LEGACY, "Task: Geometry must be a MultiPolygon"),
    INVALID_MULTIPOLYGON(400, "InvalidMultiPolygon", Shape.LEGACY, "Task: Invalid MultiPolygon"),
    INVALID_PRIORITY_AREA(400, "InvalidGeoJson", Shape.LEGACY, "Priority Areas must be supplied as Polygons"),
    PROPERTY_NOT_FOUND(400, "PropertyNotFound", Shape.LEGACY, "Expected property not found"),
    // Ours (docs/api-differences.md D16/D17): server-side limits and grid requests.
    AOI_TOO_LARGE(400, "AOITooLarge", Shape.LEGACY, "Area of Interest is larger than this deployment allows"),
    TOO_MANY_TASKS(400, "TooManyTasks", Shape.LEGACY, "The grid would have more tasks than this deployment allows"),
    INVALID_ZOOM(400, "InvalidZoomLevel", Shape.LEGACY, "Grid zoom level is out of range"),
    // intersecting-tiles work bounds (docs/geometry.md, "Trim budget"): input too big, or output/time past the budget
    GRID_TOO_LARGE(413, "GridTooLarge", Shape.LEGACY, "The grid or Area of Interest has more features or vertices than this deployment trims"),
    TRIM_TOO_COMPLEX(400, "TrimTooComplex", Shape.LEGACY, "Trimming this grid to this Area of Interest takes more work than this deployment allows"),
    // ours: one task's geometry and extra properties must fit its DynamoDB item (docs/geometry.md "Task shape budget")
    TASK_SHAPE_TOO_LARGE(400, "TaskShapeTooLarge", Shape.LEGACY, "A task's shape is larger than a task can hold"),
    INVALID_COORDINATES(400, "InvalidCoordinates", Shape.LEGACY, "Coordinates are out of range or not numbers"),
    TOKEN_FETCH_ERROR(502, "TokenFetchError", Shape.LEGACY, "Unable to fetch the access token from OpenStreetMap"),
    OSM_SERVICE_ERROR(502, "OSMServiceError", Shape.LEGACY, "OpenStreetMap user details could not be fetched"),
    AUTH_ERROR(502, "AuthError", Shape.LEGACY, "Unexpected response from OpenStreetMap"),
    OSM_BAD_RESPONSE(502, "OSMServiceError", Shape.LEGACY, "Bad response from OSM"),
    OSM_USER_GONE(502, "OSMServiceError", Shape.LEGACY, "User no longer exists on OSM"),
    // the ohsome statistics proxy (docs/ohsome.md): a bad date is the reference's 400; ohsome failing is ours
    OHSOME_INVALID_DATE(400, "UNKNOWN_ERROR", Shape.STRUCTURED, "Invalid date format, expected YYYY-MM-DD"),
    OHSOME_REFUSED(400, "OHSOME_QUERY_REFUSED", Shape.STRUCTURED, "The ohsome statistics service refused the query."),
    OHSOME_UNAVAILABLE(502, "OHSOME_UNAVAILABLE", Shape.STRUCTURED,
            "The ohsome statistics service did not answer usably; try again later."),

    NOT_PERMITTED_TO_CREATE(403, "NotPermittedToCreate", Shape.LEGACY, "User is not permitted to create project"),
    ONLY_ADMIN_ACCESS(403, "OnlyAdminAccess", Shape.LEGACY, "Only admin users can create organisations."),
    BANNER_ADMIN_ONLY(403, "OnlyAdminAccess", Shape.LEGACY, "Banner can only be updated by system admins"),
    ONLY_ADMIN_TASK_DELETE(403, "OnlyAdminAccess", Shape.LEGACY, "This endpoint action is restricted to ADMIN users."),
    USER_NOT_ORG_ADMIN(403, "UserNotOrgAdmin", Shape.LEGACY, "User is not an admin for the org"),
    ORG_HAS_PROJECTS(403, "OrgHasProjects", Shape.LEGACY, "Organisation has some projects"),
    LOGIN_TO_FILTER_MANAGER(403, "LoginToFilterManager", Shape.LEGACY,
            "Unauthorized - Filter by manager_user_id is not allowed to unauthenticated requests"),
    // The reference answers a name taken by another organisation with 400 on creation and 402 on update.
    NAME_EXISTS(400, "NameExists", Shape.LEGACY, "Organisation name already exists"),
    NAME_EXISTS_ON_UPDATE(402, "NameExists", Shape.LEGACY, "Organisation name already exists"),
    USER_PERMISSION_ERROR(403, "UserPermissionError", Shape.LEGACY, "User is not a manager of the project"),
    PRIVATE_PROJECT(403, "PrivateProject", Shape.LEGACY, "User not permitted: Private Project"),
    PROJECT_NOT_FETCHED(403, "ProjectNotFetched", Shape.LEGACY, "Unable to fetch project"),
    INFO_FOR_LOCALE_REQUIRED(403, "InfoForLocaleRequired", Shape.LEGACY, "Project Info for Default Locale not provided"),
    MISSING_REQUIRED_ATTRIBUTE(403, "MissingRequiredAttribute", Shape.LEGACY, "Missing required attribute for the default locale"),
    REQUIRE_LICENSE_ID(403, "RequireLicenseId", Shape.LEGACY, "LicenseId not found"),
    GRID_NOT_READY(403, "GridNotReady", Shape.LEGACY, "The project's tasks are still being created"),
    GRID_JOB_NOT_FAILED(409, "GridJobNotFailed", Shape.LEGACY, "Only a failed grid job can be retried"),

    INVALID_TASK_STATE(403, "InvalidTaskState", Shape.LEGACY, "Task in invalid state for mapping"),
    USER_NOT_ALLOWED(403, "UserNotAllowed", Shape.LEGACY, "User not allowed to map"),
    PROJECT_NOT_PUBLISHED(403, "ProjectNotPublished", Shape.LEGACY, "Project is not published"),
    USER_ALREADY_HAS_TASK_LOCKED(403, "UserAlreadyHasTaskLocked", Shape.LEGACY, "User already has a task locked"),
    USER_NOT_TEAM_MEMBER(403, "MappingNotAllowed.USER_NOT_TEAM_MEMBER", Shape.LEGACY, "User is not a member of a project team"),
    USER_NOT_CORRECT_MAPPING_LEVEL(403, "MappingNotAllowed.USER_NOT_CORRECT_MAPPING_LEVEL", Shape.LEGACY, "User's mapping level is too low for this project"),
    USER_LICENSE_ERROR(409, "UserLicenseError", Shape.LEGACY, "User not accepted license terms"),
    LOCK_BEFORE_UNLOCKING(403, "LockBeforeUnlocking", Shape.LEGACY, "Status must be LOCKED_FOR_MAPPING to unlock"),
    TASK_NOT_OWNED(403, "TaskNotOwned", Shape.LEGACY, "Attempting to unlock a task owned by another user"),
    INVALID_UNLOCK_STATE(403, "InvalidUnlockState ", Shape.LEGACY, "Can't update status to"),
    SMALL_TO_SPLIT(403, "SmallToSplit", Shape.LEGACY, "Task is too small to be split"),
    LOCK_TO_SPLIT(403, "LockToSplit", Shape.LEGACY, "Status must be LOCKED_FOR_MAPPING to split"),
    SPLIT_OTHER_USER_TASK(403, "SplitOtherUserTask", Shape.LEGACY, "Attempting to split a task owned by another user"),
    SPLIT_GEOJSON_ERROR(403, "SplitGeoJsonError", Shape.LEGACY, "New split task does not intersect original task"),
    SPLIT_SERVICE_ERROR(403, "SplitServiceError", Shape.LEGACY, "unhandled error splitting tile"),

    // validation, extend, undo, comments and project-manager bulk actions (docs/workflow.md)
    NOT_READY_FOR_VALIDATION(403, "NotReadyForValidation", Shape.LEGACY, "Task is not MAPPED, BADIMAGERY or INVALIDATED"),
    CANNOT_VALIDATE_MAPPED_TASK(403, "CannotValidateMappedTask", Shape.LEGACY, "Tasks cannot be validated by the same user who marked task as mapped or badimagery"),
    // team and level refusals of validation share this (misspelt) sub-code; the message names the reason
    VALIDATION_NOT_ALLOWED(403, "ValidtionNotAllowed", Shape.LEGACY, "Validation not allowed"),
    NOT_LOCKED_FOR_VALIDATION(403, "NotLockedForValidation ", Shape.LEGACY, "Task is not LOCKED_FOR_VALIDATION"),
    // the validation flows' TaskNotOwned carries a trailing space, the mapping flow's does not
    TASK_NOT_OWNED_VALIDATION(403, "TaskNotOwned ", Shape.LEGACY, "Attempting to unlock a task owned by another user"),
    TASK_STATUS_NOT_LOCKED(403, "TaskStatusNotLocked", Shape.LEGACY, "Task status is not LOCKED_FOR_MAPPING or LOCKED_FOR_VALIDATION."),
    LOCKED_BY_ANOTHER_USER(403, "LockedByAnotherUser", Shape.LEGACY, "Task is locked by another user."),
    UNDO_PERMISSION_ERROR(403, "UndoPermissionError", Shape.LEGACY, "Undo not allowed for this user"),
    USER_ACTION_NOT_PERMITTED(403, "UserActionNotPermitted", Shape.LEGACY, "User not permitted to revert tasks"),
    READ_ONLY(403, "ReadOnly", Shape.LEGACY, "User is on read only mode."),
    USER_NOT_PERMITTED(403, "UserNotPermitted", Shape.LEGACY, " User not permitted to post Comment"),
    DELETE_PERMISSION_ERROR(403, "DeletePermissionError", Shape.LEGACY, " User not allowed to delete message"),

    // teams (docs/api-differences.md "Teams")
    TEAM_NOT_FOUND(404, "TEAM_NOT_FOUND", Shape.STRUCTURED, "The requested team was not found."),
    JOIN_REQUEST_NOT_FOUND(404, "JOIN_REQUEST_NOT_FOUND", Shape.STRUCTURED, "The requested join request was not found."),
    USER_NOT_IN_TEAM(404, "USER_NOT_IN_TEAM", Shape.STRUCTURED, "The requested user is not a member of the team."),
    CREATE_TEAM_NOT_PERMITTED(403, "CreateTeamNotPermitted", Shape.LEGACY, "User not permitted to create team for the Organisation"),
    USER_NOT_TEAM_MANAGER(403, "UserNotTeamManager", Shape.LEGACY, "User is not a admin or a manager for the team"),
    USER_NOT_TEAM_MANAGER_DELETE(403, "UserNotTeamManager", Shape.LEGACY, "User is not a manager for the team"),
    TEAM_JOIN_INVALID(400, "InvalidRequest", Shape.LEGACY, "The user is already a member of the team or has requested to join."),
    APPROVE_JOIN_ERROR(403, "ApproveJoinError", Shape.LEGACY, "You don't have permissions to approve this join team request"),
    REMOVE_USER_ERROR(403, "RemoveUserError", Shape.LEGACY, "You don't have permissions to remove this user from this team."),
    // ours: the reference lets a team lose its last manager
    LAST_TEAM_MANAGER(403, "RemoveUserError", Shape.LEGACY, "A team must keep at least one manager"),
    // the reference answers this 400 with the sentence itself as SubCode
    TEAM_HAS_PROJECTS(400, "This team has projects associated. Before deleting, unlink any associated projects.", Shape.LEGACY,
            "Team has projects, cannot be deleted"),
    TEAM_NOT_ON_PROJECT(404, "NotFoundError", Shape.LEGACY, "No such team linked to project"),
    TEAM_USER_PERMISSION_ERROR(403, "UserPermissionError", Shape.LEGACY, "User is not an admin or a manager for the team"),

    // project search answers its refusals with an "Error" text and no SubCode
    // ---- project management (docs/projects.md) ----
    PROJECT_DELETE_PERMISSION_ERROR(403, "DeletePermissionError", Shape.LEGACY, "User does not have permissions to delete project"),
    HAS_MAPPED_TASKS(403, "HasMappedTasks", Shape.LEGACY, " Project has mapped tasks, cannot be deleted"),
    TRANSFER_PERMISSION_ERROR(403, "TransferPermissionError", Shape.LEGACY, " User does not have permissions to transfer project"),
    INVALID_NEW_OWNER(403, "InvalidNewOwner", Shape.LEGACY, " New owner must be project's org manager or TM admin"),
    ALREADY_FEATURED(403, "AlreadyFeatured", Shape.LEGACY, " Project is already featured"),
    NOT_FEATURED(403, "NotFeatured ", Shape.LEGACY, " Project is not featured"),
    NOT_FAVOURITED(400, "NotFeatured ", Shape.LEGACY, " Project has not been favorited by user"),
    BBOX_TOO_BIG(400, "BBoxTooBigError", Shape.LEGACY, " Requested bounding box is too large"),
    SEARCH_INTERVAL(400, "", Shape.ERROR_ONLY, "Interval must be a number greater than 0 and less than or equal to 24"),
    SEARCH_BAD_VALUE(400, "", Shape.ERROR_ONLY, "Projects GET - "),
    SEARCH_OMIT_AND_CSV(400, "", Shape.ERROR_ONLY, "omitMapResults and downloadAsCSV cannot be both set to true"),
    PARTNERSHIP_WITHOUT_PARTNER(400, "", Shape.ERROR_ONLY, "partnershipFrom or partnershipTo cannot be provided without partnerId"),
    PARTNERSHIP_FROM_AFTER_TO(400, "", Shape.ERROR_ONLY, "partnershipFrom cannot be greater than partnershipTo"),
    PARTNER_FILTER_ADMIN_ONLY(401, "", Shape.ERROR_ONLY, "Only admins can search projects by partnerId, partnershipFrom, partnershipTo"),

    // reference data: interests, campaigns, partners (docs/reference-data.md)
    INTEREST_NOT_FOUND(404, "INTEREST_NOT_FOUND", Shape.STRUCTURED, "The requested interest was not found."),
    CAMPAIGN_NOT_FOUND(404, "CAMPAIGN_NOT_FOUND", Shape.STRUCTURED, "The requested campaign was not found."),
    ORGANISATION_CAMPAIGN_NOT_FOUND(404, "ORGANISATION_CAMPAIGN_NOT_FOUND", Shape.STRUCTURED, "The requested organisation campaign was not found."),
    PROJECT_CAMPAIGN_NOT_FOUND(404, "PROJECT_CAMPAIGN_NOT_FOUND", Shape.STRUCTURED, "The requested project campaign was not found."),
    PARTNER_NOT_FOUND(404, "PARTNER_NOT_FOUND", Shape.STRUCTURED, "The requested partner was not found."),
    PARTNERSHIP_NOT_FOUND(404, "PARTNERSHIP_NOT_FOUND", Shape.STRUCTURED, "The requested partnership was not found."),
    // interests and campaigns are written by managers of any organisation (and administrators)
    ORG_MANAGER_REQUIRED(403, "UserNotPermitted", Shape.LEGACY, "User not a Org Manager"),
    ORG_MANAGER_OF_THIS_REQUIRED(403, "UserNotPermitted", Shape.LEGACY, "User is not a manager of the organisation"),
    // ours: 409 for every reference-data name already taken (the reference answers 400 or a 500)
    NAME_TAKEN(409, "NameExists", Shape.LEGACY, "Name already exists"),
    CAMPAIGN_ASSIGNMENT_ERROR(400, "CampaignAssignmentError", Shape.LEGACY, "Project is already assigned to this campaign"),
    CAMPAIGN_ALREADY_ASSIGNED(400, "CampaignAlreadyAssigned", Shape.LEGACY, "Campaign is already assigned to the organisation"),
    // the reference answers a partnership write by a non-manager with 401
    PARTNERSHIP_NOT_MANAGER(401, "UserPermissionError", Shape.LEGACY, "User is not a manager of the project"),
    PARTNER_ADMIN_ONLY(403, "OnlyAdminAccess", Shape.LEGACY, "Only admin users can manage partners."),
    INVALID_TIME_RANGE(400, "INVALID_TIME_RANGE", Shape.STRUCTURED, "Invalid time range."),
    EMPTY_MAPSWIPE_GROUP(400, "EMPTY_MAPSWIPE_GROUP", Shape.STRUCTURED, "Mapswipe group is not set for this partner."),
    // the MapSwipe statistics service did not answer usably: the reference's 409s, one SubCode per way it failed
    MAPSWIPE_NETWORK_ERROR(409, "MAPSWIPE_NETWORK_ERROR", Shape.STRUCTURED, "Failed to reach MapSwipe API."),
    MAPSWIPE_HTTP_ERROR(409, "MAPSWIPE_HTTP_ERROR", Shape.STRUCTURED, "MapSwipe answered with an HTTP error."),
    MAPSWIPE_INVALID_RESPONSE(409, "MAPSWIPE_INVALID_RESPONSE", Shape.STRUCTURED, "MapSwipe returned non-JSON response"),
    MAPSWIPE_GRAPHQL_ERROR(409, "MAPSWIPE_GRAPHQL_ERROR", Shape.STRUCTURED, "MapSwipe GraphQL error."),
    MAPSWIPE_NO_DATA(409, "MAPSWIPE_NO_DATA", Shape.STRUCTURED, "MapSwipe returned null data"),
    INVALID_MAPSWIPE_GROUP_ID(409, "INVALID_MAPSWIPE_GROUP_ID", Shape.STRUCTURED,
            "The mapswipe group ID linked to this partner is invalid. Please contact an admin."),
    // the message-contributors actions
    MESSAGE_INVALID(400, "InvalidData", Shape.LEGACY, "Request payload did not match validation"),
    CAMPAIGN_MESSAGE_ADMIN_ONLY(403, "UserNotPermitted", Shape.LEGACY, "Unauthorised to send message to campaign contributors"),
    // unlinking teams from projects
    UNLINK_NOTHING(400, "InvalidRequest", Shape.LEGACY, "No project/team pairs provided"),
    UNLINK_NOT_FOUND(404, "NotFoundError", Shape.LEGACY, "Cannot unlink team"),
    UNLINK_LAST_PM_TEAM(403, "ProjectManagementPermissionError", Shape.LEGACY, "Cannot unlink team: this is the project's only project-manager team"),
    UNLINK_LAST_MAPPER_TEAM(403, "TeamMappingPermissionError", Shape.LEGACY, "Cannot unlink team: mapping is restricted to teams and this is the only mapper team"),
    UNLINK_LAST_VALIDATOR_TEAM(403, "TeamValidationPermissionError", Shape.LEGACY, "Cannot unlink team: validation is restricted to teams and this is the only validator team"),
    // users, levels, badges, mail (docs/people.md)
    MAPPING_LEVEL_NOT_FOUND(404, "MAPPING_LEVEL_NOT_FOUND", Shape.STRUCTURED, "MAPPING_LEVEL_NOT_FOUND"),
    // ours: the reference answers an unknown badge with a 500
    MAPPING_BADGE_NOT_FOUND(404, "MAPPING_BADGE_NOT_FOUND", Shape.STRUCTURED, "MAPPING_BADGE_NOT_FOUND"),
    MAPPING_LEVEL_BEGINNER(409, "MAPPING_LEVEL_BEGINNER", Shape.STRUCTURED, "MAPPING_LEVEL_BEGINNER"),
    MAPPING_LEVEL_HAS_USERS(409, "MAPPING_LEVEL_HAS_USERS", Shape.STRUCTURED, "MAPPING_LEVEL_HAS_USERS"),
    MAPPING_BADGE_HAS_USERS(409, "MAPPING_BADGE_HAS_USERS", Shape.STRUCTURED, "MAPPING_BADGE_HAS_USERS"),
    // ours: a user's level is set by name, so level names are unique
    LEVEL_NAME_EXISTS(409, "NameExists", Shape.LEGACY, "Mapping level name already exists"),
    UNABLE_TO_AUTH(401, "UnableToAuth", Shape.LEGACY, "Unable to authenticate"),
    UPDATE_USER_INVALID(400, "InvalidData", Shape.LEGACY, "Unable to update user details"),
    USER_LIST_INVALID(400, "InvalidData", Shape.LEGACY, "Unable to fetch user list"),
    UNKNOWN_LEVEL(400, "UnknownUserRole", Shape.LEGACY, " Unknown role"),
    UNKNOWN_ADD_ROLE(403, "UnknownAddRole", Shape.LEGACY, " Unknown role accepted values are ADMIN, PROJECT_MANAGER, VALIDATOR"),
    SELF_VOTE(400, "PermisisonError", Shape.LEGACY, "User cannot vote for themselves"),
    DELETE_USER_NOT_PERMITTED(401, "UserPermissionError", Shape.LEGACY, "User not permitted"),
    DELETE_USER_NOT_FOUND(400, "UserNotFound", Shape.LEGACY, "User not found"),
    EXPIRED_TOKEN(403, "ExpiredToken", Shape.LEGACY, " Token has expired"),
    BAD_SIGNATURE(403, "BadSignature", Shape.LEGACY, " Bad Token Signature"),
    INVALID_EMAIL(403, "InvalidEmail", Shape.LEGACY, " Email address does not match token"),
    EMAIL_NOT_SET(400, "EmailNotSet", Shape.LEGACY, "EmailNotSet- User does not have an email address"),
    CONTACT_NOT_CONFIGURED(501, "NotImplemented", Shape.LEGACY,
            "This feature is not implemented due to missing variable TM_EMAIL_CONTACT_ADDRESS."),
    // ours: SES refused or could not be reached
    MAIL_SERVICE_ERROR(502, "MailServiceError", Shape.LEGACY, "The mail could not be sent"),
    REGISTER_EMAIL_EXISTS(400, "", Shape.ERROR_ONLY, "Email address already exists"),
    UNDEFINED_IMAGE_SERVICE(501, "UndefinedImageService", Shape.LEGACY, "Image upload service not defined"),
    MISSING_FILENAME(400, "MissingFilename", Shape.LEGACY, "Missing filename parameter"),
    MISSING_MIME(400, "MissingMime", Shape.LEGACY, "Missing mime parameter"),
    UNSUPPORTED_FILE(400, "UnsupportedFile", Shape.LEGACY,
            "Mimetype is not allowed. The supported formats are: png, jpeg, webp and gif."),
    // ours: the reference leaves size to its image service
    IMAGE_TOO_LARGE(413, "ImageTooLarge", Shape.LEGACY, "The image is larger than this deployment accepts"),
    INVALID_IMAGE(400, "InvalidImage", Shape.LEGACY, "The data is not base64 of an image of the given type"),
    ;

    /** LEGACY: {"Error", "SubCode"}; ERROR_ONLY: {"Error"} alone; STRUCTURED: {"error": {...}}; DETAIL: FastAPI's 422. */
    public enum Shape { LEGACY, ERROR_ONLY, STRUCTURED, DETAIL }

    public final int status;
    public final String subCode;
    public final Shape shape;
    public final String message;

    ErrorCode(int status, String subCode, Shape shape, String message) {
        this.status = status;
        this.subCode = subCode;
        this.shape = shape;
        this.message = message;
    }
}
