package dev.tmserverless.aws.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.search.ProjectSummary;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Every project's search summary, held in the function's memory between invocations (docs/search.md).
 *
 * <p>Loading: the snapshot object in the bucket ({@link #SNAPSHOT_KEY}, every summary as of its
 * {@code newestChange}), then the summaries written since (gsi1 is sorted by change time, one Query per
 * shard, in parallel). Without a snapshot, every shard is read whole. Afterwards, at most once per refresh
 * interval, one Query per shard asks only for the summaries written since the newest one seen (less a margin
 * for clock skew and index lag), which is usually nothing. A summary replaces the held one only if its
 * revision is newer. Organisations (names, logos, managers) are re-read every {@link #ORG_REFRESH_MILLIS},
 * and at once when a project names one not held yet. The sweeper rewrites the snapshot every minute when
 * something changed ({@link #writeSnapshot}).
 */
@Singleton
public class ProjectSearchIndex {
    /**
     * A project as search holds it: its summary, its counters, each text's name in lower case, and its map
     * point as GeoJSON text (null without a centroid), written once instead of at every search.
     */
    public record Entry(ProjectSummary summary, ProjectCounters counters, long rev, String[] lowerNames,
                        String mapFeature) {}

    /** What one search reads: the projects and the organisations, by id. */
    public record Snapshot(List<Entry> projects, Map<Long, Organisation> orgs) {}

    public static final String SNAPSHOT_KEY = "search/projects-v" + ProjectSummary.VERSION + ".json.gz";
    /** How far back a refresh looks before the newest change it has seen: clock skew between writers, index lag. */
    static final long MARGIN_MILLIS = 10_000;
    static final long ORG_REFRESH_MILLIS = 30_000;

    private final DynamoDbClient ddb;
    private final String table;
    private final OrgStore orgStore;
    private final BlobStore blobs;
    private final long refreshMillis;

    private final Map<Long, Entry> byId = new HashMap<>();
    private long newestChange = -1;
    private long snapshotUpTo = -1;
    private long checkedAt;
    private long orgsAt;
    private Map<Long, Organisation> orgs = Map.of();
    private volatile Snapshot snapshot;

    public ProjectSearchIndex(DynamoDbClient ddb, TmConfig config, OrgStore orgStore, BlobStore blobs) {
        this.ddb = ddb;
        this.table = config.table();
        this.orgStore = orgStore;
        this.blobs = blobs;
        this.refreshMillis = config.get("TM_SEARCH_REFRESH_MS").map(Long::parseLong).orElse(1000L);
    }

    /** The index, brought up to date first if the refresh interval has passed. */
    public synchronized Snapshot current() {
        long now = System.currentTimeMillis();
        boolean changed = false;
        if (snapshot == null) changed = readSnapshot();
        if (snapshot == null || now - checkedAt >= refreshMillis) {
            changed |= load(newestChange < 0 ? null : Keys.searchSortAfter(newestChange - MARGIN_MILLIS));
            checkedAt = now;
        }
        // a project of an organisation not held yet (a new one) brings the organisations' refresh forward
        boolean unknownOrg = changed && byId.values().stream().anyMatch(e -> !orgs.containsKey(e.summary().organisationId()));
        if (snapshot == null || unknownOrg || now - orgsAt >= ORG_REFRESH_MILLIS || orgsAt > now) {
            Map<Long, Organisation> o = new HashMap<>();
            for (Organisation org : orgStore.all()) o.put(org.id(), org);
            orgs = Map.copyOf(o);
            orgsAt = now;
            changed = true;
        }
        if (changed || snapshot == null) snapshot = new Snapshot(List.copyOf(byId.values()), orgs);
        return snapshot;
    }

    /** Forgets the held index: the next search loads it again (tests, and the bench's cold start). */
    public synchronized void reset() {
        byId.clear();
        newestChange = -1;
        snapshotUpTo = -1;
        snapshot = null;
        orgsAt = 0;
    }

    /**
     * Brings the index up to date and, if anything changed since the snapshot this instance last read or wrote,
     * writes a new snapshot. Returns the number of projects written, or -1 when nothing changed.
     */
    public synchronized int writeSnapshot() {
        checkedAt = 0;
        current();
        if (newestChange <= snapshotUpTo) return -1;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("newestChange", newestChange);
        List<Map<String, Object>> entries = new ArrayList<>(byId.size());
        for (Entry e : byId.values()) {
            ProjectCounters c = e.counters();
            entries.add(Map.of("rev", e.rev(), "c", List.of(c.totalTasks(), c.tasksMapped(), c.tasksValidated(),
                    c.tasksBadImagery()), "s", e.summary()));
        }
        doc.put("entries", entries);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            Json.MAPPER.writeValue(z, doc);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        blobs.putBytes(SNAPSHOT_KEY, out.toByteArray(), "application/gzip");
        snapshotUpTo = newestChange;
        return entries.size();
    }

    /** Loads the snapshot, if there is one; true if it held anything. */
    private boolean readSnapshot() {
        var bytes = blobs.getBytes(SNAPSHOT_KEY);
        if (bytes.isEmpty()) return false;
        try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(bytes.get()))) {
            JsonNode doc = Json.MAPPER.readTree(z);
            for (JsonNode n : doc.path("entries")) {
                ProjectSummary s = Json.MAPPER.treeToValue(n.get("s"), ProjectSummary.class);
                if (s.v() != ProjectSummary.VERSION) continue;
                JsonNode c = n.get("c");
                long rev = n.get("rev").asLong();
                Entry held = byId.get(s.id());
                if (held != null && held.rev() >= rev) continue;
                byId.put(s.id(), entry(s, new ProjectCounters(c.get(0).asLong(), c.get(1).asLong(), c.get(2).asLong(),
                        c.get(3).asLong()), rev));
            }
            newestChange = Math.max(newestChange, doc.path("newestChange").asLong(-1));
            snapshotUpTo = newestChange;
            return !byId.isEmpty();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Reads every shard's summaries written after {@code after} (all when null); true if any entry changed. */
    private boolean load(String after) {
        List<List<Map<String, AttributeValue>>> pages = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Map<String, AttributeValue>>>> fs = new ArrayList<>();
            for (int shard = 0; shard < Keys.SEARCH_SHARDS; shard++) {
                String pk = Keys.searchShardNo(shard);
                fs.add(pool.submit(() -> queryShard(pk, after)));
            }
            for (var f : fs) pages.add(f.get());
        } catch (Exception e) {
            throw new IllegalStateException("loading the search index failed", e);
        }
        boolean changed = false;
        for (var items : pages) {
            for (var item : items) changed |= apply(item);
        }
        return changed;
    }

    private List<Map<String, AttributeValue>> queryShard(String pk, String after) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var res = ddb.query(b -> {
                b.tableName(table).indexName("gsi1");
                if (after == null) {
                    b.keyConditionExpression("gsi1pk = :p").expressionAttributeValues(Map.of(":p", Attr.s(pk)));
                } else {
                    b.keyConditionExpression("gsi1pk = :p AND gsi1sk > :a")
                            .expressionAttributeValues(Map.of(":p", Attr.s(pk), ":a", Attr.s(after)));
                }
                if (from != null) b.exclusiveStartKey(from);
            });
            out.addAll(res.items());
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    private boolean apply(Map<String, AttributeValue> item) {
        String sk = Attr.str(item, "gsi1sk");
        long changedAt = Long.parseLong(sk.substring(0, sk.indexOf('#')));
        newestChange = Math.max(newestChange, changedAt);
        long id = Long.parseLong(Attr.str(item, "pk").substring("PROJECT#".length()));
        long rev = Attr.lng(item, "rev", 0);
        Entry held = byId.get(id);
        if (held != null && held.rev() >= rev) return false;
        ProjectSummary s = item.containsKey("s") ? SearchSummaries.decode(item.get("s")) : null;
        if (s == null) return false;
        ProjectCounters c = new ProjectCounters(Attr.lng(item, "tt", 0), Attr.lng(item, "tm", 0),
                Attr.lng(item, "tv", 0), Attr.lng(item, "tb", 0));
        byId.put(id, entry(s, c, rev));
        return true;
    }

    static Entry entry(ProjectSummary s, ProjectCounters c, long rev) {
        String[] names = new String[s.texts().size()];
        for (int i = 0; i < names.length; i++) names[i] = s.texts().get(i).name().toLowerCase(Locale.ROOT);
        String feature = s.centroid() == null ? null
                : "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + s.centroid()[0] + ","
                + s.centroid()[1] + "]},\"properties\":{\"projectId\":" + s.id() + ",\"priority\":"
                + Json.write(s.priority()) + "}}";
        return new Entry(s, c, rev, names, feature);
    }
}
