package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/** Task FeatureCollections: validation of a client's {@code tasks} and arbitrary tasks. */
public final class TaskFeatures {
    private TaskFeatures() {}

    private static final String[] REQUIRED = {"x", "y", "zoom", "isSquare"};

    /**
     * Validates a {@code tasks} FeatureCollection and returns its tasks in feature order (task ids 1..N).
     * Topology is not checked (the reference stores what the browser clipped, valid or not); structure,
     * finiteness and the lon/lat range are.
     *
     * @throws ApiException MUST_BE_FEATURE_COLLECTION, INVALID_FEATURE_COLLECTION, MUST_BE_FEATURE,
     *                      MUST_BE_MULTIPOLYGON, INVALID_MULTIPOLYGON, PROPERTY_NOT_FOUND, INVALID_COORDINATES,
     *                      INVALID_DATA (a property of the wrong type, or x/y outside the zoom's grid)
     */
    public static List<TaskShape> parse(JsonNode fc) {
        if (fc == null || !fc.isObject() || !"FeatureCollection".equals(fc.path("type").asText(null))) {
            throw new ApiException(ErrorCode.MUST_BE_FEATURE_COLLECTION);
        }
        JsonNode features = fc.get("features");
        if (features == null || !features.isArray()) {
            throw new ApiException(ErrorCode.INVALID_FEATURE_COLLECTION,
                    ErrorCode.INVALID_FEATURE_COLLECTION.message + " - \"features\" must be an array");
        }
        List<TaskShape> out = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) out.add(task(features.get(i), i));
        return out;
    }

    private static TaskShape task(JsonNode f, int index) {
        Map<String, Object> where = Map.of("feature", index);
        if (f == null || !f.isObject() || !"Feature".equals(f.path("type").asText(null))) {
            throw new ApiException(ErrorCode.MUST_BE_FEATURE, ErrorCode.MUST_BE_FEATURE.message, where);
        }
        JsonNode g = f.get("geometry");
        if (g == null || !g.isObject() || !"MultiPolygon".equals(g.path("type").asText(null))) {
            throw new ApiException(ErrorCode.MUST_BE_MULTIPOLYGON, ErrorCode.MUST_BE_MULTIPOLYGON.message, where);
        }
        MultiPolygon geometry = (MultiPolygon) GeoJson.read(g, ErrorCode.INVALID_MULTIPOLYGON, ErrorCode.INVALID_MULTIPOLYGON.message);
        if (geometry.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_MULTIPOLYGON, ErrorCode.INVALID_MULTIPOLYGON.message + " - it has no polygons", where);
        }
        Aoi.checkLonLat(geometry);
        JsonNode props = f.get("properties");
        for (String key : REQUIRED) {
            if (props == null || !props.isObject() || !props.has(key)) {
                throw new ApiException(ErrorCode.PROPERTY_NOT_FOUND, "Expected property not found: '" + key + "'", where);
            }
        }
        Integer x = integer(props, "x"), y = integer(props, "y"), zoom = integer(props, "zoom");
        JsonNode sq = props.get("isSquare");
        if (!sq.isNull() && !sq.isBoolean()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Task property 'isSquare' must be true, false or null", where);
        }
        if (x != null && y != null && zoom != null) {
            try {
                TileMath.checkTile(x, y, zoom);
            } catch (IllegalArgumentException e) {
                throw new ApiException(ErrorCode.INVALID_DATA, "Task properties x/y/zoom do not name a tile: " + e.getMessage(), where);
            }
        }
        JsonNode extra = props.get("extra_properties");
        return new TaskShape(x, y, zoom, sq.asBoolean(false), geometry, extra == null || extra.isNull() ? null : extra);
    }

    private static Integer integer(JsonNode props, String key) {
        JsonNode v = props.get(key);
        if (v.isNull()) return null;
        if (v.isNumber() && v.canConvertToExactIntegral() && v.canConvertToInt()) return v.asInt();
        throw new ApiException(ErrorCode.INVALID_DATA, "Task property '" + key + "' must be an integer or null");
    }

    /**
     * One task per Polygon/MultiPolygon feature of the AOI, in feature order, not dissolved; properties
     * {x: null, y: null, zoom: null, isSquare: false}, {@code extraProperties} = the feature's original properties
     * (null when it had none). Geometry is checked as for the AOI.
     *
     * @throws ApiException MUST_HAVE_FEATURES, MUST_BE_MULTIPLOYGON (no polygonal feature),
     *                      INVALID_MULTIPOLYGON_AOI, SELF_INTERSECTING_AOI, INVALID_COORDINATES
     */
    public static List<TaskShape> fromAoiFeatures(JsonNode aoiFeatureCollection) {
        JsonNode features = aoiFeatureCollection != null && aoiFeatureCollection.isObject() ? aoiFeatureCollection.get("features") : null;
        if (features == null || !features.isArray() || features.isEmpty()) throw new ApiException(ErrorCode.MUST_HAVE_FEATURES);
        List<TaskShape> out = new ArrayList<>();
        for (JsonNode f : features) {
            List<Polygon> polys = Aoi.featurePolygons(f, true);
            if (polys.isEmpty()) continue;
            JsonNode props = f.get("properties");
            out.add(new TaskShape(null, null, null, false, Geo.FACTORY.createMultiPolygon(polys.toArray(new Polygon[0])),
                    props == null || props.isNull() ? null : props.deepCopy()));
        }
        if (out.isEmpty()) throw new ApiException(ErrorCode.MUST_BE_MULTIPLOYGON);
        return out;
    }
}
