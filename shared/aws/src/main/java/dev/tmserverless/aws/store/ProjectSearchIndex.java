package dev.tmserverless.aws.store;

import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.search.ProjectSummary;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HashMap;
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
 * revision is newer; a deleted project's summary is a tombstone that removes it. Organisations (names, logos, managers) are re-read every {@link #ORG_REFRESH_MILLIS},
 * and at once when a project names one not held yet. The sweeper rewrites the snapshot every minute when
 * something changed ({@link #writeSnapshot}).
 *
 * <p>Each {@link Snapshot} keeps, per order a search asked for, every project in that order; the next snapshot
 * derives those orders from the previous ones by taking out the projects that changed and merging them back in,
 * so a search after a change filters a ready order instead of sorting its matches.
 */
@Singleton
public class ProjectSearchIndex {
    /**
     * A project as search holds it: its summary, its counters, whether it is featured, when its summary last
     * changed, each text's name in lower case, the locales it has text in (as bits of {@link #localeBit}), and its
     * map point as GeoJSON text (null without a centroid), written once instead of at every search.
     */
    public record Entry(ProjectSummary summary, ProjectCounters counters, long rev, boolean featured, long changedAt,
                        int contributors, String[] lowerNames, long localeMask, long dueMillis, String mapFeature) {}

    /** A project with its organisation, as one search reads it. */
    public record Row(Entry entry, Organisation org) {
        public ProjectSummary summary() { return entry.summary(); }

        public long id() { return entry.summary().id(); }
    }

    /**
     * What one search reads: every project (by id), the organisations by id, and the orders searches asked for so
     * far. Immutable once published, except that an order is added the first time one is asked for.
     */
    public static final class Snapshot {
        private final Row[] rows;
        private final Map<Long, Organisation> orgs;
        private final Map<Long, String> campaigns;
        private final ConcurrentHashMap<String, Ordered> orders = new ConcurrentHashMap<>();
        private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();
        private final long serial = SERIALS.incrementAndGet();
        /**
         * How this snapshot was derived from the ones before it, oldest first, up to {@link #HISTORY} derivations
         * back (empty for one built whole): each snapshot's number and the ids that changed or left after it.
         */
        private List<Derivation> history = List.of();
        static final int HISTORY = 32;

        private record Derivation(long from, Set<Long> removed) {}

        /**
         * The projects that changed from the snapshot numbered {@code from} to this one: {@code removed} every id
         * that changed or left, {@code changed} the rows of those still present, as they are now.
         */
        public record Step(long from, List<Row> changed, Set<Long> removed) {}

        private record Ordered(Comparator<Row> cmp, Row[] rows) {}

        Snapshot(Row[] byId, Map<Long, Organisation> orgs, Map<Long, String> campaigns) {
            this.rows = byId;
            this.orgs = orgs;
            this.campaigns = campaigns;
        }

        /** Every project, by id ascending (do not modify). */
        public Row[] rows() { return rows; }

        public Map<Long, Organisation> orgs() { return orgs; }

        /** Every campaign's name by id. */
        public Map<Long, String> campaigns() { return campaigns; }

        public int size() { return rows.length; }

        /**
         * What changed since {@code before}, if this snapshot was derived from it (directly or through at most
         * {@link #HISTORY} derivations); else null.
         */
        public Step stepFrom(Snapshot before) {
            if (before == null) return null;
            List<Derivation> h = history;
            int from = -1;
            for (int i = 0; i < h.size(); i++) if (h.get(i).from() == before.serial) from = i;
            if (from < 0) return null;
            Set<Long> removed = new HashSet<>();
            for (int i = from; i < h.size(); i++) removed.addAll(h.get(i).removed());
            List<Row> changed = new ArrayList<>();
            for (long id : removed) {
                Row r = row(id);
                if (r != null) changed.add(r);
            }
            return new Step(before.serial, changed, removed);
        }

        /** The project with this id, or null. */
        public Row row(long id) {
            int lo = 0, hi = rows.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long m = rows[mid].id();
                if (m < id) lo = mid + 1;
                else if (m > id) hi = mid - 1;
                else return rows[mid];
            }
            return null;
        }

        /**
         * Every project in the order {@code cmp} (a total order: ties must be broken by id), computed once per
         * snapshot under {@code key} and derived from the previous snapshot's after a change (do not modify).
         */
        public Row[] ordered(String key, Comparator<Row> cmp) {
            return orders.computeIfAbsent(key, k -> {
                Row[] copy = rows.clone();
                Arrays.sort(copy, cmp);
                return new Ordered(cmp, copy);
            }).rows();
        }

        /** The next snapshot: {@code changed} replace or join the rows, {@code gone} ids leave; orders carried over. */
        Snapshot derive(List<Row> changed, Set<Long> gone) {
            Comparator<Row> byId = Comparator.comparingLong(Row::id);
            Snapshot next = new Snapshot(merge(rows, gone, changed, byId), orgs, campaigns);
            List<Derivation> h = new ArrayList<>(history.subList(Math.max(0, history.size() - HISTORY + 1), history.size()));
            h.add(new Derivation(serial, Set.copyOf(gone)));
            next.history = List.copyOf(h);
            orders.forEach((k, o) -> next.orders.put(k, new Ordered(o.cmp(), merge(o.rows(), gone, changed, o.cmp()))));
            return next;
        }

        /** {@code sorted} without the {@code gone} ids, merged with {@code added} in the order {@code cmp}. */
        public static Row[] merge(Row[] sorted, Set<Long> gone, List<Row> added, Comparator<Row> cmp) {
            Row[] add = added.toArray(Row[]::new);
            Arrays.sort(add, cmp);
            Row[] out = new Row[sorted.length + add.length];
            int n = 0, j = 0;
            for (Row r : sorted) {
                if (gone.contains(r.id())) continue;
                while (j < add.length && cmp.compare(add[j], r) < 0) out[n++] = add[j++];
                out[n++] = r;
            }
            while (j < add.length) out[n++] = add[j++];
            return n == out.length ? out : Arrays.copyOf(out, n);
        }
    }

    public static final String SNAPSHOT_KEY = "search/projects-v" + ProjectSummary.VERSION + ".b" + SummaryCodec.LAYOUT + ".gz";
    private static final int SNAPSHOT_MAGIC = 0x544d5349; // "TMSI"
    /** How far back a refresh looks before the newest change it has seen: clock skew between writers, index lag. */
    static final long MARGIN_MILLIS = 10_000;
    static final long ORG_REFRESH_MILLIS = 30_000;

    /** Locale tags as bits, for the "caller's language or English" test of every search; the last bit: any other. */
    private static final ConcurrentHashMap<String, Integer> LOCALE_BITS = new ConcurrentHashMap<>();
    public static final long OTHER_LOCALES = 1L << 63;

    /** The bit of a (lower-case) locale tag; {@link #OTHER_LOCALES} once 63 tags have bits. */
    public static long localeBit(String lowerLocale) {
        Integer b = LOCALE_BITS.get(lowerLocale);
        if (b == null) {
            synchronized (LOCALE_BITS) {
                b = LOCALE_BITS.get(lowerLocale);
                if (b == null) {
                    b = LOCALE_BITS.size() < 63 ? LOCALE_BITS.size() : 63;
                    if (b < 63) LOCALE_BITS.put(lowerLocale, b);
                }
            }
        }
        return 1L << b;
    }

    private final DynamoDbClient ddb;
    private final String table;
    private final OrgStore orgStore;
    private final CampaignStore campaignStore;
    private final BlobStore blobs;
    private final long refreshMillis;
    private final long staleMillis;

    private final Map<Long, Entry> byId = new HashMap<>();
    private long newestChange = -1;
    private long snapshotUpTo = -1;
    /** When the last completed refresh started: the held data is as of then. */
    private volatile long checkedAt;
    private long orgsAt;
    private Map<Long, Organisation> orgs = Map.of();
    private Map<Long, String> campaigns = Map.of();
    private volatile Snapshot snapshot;
    /** Ids changed or removed since {@link #snapshot} was published. */
    private final Set<Long> pending = new HashSet<>();
    private final Object refreshLock = new Object();
    /** The refresh under way, or the last one (guarded by {@link #refreshLock}). */
    private CompletableFuture<Snapshot> refreshing;

    public ProjectSearchIndex(DynamoDbClient ddb, TmConfig config, OrgStore orgStore, CampaignStore campaignStore,
                              BlobStore blobs) {
        this.ddb = ddb;
        this.table = config.table();
        this.orgStore = orgStore;
        this.campaignStore = campaignStore;
        this.blobs = blobs;
        this.refreshMillis = config.get("TM_SEARCH_REFRESH_MS").map(Long::parseLong).orElse(1000L);
        this.staleMillis = config.get("TM_SEARCH_STALE_MS").map(Long::parseLong).orElse(3 * refreshMillis);
    }

    /** The index, brought up to date first if the refresh interval has passed. */
    public synchronized Snapshot current() {
        long now = System.currentTimeMillis();
        boolean cold = snapshot == null;
        if (cold) readSnapshot();
        if (cold || now - checkedAt >= refreshMillis) {
            load(newestChange < 0 ? null : Keys.searchSortAfter(newestChange - MARGIN_MILLIS));
            checkedAt = now;
        }
        // a project of an organisation or in a campaign not held yet (a new one) brings their refresh forward
        boolean unknownOrg = false;
        for (long id : pending) {
            Entry e = byId.get(id);
            if (e == null) continue;
            if (!orgs.containsKey(e.summary().organisationId())) unknownOrg = true;
            for (long c : e.summary().campaigns()) if (!campaigns.containsKey(c)) unknownOrg = true;
        }
        boolean orgsChanged = false;
        if (cold || unknownOrg || now - orgsAt >= ORG_REFRESH_MILLIS || orgsAt > now) {
            Map<Long, Organisation> o = new HashMap<>();
            for (Organisation org : orgStore.all()) o.put(org.id(), org);
            Map<Long, String> c = new HashMap<>();
            for (CampaignStore.Campaign camp : campaignStore.all()) c.put(camp.id(), camp.name());
            orgsChanged = !o.equals(orgs) || !c.equals(campaigns);
            if (orgsChanged) {
                orgs = Map.copyOf(o);
                campaigns = Map.copyOf(c);
            }
            orgsAt = now;
        }
        if (cold || orgsChanged) {
            Row[] rows = byId.values().stream().map(this::row).sorted(Comparator.comparingLong(Row::id)).toArray(Row[]::new);
            snapshot = new Snapshot(rows, orgs, campaigns);
        } else if (!pending.isEmpty()) {
            List<Row> changed = new ArrayList<>();
            for (long id : pending) {
                Entry e = byId.get(id);
                if (e != null) changed.add(row(e));
            }
            snapshot = snapshot.derive(changed, pending);
        }
        pending.clear();
        return snapshot;
    }

    /**
     * The index as {@link #current()} makes it, without waiting when no refresh is due: a search may then work on
     * {@link #held()} while the refresh runs and redo its work only if the refresh changed something.
     */
    public CompletableFuture<Snapshot> currentAsync() {
        Snapshot s = snapshot;
        if (s == null || refreshMillis <= 0) return CompletableFuture.completedFuture(current());
        // without the index's lock: a refresh under way holds it for as long as its Queries take
        if (System.currentTimeMillis() - checkedAt < refreshMillis) return CompletableFuture.completedFuture(s);
        synchronized (refreshLock) {
            if (refreshing == null || refreshing.isDone()) {
                CompletableFuture<Snapshot> f = new CompletableFuture<>();
                refreshing = f;
                Thread.ofVirtual().start(() -> {
                    try {
                        f.complete(current());
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }
            return refreshing;
        }
    }

    /** The snapshot held now, possibly a refresh behind; null before the first load. */
    public Snapshot held() { return snapshot; }

    /**
     * The held snapshot if its data is at most {@link #staleMillis} old (the refresh it came from started that
     * recently), else null. A search answers from it without waiting for a refresh under way, so a busy instance
     * never waits for the table while a quiet one, whose snapshot is older, always does.
     */
    public Snapshot heldIfRecent() {
        Snapshot s = snapshot;
        return s != null && refreshMillis > 0 && System.currentTimeMillis() - checkedAt <= staleMillis ? s : null;
    }

    private Row row(Entry e) { return new Row(e, orgs.get(e.summary().organisationId())); }

    /** Forgets the held index: the next search loads it again (tests, and the bench's cold start). */
    public synchronized void reset() {
        byId.clear();
        pending.clear();
        newestChange = -1;
        snapshotUpTo = -1;
        snapshot = null;
        orgsAt = 0;
        orgs = Map.of();
        campaigns = Map.of();
    }

    /**
     * Brings the index up to date and, if anything changed since the snapshot this instance last read or wrote,
     * writes a new snapshot. Returns the number of projects written, or -1 when nothing changed.
     */
    public synchronized int writeSnapshot() {
        checkedAt = 0;
        current();
        if (newestChange <= snapshotUpTo) return -1;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(new GZIPOutputStream(bytes), 1 << 16))) {
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeLong(newestChange);
            out.writeInt(byId.size());
            for (Entry e : byId.values()) {
                ProjectCounters c = e.counters();
                out.writeLong(e.rev());
                out.writeLong(c.totalTasks());
                out.writeLong(c.tasksMapped());
                out.writeLong(c.tasksValidated());
                out.writeLong(c.tasksBadImagery());
                out.writeBoolean(e.featured());
                out.writeLong(e.changedAt());
                out.writeInt(e.contributors());
                SummaryCodec.write(out, e.summary());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        blobs.putBytes(SNAPSHOT_KEY, bytes.toByteArray(), "application/gzip");
        snapshotUpTo = newestChange;
        return byId.size();
    }

    /** Loads the snapshot, if there is one. */
    private void readSnapshot() {
        var bytes = blobs.getBytes(SNAPSHOT_KEY);
        if (bytes.isEmpty()) return;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                new GZIPInputStream(new ByteArrayInputStream(bytes.get()), 1 << 16), 1 << 16))) {
            if (in.readInt() != SNAPSHOT_MAGIC) return;
            long upTo = in.readLong();
            int n = in.readInt();
            Map<String, String> shared = SummaryCodec.sharedStrings();
            for (int i = 0; i < n; i++) {
                long rev = in.readLong();
                ProjectCounters c = new ProjectCounters(in.readLong(), in.readLong(), in.readLong(), in.readLong());
                boolean featured = in.readBoolean();
                long changedAt = in.readLong();
                int contributors = in.readInt();
                ProjectSummary s = SummaryCodec.read(in, shared);
                if (s.v() != ProjectSummary.VERSION) continue;
                Entry held = byId.get(s.id());
                if (held != null && held.rev() >= rev) continue;
                byId.put(s.id(), entry(s, c, rev, featured, changedAt, contributors));
            }
            newestChange = Math.max(newestChange, upTo);
            snapshotUpTo = newestChange;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Reads every shard's summaries written after {@code after} (all when null). */
    private void load(String after) {
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
        for (var items : pages) {
            for (var item : items) apply(item);
        }
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

    private void apply(Map<String, AttributeValue> item) {
        String sk = Attr.str(item, "gsi1sk");
        long changedAt = Long.parseLong(sk.substring(0, sk.indexOf('#')));
        newestChange = Math.max(newestChange, changedAt);
        long id = Long.parseLong(Attr.str(item, "pk").substring("PROJECT#".length()));
        long rev = Attr.lng(item, "rev", 0);
        Entry held = byId.get(id);
        if (held != null && held.rev() >= rev) return;
        if (item.containsKey(SearchSummaries.GONE)) {
            // a deleted project: its tombstone outranks every summary written before it
            if (held != null) {
                byId.remove(id);
                pending.add(id);
            }
            return;
        }
        ProjectSummary s = item.containsKey("s") ? SearchSummaries.decode(item.get("s")) : null;
        if (s == null) return;
        // campaigns and interests are kept beside the settings' summary, by the links' own writes
        s = s.withTags(SearchSummaries.ids(item, SearchSummaries.CAMPAIGNS), SearchSummaries.ids(item, SearchSummaries.INTERESTS));
        int contributors = (int) Attr.lng(item, SearchSummaries.CONTRIBUTORS, 0);
        ProjectCounters c = new ProjectCounters(Attr.lng(item, "tt", 0), Attr.lng(item, "tm", 0),
                Attr.lng(item, "tv", 0), Attr.lng(item, "tb", 0));
        boolean featured = item.containsKey("ft") && Boolean.TRUE.equals(item.get("ft").bool());
        byId.put(id, entry(s, c, rev, featured, changedAt, contributors));
        pending.add(id);
    }

    static Entry entry(ProjectSummary s, ProjectCounters c, long rev, boolean featured, long changedAt, int contributors) {
        String[] names = new String[s.texts().size()];
        long mask = 0;
        for (int i = 0; i < names.length; i++) {
            names[i] = s.texts().get(i).name().toLowerCase(Locale.ROOT);
            mask |= localeBit(s.texts().get(i).locale().toLowerCase(Locale.ROOT));
        }
        String feature = s.centroid() == null ? null
                : "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + s.centroid()[0] + ","
                + s.centroid()[1] + "]},\"properties\":{\"projectId\":" + s.id() + ",\"priority\":"
                + Json.write(s.priority()) + "}}";
        return new Entry(s, c, rev, featured, changedAt, contributors, names, mask, dueMillis(s.dueDate()), feature);
    }

    /** A due date as milliseconds; none (or unreadable) is {@code Long.MAX_VALUE}, SQL's NULL in an order. */
    public static long dueMillis(String due) {
        if (due == null || due.isBlank()) return Long.MAX_VALUE;
        try {
            return java.time.Instant.parse(due).toEpochMilli();
        } catch (RuntimeException e) {
            try {
                return java.time.LocalDateTime.parse(due).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            } catch (RuntimeException e2) {
                return Long.MAX_VALUE;
            }
        }
    }
}
