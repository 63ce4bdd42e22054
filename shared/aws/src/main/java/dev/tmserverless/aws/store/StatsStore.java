package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.stats.ProjectFigures;
import dev.tmserverless.core.stats.SystemFigures;
import dev.tmserverless.core.stats.TaskFacts;
import dev.tmserverless.core.stats.UserFigures;
import dev.tmserverless.core.stats.UserTaskFacts;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The statistics items (docs/statistics.md "Items"): per-task facts and per-user task facts (merged, never
 * replaced), and the summaries recomputed from them (project, user, system, organisation), each written under a
 * ticket so that a slower recomputation never overwrites a newer one. Every key starts with
 * {@link Resources#STATS_KEY_PREFIX}, which the change feed filters out.
 */
@Singleton
public class StatsStore {
    static final String P = Resources.STATS_KEY_PREFIX + "P#";
    static final String U = Resources.STATS_KEY_PREFIX + "U#";
    static final String SYS = Resources.STATS_KEY_PREFIX + "SYS";
    /** The system partition's item of the popular projects (docs/projects.md "Popular projects"). */
    static final String POPULAR = "POPULAR";
    /** Country ⇒ its projects, for the country filter of the task statistics. */
    static final String COUNTRIES = "COUNTRIES";
    static final String O = Resources.STATS_KEY_PREFIX + "O#";
    static final String TS = Resources.STATS_KEY_PREFIX + "TS#";
    static final String USERS = Resources.STATS_KEY_PREFIX + "USERS#";
    /** {@code STAT#REG#<yyyy-mm-dd> / <user id>}: a user as counted on the day they registered. */
    static final String REG = Resources.STATS_KEY_PREFIX + "REG#";
    /** {@code STAT#REGDAYS / <yyyy-mm-dd>}: that day's registration totals. */
    static final String REG_DAYS = Resources.STATS_KEY_PREFIX + "REGDAYS";
    /** Sort key of the home page's pre-combined figures in the system partition. */
    static final String HOME = "HOME";
    /** gsi1 sort key of a user summary, beside the profile ({@code USER}) in the username's partition. */
    static final String USER_STATS_SORT = "STATS";
    static final String SUM = "SUM";
    static final String ROLLUP = "ROLLUP";
    static final String FACTS = "T#";
    /** gsi1 partition of every project's roll-up (the system and organisation summaries read it). */
    static final String ROLLUPS = "STATROLLUPS";
    public static final int USER_SHARDS = 16;

    private final DynamoDbClient ddb;
    private final String table;

    private final InterestStore interests;

    public StatsStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
        this.interests = new InterestStore(ddb, config, new Counters(ddb, config));
    }

    // ------------------------------------------------------------------------------------------ decoding images

    /** What a stream image is, for statistics. */
    public sealed interface Source permits TaskImage, ProjectItem, ProjectInterests, UserProfile, Organisation, Other {}
    public record TaskImage(long projectId, int taskId, TaskFacts facts) implements Source {}
    /** The project's own item or its chat: the project's summary depends on it. */
    public record ProjectItem(long projectId) implements Source {}
    /** The project's interests: its contributors' interest figures depend on them. */
    public record ProjectInterests(long projectId) implements Source {}
    public record UserProfile(long userId, boolean exists) implements Source {}
    /** An organisation created, renamed or deleted: the home page counts and names organisations. */
    public record Organisation(long orgId) implements Source {}
    public record Other() implements Source {}

    /**
     * Classifies a record by its key and reads the facts of its image: the new image, or when the item was
     * deleted the old one ({@code newImage} null).
     */
    public static Source source(Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage) {
        String pk = Attr.str(keys, "pk");
        String sk = Attr.str(keys, "sk");
        if (pk == null || sk == null) return new Other();
        if (pk.startsWith("PROJECT#")) {
            long projectId = Long.parseLong(pk.substring("PROJECT#".length()));
            if (sk.startsWith(Keys.TASK_PREFIX) && !sk.startsWith(Keys.GEOM_PREFIX)) {
                int taskId = Integer.parseInt(sk.substring(Keys.TASK_PREFIX.length()));
                if (newImage == null) return new TaskImage(projectId, taskId, TaskFacts.deleted(projectId, taskId));
                Task t = TaskItems.read(projectId, newImage);
                return new TaskImage(projectId, taskId, TaskFacts.of(t, newImage.containsKey("splitInto")));
            }
            if (sk.startsWith(Keys.HISTORY_PREFIX)) {
                int taskId = Integer.parseInt(sk.substring(Keys.HISTORY_PREFIX.length(), Keys.HISTORY_PREFIX.length() + 7));
                if (newImage == null) return new Other();
                return new TaskImage(projectId, taskId, TaskFacts.rowsOnly(projectId, taskId,
                        TaskItems.historyRows(newImage.get("h"))));
            }
            if (sk.equals(Keys.META) || sk.startsWith(Keys.CHAT_PREFIX)) return new ProjectItem(projectId);
            if (sk.equals(InterestStore.INTERESTS)) return new ProjectInterests(projectId);
            return new Other();
        }
        if (pk.startsWith("USER#") && sk.equals(Keys.PROFILE)) {
            return new UserProfile(Long.parseLong(pk.substring("USER#".length())), newImage != null);
        }
        if (pk.startsWith("ORG#") && sk.equals(Keys.META)) {
            return new Organisation(Long.parseLong(pk.substring("ORG#".length())));
        }
        return new Other();
    }

    // ------------------------------------------------------------------------------------------------- facts

    /**
     * A task's merged facts and the revision they were written at; {@code before} the facts the merge started
     * from, or null when every user's part must be written (new facts, or parts left pending by a writer that
     * died).
     */
    public record Merged(TaskFacts facts, long rev, TaskFacts before) {}

    /**
     * Merges {@code incoming} into the task's stored facts (a conditional write on the revision read, retried
     * when another merge came first); answers the merged facts, written or already there. A write marks the
     * users' parts pending ({@code pp}) until {@link #putUserTaskFactsWriting} has written them.
     */
    public Merged mergeTaskFactsWriting(TaskFacts incoming) {
        Map<String, AttributeValue> key = Attr.key(P + incoming.p, FACTS + pad(incoming.t));
        for (int attempt = 0; ; attempt++) {
            var item = ddb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
            boolean exists = item != null && !item.isEmpty();
            TaskFacts facts = exists ? read(Attr.str(item, "d"), TaskFacts.class) : new TaskFacts();
            TaskFacts before = exists ? read(Attr.str(item, "d"), TaskFacts.class) : null;
            long rev = exists ? Attr.lng(item, "rev", 0) : 0;
            boolean pending = exists && item.containsKey("pp");
            if (!facts.merge(incoming) && exists) return new Merged(facts, rev, pending ? null : facts);
            if (!exists) {
                facts.p = incoming.p;
                facts.t = incoming.t;
            }
            Map<String, AttributeValue> next = new HashMap<>(key);
            next.put("d", Attr.s(Json.write(facts)));
            next.put("rev", Attr.n(rev + 1));
            next.put("pp", Attr.bool(true));
            boolean written = Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(next)
                    .conditionExpression(exists ? "rev = :r" : "attribute_not_exists(pk)")
                    .expressionAttributeValues(exists ? Map.of(":r", Attr.n(rev)) : null)));
            if (written) return new Merged(facts, rev + 1, pending ? null : before);
            if (attempt > 50) throw new IllegalStateException("task facts of " + incoming.p + "/" + incoming.t + " kept changing");
        }
    }

    /**
     * Writes each user's part of the merged facts that differs from the part before the merge (every part when
     * {@code before} is null), unless a newer revision of it is already there; then clears the pending mark.
     */
    public void putUserTaskFactsWriting(Merged merged) {
        Map<Long, UserTaskFacts> was = merged.before() == null ? Map.of() : ProjectFigures.byUser(merged.before());
        ProjectFigures.byUser(merged.facts()).forEach((userId, f) -> {
            UserTaskFacts old = was.get(userId);
            if (old != null && Json.write(old).equals(Json.write(f))) return;
            Map<String, AttributeValue> item = new HashMap<>(Attr.key(U + userId, FACTS + merged.facts().p + "#" + pad(f.t)));
            item.put("d", Attr.s(Json.write(f)));
            item.put("rev", Attr.n(merged.rev()));
            Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(rev) OR rev < :r")
                    .expressionAttributeValues(Map.of(":r", Attr.n(merged.rev())))));
        });
        if (merged.before() == merged.facts()) return; // nothing was written and nothing was pending
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(P + merged.facts().p, FACTS + pad(merged.facts().t))).updateExpression("REMOVE pp")
                .conditionExpression("rev = :r").expressionAttributeValues(Map.of(":r", Attr.n(merged.rev())))));
    }

    /**
     * Rebuilds the facts of every task of the project from the task items and their archived rows (the source of
     * truth), replacing what is stored: drift of any kind is repaired, not merged into. Facts of tasks that no
     * longer exist say so. Answers the users whose rows the project holds.
     */
    public java.util.Set<Long> rebuildProjectFactsWriting(long projectId) {
        Map<Integer, TaskFacts> fresh = new java.util.TreeMap<>();
        for (var i : rawPrefix(Keys.project(projectId), Keys.TASK_PREFIX)) {
            String sk = Attr.str(i, "sk");
            int taskId = Integer.parseInt(sk.substring(Keys.TASK_PREFIX.length()));
            fresh.computeIfAbsent(taskId, id -> new TaskFacts()).merge(TaskFacts.of(TaskItems.read(projectId, i), i.containsKey("splitInto")));
        }
        for (var i : rawPrefix(Keys.project(projectId), Keys.HISTORY_PREFIX)) {
            String sk = Attr.str(i, "sk");
            int taskId = Integer.parseInt(sk.substring(Keys.HISTORY_PREFIX.length(), Keys.HISTORY_PREFIX.length() + 7));
            fresh.computeIfAbsent(taskId, id -> new TaskFacts()).merge(TaskFacts.rowsOnly(projectId, taskId, TaskItems.historyRows(i.get("h"))));
        }
        boolean projectExists = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.META))
                .consistentRead(true)).hasItem();
        java.util.Set<Long> users = new java.util.TreeSet<>();
        Map<Integer, Map<String, AttributeValue>> stored = new java.util.TreeMap<>();
        for (var i : queryPrefix(P + projectId, FACTS)) stored.put(Integer.parseInt(Attr.str(i, "sk").substring(FACTS.length())), i);
        java.util.Set<Integer> ids = new java.util.TreeSet<>(fresh.keySet());
        ids.addAll(stored.keySet());
        for (int taskId : ids) {
            TaskFacts f = fresh.get(taskId);
            if (f == null || !projectExists) f = TaskFacts.deleted(projectId, taskId);
            f.p = projectId;
            f.t = taskId;
            var old = stored.get(taskId);
            if (old != null) read(Attr.str(old, "d"), TaskFacts.class).rows.values().forEach(r -> users.add(r.u));
            f.rows.values().forEach(r -> users.add(r.u));
            long rev = old == null ? 0 : Attr.lng(old, "rev", 0);
            TaskFacts facts = f;
            Map<String, AttributeValue> item = new HashMap<>(Attr.key(P + projectId, FACTS + pad(taskId)));
            item.put("d", Attr.s(Json.write(facts)));
            item.put("rev", Attr.n(rev + 1));
            // a merge that slips in between is overwritten by facts read after it was committed: still the truth
            ddb.putItem(b -> b.tableName(table).item(item));
            putUserTaskFactsWriting(new Merged(facts, rev + 1, null));
        }
        return users;
    }

    private List<Map<String, AttributeValue>> rawPrefix(String pk, String skPrefix) {
        return queryPrefix(pk, skPrefix);
    }

    /** The highest project id handed out (the project counter). */
    public long maxProjectId() {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.COUNTER, "PROJECT")).consistentRead(true)).item();
        return i == null ? 0 : Attr.lng(i, "n", 0);
    }

    /** The reconciliation's cursor: the next project id, and where the walk over user profiles stopped. */
    public record Cursor(long nextProject, Map<String, AttributeValue> usersFrom) {}

    public Cursor cursor() {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(SYS, "CURSOR")).consistentRead(true)).item();
        if (i == null || i.isEmpty()) return new Cursor(1, null);
        var from = i.get("uf");
        return new Cursor(Attr.lng(i, "np", 1), from == null || !from.hasM() ? null : from.m());
    }

    public void saveCursorWriting(Cursor c) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(SYS, "CURSOR"));
        item.put("np", Attr.n(c.nextProject()));
        if (c.usersFrom() != null) item.put("uf", AttributeValue.fromM(c.usersFrom()));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    /**
     * One page (at most {@code limit} users) of the walk over user profiles, for the backfill of the user count
     * and the registrations: a Query of the users directory index (gsi2, every user in username order). Answers
     * the user ids found and where the next page starts (null: the walk is complete).
     */
    public record UserPage(List<Long> ids, Map<String, AttributeValue> next) {}

    public UserPage userProfilesPage(Map<String, AttributeValue> from, int limit) {
        // a cursor left by the earlier walk over the table (no index keys) starts the directory from its beginning
        Map<String, AttributeValue> start = from == null || !from.containsKey("gsi2sk") ? null : from;
        var res = ddb.query(b -> b.tableName(table).indexName("gsi2").limit(limit).exclusiveStartKey(start)
                .keyConditionExpression("gsi2pk = :d").expressionAttributeValues(Map.of(":d", Attr.s(Keys.USERS))));
        List<Long> ids = res.items().stream().map(i -> Long.parseLong(Attr.str(i, "pk").substring("USER#".length()))).toList();
        return new UserPage(ids, res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null);
    }

    public List<TaskFacts> taskFacts(long projectId) {
        return queryPrefix(P + projectId, FACTS).stream().map(i -> read(Attr.str(i, "d"), TaskFacts.class)).toList();
    }

    public List<UserTaskFacts> userTaskFacts(long userId) {
        return queryPrefix(U + userId, FACTS).stream().map(i -> read(Attr.str(i, "d"), UserTaskFacts.class)).toList();
    }

    private List<Map<String, AttributeValue>> queryPrefix(String pk, String skPrefix) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :p AND begins_with(sk, :s)")
                .expressionAttributeValues(Map.of(":p", Attr.s(pk), ":s", Attr.s(skPrefix))))
                .forEach(page -> out.addAll(page.items()));
        return out;
    }

    // ------------------------------------------------------------------------------------------------ tickets

    /**
     * Takes the next recomputation ticket of a summary item, answering the item as it is now (with its previous
     * figures). A summary is written only by the holder of a ticket newer than the one it was written with.
     */
    private Ticket ticket(Map<String, AttributeValue> key) {
        var res = ddb.updateItem(b -> b.tableName(table).key(key).updateExpression("ADD tk :one")
                .expressionAttributeValues(Map.of(":one", Attr.n(1L))).returnValues(ReturnValue.ALL_NEW));
        return new Ticket(key, Attr.lng(res.attributes(), "tk", 0), res.attributes());
    }

    private record Ticket(Map<String, AttributeValue> key, long number, Map<String, AttributeValue> before) {
        String previous() { return summaryText(before); }
    }

    /** A summary's JSON: {@code d}, or {@code z} (the same, gzipped) for the summaries that may grow large. */
    private static String summaryText(Map<String, AttributeValue> item) {
        if (item == null) return null;
        AttributeValue z = item.get("z");
        if (z != null && z.b() != null) return TaskMaps.gunzip(z.b().asByteArray());
        return Attr.str(item, "d");
    }

    /**
     * As {@link #writeSummary}, gzipped in {@code z}: an organisation's summary lists its projects, and the repeated
     * field names of those entries compress about fivefold (docs/statistics.md "Limits").
     */
    private boolean writeCompressedSummary(Ticket t, String json) {
        byte[] z = TaskMaps.gzip(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(t.key())
                .updateExpression("SET z = :z, w = :t REMOVE d")
                .conditionExpression("attribute_not_exists(w) OR w < :t")
                .expressionAttributeValues(Map.of(":z", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(z)),
                        ":t", Attr.n(t.number())))));
    }

    /** Writes a summary with its ticket; false if a newer ticket's recomputation was written first. */
    private boolean writeSummary(Ticket t, String json, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> v = new HashMap<>(Map.of(":d", Attr.s(json), ":t", Attr.n(t.number())));
        StringBuilder set = new StringBuilder("SET d = :d, w = :t");
        Map<String, String> names = new HashMap<>();
        int i = 0;
        for (var e : extra.entrySet()) {
            set.append(", #x").append(i).append(" = :x").append(i);
            names.put("#x" + i, e.getKey());
            v.put(":x" + i, e.getValue());
            i++;
        }
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(t.key())
                .updateExpression(set.toString())
                .conditionExpression("attribute_not_exists(w) OR w < :t")
                .expressionAttributeNames(names.isEmpty() ? null : names)
                .expressionAttributeValues(v)));
    }

    // ------------------------------------------------------------------------------------------------ projects

    /** A project's roll-up: what the system and organisation summaries add up. */
    public static final class Rollup {
        public long p;
        public long org;
        public String status;
        public String created;
        public String lastUpdated;
        public double aoiArea;
        public long totalTasks;
        public long tasksMapped;
        public long tasksValidated;
        public long tasksBadImagery;
        public java.util.Map<String, Integer> statuses = new java.util.TreeMap<>();
        public List<Long> validators = new ArrayList<>();
        public double mappedArea;
        public double validatedArea;
        /** Holder ⇒ latest lock expiry (epoch ms) of the project's tasks locked now. */
        public Map<Long, Long> locks = new java.util.TreeMap<>();
        /** Ended locks per day over the popularity window (docs/projects.md "Popular projects"). */
        public java.util.Map<String, Integer> lockDays = new java.util.TreeMap<>();
        /** The project's {@code countryTag}. */
        public List<String> countries = new ArrayList<>();
    }

    /**
     * Recomputes the project's summary, roll-up and daily task figures from its task facts and its item; when
     * the project no longer exists they are deleted. Answers the users whose summaries must be recomputed once the
     * roll-up is written: the project's contributors when its countries changed (their {@code countriesContributed})
     * or when {@code interestsChanged} (their {@code ContributionsByInterest}), else none.
     */
    public Set<Long> recomputeProjectWriting(long projectId, ProjectStore projects, ChatStore chat) {
        return recomputeProjectWriting(projectId, projects, chat, false);
    }

    /** As above; {@code interestsChanged}: the project's interests changed, so its contributors are answered too. */
    public Set<Long> recomputeProjectWriting(long projectId, ProjectStore projects, ChatStore chat, boolean interestsChanged) {
        Ticket t = ticket(Attr.key(P + projectId, SUM));
        ProjectFigures before = t.previous() == null ? null : read(t.previous(), ProjectFigures.class);
        Optional<ProjectStore.Stored> stored = projects.get(projectId);
        List<TaskFacts> facts = stored.isEmpty() ? List.of() : taskFacts(projectId);
        ProjectFigures figures = stored.isEmpty() ? new ProjectFigures() : ProjectFigures.compute(projectId, facts);
        figures.p = projectId;
        figures.comments = stored.isEmpty() ? 0 : chat.count(projectId);
        stored.ifPresent(st -> {
            figures.counters = new long[]{st.counters().totalTasks(), st.counters().tasksMapped(),
                    st.counters().tasksValidated(), st.counters().tasksBadImagery()};
            figures.areaKm2 = st.project().areaKm2();
            figures.centroid = st.project().aoiCentroid();
            figures.countries = new ArrayList<>(st.project().countryTag());
        });
        List<String> countriesBefore = before == null || before.countries == null ? List.of() : before.countries;
        Set<Long> refresh = new java.util.TreeSet<>();
        if (interestsChanged || !countriesBefore.equals(figures.countries)) {
            for (TaskFacts f : facts) f.rows.values().forEach(r -> refresh.add(r.u));
        }
        Map<String, AttributeValue> extra = new HashMap<>();
        if (!writeSummary(t, Json.write(figures), extra)) return Set.of();
        if (stored.isPresent()) projects.setSearchContributorsWriting(projectId, figures.contributors);
        long org = stored.map(s -> s.project().organisationId()).orElse(-1L);
        // daily task figures: only the days that changed
        Map<String, int[]> old = before == null ? Map.of() : before.taskDays;
        List<software.amazon.awssdk.services.dynamodb.model.WriteRequest> writes = new ArrayList<>();
        java.util.Set<String> days = new java.util.TreeSet<>(old.keySet());
        days.addAll(figures.taskDays.keySet());
        for (String day : days) {
            int[] now = figures.taskDays.get(day);
            int[] was = old.get(day);
            if (now != null && was != null && java.util.Arrays.equals(now, was) && before.org == org) continue;
            Map<String, AttributeValue> key = Attr.key(TS + day.substring(0, 7), day.substring(8) + "#" + String.format("%010d", projectId));
            if (now == null || stored.isEmpty()) {
                writes.add(software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().deleteRequest(d -> d.key(key)).build());
            } else {
                Map<String, AttributeValue> item = new HashMap<>(key);
                item.put("m", Attr.n((long) now[0]));
                item.put("v", Attr.n((long) now[1]));
                item.put("b", Attr.n((long) now[2]));
                item.put("org", Attr.n(org));
                writes.add(Dynamo.put(item));
            }
        }
        figures.org = org;
        if (!writes.isEmpty()) Dynamo.batchWrite(ddb, table, writes);
        Map<String, AttributeValue> rollKey = Attr.key(P + projectId, ROLLUP);
        if (stored.isEmpty()) {
            ddb.deleteItem(b -> b.tableName(table).key(rollKey));
            return Set.of();
        }
        Rollup r = new Rollup();
        var s = stored.get();
        r.p = projectId;
        r.org = org;
        r.status = s.project().status().name();
        r.created = String.valueOf(s.project().created());
        r.lastUpdated = String.valueOf(s.project().lastUpdated());
        r.aoiArea = s.project().areaKm2();
        r.totalTasks = s.counters().totalTasks();
        r.tasksMapped = s.counters().tasksMapped();
        r.tasksValidated = s.counters().tasksValidated();
        r.tasksBadImagery = s.counters().tasksBadImagery();
        r.statuses = figures.statuses;
        r.validators = figures.validators;
        r.mappedArea = figures.mappedArea;
        r.validatedArea = figures.validatedArea;
        r.locks = figures.locks;
        r.countries = figures.countries;
        String since = ProjectFigures.day(System.currentTimeMillis() - SystemFigures.POPULAR_WINDOW.toMillis());
        figures.lockDays.forEach((day, n) -> {
            if (day.compareTo(since) >= 0) r.lockDays.put(day, n);
        });
        Map<String, AttributeValue> roll = new HashMap<>(rollKey);
        roll.put("d", Attr.s(Json.write(r)));
        roll.put("w", Attr.n(t.number()));
        roll.put("gsi1pk", Attr.s(ROLLUPS));
        roll.put("gsi1sk", Attr.s(String.format("%010d", projectId)));
        Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(roll)
                .conditionExpression("attribute_not_exists(w) OR w < :t")
                .expressionAttributeValues(Map.of(":t", Attr.n(t.number())))));
        return refresh;
    }

    public Optional<ProjectFigures> project(long projectId) {
        return summary(Attr.key(P + projectId, SUM), ProjectFigures.class);
    }

    // --------------------------------------------------------------------------------------------------- users

    /**
     * Recomputes the user's summary from their task facts, with the interests of the projects they worked in
     * (one BatchGetItem per 100 projects and one Query of the interests, only for a user with projects) and the
     * countries of the projects they mapped or validated in (one BatchGetItem of their roll-ups per 100).
     */
    public void recomputeUserWriting(long userId) {
        Ticket t = ticket(Attr.key(U + userId, SUM));
        UserFigures f = UserFigures.compute(userId, userTaskFacts(userId));
        if (!f.projects.isEmpty()) {
            Map<Long, List<Long>> links = interests.ofProjects(f.projects);
            Map<Long, String> names = new HashMap<>();
            if (!links.isEmpty()) interests.all().forEach(i -> names.put(i.id(), i.name()));
            f.countInterests(links, names);
        }
        if (!f.byProject.isEmpty()) f.countCountries(projectCountries(f.byProject.keySet()));
        writeSummary(t, Json.write(f), Map.of());
    }

    /** The countries of each project that has a roll-up (one BatchGetItem per 100 projects). */
    Map<Long, List<String>> projectCountries(java.util.Collection<Long> projectIds) {
        Map<Long, List<String>> out = new HashMap<>();
        for (var item : Dynamo.batchGet(ddb, table, projectIds.stream().map(p -> Attr.key(P + p, ROLLUP)).toList())) {
            String d = Attr.str(item, "d");
            if (d == null) continue;
            Rollup r = read(d, Rollup.class);
            if (r.countries != null && !r.countries.isEmpty()) out.put(r.p, r.countries);
        }
        return out;
    }

    public Optional<UserFigures> user(long userId) {
        return summary(Attr.key(U + userId, SUM), UserFigures.class);
    }

    /** A user's statistics found by username: the account holding the name now, and its summary if it has one. */
    public record ByName(dev.tmserverless.core.domain.User user, Optional<UserFigures> figures, boolean summaryFound) {}

    /**
     * The account holding {@code username} and its statistics in one Query of the username's gsi1 partition, where
     * each user summary sits beside the profile (written by {@link #refreshUserWriting}). The holder is chosen as
     * {@link UserStore#byUsername} chooses it. {@code summaryFound} is false when the summary does not carry the
     * name yet (a user not refreshed since): the caller reads it by id.
     */
    public Optional<ByName> userByName(String username) {
        if (username == null || username.length() > 255) return Optional.empty();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :u")
                .expressionAttributeValues(Map.of(":u", Attr.s(Keys.username(username)))))
                .forEach(page -> items.addAll(page.items()));
        var holder = items.stream().filter(i -> "USER".equals(Attr.str(i, "gsi1sk")))
                .max(java.util.Comparator.comparingLong((Map<String, AttributeValue> i) -> Attr.lng(i, "nameAt", 0))
                        .thenComparingLong(i -> Attr.lng(i, "id", 0)))
                .map(UserStore::read);
        if (holder.isEmpty()) return Optional.empty();
        long id = holder.get().id();
        var summary = items.stream().filter(i -> USER_STATS_SORT.equals(Attr.str(i, "gsi1sk"))
                && Attr.lng(i, "uid", -1) == id).findFirst();
        return Optional.of(new ByName(holder.get(), summary.map(i -> Attr.str(i, "d")).filter(java.util.Objects::nonNull)
                .map(d -> read(d, UserFigures.class)), summary.isPresent()));
    }

    /**
     * After a change of the user's profile: files the user under their registration day as they are now (level,
     * e-mail verification, gender, mapped projects) and puts their summary in their username's gsi1 partition.
     * The registration entry is written under a ticket taken before the profile is read, so a slower refresh never
     * overwrites a newer one; the summary's name only moves forward ({@code nameAt}, the login that carried it).
     * Answers the registration day (yyyy-mm-dd), or null when the profile does not exist.
     */
    public String refreshUserWriting(long userId) {
        Map<String, AttributeValue> profileKey = Attr.key(Keys.user(userId), Keys.PROFILE);
        var first = ddb.getItem(b -> b.tableName(table).key(profileKey).consistentRead(true)).item();
        if (first == null || first.isEmpty() || Attr.str(first, "registered") == null) return null;
        String day = Attr.str(first, "registered").substring(0, 10);
        Ticket t = ticket(Attr.key(REG + day, Long.toString(userId)));
        var item = ddb.getItem(b -> b.tableName(table).key(profileKey).consistentRead(true)).item();
        if (item == null || item.isEmpty()) return null;
        dev.tmserverless.core.stats.Registrations.User r = new dev.tmserverless.core.stats.Registrations.User();
        r.lv = (int) Attr.lng(item, "level", dev.tmserverless.core.domain.MappingLevel.BEGINNER.id);
        r.ev = Attr.bool(item, "emailVerified");
        r.g = Attr.str(item, "gender");
        var mapped = item.get("mapped");
        r.c = mapped != null && mapped.hasNs() && !mapped.ns().isEmpty();
        writeSummary(t, Json.write(r), Map.of());
        String username = Attr.str(item, "username");
        if (username != null) {
            long nameAt = Attr.lng(item, "nameAt", 0);
            Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(U + userId, SUM))
                    .updateExpression("SET gsi1pk = :g, gsi1sk = :s, nameAt = :at, uid = :id")
                    .conditionExpression("attribute_not_exists(nameAt) OR nameAt <= :at")
                    .expressionAttributeValues(Map.of(":g", Attr.s(Keys.username(username)),
                            ":s", Attr.s(USER_STATS_SORT), ":at", Attr.n(nameAt), ":id", Attr.n(userId)))));
        }
        return day;
    }

    /** Recounts one registration day from its users' entries (a consistent Query of one small partition). */
    public void recountRegistrationDayWriting(String day) {
        Ticket t = ticket(Attr.key(REG_DAYS, day));
        List<dev.tmserverless.core.stats.Registrations.User> users = new ArrayList<>();
        for (var i : queryPrefix(REG + day, "")) {
            String d = Attr.str(i, "d");
            if (d != null) users.add(read(d, dev.tmserverless.core.stats.Registrations.User.class));
        }
        writeSummary(t, Json.write(dev.tmserverless.core.stats.Registrations.Day.of(users)), Map.of());
    }

    /** The registration totals of the days from {@code from} to {@code to} (inclusive): one Query. */
    public List<dev.tmserverless.core.stats.Registrations.Day> registrationDays(java.time.LocalDate from, java.time.LocalDate to) {
        List<dev.tmserverless.core.stats.Registrations.Day> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND sk BETWEEN :lo AND :hi")
                .expressionAttributeValues(Map.of(":p", Attr.s(REG_DAYS), ":lo", Attr.s(from.toString()),
                        ":hi", Attr.s(to.toString()))))
                .forEach(page -> page.items().forEach(i -> {
                    String d = Attr.str(i, "d");
                    if (d != null) out.add(read(d, dev.tmserverless.core.stats.Registrations.Day.class));
                }));
        return out;
    }

    /** Counts a registered user once: a marker item per user in one of {@value #USER_SHARDS} partitions. */
    public boolean markUserWriting(long userId) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(USERS + Math.floorMod(userId, USER_SHARDS), Long.toString(userId)));
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)")));
    }

    /** Recounts the markers of one shard (a consistent COUNT Query of small items). */
    public void recountUsersWriting(int shard) {
        Ticket t = ticket(Attr.key(USERS + "COUNT", "S#" + shard));
        long n = 0;
        for (var page : ddb.queryPaginator(b -> b.tableName(table).consistentRead(true).select("COUNT")
                .keyConditionExpression("pk = :p").expressionAttributeValues(Map.of(":p", Attr.s(USERS + shard))))) {
            n += page.count();
        }
        writeSummary(t, Long.toString(n), Map.of("n", Attr.n(n)));
    }

    private long userCount() {
        long n = 0;
        for (var i : queryPrefix(USERS + "COUNT", "S#")) n += Attr.lng(i, "n", 0);
        return n;
    }

    // -------------------------------------------------------------------------------- system and organisations

    /**
     * Recomputes the system summary and every organisation's from the projects' roll-ups and the user count;
     * writes the organisation summaries that changed.
     */
    public void recomputeSystemWriting(Map<Long, String> orgNames) {
        Ticket t = ticket(Attr.key(SYS, SUM));
        SystemFigures before = t.previous() == null ? null : read(t.previous(), SystemFigures.class);
        List<Rollup> rollups = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :g")
                .expressionAttributeValues(Map.of(":g", Attr.s(ROLLUPS))))
                .forEach(page -> page.items().forEach(i -> rollups.add(read(Attr.str(i, "d"), Rollup.class))));
        SystemFigures figures = SystemFigures.compute(rollups.stream().map(StatsStore::view).toList(), userCount(), orgNames,
                java.time.Instant.now());
        // the summary keeps a digest of each organisation's figures, not their project lists: its size grows with
        // the organisations and lock holders, not with the projects (each organisation's own item has its list)
        Map<Long, String> digests = new java.util.TreeMap<>();
        figures.orgs.forEach((org, o) -> digests.put(org, digest(Json.write(o))));
        SystemFigures summary = Json.MAPPER.convertValue(figures, SystemFigures.class);
        summary.orgs = new java.util.TreeMap<>();
        summary.orgDigests = digests;
        if (!writeSummary(t, Json.write(summary), Map.of())) return;
        writeHome(t, summary);
        // the popular projects get a small item of their own: their route reads it, not the whole summary
        Map<String, AttributeValue> pop = new HashMap<>(Attr.key(SYS, POPULAR));
        pop.put("ids", AttributeValue.fromL(figures.popular.stream().map(Attr::n).toList()));
        pop.put("w", Attr.n(t.number()));
        Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(pop)
                .conditionExpression("attribute_not_exists(w) OR w < :t")
                .expressionAttributeValues(Map.of(":t", Attr.n(t.number())))));
        // likewise each country's projects, for the country filter of the task statistics
        Map<String, java.util.SortedSet<Long>> byCountry = new java.util.TreeMap<>();
        for (Rollup r : rollups) {
            if (r.countries != null) r.countries.forEach(c -> byCountry.computeIfAbsent(c, k -> new java.util.TreeSet<>()).add(r.p));
        }
        Map<String, AttributeValue> countries = new HashMap<>(Attr.key(SYS, COUNTRIES));
        countries.put("d", Attr.s(Json.write(byCountry)));
        countries.put("w", Attr.n(t.number()));
        Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(countries)
                .conditionExpression("attribute_not_exists(w) OR w < :t")
                .expressionAttributeValues(Map.of(":t", Attr.n(t.number())))));
        // each organisation whose figures changed (or that lost its last project) gets its summary written
        java.util.Set<Long> orgs = new java.util.TreeSet<>(digests.keySet());
        if (before != null) {
            orgs.addAll(before.orgDigests.keySet());
            orgs.addAll(before.orgs.keySet()); // a summary written before the digests
        }
        for (long org : orgs) {
            String was = before == null ? null : before.orgDigests.get(org);
            if (was != null && was.equals(digests.get(org))) continue;
            SystemFigures.OrgFigures now = figures.orgs.getOrDefault(org, new SystemFigures.OrgFigures());
            Ticket ot = ticket(Attr.key(O + org, SUM));
            writeCompressedSummary(ot, Json.write(now));
        }
    }

    /** SHA-256 of a text, hex (what tells an organisation's figures changed). */
    static String digest(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The home page's figures without the organisations' project lists (a small item, so the home page reads one
     * GetItem), written under the same ticket as the system summary.
     */
    private void writeHome(Ticket t, SystemFigures figures) {
        SystemFigures home = Json.MAPPER.convertValue(figures, SystemFigures.class);
        home.orgs = new java.util.TreeMap<>();
        home.orgDigests = new java.util.TreeMap<>();
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(SYS, HOME));
        item.put("d", Attr.s(Json.write(home)));
        item.put("w", Attr.n(t.number()));
        Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(w) OR w < :t")
                .expressionAttributeValues(Map.of(":t", Attr.n(t.number())))));
    }

    /** The home page's figures (current lock holders included): one GetItem. */
    public Optional<SystemFigures> home() {
        return summary(Attr.key(SYS, HOME), SystemFigures.class);
    }

    private static SystemFigures.ProjectView view(Rollup r) {
        return new SystemFigures.ProjectView(r.p, r.org, r.status, r.created, r.lastUpdated, r.aoiArea, r.totalTasks,
                r.tasksMapped, r.tasksValidated, r.tasksBadImagery, r.statuses, r.validators, r.mappedArea, r.validatedArea,
                r.lockDays, r.locks);
    }

    /** The most popular projects, most first, as the last system recomputation ranked them (one small GetItem). */
    public List<Long> popular() {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(SYS, POPULAR))).item();
        if (item == null || !item.containsKey("ids")) return List.of();
        return item.get("ids").l().stream().map(v -> Long.parseLong(v.n())).toList();
    }

    /**
     * The projects with a country whose name contains {@code fragment}, any case (the reference's ILIKE
     * {@code %country%}), as the last system recomputation saw them: one GetItem.
     */
    public Set<Long> projectsInCountry(String fragment) {
        Set<Long> out = new java.util.TreeSet<>();
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(SYS, COUNTRIES))).item();
        String d = item == null ? null : Attr.str(item, "d");
        if (d == null) return out;
        String needle = fragment.toLowerCase(java.util.Locale.ROOT);
        Map<String, List<Long>> byCountry = read(d, new com.fasterxml.jackson.core.type.TypeReference<>() {});
        byCountry.forEach((c, ids) -> {
            if (c.toLowerCase(java.util.Locale.ROOT).contains(needle)) out.addAll(ids);
        });
        return out;
    }

    public Optional<SystemFigures> system() {
        return summary(Attr.key(SYS, SUM), SystemFigures.class);
    }

    public Optional<SystemFigures.OrgFigures> organisation(long orgId) {
        return summary(Attr.key(O + orgId, SUM), SystemFigures.OrgFigures.class);
    }

    /** Several organisations' summaries in one BatchGetItem (missing ones left out). */
    public Map<Long, SystemFigures.OrgFigures> organisations(java.util.Collection<Long> orgIds) {
        Map<Long, SystemFigures.OrgFigures> out = new java.util.TreeMap<>();
        if (orgIds.isEmpty()) return out;
        List<Map<String, AttributeValue>> keys = orgIds.stream().distinct().map(id -> Attr.key(O + id, SUM)).toList();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            String d = summaryText(item);
            if (d != null) out.put(Long.parseLong(Attr.str(item, "pk").substring(O.length())), read(d, SystemFigures.OrgFigures.class));
        }
        return out;
    }

    // --------------------------------------------------------------------------------------------- task stats

    /** One project's MAPPED, VALIDATED and BADIMAGERY state changes on one day. */
    public record TaskDay(String date, long projectId, long org, int mapped, int validated, int badImagery) {}

    /** The daily task figures of every project between two days (inclusive): one Query per calendar month. */
    public List<TaskDay> taskDays(java.time.LocalDate from, java.time.LocalDate to) {
        List<TaskDay> out = new ArrayList<>();
        for (java.time.YearMonth m = java.time.YearMonth.from(from); !m.isAfter(java.time.YearMonth.from(to)); m = m.plusMonths(1)) {
            String lo = m.equals(java.time.YearMonth.from(from)) ? String.format("%02d", from.getDayOfMonth()) : "01";
            String hi = (m.equals(java.time.YearMonth.from(to)) ? String.format("%02d", to.getDayOfMonth()) : "31") + "#~";
            java.time.YearMonth month = m;
            ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND sk BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":p", Attr.s(TS + month), ":lo", Attr.s(lo), ":hi", Attr.s(hi))))
                    .forEach(page -> page.items().forEach(i -> {
                        String sk = Attr.str(i, "sk");
                        out.add(new TaskDay(month + "-" + sk.substring(0, 2), Long.parseLong(sk.substring(3)),
                                Attr.lng(i, "org", -1), (int) Attr.lng(i, "m", 0), (int) Attr.lng(i, "v", 0),
                                (int) Attr.lng(i, "b", 0)));
                    }));
        }
        return out;
    }

    /** Users holding a lock that has not expired: one lock slot per user, so a COUNT Query of the slots index. */
    public long mappersOnline(long nowMs) {
        long n = 0;
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").select("COUNT")
                .keyConditionExpression("gsi1pk = :l AND gsi1sk > :now")
                .expressionAttributeValues(Map.of(":l", Attr.s(Keys.LOCKS), ":now", Attr.s(Keys.lockExpiryBefore(nowMs)))))) {
            n += page.count();
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------- util

    private <T> Optional<T> summary(Map<String, AttributeValue> key, Class<T> type) {
        var item = ddb.getItem(b -> b.tableName(table).key(key)).item();
        String d = summaryText(item);
        return d == null ? Optional.empty() : Optional.of(read(d, type));
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(String json, com.fasterxml.jackson.core.type.TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pad(int taskId) { return String.format("%07d", taskId); }
}
