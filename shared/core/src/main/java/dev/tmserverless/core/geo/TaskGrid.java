package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.algorithm.Area;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.operation.relateng.RelateNG;

/**
 * Server-side grid (docs/api-differences.md D16): the tiles of the AOI's bbox at one zoom, x outer loop and
 * y inner loop, trimmed to the AOI. A tile the AOI contains is emitted as its square; a tile whose interior
 * meets the AOI's interior is emitted either as its square ({@code clip = false}) or as AOI ∩ tile
 * ({@code clip = true}, isSquare false); a tile that only touches the AOI along an edge or at a point is
 * dropped.
 *
 * <p>Work follows the AOI's boundary, not the tile count. A binary descent over ranges of tiles (columns
 * first, then the rows of one column, which keeps the output order) classifies each range as one rectangle:
 * a disjoint range is skipped whole and a contained range is emitted without per-tile tests. Each range
 * carries the AOI cut to a box around it (a linear Sutherland–Hodgman pass), so most ranges are classified by
 * one pass over a few nearby vertices ({@link RectClip#classify}); only ranges the AOI's boundary grazes go to
 * the exact prepared predicates. Boundary tiles are clipped by a rectangle clipper over their small cut, with
 * OverlayNG whenever the boundary comes within 1e-9° of the tile's sides. Memory is the descent stack with its
 * cuts and one row-latitude table: the output is streamed to the sink.
 */
public final class TaskGrid {
    private TaskGrid() {}

    /** Smallest zoom a grid may be generated at (one world-sized tile; the reference browser allows it). */
    public static final int MIN_ZOOM = 0;
    /** Largest zoom a grid may be generated at: tiles of zoom 18 exist (split refuses to go further). */
    public static final int MAX_ZOOM = 18;
    /** The reference's default grid zoom. */
    public static final int DEFAULT_ZOOM = 11;

    /** Tile indices of the candidate grid, max bounds exclusive. */
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
     * The AOI's bbox in metres (browser projection) shrunk inward to whole metres, then
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
     * @param aoi a normalised AOI ({@link Aoi#normalise}) in EPSG:4326: valid, its parts meeting at points at most
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
        private Parts exact;
        private double[] lats;
        private long toSkip;
        long seen;

        private double marginX, marginY;
        private int colX;
        private double colWest, colEast;

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
            exact = new Parts(aoi);
            lats = new double[r.maxY() - r.minY() + 1];
            for (int i = 0; i < lats.length; i++) lats[i] = TileMath.edgeLat(r.minY() + (long) i, zoom);
            // Cut boxes reach a quarter of the smallest tile beyond their range (see Piece).
            marginX = (lon(r.minX() + 1) - lon(r.minX())) / 4;
            double minH = Double.MAX_VALUE;
            for (int i = 0; i + 1 < lats.length; i++) minH = Math.min(minH, lats[i + 1] - lats[i]);
            marginY = minH / 4;
            walkColumns(r.minX(), r.maxX(), Piece.root(aoi));
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

        private Piece piece(Piece parent, double w, double south, double e, double north) {
            return new Piece(parent, w - marginX, south - marginY, e + marginX, north + marginY);
        }

        private static final int OUTSIDE = 0, INSIDE = 1, CROSSING = 2, MEETS = 3;

        /**
         * OUTSIDE: no interior point in common; INSIDE: contained; CROSSING: the AOI's boundary passes through the
         * rectangle's interior (so neither); MEETS: intersects and is not contained, interiors not yet known to
         * meet. The cut answers most cases in one pass over a few vertices; the prepared AOI answers the rest.
         */
        private int where(Piece piece, double w, double south, double e, double north) {
            switch (RectClip.classify(piece.geometry(), w, south, e, north)) {
                case OUTSIDE: return OUTSIDE;
                case INSIDE: return INSIDE;
                case CROSSING: return CROSSING;
                default:
                    Polygon rect = Geo.rectangle(w, south, e, north);
                    if (!exact.intersects(rect)) return OUTSIDE;
                    return exact.contains(rect) ? INSIDE : MEETS;
            }
        }

        /** Columns [a, b) over all rows. */
        private void walkColumns(int a, int b, Piece parent) {
            if (done()) return;
            double w = lon(a), e = lon(b), south = lat(r.minY()), north = lat(r.maxY());
            Piece piece = piece(parent, w, south, e, north);
            int where = where(piece, w, south, e, north);
            if (where == OUTSIDE) return;
            if (where == INSIDE) {
                for (int x = a; x < b && !done(); x++) contained(x, r.minY(), r.maxY());
                return;
            }
            if (b - a == 1) {
                colX = a;
                colWest = w;
                colEast = e;
                if (r.maxY() - r.minY() == 1) {
                    boundary(r.minY(), piece, where == CROSSING);
                } else {
                    int m = (r.minY() + r.maxY()) >>> 1;
                    walkRows(r.minY(), m, piece);
                    walkRows(m, r.maxY(), piece);
                }
                return;
            }
            int m = (a + b) >>> 1;
            walkColumns(a, m, piece);
            walkColumns(m, b, piece);
        }

        /** Rows [c, d) of column colX. */
        private void walkRows(int c, int d, Piece parent) {
            if (done()) return;
            double south = lat(c), north = lat(d);
            Piece piece = d - c == 1 ? parent : piece(parent, colWest, south, colEast, north);
            int where = where(piece, colWest, south, colEast, north);
            if (where == OUTSIDE) return;
            if (where == INSIDE) {
                contained(colX, c, d);
                return;
            }
            if (d - c == 1) {
                boundary(c, piece, where == CROSSING);
                return;
            }
            int m = (c + d) >>> 1;
            walkRows(c, m, piece);
            walkRows(m, d, piece);
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

        /**
         * Tile colX/y meets the AOI but is not inside it: kept only if the interiors meet (area > 0), which
         * {@code crossing} (an AOI vertex strictly inside the tile) already proves.
         */
        private void boundary(int y, Piece piece, boolean crossing) {
            Polygon tile = Geo.rectangle(colWest, lat(y), colEast, lat(y + 1));
            if (!crossing) {
                if (!exact.interiorsMeet(tile)) return;
            }
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
            MultiPolygon clipped = null;
            List<Polygon> fast = RectClip.clip(piece.geometry(), colWest, lat(y), colEast, lat(y + 1));
            if (fast != null && !fast.isEmpty()) clipped = Geo.FACTORY.createMultiPolygon(fast.toArray(new Polygon[0]));
            if (clipped == null) {
                // Against the AOI itself, not the cut: a cut's collapsed edges along its box (a ring leaving and
                // re-entering one side) are not valid input, and OverlayNG then throws or, worse, answers wrongly.
                // OverlayNG clips the AOI to the tile's envelope itself.
                clipped = overlay(exact.polygonsNear(tile), tile);
            }
            if (clipped == null) clipped = Geo.FACTORY.createMultiPolygon();
            // A numerically collapsed sliver keeps its square, so counts and resumes stay consistent.
            sink.accept(clipped.isEmpty()
                    ? new TaskShape(colX, y, zoom, true, square, null)
                    : new TaskShape(colX, y, zoom, false, clipped, null));
        }
    }

    /** The polygonal part of g ∩ tile in RFC 7946 orientation, or null when OverlayNG cannot compute it. */
    private static MultiPolygon overlay(Geometry g, Polygon tile) {
        try {
            return Geo.rfc7946(Geo.polygonal(OverlayNGRobust.overlay(g, tile, OverlayNG.INTERSECTION)));
        } catch (TopologyException e) {
            return null;
        }
    }

    /**
     * Exact predicates against the AOI, one prepared geometry per polygon. The parts of a valid MultiPolygon meet
     * at points at most, so a rectangle is inside the AOI exactly when it is inside one part, and meets it (or its
     * interior) exactly when it meets one part (or its interior); asking only the parts whose envelopes reach
     * the rectangle keeps a many-part AOI as cheap as a one-part one.
     */
    private static final class Parts {
        private final Polygon[] parts;
        private final PreparedGeometry[] prepared;
        private final RelateNG[] relate;
        private final STRtree index;

        Parts(MultiPolygon aoi) {
            int n = aoi.getNumGeometries();
            parts = new Polygon[n];
            prepared = new PreparedGeometry[n];
            relate = new RelateNG[n];
            index = new STRtree(Math.max(2, Math.min(10, n)));
            for (int i = 0; i < n; i++) {
                parts[i] = (Polygon) aoi.getGeometryN(i);
                index.insert(parts[i].getEnvelopeInternal(), i);
            }
            index.build();
        }

        private PreparedGeometry prepared(int i) {
            if (prepared[i] == null) prepared[i] = PreparedGeometryFactory.prepare(parts[i]);
            return prepared[i];
        }

        @SuppressWarnings("unchecked")
        private List<Integer> near(Polygon rect) {
            return parts.length == 1 ? List.of(0) : index.query(rect.getEnvelopeInternal());
        }

        /** The AOI's polygons whose envelopes reach the rectangle, as one MultiPolygon (valid: parts of a valid one). */
        MultiPolygon polygonsNear(Polygon rect) {
            List<Integer> ids = near(rect);
            Polygon[] ps = new Polygon[ids.size()];
            for (int k = 0; k < ps.length; k++) ps[k] = parts[ids.get(k)];
            return Geo.FACTORY.createMultiPolygon(ps);
        }

        boolean intersects(Polygon rect) {
            for (int i : near(rect)) if (prepared(i).intersects(rect)) return true;
            return false;
        }

        boolean contains(Polygon rect) {
            Envelope e = rect.getEnvelopeInternal();
            for (int i : near(rect)) {
                if (parts[i].getEnvelopeInternal().covers(e) && prepared(i).contains(rect)) return true;
            }
            return false;
        }

        boolean interiorsMeet(Polygon rect) {
            for (int i : near(rect)) {
                if (relate[i] == null) relate[i] = RelateNG.prepare(parts[i]);
                if (relate[i].evaluate(rect, "T********")) return true;
            }
            return false;
        }
    }

    /**
     * The AOI cut to a box around a range of tiles, computed on first use from the parent range's cut
     * ({@link RectClip#cutRing}: linear, no noding). Its output may carry zero-width edges along the box's sides,
     * which OverlayNG accepts (it cuts its own inputs the same way, with RingClipper). The box reaches a quarter of the smallest
     * tile beyond the range on every side, so those edges never touch a tile of the range and a tile clipped
     * against the cut gets the same area as clipped against the AOI. Cuts stop once they are small.
     */
    private static final class Piece {
        static final int SMALL = 24;

        private final Piece parent;
        private final double minX, minY, maxX, maxY;
        private Geometry geometry;

        Piece(Piece parent, double minX, double minY, double maxX, double maxY) {
            this.parent = parent;
            this.minX = minX;
            this.minY = minY;
            this.maxX = maxX;
            this.maxY = maxY;
        }

        static Piece root(Geometry aoi) {
            Piece p = new Piece(null, 0, 0, 0, 0);
            p.geometry = aoi;
            return p;
        }

        Geometry geometry() {
            if (geometry == null) {
                Geometry g = parent.geometry();
                Envelope box = new Envelope(minX, maxX, minY, maxY);
                geometry = g.getNumPoints() <= SMALL || box.covers(g.getEnvelopeInternal()) ? g : cut(g, box);
            }
            return geometry;
        }

        private static Geometry cut(Geometry g, Envelope box) {
            List<Polygon> out = new ArrayList<>();
            for (int i = 0; i < g.getNumGeometries(); i++) {
                Polygon p = (Polygon) g.getGeometryN(i);
                Envelope pe = p.getEnvelopeInternal();
                if (!box.intersects(pe)) continue;
                if (box.covers(pe)) {
                    out.add(p);
                    continue;
                }
                LinearRing shell = cut(p.getExteriorRing(), box);
                if (shell == null) continue;
                List<LinearRing> holes = new ArrayList<>();
                for (int h = 0; h < p.getNumInteriorRing(); h++) {
                    LinearRing hole = cut(p.getInteriorRingN(h), box);
                    if (hole != null) holes.add(hole);
                }
                out.add(Geo.FACTORY.createPolygon(shell, holes.toArray(new LinearRing[0])));
            }
            return Geo.FACTORY.createMultiPolygon(out.toArray(new Polygon[0]));
        }

        /** The ring cut to the box, or null when nothing with area is left of it. */
        private static LinearRing cut(LinearRing ring, Envelope box) {
            Envelope re = ring.getEnvelopeInternal();
            if (!box.intersects(re)) return null;
            if (box.covers(re)) return ring;
            Coordinate[] pts = RectClip.cutRing(ring.getCoordinateSequence(), box.getMinX(), box.getMinY(), box.getMaxX(), box.getMaxY());
            if (pts == null || pts.length < 4 || Area.ofRing(pts) == 0) return null;
            return Geo.FACTORY.createLinearRing(pts);
        }
    }
}
