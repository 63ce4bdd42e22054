package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.algorithm.locate.IndexedPointInAreaLocator;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.Polygon;
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
        // RFC 7946 orientation (shells counter-clockwise) is what the rectangle clipper expects
        MultiPolygon aoi = Geo.rfc7946(Aoi.normalise(roundFeatures(areaOfInterest), true, false));
        if (features == null || !features.isArray()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "grid must be a FeatureCollection with a features array");
        }
        long outputVertices = 0;
        PreparedGeometry prepared = PreparedGeometryFactory.prepare(aoi);
        IndexedPointInAreaLocator locator = new IndexedPointInAreaLocator(aoi);
        STRtree aoiEdges = edges(aoi);
        double eps = margin(aoi.getEnvelopeInternal());
        List<JsonNode> kept = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            JsonNode f = features.get(i);
            if (f == null || !f.isObject() || !f.path("geometry").isObject()) {
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has no geometry");
            }
            if (System.nanoTime() - started > budget.maxTime().toNanos()) {
                throw new ApiException(ErrorCode.TRIM_TOO_COMPLEX, "Trimming took longer than " + budget.maxTime().toSeconds()
                        + " s; stopped at grid feature " + i, java.util.Map.of("feature", i));
            }
            // rounded as read; the rounded JSON copy is made only for the features kept
            Geometry tile;
            try {
                tile = GeoJson.read(f.get("geometry"), ErrorCode.INVALID_DATA, "grid feature " + i);
                tile.apply(ROUND);
            } catch (ApiException e) {
                // a ring that closes only once rounded, say: read what the rounding gives, as the reference does
                tile = GeoJson.read(roundFeature(f).get("geometry"), ErrorCode.INVALID_DATA, "grid feature " + i);
            }
            if (tile.getNumPoints() > budget.maxFeatureVertices()) {
                throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "grid feature %d has %d vertices; at most %d per feature are trimmed", i, tile.getNumPoints(),
                        budget.maxFeatureVertices()), java.util.Map.of("feature", i, "maxFeatureVertices", budget.maxFeatureVertices()));
            }
            Envelope env = tile.getEnvelopeInternal();
            Envelope grown = new Envelope(env);
            grown.expandBy(eps);
            @SuppressWarnings("unchecked")
            List<int[]> near = aoiEdges.query(grown);
            // one overlay cannot be interrupted: its pieces are bounded by AOI edges near the feature × its edges
            long pairWork = (long) near.size() * tile.getNumPoints();
            if (pairWork > budget.maxPairWork()) {
                throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "grid feature %d and the Area of Interest are too detailed where they meet (%d edge pairs; at most %d)",
                        i, pairWork, budget.maxPairWork()), java.util.Map.of("feature", i, "maxPairWork", budget.maxPairWork()));
            }
            if (isRectangle(tile)) {
                // a tile: decided from the AOI edges near it, clipped by the rectangle clipper (docs/geometry.md "Trim")
                RectClip.Where where = classify(aoi, near, env, eps, locator);
                if (where == RectClip.Where.OUTSIDE) continue;
                if (where == RectClip.Where.INSIDE || (where == RectClip.Where.CROSSING && !clipToAoi)) {
                    outputVertices = addOutput(outputVertices, tile.getNumPoints(), budget, i);
                    kept.add(roundFeature(f));
                    continue;
                }
                if (where == RectClip.Where.CROSSING) {
                    List<Polygon> parts = RectClip.clipNear(aoi, near, env.getMinX(), env.getMinY(), env.getMaxX(), env.getMaxY(), eps);
                    if (parts != null && !parts.isEmpty()) {
                        MultiPolygon inter = Geo.FACTORY.createMultiPolygon(parts.toArray(new Polygon[0]));
                        outputVertices = addOutput(outputVertices, inter.getNumPoints(), budget, i);
                        kept.add(clipped(roundFeature(f), inter));
                        continue;
                    }
                }
                // UNSURE, or a clip too close to the tile's sides to trust: the exact predicates and overlay below
            }
            try {
                if (prepared.contains(tile)) {
                    outputVertices = addOutput(outputVertices, tile.getNumPoints(), budget, i);
                    kept.add(roundFeature(f));
                    continue;
                }
                MultiPolygon inter = Geo.polygonal(OverlayNGRobust.overlay(aoi, tile, OverlayNG.INTERSECTION));
                if (inter.isEmpty()) continue;
                outputVertices = addOutput(outputVertices, clipToAoi ? inter.getNumPoints() : tile.getNumPoints(), budget, i);
                kept.add(clipToAoi ? clipped(roundFeature(f), inter) : roundFeature(f));
            } catch (TopologyException | IllegalArgumentException e) {
                // JTS refuses invalid topology, and mixed-dimension input (a collection of a polygon and a point)
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has an invalid geometry: " + e.getMessage());
            }
        }
        return GeoJson.featureCollection(kept);
    }

    /** Rounds a geometry's coordinates as {@link #roundFeature} rounds its JSON (integers stay as they are). */
    private static final CoordinateSequenceFilter ROUND = new CoordinateSequenceFilter() {
        @Override
        public void filter(CoordinateSequence seq, int i) {
            seq.setOrdinate(i, 0, Geo.round(seq.getX(i), INPUT_DECIMALS));
            seq.setOrdinate(i, 1, Geo.round(seq.getY(i), INPUT_DECIMALS));
        }

        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public boolean isGeometryChanged() {
            return true;
        }
    };

    /** The feature with {@code inter} as its geometry and {@code isSquare: false}. */
    private static ObjectNode clipped(ObjectNode feature, MultiPolygon inter) {
        feature.set("geometry", GeoJson.write(Geo.rfc7946(inter)));
        JsonNode props = feature.get("properties");
        ObjectNode p = props != null && props.isObject() ? (ObjectNode) props : feature.putObject("properties");
        p.put("isSquare", false);
        return feature;
    }

    /**
     * The distance within which the AOI's boundary makes a fast answer unsure: {@link RectClip#EPS} for degrees,
     * scaled with the coordinates' magnitude for other units (EPSG:3857 metres: about 0.1 mm), so it stays
     * four orders of magnitude above their rounding.
     */
    static double margin(Envelope aoi) {
        double m = Math.max(Math.max(Math.abs(aoi.getMinX()), Math.abs(aoi.getMaxX())), Math.max(Math.abs(aoi.getMinY()), Math.abs(aoi.getMaxY())));
        return RectClip.EPS * Math.max(1, m / 180);
    }

    /** A Polygon, or a MultiPolygon of one, that is an axis-aligned rectangle of 5 positions (a tile). */
    static boolean isRectangle(Geometry g) {
        if (g instanceof MultiPolygon mp && mp.getNumGeometries() == 1) g = mp.getGeometryN(0);
        return g instanceof Polygon p && p.isRectangle() && p.getEnvelopeInternal().getWidth() > 0 && p.getEnvelopeInternal().getHeight() > 0;
    }

    /**
     * Where the rectangle {@code r} lies relative to the AOI, from the AOI edges {@code near} it (all those within
     * {@code eps}): CROSSING when one passes through the rectangle shrunk by eps, INSIDE/OUTSIDE by its centre when
     * none comes within eps, else UNSURE.
     */
    static RectClip.Where classify(MultiPolygon aoi, List<int[]> near, Envelope r, double eps, IndexedPointInAreaLocator locator) {
        double x0 = r.getMinX(), y0 = r.getMinY(), x1 = r.getMaxX(), y1 = r.getMaxY();
        boolean close = false;
        for (int[] e : near) {
            Polygon p = (Polygon) aoi.getGeometryN(e[0]);
            CoordinateSequence cs = (e[1] < 0 ? p.getExteriorRing() : p.getInteriorRingN(e[1])).getCoordinateSequence();
            double ax = cs.getX(e[2]), ay = cs.getY(e[2]), bx = cs.getX(e[2] + 1), by = cs.getY(e[2] + 1);
            if (!RectClip.meets(ax, ay, bx, by, x0 - eps, y0 - eps, x1 + eps, y1 + eps)) continue;
            if (RectClip.meets(ax, ay, bx, by, x0 + eps, y0 + eps, x1 - eps, y1 - eps)) return RectClip.Where.CROSSING;
            close = true;
        }
        if (close) return RectClip.Where.UNSURE;
        int loc = locator.locate(new Coordinate((x0 + x1) / 2, (y0 + y1) / 2));
        return loc == Location.INTERIOR ? RectClip.Where.INSIDE : loc == Location.EXTERIOR ? RectClip.Where.OUTSIDE : RectClip.Where.UNSURE;
    }

    /** The AOI's edges in a spatial index as {polygon, ring (-1 for the shell), edge index}. */
    private static STRtree edges(MultiPolygon aoi) {
        STRtree t = new STRtree();
        for (int i = 0; i < aoi.getNumGeometries(); i++) {
            var p = (org.locationtech.jts.geom.Polygon) aoi.getGeometryN(i);
            for (int r = -1; r < p.getNumInteriorRing(); r++) {
                var cs = (r < 0 ? p.getExteriorRing() : p.getInteriorRingN(r)).getCoordinates();
                for (int k = 0; k + 1 < cs.length; k++) t.insert(new Envelope(cs[k], cs[k + 1]), new int[] {i, r, k});
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
