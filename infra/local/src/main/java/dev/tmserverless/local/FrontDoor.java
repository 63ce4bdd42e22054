package dev.tmserverless.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Router;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The local API Gateway: an HTTP server on 127.0.0.1 that routes each request by the catalogue's mounts, hands the
 * function an API Gateway v2 (payload 2.0) event, and writes its response back. No route ⇒ 404
 * {@code {"message":"Not Found"}}; a function that throws (or is not built) ⇒ 500
 * {@code {"message":"Internal Server Error"}}, as API Gateway answers.
 *
 * <p>Difference from Lambda: requests are served concurrently, and concurrent requests to one function call the
 * same handler instance at the same time (Lambda would start more instances, each serving one at a time).
 */
public final class FrontDoor implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final Router router;
    private final Map<String, FunctionInvoker> functions;
    private final Map<String, String> unavailable;
    private final Consumer<String> log;
    private final Map<String, LocalExtra> extras = new ConcurrentHashMap<>();
    private final Set<String> reportedMissing = ConcurrentHashMap.newKeySet();
    private volatile WebEdge web = WebEdge.API_ONLY;

    /** A local-only endpoint outside the API (served under {@code /_local/}). */
    @FunctionalInterface
    public interface LocalExtra {
        ApiGatewayEvents.HttpReply handle(ApiGatewayEvents.HttpRequest request) throws Exception;
    }

    /**
     * @param port        0 for a free port
     * @param routes      the HTTP API's routes ({@link Resources#gatewayRoutes()}, or a test's)
     * @param functions   invokers by function id
     * @param unavailable function id ⇒ why it is not loaded (logged once when one of its routes is called)
     * @param log         where to print the access log and errors
     */
    public FrontDoor(int port, List<Resources.Route> routes, Map<String, FunctionInvoker> functions,
                     Map<String, String> unavailable, Consumer<String> log) {
        this.router = new Router(routes);
        this.functions = Map.copyOf(functions);
        this.unavailable = Map.copyOf(unavailable);
        this.log = log;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        } catch (BindException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use (set TM_LOCAL_PORT to another port)",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public FrontDoor start() {
        server.start();
        return this;
    }

    /** Registers a local-only endpoint at {@code /_local/<name>}. */
    public FrontDoor extra(String name, LocalExtra extra) {
        extras.put("/_local/" + name, extra);
        return this;
    }

    /** What answers besides the API routes: CORS and the web frontend ({@link WebEdge}). */
    public FrontDoor web(WebEdge web) {
        this.web = web;
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public Router router() {
        return router;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String requestId = ApiGatewayEvents.newRequestId();
        ApiGatewayEvents.HttpReply reply;
        String served = "-";
        try (exchange) {
            ApiGatewayEvents.HttpRequest request = read(exchange);
            try {
                LocalExtra extra = extras.get(request.rawPath().endsWith("/") && request.rawPath().length() > 1
                        ? request.rawPath().substring(0, request.rawPath().length() - 1) : request.rawPath());
                if (extra != null) {
                    served = "local";
                    reply = extra.handle(request);
                } else {
                    Optional<Router.Match> match = router.match(request.method(), request.rawPath());
                    if (match.isEmpty()) {
                        reply = web.unrouted(request).orElseGet(() -> ApiGatewayEvents.notFound(requestId));
                    } else {
                        served = match.get().route().function();
                        reply = invoke(request, match.get(), requestId);
                    }
                }
            } catch (Exception | Error e) {
                log.accept("ERROR " + request.method() + " " + request.rawPath() + ": " + stackTrace(e));
                reply = ApiGatewayEvents.internalServerError(requestId);
            }
            reply = web.decorate(request, reply);
            write(exchange, request.method(), reply);
            log.accept(String.format("%s %s%s -> %d (%s, %d ms)", request.method(), request.rawPath(),
                    request.rawQuery() == null ? "" : "?" + request.rawQuery(), reply.status(), served,
                    (System.nanoTime() - start) / 1_000_000));
        } catch (IOException | RuntimeException e) {
            log.accept("ERROR writing the response: " + e);
        }
    }

    private ApiGatewayEvents.HttpReply invoke(ApiGatewayEvents.HttpRequest request, Router.Match match,
                                              String requestId) {
        String functionId = match.route().function();
        FunctionInvoker function = functions.get(functionId);
        if (function == null) {
            String why = unavailable.getOrDefault(functionId, "no such function is loaded");
            if (reportedMissing.add(functionId)) {
                log.accept("ERROR function " + functionId + " cannot serve " + match.route().routeKey() + ": " + why);
            }
            return ApiGatewayEvents.internalServerError(requestId);
        }
        APIGatewayV2HTTPEvent event = ApiGatewayEvents.toEvent(request, match, requestId, Instant.now());
        Object result;
        long start = System.nanoTime();
        try {
            result = function.invoke(event, function.newContext());
        } catch (Exception | Error e) {
            log.accept("ERROR function " + functionId + " threw on " + match.route().routeKey() + ": " + stackTrace(e));
            return ApiGatewayEvents.internalServerError(requestId);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (millis > function.timeoutSeconds() * 1000L) {
            log.accept("WARN function " + functionId + " took " + millis + " ms, over its " + function.timeoutSeconds()
                    + " s timeout: Lambda would have stopped it");
        }
        if (!(result instanceof APIGatewayV2HTTPResponse response)) {
            log.accept("ERROR function " + functionId + " returned " + (result == null ? "null"
                    : result.getClass().getName()) + " instead of an APIGatewayV2HTTPResponse");
            return ApiGatewayEvents.internalServerError(requestId);
        }
        if (response.getStatusCode() < 100 || response.getStatusCode() > 599) {
            log.accept("ERROR function " + functionId + " returned status code " + response.getStatusCode());
            return ApiGatewayEvents.internalServerError(requestId);
        }
        return ApiGatewayEvents.toReply(response, requestId);
    }

    private static ApiGatewayEvents.HttpRequest read(HttpExchange exchange) throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        exchange.getRequestHeaders().forEach((name, values) -> values.forEach(v -> headers.add(Map.entry(name, v))));
        byte[] body = exchange.getRequestBody().readAllBytes();
        URI uri = exchange.getRequestURI();
        return new ApiGatewayEvents.HttpRequest(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                headers, body, exchange.getRemoteAddress().getAddress().getHostAddress(),
                exchange.getLocalAddress().getPort(), exchange.getProtocol());
    }

    private static void write(HttpExchange exchange, String method, ApiGatewayEvents.HttpReply reply)
            throws IOException {
        for (Map.Entry<String, String> header : reply.headers()) {
            if (!header.getKey().equalsIgnoreCase("content-length")
                    && !header.getKey().equalsIgnoreCase("transfer-encoding")) {
                exchange.getResponseHeaders().add(header.getKey(), header.getValue());
            }
        }
        boolean noBody = method.equalsIgnoreCase("HEAD") || reply.status() == 204 || reply.status() == 304
                || reply.status() < 200;
        if (noBody || reply.body().length == 0) {
            exchange.sendResponseHeaders(reply.status(), -1);
        } else {
            exchange.sendResponseHeaders(reply.status(), reply.body().length);
            exchange.getResponseBody().write(reply.body());
        }
    }

    static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
