package dev.tmserverless.core.geo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.util.PolygonExtracter;

/** Shared geometry helpers: the one factory (EPSG:4326, floating precision) and decimal rounding. */
public final class Geo {
    private Geo() {}

    public static final int SRID_WGS84 = 4326;
    public static final GeometryFactory FACTORY = new GeometryFactory(new PrecisionModel(), SRID_WGS84);

    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12};

    /**
     * Rounds to {@code decimals} places, half-even on the exact binary value, and returns the double nearest
     * that decimal. This is what PostGIS's ST_AsGeoJSON (9 places) and Python's round() (6 places) produce, so
     * coordinates compare bit-for-bit with the reference. -0.0 becomes 0.0.
     */
    public static double round(double v, int decimals) {
        if (!Double.isFinite(v)) return v;
        double scale = POW10[decimals];
        double t = v * scale;
        if (Math.abs(t) < 0x1p50) {
            double r = Math.rint(t);
            double frac = Math.abs(t - r);
            // t carries at most half an ulp of error: only a value that close to a tie needs exact arithmetic.
            if (Math.abs(frac - 0.5) > 4 * Math.ulp(t)) {
                return r / scale + 0.0;
            }
        }
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).doubleValue() + 0.0;
    }

    /** Polygon and MultiPolygon parts of {@code g} (lines and points dropped), as one MultiPolygon. */
    public static MultiPolygon polygonal(Geometry g) {
        if (g instanceof MultiPolygon mp) return mp;
        List<Polygon> polys = new ArrayList<>();
        for (Object o : PolygonExtracter.getPolygons(g)) {
            Polygon p = (Polygon) o;
            if (!p.isEmpty()) polys.add(p);
        }
        return FACTORY.createMultiPolygon(polys.toArray(new Polygon[0]));
    }

    static MultiPolygon multi(Polygon p) {
        return FACTORY.createMultiPolygon(new Polygon[] {p});
    }

    /** Axis-aligned rectangle polygon, ring order (minx,miny) → (maxx,miny) → (maxx,maxy) → (minx,maxy). */
    public static Polygon rectangle(double minX, double minY, double maxX, double maxY) {
        Coordinate[] ring = {
            new Coordinate(minX, minY), new Coordinate(maxX, minY), new Coordinate(maxX, maxY),
            new Coordinate(minX, maxY), new Coordinate(minX, minY)};
        return FACTORY.createPolygon(ring);
    }

    static Polygon rectangle(Envelope e) {
        return rectangle(e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY());
    }

    /**
     * RFC 7946 §3.1.6 orientation (shells counter-clockwise, holes clockwise) for geometries we compute;
     * JTS overlay emits the opposite. Ring start points are kept.
     */
    static MultiPolygon rfc7946(MultiPolygon mp) {
        Polygon[] out = new Polygon[mp.getNumGeometries()];
        boolean changed = false;
        for (int i = 0; i < out.length; i++) {
            Polygon p = (Polygon) mp.getGeometryN(i);
            Polygon q = orient(p);
            changed |= q != p;
            out[i] = q;
        }
        return changed ? FACTORY.createMultiPolygon(out) : mp;
    }

    private static Polygon orient(Polygon p) {
        if (p.isEmpty()) return p;
        LinearRing shell = orient(p.getExteriorRing(), true);
        boolean changed = shell != p.getExteriorRing();
        LinearRing[] holes = new LinearRing[p.getNumInteriorRing()];
        for (int i = 0; i < holes.length; i++) {
            holes[i] = orient(p.getInteriorRingN(i), false);
            changed |= holes[i] != p.getInteriorRingN(i);
        }
        return changed ? FACTORY.createPolygon(shell, holes) : p;
    }

    private static LinearRing orient(LinearRing ring, boolean ccw) {
        boolean isCcw = org.locationtech.jts.algorithm.Orientation.isCCWArea(ring.getCoordinates());
        return isCcw == ccw ? ring : ring.reverse();
    }
}
