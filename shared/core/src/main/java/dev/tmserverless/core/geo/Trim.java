package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.algorithm.RayCrossingCounter;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.index.hprtree.HPRtree;
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

    /** Reads JSON with the fast (and correctly rounded) double parser; numbers come out as {@link ObjectMapper} gives them. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    /**
     * Parses a request body as {@code ObjectMapper.readTree} would (the same tree, the same doubles), with the fast
     * double parser: a trim request is mostly numbers (docs/geometry.md "Intersecting-tiles benchmark").
     *
     * @throws java.io.IOException for anything that is not one JSON document
     */
    public static JsonNode readRequest(String body) throws java.io.IOException {
        return JSON.readTree(body);
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
        try {
            return (ObjectNode) JSON.readTree(intersectingTilesJson(areaOfInterest, grid, clipToAoi, budget));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answer of {@link #intersectingTiles(JsonNode, JsonNode, boolean, Budget)} as JSON text, written as it is
     * computed: no tree of the answer is built, no copy of a kept feature is made.
     */
    public static String intersectingTilesJson(JsonNode areaOfInterest, JsonNode grid, boolean clipToAoi, Budget budget) {
        java.io.StringWriter text = new java.io.StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            write(areaOfInterest, grid, clipToAoi, budget, out);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    private static void write(JsonNode areaOfInterest, JsonNode grid, boolean clipToAoi, Budget budget, JsonGenerator out)
            throws java.io.IOException {
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
        MultiPolygon aoi = Geo.rfc7946(Aoi.normaliseRounded(areaOfInterest, true, false));
        if (features == null || !features.isArray()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "grid must be a FeatureCollection with a features array");
        }
        out.writeStartObject();
        out.writeStringField("type", "FeatureCollection");
        out.writeArrayFieldStart("features");
        long outputVertices = 0;
        PreparedGeometry prepared = null;
        HPRtree aoiEdges = edges(aoi);
        Locator locator = (x, y) -> locate(aoi, aoiEdges, x, y);
        double eps = margin(aoi.getEnvelopeInternal());
        List<int[]> near = new ArrayList<>();
        Decided decided = new Decided();
        GeoJson.Numbers numbers = new GeoJson.Numbers();
        for (int i = 0; i < features.size(); i++) {
            JsonNode f = features.get(i);
            if (f == null || !f.isObject() || !f.path("geometry").isObject()) {
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has no geometry");
            }
            if (System.nanoTime() - started > budget.maxTime().toNanos()) {
                throw new ApiException(ErrorCode.TRIM_TOO_COMPLEX, "Trimming took longer than " + budget.maxTime().toSeconds()
                        + " s; stopped at grid feature " + i, java.util.Map.of("feature", i));
            }
            // rounded as read; kept features are written rounded from the request's own tree
            Tile sent = Tile.of(f.get("geometry"));
            Geometry tile = null;
            Envelope env;
            int points;
            boolean rectangle;
            if (sent != null) {
                env = sent.env;
                points = 5;
                rectangle = true;
            } else {
                try {
                    tile = GeoJson.read(f.get("geometry"), ErrorCode.INVALID_DATA, "grid feature " + i);
                    tile.apply(ROUND);
                } catch (ApiException e) {
                    // a ring that closes only once rounded, say: read what the rounding gives, as the reference does
                    tile = GeoJson.read(roundFeature(f).get("geometry"), ErrorCode.INVALID_DATA, "grid feature " + i);
                }
                points = tile.getNumPoints();
                env = tile.getEnvelopeInternal();
                rectangle = isRectangle(tile);
            }
            if (points > budget.maxFeatureVertices()) {
                throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "grid feature %d has %d vertices; at most %d per feature are trimmed", i, points,
                        budget.maxFeatureVertices()), java.util.Map.of("feature", i, "maxFeatureVertices", budget.maxFeatureVertices()));
            }
            Envelope grown = new Envelope(env);
            grown.expandBy(eps);
            near.clear();
            aoiEdges.query(grown, item -> near.add((int[]) item));
            // one overlay cannot be interrupted: its pieces are bounded by AOI edges near the feature × its edges
            long pairWork = (long) near.size() * points;
            if (pairWork > budget.maxPairWork()) {
                throw new ApiException(ErrorCode.GRID_TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "grid feature %d and the Area of Interest are too detailed where they meet (%d edge pairs; at most %d)",
                        i, pairWork, budget.maxPairWork()), java.util.Map.of("feature", i, "maxPairWork", budget.maxPairWork()));
            }
            boolean crossing = false;
            if (rectangle) {
                // a tile: decided from the AOI edges near it, clipped by the rectangle clipper (docs/geometry.md "Trim")
                RectClip.Where where = classify(aoi, near, env, eps, locator, decided);
                if (where == RectClip.Where.OUTSIDE) continue;
                if (where == RectClip.Where.INSIDE || (where == RectClip.Where.CROSSING && !clipToAoi)) {
                    outputVertices = addOutput(outputVertices, points, budget, i);
                    writeRounded(f, out, numbers);
                    continue;
                }
                if (where == RectClip.Where.CROSSING) {
                    List<Polygon> parts = RectClip.clipNear(aoi, near, env.getMinX(), env.getMinY(), env.getMaxX(), env.getMaxY(), eps);
                    if (parts != null && !parts.isEmpty()) {
                        MultiPolygon inter = Geo.FACTORY.createMultiPolygon(parts.toArray(new Polygon[0]));
                        outputVertices = addOutput(outputVertices, inter.getNumPoints(), budget, i);
                        writeClipped(f, inter, out, numbers);
                        continue;
                    }
                    crossing = true;
                }
                // UNSURE, or a clip too close to the tile's sides to trust: the exact predicates and overlay below
            }
            if (tile == null) tile = sent.geometry();
            try {
                Geometry around = rectangle ? near(aoi, aoiEdges, near, env, eps) : aoi;
                // the AOI's boundary passes through a crossing tile's interior, so the AOI cannot contain it
                if (!crossing) {
                    boolean contains;
                    if (around != aoi) {
                        contains = around.contains(tile);
                    } else {
                        if (prepared == null) prepared = PreparedGeometryFactory.prepare(aoi);
                        contains = prepared.contains(tile);
                    }
                    if (contains) {
                        outputVertices = addOutput(outputVertices, tile.getNumPoints(), budget, i);
                        writeRounded(f, out, numbers);
                        continue;
                    }
                }
                MultiPolygon inter = Geo.polygonal(OverlayNGRobust.overlay(around, tile, OverlayNG.INTERSECTION));
                if (inter.isEmpty()) continue;
                outputVertices = addOutput(outputVertices, clipToAoi ? inter.getNumPoints() : tile.getNumPoints(), budget, i);
                if (clipToAoi) writeClipped(f, inter, out, numbers); else writeRounded(f, out, numbers);
            } catch (TopologyException | IllegalArgumentException e) {
                // JTS refuses invalid topology, and mixed-dimension input (a collection of a polygon and a point)
                throw new ApiException(ErrorCode.INVALID_DATA, "grid feature " + i + " has an invalid geometry: " + e.getMessage());
            }
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    /**
     * A grid feature's geometry read straight from the request's tree when it is what the browser sends: a Polygon,
     * or a MultiPolygon of one, of one ring of five [x, y] positions that once rounded is closed and an axis-aligned
     * rectangle with sides (the rule of JTS {@code Polygon.isRectangle}). Anything else is read by {@link GeoJson}.
     */
    record Tile(boolean multi, double[] xy, Envelope env) {
        static Tile of(JsonNode g) {
            if (g == null || !g.isObject()) return null;
            JsonNode type = g.get("type"), c = g.get("coordinates");
            if (type == null || c == null || !c.isArray() || c.size() != 1) return null;
            boolean multi = "MultiPolygon".equals(type.textValue());
            if (!multi && !"Polygon".equals(type.textValue())) return null;
            JsonNode ring = c.get(0);
            if (multi) ring = ring.isArray() && ring.size() == 1 ? ring.get(0) : null;
            if (ring == null || !ring.isArray() || ring.size() != 5) return null;
            double[] xy = new double[10];
            for (int k = 0; k < 5; k++) {
                JsonNode p = ring.get(k);
                if (!p.isArray() || p.size() != 2) return null;
                for (int d = 0; d < 2; d++) {
                    JsonNode v = p.get(d);
                    if (!v.isNumber()) return null;
                    double n = v.doubleValue();
                    if (!Double.isFinite(n)) return null;
                    xy[2 * k + d] = Geo.round(n, INPUT_DECIMALS);
                }
            }
            if (xy[0] != xy[8] || xy[1] != xy[9]) return null;
            double x0 = xy[0], x1 = xy[0], y0 = xy[1], y1 = xy[1];
            for (int k = 1; k < 5; k++) {
                double x = xy[2 * k], y = xy[2 * k + 1];
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
            }
            if (!(x1 > x0 && y1 > y0)) return null;
            for (int k = 0; k < 5; k++) {
                double x = xy[2 * k], y = xy[2 * k + 1];
                if ((x != x0 && x != x1) || (y != y0 && y != y1)) return null;
                if (k > 0 && (x != xy[2 * k - 2]) == (y != xy[2 * k - 1])) return null;
            }
            return new Tile(multi, xy, new Envelope(x0, x1, y0, y1));
        }

        /** The tile as {@link GeoJson} reads it once rounded: same type, same positions in the same order. */
        Geometry geometry() {
            Coordinate[] pts = new Coordinate[5];
            for (int k = 0; k < 5; k++) pts[k] = new Coordinate(xy[2 * k], xy[2 * k + 1]);
            Polygon p = Geo.FACTORY.createPolygon(pts);
            return multi ? Geo.FACTORY.createMultiPolygon(new Polygon[] {p}) : p;
        }
    }

    /** Writes a grid feature as sent, its geometry's coordinates rounded as {@link #roundFeature} rounds them. */
    private static void writeRounded(JsonNode feature, JsonGenerator out, GeoJson.Numbers numbers) throws java.io.IOException {
        out.writeStartObject();
        for (var e : feature.properties()) {
            out.writeFieldName(e.getKey());
            if (e.getKey().equals("geometry")) writeRoundedGeometry(e.getValue(), out, numbers); else out.writeTree(e.getValue());
        }
        out.writeEndObject();
    }

    private static void writeRoundedGeometry(JsonNode g, JsonGenerator out, GeoJson.Numbers numbers) throws java.io.IOException {
        if (!g.isObject()) {
            out.writeTree(g);
            return;
        }
        out.writeStartObject();
        for (var e : g.properties()) {
            out.writeFieldName(e.getKey());
            JsonNode v = e.getValue();
            if (e.getKey().equals("coordinates") && v.isArray()) {
                writeRoundedArray(v, out, numbers);
            } else if (e.getKey().equals("geometries") && v.isArray()) {
                out.writeStartArray();
                for (JsonNode member : v) writeRoundedGeometry(member, out, numbers);
                out.writeEndArray();
            } else {
                out.writeTree(v);
            }
        }
        out.writeEndObject();
    }

    private static void writeRoundedArray(JsonNode a, JsonGenerator out, GeoJson.Numbers numbers) throws java.io.IOException {
        out.writeStartArray();
        for (JsonNode v : a) {
            if (v.isArray()) {
                writeRoundedArray(v, out, numbers);
            } else if (v.isFloatingPointNumber() && Double.isFinite(v.doubleValue())) {
                numbers.write(Geo.round(v.doubleValue(), INPUT_DECIMALS), out);
            } else {
                out.writeTree(v);
            }
        }
        out.writeEndArray();
    }

    /**
     * Writes a grid feature with {@code inter} as its geometry (RFC 7946 orientation) and {@code isSquare: false} in
     * its properties (in place of an existing {@code isSquare}, else last; an object in place of properties that
     * are not one, else last).
     */
    private static void writeClipped(JsonNode feature, MultiPolygon inter, JsonGenerator out, GeoJson.Numbers numbers)
            throws java.io.IOException {
        out.writeStartObject();
        boolean props = false;
        for (var e : feature.properties()) {
            out.writeFieldName(e.getKey());
            if (e.getKey().equals("geometry")) {
                GeoJson.write(Geo.rfc7946(inter), out, numbers);
            } else if (e.getKey().equals("properties")) {
                props = true;
                out.writeStartObject();
                boolean square = false;
                if (e.getValue().isObject()) {
                    for (var p : e.getValue().properties()) {
                        out.writeFieldName(p.getKey());
                        if (p.getKey().equals("isSquare")) {
                            square = true;
                            out.writeBoolean(false);
                        } else {
                            out.writeTree(p.getValue());
                        }
                    }
                }
                if (!square) out.writeBooleanField("isSquare", false);
                out.writeEndObject();
            } else {
                out.writeTree(e.getValue());
            }
        }
        if (!props) {
            out.writeObjectFieldStart("properties");
            out.writeBooleanField("isSquare", false);
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    /** Rounds a geometry's coordinates as {@link #roundFeature} rounds its JSON (integers stay as they are). */
    static final CoordinateSequenceFilter ROUND = new CoordinateSequenceFilter() {
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
    static RectClip.Where classify(MultiPolygon aoi, List<int[]> near, Envelope r, double eps, Locator locator) {
        return classify(aoi, near, r, eps, locator, new Decided());
    }

    /** A point's {@link Location} in the AOI. */
    interface Locator {
        int locate(double x, double y);
    }

    /**
     * The location of (x, y) in the AOI by the crossings of a ray to its right with the AOI's edges (JTS
     * {@link RayCrossingCounter}, as IndexedPointInAreaLocator counts them), the edges found in the index the tiles
     * already use instead of an interval tree built for the purpose.
     */
    static int locate(MultiPolygon aoi, HPRtree edges, double x, double y) {
        Envelope box = aoi.getEnvelopeInternal();
        if (x > box.getMaxX() || y < box.getMinY() || y > box.getMaxY()) return Location.EXTERIOR;
        RayCrossingCounter counter = new RayCrossingCounter(new Coordinate(x, y));
        edges.query(new Envelope(x, box.getMaxX(), y, y), item -> {
            int[] e = (int[]) item;
            Polygon p = (Polygon) aoi.getGeometryN(e[0]);
            CoordinateSequence cs = (e[1] < 0 ? p.getExteriorRing() : p.getInteriorRingN(e[1])).getCoordinateSequence();
            counter.countSegment(cs.getCoordinate(e[2]), cs.getCoordinate(e[2] + 1));
        });
        return counter.getLocation();
    }

    /**
     * The last rectangle found wholly inside or outside, with that answer. A rectangle that no AOI edge comes near
     * lies in one piece of the plane cut by the AOI's boundary; so does the last one, and if the two meet (tiles of a
     * column share a side) it is the same piece: the answer is taken over without locating a point.
     */
    static final class Decided {
        Envelope env;
        RectClip.Where where;
    }

    /** As {@link #classify(MultiPolygon, List, Envelope, double, Locator)}, reusing {@code last}. */
    static RectClip.Where classify(MultiPolygon aoi, List<int[]> near, Envelope r, double eps, Locator locator,
                                   Decided last) {
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
        if (last.env != null && last.env.intersects(r)) {
            last.env = r;
            return last.where;
        }
        int loc = locator.locate((x0 + x1) / 2, (y0 + y1) / 2);
        RectClip.Where where = loc == Location.INTERIOR ? RectClip.Where.INSIDE : loc == Location.EXTERIOR ? RectClip.Where.OUTSIDE : RectClip.Where.UNSURE;
        if (where != RectClip.Where.UNSURE) {
            last.env = r;
            last.where = where;
        }
        return where;
    }

    /**
     * The AOI where it matters for the exact path on the rectangle {@code tile}: the AOI cut by the rectangle clipper
     * to a box around the tile and around every AOI edge {@code near} it, so those edges reach the overlay whole and
     * unmoved, and every edge the cut changes stays more than eps from the tile. Within the tile it is the AOI, at
     * the cost of its neighbourhood instead of the whole AOI's. The whole AOI when the cut is not clear.
     */
    static Geometry near(MultiPolygon aoi, HPRtree aoiEdges, List<int[]> near, Envelope tile, double eps) {
        Envelope box = new Envelope(tile);
        for (int[] e : near) {
            Polygon p = (Polygon) aoi.getGeometryN(e[0]);
            CoordinateSequence cs = (e[1] < 0 ? p.getExteriorRing() : p.getInteriorRingN(e[1])).getCoordinateSequence();
            box.expandToInclude(cs.getX(e[2]), cs.getY(e[2]));
            box.expandToInclude(cs.getX(e[2] + 1), cs.getY(e[2] + 1));
        }
        // off the 6-decimal lattice the input is rounded to, so the box's sides rarely meet a vertex
        box.expandBy(Math.max(box.getWidth(), box.getHeight()) * 0.0173 + 16 * eps);
        Envelope grown = new Envelope(box);
        grown.expandBy(eps);
        List<int[]> inBox = new ArrayList<>();
        aoiEdges.query(grown, item -> inBox.add((int[]) item));
        if (inBox.isEmpty()) return aoi;
        List<Polygon> parts = RectClip.clipNear(aoi, inBox, box.getMinX(), box.getMinY(), box.getMaxX(), box.getMaxY(), eps);
        if (parts == null || parts.isEmpty()) return aoi;
        return Geo.FACTORY.createMultiPolygon(parts.toArray(new Polygon[0]));
    }

    /** The AOI's edges in a spatial index as {polygon, ring (-1 for the shell), edge index}. */
    private static HPRtree edges(MultiPolygon aoi) {
        HPRtree t = new HPRtree();
        for (int i = 0; i < aoi.getNumGeometries(); i++) {
            var p = (org.locationtech.jts.geom.Polygon) aoi.getGeometryN(i);
            for (int r = -1; r < p.getNumInteriorRing(); r++) {
                var cs = (r < 0 ? p.getExteriorRing() : p.getInteriorRingN(r)).getCoordinates();
                for (int k = 0; k + 1 < cs.length; k++) t.insert(new Envelope(cs[k], cs[k + 1]), new int[] {i, r, k});
            }
        }
        t.build();
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
