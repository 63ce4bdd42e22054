package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * {@code POST /projects/actions/intersecting-tiles/} ({@code GridService.trim_grid_to_aoi}). Planar, in
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
        return intersectingTiles(areaOfInterest, grid, clipToAoi, Budget.DEFAULT);
    }

    /**
     * The work one request may cause (security review M1): features in, vertices of the AOI and of each grid
     * feature, vertices out, and wall-clock time, checked between features. A grid feature is a tile (5 vertices)
     * or a clipped tile, so the per-feature bound keeps each overlay small whatever the AOI.
     */
    public record Budget(long maxFeatures, long maxAoiVertices, long maxFeatureVertices, long maxPairWork,
                         long maxOutputVertices, java.time.Duration maxTime) {
        public static final Budget DEFAULT = new Budget(100_000, 100_000, 256, 300_000, 1_000_000, java.time.Duration.ofSeconds(10));

        public Budget withMaxFeatures(long n) {
            return new Budget(n, maxAoiVertices, maxFeatureVertices, maxPairWork, maxOutputVertices, maxTime);
        }
    }

    /** As {@link #intersectingTiles(JsonNode, JsonNode, boolean)} within {@code budget}: 413 GridTooLarge, 400 TrimTooComplex. */
    public static ObjectNode intersectingTiles(JsonNode areaOfInterest, JsonNode grid, boolean clipToAoi, Budget budget) {
        long started = System.nanoTime();
        JsonNode features = grid != null && grid.isObject() ? grid.get("features") : null;
        if (features != null && features.isArray() && features.size() > budget.maxFeatures()) {
            throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                    "The grid has %d features; at most %d are trimmed", features.size(), budget.maxFeatures()),
                    java.util.Map.of("features", features.size(), "maxFeatures", budget.maxFeatures()));
        }
        long aoiVertices = numbers(areaOfInterest) / 2;
        if (aoiVertices > budget.maxAoiVertices()) {
            throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                    "The Area of Interest has about %d vertices; at most %d are trimmed against", aoiVertices, budget.maxAoiVertices()),
                    java.util.Map.of("maxAoiVertices", budget.maxAoiVertices()));
        }
        MultiPolygon aoi = Aoi.normalise(roundFeatures(areaOfInterest), true, false);
        if (features == null || !features.isArray()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "grid must be a FeatureCollection with a features array");
        }
        long outputVertices = 0;
        PreparedGeometry prepared = PreparedGeometryFactory.prepare(aoi);
        STRtree aoiEdges = edges(aoi);
        List<JsonNode> kept = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            JsonNode f = features.get(i);
            if (f == null || !f.isObject() || !f.path("geometry").isObject()) {
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has no geometry");
            }
            ObjectNode feature = roundFeature(f);
            if (System.nanoTime() - started > budget.maxTime().toNanos()) {
                throw new ApiException(ErrorCode.TRIM_TOO_COMPLEX, "Trimming took longer than " + budget.maxTime().toSeconds()
                        + " s; stopped at grid feature " + i, java.util.Map.of("feature", i));
            }
            Geometry tile = GeoJson.read(feature.get("geometry"), ErrorCode.INVALID_DATA, "grid feature " + i);
            if (tile.getNumPoints() > budget.maxFeatureVertices()) {
                throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "grid feature %d has %d vertices; at most %d per feature are trimmed", i, tile.getNumPoints(),
                        budget.maxFeatureVertices()), java.util.Map.of("feature", i, "maxFeatureVertices", budget.maxFeatureVertices()));
            }
            try {
                if (prepared.contains(tile)) {
                    outputVertices = addOutput(outputVertices, tile.getNumPoints(), budget, i);
                    kept.add(feature);
                    continue;
                }
                // one overlay cannot be interrupted: its pieces are bounded by AOI edges near the feature × its edges
                long pairWork = (long) aoiEdges.query(tile.getEnvelopeInternal()).size() * tile.getNumPoints();
                if (pairWork > budget.maxPairWork()) {
                    throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                            "grid feature %d and the Area of Interest are too detailed where they meet (%d edge pairs; at most %d)",
                            i, pairWork, budget.maxPairWork()), java.util.Map.of("feature", i, "maxPairWork", budget.maxPairWork()));
                }
                MultiPolygon inter = Geo.polygonal(OverlayNGRobust.overlay(aoi, tile, OverlayNG.INTERSECTION));
                if (inter.isEmpty()) continue;
                outputVertices = addOutput(outputVertices, clipToAoi ? inter.getNumPoints() : tile.getNumPoints(), budget, i);
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

    /** The AOI's edges in a spatial index, to count those near a grid feature. */
    private static STRtree edges(MultiPolygon aoi) {
        STRtree t = new STRtree();
        for (int i = 0; i < aoi.getNumGeometries(); i++) {
            var p = (org.locationtech.jts.geom.Polygon) aoi.getGeometryN(i);
            for (int r = -1; r < p.getNumInteriorRing(); r++) {
                var cs = (r < 0 ? p.getExteriorRing() : p.getInteriorRingN(r)).getCoordinates();
                for (int k = 0; k + 1 < cs.length; k++) t.insert(new Envelope(cs[k], cs[k + 1]), Boolean.TRUE);
            }
        }
        return t;
    }

    private static long addOutput(long sofar, int vertices, Budget budget, int feature) {
        long n = sofar + vertices;
        if (n > budget.maxOutputVertices()) {
            throw new ApiException(ErrorCode.TRIM_TOO_COMPLEX, String.format(java.util.Locale.ROOT,
                    "The trimmed grid would have more than %d vertices; stopped at grid feature %d", budget.maxOutputVertices(), feature),
                    java.util.Map.of("feature", feature, "maxOutputVertices", budget.maxOutputVertices()));
        }
        return n;
    }

    /** How many numbers a JSON tree holds (two per vertex in coordinates), counted without building geometries. */
    static long numbers(JsonNode n) {
        if (n == null) return 0;
        if (n.isNumber()) return 1;
        long c = 0;
        if (n.isContainerNode()) for (JsonNode child : n) c += numbers(child);
        return c;
    }

    /** A deep copy of a FeatureCollection with every feature's coordinates rounded. */
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
