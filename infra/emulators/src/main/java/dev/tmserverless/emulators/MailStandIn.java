package dev.tmserverless.emulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;

/**
 * The local stand-in for Amazon SES: it answers the SES v2 {@code SendEmail} call
 * ({@code POST /v2/email/outbound-emails}) that the functions make through the SDK, keeps every message, and
 * shows them over HTTP: {@code GET /messages} (newest last; {@code ?to=<address>} keeps those sent to it) and
 * {@code DELETE /messages}. Signatures are not checked.
 */
public final class MailStandIn implements AutoCloseable {
    /** One sent message as the stand-in kept it. */
    public record Mail(String id, String from, List<String> to, String subject, String text, String html, String at) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUrl;
    private final List<Mail> mails = new CopyOnWriteArrayList<>();

    private MailStandIn(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts the stand-in on 127.0.0.1 and a free port. */
    public static MailStandIn start() {
        LoopbackServer loopback = LoopbackServer.create();
        MailStandIn standIn = new MailStandIn(loopback.server(), loopback.executor());
        loopback.server().createContext("/", standIn::handle);
        loopback.server().start();
        return standIn;
    }

    /** The endpoint the SES client is pointed at, and where {@code /messages} is read. */
    public URI baseUrl() { return baseUrl; }

    /** Every message sent to {@code address} (case-insensitive), oldest first. */
    public List<Mail> to(String address) {
        return mails.stream().filter(m -> m.to().stream().anyMatch(t -> t.equalsIgnoreCase(address))).toList();
    }

    public List<Mail> all() { return List.copyOf(mails); }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("POST") && path.equals("/v2/email/outbound-emails")) {
                send(ex);
            } else if (method.equals("GET") && path.equals("/messages")) {
                String to = query(ex, "to");
                ArrayNode out = JSON.createArrayNode();
                for (Mail m : to == null ? all() : to(to)) out.add(JSON.valueToTree(m));
                reply(ex, 200, out);
            } else if (method.equals("DELETE") && path.equals("/messages")) {
                mails.clear();
                reply(ex, 200, JSON.createObjectNode());
            } else {
                reply(ex, 404, JSON.createObjectNode().put("message", "no route " + method + " " + path));
            }
        }
    }

    private void send(HttpExchange ex) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(ex.getRequestBody());
        } catch (IOException e) {
            reply(ex, 400, JSON.createObjectNode().put("message", "body is not JSON"));
            return;
        }
        List<String> to = new ArrayList<>();
        body.path("Destination").path("ToAddresses").forEach(a -> to.add(a.asText()));
        JsonNode simple = body.path("Content").path("Simple");
        if (to.isEmpty() || simple.isMissingNode()) {
            reply(ex, 400, JSON.createObjectNode().put("message", "Destination.ToAddresses and Content.Simple are required"));
            return;
        }
        Mail m = new Mail(UUID.randomUUID().toString(), body.path("FromEmailAddress").asText(null), List.copyOf(to),
                simple.path("Subject").path("Data").asText(null), simple.path("Body").path("Text").path("Data").asText(null),
                simple.path("Body").path("Html").path("Data").asText(null), Instant.now().toString());
        mails.add(m);
        ObjectNode out = JSON.createObjectNode().put("MessageId", m.id());
        reply(ex, 200, out);
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            String[] p = kv.split("=", 2);
            if (p[0].equals(name)) return p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "";
        }
        return null;
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        LoopbackServer.reply(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
