package dev.tmserverless.core.geo;

import com.fasterxml.jackson.databind.JsonNode;
import org.locationtech.jts.geom.MultiPolygon;

/**
 * A task's shape as stored and served: tile indices (null for non-grid tasks), whether it is the full tile
 * square, its EPSG:4326 geometry, and the arbitrary-task {@code extra_properties} (null if none).
 */
public record TaskShape(Integer x, Integer y, Integer zoom, boolean isSquare, MultiPolygon geometry,
                        JsonNode extraProperties) {

    /** True when the split rule of the reference treats this task as a tile (square children). */
    public boolean isTile() {
        return isSquare && x != null && y != null && zoom != null;
    }
}
