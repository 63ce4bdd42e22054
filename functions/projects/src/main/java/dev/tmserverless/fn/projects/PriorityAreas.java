package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.GeoJson;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A project's priority areas (docs/projects.md): GeoJSON Polygons, kept as one JSON array in the project's S3
 * prefix, so a deleted project's areas go with its other objects.
 */
final class PriorityAreas {
    private PriorityAreas() {}

    static final int MAX_AREAS = 50;
    static final int MAX_VERTICES = 5_000;
    static final int MAX_TOTAL_VERTICES = 20_000;

    static String key(long projectId) { return "projects/" + projectId + "/priority-areas.json"; }

    /**
     * The areas of a PATCH body's {@code priorityAreas}, each checked (a valid Polygon with lon/lat coordinates),
     * written back as the client sent them. Null or an empty list means none.
     *
     * @throws ApiException INVALID_PRIORITY_AREA for anything else, or past the bounds
     */
    static List<JsonNode> parse(JsonNode a) {
        if (a == null || a.isNull()) return List.of();
        if (!a.isArray()) throw bad("priorityAreas must be a list of Polygon geometries");
        if (a.size() > MAX_AREAS) throw bad("At most " + MAX_AREAS + " priority areas");
        List<JsonNode> out = new ArrayList<>();
        int total = 0;
        for (JsonNode g : a) {
            if (!g.isObject() || !"Polygon".equals(g.path("type").asText())) {
                throw bad("Priority Areas must be supplied as Polygons");
            }
            Geometry geom;
            try {
                geom = GeoJson.read(g);
            } catch (ApiException e) {
                throw bad("Priority Area: Invalid Polygon - " + e.getMessage());
            }
            if (!(geom instanceof Polygon p) || p.isEmpty()) throw bad("Priority Areas must be supplied as Polygons");
            int n = p.getNumPoints();
            total += n;
            if (n > MAX_VERTICES || total > MAX_TOTAL_VERTICES) {
                throw bad("Priority areas may have at most " + MAX_VERTICES + " vertices each and "
                        + MAX_TOTAL_VERTICES + " in all");
            }
            for (Coordinate c : p.getCoordinates()) {
                if (c.x < -180 || c.x > 180 || c.y < -90 || c.y > 90) {
                    throw bad(String.format(Locale.ROOT, "Priority Area: coordinate %s %s is not a longitude/latitude", c.x, c.y));
                }
            }
            TopologyValidationError err = new IsValidOp(p).getValidationError();
            if (err != null) throw bad("Priority Area: Invalid Polygon - " + err.getMessage());
            out.add(GeoJson.write(p));
        }
        return out;
    }

    private static ApiException bad(String message) {
        return new ApiException(ErrorCode.INVALID_PRIORITY_AREA, message);
    }
}
