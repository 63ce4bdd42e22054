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
                .updateExpression("SET updated = :u ADD resends :one")
                .conditionExpression("(#st = :q OR #st = :r) AND updated = :seen")
                .expressionAttributeNames(Map.of("#st", "state"))
                .expressionAttributeValues(Map.of(":u", Attr.s(now.toString()), ":q", Attr.s("QUEUED"),
                        ":r", Attr.s("RUNNING"), ":seen", Attr.s(seen.toString()), ":one", Attr.n(1)))));
    }

    /**
     * Marks FAILED a job that has stayed QUEUED or RUNNING since {@code seen} after it was sent again
     * {@code maxResends} times already (its worker keeps dying: killed by its timeout or memory). True for one caller.
     */
    public boolean failStalled(long projectId, Instant seen, int maxResends, String error, Instant now) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET #st = :f, #e = :e, updated = :u")
                .conditionExpression("(#st = :q OR #st = :r) AND updated = :seen AND resends >= :max")
                .expressionAttributeNames(Map.of("#st", "state", "#e", "error"))
                .expressionAttributeValues(Map.of(":u", Attr.s(now.toString()), ":q", Attr.s("QUEUED"), ":f", Attr.s("FAILED"),
                        ":r", Attr.s("RUNNING"), ":seen", Attr.s(seen.toString()), ":max", Attr.n(maxResends),
                        ":e", Attr.s(error)))));
    }

    /**
     * How a RUNNING job is cut into slices: {@code count} slices of {@code size} tasks (the last one shorter),
     * {@code done} the slices already written. Empty before the job is planned (or for a job from before slices).
     */
    public record Slices(int count, int size, java.util.Set<Integer> done, long total) {
        public boolean complete() { return done.size() >= count; }

        public long first(int slice) { return (long) slice * size; }

        public int length(int slice) { return (int) Math.min(size, total - first(slice)); }
    }

    public Optional<Slices> slices(long projectId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .consistentRead(true)).item();
        return slices(item);
    }

    private static Optional<Slices> slices(Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey("slices") || !"RUNNING".equals(Attr.str(item, "state"))) return Optional.empty();
        java.util.Set<Integer> done = new java.util.TreeSet<>();
        AttributeValue d = item.get("doneSlices");
        if (d != null && d.hasNs()) d.ns().forEach(n -> done.add(Integer.parseInt(n)));
        return Optional.of(new Slices(Attr.integer(item, "slices"), Attr.integer(item, "sliceSize"), done,
                Attr.lng(item, "total")));
    }

    /**
     * Plans the job: RUNNING, its total and its slices. A job planned already keeps its plan (a duplicate of the
     * job's message finds the same slices, some of them done); a finished job is never reopened. Returns the plan.
     */
    public Optional<Slices> planWriting(long projectId, long total, int sliceSize, Instant now) {
        int count = (int) Math.max(1, (total + sliceSize - 1) / sliceSize);
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET #st = :r, #t = :t, slices = :c, sliceSize = :z, written = :zero, updated = :u")
                .conditionExpression("attribute_exists(pk) AND (#st = :q OR (#st = :r AND attribute_not_exists(slices)))")
                .expressionAttributeNames(Map.of("#st", "state", "#t", "total"))
                .expressionAttributeValues(Map.of(":r", Attr.s("RUNNING"), ":q", Attr.s("QUEUED"), ":t", Attr.n(total),
                        ":c", Attr.n(count), ":z", Attr.n(sliceSize), ":zero", Attr.n(0), ":u", Attr.s(now.toString())))));
        return slices(projectId);
    }

    /**
     * Records slice {@code slice} ({@code tasks} tasks) as written, once: a duplicate delivery of the same slice
     * finds it recorded and adds nothing. Only the delivery {@code token}, or anybody once no other delivery holds a
     * live claim on the slice, may record it: a job is never DONE while a batch of one of its slices may still land.
     * Returns the plan as it stands after the write, or empty when this slice was recorded before, another
     * delivery's claim is live, or the job is no longer RUNNING.
     */
    public Optional<Slices> sliceDoneWriting(long projectId, int slice, int tasks, String token, Instant now) {
        Map<String, AttributeValue>[] after = new Map[1];
        boolean won = Dynamo.conditionally(() -> after[0] = ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("ADD doneSlices :k, written :n SET updated = :u")
                // nobody else may be batch-writing the slice: no claim, this delivery's claim, or a lapsed one
                .conditionExpression("#st = :r AND NOT contains(doneSlices, :kn)"
                        + " AND (attribute_not_exists(#c) OR #c.#t = :tok OR #c.#cu < :now)")
                .expressionAttributeNames(Map.of("#st", "state", "#c", claimAttr(slice), "#t", "t", "#cu", "u"))
                .expressionAttributeValues(Map.of(":k", AttributeValue.fromNs(java.util.List.of(Integer.toString(slice))),
                        ":kn", Attr.n(slice), ":n", Attr.n(tasks), ":r", Attr.s("RUNNING"), ":u", Attr.s(now.toString()),
                        ":tok", Attr.s(token), ":now", Attr.n(now.toEpochMilli())))
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW)).attributes());
        return won ? slices(after[0]) : Optional.empty();
    }

    /**
     * A slice's claim: the delivery that started the slice first ({@code token}) may write it with unconditional
     * batches while the claim lasts ({@code until}); nobody else may record the slice before then
     * (docs/grid-jobs.md "Who may overwrite a task").
     */
    public record SliceClaim(String token, Instant until) {
        public boolean live(Instant now) { return until.isAfter(now); }
    }

    /** The plan of a RUNNING job and the claim on one of its slices (null when the slice was never started). */
    public record SliceState(Slices plan, SliceClaim claim) {}

    private static String claimAttr(int slice) { return "claim" + slice; }

    /** The job's plan and the claim on {@code slice}, in one consistent read; empty unless the job is RUNNING. */
    public Optional<SliceState> sliceState(long projectId, int slice) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .consistentRead(true)).item();
        return slices(item).map(plan -> {
            AttributeValue c = item.get(claimAttr(slice));
            SliceClaim claim = c == null || !c.hasM() ? null : new SliceClaim(c.m().get("t").s(),
                    Instant.ofEpochMilli(Long.parseLong(c.m().get("u").n())));
            return new SliceState(plan, claim);
        });
    }

    /**
     * Claims a slice nobody has started (no claim was ever written for it) until {@code until}. True for one
     * delivery per slice and job run: every later one finds the slice started.
     */
    public boolean claimSliceWriting(long projectId, int slice, String token, Instant until) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET #c = :c")
                .conditionExpression("#st = :r AND attribute_not_exists(#c) AND NOT contains(doneSlices, :kn)")
                .expressionAttributeNames(Map.of("#st", "state", "#c", claimAttr(slice)))
                .expressionAttributeValues(Map.of(":r", Attr.s("RUNNING"), ":kn", Attr.n(slice),
                        ":c", AttributeValue.fromM(Map.of("t", Attr.s(token), "u", Attr.n(until.toEpochMilli())))))));
    }

    /**
     * Extends the claim {@code token} holds on a slice to {@code until}. False when the job is no longer RUNNING,
     * the slice is recorded, or the claim is not this token's: the holder must not batch-write any more.
     */
    public boolean renewSliceWriting(long projectId, int slice, String token, Instant until) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET #c.#u = :u")
                .conditionExpression("#st = :r AND #c.#t = :tok AND NOT contains(doneSlices, :kn)")
                .expressionAttributeNames(Map.of("#st", "state", "#c", claimAttr(slice), "#t", "t", "#u", "u"))
                .expressionAttributeValues(Map.of(":r", Attr.s("RUNNING"), ":kn", Attr.n(slice), ":tok", Attr.s(token),
                        ":u", Attr.n(until.toEpochMilli())))));
    }

    /**
     * Ends the claim {@code token} holds on a slice at once (its holder stopped writing: it failed, or recorded the
     * slice). The claim stays as a mark that the slice was started, so later deliveries write it conditionally.
     */
    public void releaseSliceWriting(long projectId, int slice, String token) {
        // false when the claim is not this token's (or the job item is gone): nothing to release
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET #c.#u = :zero")
                .conditionExpression("#c.#t = :tok")
                .expressionAttributeNames(Map.of("#c", claimAttr(slice), "#t", "t", "#u", "u"))
                .expressionAttributeValues(Map.of(":tok", Attr.s(token), ":zero", Attr.n(0)))));
    }

    /** The job's heartbeat: a live worker touches {@code updated} while it writes (readers see it is alive). */
    public void heartbeat(long projectId, Instant now) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET updated = :u")
                .conditionExpression("#st = :r")
                .expressionAttributeNames(Map.of("#st", "state"))
                .expressionAttributeValues(Map.of(":u", Attr.s(now.toString()), ":r", Attr.s("RUNNING")))));
    }

    /**
     * Puts a FAILED job back to QUEUED from scratch (its plan and progress dropped; the tasks already written are
     * rewritten identically). False when the job is not FAILED.
     */
    public boolean retryWriting(long projectId, Instant now) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.GRID_JOB))
                .updateExpression("SET #st = :q, written = :zero, updated = :u, #e = :nul, resends = :zero"
                        + " REMOVE slices, sliceSize, doneSlices")
                .conditionExpression("#st = :f")
                .expressionAttributeNames(Map.of("#st", "state", "#e", "error"))
                .expressionAttributeValues(Map.of(":q", Attr.s("QUEUED"), ":f", Attr.s("FAILED"), ":zero", Attr.n(0),
                        ":nul", Attr.nul(), ":u", Attr.s(now.toString())))));
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
