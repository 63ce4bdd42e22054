package dev.tmserverless.aws.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.aws.store.IdempotencyStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Router;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.aws.config.TmConfig;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.BeanProvider;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import dev.tmserverless.aws.observe.Metrics;
import dev.tmserverless.aws.observe.Telemetry;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Base of every HTTP function: API Gateway forwards every request under the function's mounts; this class matches
 * the method and path against the function's catalogue routes, runs the handler registered for the route, and turns
 * its result or its {@link ApiException} into the reference's response shapes. Anything unexpected is a
 * logged 500 with the structured body, never a stack trace on the wire.
 */
public abstract class ApiFunction extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiFunction.class);

    @FunctionalInterface
    public interface Handler { Response handle(Request request); }

    /** Collects a function's handlers, one per catalogue route ({@link dev.tmserverless.core.catalogue.Routes}). */
    public static final class Handlers {
        private final Map<Resources.Route, Handler> handlers = new HashMap<>();

        public Handlers on(Resources.Route route, Handler h) {
            if (handlers.put(route, h) != null) throw new IllegalStateException("two handlers for " + route.routeKey());
            return this;
        }
    }

    @Inject protected UserStore users;
    @Inject protected ApplicationKeyStore applicationKeys;
    @Inject protected BeanProvider<IdempotencyStore> idempotency;
    @Inject protected Tokens tokens;
    @Inject protected TmConfig config;
    @Inject protected BeanProvider<LargeResponses> largeResponses;
    private volatile Dispatch dispatch;

    /** A function's routes: the path matcher over its catalogue routes and the handler of each. */
    private record Dispatch(Router router, Map<Resources.Route, Handler> handlers) {}

    /** SnapStart priming: Lambda calls its beforeCheckpoint once the function is initialised, before the snapshot. */
    private final Priming priming = new Priming();

    /** The constructor the Lambda runtime calls: it also registers the priming hook (docs/performance.md). */
    protected ApiFunction() {
        // the DynamoDB client builds and opens its connection while the context starts (docs/performance.md)
        dev.tmserverless.aws.config.AwsClients.buildAhead();
        super();
        org.crac.Core.getGlobalContext().register(priming);
    }

    protected ApiFunction(ApplicationContextBuilder builder) { super(builder); }

    /**
     * Runs the request path once, so that a SnapStart snapshot taken afterwards holds its classes loaded,
     * initialised and partly compiled, and its clients built: the catalogue and router, a request for an unknown
     * path (error shape, Jackson), a GetItem of a key no item has (the SDK's DynamoDB client, signing, HTTP), and
     * {@link #primingRoutes()} as a signed-in user who does not exist, which every one of them refuses with 401
     * after its reads and before any write, then {@link #primingReads()} anonymously. Never throws: a snapshot
     * without priming is only slower.
     *
     * @return what was asked (method and path, or the SDK call) and the status answered (-1: it failed)
     */
    public Map<String, Integer> prime() {
        Map<String, Integer> answered = new LinkedHashMap<>();
        try {
            Dispatch d = dispatch();
            String nobody = dev.tmserverless.core.auth.SessionTokens.header(tokens.get().issue(PRIMING_USER, Instant.now()));
            String mount = Resources.MOUNTS.stream().filter(m -> functionId().equals(m.function())).map(Resources.Mount::path)
                    .findFirst().orElse("/api/v2");
            List<String[]> asks = new java.util.ArrayList<>();
            asks.add(new String[]{"GET", mount.replaceAll("\\{[^}]*}", "0") + "/priming-unknown-path/", null});
            for (Resources.Route r : primingRoutes()) {
                if (!d.handlers().containsKey(r)) throw new IllegalStateException("not a route of " + functionId() + ": " + r.routeKey());
                asks.add(new String[]{r.method(), r.path().replaceAll("\\{[^}]*}", Integer.toString(Integer.MAX_VALUE)), nobody});
            }
            for (Resources.Route r : primingReads()) {
                if (!d.handlers().containsKey(r) || !r.method().equals("GET")) {
                    throw new IllegalStateException("not a read route of " + functionId() + ": " + r.routeKey());
                }
                asks.add(new String[]{r.method(), r.path().replaceAll("\\{[^}]*}", Integer.toString(Integer.MAX_VALUE)), null});
            }
            for (String[] a : asks) {
                int status;
                try {
                    status = execute(primingEvent(a[0], a[1], a[2])).getStatusCode();
                } catch (RuntimeException e) {
                    LOG.warn("priming {} {} failed", a[0], a[1], e);
                    status = -1;
                }
                answered.put(a[0] + " " + a[1], status);
            }
            try {
                answered.put("DynamoDB GetItem", users.get(PRIMING_USER).isPresent() ? 200 : 404);
            } catch (RuntimeException e) {
                LOG.warn("priming the DynamoDB client failed", e);
                answered.put("DynamoDB GetItem", -1);
            }
        } catch (RuntimeException e) {
            LOG.warn("priming stopped", e);
        } finally {
            Telemetry.endInvocation(functionId());
            MDC.clear();
        }
        return answered;
    }

    /** The user id priming signs in as: no account has it (ids start at 1). */
    static final long PRIMING_USER = 0;

    /**
     * Routes of this function that {@link #prime()} sends, signed in as a user who does not exist: only routes that
     * refuse such a caller (401) before writing anything, chosen for the work done on the way (the reads of the
     * hot path). Path parameters are filled with ids no item has.
     */
    protected List<Resources.Route> primingRoutes() { return List.of(); }

    /**
     * Public read routes of this function that {@link #prime()} sends without a token, for the data they load into
     * the instance (held in memory between invocations, so in the snapshot too) as much as for their code.
     */
    protected List<Resources.Route> primingReads() { return List.of(); }

    private static APIGatewayV2HTTPEvent primingEvent(String method, String path, String authorization) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        headers.put("accept-encoding", "gzip");
        if (authorization != null) headers.put("authorization", authorization);
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("$default").withRawPath(path)
                .withHeaders(headers).withBody(method.equals("GET") ? null : "{\"status\": \"MAPPED\"}").withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("priming").withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
    }

    /** The CRaC resource Lambda's SnapStart calls; the function holds it, so it lives as long as the function. */
    private final class Priming implements org.crac.Resource {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> context) {
            Map<String, Integer> answered = prime();
            LOG.info("primed before the snapshot: {}", answered);
        }

        @Override
        public void afterRestore(org.crac.Context<? extends org.crac.Resource> context) {}
    }

    /** The catalogue id of this function; its registered routes must be exactly the catalogue's. */
    protected abstract String functionId();

    protected abstract void register(Handlers handlers);

    @Override
    public APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent event) {
        if (Resources.KEEP_ALIVE_ROUTE_KEY.equals(event.getRouteKey())) return keepAlive();
        long t0 = System.nanoTime();
        if (event.getRequestContext() != null && event.getRequestContext().getRequestId() != null) {
            MDC.put("apiRequestId", event.getRequestContext().getRequestId());
        }
        APIGatewayV2HTTPResponse answer = null;
        String subCode = null;
        try {
            Response r;
            try {
                String method = method(event);
                String path = path(event);
                Dispatch d = dispatch();
                Router.Match match = d.router().match(method, path).orElse(null);
                if (match == null) {
                    throw new ApiException(d.router().matchesPath(path) ? ErrorCode.METHOD_NOT_ALLOWED : ErrorCode.ROUTE_NOT_FOUND);
                }
                MDC.put("route", match.route().routeKey());
                Request request = toRequest(event, method, match.pathParameters());
                throttle(request.caller());
                Handler handler = d.handlers().get(match.route());
                r = Routes.idempotent(match.route()) ? idempotently(request, handler) : handler.handle(request);
            } catch (ApiException e) {
                subCode = e.code().subCode;
                r = error(e);
            } catch (RuntimeException e) {
                subCode = ErrorCode.INTERNAL_SERVER_ERROR.subCode;
                LOG.error("unhandled error on {} {}", event.getRequestContext() == null ? "" : method(event), event.getRawPath(), e);
                r = error(new ApiException(ErrorCode.INTERNAL_SERVER_ERROR));
            }
            try {
                answer = encode(r, acceptsGzip(event.getHeaders()));
            } catch (RuntimeException e) {
                subCode = ErrorCode.INTERNAL_SERVER_ERROR.subCode;
                LOG.error("could not send the response to {}", event.getRawPath(), e);
                answer = APIGatewayV2HTTPResponse.builder().withStatusCode(500)
                        .withHeaders(Map.of("content-type", "application/json"))
                        .withBody(Json.write(error(new ApiException(ErrorCode.INTERNAL_SERVER_ERROR)).body()))
                        .withIsBase64Encoded(false).build();
            }
            return answer;
        } finally {
            if (subCode != null) Metrics.count(Metrics.ERRORS, "SubCode", subCode);
            if (answer != null && answer.getStatusCode() == 303) Metrics.count(Metrics.LARGE_RESPONSES);
            if (LOG.isInfoEnabled()) {
                MDC.put("status", answer == null ? "500" : Integer.toString(answer.getStatusCode()));
                MDC.put("ms", Long.toString((System.nanoTime() - t0) / 1_000_000));
                if (subCode != null) MDC.put("subCode", subCode);
                LOG.info("{} {}", method(event), event.getRawPath());
            }
            for (String k : REQUEST_FIELDS) MDC.remove(k);
            Telemetry.endInvocation(functionId());
        }
    }

    /** The fields this class adds to every log line of a request (docs/operations.md). */
    private static final List<String> REQUEST_FIELDS = List.of("apiRequestId", "route", "status", "ms", "subCode", "userId");

    /**
     * A request made with an application key counts against the key's per-minute limit
     * ({@code TM_APP_KEY_REQUESTS_PER_MINUTE}); beyond it, 429 until the next minute. An unknown or deleted key
     * is not counted: it is answered as a bad token by the routes that need a caller.
     */
    private void throttle(Caller caller) {
        if (!caller.presentsApplicationKey()) return;
        var key = caller.applicationKey();
        Instant now = Instant.now();
        if (key.isPresent() && !applicationKeys.admit(key.get().hash(), now, config.applicationKeyRequestsPerMinute())) {
            throw new ApiException(ErrorCode.TOO_MANY_REQUESTS, ErrorCode.TOO_MANY_REQUESTS.message,
                    Map.of("limit", config.applicationKeyRequestsPerMinute(), "retryAfterSeconds", 60 - now.getEpochSecond() % 60));
        }
    }

    /**
     * A create route with an {@code Idempotency-Key} header (docs/api-differences.md): the first request claims
     * the caller's key with a conditional write and runs the handler; its 2xx answer is kept for
     * {@link IdempotencyStore#RETENTION} and replayed to retries with the same body. The same key with another
     * body is 422; while the first request runs, 409. A request that fails releases its claim, so a retry runs
     * again. Without the header, or without a caller (the handler refuses it), the handler runs as usual.
     */
    private Response idempotently(Request request, Handler handler) {
        String key = request.header("idempotency-key");
        if (key == null) return handler.handle(request);
        if (key.isBlank() || key.length() > 255) {
            throw new ApiException(ErrorCode.SCHEMA_INVALID, "Idempotency-Key must have 1 to 255 characters",
                    Map.of("loc", List.of("header", "Idempotency-Key"), "type", "string_too_long"));
        }
        var caller = request.caller().optional();
        if (caller.isEmpty()) return handler.handle(request);
        IdempotencyStore store = idempotency.get();
        String id = IdempotencyStore.id(caller.get().id(), key);
        String bodyHash = ApplicationKeyStore.hash(request.body() == null ? "" : request.body());
        Instant now = Instant.now();
        if (!store.claim(id, bodyHash, now)) {
            var held = store.get(id, now).orElseThrow(() -> new ApiException(ErrorCode.IDEMPOTENCY_KEY_IN_USE));
            if (!held.bodyHash().equals(bodyHash)) {
                throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED, ErrorCode.IDEMPOTENCY_KEY_REUSED.message,
                        Map.of("loc", List.of("header", "Idempotency-Key"), "type", "idempotency_key_reused"));
            }
            if (held.inFlight()) throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_IN_USE);
            return new Response(held.status(), held.body(), Map.of("content-type", held.contentType(),
                    "idempotent-replayed", "true"));
        }
        Response r;
        try {
            r = handler.handle(request);
        } catch (RuntimeException e) {
            store.release(id);
            throw e;
        }
        if (r.status() < 200 || r.status() > 299) {
            store.release(id);
            return r;
        }
        boolean text = r.body() instanceof String && r.headers().containsKey("content-type");
        store.complete(id, r.status(), text ? (String) r.body() : Json.write(r.body()),
                text ? r.headers().get("content-type") : "application/json", now);
        return r;
    }

    /**
     * The daily SnapStart keep-alive (TEMPLATE_NOTES.md): answered before routing, authentication or data access.
     * Only the schedule can send this route key; API Gateway sets the route key from the routes it has.
     */
    private APIGatewayV2HTTPResponse keepAlive() {
        dispatch();
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                .withHeaders(Map.of("content-type", "application/json")).withBody("{}").withIsBase64Encoded(false).build();
    }

    /**
     * The handlers, checked once against the catalogue: a function handles exactly the routes declared for it, so
     * a route the gateway forwards here can never be left without its handler.
     */
    private Dispatch dispatch() {
        Dispatch d = dispatch;
        if (d == null) {
            synchronized (this) {
                if (dispatch == null) {
                    Handlers h = new Handlers();
                    register(h);
                    Set<Resources.Route> declared = Set.copyOf(Resources.routesOf(functionId()));
                    if (!declared.equals(h.handlers.keySet())) {
                        throw new IllegalStateException("routes of " + functionId() + " differ from the catalogue: handled "
                                + new TreeSet<>(h.handlers.keySet().stream().map(Resources.Route::routeKey).toList())
                                + ", declared " + new TreeSet<>(declared.stream().map(Resources.Route::routeKey).toList()));
                    }
                    dispatch = new Dispatch(new Router(List.copyOf(declared)), Map.copyOf(h.handlers));
                }
                d = dispatch;
            }
        }
        return d;
    }

    private static String method(APIGatewayV2HTTPEvent e) {
        if (e.getRequestContext() != null && e.getRequestContext().getHttp() != null
                && e.getRequestContext().getHttp().getMethod() != null) {
            return e.getRequestContext().getHttp().getMethod().toUpperCase(Locale.ROOT);
        }
        String key = e.getRouteKey();
        return key == null ? "" : key.split(" ")[0];
    }

    /**
     * The request path as the API sees it. API Gateway puts a named stage in front of the path
     * ({@code /prod/api/v2/...}) unless the stage is {@code $default} or a custom domain maps it away.
     */
    static String path(APIGatewayV2HTTPEvent e) {
        String raw = e.getRawPath() == null ? "" : e.getRawPath();
        String stage = e.getRequestContext() == null ? null : e.getRequestContext().getStage();
        if (stage != null && !stage.equals("$default") && raw.startsWith("/" + stage + "/")) {
            return raw.substring(stage.length() + 1);
        }
        return raw;
    }

    private Request toRequest(APIGatewayV2HTTPEvent e, String method, Map<String, String> pathParameters) {
        Map<String, String> headers = new HashMap<>();
        if (e.getHeaders() != null) e.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        String body = e.getBody();
        if (body != null && e.getIsBase64Encoded()) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return new Request(method, e.getRawPath(), pathParameters,
                e.getQueryStringParameters() == null ? Map.of() : e.getQueryStringParameters(), headers, body,
                new Caller(headers.get("authorization"), tokens.get(), users, applicationKeys));
    }

    static Response error(ApiException e) {
        ErrorCode c = e.code();
        Object body = switch (c.shape) {
            case LEGACY -> orderedMap("Error", e.getMessage(), "SubCode", c.subCode);
            case ERROR_ONLY -> orderedMap("Error", e.getMessage());
            case STRUCTURED -> Map.of("error", orderedMap("code", c.status, "sub_code", c.subCode,
                    "message", e.getMessage(), "details", e.details()));
            // FastAPI's validation shape: one entry naming the offending field
            case DETAIL -> Map.of("detail", java.util.List.of(orderedMap("loc", e.details().getOrDefault("loc", java.util.List.of("body")),
                    "msg", e.getMessage(), "type", e.details().getOrDefault("type", "missing"))));
        };
        Response r = Response.of(c.status, body);
        if (c.status == 429 && e.details().get("retryAfterSeconds") != null) {
            r = r.withHeader("retry-after", String.valueOf(e.details().get("retryAfterSeconds")));
        }
        return c.status == 401 ? r.withHeader("www-authenticate", "Bearer") : r;
    }

    private static Map<String, Object> orderedMap(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /**
     * The Lambda proxy response: the body serialised (JSON unless it is text with its own type), gzip-compressed
     * when the client accepts it (API Gateway does not compress), and handed over through the bucket with a
     * 303 to a signed link when it would still exceed what Lambda can return.
     */
    APIGatewayV2HTTPResponse encode(Response r, boolean gzipOk) {
        Map<String, String> headers = new HashMap<>(r.headers());
        if (r.status() == 304) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(304).withHeaders(headers).withIsBase64Encoded(false).build();
        }
        String text;
        byte[] stored = null;
        if (r.body() == null) {
            text = "";
        } else if (r.body() instanceof Response.Gzipped g) {
            // a stored compressed document: decompressed only for clients that do not take gzip
            stored = gzipOk ? g.bytes() : null;
            text = gzipOk ? null : dev.tmserverless.aws.store.TaskMaps.gunzip(g.bytes());
        } else if (r.body() instanceof String s && headers.containsKey("content-type")) {
            text = s;
        } else {
            text = Json.write(r.body());
            headers.putIfAbsent("content-type", "application/json");
        }
        byte[] bytes = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        boolean gzip = stored != null || (gzipOk && bytes.length >= GZIP_MIN_BYTES);
        byte[] payload = stored != null ? stored : gzip ? gzip(bytes) : bytes;
        // base64 has no characters to escape; plain text grows by one byte per escaped character in the envelope
        long inline = gzip ? 4L * ((payload.length + 2) / 3) : bytes.length + escapes(text);
        if (r.status() == 200 && inline > config.maxInlineResponseBytes()) {
            java.net.URI link = largeResponses.get().handOver(payload, headers.get("content-type"), gzip ? "gzip" : null,
                    headers.get("content-disposition"));
            return APIGatewayV2HTTPResponse.builder().withStatusCode(303)
                    .withHeaders(Map.of("location", link.toString())).withIsBase64Encoded(false).build();
        }
        var b = APIGatewayV2HTTPResponse.builder().withStatusCode(r.status());
        if (gzip) {
            headers.put("content-encoding", "gzip");
            headers.put("vary", "accept-encoding");
            return b.withHeaders(headers).withBody(Base64.getEncoder().encodeToString(payload)).withIsBase64Encoded(true).build();
        }
        return b.withHeaders(headers).withBody(text).withIsBase64Encoded(false).build();
    }

    /** Bodies below this gain too little from compression to be worth it. */
    static final int GZIP_MIN_BYTES = 1024;

    /** Whether a request with these headers takes a gzip-compressed answer. */
    public static boolean acceptsGzip(Map<String, String> headers) {
        if (headers == null) return false;
        for (var e : headers.entrySet()) {
            if (!e.getKey().equalsIgnoreCase("accept-encoding") || e.getValue() == null) continue;
            for (String part : e.getValue().split(",")) {
                String[] p = part.trim().split(";");
                if (p[0].trim().equalsIgnoreCase("gzip")) {
                    return p.length < 2 || !p[1].trim().replace(" ", "").matches("q=0(\\.0*)?");
                }
            }
        }
        return false;
    }

    private static byte[] gzip(byte[] bytes) {
        var out = new java.io.ByteArrayOutputStream(bytes.length / 4 + 64);
        try (var z = new java.util.zip.GZIPOutputStream(out) {
            {
                // large bodies (a search's map of every match) compress three times faster, a few percent larger
                if (bytes.length >= 256 * 1024) def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
        }) {
            z.write(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static long escapes(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) n += c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? 5 : 1;
        }
        return n;
    }
}
