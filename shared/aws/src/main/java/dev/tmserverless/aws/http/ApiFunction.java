package dev.tmserverless.aws.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Base of every HTTP function: API Gateway routes the request (by the catalogue's route table) and hands
 * over the route key; this class finds the handler the function registered for that key, runs it, and turns
 * its result or its {@link ApiException} into the reference's response shapes. Anything unexpected is a
 * logged 500 with the structured body, never a stack trace on the wire.
 */
public abstract class ApiFunction extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiFunction.class);

    @FunctionalInterface
    public interface Handler { Response handle(Request request); }

    /** Collects a function's handlers, keyed by catalogue route key ({@code "GET /api/v2/projects/{projectId}"}). */
    public static final class Routes {
        private final Map<String, Handler> handlers = new HashMap<>();

        public Routes on(String method, String path, Handler h) {
            handlers.put(method + " " + Resources.V2 + path, h);
            return this;
        }
    }

    @Inject protected UserStore users;
    @Inject protected Tokens tokens;
    private volatile Map<String, Handler> routes;

    protected ApiFunction() { super(); }

    protected ApiFunction(ApplicationContextBuilder builder) { super(builder); }

    /** The catalogue id of this function; its registered routes must be exactly the catalogue's. */
    protected abstract String functionId();

    protected abstract void register(Routes routes);

    @Override
    public APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent event) {
        try {
            Handler h = routes().get(normaliseRouteKey(event.getRouteKey()));
            if (h == null) throw new ApiException(ErrorCode.ROUTE_NOT_FOUND);
            return toEvent(h.handle(toRequest(event)));
        } catch (ApiException e) {
            return toEvent(error(e));
        } catch (RuntimeException e) {
            LOG.error("unhandled error on {}", event.getRouteKey(), e);
            return toEvent(error(new ApiException(ErrorCode.INTERNAL_SERVER_ERROR)));
        }
    }

    private Map<String, Handler> routes() {
        if (routes == null) {
            synchronized (this) {
                if (routes == null) {
                    Routes r = new Routes();
                    register(r);
                    Set<String> declared = new java.util.HashSet<>();
                    Resources.routesOf(functionId()).forEach(rt -> declared.add(rt.routeKey()));
                    if (!declared.equals(r.handlers.keySet())) {
                        throw new IllegalStateException("routes of " + functionId() + " differ from the catalogue: handled "
                                + new TreeMap<>(r.handlers).keySet() + ", declared " + declared);
                    }
                    routes = Map.copyOf(r.handlers);
                }
            }
        }
        return routes;
    }

    /** "GET /api/v2/projects/{projectId}/" and "GET /api/v2/projects/{projectId}" are one route. */
    static String normaliseRouteKey(String key) {
        if (key == null) return "";
        return key.length() > 1 && key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    }

    private Request toRequest(APIGatewayV2HTTPEvent e) {
        Map<String, String> headers = new HashMap<>();
        if (e.getHeaders() != null) e.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        String body = e.getBody();
        if (body != null && e.getIsBase64Encoded()) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        String method = e.getRequestContext() != null && e.getRequestContext().getHttp() != null
                ? e.getRequestContext().getHttp().getMethod() : e.getRouteKey().split(" ")[0];
        return new Request(method, e.getRawPath(), e.getPathParameters() == null ? Map.of() : e.getPathParameters(),
                e.getQueryStringParameters() == null ? Map.of() : e.getQueryStringParameters(), headers, body,
                new Caller(headers.get("authorization"), tokens.get(), users));
    }

    static Response error(ApiException e) {
        ErrorCode c = e.code();
        Object body = switch (c.shape) {
            case LEGACY -> orderedMap("Error", e.getMessage(), "SubCode", c.subCode);
            case STRUCTURED -> Map.of("error", orderedMap("code", c.status, "sub_code", c.subCode,
                    "message", e.getMessage(), "details", e.details()));
            // FastAPI's validation shape: one entry naming the offending field
            case DETAIL -> Map.of("detail", java.util.List.of(orderedMap("loc", e.details().getOrDefault("loc", java.util.List.of("body")),
                    "msg", e.getMessage(), "type", e.details().getOrDefault("type", "missing"))));
        };
        Response r = Response.of(c.status, body);
        return c.status == 401 ? r.withHeader("www-authenticate", "Bearer") : r;
    }

    private static Map<String, Object> orderedMap(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static APIGatewayV2HTTPResponse toEvent(Response r) {
        Map<String, String> headers = new HashMap<>(r.headers());
        String body;
        if (r.body() instanceof String s && headers.containsKey("content-type")) {
            body = s;
        } else {
            body = Json.write(r.body());
            headers.putIfAbsent("content-type", "application/json");
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(r.status()).withHeaders(headers).withBody(body)
                .withIsBase64Encoded(false).build();
    }
}
