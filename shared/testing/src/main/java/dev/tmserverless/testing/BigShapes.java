package dev.tmserverless.testing;

import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TaskShapeBudget;

import java.util.Locale;

/** Task shapes of a chosen stored size, for the task shape budget's tests (docs/geometry.md "Task shape budget"). */
public final class BigShapes {
    private BigShapes() {}

    /** A Polygon of {@code n} vertices on a circle (closed: n + 1 positions), 7 decimals, as GeoJSON text. */
    public static String circle(double lon, double lat, double radius, int n) {
        StringBuilder sb = new StringBuilder("{\"type\":\"Polygon\",\"coordinates\":[[");
        for (int i = 0; i <= n; i++) {
            double a = 2 * Math.PI * (i % n) / n;
            if (i > 0) sb.append(',');
            sb.append(String.format(Locale.ROOT, "[%.7f,%.7f]", lon + radius * Math.cos(a), lat + radius * Math.sin(a)));
        }
        return sb.append("]]}").toString();
    }

    /** The geometry text a shape item stores for this GeoJSON geometry. */
    public static String stored(String geometry) {
        return TaskShapeBudget.encode(GeoJson.read(Json.parse(geometry)));
    }

    /**
     * A task feature (x, y, zoom null, not square) whose stored geometry plus extra properties
     * ({"pad": "xxx…"}) take exactly {@code bytes} bytes: its geometry is a circle of about
     * {@code bytes - 40,000} bytes around (lon, lat).
     */
    public static String taskFeature(double lon, double lat, int bytes) {
        String ring = circle(lon, lat, 0.005, Math.max(8, (bytes - 40_000) / 25));
        String multi = "{\"type\":\"MultiPolygon\",\"coordinates\":[" + ring.substring(ring.indexOf("[["), ring.length() - 1) + "]}";
        int pad = bytes - stored(multi).length() - "{\"pad\":\"\"}".length();
        if (pad < 0) throw new IllegalArgumentException("no room for " + bytes + " bytes");
        return "{\"type\":\"Feature\",\"properties\":{\"x\":null,\"y\":null,\"zoom\":null,\"isSquare\":false,"
                + "\"extra_properties\":{\"pad\":\"" + "x".repeat(pad) + "\"}},\"geometry\":" + multi + "}";
    }

    /** A task FeatureCollection of the given features. */
    public static String featureCollection(String... features) {
        return "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}";
    }
}
