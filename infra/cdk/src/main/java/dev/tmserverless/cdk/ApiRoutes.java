package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's route table: two routes per catalogue mount ({@link Resources#MOUNTS}), {@code ANY /x} and
 * {@code ANY /x/{proxy+}}, each to the mount's function, which dispatches among its own catalogue routes.
 *
 * <p>Why mounts and not one API route per catalogue route: the reference API has about 190 routes, each needing a
 * trailing-slash twin ({@code /x/} reaches only a greedy route: an HTTP API route key cannot end in "/"), and an
 * HTTP API allows 300 routes by default. Mounts keep the count at twice the number of mounts whatever the number of
 * API routes (docs/routing.md). API Gateway prefers an exact route over a greedy one and the most specific greedy
 * route over a shorter one, so {@code /projects/5/tasks/} reaches the tasks function's mount, not the projects one.
 */
public final class ApiRoutes {
    /** HTTP API's default quota of routes per API. */
    public static final int ROUTE_QUOTA = 300;

    /** One HTTP API route. */
    public record ApiRoute(String method, String path, String function) {
        public String routeKey() { return method + " " + path; }
    }

    private ApiRoutes() {}

    public static List<ApiRoute> of(List<Resources.Mount> mounts, List<Resources.Route> catalogue) {
        validate(mounts, catalogue);
        List<ApiRoute> out = new ArrayList<>();
        for (Resources.Mount m : mounts) {
            out.add(new ApiRoute("ANY", m.path(), m.function()));
            out.add(new ApiRoute("ANY", m.path() + "/" + Resources.GATEWAY_GREEDY, m.function()));
        }
        if (out.size() > ROUTE_QUOTA) {
            throw new IllegalArgumentException(out.size() + " HTTP API routes exceed the quota of " + ROUTE_QUOTA);
        }
        return List.copyOf(out);
    }

    public static List<ApiRoute> all() {
        return of(Resources.MOUNTS, Resources.ROUTES);
    }

    /** Catches at synth time what API Gateway would refuse at deploy time, and routes no mount would reach. */
    static void validate(List<Resources.Mount> mounts, List<Resources.Route> catalogue) {
        Map<String, String> variableAtPrefix = new HashMap<>();
        List<String> seen = new ArrayList<>();
        for (Resources.Mount m : mounts) {
            String where = "mount " + m.path();
            String p = m.path();
            if (!p.startsWith("/") || p.endsWith("/") || p.contains("//")) {
                throw new IllegalArgumentException(where + ": a path starts with '/' and has no trailing or double '/'");
            }
            if (p.contains("+}")) throw new IllegalArgumentException(where + ": the greedy variable is added here");
            if (seen.contains(p)) throw new IllegalArgumentException(where + ": declared twice");
            seen.add(p);
            // Two routes may not name the variable at the same position differently ({id} vs {projectId}).
            StringBuilder prefix = new StringBuilder();
            for (String s : p.substring(1).split("/")) {
                boolean variable = s.startsWith("{") && s.endsWith("}");
                if (variable) {
                    String before = variableAtPrefix.putIfAbsent(prefix.toString(), s);
                    if (before != null && !before.equals(s)) {
                        throw new IllegalArgumentException(where + ": path variable " + s + " where another mount has " + before);
                    }
                }
                prefix.append('/').append(variable ? "{}" : s);
            }
        }
        List<Resources.Route> gateway = new ArrayList<>();
        for (Resources.Mount m : mounts) {
            gateway.add(new Resources.Route("ANY", m.path(), m.function()));
            gateway.add(new Resources.Route("ANY", m.path() + "/" + Resources.GATEWAY_GREEDY, m.function()));
        }
        Router router = new Router(gateway);
        for (Resources.Route r : catalogue) {
            String sample = r.path().replaceAll("\\{[^}]+}", "1");
            for (String path : List.of(sample, sample + "/")) {
                String fn = router.match(r.method(), path).map(x -> x.route().function()).orElse(null);
                if (!r.function().equals(fn)) {
                    throw new IllegalArgumentException("catalogue route " + r.routeKey() + " (" + path + ") reaches "
                            + (fn == null ? "no mount" : "the mount of " + fn) + ", not its function " + r.function());
                }
            }
        }
    }
}
