package dev.tmserverless.aws.store;

/** Key layout of the single table; docs/data-model.md explains each access pattern. */
final class Keys {
    private Keys() {}

    static String user(long id) { return "USER#" + id; }
    static final String PROFILE = "PROFILE";
    static final String LOCK = "LOCK";
    static String username(String name) { return "USERNAME#" + name.toLowerCase(java.util.Locale.ROOT); }

    static String org(long id) { return "ORG#" + id; }
    static final String META = "META";
    /** gsi1 partition holding every organisation item (the list), sorted by id. */
    static final String ORGS = "ORGS";
    static String orgSort(long id) { return "ORG#" + String.format("%010d", id); }
    /** Uniqueness guards: one item per organisation name and per slug, naming the organisation that holds it. */
    static String orgName(String name) { return "ORGNAME#" + name; }
    static String orgSlug(String slug) { return "ORGSLUG#" + slug; }
    static final String UNIQUE = "UNIQUE";
    /** gsi1 partition of an organisation's projects. */
    static String orgProjects(long orgId) { return "ORGPROJECTS#" + orgId; }
    static String projectSort(long id) { return "PROJECT#" + String.format("%010d", id); }

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
    static final String HISTORY_PREFIX = "TASKHIST#";
    /** A task's archived history rows, from row {@code firstRow} on. */
    static String history(int taskId, int firstRow) { return historyOf(taskId) + String.format("%010d", firstRow); }
    static String historyOf(int taskId) { return HISTORY_PREFIX + pad(taskId) + "#"; }

    static final String COUNTER = "COUNTER";

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

    private static String pad(int id) { return String.format("%07d", id); }
}
