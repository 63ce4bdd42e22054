package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/**
 * Deterministic test and benchmark AOIs in EPSG:4326, sized in km² around a centre: a box, a coastline-like
 * polygon (star-shaped around its centre, so always simple, with 1/f radial noise) with lakes, and a
 * multipolygon of many small islands.
 */
final class Shapes {
    private Shapes() {}

    static final double KM_PER_DEG_LAT = 110.574;

    static double kmPerDegLon(double lat) {
        return 111.320 * Math.cos(Math.toRadians(lat));
    }

    /** Local km offsets (east, north) from (lon0, lat0) to degrees. */
    static Coordinate at(double lon0, double lat0, double eastKm, double northKm) {
        return new Coordinate(lon0 + eastKm / kmPerDegLon(lat0), lat0 + northKm / KM_PER_DEG_LAT);
    }

    static MultiPolygon box(double lon0, double lat0, double areaKm2) {
        double half = Math.sqrt(areaKm2) / 2;
        Coordinate sw = at(lon0, lat0, -half, -half), ne = at(lon0, lat0, half, half);
        return Geo.multi(Geo.rectangle(sw.x, sw.y, ne.x, ne.y));
    }

    /** A closed star-shaped ring: radius(θ) = r · (1 + noise(θ)), |noise| ≤ roughness, {@code n} vertices. */
    static LinearRing starRing(double lon0, double lat0, double eastKm, double northKm, double rKm, int n,
                               double roughness, Random rnd) {
        int harmonics = Math.min(n / 4, 800);
        double[] amp = new double[harmonics + 1], phase = new double[harmonics + 1];
        for (int k = 2; k <= harmonics; k++) {
            amp[k] = 1.0 / Math.pow(k, 0.9);
            phase[k] = rnd.nextDouble() * 2 * Math.PI;
        }
        double[] noise = new double[n];
        double max = 1e-12;
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n, s = 0;
            for (int k = 2; k <= harmonics; k++) s += amp[k] * Math.sin(k * t + phase[k]);
            noise[i] = s;
            max = Math.max(max, Math.abs(s));
        }
        Coordinate[] pts = new Coordinate[n + 1];
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n, r = rKm * (1 + roughness * noise[i] / max);
            pts[i] = at(lon0, lat0, eastKm + r * Math.cos(t), northKm + r * Math.sin(t));
        }
        pts[n] = pts[0].copy();
        return Geo.FACTORY.createLinearRing(pts);
    }

    /**
     * A coastline-like polygon of about {@code areaKm2} with {@code vertices} shell vertices and {@code lakes}
     * star-shaped holes of 60 vertices each.
     */
    static MultiPolygon coastline(double lon0, double lat0, double areaKm2, int vertices, int lakes, long seed) {
        Random rnd = new Random(seed);
        double r = Math.sqrt(areaKm2 / Math.PI);
        LinearRing shell = starRing(lon0, lat0, 0, 0, r, vertices, 0.45, rnd);
        List<LinearRing> holes = new ArrayList<>();
        List<double[]> placed = new ArrayList<>();
        int attempts = 0;
        while (holes.size() < lakes && attempts++ < 10_000) {
            double lr = r * (0.02 + 0.03 * rnd.nextDouble());
            double d = r * 0.45 * Math.sqrt(rnd.nextDouble()), a = rnd.nextDouble() * 2 * Math.PI;
            double e = d * Math.cos(a), nn = d * Math.sin(a);
            boolean clear = true;
            for (double[] p : placed) clear &= Math.hypot(p[0] - e, p[1] - nn) > 1.6 * (p[2] + lr);
            if (!clear) continue;
            placed.add(new double[] {e, nn, lr});
            holes.add(starRing(lon0, lat0, e, nn, lr, 60, 0.3, rnd));
        }
        Polygon p = Geo.FACTORY.createPolygon(shell, holes.toArray(new LinearRing[0]));
        return Geo.multi(p);
    }

    /** {@code parts} disjoint islands (200 vertices each) of about {@code areaKm2} in total, on a grid. */
    static MultiPolygon islands(double lon0, double lat0, double areaKm2, int parts, long seed) {
        Random rnd = new Random(seed);
        double r = Math.sqrt(areaKm2 / parts / Math.PI);
        int cols = (int) Math.ceil(Math.sqrt(parts * 2.0));
        Polygon[] out = new Polygon[parts];
        for (int i = 0; i < parts; i++) {
            double e = (i % cols) * 3.2 * r, n = (i / cols) * 3.2 * r;
            out[i] = Geo.FACTORY.createPolygon(starRing(lon0, lat0, e, n, r, 200, 0.3, rnd));
        }
        return Geo.FACTORY.createMultiPolygon(out);
    }
}
