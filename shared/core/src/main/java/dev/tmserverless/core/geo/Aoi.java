package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.PolygonArea;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.util.PolygonExtracter;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;

/**
 * Area of interest: the reference's normalisation (Polygon/MultiPolygon features only, Z dropped, dissolved into one
 * MultiPolygon), plus checks the reference lacks: finite, in-range coordinates and valid topology, each refused
 * with a 400 SubCode instead of failing later.
 */
public final class Aoi {
    private Aoi() {}

    static final String AOI_INVALID = "Area of Interest: Invalid MultiPolygon";

    /**
     * The reference's rule with dissolve = true, for EPSG:4326 input: longitudes within ±180, latitudes within the
     * Web-Mercator square (±85.0511°).
     *
     * @throws ApiException MUST_HAVE_FEATURES, MUST_BE_MULTIPLOYGON, INVALID_MULTIPOLYGON_AOI,
     *                      SELF_INTERSECTING_AOI, INVALID_COORDINATES
     */
    public static MultiPolygon normalise(JsonNode featureCollection) {
        return normalise(featureCollection, true, true);
    }

    /**
     * The reference's rule. {@code dissolve} unions all parts (project creation always dissolves); {@code lonLat} adds the
     * EPSG:4326 range checks (off for the trim endpoint, whose input may be in metres).
     */
    public static MultiPolygon normalise(JsonNode featureCollection, boolean dissolve, boolean lonLat) {
        return normalise(featureCollection, dissolve, lonLat, false);
    }

    /**
     * As {@link #normalise(JsonNode, boolean, boolean)} on the collection with every feature's coordinates rounded
     * first as {@link Trim#roundFeature} rounds them (the trim endpoint's input rule), without copying it: each
     * geometry is read and its coordinates rounded, and only a geometry that reads differently once rounded (a ring
     * that closes only then, say) is read from a rounded copy.
     */
    static MultiPolygon normaliseRounded(JsonNode featureCollection, boolean dissolve, boolean lonLat) {
        return normalise(featureCollection, dissolve, lonLat, true);
    }

    private static MultiPolygon normalise(JsonNode featureCollection, boolean dissolve, boolean lonLat, boolean round) {
        List<Polygon> parts = polygons(featureCollection, lonLat, round);
        if (parts.isEmpty()) {
            throw new ApiException(ErrorCode.MUST_BE_MULTIPLOYGON,
                    ErrorCode.MUST_BE_MULTIPLOYGON.message + " (no Polygon or MultiPolygon feature with coordinates;"
                            + " GeometryCollection and other geometry types are ignored)");
        }
        if (!dissolve || parts.size() == 1) {
            // A single valid polygon is its own union; keeping it untouched keeps the client's coordinates.
            return Geo.FACTORY.createMultiPolygon(parts.toArray(new Polygon[0]));
        }
        Geometry union;
        try {
            union = OverlayNGRobust.union(Geo.FACTORY.createGeometryCollection(parts.toArray(new Geometry[0])));
        } catch (TopologyException | IllegalArgumentException e) {
            // The reference answers a GEOS topology failure during the union this way.
            throw new ApiException(ErrorCode.SELF_INTERSECTING_AOI, ErrorCode.SELF_INTERSECTING_AOI.message);
        }
        MultiPolygon mp = Geo.polygonal(union);
        if (mp.isEmpty()) throw new ApiException(ErrorCode.MUST_BE_MULTIPLOYGON);
        return mp;
    }

    /** Every Polygon of the collection's Polygon/MultiPolygon features, validated, in feature order. */
    static List<Polygon> polygons(JsonNode fc, boolean lonLat) {
        return polygons(fc, lonLat, false);
    }

    private static List<Polygon> polygons(JsonNode fc, boolean lonLat, boolean round) {
        JsonNode features = fc != null && fc.isObject() ? fc.get("features") : null;
        if (features == null || !features.isArray() || features.isEmpty()) {
            throw new ApiException(ErrorCode.MUST_HAVE_FEATURES);
        }
        List<Polygon> out = new ArrayList<>();
        for (JsonNode feature : features) {
            for (Polygon p : featurePolygons(feature, lonLat, round)) out.add(p);
        }
        return out;
    }

    /** The polygons of one feature if its geometry is a Polygon or MultiPolygon, else none. */
    static List<Polygon> featurePolygons(JsonNode feature, boolean lonLat) {
        return featurePolygons(feature, lonLat, false);
    }

    private static List<Polygon> featurePolygons(JsonNode feature, boolean lonLat, boolean round) {
        JsonNode g = feature != null && feature.isObject() ? feature.get("geometry") : null;
        JsonNode type = g != null && g.isObject() ? g.get("type") : null;
        String t = type != null && type.isTextual() ? type.asText() : "";
        if (!t.equals("Polygon") && !t.equals("MultiPolygon")) return List.of();
        Geometry geom;
        if (!round) {
            geom = GeoJson.read(g, ErrorCode.INVALID_MULTIPOLYGON_AOI, AOI_INVALID);
        } else {
            try {
                geom = GeoJson.read(g, ErrorCode.INVALID_MULTIPOLYGON_AOI, AOI_INVALID);
                geom.apply(Trim.ROUND);
            } catch (ApiException e) {
                geom = GeoJson.read(Trim.roundFeature(feature).get("geometry"), ErrorCode.INVALID_MULTIPOLYGON_AOI, AOI_INVALID);
            }
        }
        List<Polygon> out = new ArrayList<>();
        for (int i = 0; i < geom.getNumGeometries(); i++) {
            Polygon p = (Polygon) geom.getGeometryN(i);
            if (p.isEmpty()) continue;
            if (lonLat) checkLonLat(p);
            checkTopology(p);
            out.add(p);
        }
        return out;
    }

    /** Longitudes within ±180° and latitudes within the Web-Mercator square, so every point has a tile. */
    static void checkLonLat(Geometry g) {
        for (Coordinate c : g.getCoordinates()) {
            if (c.x < -180 || c.x > 180) {
                throw new ApiException(ErrorCode.INVALID_COORDINATES, String.format(Locale.ROOT,
                        "Longitude %s is outside -180..180; split an area that crosses the antimeridian into"
                                + " parts on either side of it (RFC 7946 §3.1.9)", c.x));
            }
            if (c.y < -TileMath.MAX_LAT || c.y > TileMath.MAX_LAT) {
                throw new ApiException(ErrorCode.INVALID_COORDINATES, String.format(Locale.ROOT,
                        "Latitude %s is outside the Web Mercator range -85.0511..85.0511", c.y));
            }
        }
    }

    static void checkTopology(Polygon p) {
        TopologyValidationError err = new IsValidOp(p).getValidationError();
        if (err == null) return;
        switch (err.getErrorType()) {
            case TopologyValidationError.SELF_INTERSECTION, TopologyValidationError.RING_SELF_INTERSECTION ->
                    throw new ApiException(ErrorCode.SELF_INTERSECTING_AOI, ErrorCode.SELF_INTERSECTING_AOI.message
                            + " near " + point(err.getCoordinate()));
            default -> throw new ApiException(ErrorCode.INVALID_MULTIPOLYGON_AOI,
                    AOI_INVALID + " - " + err.getMessage() + " near " + point(err.getCoordinate()));
        }
    }

    private static String point(Coordinate c) {
        return c == null ? "?" : String.format(Locale.ROOT, "(%s, %s)", c.x, c.y);
    }

    /** Geodesic area on the WGS84 ellipsoid in km² (holes subtracted); edges are geodesics, as in PostGIS geography. */
    public static double geodesicAreaKm2(Geometry g) {
        return geodesicAreaM2(g) / 1e6;
    }

    /** Geodesic area on the WGS84 ellipsoid in m² (holes subtracted). Non-polygonal parts count 0. */
    public static double geodesicAreaM2(Geometry g) {
        double sum = 0;
        for (Object o : PolygonExtracter.getPolygons(g)) {
            Polygon p = (Polygon) o;
            if (p.isEmpty()) continue;
            sum += ringArea(p.getExteriorRing());
            for (int h = 0; h < p.getNumInteriorRing(); h++) sum -= ringArea(p.getInteriorRingN(h));
        }
        return sum;
    }

    private static double ringArea(LineString ring) {
        PolygonArea pa = new PolygonArea(Geodesic.WGS84, false);
        Coordinate[] pts = ring.getCoordinates();
        for (int i = 0; i < pts.length - 1; i++) pa.AddPoint(pts[i].y, pts[i].x);
        return Math.abs(pa.Compute(false, true).area);
    }

    /**
     * Refuses an AOI larger than the deployment allows (docs/api-differences.md D17). Edges are densified to ≤ 1° first, so a
     * world-spanning ring whose corners share meridians cannot pass as tiny (a geodesic between (-180, φ) and
     * (180, φ) has length 0); for AOIs within the limit this changes nothing measurable.
     */
    public static void checkArea(MultiPolygon aoi, AoiLimits limits) {
        double km2 = geodesicAreaKm2(densify(aoi, 1.0));
        if (!(km2 <= limits.maxAreaKm2())) {
            throw new ApiException(ErrorCode.AOI_TOO_LARGE, String.format(Locale.ROOT,
                    "Area of Interest is %.1f km², larger than the %.0f km² this deployment allows", km2, limits.maxAreaKm2()),
                    java.util.Map.of("areaKm2", km2, "maxAreaKm2", limits.maxAreaKm2()));
        }
    }

    static MultiPolygon densify(MultiPolygon mp, double maxDeg) {
        Envelope e = mp.getEnvelopeInternal();
        if (e.getWidth() <= maxDeg && e.getHeight() <= maxDeg) return mp;
        Polygon[] out = new Polygon[mp.getNumGeometries()];
        for (int i = 0; i < out.length; i++) {
            Polygon p = (Polygon) mp.getGeometryN(i);
            org.locationtech.jts.geom.LinearRing[] holes = new org.locationtech.jts.geom.LinearRing[p.getNumInteriorRing()];
            for (int h = 0; h < holes.length; h++) holes[h] = densify(p.getInteriorRingN(h), maxDeg);
            out[i] = Geo.FACTORY.createPolygon(densify(p.getExteriorRing(), maxDeg), holes);
        }
        return Geo.FACTORY.createMultiPolygon(out);
    }

    private static org.locationtech.jts.geom.LinearRing densify(LineString ring, double maxDeg) {
        Coordinate[] pts = ring.getCoordinates();
        List<Coordinate> out = new ArrayList<>(pts.length);
        for (int i = 0; i < pts.length - 1; i++) {
            Coordinate a = pts[i], b = pts[i + 1];
            out.add(a);
            int n = (int) Math.ceil(Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y)) / maxDeg);
            for (int k = 1; k < n; k++) {
                double f = (double) k / n;
                out.add(new Coordinate(a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)));
            }
        }
        out.add(pts[pts.length - 1]);
        return Geo.FACTORY.createLinearRing(out.toArray(new Coordinate[0]));
    }

    /** Centroid of the AOI (the summary's aoiCentroid). */
    public static Point centroid(MultiPolygon aoi) {
        return aoi.getCentroid();
    }

    /** [minx, miny, maxx, maxy] (ProjectDTO aoiBBOX). */
    public static double[] bbox(Geometry aoi) {
        Envelope e = aoi.getEnvelopeInternal();
        return new double[] {e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()};
    }
}
