package dev.tmserverless.local;

import dev.tmserverless.core.catalogue.Cors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the front door does besides routing to functions, as the deployed edge (API Gateway's CORS settings and the
 * static site beside it) would:
 * <ul>
 *   <li>a CORS preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) to a path
 *       under {@code /api/} is answered here, 204, with the {@link Cors} headers when the origin is allowed and none
 *       when it is not; when no origin is configured at all, preflights are not answered (404 like any unrouted
 *       request);</li>
 *   <li>API responses to an allowed origin get {@code access-control-allow-origin} and {@code vary: origin}
 *       (CORS headers a function set itself are replaced, as API Gateway does when CORS is configured);</li>
 *   <li>a GET or HEAD outside {@code /api/} and {@code /_local/} is the web frontend's ({@link StaticSite}); without
 *       a frontend, only {@code /} answers (how to build and serve one).</li>
 * </ul>
 */
public final class WebEdge {
    /** The environment variable naming the built web frontend folder. */
    public static final String ENV_FRONTEND_DIR = "TM_FRONTEND_DIR";
    public static final WebEdge API_ONLY = new WebEdge(Cors.NONE, StaticSite.none());

    private final Cors cors;
    private final StaticSite site;

    public WebEdge(Cors cors, StaticSite site) {
        this.cors = cors;
        this.site = site;
    }

    /**
     * From {@code TM_CORS_ALLOWED_ORIGINS} and the frontend folder: {@code frontendDir} when given, else
     * {@code TM_FRONTEND_DIR}, else none.
     */
    public static WebEdge fromEnvironment(Path frontendDir) {
        String env = System.getenv(ENV_FRONTEND_DIR);
        Path dir = frontendDir != null ? frontendDir
                : env == null || env.isBlank() ? null : Path.of(env.trim()).toAbsolutePath().normalize();
        return new WebEdge(Cors.parse(System.getenv(Cors.ENV)), dir == null ? StaticSite.none() : StaticSite.of(dir));
    }

    public Cors cors() {
        return cors;
    }

    public StaticSite site() {
        return site;
    }

    /** The answer to a request no API route matched, or empty for the front door's usual 404. */
    Optional<ApiGatewayEvents.HttpReply> unrouted(ApiGatewayEvents.HttpRequest request) {
        String path = request.rawPath();
        boolean api = path.equals("/api") || path.startsWith("/api/");
        String origin = StaticSite.header(request.headers(), "origin");
        if (api && request.method().equalsIgnoreCase("OPTIONS") && origin != null && !cors.isEmpty()
                && StaticSite.header(request.headers(), "access-control-request-method") != null) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            cors.preflightHeaders(origin).forEach((k, v) -> headers.add(Map.entry(k, v)));
            return Optional.of(new ApiGatewayEvents.HttpReply(204, headers, new byte[0]));
        }
        boolean read = request.method().equalsIgnoreCase("GET") || request.method().equalsIgnoreCase("HEAD");
        if (api || path.equals("/_local") || path.startsWith("/_local/") || !read
                || (site.root() == null && !path.equals("/"))) { // without a frontend only / is a page (the help)
            return Optional.empty();
        }
        return Optional.of(site.serve(path, request.headers()));
    }

    /** {@code reply} with the CORS headers an API response to this request carries. */
    ApiGatewayEvents.HttpReply decorate(ApiGatewayEvents.HttpRequest request, ApiGatewayEvents.HttpReply reply) {
        String origin = StaticSite.header(request.headers(), "origin");
        if (cors.isEmpty() || origin == null || !request.rawPath().startsWith("/api/")
                || request.method().equalsIgnoreCase("OPTIONS")) { // a preflight got its headers in unrouted()
            return reply;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> header : reply.headers()) {
            if (!header.getKey().toLowerCase(Locale.ROOT).startsWith("access-control-allow-")) {
                headers.add(header);
            }
        }
        cors.responseHeaders(origin).forEach((k, v) -> headers.add(Map.entry(k, v)));
        return new ApiGatewayEvents.HttpReply(reply.status(), headers, reply.body());
    }
}
