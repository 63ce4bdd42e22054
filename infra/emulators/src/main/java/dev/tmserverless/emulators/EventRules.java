package dev.tmserverless.emulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local EventBridge for the schedules' rules: it answers {@code AWSEvents.EnableRule},
 * {@code AWSEvents.DisableRule} and {@code AWSEvents.DescribeRule} (JSON 1.1 protocol, a POST naming the call in
 * {@code X-Amz-Target}) for the rules registered with it, and the local Scheduler asks it whether a rule is
 * enabled before firing it. A rule not registered is a {@code ResourceNotFoundException}, as deployed.
 * Signatures are not checked.
 */
public final class EventRules implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoopbackServer loopback;
    private final URI endpoint;
    private final Map<String, Boolean> enabled = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, String> beforeApplying = (call, rule) -> { };

    private EventRules(LoopbackServer loopback) {
        this.loopback = loopback;
        this.endpoint = URI.create("http://127.0.0.1:" + loopback.server().getAddress().getPort());
    }

    /** Starts on 127.0.0.1 and a free port. */
    public static EventRules start() {
        EventRules rules = new EventRules(LoopbackServer.create());
        rules.loopback.server().createContext("/", rules::handle);
        rules.loopback.server().start();
        return rules;
    }

    /** Where the EventBridge client is pointed ({@code TM_AWS_ENDPOINT_EVENTS}). */
    public URI endpoint() { return endpoint; }

    /** Registers a rule, enabled (as a deployment creates it); one already registered keeps its state. */
    public void register(String rule) {
        enabled.putIfAbsent(rule, true);
    }

    /** True if the rule is enabled, or not registered here (a schedule with no rule of its own always fires). */
    public boolean enabled(String rule) {
        return enabled.getOrDefault(rule, true);
    }

    /** How often {@code call} ({@code EnableRule}, {@code DisableRule}, {@code DescribeRule}) named {@code rule}. */
    public long calls(String call, String rule) {
        AtomicLong n = calls.get(call + " " + rule);
        return n == null ? 0 : n.get();
    }

    /**
     * Runs {@code hook(call, rule)} on the request's thread before a call changes or reads a rule: tests hold a
     * call in flight there to order it against other writers (the call's latency, as deployed).
     */
    public void beforeApplying(java.util.function.BiConsumer<String, String> hook) {
        beforeApplying = hook == null ? (call, rule) -> { } : hook;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body;
            try {
                body = JSON.readTree(ex.getRequestBody());
            } catch (IOException e) {
                reply(ex, 400, error("SerializationException", "body is not JSON"));
                return;
            }
            String call = target == null ? "" : target.substring(target.indexOf('.') + 1);
            String name = body == null ? null : body.path("Name").asText(null);
            if (!ex.getRequestMethod().equals("POST") || target == null || !target.startsWith("AWSEvents.")) {
                reply(ex, 400, error("UnknownOperationException", "no operation " + target));
                return;
            }
            if (name == null || !enabled.containsKey(name)) {
                reply(ex, 400, error("ResourceNotFoundException", "Rule " + name + " does not exist."));
                return;
            }
            calls.computeIfAbsent(call + " " + name, k -> new AtomicLong()).incrementAndGet();
            beforeApplying.accept(call, name);
            switch (call) {
                case "EnableRule" -> {
                    enabled.put(name, true);
                    reply(ex, 200, JSON.createObjectNode());
                }
                case "DisableRule" -> {
                    enabled.put(name, false);
                    reply(ex, 200, JSON.createObjectNode());
                }
                case "DescribeRule" -> reply(ex, 200, JSON.createObjectNode().put("Name", name)
                        .put("Arn", "arn:aws:events:" + Emulators.REGION + ":" + Emulators.ACCOUNT_ID + ":rule/" + name)
                        .put("State", enabled.get(name) ? "ENABLED" : "DISABLED"));
                default -> reply(ex, 400, error("UnknownOperationException", "no operation " + target));
            }
        }
    }

    private static ObjectNode error(String type, String message) {
        return JSON.createObjectNode().put("__type", type).put("message", message);
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        LoopbackServer.reply(ex, status, "application/x-amz-json-1.1", JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        loopback.stop();
    }
}
