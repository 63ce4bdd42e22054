package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP API's route table, derived from {@link Resources#ROUTES}.
 *
 * <p>Trailing slashes. The reference API is called with a trailing slash ({@code /api/v2/projects/5/}) and without
 * it; both must reach the same function. An HTTP API route key cannot end in "/" (CDK refuses it with "A route path
 * must always start with a "/" and not end with a "/"", and API Gateway rejects such a key), and whether
 * API Gateway matches {@code /x/} to the route {@code /x} is not documented (reports disagree). So every catalogue
 * route {@code M /x} also gets {@code M /x/{proxy+}}: the greedy variable catches {@code /x/} (and deeper paths,
 * which the function's own router answers with 404). API Gateway prefers an exact route over a greedy one and the
 * most specific greedy route over a shorter one, so {@code GET /projects/5/tasks/} goes to the tasks function's
 * {@code .../tasks/{proxy+}}, not to the projects function's {@code /projects/{projectId}/{proxy+}}. Handlers
 * take such a route key as its catalogue route when the greedy rest is empty, and answer 404 otherwise.
 */
public final class ApiRoutes {
    /** Name of the greedy path variable of the trailing-slash variants. */
    public static final String GREEDY = Resources.TRAILING_SLASH_SEGMENT;

    /** One HTTP API route: a catalogue route, or its trailing-slash variant. */
    public record ApiRoute(String method, String path, String function, boolean trailingSlashVariant) {
        public String routeKey() { return method + " " + path; }
    }

    private ApiRoutes() {}

    public static List<ApiRoute> of(List<Resources.Route> catalogue) {
        validate(catalogue);
        Map<String, ApiRoute> byKey = new LinkedHashMap<>();
        for (Resources.Route r : catalogue) {
            add(byKey, new ApiRoute(r.method(), r.path(), r.function(), false));
        }
        for (Resources.Route r : catalogue) {
            add(byKey, new ApiRoute(r.method(), r.path() + "/" + GREEDY, r.function(), true));
        }
        return List.copyOf(byKey.values());
    }

    public static List<ApiRoute> all() {
        return of(Resources.ROUTES);
    }

    private static void add(Map<String, ApiRoute> byKey, ApiRoute route) {
        ApiRoute previous = byKey.putIfAbsent(route.routeKey(), route);
        if (previous != null && !previous.function().equals(route.function())) {
            throw new IllegalArgumentException("route " + route.routeKey() + " is claimed by both "
                    + previous.function() + " and " + route.function());
        }
    }

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    /** Catches at synth time what API Gateway would only refuse at deploy time. */
    static void validate(List<Resources.Route> catalogue) {
        Map<String, String> variableAtPrefix = new HashMap<>();
        List<String> seen = new ArrayList<>();
        for (Resources.Route r : catalogue) {
            String where = "catalogue route " + r.routeKey();
            if (!METHODS.contains(r.method())) throw new IllegalArgumentException(where + ": unknown method");
            String p = r.path();
            if (!p.startsWith("/") || p.endsWith("/") || p.contains("//")) {
                throw new IllegalArgumentException(where + ": a path starts with '/' and has no trailing or double '/'");
            }
            if (p.contains("+}")) throw new IllegalArgumentException(where + ": greedy variables are added here, not in the catalogue");
            if (seen.contains(r.routeKey())) throw new IllegalArgumentException(where + ": declared twice");
            seen.add(r.routeKey());
            // Two routes may not name the variable at the same position differently ({id} vs {projectId}).
            String[] segments = p.substring(1).split("/");
            StringBuilder prefix = new StringBuilder();
            for (String s : segments) {
                boolean variable = s.startsWith("{") && s.endsWith("}");
                if (variable) {
                    String before = variableAtPrefix.putIfAbsent(prefix.toString(), s);
                    if (before != null && !before.equals(s)) {
                        throw new IllegalArgumentException(where + ": path variable " + s + " where another route has " + before);
                    }
                }
                prefix.append('/').append(variable ? "{}" : s);
            }
        }
    }
}
