package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.GridJob;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A project's grid job item: its state and progress, written by the projects function (queued, re-sent) and
 * the grid worker (running, progress, errors, finished). A finished job is never reopened.
 */
@Singleton
public class GridJobStore {
    private final DynamoDbClient ddb;
    private final String table;

    public GridJobStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    public void put(GridJob job) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(job.projectId()), Keys.GRID_JOB));
        item.put("state", Attr.s(job.state().name()));
        item.put("source", Attr.s(job.source()));
        item.put("zoom", Attr.n(job.zoom()));
        item.put("clip", Attr.bool(job.clipToAoi()));
        item.put("total", Attr.n(job.total()));
        item.put("written", Attr.n(job.written()));
        item.put("error", Attr.s(job.error()));
        item.put("updated", Attr.s(job.updated().toString()));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    public Optional<GridJob> get(long projectId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(projectId, item));
    }

    /** A project's grid job item as {@link #get} answers it. */
    static GridJob read(long projectId, Map<String, AttributeValue> item) {
        return (new GridJob(projectId, GridJob.State.valueOf(Attr.str(item, "state")),
                Attr.str(item, "source"), Attr.integer(item, "zoom"), Attr.bool(item, "clip"),
                Attr.lng(item, "total"), Attr.lng(item, "written", 0), Attr.str(item, "error"),
                Instant.parse(Attr.str(item, "updated"))));
    }

    /** Running with a known total; a finished job is never reopened. */
    public void running(long projectId, long total, Instant now) {
        updateOpenJob(projectId, "SET #st = :s, #t = :t, updated = :u", Map.of("#t", "total"),
                Map.of(":s", Attr.s("RUNNING"), ":t", Attr.n(total), ":u", Attr.s(now.toString())));
    }

    /**
     * Claims the re-send of a job that has stayed QUEUED since {@code seen} (its message was lost: the function
     * died, or the send failed, after the job was written). True for one caller per stale period.
     */
    public boolean claimResend(long projectId, Instant seen, Instant now) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET updated = :u")
                .conditionExpression("(#st = :q OR #st = :r) AND updated = :seen")
                .expressionAttributeNames(Map.of("#st", "state"))
                .expressionAttributeValues(Map.of(":u", Attr.s(now.toString()), ":q", Attr.s("QUEUED"),
                        ":r", Attr.s("RUNNING"), ":seen", Attr.s(seen.toString())))));
    }

    /** Progress only moves forward, so a slower duplicate worker cannot make it go back. */
    public void progress(long projectId, long written, Instant now) {
        // false when another delivery got further already
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET written = :w, updated = :u")
                .conditionExpression("attribute_exists(pk) AND written < :w")
                .expressionAttributeValues(Map.of(":w", Attr.n(written), ":u", Attr.s(now.toString())))));
    }

    /** Records the latest failure of a job that will be retried; the job stays open. */
    public void error(long projectId, String error, Instant now) {
        updateOpenJob(projectId, "SET #e = :e, updated = :u", Map.of("#e", "error"),
                Map.of(":e", Attr.s(error), ":u", Attr.s(now.toString())));
    }

    public void finished(long projectId, GridJob.State state, String error, Instant now) {
        updateOpenJob(projectId, "SET #st = :s, #e = :e, updated = :u", Map.of("#e", "error"),
                Map.of(":s", Attr.s(state.name()), ":e", Attr.s(error), ":u", Attr.s(now.toString())));
    }

    /**
     * Updates the job item unless the job is DONE: a finished job stays as it finished, so a late duplicate
     * delivery or a slower worker cannot reopen or overwrite it (the lost condition is the expected outcome).
     */
    private void updateOpenJob(long projectId, String update, Map<String, String> names,
                               Map<String, AttributeValue> values) {
        var n = new HashMap<>(names);
        n.put("#st", "state");
        var v = new HashMap<>(values);
        v.put(":done", Attr.s("DONE"));
        // false when it finished meanwhile
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression(update).conditionExpression("attribute_exists(pk) AND #st <> :done")
                .expressionAttributeNames(n).expressionAttributeValues(v)));
    }
}
