package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Actor;
import dev.tmserverless.core.domain.BulkJob;
import dev.tmserverless.core.domain.TaskStatus;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A project's bulk job items ({@code PROJECT#<id>} / {@code BULKJOB#<created>#<random>}): written by the tasks
 * function (queued) and whoever runs the job (progress, finished). Progress only moves forward and a finished job
 * is never reopened, so a slower duplicate run cannot undo what a faster one recorded.
 */
@Singleton
public class BulkJobStore {
    private final DynamoDbClient ddb;
    private final String table;

    public BulkJobStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /** A new job id: sorts by creation time. */
    public static String newJobId(Instant now) {
        return String.format("%013d#%s", now.toEpochMilli(), UUID.randomUUID().toString().substring(0, 8));
    }

    public void create(BulkJob job) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(job.projectId()), Keys.bulkJob(job.jobId())));
        item.put("jobId", Attr.s(job.jobId()));
        item.put("action", Attr.s(job.action().name()));
        item.put("actorId", Attr.n(job.actor().userId()));
        item.put("actorName", Attr.s(job.actor().username()));
        if (job.target() != null) {
            item.put("targetId", Attr.n(job.target().userId()));
            item.put("targetName", Attr.s(job.target().username()));
        }
        if (job.resetAction() != null) item.put("resetAction", Attr.s(job.resetAction().name()));
        item.put("state", Attr.s(job.state().name()));
        item.put("cursor", Attr.n((long) job.cursor()));
        item.put("processed", Attr.n(job.processed()));
        item.put("changed", Attr.n(job.changed()));
        item.put("total", Attr.n(job.total()));
        item.put("created", Attr.s(job.created().toString()));
        item.put("updated", Attr.s(job.updated().toString()));
        ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
    }

    public Optional<BulkJob> get(long projectId, String jobId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.bulkJob(jobId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(projectId, item));
    }

    /** The project's newest bulk job: one Query of at most one item. */
    public Optional<BulkJob> latest(long projectId) {
        var items = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :j)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":j", Attr.s(Keys.BULK_JOB_PREFIX)))
                .scanIndexForward(false).limit(1).consistentRead(true)).items();
        return items.isEmpty() ? Optional.empty() : Optional.of(read(projectId, items.get(0)));
    }

    /**
     * Records that every task up to {@code cursor} is decided, adding this page's counts, only if the job is open
     * and its cursor is behind: a duplicate run that decided the same page records nothing. True if recorded.
     */
    public boolean progress(long projectId, String jobId, int cursor, long processed, long changed, Instant now) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.bulkJob(jobId)))
                .updateExpression("SET #c = :c, #st = :run, updated = :u ADD #pr :p, #ch :n")
                .conditionExpression("attribute_exists(pk) AND #c < :c AND #st <> :done AND #st <> :failed")
                .expressionAttributeNames(Map.of("#c", "cursor", "#st", "state", "#pr", "processed", "#ch", "changed"))
                .expressionAttributeValues(Map.of(":c", Attr.n((long) cursor), ":p", Attr.n(processed), ":n", Attr.n(changed),
                        ":u", Attr.s(now.toString()), ":run", Attr.s("RUNNING"), ":done", Attr.s("DONE"),
                        ":failed", Attr.s("FAILED")))));
    }

    /** Ends an open job (DONE, or FAILED with its error); a finished job stays as it finished. */
    public void finished(long projectId, String jobId, BulkJob.State state, String error, Instant now) {
        // false when it finished meanwhile
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.bulkJob(jobId)))
                .updateExpression("SET #st = :s, #e = :e, updated = :u")
                .conditionExpression("attribute_exists(pk) AND #st <> :done AND #st <> :failed")
                .expressionAttributeNames(Map.of("#st", "state", "#e", "error"))
                .expressionAttributeValues(Map.of(":s", Attr.s(state.name()), ":e", Attr.s(error), ":u", Attr.s(now.toString()),
                        ":done", Attr.s("DONE"), ":failed", Attr.s("FAILED")))));
    }

    /**
     * Claims the re-send of an open job that has not moved since {@code seen} (its message was lost, or its run
     * died without a message to come back). True for one caller per stale period.
     */
    public boolean claimResend(long projectId, String jobId, Instant seen, Instant now) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.bulkJob(jobId)))
                .updateExpression("SET updated = :u")
                .conditionExpression("updated = :seen AND #st <> :done AND #st <> :failed")
                .expressionAttributeNames(Map.of("#st", "state"))
                .expressionAttributeValues(Map.of(":u", Attr.s(now.toString()), ":seen", Attr.s(seen.toString()),
                        ":done", Attr.s("DONE"), ":failed", Attr.s("FAILED")))));
    }

    /** Records the latest failure of a job that will be retried; the job stays open. */
    public void error(long projectId, String jobId, String error, Instant now) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.bulkJob(jobId)))
                .updateExpression("SET #e = :e, updated = :u")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#e", "error"))
                .expressionAttributeValues(Map.of(":e", Attr.s(error), ":u", Attr.s(now.toString())))));
    }

    private static BulkJob read(long projectId, Map<String, AttributeValue> i) {
        Long targetId = Attr.lng(i, "targetId");
        String reset = Attr.str(i, "resetAction");
        return new BulkJob(projectId, Attr.str(i, "jobId"), BulkJob.Action.valueOf(Attr.str(i, "action")),
                new Actor(Attr.lng(i, "actorId"), Attr.str(i, "actorName")),
                targetId == null ? null : new Actor(targetId, Attr.str(i, "targetName")),
                reset == null ? null : TaskStatus.valueOf(reset),
                BulkJob.State.valueOf(Attr.str(i, "state")), (int) Attr.lng(i, "cursor", 0), Attr.lng(i, "processed", 0),
                Attr.lng(i, "changed", 0), Attr.lng(i, "total", 0), Attr.str(i, "error"),
                Instant.parse(Attr.str(i, "created")), Instant.parse(Attr.str(i, "updated")));
    }
}
