package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.dto.ProjectActivity;
import dev.tmserverless.core.dto.TaskFeatureCollection;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Task-map snapshots (docs/performance.md, "Task-map snapshots"): a project's tasks FeatureCollection, stored once
 * gzip-compressed in the bucket under a content-addressed key and named by the project's task-map pointer item, so
 * a read of the map costs one small GetItem (and at most one S3 GET) instead of a Query of every task and shape.
 *
 * <p>The pointer item holds {@code cv}, bumped with ADD by {@link TaskStore} after every committed task change, and
 * the snapshot it names: built at version {@code sv}, content hash {@code h}, when, and until when its effective
 * states hold (the earliest lock expiry in it). The rule: a snapshot is served only when {@code sv >= cv}, was built
 * less than {@link #MAX_AGE} ago and no lock in it has expired. A rebuild reads {@code cv} first and then the tasks
 * with consistent reads, so it contains every change counted in {@code cv}; it is published with a write
 * conditioned on being newer than what is there, so a slow rebuilder never replaces a newer snapshot.
 */
@Singleton
public class TaskMaps {
    /** A change is normally visible once its ADD lands; this bounds staleness after a crash between the two writes. */
    public static final Duration MAX_AGE = Duration.ofSeconds(5);
    /** One reader rebuilds at a time; the others serve the previous snapshot if it is current, or wait this long. */
    public static final Duration LEASE = Duration.ofSeconds(3);

    /** What the readers need: the version, content hash, and the figures derived from the tasks. */
    /** {@code activityHash}: the content hash of the version's {@link ProjectActivity} document (null: built before it). */
    public record Snapshot(long version, String hash, ProjectCounters counters, int activeMappers, String activityHash) {
        /** The ETag of answers that are this snapshot's document. */
        public String etag() { return "\"tm-" + hash.substring(0, 32) + "\""; }
    }

    /** Test hooks; no-ops in production. */
    public static class Faults {
        public void beforePublish(long version) {}
    }

    private final DynamoDbClient ddb;
    private final S3Client s3;
    private final String table;
    private final String bucket;
    private final Splits splits;
    private final TaskShapes shapes;
    /** The last few snapshot documents by content hash (immutable, so never invalid). */
    private final Map<String, byte[]> recent = java.util.Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> e) { return size() > 4; }
    });
    /** The last few activity documents, parsed, by content hash. */
    private final Map<String, ProjectActivity> activities = java.util.Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ProjectActivity> e) { return size() > 4; }
    });
    public volatile Faults faults = new Faults();
    public volatile Clock clock = Clock.systemUTC();
    /** Lease length; tests shorten it to make rebuilders overlap. */
    public volatile Duration lease = LEASE;

    public TaskMaps(DynamoDbClient ddb, S3Client s3, TmConfig config, Splits splits, TaskShapes shapes) {
        this.ddb = ddb;
        this.s3 = s3;
        this.table = config.table();
        this.bucket = config.bucket();
        this.splits = splits;
        this.shapes = shapes;
    }

    static String objectKey(long projectId, String hash) {
        return Resources.LARGE_RESPONSES_PREFIX + "taskmaps/" + projectId + "/" + hash + ".json.gz";
    }

    /** Marks every snapshot of the project stale: one ADD, no read (called after each committed task change). */
    static void bump(DynamoDbClient ddb, String table, long projectId) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .updateExpression("ADD cv :one").expressionAttributeValues(Map.of(":one", Attr.n(1L))));
    }

    // ---- the delete gate (docs/projects.md "Deleting a project"): cv counts committed task changes, so a delete
    // that closes the pointer on the cv it read before checking the tasks knows that no change came in between

    /** The project's count of committed task changes (consistent read; 0 before the first). */
    public long changeCount(long projectId) { return Attr.lng(pointer(projectId), "cv", 0); }

    /**
     * Closes the project to task changes for its deletion, only if no task change was committed since {@code cv}
     * was read; false otherwise (the delete checks the tasks again). A change committed after this sees the mark.
     */
    public boolean closeForDeleteWriting(long projectId, long cv) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .updateExpression("SET deleting = :t")
                .conditionExpression(cv == 0 ? "attribute_not_exists(cv) OR cv = :cv" : "cv = :cv")
                .expressionAttributeValues(Map.of(":t", Attr.bool(true), ":cv", Attr.n(cv)))));
    }

    /** Opens the project again after a delete that did not happen (its project item changed meanwhile). */
    public void reopenWriting(long projectId) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .updateExpression("REMOVE deleting"));
    }

    /**
     * True once a delete has closed the project, or deleted it (its purge removes the mark with the pointer): a
     * task change committed now must be undone. Two consistent reads, the mark first: a change whose read of the
     * mark came before the close made the close fail, so the project item it then finds is not being deleted.
     */
    static boolean closedForDelete(DynamoDbClient ddb, String table, long projectId) {
        var pointer = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .consistentRead(true).projectionExpression("deleting")).item();
        if (pointer != null && pointer.containsKey("deleting")) return true;
        var project = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META))
                .consistentRead(true).projectionExpression("pk")).item();
        return project == null || project.isEmpty();
    }

    /** A current snapshot of the project's task map, rebuilt first if the stored one is stale. */
    public Snapshot current(long projectId) {
        Map<String, AttributeValue> p = pointer(projectId);
        long deadline = clock.millis() + lease.toMillis();
        while (true) {
            long now = clock.millis();
            long cv = Attr.lng(p, "cv", 0);
            boolean exists = p.containsKey("h");
            boolean upToDate = exists && Attr.lng(p, "sv", -1) >= cv;
            boolean fresh = upToDate && now < Attr.lng(p, "staleAt", 0) && now - Attr.lng(p, "builtAt", 0) < MAX_AGE.toMillis();
            if (fresh) return snapshot(p);
            if (takeLease(projectId, now)) return rebuild(projectId, cv);
            // somebody else is rebuilding: an up-to-date one only aged or past a lock expiry is served meanwhile
            if (upToDate) return snapshot(p);
            if (now >= deadline) return rebuild(projectId, cv);
            sleep(50);
            p = pointer(projectId);
        }
    }

    /** The snapshot's document: the FeatureCollection as gzip-compressed JSON. */
    public byte[] gzipJson(long projectId, Snapshot s) {
        byte[] cached = recent.get(s.hash());
        if (cached != null) return cached;
        try {
            byte[] b = s3.getObjectAsBytes(r -> r.bucket(bucket).key(objectKey(projectId, s.hash()))).asByteArray();
            recent.put(s.hash(), b);
            return b;
        } catch (NoSuchKeyException e) {
            // expired with the hand-over objects: build it again (at least as new as the one asked for)
            Snapshot again = rebuild(projectId, Attr.lng(pointer(projectId), "cv", 0));
            return recent.get(again.hash());
        }
    }

    /**
     * The project's {@link ProjectActivity} at the current snapshot: the pointer read, then the stored document (kept
     * in the container by hash, like the map), never a Query of the tasks unless the snapshot must be rebuilt.
     */
    public ProjectActivity activity(long projectId) {
        Snapshot s = current(projectId);
        if (s.activityHash() == null) s = rebuild(projectId, s.version());
        ProjectActivity parsed = activities.get(s.activityHash());
        if (parsed != null) return parsed;
        byte[] gz = recent.get(s.activityHash());
        if (gz == null) {
            try {
                String key = objectKey(projectId, s.activityHash());
                gz = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
            } catch (NoSuchKeyException e) {
                Snapshot again = rebuild(projectId, Attr.lng(pointer(projectId), "cv", 0));
                gz = recent.get(again.activityHash());
                s = again;
            }
        }
        try {
            parsed = Json.MAPPER.readValue(gunzip(gz), ProjectActivity.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        activities.put(s.activityHash(), parsed);
        return parsed;
    }

    /** The snapshot's document as JSON text. */
    public String json(long projectId, Snapshot s) { return gunzip(gzipJson(projectId, s)); }

    /** The version of the published snapshot, -1 if none (one consistent GetItem; for monitoring and tests). */
    public long publishedVersion(long projectId) { return Attr.lng(pointer(projectId), "sv", -1); }

    private Map<String, AttributeValue> pointer(long projectId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private boolean takeLease(long projectId, long now) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .updateExpression("SET lease = :until")
                .conditionExpression("attribute_not_exists(lease) OR lease < :now")
                .expressionAttributeValues(Map.of(":until", Attr.n(now + lease.toMillis()), ":now", Attr.n(now)))));
    }

    private static Snapshot snapshot(Map<String, AttributeValue> p) {
        return new Snapshot(Attr.lng(p, "sv", 0), Attr.str(p, "h"), new ProjectCounters(Attr.lng(p, "tot", 0),
                Attr.lng(p, "mapped", 0), Attr.lng(p, "validated", 0), Attr.lng(p, "bad", 0)), (int) Attr.lng(p, "mappers", 0),
                p.containsKey("ah") ? Attr.str(p, "ah") : null);
    }

    /**
     * Builds the map as of version {@code cv} (read before the tasks), stores it under its content hash and
     * publishes it unless a newer one was published meanwhile. Returns what it built either way.
     */
    Snapshot rebuild(long projectId, long cv) {
        Instant now = clock.instant();
        List<Task> all = splits.listTasksConsistently(projectId).stream().map(t -> t.effective(now)).toList();
        byte[] json = Json.write(TaskFeatureCollection.of(all, shapes.geometries(projectId, true), true))
                .getBytes(StandardCharsets.UTF_8);
        String hash = sha256(json);
        byte[] gz = gzip(json);
        if (!recent.containsKey(hash)) {
            s3.putObject(b -> b.bucket(bucket).key(objectKey(projectId, hash)).contentType("application/json")
                    .contentEncoding("gzip"), RequestBody.fromBytes(gz));
        }
        recent.put(hash, gz);
        // the activity and contribution reads' rows, stored the same way beside the map
        byte[] activityJson = Json.write(ProjectActivity.of(all)).getBytes(StandardCharsets.UTF_8);
        String activityHash = sha256(activityJson);
        byte[] activityGz = gzip(activityJson);
        if (!recent.containsKey(activityHash)) {
            s3.putObject(b -> b.bucket(bucket).key(objectKey(projectId, activityHash)).contentType("application/json")
                    .contentEncoding("gzip"), RequestBody.fromBytes(activityGz));
        }
        recent.put(activityHash, activityGz);
        long staleAt = all.stream().filter(t -> t.status().isLocked() && t.lockExpiresAt() != null)
                .mapToLong(t -> t.lockExpiresAt().toEpochMilli()).min().orElse(Long.MAX_VALUE);
        ProjectCounters c = ProjectCounters.of(all);
        int mappers = (int) all.stream().filter(t -> t.status().isLocked()).map(Task::lockedBy).distinct().count();
        faults.beforePublish(cv);
        long builtAt = now.toEpochMilli();
        Map<String, AttributeValue> v = new HashMap<>();
        v.put(":v", Attr.n(cv));
        v.put(":h", Attr.s(hash));
        v.put(":b", Attr.n(builtAt));
        v.put(":s", Attr.n(staleAt));
        v.put(":tot", Attr.n(c.totalTasks()));
        v.put(":m", Attr.n(c.tasksMapped()));
        v.put(":val", Attr.n(c.tasksValidated()));
        v.put(":bad", Attr.n(c.tasksBadImagery()));
        v.put(":am", Attr.n((long) mappers));
        v.put(":ah", Attr.s(activityHash));
        // newer wins; at the same version the later build wins (it may have seen a lock expire)
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.TASK_MAP))
                .updateExpression("SET sv = :v, h = :h, builtAt = :b, staleAt = :s, tot = :tot, mapped = :m, "
                        + "validated = :val, bad = :bad, mappers = :am, ah = :ah REMOVE lease")
                .conditionExpression("attribute_not_exists(sv) OR sv < :v OR (sv = :v AND builtAt < :b)")
                .expressionAttributeValues(v)));
        return new Snapshot(cv, hash, c, mappers, activityHash);
    }

    /** An ETag for an answer derived from a snapshot and other inputs (each part in order). */
    public static String etag(Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) sb.append(p).append('\n');
        return "\"tm-" + sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 32) + "\"";
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] bytes) {
        var out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (var z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String gunzip(byte[] gz) {
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
