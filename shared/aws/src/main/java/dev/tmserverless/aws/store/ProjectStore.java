package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.search.ProjectSummary;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Projects: the settings document, and the task counters beside it (moved with ADD, never read-modify-write).
 * The grid job's item is {@link GridJobStore}'s.
 */
@Singleton
public class ProjectStore {
    /** A project as read: settings, counters and the version that conditions a settings update. */
    public record Stored(Project project, ProjectCounters counters, long version) {}

    private final DynamoDbClient ddb;
    private final String table;

    public ProjectStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    public void create(Project p) {
        ddb.putItem(b -> b.tableName(table).item(projectItem(p, new ProjectCounters(0, 0, 0, 0))).conditionExpression("attribute_not_exists(pk)"));
        ddb.putItem(b -> b.tableName(table).item(summaryItem(p, new ProjectCounters(0, 0, 0, 0))));
    }

    /**
     * Imports projects whose grids are written (tasks numbered 1..total) with their counters, in batches of 25
     * items, with no condition: for ids nobody uses yet (a bulk import, the search bench). Each project's item and
     * search summary are as {@link #create}, {@link #gridWritten} and {@link #addCounters} leave them.
     */
    public void importAllWriting(List<Project> ps, List<ProjectCounters> counters, int parallelism) {
        List<WriteRequest> writes = new java.util.ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            Map<String, AttributeValue> item = projectItem(ps.get(i), counters.get(i));
            item.put("maxTaskId", Attr.n(counters.get(i).totalTasks()));
            writes.add(Dynamo.put(item));
            writes.add(Dynamo.put(summaryItem(ps.get(i), counters.get(i))));
        }
        Dynamo.batchWrite(ddb, table, writes, parallelism);
    }

    private static Map<String, AttributeValue> projectItem(Project p, ProjectCounters c) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(p.id()), Keys.META));
        item.put("doc", Attr.s(Json.write(p)));
        item.put("status", Attr.s(p.status().name()));
        item.put("v", Attr.n(0L));
        item.put("gsi1pk", Attr.s(Keys.orgProjects(p.organisationId())));
        item.put("gsi1sk", Attr.s(Keys.projectSort(p.id())));
        item.put("totalTasks", Attr.n(c.totalTasks()));
        item.put("tasksMapped", Attr.n(c.tasksMapped()));
        item.put("tasksValidated", Attr.n(c.tasksValidated()));
        item.put("tasksBadImagery", Attr.n(c.tasksBadImagery()));
        return item;
    }

    private static Map<String, AttributeValue> summaryItem(Project p, ProjectCounters c) {
        Map<String, AttributeValue> summary = new HashMap<>(Attr.key(Keys.project(p.id()), Keys.SEARCH));
        summary.put("s", SearchSummaries.encode(ProjectSummary.of(p)));
        summary.put("gsi1pk", Attr.s(Keys.searchShard(p.id())));
        summary.put("gsi1sk", Attr.s(Keys.searchSort(System.currentTimeMillis(), p.id())));
        summary.put("tt", Attr.n(c.totalTasks()));
        summary.put("tm", Attr.n(c.tasksMapped()));
        summary.put("tv", Attr.n(c.tasksValidated()));
        summary.put("tb", Attr.n(c.tasksBadImagery()));
        summary.put("rev", Attr.n(1L));
        return summary;
    }

    /**
     * Writes the search summary of a project that has none (one written before the search index existed), with
     * the project item's counters; false if a summary (or a tombstone) appeared meanwhile.
     */
    public boolean putMissingSummaryWriting(Stored st) {
        Project p = st.project();
        Map<String, AttributeValue> summary = new HashMap<>(Attr.key(Keys.project(p.id()), Keys.SEARCH));
        summary.put("s", SearchSummaries.encode(ProjectSummary.of(p)));
        summary.put("gsi1pk", Attr.s(Keys.searchShard(p.id())));
        summary.put("gsi1sk", Attr.s(Keys.searchSort(System.currentTimeMillis(), p.id())));
        ProjectCounters c = st.counters();
        summary.put("tt", Attr.n(c.totalTasks()));
        summary.put("tm", Attr.n(c.tasksMapped()));
        summary.put("tv", Attr.n(c.tasksValidated()));
        summary.put("tb", Attr.n(c.tasksBadImagery()));
        summary.put("rev", Attr.n(1L));
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(summary)
                .conditionExpression("attribute_not_exists(pk)")));
    }

    /** Whether any project belongs to the organisation: one gsi1 Query of at most one key. */
    public boolean anyInOrganisation(long orgId) {
        var res = ddb.query(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :o")
                .expressionAttributeValues(Map.of(":o", Attr.s(Keys.orgProjects(orgId)))).limit(1));
        return !res.items().isEmpty();
    }

    public Optional<Stored> get(long id) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(id), Keys.META))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        try {
            Project p = Json.MAPPER.readValue(Attr.str(item, "doc"), Project.class);
            return Optional.of(new Stored(p, new ProjectCounters(Attr.lng(item, "totalTasks", 0),
                    Attr.lng(item, "tasksMapped", 0), Attr.lng(item, "tasksValidated", 0),
                    Attr.lng(item, "tasksBadImagery", 0)), Attr.lng(item, "v", 0)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable project " + id, e);
        }
    }

    /** Several projects by id, in the order given; missing ones left out (BatchGetItem, consistent). */
    public java.util.List<Stored> getAll(java.util.List<Long> ids) {
        java.util.List<Map<String, AttributeValue>> keys = ids.stream().map(id -> Attr.key(Keys.project(id), Keys.META)).toList();
        Map<Long, Stored> byId = new HashMap<>();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            Stored s = stored(item);
            byId.put(s.project().id(), s);
        }
        return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
    }

    private static Stored stored(Map<String, AttributeValue> item) {
        try {
            Project p = Json.MAPPER.readValue(Attr.str(item, "doc"), Project.class);
            return new Stored(p, new ProjectCounters(Attr.lng(item, "totalTasks", 0),
                    Attr.lng(item, "tasksMapped", 0), Attr.lng(item, "tasksValidated", 0),
                    Attr.lng(item, "tasksBadImagery", 0)), Attr.lng(item, "v", 0));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable project " + Attr.str(item, "pk"), e);
        }
    }

    /**
     * Replaces the settings if nobody changed them since {@code expectedVersion}; false if somebody did. The
     * search summary follows in a second write (docs/search.md "Consistency").
     */
    public boolean update(Project p, long expectedVersion) {
        boolean written = Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(p.id()), Keys.META))
                .updateExpression("SET doc = :d, #s = :s, v = :nv, gsi1pk = :o, gsi1sk = :ps")
                .conditionExpression("v = :v")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":d", Attr.s(Json.write(p)), ":s", Attr.s(p.status().name()),
                        ":nv", Attr.n(expectedVersion + 1), ":v", Attr.n(expectedVersion),
                        ":o", Attr.s(Keys.orgProjects(p.organisationId())), ":ps", Attr.s(Keys.projectSort(p.id()))))));
        if (written) {
            ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(p.id()), Keys.SEARCH))
                    .updateExpression("SET s = :s, gsi1pk = :g, gsi1sk = :t ADD rev :one")
                    .expressionAttributeValues(Map.of(":s", SearchSummaries.encode(ProjectSummary.of(p)),
                            ":g", Attr.s(Keys.searchShard(p.id())),
                            ":t", Attr.s(Keys.searchSort(System.currentTimeMillis(), p.id())), ":one", Attr.n(1L))));
        }
        return written;
    }

    /**
     * Features the project ({@code featured}) or stops featuring it: one conditional write of the summary item,
     * which is where the flag lives (search and the featured list read it). False when it already was (or was not).
     */
    public boolean setFeaturedWriting(long projectId, boolean featured) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.SEARCH))
                .updateExpression("SET " + SearchSummaries.FEATURED + " = :f, gsi1sk = :t ADD rev :one")
                .conditionExpression("attribute_exists(pk) AND attribute_not_exists(" + SearchSummaries.GONE + ") AND "
                        + (featured ? "(attribute_not_exists(ft) OR ft = :no)" : "ft = :yes"))
                .expressionAttributeValues(Map.of(":f", AttributeValue.fromBool(featured), ":one", Attr.n(1L),
                        ":t", Attr.s(Keys.searchSort(System.currentTimeMillis(), projectId)),
                        featured ? ":no" : ":yes", AttributeValue.fromBool(!featured)))));
    }

    /**
     * Deletes the project's item if nobody changed its settings since {@code expectedVersion}, then turns its
     * search summary into a tombstone (which takes it out of every search index within a refresh, and expires
     * with the table's TTL a day later). False if the settings changed meanwhile. The rest of the project's items
     * are {@link ProjectPurge}'s.
     */
    public boolean deleteWriting(long projectId, long expectedVersion) {
        boolean deleted = Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.META)).conditionExpression("v = :v")
                .expressionAttributeValues(Map.of(":v", Attr.n(expectedVersion)))));
        if (deleted) tombstoneWriting(projectId);
        return deleted;
    }

    /** The summary item of a deleted project: no summary, a {@code gone} mark, a newer revision. */
    void tombstoneWriting(long projectId) {
        long now = System.currentTimeMillis();
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.SEARCH))
                .updateExpression("SET " + SearchSummaries.GONE + " = :g, gsi1pk = :p, gsi1sk = :t, #exp = :e ADD rev :one "
                        + "REMOVE s, tt, tm, tv, tb, ft")
                .expressionAttributeNames(Map.of("#exp", dev.tmserverless.core.catalogue.Resources.TABLE_TTL_ATTRIBUTE))
                .expressionAttributeValues(Map.of(":g", AttributeValue.fromBool(true), ":p", Attr.s(Keys.searchShard(projectId)),
                        ":t", Attr.s(Keys.searchSort(now, projectId)), ":e", Attr.n(now / 1000 + 86_400), ":one", Attr.n(1L))));
    }

    /**
     * Sets the number of contributors search shows for the project ({@code totalContributors}), if it differs
     * from the summary's: the statistics aggregator calls it with every recount, so a missed write is repaired by
     * the next one. False when it was already that number or the project has no summary.
     */
    public boolean setSearchContributorsWriting(long projectId, int contributors) {
        String nc = SearchSummaries.CONTRIBUTORS;
        return SearchSummaries.changeWriting(ddb, table, projectId, nc + " = :n", null, null, null,
                "attribute_not_exists(" + nc + ") OR " + nc + " <> :n", Map.of(":n", Attr.n((long) contributors)));
    }

    /** The counters of the search summary item (consistent read); empty without one. */
    public Optional<ProjectCounters> summaryCounters(long projectId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.SEARCH))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || item.containsKey(SearchSummaries.GONE)) return Optional.empty();
        return Optional.of(new ProjectCounters(Attr.lng(item, "tt", 0), Attr.lng(item, "tm", 0), Attr.lng(item, "tv", 0),
                Attr.lng(item, "tb", 0)));
    }

    /** The drift mark reconciliation left on the project item at its last look, or null ({@link #markDriftWriting}). */
    public String driftMark(long projectId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META))
                .projectionExpression("drift").consistentRead(true)).item();
        return item == null || !item.containsKey("drift") ? null : Attr.str(item, "drift");
    }

    /** Records (or with null clears) what reconciliation saw: the second identical look repairs. */
    public void markDriftWriting(long projectId, String mark) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> {
            b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META)).conditionExpression("attribute_exists(pk)");
            if (mark == null) b.updateExpression("REMOVE drift");
            else b.updateExpression("SET drift = :d").expressionAttributeValues(Map.of(":d", Attr.s(mark)));
        }));
    }

    /**
     * Moves the project's counters from {@code seen} to {@code truth}, on condition that they still are {@code seen}
     * and the drift mark is still {@code mark} (the write also clears the mark, so one repairer wins); then, if it
     * won, the summary's from {@code seenSummary} likewise. With ADD on condition, not a blind SET: a transition
     * that lands between the reads and this write changes the counters and fails the condition. Returns whether
     * the project item was written.
     */
    public boolean repairCountersWriting(long projectId, ProjectCounters seen, ProjectCounters truth, String mark,
                                         ProjectCounters seenSummary) {
        boolean fixed = Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.META))
                .updateExpression("ADD totalTasks :dt, tasksMapped :dm, tasksValidated :dv, tasksBadImagery :db REMOVE drift")
                .conditionExpression("totalTasks = :st AND tasksMapped = :sm AND tasksValidated = :sv AND tasksBadImagery = :sb AND drift = :mark")
                .expressionAttributeValues(Map.of(":dt", Attr.n(truth.totalTasks() - seen.totalTasks()),
                        ":dm", Attr.n(truth.tasksMapped() - seen.tasksMapped()),
                        ":dv", Attr.n(truth.tasksValidated() - seen.tasksValidated()),
                        ":db", Attr.n(truth.tasksBadImagery() - seen.tasksBadImagery()),
                        ":st", Attr.n(seen.totalTasks()), ":sm", Attr.n(seen.tasksMapped()),
                        ":sv", Attr.n(seen.tasksValidated()), ":sb", Attr.n(seen.tasksBadImagery()), ":mark", Attr.s(mark)))));
        if (fixed && seenSummary != null && !seenSummary.equals(truth)) {
            Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.SEARCH))
                    .updateExpression("ADD tt :dt, tm :dm, tv :dv, tb :db, rev :one SET gsi1sk = :t")
                    .conditionExpression("tt = :st AND tm = :sm AND tv = :sv AND tb = :sb")
                    .expressionAttributeValues(Map.ofEntries(Map.entry(":dt", Attr.n(truth.totalTasks() - seenSummary.totalTasks())),
                            Map.entry(":dm", Attr.n(truth.tasksMapped() - seenSummary.tasksMapped())),
                            Map.entry(":dv", Attr.n(truth.tasksValidated() - seenSummary.tasksValidated())),
                            Map.entry(":db", Attr.n(truth.tasksBadImagery() - seenSummary.tasksBadImagery())),
                            Map.entry(":st", Attr.n(seenSummary.totalTasks())), Map.entry(":sm", Attr.n(seenSummary.tasksMapped())),
                            Map.entry(":sv", Attr.n(seenSummary.tasksValidated())), Map.entry(":sb", Attr.n(seenSummary.tasksBadImagery())),
                            Map.entry(":one", Attr.n(1L)),
                            Map.entry(":t", Attr.s(Keys.searchSort(System.currentTimeMillis(), projectId)))))));
        }
        return fixed;
    }

    /**
     * Moves the search summary's copy of the counters by the same amounts as the project's (ADD commutes, so
     * concurrent transitions need no ordering) and marks the summary changed. A project without a summary
     * item is left alone.
     */
    private void moveSummaryCounters(long projectId, String adds, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> v = new HashMap<>(values);
        v.put(":one", Attr.n(1L));
        v.put(":t", Attr.s(Keys.searchSort(System.currentTimeMillis(), projectId)));
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.SEARCH))
                .updateExpression("ADD " + adds + ", rev :one SET gsi1sk = :t")
                .conditionExpression("attribute_exists(pk)").expressionAttributeValues(v)));
    }

    /**
     * Records that the grid job wrote tasks 1..total: the task count and the highest task id, from which
     * split children take theirs. Only the first finisher writes; a late duplicate delivery of the job must
     * not undo splits made since.
     */
    public void gridWritten(long projectId, long total) {
        if (startTaskIds(projectId, "totalTasks = :v, maxTaskId = :v", total)) {
            moveSummaryCounters(projectId, "tt :n", Map.of(":n", Attr.n(total)));
        }
    }

    /** {@code SET assignments} (of {@code :v}) unless the task-id counter has started: the first writer wins. */
    private boolean startTaskIds(long projectId, String assignments, long value) {
        // false when an earlier writer started it (a duplicate delivery of the job, or a concurrent split)
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META))
                .updateExpression("SET " + assignments)
                .conditionExpression("attribute_exists(pk) AND attribute_not_exists(maxTaskId)")
                .expressionAttributeValues(Map.of(":v", Attr.n(value)))));
    }

    /**
     * Reserves {@code n} new task ids above every id used so far and returns the first. Call only once the grid
     * is written. Ids reserved by a split that then loses its race stay unused.
     */
    public int reserveTaskIds(long projectId, int n) {
        for (int attempt = 0; attempt < 2; attempt++) {
            long[] max = new long[1];
            if (Dynamo.conditionally(() -> max[0] = Long.parseLong(ddb.updateItem(b -> b.tableName(table)
                    .key(Attr.key(Keys.project(projectId), Keys.META))
                    .updateExpression("ADD maxTaskId :n").conditionExpression("attribute_exists(maxTaskId)")
                    .expressionAttributeValues(Map.of(":n", Attr.n((long) n))).returnValues(ReturnValue.UPDATED_NEW))
                    .attributes().get("maxTaskId").n()))) {
                return (int) (max[0] - n + 1);
            }
            startTaskIdsFromStoredTasks(projectId);
        }
        throw new IllegalStateException("project " + projectId + " has no task id counter");
    }

    /** A project written before the id counter existed: the counter starts at its highest stored task id. */
    private void startTaskIdsFromStoredTasks(long projectId) {
        var last = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":t", Attr.s(Keys.TASK_PREFIX)))
                .scanIndexForward(false).limit(1).consistentRead(true)).items();
        startTaskIds(projectId, "maxTaskId = :v", last.isEmpty() ? 0 : Attr.lng(last.get(0), "taskId"));
    }

    /** Moves the task count, e.g. +3 for a split. */
    public void addTotalTasks(long projectId, long n) {
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META))
                .updateExpression("ADD totalTasks :n").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":n", Attr.n(n))));
        moveSummaryCounters(projectId, "tt :n", Map.of(":n", Attr.n(n)));
    }

    /** Moves the counters after a transition has won. */
    public void addCounters(long projectId, CounterDelta d) {
        if (d.isZero()) return;
        ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META))
                .updateExpression("ADD tasksMapped :m, tasksValidated :v, tasksBadImagery :b")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":m", Attr.n((long) d.mapped()), ":v", Attr.n((long) d.validated()),
                        ":b", Attr.n((long) d.badImagery()))));
        moveSummaryCounters(projectId, "tm :m, tv :v, tb :b", Map.of(":m", Attr.n((long) d.mapped()),
                ":v", Attr.n((long) d.validated()), ":b", Attr.n((long) d.badImagery())));
    }
}
