package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * {@code POST /projects/actions/intersecting-tiles/} (spec §4.3, {@code GridService.trim_grid_to_aoi}). Planar, in
 * whatever CRS the input uses (the reference's fixture is in EPSG:3857 metres), so no lon/lat range checks.
 */
public final class Trim {
    private Trim() {}

    /** The reference's GeoJSON library rounds every input coordinate to this many decimals before anything else. */
    public static final int INPUT_DECIMALS = 6;

    /**
     * Returns the FeatureCollection of grid features that meet the AOI, in input order: a tile the AOI contains is
     * returned unchanged (after the 6-decimal rounding); a tile whose intersection with the AOI has area is
     * returned as is ({@code clipToAoi = false}) or with the intersection as its MultiPolygon geometry and
     * {@code isSquare: false}; other tiles, including those that only touch the AOI, are dropped.
     *
     * @throws ApiException MUST_HAVE_FEATURES, MUST_BE_MULTIPLOYGON, INVALID_MULTIPOLYGON_AOI, SELF_INTERSECTING_AOI
     *                      for the AOI; INVALID_COORDINATES; INVALID_DATA for a grid that is not a FeatureCollection
     *                      of features with readable geometries
     */
    public static ObjectNode intersectingTiles(JsonNode areaOfInterest, JsonNode grid, boolean clipToAoi) {
        MultiPolygon aoi = Aoi.normalise(roundFeatures(areaOfInterest), true, false);
        JsonNode features = grid != null && grid.isObject() ? grid.get("features") : null;
        if (features == null || !features.isArray()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "grid must be a FeatureCollection with a features array");
        }
        PreparedGeometry prepared = PreparedGeometryFactory.prepare(aoi);
        List<JsonNode> kept = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            JsonNode f = features.get(i);
            if (f == null || !f.isObject() || !f.path("geometry").isObject()) {
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has no geometry");
            }
            ObjectNode feature = roundFeature(f);
            Geometry tile = GeoJson.read(feature.get("geometry"), ErrorCode.INVALID_DATA, "grid feature " + i);
            try {
                if (prepared.contains(tile)) {
                    kept.add(feature);
                    continue;
                }
                MultiPolygon inter = Geo.polygonal(OverlayNGRobust.overlay(aoi, tile, OverlayNG.INTERSECTION));
                if (inter.isEmpty()) continue;
                if (clipToAoi) {
                    feature.set("geometry", GeoJson.write(Geo.rfc7946(inter)));
                    JsonNode props = feature.get("properties");
                    ObjectNode p = props != null && props.isObject() ? (ObjectNode) props : feature.putObject("properties");
                    p.put("isSquare", false);
                }
                kept.add(feature);
            } catch (TopologyException | IllegalArgumentException e) {
                // JTS refuses invalid topology, and mixed-dimension input (a collection of a polygon and a point)
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has an invalid geometry: " + e.getMessage());
            }
        }
        return GeoJson.featureCollection(kept);
    }

    /** A deep copy of a FeatureCollection with every feature's coordinates rounded (spec §4.3). */
    static JsonNode roundFeatures(JsonNode fc) {
        if (fc == null || !fc.isObject() || !fc.path("features").isArray()) return fc;
        ObjectNode copy = ((ObjectNode) fc).deepCopy();
        ArrayNode features = (ArrayNode) copy.get("features");
        for (int i = 0; i < features.size(); i++) {
            if (features.get(i) instanceof ObjectNode f) features.set(i, roundFeature(f));
        }
        return copy;
    }

    static ObjectNode roundFeature(JsonNode feature) {
        ObjectNode copy = ((ObjectNode) feature).deepCopy();
        JsonNode g = copy.get("geometry");
        if (g instanceof ObjectNode geom) roundGeometry(geom);
        return copy;
    }

    private static void roundGeometry(ObjectNode g) {
        JsonNode c = g.get("coordinates");
        if (c instanceof ArrayNode a) roundArray(a);
        JsonNode members = g.get("geometries");
        if (members instanceof ArrayNode m) {
            for (JsonNode member : m) if (member instanceof ObjectNode o) roundGeometry(o);
        }
    }

    private static void roundArray(ArrayNode a) {
        for (int i = 0; i < a.size(); i++) {
            JsonNode v = a.get(i);
            if (v instanceof ArrayNode inner) {
                roundArray(inner);
            } else if (v.isFloatingPointNumber() && Double.isFinite(v.doubleValue())) {
                // Python's round() keeps ints as ints, so only floating-point values change.
                a.set(i, GeoJson.NODES.numberNode(Geo.round(v.doubleValue(), INPUT_DECIMALS)));
            }
        }
    }
}
