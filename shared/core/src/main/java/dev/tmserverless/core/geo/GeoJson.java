package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryCollection;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiLineString;
import org.locationtech.jts.geom.MultiPoint;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;

/**
 * GeoJSON (RFC 7946, as a Jackson tree) ⇄ JTS, EPSG:4326. Reading checks structure (closed rings of at least
 * four positions, numeric positions) and drops Z/M; it never range-checks, because the trim endpoint works
 * in whatever CRS its input uses.
 */
public final class GeoJson {
    private GeoJson() {}

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Why a geometry could not be read; callers turn it into the SubCode of their context. */
    static final class Malformed extends RuntimeException {
        final boolean badNumber;

        Malformed(String message, boolean badNumber) {
            super(message, null, false, false);
            this.badNumber = badNumber;
        }
    }

    /**
     * Reads a GeoJSON geometry object.
     *
     * @throws ApiException INVALID_COORDINATES for non-numeric/NaN/infinite coordinates, INVALID_DATA for any
     *                      other malformed input
     */
    public static Geometry read(JsonNode geometry) {
        try {
            return parse(geometry);
        } catch (Malformed m) {
            throw m.badNumber
                    ? new ApiException(ErrorCode.INVALID_COORDINATES, m.getMessage())
                    : new ApiException(ErrorCode.INVALID_DATA, "Invalid GeoJSON geometry - " + m.getMessage());
        }
    }

    /** Like {@link #read} but structural problems become {@code structural} with {@code prefix + " - " + detail}. */
    static Geometry read(JsonNode geometry, ErrorCode structural, String prefix) {
        try {
            return parse(geometry);
        } catch (Malformed m) {
            throw m.badNumber
                    ? new ApiException(ErrorCode.INVALID_COORDINATES, m.getMessage())
                    : new ApiException(structural, prefix + " - " + m.getMessage());
        }
    }

    static Geometry parse(JsonNode g) {
        if (g == null || !g.isObject()) throw new Malformed("geometry must be an object", false);
        JsonNode type = g.get("type");
        if (type == null || !type.isTextual()) throw new Malformed("geometry has no type", false);
        String t = type.asText();
        if (t.equals("GeometryCollection")) {
            JsonNode members = g.get("geometries");
            if (members == null || !members.isArray()) throw new Malformed("GeometryCollection needs a geometries array", false);
            Geometry[] parts = new Geometry[members.size()];
            for (int i = 0; i < parts.length; i++) parts[i] = parse(members.get(i));
            return Geo.FACTORY.createGeometryCollection(parts);
        }
        JsonNode c = g.get("coordinates");
        if (c == null || !c.isArray()) throw new Malformed(t + " needs a coordinates array", false);
        return switch (t) {
            case "Point" -> c.isEmpty() ? Geo.FACTORY.createPoint() : Geo.FACTORY.createPoint(position(c));
            case "MultiPoint" -> Geo.FACTORY.createMultiPointFromCoords(positions(c, 0, false, "MultiPoint"));
            case "LineString" -> lineString(c);
            case "MultiLineString" -> {
                LineString[] lines = new LineString[c.size()];
                for (int i = 0; i < lines.length; i++) lines[i] = lineString(array(c.get(i), "MultiLineString member"));
                yield Geo.FACTORY.createMultiLineString(lines);
            }
            case "Polygon" -> polygon(c);
            case "MultiPolygon" -> {
                Polygon[] polys = new Polygon[c.size()];
                for (int i = 0; i < polys.length; i++) {
                    polys[i] = polygon(array(c.get(i), "MultiPolygon member"));
                    if (polys[i].isEmpty()) throw new Malformed("MultiPolygon member " + i + " has no rings", false);
                }
                yield Geo.FACTORY.createMultiPolygon(polys);
            }
            default -> throw new Malformed("unsupported geometry type '" + t + "'", false);
        };
    }

    private static JsonNode array(JsonNode n, String what) {
        if (n == null || !n.isArray()) throw new Malformed(what + " must be an array", false);
        return n;
    }

    private static LineString lineString(JsonNode c) {
        Coordinate[] pts = positions(c, 2, false, "LineString");
        return pts.length == 0 ? Geo.FACTORY.createLineString() : Geo.FACTORY.createLineString(pts);
    }

    private static Polygon polygon(JsonNode rings) {
        if (rings.isEmpty()) return Geo.FACTORY.createPolygon();
        LinearRing shell = null;
        LinearRing[] holes = new LinearRing[rings.size() - 1];
        for (int i = 0; i < rings.size(); i++) {
            Coordinate[] pts = positions(array(rings.get(i), "Polygon ring"), 4, true, i == 0 ? "exterior ring" : "interior ring");
            LinearRing ring = Geo.FACTORY.createLinearRing(pts);
            if (i == 0) shell = ring; else holes[i - 1] = ring;
        }
        return Geo.FACTORY.createPolygon(shell, holes);
    }

    private static Coordinate[] positions(JsonNode arr, int min, boolean ring, String what) {
        int n = arr.size();
        if (n < min && !(n == 0 && !ring)) {
            throw new Malformed(what + " must have at least " + min + " positions, has " + n, false);
        }
        Coordinate[] pts = new Coordinate[n];
        for (int i = 0; i < n; i++) pts[i] = position(arr.get(i));
        if (ring && !pts[0].equals2D(pts[n - 1])) throw new Malformed(what + " is not closed (first position differs from last)", false);
        return pts;
    }

    private static Coordinate position(JsonNode p) {
        if (p == null || !p.isArray() || p.size() < 2) throw new Malformed("a position must be an array of at least two numbers", false);
        for (int i = 0; i < p.size(); i++) {
            if (!p.get(i).isNumber()) throw new Malformed("coordinate is not a number: " + p.get(i), true);
        }
        double x = p.get(0).asDouble();
        double y = p.get(1).asDouble();
        if (!Double.isFinite(x) || !Double.isFinite(y)) throw new Malformed("coordinate is not a finite number: " + p, true);
        return new Coordinate(x, y);
    }

    /** Writes a geometry as a GeoJSON geometry object: 2-D positions as JSON numbers. */
    public static ObjectNode write(Geometry g) {
        ObjectNode o = NODES.objectNode();
        if (g instanceof GeometryCollection gc && !(g instanceof MultiPoint || g instanceof MultiLineString || g instanceof MultiPolygon)) {
            o.put("type", "GeometryCollection");
            ArrayNode members = o.putArray("geometries");
            for (int i = 0; i < gc.getNumGeometries(); i++) members.add(write(gc.getGeometryN(i)));
            return o;
        }
        String type = g instanceof LinearRing ? "LineString" : g.getGeometryType();
        o.put("type", type);
        ArrayNode c = o.putArray("coordinates");
        switch (g) {
            case Point p -> { if (!p.isEmpty()) position(c, p.getCoordinate()); }
            case LineString l -> line(c, l.getCoordinates());
            case Polygon p -> polygon(c, p);
            case MultiPoint mp -> { for (Coordinate k : mp.getCoordinates()) position(c.addArray(), k); }
            case MultiLineString ml -> {
                for (int i = 0; i < ml.getNumGeometries(); i++) line(c.addArray(), ml.getGeometryN(i).getCoordinates());
            }
            case MultiPolygon mp -> {
                for (int i = 0; i < mp.getNumGeometries(); i++) polygon(c.addArray(), (Polygon) mp.getGeometryN(i));
            }
            default -> throw new IllegalArgumentException("unsupported geometry " + type);
        }
        return o;
    }

    /**
     * The text Jackson writes for a double ({@link Double#toString}), remembered for the last value of each of 512
     * slots: the tiles of a grid share a few distinct edge coordinates, each written thousands of times.
     */
    static final class Numbers {
        private final long[] bits = new long[512];
        private final String[] text = new String[512];

        void write(double v, com.fasterxml.jackson.core.JsonGenerator out) throws java.io.IOException {
            long b = Double.doubleToRawLongBits(v);
            int i = (int) (b ^ (b >>> 17) ^ (b >>> 37)) & 511;
            String t = text[i];
            if (t == null || bits[i] != b) {
                t = Double.toString(v);
                bits[i] = b;
                text[i] = t;
            }
            out.writeNumber(t);
        }
    }

    /** Writes a MultiPolygon as {@link #write(Geometry)} does, straight to a generator (no tree). */
    static void write(MultiPolygon mp, com.fasterxml.jackson.core.JsonGenerator out) throws java.io.IOException {
        write(mp, out, new Numbers());
    }

    /** As {@link #write(MultiPolygon, com.fasterxml.jackson.core.JsonGenerator)} with the numbers' text remembered in {@code numbers}. */
    static void write(MultiPolygon mp, com.fasterxml.jackson.core.JsonGenerator out, Numbers numbers) throws java.io.IOException {
        out.writeStartObject();
        out.writeStringField("type", "MultiPolygon");
        out.writeArrayFieldStart("coordinates");
        for (int i = 0; i < mp.getNumGeometries(); i++) {
            Polygon p = (Polygon) mp.getGeometryN(i);
            out.writeStartArray();
            if (!p.isEmpty()) {
                ring(p.getExteriorRing().getCoordinateSequence(), out, numbers);
                for (int h = 0; h < p.getNumInteriorRing(); h++) ring(p.getInteriorRingN(h).getCoordinateSequence(), out, numbers);
            }
            out.writeEndArray();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private static void ring(org.locationtech.jts.geom.CoordinateSequence cs, com.fasterxml.jackson.core.JsonGenerator out,
                             Numbers numbers) throws java.io.IOException {
        out.writeStartArray();
        for (int k = 0, n = cs.size(); k < n; k++) {
            out.writeStartArray();
            numbers.write(cs.getX(k), out);
            numbers.write(cs.getY(k), out);
            out.writeEndArray();
        }
        out.writeEndArray();
    }

    private static void polygon(ArrayNode out, Polygon p) {
        if (p.isEmpty()) return;
        line(out.addArray(), p.getExteriorRing().getCoordinates());
        for (int i = 0; i < p.getNumInteriorRing(); i++) line(out.addArray(), p.getInteriorRingN(i).getCoordinates());
    }

    private static void line(ArrayNode out, Coordinate[] pts) {
        for (Coordinate k : pts) position(out.addArray(), k);
    }

    private static void position(ArrayNode out, Coordinate k) {
        out.add(k.x).add(k.y);
    }

    /**
     * A task as a GeoJSON Feature with properties {@code {x, y, zoom, isSquare[, extra_properties]}} (spec
     *). {@code extraPropertiesOrNull} wins over the task's own extra properties.
     */
    public static ObjectNode feature(TaskShape t, ObjectNode extraPropertiesOrNull) {
        ObjectNode f = NODES.objectNode();
        f.put("type", "Feature");
        f.set("geometry", write(t.geometry()));
        ObjectNode p = f.putObject("properties");
        p.put("x", t.x());
        p.put("y", t.y());
        p.put("zoom", t.zoom());
        p.put("isSquare", t.isSquare());
        JsonNode extra = extraPropertiesOrNull != null ? extraPropertiesOrNull : t.extraProperties();
        if (extra != null) p.set("extra_properties", extra);
        return f;
    }

    /** {"type": "FeatureCollection", "features": [...]}. */
    public static ObjectNode featureCollection(List<? extends JsonNode> features) {
        ObjectNode fc = NODES.objectNode();
        fc.put("type", "FeatureCollection");
        fc.putArray("features").addAll(new ArrayList<JsonNode>(features));
        return fc;
    }
}
