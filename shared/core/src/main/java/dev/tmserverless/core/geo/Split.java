package dev.tmserverless.core.geo;

import java.util.List;

import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/** The geometry of splitting one task into four (docs/geometry.md); no task state here. */
public final class Split {
    private Split() {}

    /** Tasks at this zoom or deeper are never split. */
    public static final int MAX_SPLIT_ZOOM = 18;
    /** Tasks with a smaller geodesic area (WGS84) are never split. */
    public static final double MIN_AREA_M2 = 25_000;

    /** The SmallToSplit rule: zoom ≥ 18, or geodesic area below 25,000 m². */
    public static boolean tooSmall(TaskShape t) {
        return (t.zoom() != null && t.zoom() >= MAX_SPLIT_ZOOM) || Aoi.geodesicAreaM2(t.geometry()) < MIN_AREA_M2;
    }

    /**
     * The four children in the reference's order. A tile task (isSquare with x, y, zoom) gives the full child
     * tiles (2x, 2y), (2x, 2y+1), (2x+1, 2y), (2x+1, 2y+1) at zoom+1. Any other task is cut at its centroid by
     * the vertical and horizontal lines through it, across its bbox: left-bottom, left-top, right-bottom,
     * right-top, each a MultiPolygon with x/y/zoom null and isSquare false. Children keep the parent's extra
     * properties.
     *
     * @throws SplitGeometryException when a child would not intersect the parent (an empty quadrant), or the
     *                                tile indices are malformed
     */
    public static List<TaskShape> children(TaskShape t) {
        return t.isTile() ? tileChildren(t) : cutAtCentroid(t);
    }

    private static List<TaskShape> tileChildren(TaskShape t) {
        int x = t.x(), y = t.y(), z = t.zoom();
        TaskShape[] out = new TaskShape[4];
        try {
            TileMath.checkTile(x, y, z);
            int k = 0;
            for (int dx = 0; dx < 2; dx++) {
                for (int dy = 0; dy < 2; dy++) {
                    MultiPolygon sq = TileMath.square(2 * x + dx, 2 * y + dy, z + 1);
                    out[k++] = new TaskShape(2 * x + dx, 2 * y + dy, z + 1, true, sq, t.extraProperties());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new SplitGeometryException(SplitGeometryException.Reason.MALFORMED_TILE, "unhandled error splitting tile: " + e.getMessage());
        }
        for (TaskShape c : out) {
            if (!c.geometry().intersects(t.geometry())) {
                throw new SplitGeometryException(SplitGeometryException.Reason.NO_INTERSECTION, "New split task does not intersect original task");
            }
        }
        return List.of(out);
    }

    private static List<TaskShape> cutAtCentroid(TaskShape t) {
        Geometry g = t.geometry();
        if (!g.isValid()) g = GeometryFixer.fix(g);
        if (g.isEmpty()) {
            throw new SplitGeometryException(SplitGeometryException.Reason.NO_INTERSECTION, "New split task does not intersect original task");
        }
        Point c = g.getCentroid();
        Envelope e = g.getEnvelopeInternal();
        double cx = c.getX(), cy = c.getY();
        double[][] quadrants = {
            {e.getMinX(), e.getMinY(), cx, cy}, {e.getMinX(), cy, cx, e.getMaxY()},
            {cx, e.getMinY(), e.getMaxX(), cy}, {cx, cy, e.getMaxX(), e.getMaxY()}};
        TaskShape[] out = new TaskShape[4];
        for (int i = 0; i < 4; i++) {
            double[] q = quadrants[i];
            MultiPolygon piece;
            try {
                piece = Geo.polygonal(OverlayNGRobust.overlay(g, Geo.rectangle(q[0], q[1], q[2], q[3]), OverlayNG.INTERSECTION));
            } catch (TopologyException ex) {
                piece = Geo.FACTORY.createMultiPolygon();
            }
            if (piece.isEmpty()) {
                throw new SplitGeometryException(SplitGeometryException.Reason.NO_INTERSECTION, "New split task does not intersect original task");
            }
            out[i] = new TaskShape(null, null, null, false, Geo.rfc7946(piece), t.extraProperties());
        }
        return List.of(out);
    }
}
