package dev.tmserverless.core.catalogue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matches a request to a route the way API Gateway HTTP APIs do: by method (or {@code ANY}) and path
 * template, the most specific match winning — a literal segment beats a {@code {param}} segment, which beats a
 * greedy {@code {param+}} tail; an exact method beats {@code ANY}. Catalogue paths have no trailing slash; a
 * request path matches with or without one.
 */
public final class Router {
    /** A matched route and its path parameters (URL-decoded). */
    public record Match(Resources.Route route, Map<String, String> pathParameters) {}

    private record Template(Resources.Route route, String[] segments) {}

    private final List<Template> templates;

    public Router(List<Resources.Route> routes) {
        this.templates = routes.stream().map(r -> new Template(r, split(r.path()))).toList();
    }

    public Optional<Match> match(String method, String rawPath) {
        String[] segments = split(rawPath);
        Match best = null;
        int[] bestScore = null;
        for (Template template : templates) {
            String routeMethod = template.route().method();
            boolean anyMethod = routeMethod.equals("ANY");
            if (!anyMethod && !routeMethod.equalsIgnoreCase(method)) {
                continue;
            }
            int[] score = new int[template.segments().length + 1];
            Map<String, String> params = matchPath(template.segments(), segments, score);
            if (params == null) {
                continue;
            }
            score[score.length - 1] = anyMethod ? 0 : 1;
            if (best == null || Arrays.compare(score, bestScore) > 0) {
                best = new Match(template.route(), params);
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /** True if some route has this path, whatever its method (a request with another method is then a 405). */
    public boolean matchesPath(String rawPath) {
        String[] segments = split(rawPath);
        for (Template template : templates) {
            if (matchPath(template.segments(), segments, new int[template.segments().length + 1]) != null) {
                return true;
            }
        }
        return false;
    }

    /** Segment scores: 3 literal, 2 parameter, 1 greedy; compared left to right, so the first literal wins. */
    private static Map<String, String> matchPath(String[] template, String[] path, int[] score) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("+}")) {
                if (i != template.length - 1 || path.length <= i) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 2),
                        decode(String.join("/", Arrays.copyOfRange(path, i, path.length))));
                score[i] = 1;
                return params;
            }
            if (i >= path.length) {
                return null;
            }
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), decode(path[i]));
                score[i] = 2;
            } else if (t.equals(decode(path[i]))) {
                score[i] = 3;
            } else {
                return null;
            }
        }
        return template.length == path.length ? params : null;
    }

    /** "/a/b/" and "/a/b" both give [a, b]; "/" gives []. */
    static String[] split(String path) {
        String p = path == null ? "" : path;
        if (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return new String[0];
        }
        List<String> parts = new ArrayList<>(Arrays.asList(p.split("/", -1)));
        return parts.toArray(String[]::new);
    }

    private static String decode(String segment) {
        // Path segments: '+' is a literal plus, only %XX escapes are decoded.
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
