package dev.tmserverless.emulators;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the ohsomeNow statistics API's {@code GET /stats/user?userId&topics[&startdate&enddate&hashtag]}
 * (HTTP Basic token, as the Tasking Manager calls it). It answers ohsome's envelope
 * {@code {"query":{"timespan":{"startDate","endDate"},"hashtag"},"metadata":{"executionTime","requestUrl"},
 * "result":{"userId","topics":{<topic>:{"added","modified":{"count_modified","unit_more","unit_less"},"deleted",
 * "value","unit"}}}}} for every asked topic: the figures given with {@link #addStats}, zeros otherwise. An unknown
 * topic or a missing userId is 400, a wrong token 401. Faults ({@link Client#fail}) are scoped to one token.
 */
public final class OhsomeStandIn implements AutoCloseable {
    /** The topics the stand-in knows, with their unit (length topics in km, the others counted). */
    public static final Map<String, String> TOPICS = Map.of("building", "x", "highway", "km", "waterway", "km",
            "poi", "x", "healthcare", "x", "education", "x", "amenity", "x", "place", "x");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user's figures for one topic: ohsome's {@code value} is what the edits add up to (km or count). */
    public record TopicStats(long added, long modified, long deleted, double value, double unitMore, double unitLess) {}

    /** A failure to answer with instead of the real one. */
    public record Fault(int status, String contentType, String body, boolean hangs) {
        /** An error status with an ohsome-like JSON body. */
        public static Fault status(int status) {
            return new Fault(status, "application/json", "{\"status\":" + status
                    + ",\"message\":\"injected by the ohsome stand-in\"}", false);
        }

        /** A 200 whose body is not JSON. */
        public static Fault notJson() {
            return new Fault(200, "text/html", "<html><body>Bad Gateway</body></html>", false);
        }

        /** No answer at all until the stand-in closes or the fault is cleared (the caller's deadline decides). */
        public static Fault hang() {
            return new Fault(0, null, null, true);
        }
    }

    /** One API token the stand-in accepts, with its fault. */
    public static final class Client {
        private final String token;
        private volatile Fault fault;
        private volatile CountDownLatch release = new CountDownLatch(1);

        private Client(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        public void fail(Fault f) {
            fault = f;
        }

        public void clearFaults() {
            fault = null;
            release.countDown();
            release = new CountDownLatch(1);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUrl;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, TopicStats>> stats = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private OhsomeStandIn(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api");
    }

    /** Starts the stand-in on 127.0.0.1 and a free port. */
    public static OhsomeStandIn start() {
        LoopbackServer loopback = LoopbackServer.create();
        OhsomeStandIn standIn = new OhsomeStandIn(loopback.server(), loopback.executor());
        loopback.server().createContext("/", standIn::handle);
        loopback.server().start();
        return standIn;
    }

    /** The API base, as {@code https://stats.now.ohsome.org/api} is for the real one. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** Accepts {@code token} from now on (sent as {@code Authorization: Basic <token>}). */
    public Client registerToken(String token) {
        return clients.computeIfAbsent(token, Client::new);
    }

    /** Sets what ohsome knows of OSM user {@code userId} for {@code topic}. */
    public void addStats(long userId, String topic, TopicStats figures) {
        stats.computeIfAbsent(userId, k -> new ConcurrentHashMap<>()).put(topic, figures);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!ex.getRequestMethod().equals("GET") || !path.equals("/api/stats/user")) {
                reply(ex, 404, error(404, "No endpoint " + ex.getRequestMethod() + " " + path));
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Client client = auth != null && auth.startsWith("Basic ") ? clients.get(auth.substring(6).trim()) : null;
            if (client == null) {
                reply(ex, 401, error(401, "Unauthorized"));
                return;
            }
            Fault fault = client.fault;
            if (fault != null) {
                if (fault.hangs()) {
                    CountDownLatch released = client.release;
                    try {
                        // held until the fault is cleared or the stand-in closes; bounded so no thread lingers
                        while (!released.await(50, TimeUnit.MILLISECONDS) && closing.getCount() > 0 && client.fault == fault) {
                            // keep holding
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                byte[] bytes = fault.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", fault.contentType());
                ex.sendResponseHeaders(fault.status(), bytes.length);
                ex.getResponseBody().write(bytes);
                return;
            }
            stats(ex);
        }
    }

    private void stats(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        String userId = q.get("userId");
        String topics = q.get("topics");
        if (userId == null || !userId.matches("\\d{1,18}")) {
            reply(ex, 400, error(400, "userId must be a positive integer"));
            return;
        }
        if (topics == null || topics.isBlank()) {
            reply(ex, 400, error(400, "topics is required"));
            return;
        }
        Set<String> unknown = new java.util.TreeSet<>();
        for (String t : topics.split(",")) if (!TOPICS.containsKey(t.trim())) unknown.add(t.trim());
        if (!unknown.isEmpty()) {
            reply(ex, 400, error(400, "Unknown topic(s): " + String.join(",", unknown)));
            return;
        }
        for (String d : new String[] {q.get("startdate"), q.get("enddate")}) {
            if (d != null && !d.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")) {
                reply(ex, 400, error(400, "Dates must be ISO-8601 instants, got " + d));
                return;
            }
        }
        long id = Long.parseLong(userId);
        Map<String, TopicStats> known = stats.getOrDefault(id, Map.of());
        ObjectNode out = JSON.createObjectNode();
        ObjectNode query = out.putObject("query");
        query.putObject("timespan").put("startDate", q.getOrDefault("startdate", "2009-04-21T22:02:04Z"))
                .put("endDate", q.getOrDefault("enddate", "2026-01-01T00:00:00Z"));
        query.put("hashtag", q.get("hashtag"));
        out.putObject("metadata").put("executionTime", 3).put("requestUrl", ex.getRequestURI().toString());
        ObjectNode result = out.putObject("result");
        result.put("userId", id);
        ObjectNode byTopic = result.putObject("topics");
        for (String t : topics.split(",")) {
            String topic = t.trim();
            TopicStats s = known.getOrDefault(topic, new TopicStats(0, 0, 0, 0, 0, 0));
            ObjectNode node = byTopic.putObject(topic);
            node.put("added", s.added());
            node.putObject("modified").put("count_modified", s.modified()).put("unit_more", s.unitMore())
                    .put("unit_less", s.unitLess());
            node.put("deleted", s.deleted());
            node.put("value", s.value());
            node.put("unit", TOPICS.get(topic));
        }
        reply(ex, 200, out);
    }

    private static ObjectNode error(int status, String message) {
        return JSON.createObjectNode().put("status", status).put("message", message);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) return out;
        for (String kv : raw.split("&")) {
            String[] p = kv.split("=", 2);
            out.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
        LoopbackServer.reply(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
