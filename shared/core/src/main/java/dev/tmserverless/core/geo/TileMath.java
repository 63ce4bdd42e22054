package dev.tmserverless.core.geo;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/**
 * TMS-style Web-Mercator squares (y grows northwards), in the reference's arithmetic.
 * Metres use the reference's half-extent {@link #A}; degrees come from the spherical inverse (R = 6378137)
 * rounded to 9 decimals, which is what the reference's server (PostGIS, ST_AsGeoJSON) emits.
 */
public final class TileMath {
    private TileMath() {}

    /** Half-extent in metres: 156543.0339 × 256 / 2 (slightly less than π·R; kept for compatibility). */
    public static final double A = 20037508.3392;
    /** Sphere radius of EPSG:3857. */
    public static final double R = 6378137.0;
    /** The browser's half-extent, used only where the reference converts the AOI's bbox to metres. */
    public static final double BROWSER_HALF_EXTENT = 20037508.34;
    /** Decimals of every tile coordinate. */
    public static final int DECIMALS = 9;
    /** Largest tile index exponent an int x/y can hold. */
    public static final int MAX_TILE_ZOOM = 30;
    /** Latitude of the Web-Mercator square's edge, atan(sinh(π)) in degrees. */
    public static final double MAX_LAT = Math.toDegrees(Math.atan(Math.sinh(Math.PI)));

    /** Tile size in metres at {@code zoom}: A / 2^(zoom−1). Exact: dividing by a power of two. */
    public static double step(int zoom) {
        return A / Math.pow(2, zoom - 1);
    }

    /** Number of tiles along one axis. */
    public static long tiles(int zoom) {
        return 1L << zoom;
    }

    /** Longitude (unrounded) of Mercator x in metres. */
    public static double lon(double mx) {
        return mx / R * 180 / Math.PI;
    }

    /** Latitude (unrounded) of Mercator y in metres. */
    public static double lat(double my) {
        return (2 * Math.atan(Math.exp(my / R)) - Math.PI / 2) * 180 / Math.PI;
    }

    /** Rounded longitude of the western edge of column {@code x}. */
    public static double edgeLon(long x, int zoom) {
        return Geo.round(lon(x * step(zoom) - A), DECIMALS);
    }

    /** Rounded latitude of the southern edge of row {@code y}. */
    public static double edgeLat(long y, int zoom) {
        return Geo.round(lat(y * step(zoom) - A), DECIMALS);
    }

    /** Browser-side forward projection of a longitude, with the 20037508.34 constant. */
    public static double browserX(double lon) {
        return lon * BROWSER_HALF_EXTENT / 180;
    }

    /** Browser-side forward projection of a latitude, with the 20037508.34 constant. */
    public static double browserY(double lat) {
        double y = Math.log(Math.tan((90 + lat) * Math.PI / 360)) / (Math.PI / 180);
        return y * BROWSER_HALF_EXTENT / 180;
    }

    /** Column index of Mercator x (metres): floor((mx + A) / step). */
    public static long tileX(double mx, int zoom) {
        return (long) Math.floor((mx + A) / step(zoom));
    }

    /** Row index of Mercator y (metres): floor((my + A) / step). */
    public static long tileY(double my, int zoom) {
        return (long) Math.floor((my + A) / step(zoom));
    }

    static void checkTile(long x, long y, int zoom) {
        if (zoom < 0 || zoom > MAX_TILE_ZOOM) throw new IllegalArgumentException("zoom out of range: " + zoom);
        long n = tiles(zoom);
        if (x < 0 || x >= n || y < 0 || y >= n) {
            throw new IllegalArgumentException("tile " + x + "/" + y + " outside zoom " + zoom);
        }
    }

    /** The tile's square in EPSG:3857 metres (unrounded), ring order of the reference */
    public static Polygon squareMercator(int x, int y, int zoom) {
        checkTile(x, y, zoom);
        double s = step(zoom);
        return Geo.rectangle(x * s - A, y * s - A, (x + 1) * s - A, (y + 1) * s - A);
    }

    /**
     * The tile's square in EPSG:4326 as a one-polygon MultiPolygon, ring order
     * (xmin,ymin) → (xmax,ymin) → (xmax,ymax) → (xmin,ymax) → (xmin,ymin).
     *
     * @throws IllegalArgumentException when zoom is outside 0..30 or x/y outside 0..2^zoom−1
     */
    public static MultiPolygon square(int x, int y, int zoom) {
        checkTile(x, y, zoom);
        return square(edgeLon(x, zoom), edgeLat(y, zoom), edgeLon(x + 1L, zoom), edgeLat(y + 1L, zoom));
    }

    static MultiPolygon square(double minLon, double minLat, double maxLon, double maxLat) {
        Coordinate[] ring = {
            new Coordinate(minLon, minLat), new Coordinate(maxLon, minLat), new Coordinate(maxLon, maxLat),
            new Coordinate(minLon, maxLat), new Coordinate(minLon, minLat)};
        return Geo.multi(Geo.FACTORY.createPolygon(ring));
    }

    /** {@link #square} as a task: properties {x, y, zoom, isSquare: true}. */
    public static TaskShape squareTask(int x, int y, int zoom) {
        return new TaskShape(x, y, zoom, true, square(x, y, zoom), null);
    }
}
