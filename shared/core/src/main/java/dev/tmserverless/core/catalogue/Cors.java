package dev.tmserverless.core.catalogue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which other web origins may call the API from a browser, and the CORS headers that follow. One list of
 * allowed origins ({@value #ENV}, comma-separated; {@code *} allows any origin) serves every place that answers
 * for the API (the local front door, the deployed API Gateway), so a browser sees the same rules everywhere.
 *
 * <p>Rules: an allowed origin gets {@code access-control-allow-origin} (the origin itself, or {@code *} when the
 * list is {@code *}) with {@code vary: origin}; a preflight from it also gets the methods, headers and max age
 * below. A disallowed or missing origin gets no CORS header at all. An empty list allows none (the web frontend
 * served on the API's own origin needs none). Origins compare without case and without a trailing slash.
 */
public final class Cors {
    /** The environment variable holding the allowed origins. */
    public static final String ENV = "TM_CORS_ALLOWED_ORIGINS";
    public static final List<String> ALLOWED_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The request headers the reference web frontend and API clients send. */
    public static final List<String> ALLOWED_HEADERS =
            List.of("Authorization", "Content-Type", "Accept", "Accept-Language", "X-Requested-With");
    public static final int MAX_AGE_SECONDS = 600;

    public static final Cors NONE = new Cors(List.of(), false);

    private final List<String> origins;
    private final boolean any;

    private Cors(List<String> origins, boolean any) {
        this.origins = List.copyOf(origins);
        this.any = any;
    }

    /** Parses a comma-separated list; blanks are skipped; null or blank allows no origin. */
    public static Cors parse(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return NONE;
        }
        List<String> origins = new ArrayList<>();
        boolean any = false;
        for (String part : commaSeparated.split(",")) {
            String origin = normalize(part);
            if (origin.equals("*")) {
                any = true;
            } else if (!origin.isEmpty() && !origins.contains(origin)) {
                origins.add(origin);
            }
        }
        return new Cors(origins, any);
    }

    /** The allowed origins as configured (normalized), {@code *} included when given. */
    public List<String> origins() {
        List<String> all = new ArrayList<>(origins);
        if (any) {
            all.addFirst("*");
        }
        return List.copyOf(all);
    }

    public boolean allowsAny() {
        return any;
    }

    public boolean isEmpty() {
        return !any && origins.isEmpty();
    }

    public boolean allows(String origin) {
        return allowOrigin(origin).isPresent();
    }

    /** The {@code access-control-allow-origin} value for a request from {@code origin}, if it is allowed. */
    public Optional<String> allowOrigin(String origin) {
        if (origin == null || origin.isBlank()) {
            return Optional.empty();
        }
        if (any) {
            return Optional.of("*");
        }
        return origins.contains(normalize(origin)) ? Optional.of(origin.trim()) : Optional.empty();
    }

    /** Headers to add to an API response to a request from {@code origin} (empty when not allowed). */
    public Map<String, String> responseHeaders(String origin) {
        Map<String, String> headers = new LinkedHashMap<>();
        allowOrigin(origin).ifPresent(allowed -> {
            headers.put("access-control-allow-origin", allowed);
            headers.put("vary", "origin");
        });
        return headers;
    }

    /** Headers of the answer to a preflight ({@code OPTIONS}) from {@code origin} (empty when not allowed). */
    public Map<String, String> preflightHeaders(String origin) {
        Map<String, String> headers = responseHeaders(origin);
        if (!headers.isEmpty()) {
            headers.put("access-control-allow-methods", String.join(",", ALLOWED_METHODS));
            headers.put("access-control-allow-headers", String.join(",", ALLOWED_HEADERS).toLowerCase(Locale.ROOT));
            headers.put("access-control-max-age", Integer.toString(MAX_AGE_SECONDS));
        }
        return headers;
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        while (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        return o;
    }

    @Override
    public String toString() {
        return isEmpty() ? "none" : String.join(",", origins());
    }
}
