package dev.tmserverless.aws.store;

/** Key layout of the single table; docs/data-model.md explains each access pattern. */
final class Keys {
    private Keys() {}

    static String user(long id) { return "USER#" + id; }
    static final String PROFILE = "PROFILE";
    static final String LOCK = "LOCK";
    static final String USER_STATS = "STATS";
    static final String USER_TASK_PREFIX = "UTASK#";
    static String userTask(long projectId, int taskId) { return USER_TASK_PREFIX + String.format("%010d", projectId) + "#" + pad(taskId); }
    static String username(String name) { return "USERNAME#" + name.toLowerCase(java.util.Locale.ROOT); }
    /** gsi2 partition holding every user, sorted by lower-case username then id (the user list and autocomplete). */
    static final String USERS = "USERS";
    static String userSort(String name, long id) { return name.toLowerCase(java.util.Locale.ROOT) + "#" + id; }

    static String org(long id) { return "ORG#" + id; }
    static final String META = "META";
    /** gsi1 partition holding every organisation item (the list), sorted by id. */
    static final String ORGS = "ORGS";
    static String orgSort(long id) { return "ORG#" + String.format("%010d", id); }
    /** Uniqueness guards: one item per organisation name and per slug, naming the organisation that holds it. */
    /** Prefixes of the organisations' name and slug guards ({@link UniqueNames}). */
    static final String ORG_NAME = "ORGNAME";
    static final String ORG_SLUG = "ORGSLUG";
    static final String UNIQUE = "UNIQUE";
    /** gsi1 partition of an organisation's projects. */
    static String orgProjects(long orgId) { return "ORGPROJECTS#" + orgId; }
    static String projectSort(long id) { return "PROJECT#" + String.format("%010d", id); }

    static String team(long id) { return "TEAM#" + id; }
    /** Sort key of a team under its organisation, a project's team link, and a user's membership in gsi1. */
    static final String TEAM_PREFIX = "TEAM#";
    static String teamSort(long id) { return TEAM_PREFIX + String.format("%010d", id); }
    /** gsi1 partition holding every team item (the unfiltered list). */
    static final String TEAMS = "TEAMS";
    static final String MEMBER_PREFIX = "MEMBER#";
    static String member(long userId) { return MEMBER_PREFIX + userId; }
    /** gsi1 partition of a user's team memberships (member items). */
    static String userTeams(long userId) { return "USERTEAMS#" + userId; }
    /** gsi1 partition of the projects a team is assigned to (project-team items). */
    static String teamProjects(long teamId) { return "TEAMPROJECTS#" + teamId; }
    /** A project's search summary item, beside its META item (docs/search.md). */
    static final String SEARCH = "SEARCH";
    /** gsi1 partitions of the search summaries: a project's is picked by its id. */
    static final int SEARCH_SHARDS = 4;
    static String searchShard(long projectId) { return "PROJSEARCH#" + Math.floorMod(projectId, SEARCH_SHARDS); }
    static String searchShardNo(int shard) { return "PROJSEARCH#" + shard; }
    /** Sorted by the time of the summary's last write, so a reader asks only for what changed since it last looked. */
    static String searchSort(long changedAtMillis, long projectId) {
        return String.format("%013d#%010d", changedAtMillis, projectId);
    }
    static String searchSortAfter(long millis) { return String.format("%013d", Math.max(0, millis)); }

    /** A user's favourite project, under the user; gsi1 {@link #projectFavourites} finds them by project. */
    static final String FAVOURITE_PREFIX = "FAV#";
    static String favourite(long projectId) { return FAVOURITE_PREFIX + String.format("%010d", projectId); }
    static String projectFavourites(long projectId) { return "PROJECTFAVS#" + projectId; }
    /** Deletions of projects still under way, for the sweeper to finish ({@link ProjectPurge}). */
    static final String PURGES = "PURGES";

    static final String SYSTEM = "SYSTEM";
    static final String BANNER = "BANNER";
    static final String RELEASE = "RELEASE";

    static String project(long id) { return "PROJECT#" + id; }
    static final String GRID_JOB = "JOB#GRID";
    /** A project's bulk jobs, sorted by creation: {@code BULKJOB#<created, 13 digits>#<random>}. */
    static final String BULK_JOB_PREFIX = "BULKJOB#";
    static String bulkJob(String jobId) { return BULK_JOB_PREFIX + jobId; }
    static final String TASK_PREFIX = "TASK#";
    static final String GEOM_PREFIX = "TASKGEOM#";
    static String task(int id) { return TASK_PREFIX + pad(id); }
    /** Above every task key and below every other key of the project that starts with TASK. */
    static final String TASK_LAST = TASK_PREFIX + "9999999";
    static String geom(int id) { return GEOM_PREFIX + pad(id); }
    static final String CHAT_PREFIX = "CHAT#";
    static String chat(long id) { return CHAT_PREFIX + String.format("%010d", id); }
    static final String HISTORY_PREFIX = "TASKHIST#";
    /** A task's archived history rows, from row {@code firstRow} on. */
    static String history(int taskId, int firstRow) { return historyOf(taskId) + String.format("%010d", firstRow); }
    static String historyOf(int taskId) { return HISTORY_PREFIX + pad(taskId) + "#"; }

    static final String COUNTER = "COUNTER";
    /** A project's task-map version and the snapshot it names ({@link TaskMaps}). */
    static final String TASK_MAP = "TASKMAP";

    static final String MESSAGE_PREFIX = "MSG#";
    static String message(long id) { return MESSAGE_PREFIX + String.format("%010d", id); }
    static final String INBOX = "INBOX";

    /** gsi1 partition of lock slots, sorted by expiry (docs/locking.md "Expiry"). */
    static final String LOCKS = "LOCKS";
    static String lockExpiry(long expiresAtMillis, long userId) { return String.format("%013d#%d", expiresAtMillis, userId); }
    static String lockExpiryBefore(long millis) { return String.format("%013d", millis); }

    static final String COMMENT_PREFIX = "COMMENT#";
    static String comment(String sha256) { return COMMENT_PREFIX + sha256; }
    static final String TEXT = "TEXT";

    /** Application keys by the SHA-256 of the key; their per-minute request counters in the same partition. */
    static String appKey(String sha256) { return "APPKEY#" + sha256; }
    static final String APP_KEY = "APPKEY";
    static String rateWindow(long epochMinute) { return "RATE#" + epochMinute; }
    /** A user's application keys, under the user's partition. */
    static final String APP_KEY_PREFIX = "APPKEY#";
    static String appKeyOfUser(long keyId) { return APP_KEY_PREFIX + String.format("%010d", keyId); }

    /** Idempotency records, by the SHA-256 of the caller's id and the key. */
    static String idempotency(String sha256) { return "IDEMPOTENCY#" + sha256; }
    static final String IDEMPOTENCY = "IDEMPOTENCY";

    private static String pad(int id) { return String.format("%07d", id); }
}
