package dev.tmserverless.core.catalogue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one list of every AWS resource the system has. The CDK app deploys exactly this; the local stack
 * creates and wires exactly this; handlers find their resources through the environment variables
 * named here. Adding a route, queue or function starts here.
 */
public final class Resources {
    private Resources() {}

    /** DynamoDB key schema: partition key and sort key attribute names (both strings). */
    public record Index(String name, String partitionKey, String sortKey) {}

    public record Table(String id, String envVar, String partitionKey, String sortKey, List<Index> indexes) {}

    /**
     * A queue with its dead-letter queue; {@code consumer} is the function fed by it (event source mapping), at most
     * {@code maxConcurrency} invocations at once (0: Lambda's default scaling; locally, the stack's poller count).
     */
    public record Queue(String id, String envVar, int visibilityTimeoutSeconds, int maxReceiveCount,
                        int batchSize, String consumer, int maxConcurrency) {
        public Queue(String id, String envVar, int visibilityTimeoutSeconds, int maxReceiveCount, int batchSize,
                     String consumer) {
            this(id, envVar, visibilityTimeoutSeconds, maxReceiveCount, batchSize, consumer, 0);
        }

        public String dlqId() { return id + "-dlq"; }
    }

    public record Bucket(String id, String envVar) {}

    /**
     * What a function may touch. LARGE_RESPONSES: write and sign links to {@link #LARGE_RESPONSES_PREFIX} objects,
     * for responses too big to return through Lambda.
     */
    public enum Access { TABLE_READ_WRITE, BUCKET_READ, BUCKET_READ_WRITE, GRID_JOBS_SEND, GRID_JOBS_CONSUME, BULK_JOBS_SEND, BULK_JOBS_CONSUME, MESSAGES_SEND, MESSAGES_CONSUME, LARGE_RESPONSES,
        /** Sending mail through Amazon SES as the deployment's sender. */
        MAIL_SEND,
        /** Writing uploaded images under {@link #UPLOADS_PREFIX}. */
        UPLOADS_WRITE,
        /** Read the table's change stream (the event source mapping of {@link #TABLE_FEED}). */
        TABLE_STREAM_CONSUME,
        /** Enable the lock sweep's rule ({@link #LOCK_SWEEP}, armed by changes): the change-feed consumer. */
        LOCK_SWEEP_ARM,
        /** Enable and disable the lock sweep's rule: the sweeper, which disarms it when idle. */
        LOCK_SWEEP_DISARM }

    /**
     * A Lambda function: its Maven module (which builds {@code <module>-lambda.jar}), the handler class the
     * runtime instantiates, sizing, and what it may touch (its IAM policy is derived from {@code access}).
     */
    public record Function(String id, String module, String handler, int memoryMb, int timeoutSeconds,
                           Set<Access> access, boolean http) {
        public String jarName() { return module + "-lambda.jar"; }
    }

    /** An API route. Paths are written without the trailing slash; both forms are served. */
    public record Route(String method, String path, String function) {
        public String routeKey() { return method + " " + path; }
    }

    public static final String PROJECTS = "projects";
    public static final String TASKS = "tasks";
    public static final String USERS = "users";
    public static final String GRID_WORKER = "grid-worker";
    public static final String SWEEPER = "sweeper";
    /**
     * Bulk task actions of large projects, in slices (docs/workflow.md "Bulk actions"). Its handler lives in the
     * tasks module and ships in the tasks jar: the work is the tasks function's own (state machine, task store,
     * lock slots), so a separate module would duplicate the same dependencies for a handful of classes, and its
     * cold start is not on anybody's request path.
     */
    public static final String BULK_WORKER = "bulk-worker";
    /**
     * Delivers messages to many inboxes (message-contributors, team messages; docs/reference-data.md "Messages to
     * many"). Its handler ships in the users jar: the inbox and team stores are the users function's.
     */
    public static final String MESSENGER = "messenger";
    /** The statistics aggregator, fed by the table's change stream (docs/statistics.md). */
    public static final String STATS = "stats";
    /**
     * The statistics reconciliation, run by a schedule: recomputes aggregates from the source of truth in bounded
     * slices. Its handler ships in the stats jar beside the aggregator it shares all its code with.
     */
    public static final String STATS_RECONCILER = "stats-reconciler";

    public static final Table TABLE = new Table("main", "TM_TABLE", "pk", "sk",
            List.of(new Index("gsi1", "gsi1pk", "gsi1sk"), new Index("gsi2", "gsi2pk", "gsi2sk")));

    /**
     * The table's TTL attribute: DynamoDB deletes an item some time after the epoch second it holds (application
     * key rate windows, idempotency records). Readers still check it themselves: deletion can lag by days.
     */
    public static final String TABLE_TTL_ATTRIBUTE = "expires";

    /**
     * Visibility is six times the worker's timeout, as AWS advises for Lambda consumers (throttled invocations
     * are retried within it); a failed attempt comes back sooner because the worker shortens its own message's
     * visibility to a backoff, and a live worker holds its message on a short lease it renews (TM_GRID_LEASE_SECONDS).
     * A job fans out into slices written by up to eight invocations at once: all of a project's tasks share one
     * partition key, whose write limit more invocations would not raise (docs/performance.md "Grid jobs").
     */
    public static final Queue GRID_JOBS = new Queue("grid-jobs", "TM_GRID_JOBS_QUEUE_URL",
            1800, 3, 1, GRID_WORKER, 8);

    /**
     * Bulk jobs: the message names a job item, which holds the cursor, so a slice that re-queues itself, a
     * duplicate and a redelivery after a crash all resume from the job. Visibility six times the worker's timeout.
     */
    public static final Queue BULK_JOBS = new Queue("bulk-jobs", "TM_BULK_JOBS_QUEUE_URL",
            5400, 3, 1, BULK_WORKER);

    /**
     * Messages to many recipients: one queue message holds the whole message and who it goes to; each inbox write
     * is conditional on the message's id, so a redelivery after a crash, or a duplicate, delivers nobody twice.
     * Visibility six times the worker's timeout.
     */
    public static final Queue MESSAGES = new Queue("messages", "TM_MESSAGES_QUEUE_URL", 1800, 5, 1, MESSENGER);

    public static final Bucket BUCKET = new Bucket("data", "TM_BUCKET");

    /** Where oversized responses wait for their client; a lifecycle rule removes them after a day. */
    public static final String LARGE_RESPONSES_PREFIX = "responses/";
    public static final int LARGE_RESPONSES_EXPIRY_DAYS = 1;
    /** Uploaded images (content-addressed), served publicly through the deployment's image URL (docs/people.md). */
    public static final String UPLOADS_PREFIX = "uploads/";

    public static final List<Function> FUNCTIONS = List.of(
            new Function(PROJECTS, "projects", "dev.tmserverless.fn.projects.ProjectsFunction", 1024, 29,
                    Set.of(Access.TABLE_READ_WRITE, Access.BUCKET_READ_WRITE, Access.GRID_JOBS_SEND, Access.LARGE_RESPONSES,
                            Access.MESSAGES_SEND), true),
            new Function(TASKS, "tasks", "dev.tmserverless.fn.tasks.TasksFunction", 1024, 29,
                    Set.of(Access.TABLE_READ_WRITE, Access.BUCKET_READ, Access.LARGE_RESPONSES,
                            Access.BULK_JOBS_SEND, Access.MESSAGES_SEND), true),
            new Function(USERS, "users", "dev.tmserverless.fn.users.UsersFunction", 512, 29,
                    Set.of(Access.TABLE_READ_WRITE, Access.MESSAGES_SEND, Access.MAIL_SEND, Access.UPLOADS_WRITE), true),
            new Function(GRID_WORKER, "grid-worker", "dev.tmserverless.fn.grid.GridWorkerFunction", 2048, 300,
                    Set.of(Access.TABLE_READ_WRITE, Access.BUCKET_READ, Access.GRID_JOBS_CONSUME, Access.GRID_JOBS_SEND), false),
            new Function(BULK_WORKER, "tasks", "dev.tmserverless.fn.tasks.BulkWorkerFunction", 1024, 900,
                    Set.of(Access.TABLE_READ_WRITE, Access.BULK_JOBS_SEND, Access.BULK_JOBS_CONSUME), false),
            new Function(MESSENGER, "users", "dev.tmserverless.fn.users.MessengerFunction", 512, 300,
                    Set.of(Access.TABLE_READ_WRITE, Access.MESSAGES_SEND, Access.MESSAGES_CONSUME, Access.MAIL_SEND), false),
            new Function(SWEEPER, "sweeper", "dev.tmserverless.fn.sweeper.SweeperFunction", 512, 60,
                    Set.of(Access.TABLE_READ_WRITE, Access.BUCKET_READ_WRITE, Access.LOCK_SWEEP_DISARM), false),
            new Function(STATS, "stats", "dev.tmserverless.fn.stats.StatsFunction", 1024, 60,
                    Set.of(Access.TABLE_READ_WRITE, Access.TABLE_STREAM_CONSUME, Access.LOCK_SWEEP_ARM), false),
            new Function(STATS_RECONCILER, "stats", "dev.tmserverless.fn.stats.ReconcileFunction", 1024, 300,
                    Set.of(Access.TABLE_READ_WRITE), false));

    /**
     * A function fed by the table's change stream (NEW_AND_OLD_IMAGES): batches of up to {@code batchSize} records
     * gathered for at most {@code batchingWindowSeconds}; failed records reported per record and retried from the
     * first failure, a batch that throws split in two, at most {@code maxRetries} retries and records no older than
     * {@code maxRecordAgeSeconds}, then the batch's description goes to the on-failure queue {@code failureQueueId}
     * (with an alarm). Only records whose key matches one of {@code filters} reach the function (the event source
     * mapping's filter criteria: Lambda does not bill filtered records).
     */
    public record TableFeed(String function, int batchSize, int batchingWindowSeconds, int maxRetries,
                            int maxRecordAgeSeconds, String failureQueueId, List<KeyFilter> filters) {
        /** True if a record with this key reaches the function. */
        public boolean delivers(String partitionKey, String sortKey) {
            return filters.stream().anyMatch(f -> f.matches(partitionKey, sortKey));
        }
    }

    /**
     * Keys whose partition key starts with {@code pkPrefix} and sort key with one of {@code skPrefixes} (any sort
     * key when the list is empty): one filter of an event source mapping, whose values in a list are alternatives.
     */
    public record KeyFilter(String pkPrefix, List<String> skPrefixes) {
        public KeyFilter {
            skPrefixes = List.copyOf(skPrefixes);
        }

        public boolean matches(String pk, String sk) {
            return pk.startsWith(pkPrefix) && (skPrefixes.isEmpty() || skPrefixes.stream().anyMatch(sk::startsWith));
        }
    }

    /** Partition-key prefix of every statistics item: none of them reaches the stats function again. */
    public static final String STATS_KEY_PREFIX = "STAT#";

    /**
     * What statistics are computed from: a project's item, its tasks and their archived history rows, its chat and
     * interests, user profiles and organisations (three filters of Lambda's default five). Task-map pointers, search
     * summaries, lock slots, messages and the statistics items themselves are filtered out, so they cost no
     * invocation.
     */
    public static final TableFeed TABLE_FEED = new TableFeed(STATS, 100, 1, 5, 3600, "stats-feed-failures",
            List.of(new KeyFilter("PROJECT#", List.of("TASK#", "TASKHIST#", "META", "CHAT#", "INTERESTS")),
                    new KeyFilter("USER#", List.of("PROFILE")),
                    new KeyFilter("ORG#", List.of("META"))));

    public static final List<TableFeed> FEEDS = List.of(TABLE_FEED);

    /** A function run at a fixed rate (an EventBridge rule when deployed, the local Scheduler locally). */
    public record Schedule(String id, String function, int everyMinutes) {}

    /**
     * Expired locks are released for good within a minute (reads and writes treat them as released at once). The
     * schedule is armed by changes: the sweeper disarms it after a run that found nothing to do and no lock at all,
     * the statistics aggregator arms it again for every batch of task or project changes, so an idle deployment
     * pays nothing for it (docs/locking.md "Expiry").
     */
    public static final Schedule LOCK_SWEEP = new Schedule("lock-sweep", SWEEPER, 1);

    /** The name of {@link #LOCK_SWEEP}'s rule, given to the functions that arm and disarm it. */
    public static final String LOCK_SWEEP_RULE_ENV = "TM_LOCK_SWEEP_RULE";

    public static final List<Schedule> SCHEDULES = List.of(LOCK_SWEEP,
            // one bounded slice of the statistics reconciliation (docs/statistics.md "Reconciliation")
            new Schedule("stats-reconcile", STATS_RECONCILER, 10));

    public static final String V2 = "/api/v2";

    /**
     * A path prefix API Gateway forwards whole to one function: the HTTP API has the two routes
     * {@code ANY <path>} and {@code ANY <path>/{proxy+}} for it, and the function dispatches among its own
     * {@link Routes} (docs/routing.md). The most specific mount wins, as API Gateway chooses among greedy routes,
     * so {@code /projects/{projectId}/tasks} can belong to another function than {@code /projects}.
     */
    public record Mount(String path, String function) {}

    /** The greedy path variable of a mount's second route. */
    public static final String GATEWAY_GREEDY = "{proxy+}";

    public static final List<Mount> MOUNTS = List.of(
            new Mount(V2 + "/system", USERS),
            new Mount(V2 + "/users", USERS),
            new Mount(V2 + "/organisations", USERS),
            new Mount(V2 + "/teams", USERS),
            new Mount(V2 + "/campaigns", USERS),
            new Mount(V2 + "/interests", USERS),
            new Mount(V2 + "/licenses", USERS),
            new Mount(V2 + "/levels", USERS),
            new Mount(V2 + "/badges", USERS),
            new Mount(V2 + "/notifications", USERS),
            new Mount(V2 + "/partners", USERS),
            new Mount(V2 + "/projects", PROJECTS),
            new Mount(V2 + "/countries", PROJECTS),
            // a project's teams are kept with the teams; the reference's /projects/{team_id}/projects/{project_id}/
            // reaches the second mount (the gateway's variable name differs from the route's, docs/routing.md)
            new Mount(V2 + "/projects/{projectId}/teams", USERS),
            new Mount(V2 + "/projects/{projectId}/projects", USERS),
            // campaigns and partners of a project are kept with the campaigns and partners
            new Mount(V2 + "/projects/{projectId}/campaigns", USERS),
            new Mount(V2 + "/projects/{projectId}/partners", USERS),
            new Mount(V2 + "/projects/partnerships", USERS),
            new Mount(V2 + "/projects/{projectId}/tasks", TASKS),
            new Mount(V2 + "/projects/{projectId}/comments", TASKS),
            new Mount(V2 + "/projects/{projectId}/activities", TASKS),
            new Mount(V2 + "/tasks", TASKS),
            // what a user has locked is read where locks are written
            new Mount(V2 + "/users/queries/tasks", TASKS),
            // the tasks a user has touched are read from the task items' per-user index, next to the task writes
            new Mount(V2 + "/users/{userId}/tasks", TASKS),
            // recommendations are computed from the search index, which the projects function holds
            new Mount(V2 + "/users/{userId}/recommended-projects", PROJECTS));

    /** The HTTP API's routes: two per mount, method ANY. */
    public static List<Route> gatewayRoutes() {
        List<Route> out = new java.util.ArrayList<>();
        for (Mount m : MOUNTS) {
            out.add(new Route("ANY", m.path(), m.function()));
            out.add(new Route("ANY", m.path() + "/" + GATEWAY_GREEDY, m.function()));
        }
        return out;
    }

    /** Every API route, declared in {@link Routes}. */
    public static final List<Route> ROUTES = Routes.ALL;

    public static final List<Queue> QUEUES = List.of(GRID_JOBS, BULK_JOBS, MESSAGES);

    public static Function function(String id) {
        return FUNCTIONS.stream().filter(f -> f.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no function " + id));
    }

    /**
     * True if a schedule runs the function at all times (then it needs no keep-alive invocation). The lock sweep
     * does not count: it is disarmed while idle, possibly for weeks, so the sweeper keeps its daily keep-alive.
     */
    public static boolean isScheduled(String functionId) {
        return SCHEDULES.stream().anyMatch(s -> s != LOCK_SWEEP && s.function().equals(functionId));
    }

    public static List<Route> routesOf(String functionId) {
        return ROUTES.stream().filter(r -> r.function().equals(functionId)).toList();
    }

    public static Optional<Queue> queueConsumedBy(String functionId) {
        return QUEUES.stream().filter(q -> q.consumer().equals(functionId)).findFirst();
    }

    // ---- SnapStart keep-alive ----
    // A schedule invokes every function's alias daily so its SnapStart version never goes inactive (14 days
    // without an invoke). HTTP functions receive an API Gateway v2 event with this route key (and path); no API
    // route has it, so only the schedule can send it. They answer it with 200 without touching any data. Queue
    // consumers receive an SQS event without records. TEMPLATE_NOTES.md shows the exact payload.
    public static final String KEEP_ALIVE_METHOD = "GET";
    public static final String KEEP_ALIVE_PATH = "/__keep-alive";
    public static final String KEEP_ALIVE_ROUTE_KEY = KEEP_ALIVE_METHOD + " " + KEEP_ALIVE_PATH;
    public static final String KEEP_ALIVE_USER_AGENT = "tm-serverless-keep-alive";
}
