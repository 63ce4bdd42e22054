package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.assertCode;
import static dev.tmserverless.core.geo.Fixtures.fc;
import static dev.tmserverless.core.geo.Fixtures.wkt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;

import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;

class TaskGridTest {

    static List<TaskShape> grid(MultiPolygon aoi, int zoom, boolean clip) {
        List<TaskShape> out = new ArrayList<>();
        TaskGrid.generate(aoi, zoom, clip, 0, out::add);
        return out;
    }

    /** The reference algorithm, tile by tile with plain JTS operations. */
    static List<TaskShape> bruteForce(MultiPolygon aoi, int zoom, boolean clip) {
        TaskGrid.Range r = TaskGrid.range(aoi, zoom);
        List<TaskShape> out = new ArrayList<>();
        for (int x = r.minX(); x < r.maxX(); x++) {
            for (int y = r.minY(); y < r.maxY(); y++) {
                MultiPolygon sq = TileMath.square(x, y, zoom);
                if (aoi.contains(sq)) {
                    out.add(new TaskShape(x, y, zoom, true, sq, null));
                    continue;
                }
                MultiPolygon inter = Geo.polygonal(aoi.intersection(sq));
                if (inter.isEmpty()) continue;
                out.add(clip ? new TaskShape(x, y, zoom, false, inter, null) : new TaskShape(x, y, zoom, true, sq, null));
            }
        }
        return out;
    }

    static void assertSameGrid(List<TaskShape> actual, List<TaskShape> expected) {
        assertThat(actual).extracting(TaskShape::x, TaskShape::y, TaskShape::isSquare)
                .containsExactlyElementsOf(expected.stream()
                        .map(t -> org.assertj.core.groups.Tuple.tuple(t.x(), t.y(), t.isSquare())).toList());
        for (int i = 0; i < actual.size(); i++) {
            Geometry a = actual.get(i).geometry(), e = expected.get(i).geometry();
            if (expected.get(i).isSquare()) {
                assertThat(a.equalsExact(e)).as("square %s", i).isTrue();
            } else {
                assertThat(a.symDifference(e).getArea()).as("clip %s", i).isLessThan(e.getArea() * 1e-9);
            }
        }
    }

    @Test
    void zoomRange() {
        TaskGrid.checkZoom(0);
        TaskGrid.checkZoom(18);
        assertCode(ErrorCode.INVALID_ZOOM, () -> TaskGrid.checkZoom(19));
        assertCode(ErrorCode.INVALID_ZOOM, () -> TaskGrid.checkZoom(-1));
        MultiPolygon aoi = Aoi.normalise(fc(wkt("POLYGON ((0 0, 0.1 0, 0.1 0.1, 0 0))")));
        assertCode(ErrorCode.INVALID_ZOOM, () -> TaskGrid.generate(aoi, 19, true, 0, t -> {}));
    }

    @Test
    void matchesTheTileByTileReferenceOnATriangle() {
        MultiPolygon aoi = Aoi.normalise(fc(wkt("POLYGON ((-4.05 56.07, -3.98 56.08, -4.02 56.12, -4.05 56.07))")));
        List<TaskShape> z15 = grid(aoi, 15, true);
        assertThat(z15).anyMatch(TaskShape::isSquare).anyMatch(t -> !t.isSquare());
        for (int z = 11; z <= 15; z++) {
            assertSameGrid(grid(aoi, z, true), bruteForce(aoi, z, true));
            assertSameGrid(grid(aoi, z, false), bruteForce(aoi, z, false));
            assertThat(TaskGrid.count(aoi, z)).isEqualTo(bruteForce(aoi, z, false).size());
        }
    }

    @Test
    void matchesTheReferenceWithHolesAndParts() {
        MultiPolygon aoi = Aoi.normalise(fc(
                wkt("POLYGON ((10 10, 10.2 10, 10.2 10.2, 10 10.2, 10 10), (10.05 10.05, 10.05 10.12, 10.13 10.12, 10.13 10.05, 10.05 10.05))"),
                wkt("POLYGON ((10.3 10.01, 10.33 10.02, 10.31 10.05, 10.3 10.01))")));
        for (int z = 12; z <= 14; z++) {
            assertSameGrid(grid(aoi, z, true), bruteForce(aoi, z, true));
        }
    }

    @Test
    void containedTilesAreTheExactSquaresAndOrderIsXOuterYInner() {
        MultiPolygon aoi = Aoi.normalise(fc(wkt("POLYGON ((2 2, 2.3 2, 2.3 2.3, 2 2.3, 2 2))")));
        List<TaskShape> tasks = grid(aoi, 13, true);
        for (int i = 1; i < tasks.size(); i++) {
            TaskShape a = tasks.get(i - 1), b = tasks.get(i);
            assertThat(a.x() < b.x() || (a.x().equals(b.x()) && a.y() < b.y())).isTrue();
        }
        for (TaskShape t : tasks) {
            if (t.isSquare()) assertThat(t.geometry().equalsExact(TileMath.square(t.x(), t.y(), 13))).isTrue();
            else assertThat(t.geometry().getArea()).isLessThan(TileMath.square(t.x(), t.y(), 13).getArea());
        }
    }

    @Test
    void tilesOnlyTouchingTheAoiAreDropped() {
        // The AOI is exactly tiles (100..101, 200..201) at zoom 9: its neighbours touch along edges/corners only.
        Geometry aoiGeom = TileMath.square(100, 200, 9).union(TileMath.square(101, 200, 9))
                .union(TileMath.square(100, 201, 9)).union(TileMath.square(101, 201, 9));
        MultiPolygon aoi = Aoi.normalise(fc(aoiGeom));
        for (boolean clip : new boolean[] {true, false}) {
            List<TaskShape> tasks = grid(aoi, 9, clip);
            assertThat(tasks).extracting(TaskShape::x, TaskShape::y, TaskShape::isSquare).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(100, 200, true), org.assertj.core.groups.Tuple.tuple(100, 201, true),
                    org.assertj.core.groups.Tuple.tuple(101, 200, true), org.assertj.core.groups.Tuple.tuple(101, 201, true));
        }
        // At zoom 10 the same AOI is exactly 16 contained tiles.
        assertThat(grid(aoi, 10, true)).hasSize(16).allMatch(TaskShape::isSquare);
        assertThat(TaskGrid.count(aoi, 10)).isEqualTo(16);
    }

    @Test
    void skipResumesExactly() {
        MultiPolygon aoi = Aoi.normalise(fc(wkt("POLYGON ((-4.05 56.07, -3.98 56.08, -4.02 56.12, -4.05 56.07))")));
        List<TaskShape> all = grid(aoi, 15, true);
        for (int skip : new int[] {0, 1, 7, all.size() / 2, all.size() - 1, all.size(), all.size() + 5}) {
            List<TaskShape> rest = new ArrayList<>();
            TaskGrid.generate(aoi, 15, true, skip, rest::add);
            assertThat(rest).hasSize(Math.max(0, all.size() - skip));
            for (int i = 0; i < rest.size(); i++) {
                assertThat(rest.get(i).x()).isEqualTo(all.get(i + skip).x());
                assertThat(rest.get(i).y()).isEqualTo(all.get(i + skip).y());
                assertThat(rest.get(i).geometry().equalsExact(all.get(i + skip).geometry())).isTrue();
            }
        }
    }

    @Test
    void bboxShrinksToWholeMetres() {
        // A western edge 0.2 m short of a tile boundary (in the browser's metres) leaves that column out.
        int z = 16;
        double boundaryM = 1000 * TileMath.step(z) - TileMath.A; // western edge of column 1000
        double lonJustWest = (Math.floor(boundaryM) + 0.2) * 180 / TileMath.BROWSER_HALF_EXTENT;
        assertThat(TileMath.browserX(lonJustWest)).isLessThan(boundaryM);
        MultiPolygon aoi = (MultiPolygon) Geo.FACTORY.createMultiPolygon(new org.locationtech.jts.geom.Polygon[] {
            Geo.rectangle(lonJustWest, 10, lonJustWest + 0.01, 10.01)});
        assertThat(TaskGrid.range(aoi, z).minX()).isEqualTo(1000);
        // ...while an edge a full metre short keeps it.
        MultiPolygon wider = (MultiPolygon) Geo.FACTORY.createMultiPolygon(new org.locationtech.jts.geom.Polygon[] {
            Geo.rectangle(lonJustWest - 1.2 * 180 / TileMath.BROWSER_HALF_EXTENT, 10, lonJustWest + 0.01, 10.01)});
        assertThat(TaskGrid.range(wider, z).minX()).isEqualTo(999);
    }

    @Test
    void antimeridianSplitAoiGivesTilesOnBothEdges() {
        MultiPolygon aoi = Aoi.normalise(fc(
                wkt("POLYGON ((179.9 -17, 180 -17, 180 -16.9, 179.9 -16.9, 179.9 -17))"),
                wkt("POLYGON ((-180 -17, -179.9 -17, -179.9 -16.9, -180 -16.9, -180 -17))")));
        assertThat(aoi.getNumGeometries()).isEqualTo(2);
        List<TaskShape> tasks = grid(aoi, 12, true);
        assertThat(tasks).isNotEmpty();
        assertThat(tasks.getFirst().x()).isZero();
        assertThat(tasks.getLast().x()).isEqualTo(4095);
        assertThat(tasks).allMatch(t -> t.x() < 3 || t.x() > 4092);
        assertSameGrid(tasks, bruteForce(aoi, 12, true));
    }

    @Test
    void countStopsEarlyAndChecksTheLimit() {
        MultiPolygon aoi = Aoi.normalise(fc(wkt("POLYGON ((0 0, 0.2 0, 0.2 0.2, 0 0.2, 0 0))")));
        long n = TaskGrid.count(aoi, 16);
        assertThat(n).isGreaterThan(1000);
        assertThat(TaskGrid.countUpTo(aoi, 16, 100)).isGreaterThan(100).isLessThanOrEqualTo(n);
        TaskGrid.checkTaskCount(aoi, 16, new AoiLimits(5000, n));
        assertCode(ErrorCode.TOO_MANY_TASKS, () -> TaskGrid.checkTaskCount(aoi, 16, new AoiLimits(5000, n - 1)));
    }

    @Test
    void clippedAreasAddUpToTheAoi() {
        MultiPolygon aoi = Aoi.normalise(fc(wkt("POLYGON ((-4.05 56.07, -3.98 56.08, -4.02 56.12, -4.05 56.07))")));
        double sum = grid(aoi, 14, true).stream().mapToDouble(t -> t.geometry().getArea()).sum();
        assertThat(sum).isCloseTo(aoi.getArea(), within(aoi.getArea() * 1e-9));
    }

    /**
     * AOIs of tile-aligned blocks reaching longitude 180 (the east edge of the last column) plus a star, as the
     * grid property generated them: each task must be AOI ∩ its tile, and the range ends at the world's edge.
     * Before, tiles whose clip fell back to an overlay of the AOI's cut (whose rings run back and forth along the
     * cut's box) came out wrong: a whole square for a sliver, or a fraction of the part inside.
     */
    @Test
    void aoisReachingTheAntimeridianGetEveryTaskRight() throws Exception {
        List<String> wkts;
        try (var in = TaskGridTest.class.getResourceAsStream("/geo/antimeridian-blocks.wkt")) {
            wkts = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        assertThat(wkts).hasSize(2);
        for (String w : wkts) {
            MultiPolygon aoi = Geo.polygonal(wkt(w));
            assertThat(aoi.getEnvelopeInternal().getMaxX()).isEqualTo(TileMath.edgeLon(32, 5));
            TaskGrid.Range r = TaskGrid.range(aoi, 5);
            assertThat(r.maxX()).as("range ends at the world's last column").isEqualTo(32);
            List<TaskShape> tasks = new ArrayList<>();
            TaskGrid.generate(aoi, 5, true, 0, tasks::add);
            double sum = 0;
            for (TaskShape t : tasks) {
                double want = org.locationtech.jts.operation.overlayng.OverlayNGRobust.overlay(aoi, TileMath.square(t.x(), t.y(), 5),
                        org.locationtech.jts.operation.overlayng.OverlayNG.INTERSECTION).getArea();
                assertThat(t.geometry().getArea()).as("task %d/%d", t.x(), t.y()).isCloseTo(want, within(1e-9 * want));
                sum += t.geometry().getArea();
            }
            assertThat(sum).isCloseTo(aoi.getArea(), within(1e-9 * aoi.getArea()));
            assertThat(tasks).anyMatch(t -> t.x() == 31);
        }
    }
}
