package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import org.locationtech.jts.algorithm.Area;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.algorithm.RayCrossingCounter;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;

/**
 * Fast paths for a tile (an axis-aligned rectangle) against a small cut of the AOI (see TaskGrid's Piece). Both
 * answer "don't know" whenever the AOI's boundary comes within {@link #EPS} of the rectangle's sides or corners,
 * and the caller then uses the exact JTS predicates and OverlayNG. EPS (about 0.1 mm) is five orders of
 * magnitude above the rounding in a cut's new vertices, so a fast answer is never one the exact path would
 * contradict.
 */
final class RectClip {
    private RectClip() {}

    /** Degrees. Coordinates carry ~1e-14 of rounding; tiles at zoom 18 are ~1e-3 wide. */
    static final double EPS = 1e-9;

    enum Where { OUTSIDE, INSIDE, CROSSING, UNSURE }

    /** Pieces larger than this are left to the prepared predicates. */
    static final int MAX_POINTS = 1 << 16;

    /**
     * Where the rectangle lies relative to the AOI cut {@code g}: CROSSING when the AOI's boundary passes through
     * its interior (a vertex strictly inside, or an edge through the rectangle shrunk by EPS), INSIDE/OUTSIDE
     * when no edge comes within EPS of it, else UNSURE.
     */
    static Where classify(Geometry g, double x0, double y0, double x1, double y1) {
        return classify(g, x0, y0, x1, y1, EPS);
    }

    /** As {@link #classify(Geometry, double, double, double, double)} with another margin (coordinates in metres). */
    static Where classify(Geometry g, double x0, double y0, double x1, double y1, double eps) {
        if (g.getNumPoints() > MAX_POINTS) return Where.UNSURE;
        boolean near = false;
        Envelope grown = new Envelope(x0 - eps, x1 + eps, y0 - eps, y1 + eps);
        for (int i = 0; i < g.getNumGeometries(); i++) {
            Polygon p = (Polygon) g.getGeometryN(i);
            if (!p.getEnvelopeInternal().intersects(grown)) continue; // counts only for parity, below
            for (int r = -1; r < p.getNumInteriorRing(); r++) {
                LinearRing ring = r < 0 ? p.getExteriorRing() : p.getInteriorRingN(r);
                if (!ring.getEnvelopeInternal().intersects(grown)) continue;
                CoordinateSequence cs = ring.getCoordinateSequence();
                for (int k = 0, n = cs.size(); k < n; k++) {
                    double ax = cs.getX(k), ay = cs.getY(k);
                    if (ax > x0 && ax < x1 && ay > y0 && ay < y1) return Where.CROSSING;
                    if (k + 1 == n) break;
                    double bx = cs.getX(k + 1), by = cs.getY(k + 1);
                    if (!meets(ax, ay, bx, by, x0 - eps, y0 - eps, x1 + eps, y1 + eps)) continue;
                    if (meets(ax, ay, bx, by, x0 + eps, y0 + eps, x1 - eps, y1 - eps)) return Where.CROSSING;
                    near = true;
                }
            }
        }
        if (near) return Where.UNSURE;
        return insideCut(g, (x0 + x1) / 2, (y0 + y1) / 2) ? Where.INSIDE : Where.OUTSIDE;
    }

    /** Point in the cut by ring parity; the cut's extra edges along its box leave parity unchanged inside it. */
    private static boolean insideCut(Geometry g, double x, double y) {
        Coordinate c = new Coordinate(x, y);
        for (int i = 0; i < g.getNumGeometries(); i++) {
            Polygon p = (Polygon) g.getGeometryN(i);
            if (RayCrossingCounter.locatePointInRing(c, p.getExteriorRing().getCoordinateSequence()) != Location.INTERIOR) continue;
            boolean inHole = false;
            for (int h = 0; h < p.getNumInteriorRing() && !inHole; h++) {
                inHole = RayCrossingCounter.locatePointInRing(c, p.getInteriorRingN(h).getCoordinateSequence()) == Location.INTERIOR;
            }
            if (!inHole) return true;
        }
        return false;
    }

    /** Whether segment a–b meets the closed rectangle (Liang–Barsky). */
    static boolean meets(double ax, double ay, double bx, double by, double x0, double y0, double x1, double y1) {
        if (x1 < x0 || y1 < y0) return false;
        if ((ax < x0 && bx < x0) || (ax > x1 && bx > x1) || (ay < y0 && by < y0) || (ay > y1 && by > y1)) return false;
        double[] t = {0, 1};
        double dx = bx - ax, dy = by - ay;
        return clipT(-dx, ax - x0, t) && clipT(dx, x1 - ax, t) && clipT(-dy, ay - y0, t) && clipT(dy, y1 - ay, t);
    }

    private static boolean clipT(double p, double q, double[] t) {
        if (p == 0) return q >= 0;
        double r = q / p;
        if (p < 0) {
            if (r > t[1]) return false;
            if (r > t[0]) t[0] = r;
        } else {
            if (r < t[0]) return false;
            if (r < t[1]) t[1] = r;
        }
        return true;
    }

    /**
     * The cut {@code g} ∩ rectangle as polygons (shells counter-clockwise, holes clockwise), or null when a
     * vertex or crossing lies within EPS of the rectangle's sides or corners, or anything else is not clear
     * cut: the caller then uses OverlayNG. Chains of each ring inside the rectangle are joined by walking the
     * rectangle's boundary counter-clockwise from each exit to the next entry.
     */
    static List<Polygon> clip(Geometry g, double x0, double y0, double x1, double y1) {
        return clip(g, x0, y0, x1, y1, EPS);
    }

    /** As {@link #clip(Geometry, double, double, double, double)} with another margin (coordinates in metres). */
    static List<Polygon> clip(Geometry g, double x0, double y0, double x1, double y1, double eps) {
        Rect rect = new Rect(x0, y0, x1, y1, eps);
        List<Polygon> out = new ArrayList<>();
        Envelope box = new Envelope(x0, x1, y0, y1);
        for (int i = 0; i < g.getNumGeometries(); i++) {
            Polygon p = (Polygon) g.getGeometryN(i);
            if (!p.getEnvelopeInternal().intersects(box)) continue;
            if (!clipPolygon(p, rect, out)) return null;
        }
        return out;
    }

    private record Rect(double x0, double y0, double x1, double y1, double eps) {
        double perimeter() {
            return 2 * (x1 - x0) + 2 * (y1 - y0);
        }

        /** Position along the boundary, counter-clockwise from (x0, y0). */
        double along(Coordinate c) {
            double w = x1 - x0, h = y1 - y0;
            if (c.y == y0) return c.x - x0;
            if (c.x == x1) return w + (c.y - y0);
            if (c.y == y1) return w + h + (x1 - c.x);
            return 2 * w + h + (y1 - c.y);
        }

        Coordinate corner(int k) {
            return switch (k & 3) {
                case 0 -> new Coordinate(x1, y0);
                case 1 -> new Coordinate(x1, y1);
                case 2 -> new Coordinate(x0, y1);
                default -> new Coordinate(x0, y0);
            };
        }

        /** Boundary position of corner k (0 = (x1,y0), then counter-clockwise). */
        double cornerAlong(int k) {
            double w = x1 - x0, h = y1 - y0;
            return switch (k & 3) {
                case 0 -> w;
                case 1 -> w + h;
                case 2 -> 2 * w + h;
                default -> 2 * w + 2 * h;
            };
        }
    }

    /** A part of a ring inside the rectangle, from an entry point on its boundary to an exit point. */
    private static final class Chain {
        final List<Coordinate> pts = new ArrayList<>();
        double in, out;
        boolean used;
    }

    private static boolean clipPolygon(Polygon p, Rect r, List<Polygon> out) {
        List<Chain> chains = new ArrayList<>();
        List<Coordinate[]> innerShells = new ArrayList<>(), innerHoles = new ArrayList<>();
        for (int k = -1; k < p.getNumInteriorRing(); k++) {
            LinearRing ring = k < 0 ? p.getExteriorRing() : p.getInteriorRingN(k);
            Coordinate[] pts = ring.getCoordinates();
            double area = Area.ofRingSigned(pts);
            if (area == 0) continue;
            // Interior on the left: shells counter-clockwise, holes clockwise (JTS's signed area is + for CW).
            boolean wantCcw = k < 0;
            if ((area < 0) != wantCcw) {
                pts = pts.clone();
                reverse(pts);
            }
            int status = chains(pts, r, chains);
            if (status < 0) return false;
            if (status == 1) (k < 0 ? innerShells : innerHoles).add(pts);
        }
        return assemble(p, r, chains, innerShells, innerHoles, out);
    }

    /**
     * As {@link #clip(Geometry, double, double, double, double, double)} from only the AOI edges near the
     * rectangle, so a tile costs what its neighbourhood holds, not the whole AOI. {@code aoi} has RFC 7946
     * orientation (shells counter-clockwise, holes clockwise); {@code near} holds {polygon, ring (-1 for the
     * shell), edge index} for every edge whose envelope meets the rectangle grown by eps, and for at least one
     * of them the AOI's boundary crosses the rectangle (otherwise the rectangle is wholly inside or outside and
     * needs no clip). Each run of consecutive near edges starts and ends outside the grown rectangle, so it is
     * cut into chains as the whole ring would be.
     */
    static List<Polygon> clipNear(Geometry aoi, List<int[]> near, double x0, double y0, double x1, double y1, double eps) {
        Rect r = new Rect(x0, y0, x1, y1, eps);
        List<int[]> edges = new ArrayList<>(near);
        edges.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : a[1] != b[1] ? Integer.compare(a[1], b[1]) : Integer.compare(a[2], b[2]));
        List<Polygon> out = new ArrayList<>();
        int i = 0;
        while (i < edges.size()) {
            int poly = edges.get(i)[0];
            Polygon p = (Polygon) aoi.getGeometryN(poly);
            List<Chain> chains = new ArrayList<>();
            List<Coordinate[]> innerShells = new ArrayList<>(), innerHoles = new ArrayList<>();
            while (i < edges.size() && edges.get(i)[0] == poly) {
                int ringNo = edges.get(i)[1];
                Coordinate[] pts = (ringNo < 0 ? p.getExteriorRing() : p.getInteriorRingN(ringNo)).getCoordinates();
                int n = pts.length - 1;
                java.util.BitSet ks = new java.util.BitSet(n);
                while (i < edges.size() && edges.get(i)[0] == poly && edges.get(i)[1] == ringNo) ks.set(edges.get(i++)[2]);
                if (ks.cardinality() == n) {
                    int status = chains(pts, r, chains);
                    if (status < 0) return null;
                    if (status == 1) (ringNo < 0 ? innerShells : innerHoles).add(pts);
                    continue;
                }
                for (int k = ks.nextSetBit(0); k >= 0; k = ks.nextSetBit(k + 1)) {
                    if (ks.get((k + n - 1) % n)) continue; // not the start of a run
                    int len = 1;
                    while (ks.get((k + len) % n)) len++;
                    if (walk(pts, k, len, n, r, chains) < 0) return null;
                }
            }
            if (chains.isEmpty() && innerShells.isEmpty() && innerHoles.isEmpty()) continue; // edges near, none inside
            if (!assemble(p, r, chains, innerShells, innerHoles, out)) return null;
        }
        return out;
    }

    /** Joins a polygon's chains along the rectangle's boundary into rings, adds the rings wholly inside it. */
    private static boolean assemble(Polygon p, Rect r, List<Chain> chains, List<Coordinate[]> innerShells,
                                    List<Coordinate[]> innerHoles, List<Polygon> out) {
        double per = r.perimeter();
        // entries and exits by position along the boundary: joining is n log n however many chains a tile cuts
        java.util.TreeMap<Double, Chain> ins = new java.util.TreeMap<>(), outs = new java.util.TreeMap<>();
        for (Chain c : chains) {
            if (ins.put(c.in, c) != null || outs.put(c.out, c) != null) return false; // two at one point: not clean
        }
        List<LinearRing> shells = new ArrayList<>();
        for (Chain c : chains) {
            if (c.used) continue;
            List<Coordinate> ring = new ArrayList<>();
            Chain cur = c;
            int guard = 0;
            while (true) {
                cur.used = true;
                ring.addAll(cur.pts);
                var in = ins.ceilingEntry(cur.out);
                Chain next = (in != null ? in : ins.firstEntry()).getValue();
                double best = ccw(cur.out, next.in, per);
                // Walking on from an exit must meet an entry before any other exit; else the input is not clean.
                var after = outs.higherEntry(cur.out);
                Chain otherExit = (after != null ? after : outs.firstEntry()).getValue();
                if (otherExit != cur && ccw(cur.out, otherExit.out, per) < best) return false;
                if (best < r.eps) return false;
                addCorners(r, cur.out, cur.out + best, per, ring);
                if (next == c) break;
                if (next.used || ++guard > chains.size()) return false;
                cur = next;
            }
            // A ring through the same point twice (input rings touching there) is not valid JTS: leave it to OverlayNG.
            if (ring.size() < 3 || new java.util.HashSet<>(ring).size() != ring.size()) return false;
            ring.add(ring.getFirst().copy());
            shells.add(Geo.FACTORY.createLinearRing(ring.toArray(new Coordinate[0])));
        }
        for (Coordinate[] s : innerShells) shells.add(Geo.FACTORY.createLinearRing(s));
        if (shells.isEmpty()) {
            // No boundary inside the rectangle: it is wholly inside or outside the polygon.
            if (!innerHoles.isEmpty() || insideCut(Geo.FACTORY.createMultiPolygon(new Polygon[] {p}), (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)) {
                shells.add(Geo.FACTORY.createLinearRing(new Coordinate[] {
                    new Coordinate(r.x0, r.y0), new Coordinate(r.x1, r.y0), new Coordinate(r.x1, r.y1),
                    new Coordinate(r.x0, r.y1), new Coordinate(r.x0, r.y0)}));
            } else {
                return true;
            }
        }
        List<List<LinearRing>> holesOf = new ArrayList<>();
        for (int i = 0; i < shells.size(); i++) holesOf.add(new ArrayList<>());
        for (Coordinate[] h : innerHoles) {
            int owner = -1;
            for (int i = 0; i < shells.size() && owner < 0; i++) {
                if (RayCrossingCounter.locatePointInRing(h[0], shells.get(i).getCoordinateSequence()) == Location.INTERIOR) owner = i;
            }
            if (owner < 0) return false;
            holesOf.get(owner).add(Geo.FACTORY.createLinearRing(h));
        }
        for (int i = 0; i < shells.size(); i++) {
            out.add(Geo.FACTORY.createPolygon(shells.get(i), holesOf.get(i).toArray(new LinearRing[0])));
        }
        return true;
    }

    private static double ccw(double from, double to, double per) {
        double d = to - from;
        return d < 0 ? d + per : d;
    }

    /** Adds the rectangle's corners met walking counter-clockwise from boundary position a to b. */
    private static void addCorners(Rect r, double a, double b, double per, List<Coordinate> ring) {
        for (int k = 0; k < 8; k++) {
            double c = r.cornerAlong(k);
            if (k >= 4) c += per;
            if (c > a && c < b) ring.add(r.corner(k));
        }
    }

    /**
     * Splits a ring (interior on its left) into chains inside the rectangle. Returns 1 if the ring lies wholly
     * inside, 0 if it was split into chains or lies wholly outside, -1 if anything is within EPS of the sides.
     */
    private static int chains(Coordinate[] pts, Rect r, List<Chain> chains) {
        int n = pts.length - 1;
        int start = -1;
        for (int i = 0; i < n; i++) {
            int s = side(pts[i], r);
            if (s < 0) return -1;
            if (s == 0 && start < 0) start = i;
        }
        if (start < 0) return 1;
        return walk(pts, start, n, n, r, chains);
    }

    /**
     * Cuts the {@code count} edges of a ring of {@code n} edges from index {@code start} (a point outside the
     * rectangle by more than EPS, as is the point after the last edge) into chains. 0, or -1 when anything is
     * within EPS of the sides.
     */
    private static int walk(Coordinate[] pts, int start, int count, int n, Rect r, List<Chain> chains) {
        Chain cur = null;
        for (int j = 0; j < count; j++) {
            Coordinate a = pts[(start + j) % n], b = pts[(start + j + 1) % n];
            int sa = side(a, r), sb = side(b, r);
            if (sa < 0 || sb < 0) return -1;
            boolean aIn = sa == 1, bIn = sb == 1;
            if (aIn && bIn) {
                cur.pts.add(b);
                continue;
            }
            double[] t = {0, 1};
            double dx = b.x - a.x, dy = b.y - a.y;
            boolean hit = clipT(-dx, a.x - r.x0, t) && clipT(dx, r.x1 - a.x, t) && clipT(-dy, a.y - r.y0, t) && clipT(dy, r.y1 - a.y, t);
            if (aIn) {
                Coordinate e = onBoundary(a, b, t[1], r);
                if (e == null) return -1;
                cur.pts.add(e);
                cur.out = r.along(e);
                chains.add(cur);
                cur = null;
            } else if (bIn) {
                Coordinate s = onBoundary(a, b, t[0], r);
                if (s == null) return -1;
                cur = new Chain();
                cur.pts.add(s);
                cur.in = r.along(s);
                cur.pts.add(b);
            } else if (hit && t[1] - t[0] > 0) {
                Coordinate s = onBoundary(a, b, t[0], r), e = onBoundary(a, b, t[1], r);
                if (s == null || e == null) return -1;
                Chain c = new Chain();
                c.pts.add(s);
                c.pts.add(e);
                c.in = r.along(s);
                c.out = r.along(e);
                chains.add(c);
            } else if (RectClip.meets(a.x, a.y, b.x, b.y, r.x0 - r.eps, r.y0 - r.eps, r.x1 + r.eps, r.y1 + r.eps)) {
                return -1; // grazes a side or a corner
            }
        }
        return 0;
    }

    /** 1 strictly inside (by more than EPS), 0 strictly outside (by more than EPS), -1 within EPS of a side. */
    private static int side(Coordinate c, Rect r) {
        if (c.x > r.x0 + r.eps && c.x < r.x1 - r.eps && c.y > r.y0 + r.eps && c.y < r.y1 - r.eps) return 1;
        if (c.x < r.x0 - r.eps || c.x > r.x1 + r.eps || c.y < r.y0 - r.eps || c.y > r.y1 + r.eps) return 0;
        return -1;
    }

    /**
     * The point at parameter t of a–b, snapped onto the side it crosses (that coordinate exact), or null when
     * the crossing is within r.eps of a corner.
     */
    private static Coordinate onBoundary(Coordinate a, Coordinate b, double t, Rect r) {
        double x = a.x + t * (b.x - a.x), y = a.y + t * (b.y - a.y);
        double dx0 = Math.abs(x - r.x0), dx1 = Math.abs(x - r.x1), dy0 = Math.abs(y - r.y0), dy1 = Math.abs(y - r.y1);
        double dx = Math.min(dx0, dx1), dy = Math.min(dy0, dy1);
        if (dx < r.eps && dy < r.eps) return null;
        if (dx <= dy) {
            x = dx0 <= dx1 ? r.x0 : r.x1;
            if (y <= r.y0 + r.eps || y >= r.y1 - r.eps) return null;
        } else {
            y = dy0 <= dy1 ? r.y0 : r.y1;
            if (x <= r.x0 + r.eps || x >= r.x1 - r.eps) return null;
        }
        return new Coordinate(x, y);
    }

    /**
     * A closed ring cut to a box by Sutherland–Hodgman, one pass per side over primitive buffers. Parts of the
     * ring outside the box collapse onto its sides as zero-width edges, as with JTS's RingClipper (which this
     * replaces for speed: no coordinate copies or list growth); OverlayNG and {@link #clip} accept such rings
     * as long as the box keeps clear of the rectangles they are used for. Returns null when nothing is left.
     */
    static Coordinate[] cutRing(CoordinateSequence cs, double minX, double minY, double maxX, double maxY) {
        int n = cs.size() - 1;
        double[] x = new double[2 * n + 8], y = new double[2 * n + 8];
        for (int i = 0; i < n; i++) {
            x[i] = cs.getX(i);
            y[i] = cs.getY(i);
        }
        double[] x2 = new double[x.length], y2 = new double[x.length];
        for (int side = 0; side < 4 && n > 0; side++) {
            int m = 0;
            if (x2.length < 2 * n + 2) {
                x2 = new double[2 * n + 8];
                y2 = new double[2 * n + 8];
            }
            double v = switch (side) { case 0 -> minX; case 1 -> maxX; case 2 -> minY; default -> maxY; };
            for (int i = 0; i < n; i++) {
                int j = i == 0 ? n - 1 : i - 1;
                boolean in = inside(side, x[i], y[i], v), prevIn = inside(side, x[j], y[j], v);
                if (in != prevIn) {
                    if (side < 2) {
                        x2[m] = v;
                        y2[m++] = y[j] + (v - x[j]) / (x[i] - x[j]) * (y[i] - y[j]);
                    } else {
                        x2[m] = x[j] + (v - y[j]) / (y[i] - y[j]) * (x[i] - x[j]);
                        y2[m++] = v;
                    }
                }
                if (in) {
                    x2[m] = x[i];
                    y2[m++] = y[i];
                }
            }
            double[] tx = x, ty = y;
            x = x2;
            y = y2;
            x2 = tx;
            y2 = ty;
            n = m;
        }
        if (n < 3) return null;
        Coordinate[] out = new Coordinate[n + 1];
        for (int i = 0; i < n; i++) out[i] = new Coordinate(x[i], y[i]);
        out[n] = out[0].copy();
        return out;
    }

    private static boolean inside(int side, double x, double y, double v) {
        return switch (side) {
            case 0 -> x >= v;
            case 1 -> x <= v;
            case 2 -> y >= v;
            default -> y <= v;
        };
    }

    private static void reverse(Coordinate[] pts) {
        for (int i = 0, j = pts.length - 1; i < j; i++, j--) {
            Coordinate t = pts[i];
            pts[i] = pts[j];
            pts[j] = t;
        }
    }
}
