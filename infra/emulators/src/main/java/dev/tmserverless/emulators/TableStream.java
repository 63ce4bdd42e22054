package dev.tmserverless.emulators;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tmserverless.core.catalogue.Resources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * DynamoDB Streams for dynalite, which has none: an HTTP proxy in front of dynalite through which functions and
 * tests reach the table. Reads pass straight through. Every PutItem, UpdateItem, DeleteItem and BatchWriteItem
 * takes a lock per item key, reads the item before (consistent GetItem; a BatchWriteItem's items in one consistent
 * BatchGetItem), forwards the write, and when DynamoDB answered 200 reads the item after the same way and appends a
 * stream record with both images (NEW_AND_OLD_IMAGES), then lets the key go. So each table's records are in commit order for every key, as a stream shard gives them; a write
 * whose condition failed (400) adds nothing, and a write that changed nothing adds nothing, as in DynamoDB.
 * docs/statistics.md explains why the feed is emulated here and not in the SDK clients.
 *
 * <p>Records stay in memory as the stream's {@link Retention} says (a restarted local stack starts an empty
 * stream; the scheduled reconciliation repairs what it missed, as it does after a stream's 24-hour retention in
 * AWS). Consumers read with {@link StreamPoller}.
 */
public final class TableStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "http2-settings", "te", "trailer", "proxy-authorization");
    private static final int STRIPES = 1024;

    private final URI target;
    private final DynamoDbClient direct;
    private final java.util.function.BiPredicate<String, String> recorded;
    private final Retention retention;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Map<String, Log> logs = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong(100_000_000_000L);

    /**
     * What a table's stream keeps. DynamoDB keeps a stream's records for 24 hours whether read or not; a local
     * stack that lives for days and writes 100,000-task grids cannot keep every record in memory, so it drops the
     * records every registered reader has passed ({@code dropRead}). {@code maxRecords} caps what is kept even
     * unread, as the 24-hour expiry does: a reader that falls further behind loses the oldest records, and the
     * scheduled reconciliation repairs what they would have changed. {@link #KEEP_ALL} keeps everything (tests
     * that read a table's whole history).
     */
    public record Retention(boolean dropRead, int maxRecords) {
        public static final Retention KEEP_ALL = new Retention(false, Integer.MAX_VALUE);
        /** Keeps the records some registered reader has still to read (with no reader registered: all). */
        public static final Retention UNTIL_READ = new Retention(true, Integer.MAX_VALUE);

        public Retention {
            if (maxRecords < 1) throw new IllegalArgumentException("maxRecords must be positive");
        }
    }

    /** A read from a position whose records the log no longer keeps (DynamoDB's TrimmedDataAccessException). */
    public static final class TrimmedException extends IllegalStateException {
        public final int firstKept;

        TrimmedException(int from, int firstKept) {
            super("records from " + from + " to " + firstKept + " are no longer kept");
            this.firstKept = firstKept;
        }
    }

    /**
     * One table's records, in append order, read by absolute position ({@link StreamPoller}s register as readers).
     * Positions never move: a trimmed record's position is not reused.
     */
    public static final class Log {
        /** Trimming moves this many records at a time at least (an ArrayList prefix removal is a copy). */
        private static final int TRIM_CHUNK = 1_024;
        final String table;
        private final Retention retention;
        private final List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        private final Map<Object, Integer> readers = new HashMap<>();
        /** The position of {@code records.get(0)}. */
        private int base;

        Log(String table, Retention retention) {
            this.table = table;
            this.retention = retention;
        }

        /** The position after the last record appended (every record ever appended, kept or not). */
        public synchronized int size() { return base + records.size(); }

        /** How many records the log holds in memory now. */
        public synchronized int kept() { return records.size(); }

        /** Up to {@code max} records from position {@code from}; throws {@link TrimmedException} below the first kept. */
        public synchronized List<DynamodbEvent.DynamodbStreamRecord> read(int from, int max) {
            if (from < base) throw new TrimmedException(from, base);
            int start = Math.min(from - base, records.size());
            return List.copyOf(records.subList(start, (int) Math.min(records.size(), (long) start + max)));
        }

        synchronized void append(DynamodbEvent.DynamodbStreamRecord r) {
            records.add(r);
            int over = records.size() - retention.maxRecords();
            if (over >= Math.min(TRIM_CHUNK, retention.maxRecords())) drop(over);
            notifyAll();
        }

        /** Registers a reader at {@code position}: with {@link Retention#dropRead} nothing it has not read is dropped. */
        public synchronized void register(Object reader, int position) {
            readers.put(reader, position);
        }

        /** The reader has read everything before {@code position}. */
        public synchronized void advance(Object reader, int position) {
            readers.replace(reader, position);
            if (!retention.dropRead() || readers.isEmpty()) return;
            int slowest = Integer.MAX_VALUE;
            for (int p : readers.values()) slowest = Math.min(slowest, p);
            int readByAll = Math.min(slowest, size()) - base;
            if (readByAll >= TRIM_CHUNK || readByAll == records.size() && readByAll > 0) drop(readByAll);
        }

        public synchronized void unregister(Object reader) {
            readers.remove(reader);
        }

        private void drop(int n) {
            int k = Math.min(n, records.size());
            records.subList(0, k).clear();
            base += k;
        }

        /** Waits until the log holds records beyond {@code position}, or {@code millis} have passed. */
        public synchronized boolean awaitBeyond(int position, long millis) throws InterruptedException {
            long end = System.currentTimeMillis() + millis;
            while (size() <= position) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) return false;
                wait(left);
            }
            return true;
        }
    }

    private TableStream(URI target, DynamoDbClient direct, java.util.function.BiPredicate<String, String> recorded,
                        Retention retention) throws IOException {
        this.retention = retention;
        this.target = target;
        this.direct = direct;
        this.recorded = recorded;
        for (int i = 0; i < STRIPES; i++) stripes[i] = new ReentrantLock();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy in front of the DynamoDB endpoint {@code target}; {@code direct} is a client of that endpoint. */
    public static TableStream start(URI target, DynamoDbClient direct) {
        return start(target, direct, (pk, sk) -> true);
    }

    /**
     * As above, recording only the items whose key (partition, sort) {@code recorded} accepts: a consumer whose
     * event source mapping filters on keys (the catalogue's {@code TableFeed}) receives the same records, and
     * every other write passes straight through, without the two reads around it.
     */
    public static TableStream start(URI target, DynamoDbClient direct, java.util.function.BiPredicate<String, String> recorded) {
        return start(target, direct, recorded, Retention.KEEP_ALL);
    }

    /** As above, keeping records as {@code retention} says. */
    public static TableStream start(URI target, DynamoDbClient direct, java.util.function.BiPredicate<String, String> recorded,
                                    Retention retention) {
        try {
            return new TableStream(target, direct, recorded, retention);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The endpoint functions use instead of dynalite's (TM_AWS_ENDPOINT_DYNAMODB). */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The stream of a table (created empty on first use). */
    public Log log(String table) {
        return logs.computeIfAbsent(table, t -> new Log(t, retention));
    }

    /** The stream ARN a deployed record would carry, for a table of the local account. */
    public static String streamArn(String table) {
        return "arn:aws:dynamodb:" + Emulators.REGION + ":" + Emulators.ACCOUNT_ID + ":table/" + table
                + "/stream/local";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------ proxying

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String amzTarget = ex.getRequestHeaders().getFirst("X-Amz-Target");
            String op = amzTarget != null && amzTarget.startsWith(TARGET_PREFIX)
                    ? amzTarget.substring(TARGET_PREFIX.length()) : "";
            HttpResponse<byte[]> res = switch (op) {
                case "PutItem", "UpdateItem", "DeleteItem" -> single(ex, body);
                case "BatchWriteItem" -> batch(ex, body);
                default -> forward(ex, body);
            };
            res.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    ex.getResponseHeaders().put(name, values);
                }
            });
            ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(res.body());
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            ex.sendResponseHeaders(500, -1);
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().getRawPath()))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase())) values.forEach(v -> b.header(name, v));
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> single(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        JsonNode req = JSON.readTree(body);
        String table = req.path("TableName").asText();
        JsonNode keySource = req.has("Key") ? req.get("Key") : req.get("Item");
        Map<String, AttributeValue> key = key(keySource);
        if (key == null || !recorded(key)) return forward(ex, body);
        ReentrantLock lock = stripe(table, key);
        lock.lock();
        try {
            Map<String, AttributeValue> before = get(table, key);
            HttpResponse<byte[]> res = forward(ex, body);
            if (res.statusCode() == 200) record(table, key, before, get(table, key));
            return res;
        } finally {
            lock.unlock();
        }
    }

    private HttpResponse<byte[]> batch(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        JsonNode req = JSON.readTree(body);
        // every key of the call, per table, locked in one global order so that two batches never deadlock
        Map<String, List<Map<String, AttributeValue>>> keys = new LinkedHashMap<>();
        TreeSet<Integer> stripeNos = new TreeSet<>();
        req.path("RequestItems").fields().forEachRemaining(e -> {
            for (JsonNode w : e.getValue()) {
                JsonNode k = w.has("PutRequest") ? w.get("PutRequest").get("Item") : w.path("DeleteRequest").get("Key");
                Map<String, AttributeValue> key = key(k);
                if (key == null || !recorded(key)) continue;
                keys.computeIfAbsent(e.getKey(), t -> new ArrayList<>()).add(key);
                stripeNos.add(stripeNo(e.getKey(), key));
            }
        });
        for (int s : stripeNos) stripes[s].lock();
        try {
            Map<String, Map<Map<String, AttributeValue>, Map<String, AttributeValue>>> before = new HashMap<>();
            keys.forEach((table, ks) -> before.put(table, getAll(table, ks)));
            HttpResponse<byte[]> res = forward(ex, body);
            if (res.statusCode() != 200) return res;
            // items DynamoDB left unprocessed were not written
            Set<String> unprocessed = new java.util.HashSet<>();
            JSON.readTree(res.body()).path("UnprocessedItems").fields().forEachRemaining(e -> {
                for (JsonNode w : e.getValue()) {
                    JsonNode k = w.has("PutRequest") ? w.get("PutRequest").get("Item") : w.path("DeleteRequest").get("Key");
                    Map<String, AttributeValue> key = key(k);
                    if (key != null) unprocessed.add(e.getKey() + "\u0000" + key);
                }
            });
            keys.forEach((table, ks) -> {
                List<Map<String, AttributeValue>> written = ks.stream()
                        .filter(k -> !unprocessed.contains(table + "\u0000" + k)).toList();
                Map<Map<String, AttributeValue>, Map<String, AttributeValue>> after = getAll(table, written);
                for (Map<String, AttributeValue> k : written) record(table, k, before.get(table).get(k), after.get(k));
            });
            return res;
        } finally {
            for (int s : stripeNos.descendingSet()) stripes[s].unlock();
        }
    }

    private static Map<String, AttributeValue> key(JsonNode item) {
        if (item == null) return null;
        String pk = Resources.TABLE.partitionKey();
        String sk = Resources.TABLE.sortKey();
        if (!item.path(pk).has("S") || !item.path(sk).has("S")) return null;
        return Map.of(pk, AttributeValue.fromS(item.get(pk).get("S").asText()),
                sk, AttributeValue.fromS(item.get(sk).get("S").asText()));
    }

    private boolean recorded(Map<String, AttributeValue> key) {
        return recorded.test(key.get(Resources.TABLE.partitionKey()).s(), key.get(Resources.TABLE.sortKey()).s());
    }

    private int stripeNo(String table, Map<String, AttributeValue> key) {
        return Math.floorMod((table + "\u0000" + key).hashCode(), STRIPES);
    }

    private ReentrantLock stripe(String table, Map<String, AttributeValue> key) {
        return stripes[stripeNo(table, key)];
    }

    private Map<String, AttributeValue> get(String table, Map<String, AttributeValue> key) {
        var res = direct.getItem(b -> b.tableName(table).key(key).consistentRead(true));
        return res.hasItem() && !res.item().isEmpty() ? res.item() : null;
    }

    /** The items these keys name, by key, read consistently in BatchGetItem calls of 100 (an absent item: no entry). */
    private Map<Map<String, AttributeValue>, Map<String, AttributeValue>> getAll(String table, List<Map<String, AttributeValue>> keys) {
        String pk = Resources.TABLE.partitionKey();
        String sk = Resources.TABLE.sortKey();
        Map<Map<String, AttributeValue>, Map<String, AttributeValue>> out = new HashMap<>();
        for (int i = 0; i < keys.size(); i += 100) {
            Map<String, software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes> pending = Map.of(table,
                    software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder()
                            .keys(keys.subList(i, Math.min(keys.size(), i + 100))).consistentRead(true).build());
            while (!pending.isEmpty()) {
                var req = pending;
                var res = direct.batchGetItem(b -> b.requestItems(req));
                for (var item : res.responses().getOrDefault(table, List.of())) {
                    out.put(Map.of(pk, item.get(pk), sk, item.get(sk)), item);
                }
                pending = res.hasUnprocessedKeys() && !res.unprocessedKeys().isEmpty() ? res.unprocessedKeys() : Map.of();
            }
        }
        return out;
    }

    private void record(String table, Map<String, AttributeValue> key, Map<String, AttributeValue> before,
                        Map<String, AttributeValue> after) {
        if (before == null && after == null) return;
        if (before != null && before.equals(after)) return;
        StreamRecord sr = new StreamRecord();
        sr.setKeys(toEvent(key));
        if (before != null) sr.setOldImage(toEvent(before));
        if (after != null) sr.setNewImage(toEvent(after));
        String seq = Long.toString(sequence.incrementAndGet());
        sr.setSequenceNumber(seq);
        sr.setStreamViewType(com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
        sr.setApproximateCreationDateTime(new Date());
        sr.setSizeBytes((long) (String.valueOf(before).length() + String.valueOf(after).length()));
        DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
        r.setEventID(seq);
        r.setEventName(before == null ? "INSERT" : after == null ? "REMOVE" : "MODIFY");
        r.setEventSource("aws:dynamodb");
        r.setEventVersion("1.1");
        r.setAwsRegion(Emulators.REGION);
        r.setEventSourceARN(streamArn(table));
        r.setDynamodb(sr);
        log(table).append(r);
    }

    // ----------------------------------------------------------------------------------- attribute conversion

    /** SDK attribute values as the Lambda event model carries them. */
    public static Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> toEvent(
            Map<String, AttributeValue> item) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> out = new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, toEvent(v)));
        return out;
    }

    static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue toEvent(AttributeValue v) {
        var o = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        switch (v.type()) {
            case S -> o.setS(v.s());
            case N -> o.setN(v.n());
            case B -> o.setB(ByteBuffer.wrap(v.b().asByteArray()));
            case SS -> o.setSS(v.ss());
            case NS -> o.setNS(v.ns());
            case BS -> o.setBS(v.bs().stream().map(b -> ByteBuffer.wrap(b.asByteArray())).toList());
            case M -> o.setM(toEvent(v.m()));
            case L -> o.setL(v.l().stream().map(TableStream::toEvent).toList());
            case BOOL -> o.setBOOL(v.bool());
            case NUL -> o.setNULL(true);
            default -> throw new IllegalArgumentException("unknown attribute type " + v.type());
        }
        return o;
    }

}
