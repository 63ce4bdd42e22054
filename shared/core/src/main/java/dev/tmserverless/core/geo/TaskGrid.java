package dev.tmserverless.core.geo;

import java.util.Locale;
import java.util.function.Consumer;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.operation.relateng.RelateNG;

/**
 * Server-side grid (spec §4.2 + §4.3, §8 D16): the tiles of the AOI's bbox at one zoom, x outer loop and
 * y inner loop, trimmed to the AOI. A tile the AOI contains is emitted as its square; a tile whose interior
 * meets the AOI's interior is emitted either as its square ({@code clip = false}) or as AOI ∩ tile
 * ({@code clip = true}, isSquare false); a tile that only touches the AOI along an edge or at a point is
 * dropped.
 *
 * <p>Work is proportional to the AOI's boundary, not to the tile count: ranges of tiles are tested as one
 * rectangle against the prepared AOI (binary descent over columns, then over the rows of a column), so a
 * contained range is emitted without per-tile tests and a disjoint range is skipped whole. Only boundary
 * tiles are tested and clipped one by one, against the AOI cut to their column. Memory is the descent
 * stack, one column's cut and one row-latitude table: the output is streamed to the sink.
 */
public final class TaskGrid {
    private TaskGrid() {}

    /** Smallest zoom a grid may be generated at (one world-sized tile; the reference browser allows it). */
    public static final int MIN_ZOOM = 0;
    /** Largest zoom a grid may be generated at: tiles of zoom 18 exist (split refuses to go further). */
    public static final int MAX_ZOOM = 18;
    /** The reference's default grid zoom. */
    public static final int DEFAULT_ZOOM = 11;

    /** Tile indices of the candidate grid (spec §4.2), max bounds exclusive. */
    public record Range(int minX, int maxX, int minY, int maxY) {
        public boolean isEmpty() {
            return maxX <= minX || maxY <= minY;
        }

        public long size() {
            return isEmpty() ? 0 : (long) (maxX - minX) * (maxY - minY);
        }
    }

    /** @throws ApiException INVALID_ZOOM unless MIN_ZOOM ≤ zoom ≤ MAX_ZOOM */
    public static void checkZoom(int zoom) {
        if (zoom < MIN_ZOOM || zoom > MAX_ZOOM) {
            throw new ApiException(ErrorCode.INVALID_ZOOM, String.format(Locale.ROOT,
                    "Grid zoom level %d is out of range: it must be between %d and %d", zoom, MIN_ZOOM, MAX_ZOOM));
        }
    }

    /**
     * Spec §4.2 step 4: the AOI's bbox in metres (browser projection) shrunk inward to whole metres, then
     * x from floor((minx+A)/step) to ceil((maxx+A)/step) exclusive, same for y; clamped to the world.
     */
    public static Range range(Geometry aoi, int zoom) {
        checkZoom(zoom);
        Envelope e = aoi.getEnvelopeInternal();
        if (e.isNull()) return new Range(0, 0, 0, 0);
        double minX = Math.ceil(TileMath.browserX(e.getMinX()));
        double minY = Math.ceil(TileMath.browserY(e.getMinY()));
        double maxX = Math.floor(TileMath.browserX(e.getMaxX()));
        double maxY = Math.floor(TileMath.browserY(e.getMaxY()));
        double step = TileMath.step(zoom);
        long n = TileMath.tiles(zoom);
        return new Range(
                (int) clamp(Math.floor((minX + TileMath.A) / step), n), (int) clamp(Math.ceil((maxX + TileMath.A) / step), n),
                (int) clamp(Math.floor((minY + TileMath.A) / step), n), (int) clamp(Math.ceil((maxY + TileMath.A) / step), n));
    }

    private static long clamp(double v, long n) {
        if (Double.isNaN(v)) return 0;
        return (long) Math.max(0, Math.min(n, v));
    }

    /** Number of tasks {@link #generate} emits (the same for clip true and false). */
    public static long count(MultiPolygon aoi, int zoom) {
        return countUpTo(aoi, zoom, Long.MAX_VALUE - 1);
    }

    /** Like {@link #count} but stops once the count exceeds {@code limit}; then returns a value > limit. */
    public static long countUpTo(MultiPolygon aoi, int zoom, long limit) {
        Walker w = new Walker(aoi, zoom, false, 0, null, limit);
        w.run();
        return w.seen;
    }

    /** @throws ApiException TOO_MANY_TASKS when the grid would exceed the deployment's task limit */
    public static void checkTaskCount(MultiPolygon aoi, int zoom, AoiLimits limits) {
        long n = countUpTo(aoi, zoom, limits.maxTasks());
        if (n > limits.maxTasks()) {
            throw new ApiException(ErrorCode.TOO_MANY_TASKS, String.format(Locale.ROOT,
                    "A grid at zoom %d over this Area of Interest would have more than %d tasks; choose a lower zoom",
                    zoom, limits.maxTasks()), java.util.Map.of("zoom", zoom, "maxTasks", limits.maxTasks()));
        }
    }

    /**
     * Streams the trimmed grid to {@code sink} in x-outer, y-inner order, skipping (without building) the
     * first {@code skip} tasks, so a job can resume after the tasks it already wrote.
     *
     * @param aoi a normalised AOI ({@link Aoi#normalise}) in EPSG:4326
     */
    public static void generate(MultiPolygon aoi, int zoom, boolean clip, long skip, Consumer<TaskShape> sink) {
        if (skip < 0) throw new IllegalArgumentException("skip must be >= 0");
        new Walker(aoi, zoom, clip, skip, sink, Long.MAX_VALUE).run();
    }

    private static final class Walker {
        private final MultiPolygon aoi;
        private final int zoom;
        private final boolean clip;
        private final Consumer<TaskShape> sink;
        private final long stopAfter;
        private final Range r;
        private PreparedGeometry prep;
        private RelateNG relate;
        private double[] lats;
        private long toSkip;
        long seen;

        private int colX;
        private double colWest, colEast;
        private Geometry colPiece;

        Walker(MultiPolygon aoi, int zoom, boolean clip, long skip, Consumer<TaskShape> sink, long stopAfter) {
            this.aoi = aoi;
            this.zoom = zoom;
            this.clip = clip;
            this.sink = sink;
            this.toSkip = skip;
            this.stopAfter = stopAfter;
            this.r = range(aoi, zoom);
        }

        void run() {
            if (r.isEmpty() || aoi.isEmpty()) return;
            prep = PreparedGeometryFactory.prepare(aoi);
            lats = new double[r.maxY() - r.minY() + 1];
            for (int i = 0; i < lats.length; i++) lats[i] = TileMath.edgeLat(r.minY() + (long) i, zoom);
            walkColumns(r.minX(), r.maxX());
        }

        private boolean done() {
            return seen > stopAfter;
        }

        private double lon(int x) {
            return TileMath.edgeLon(x, zoom);
        }

        private double lat(int y) {
            return lats[y - r.minY()];
        }

        private void walkColumns(int a, int b) {
            if (done()) return;
            Polygon rect = Geo.rectangle(lon(a), lat(r.minY()), lon(b), lat(r.maxY()));
            if (!prep.intersects(rect)) return;
            if (prep.contains(rect)) {
                for (int x = a; x < b && !done(); x++) contained(x, r.minY(), r.maxY());
                return;
            }
            if (b - a == 1) {
                column(a);
                return;
            }
            int m = (a + b) >>> 1;
            walkColumns(a, m);
            walkColumns(m, b);
        }

        private void column(int x) {
            colX = x;
            colWest = lon(x);
            colEast = lon(x + 1);
            colPiece = null;
            int m = (r.minY() + r.maxY()) >>> 1;
            if (r.maxY() - r.minY() == 1) {
                boundary(r.minY());
            } else {
                walkRows(r.minY(), m);
                walkRows(m, r.maxY());
            }
        }

        private void walkRows(int c, int d) {
            if (done()) return;
            Polygon rect = Geo.rectangle(colWest, lat(c), colEast, lat(d));
            if (!prep.intersects(rect)) return;
            if (prep.contains(rect)) {
                contained(colX, c, d);
                return;
            }
            if (d - c == 1) {
                boundary(c);
                return;
            }
            int m = (c + d) >>> 1;
            walkRows(c, m);
            walkRows(m, d);
        }

        /** Tiles x/[c, d) are inside the AOI: emitted as squares. */
        private void contained(int x, int c, int d) {
            long n = d - c;
            if (sink == null || toSkip >= n) {
                if (sink != null) toSkip -= n;
                seen += n;
                return;
            }
            int from = c + (int) toSkip;
            seen += toSkip;
            toSkip = 0;
            double w = lon(x), e = lon(x + 1);
            for (int y = from; y < d; y++) {
                sink.accept(new TaskShape(x, y, zoom, true, TileMath.square(w, lat(y), e, lat(y + 1)), null));
                seen++;
            }
        }

        /** Tile colX/y meets the AOI but is not inside it: kept only if the interiors meet (area > 0). */
        private void boundary(int y) {
            Polygon tile = Geo.rectangle(colWest, lat(y), colEast, lat(y + 1));
            if (relate == null) relate = RelateNG.prepare(aoi);
            if (!relate.evaluate(tile, "T********")) return;
            seen++;
            if (toSkip > 0) {
                toSkip--;
                return;
            }
            if (sink == null) return;
            MultiPolygon square = TileMath.square(colWest, lat(y), colEast, lat(y + 1));
            if (!clip) {
                sink.accept(new TaskShape(colX, y, zoom, true, square, null));
                return;
            }
            MultiPolygon clipped = clipToAoi(tile);
            // A numerically collapsed sliver keeps its square, so counts and resumes stay consistent.
            sink.accept(clipped.isEmpty()
                    ? new TaskShape(colX, y, zoom, true, square, null)
                    : new TaskShape(colX, y, zoom, false, clipped, null));
        }

        private MultiPolygon clipToAoi(Polygon tile) {
            try {
                if (colPiece == null) {
                    // The column's cut reaches a quarter tile beyond the column, so the cut's own new edges
                    // never fall inside a tile and each clip sees only the AOI's original edges.
                    double mx = (colEast - colWest) / 4;
                    double my = (lat(r.minY() + 1) - lat(r.minY())) / 4;
                    Polygon strip = Geo.rectangle(colWest - mx, lat(r.minY()) - my, colEast + mx, lat(r.maxY()) + my);
                    colPiece = OverlayNGRobust.overlay(aoi, strip, OverlayNG.INTERSECTION);
                }
                return Geo.rfc7946(Geo.polygonal(OverlayNGRobust.overlay(colPiece, tile, OverlayNG.INTERSECTION)));
            } catch (TopologyException e) {
                return Geo.FACTORY.createMultiPolygon();
            }
        }
    }
}
