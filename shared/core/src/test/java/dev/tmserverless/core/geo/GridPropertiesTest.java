package dev.tmserverless.core.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import dev.tmserverless.core.error.ApiException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * Invariants of the grid over generated AOIs and zooms: clipped tasks never overlap and together are the AOI;
 * every kept square meets the AOI's interior and no other tile does; counting, skipping and order agree; split
 * children tile their parent. AOIs include stars with holes, overlapping parts, tile-aligned blocks (edges
 * exactly on tile edges) and rings touching at points, to reach the exact fallbacks as well as the fast paths.
 */
class GridPropertiesTest {

    /** Relative tolerance of the area invariants. */
    static final double REL = 1e-9;
    static final int MAX_TASKS = 1200;

    record Scene(MultiPolygon aoi, int zoom, String kind) {
        @Override
        public String toString() {
            return kind + " z" + zoom + " " + aoi.getNumPoints() + " pts @" + aoi.getCentroid().getCoordinate();
        }
    }

    @Provide
    Arbitrary<Scene> scenes() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(5, 18), Arbitraries.integers().between(0, 5))
                .as(GridPropertiesTest::scene).filter(s -> s != null);
    }

    static Scene scene(long seed, int zoom, int kind) {
        Random rnd = new Random(seed);
        double lat0 = -70 + 140 * rnd.nextDouble(), lon0 = -170 + 340 * rnd.nextDouble();
        double tw = 360.0 / (1L << zoom), th = tw * Math.cos(Math.toRadians(lat0));
        List<Polygon> parts = new ArrayList<>();
        String name;
        switch (kind) {
            case 0 -> {
                name = "star";
                double u = rnd.nextDouble();
                parts.add(star(rnd, lon0, lat0, tw, th, 0.3 + 14 * u * u, List.of()));
            }
            case 1 -> {
                name = "star with holes";
                double r = 1 + 10 * rnd.nextDouble();
                List<LinearRing> holes = new ArrayList<>();
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    double a = 2 * Math.PI * i / n, d = 0.3 * r;
                    holes.add(star(rnd, lon0 + d * Math.cos(a) * tw, lat0 + d * Math.sin(a) * th, tw, th, 0.1 * r, List.of()).getExteriorRing());
                }
                parts.add(star(rnd, lon0, lat0, tw, th, r, holes));
            }
            case 2 -> {
                name = "overlapping parts";
                for (int i = 0, n = 2 + rnd.nextInt(3); i < n; i++) {
                    parts.add(star(rnd, lon0 + (rnd.nextDouble() - 0.5) * 6 * tw, lat0 + (rnd.nextDouble() - 0.5) * 6 * th, tw, th,
                            0.3 + 3 * rnd.nextDouble(), List.of()));
                }
            }
            case 3 -> {
                name = "tile-aligned blocks";
                long x0 = TileMath.tileX(TileMath.browserX(lon0), zoom), y0 = TileMath.tileY(TileMath.browserY(lat0), zoom);
                for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                    long x = x0 + rnd.nextInt(5) - 2, y = y0 + rnd.nextInt(5) - 2;
                    // blocks may reach the antimeridian (the east edge of the world's last column)
                    long x2 = Math.min(x + 1 + rnd.nextInt(4), 1L << zoom), y2 = y + 1 + rnd.nextInt(4);
                    if (x2 <= x) continue;
                    parts.add(Geo.rectangle(TileMath.edgeLon(x, zoom), TileMath.edgeLat(y, zoom), TileMath.edgeLon(x2, zoom), TileMath.edgeLat(y2, zoom)));
                }
                if (rnd.nextBoolean()) parts.add(star(rnd, lon0, lat0, tw, th, 0.5 + 2 * rnd.nextDouble(), List.of()));
            }
            case 4 -> {
                name = "snapped to tile edges";
                Polygon s = star(rnd, lon0, lat0, tw, th, 1 + 4 * rnd.nextDouble(), List.of());
                Coordinate[] pts = s.getExteriorRing().getCoordinates();
                for (int i = 0; i < pts.length - 1; i++) {
                    if (rnd.nextDouble() < 0.5) pts[i].x = TileMath.edgeLon(Math.round((TileMath.browserX(pts[i].x) + TileMath.A) / TileMath.step(zoom)), zoom);
                    if (rnd.nextDouble() < 0.5) pts[i].y = TileMath.edgeLat(Math.round((TileMath.browserY(pts[i].y) + TileMath.A) / TileMath.step(zoom)), zoom);
                }
                pts[pts.length - 1] = pts[0].copy();
                parts.add(Geo.FACTORY.createPolygon(pts));
            }
            default -> {
                name = "rings touching at points";
                double r = 1 + 3 * rnd.nextDouble();
                Coordinate c = new Coordinate(lon0, lat0);
                Coordinate[] shell = {new Coordinate(lon0 - r * tw, lat0 - r * th), new Coordinate(lon0 + r * tw, lat0 - r * th),
                    new Coordinate(lon0 + r * tw, lat0 + r * th), new Coordinate(lon0 - r * tw, lat0 + r * th), null};
                shell[4] = shell[0].copy();
                // A hole touching the shell at a corner, and a second polygon touching the first at another corner.
                LinearRing hole = Geo.FACTORY.createLinearRing(new Coordinate[] {shell[0].copy(), new Coordinate(c.x, c.y - 0.5 * r * th),
                    new Coordinate(c.x - 0.5 * r * tw, c.y), shell[0].copy()});
                parts.add(Geo.FACTORY.createPolygon(Geo.FACTORY.createLinearRing(shell), new LinearRing[] {hole}));
                Coordinate k = shell[2];
                parts.add(Geo.FACTORY.createPolygon(new Coordinate[] {k.copy(), new Coordinate(k.x + r * tw, k.y + 0.3 * r * th),
                    new Coordinate(k.x + 0.3 * r * tw, k.y + r * th), k.copy()}));
            }
        }
        MultiPolygon aoi;
        try {
            aoi = Aoi.normalise(Fixtures.fc(parts.toArray(new Geometry[0])));
        } catch (ApiException e) {
            return null; // snapping can make a ring self-intersect; that input is refused, not gridded
        }
        long n = TaskGrid.countUpTo(aoi, zoom, MAX_TASKS);
        if (n == 0 || n > MAX_TASKS) return null;
        return new Scene(aoi, zoom, name);
    }

    /** A star-shaped (hence simple) ring around (lon, lat), radius r tiles with up to 60% radial noise. */
    static Polygon star(Random rnd, double lon, double lat, double tw, double th, double r, List<LinearRing> holes) {
        int n = 3 + rnd.nextInt(38);
        double rough = 0.6 * rnd.nextDouble(), phase = rnd.nextDouble();
        Coordinate[] pts = new Coordinate[n + 1];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * (i + phase) / n, rr = r * (1 - rough * rnd.nextDouble());
            pts[i] = new Coordinate(lon + rr * Math.cos(a) * tw, lat + rr * Math.sin(a) * th);
        }
        pts[n] = pts[0].copy();
        return Geo.FACTORY.createPolygon(Geo.FACTORY.createLinearRing(pts), holes.toArray(new LinearRing[0]));
    }

    /**
     * 1e-9 of the area, but never below the floating-point floor (one ulp of the coordinates along the
     * perimeter), which only matters for sliver tasks a fraction of a square metre in size.
     */
    static double tolerance(Geometry g) {
        Envelope e = g.getEnvelopeInternal();
        double ulp = Math.ulp(Math.max(Math.max(Math.abs(e.getMinX()), Math.abs(e.getMaxX())), Math.max(Math.abs(e.getMinY()), Math.abs(e.getMaxY()))));
        return REL * g.getArea() + ulp * g.getLength();
    }

    static List<TaskShape> grid(Scene s, boolean clip, long skip) {
        List<TaskShape> out = new ArrayList<>();
        TaskGrid.generate(s.aoi(), s.zoom(), clip, skip, out::add);
        return out;
    }

    static Geometry extent(Scene s) {
        TaskGrid.Range r = TaskGrid.range(s.aoi(), s.zoom());
        return Geo.rectangle(TileMath.edgeLon(r.minX(), s.zoom()), TileMath.edgeLat(r.minY(), s.zoom()),
                TileMath.edgeLon(r.maxX(), s.zoom()), TileMath.edgeLat(r.maxY(), s.zoom()));
    }

    @Property(tries = 200)
    void clippedTasksNeverOverlapAndTogetherAreTheAoi(@ForAll("scenes") Scene s) {
        List<TaskShape> tasks = grid(s, true, 0);
        STRtree index = new STRtree();
        for (int i = 0; i < tasks.size(); i++) index.insert(tasks.get(i).geometry().getEnvelopeInternal(), i);
        List<Geometry> geoms = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < tasks.size(); i++) {
            Geometry g = tasks.get(i).geometry();
            assertThat(g.isValid()).as("task %d valid", i).isTrue();
            assertThat(g.isEmpty()).isFalse();
            double tile = TileMath.square(tasks.get(i).x(), tasks.get(i).y(), s.zoom()).getArea();
            for (Object o : index.query(g.getEnvelopeInternal())) {
                int j = (Integer) o;
                if (j <= i) continue;
                double overlap = OverlayNGRobust.overlay(g, tasks.get(j).geometry(), OverlayNG.INTERSECTION).getArea();
                assertThat(overlap).as("overlap of tasks %d and %d", i, j).isLessThanOrEqualTo(REL * tile);
            }
            sum += g.getArea();
            geoms.add(g);
        }
        // The union of the tasks is the AOI within the grid's extent (the reference's bbox shrink can leave a
        // band under 1 m wide outside the extent, which no tile covers).
        Geometry expected = OverlayNGRobust.overlay(s.aoi(), extent(s), OverlayNG.INTERSECTION);
        Geometry union = OverlayNGRobust.union(Geo.FACTORY.buildGeometry(geoms));
        assertThat(Math.abs(sum - expected.getArea())).isLessThanOrEqualTo(REL * expected.getArea());
        assertThat(OverlayNGRobust.overlay(union, expected, OverlayNG.SYMDIFFERENCE).getArea()).isLessThanOrEqualTo(REL * expected.getArea());
        Envelope band = extent(s).getEnvelopeInternal();
        band.expandBy(1e-5);
        assertThat(band.covers(s.aoi().getEnvelopeInternal())).isTrue();
    }

    @Property(tries = 200)
    void keptSquaresAreExactlyTheTilesMeetingTheAoiInterior(@ForAll("scenes") Scene s) {
        List<TaskShape> squares = grid(s, false, 0);
        Set<Long> kept = new HashSet<>();
        for (TaskShape t : squares) {
            assertThat(t.isSquare()).isTrue();
            assertThat(t.geometry().equalsExact(TileMath.square(t.x(), t.y(), s.zoom()))).isTrue();
            assertThat(s.aoi().relate(t.geometry(), "T********")).as("%s/%s meets the interior", t.x(), t.y()).isTrue();
            kept.add(((long) t.x() << 32) | t.y());
        }
        // No other tile of the grid's range meets the AOI's interior (tiles only touching are dropped).
        TaskGrid.Range r = TaskGrid.range(s.aoi(), s.zoom());
        Envelope env = s.aoi().getEnvelopeInternal();
        for (int x = r.minX(); x < r.maxX(); x++) {
            for (int y = r.minY(); y < r.maxY(); y++) {
                if (kept.contains(((long) x << 32) | y)) continue;
                MultiPolygon sq = TileMath.square(x, y, s.zoom());
                if (!sq.getEnvelopeInternal().intersects(env)) continue;
                assertThat(s.aoi().relate(sq, "T********")).as("%s/%s dropped", x, y).isFalse();
            }
        }
        // Contained tiles come out as squares when clipping too; the others are clipped.
        List<TaskShape> clipped = grid(s, true, 0);
        assertThat(clipped).hasSameSizeAs(squares);
        for (int i = 0; i < clipped.size(); i++) {
            TaskShape c = clipped.get(i);
            assertThat(c.x()).isEqualTo(squares.get(i).x());
            assertThat(c.y()).isEqualTo(squares.get(i).y());
            assertThat(c.isSquare()).isEqualTo(s.aoi().contains(squares.get(i).geometry()));
        }
    }

    @Property(tries = 200)
    void countSkipAndOrderAgree(@ForAll("scenes") Scene s, @ForAll @IntRange(min = 0, max = 2000) int skip) {
        List<TaskShape> all = grid(s, true, 0);
        assertThat(TaskGrid.count(s.aoi(), s.zoom())).isEqualTo(all.size());
        for (int i = 1; i < all.size(); i++) {
            TaskShape a = all.get(i - 1), b = all.get(i);
            assertThat(a.x() < b.x() || (a.x().equals(b.x()) && a.y() < b.y())).as("x outer, y inner").isTrue();
        }
        int k = all.isEmpty() ? 0 : skip % (all.size() + 2);
        List<TaskShape> rest = grid(s, true, k);
        assertThat(rest).hasSize(Math.max(0, all.size() - k));
        for (int i = 0; i < rest.size(); i++) {
            assertThat(rest.get(i).x()).isEqualTo(all.get(i + k).x());
            assertThat(rest.get(i).y()).isEqualTo(all.get(i + k).y());
            assertThat(rest.get(i).geometry().equalsExact(all.get(i + k).geometry())).isTrue();
        }
    }

    @Property(tries = 200)
    void splitChildrenTileTheirParentExactly(@ForAll("scenes") Scene s, @ForAll @IntRange(min = 0, max = 1000) int pick) {
        List<TaskShape> tasks = grid(s, true, 0);
        List<TaskShape> parents = new ArrayList<>();
        parents.add(tasks.get(pick % tasks.size()));
        tasks.stream().filter(t -> !t.isSquare()).skip(pick % 7).findFirst().ifPresent(parents::add);
        TaskShape first = tasks.getFirst();
        parents.add(TileMath.squareTask(first.x(), first.y(), s.zoom()));
        for (TaskShape parent : parents) {
            List<TaskShape> kids;
            try {
                kids = Split.children(parent);
            } catch (SplitGeometryException e) {
                // Only a centroid cut with an empty quadrant may refuse.
                assertThat(parent.isTile()).isFalse();
                assertThat(e.reason()).isEqualTo(SplitGeometryException.Reason.NO_INTERSECTION);
                continue;
            }
            assertThat(kids).hasSize(4);
            double tolerance = tolerance(parent.geometry());
            Geometry union = OverlayNGRobust.union(Geo.FACTORY.buildGeometry(kids.stream().map(k -> (Geometry) k.geometry()).toList()));
            assertThat(OverlayNGRobust.overlay(union, parent.geometry(), OverlayNG.SYMDIFFERENCE).getArea()).isLessThanOrEqualTo(tolerance);
            for (int i = 0; i < 4; i++) {
                assertThat(kids.get(i).geometry().isValid()).isTrue();
                for (int j = i + 1; j < 4; j++) {
                    double overlap = OverlayNGRobust.overlay(kids.get(i).geometry(), kids.get(j).geometry(), OverlayNG.INTERSECTION).getArea();
                    assertThat(overlap).isLessThanOrEqualTo(tolerance);
                }
            }
        }
    }

    @Property(tries = 200)
    void rectangleClipperAgreesWithOverlay(@ForAll("scenes") Scene s, @ForAll @IntRange(min = 0, max = 10_000) int pick) {
        TaskGrid.Range r = TaskGrid.range(s.aoi(), s.zoom());
        int w = r.maxX() - r.minX(), h = r.maxY() - r.minY();
        int x = r.minX() + pick % w, y = r.minY() + (pick / w) % h;
        MultiPolygon tile = TileMath.square(x, y, s.zoom());
        Envelope e = tile.getEnvelopeInternal();
        List<Polygon> fast = RectClip.clip(s.aoi(), e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY());
        if (fast == null) return; // near-degenerate: the overlay path takes it
        MultiPolygon got = Geo.FACTORY.createMultiPolygon(fast.toArray(new Polygon[0]));
        Geometry want = OverlayNGRobust.overlay(s.aoi(), tile, OverlayNG.INTERSECTION);
        assertThat(got.isValid()).isTrue();
        assertThat(OverlayNGRobust.overlay(got, want, OverlayNG.SYMDIFFERENCE).getArea()).isLessThanOrEqualTo(REL * tile.getArea());
    }
}
