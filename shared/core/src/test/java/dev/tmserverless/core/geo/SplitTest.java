package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.json;
import static dev.tmserverless.core.geo.Fixtures.wkt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;

class SplitTest {

    static MultiPolygon mp(String wkt) {
        Geometry g = wkt(wkt);
        return g instanceof MultiPolygon m ? m : Geo.multi((org.locationtech.jts.geom.Polygon) g);
    }

    @Test
    void referenceTileSplitsIntoItsFourChildrenExactly() {
        List<TaskShape> children = Split.children(TileMath.squareTask(1010, 1399, 11));
        assertThat(children).extracting(TaskShape::x, TaskShape::y, TaskShape::zoom, TaskShape::isSquare).containsExactly(
                tuple(2020, 2798, 12, true), tuple(2020, 2799, 12, true), tuple(2021, 2798, 12, true), tuple(2021, 2799, 12, true));
        for (int i = 0; i < 4; i++) {
            assertThat(children.get(i).geometry().getNumGeometries()).isEqualTo(1);
            assertThat(children.get(i).geometry().getCoordinates()).containsExactly(TileMathTest.CHILD_RINGS[i]);
        }
        assertThat(GeoJson.feature(children.get(0), null).get("properties").toString())
                .isEqualTo("{\"x\":2020,\"y\":2798,\"zoom\":12,\"isSquare\":true}");
    }

    @Test
    void tooSmallRule() {
        assertThat(Split.tooSmall(TileMath.squareTask(0, 0, 18))).isTrue();
        // zoom 17 on the equator: ~305 m × 305 m ≈ 93,000 m².
        assertThat(Split.tooSmall(TileMath.squareTask(65536, 65536, 17))).isFalse();
        // zoom 17 at ~70°N: ~104 m × 104 m < 25,000 m².
        int y70 = (int) TileMath.tileY(TileMath.browserY(70), 17);
        assertThat(Split.tooSmall(TileMath.squareTask(65536, y70, 17))).isTrue();
        TaskShape small = new TaskShape(null, null, null, false, mp("POLYGON ((0 0, 0.001 0, 0.001 0.001, 0 0.001, 0 0))"), null);
        assertThat(Split.tooSmall(small)).isTrue(); // ~12,300 m²
        TaskShape big = new TaskShape(null, null, null, false, mp("POLYGON ((0 0, 0.002 0, 0.002 0.002, 0 0.002, 0 0))"), null);
        assertThat(Split.tooSmall(big)).isFalse(); // ~49,000 m²
    }

    @Test
    void nonSquareCutsAtTheCentroidInReferenceOrder() {
        JsonNode extra = json("{'name':'field 7'}");
        MultiPolygon l = mp("POLYGON ((0 0, 4 0, 5 3, 2 5, -1 2, 0 0))");
        TaskShape parent = new TaskShape(null, null, null, false, l, extra);
        List<TaskShape> children = Split.children(parent);
        Point c = l.getCentroid();
        assertThat(children).hasSize(4).allSatisfy(t -> {
            assertThat(t.x()).isNull();
            assertThat(t.y()).isNull();
            assertThat(t.zoom()).isNull();
            assertThat(t.isSquare()).isFalse();
            assertThat(t.extraProperties()).isEqualTo(extra);
        });
        // left-bottom, left-top, right-bottom, right-top
        boolean[][] side = {{true, true}, {true, false}, {false, true}, {false, false}};
        for (int i = 0; i < 4; i++) {
            Point k = children.get(i).geometry().getCentroid();
            assertThat(k.getX() <= c.getX()).isEqualTo(side[i][0]);
            assertThat(k.getY() <= c.getY()).isEqualTo(side[i][1]);
        }
        assertTilesExactly(l, children);
    }

    @Test
    void clippedGridTaskIsCutNotTiled() {
        MultiPolygon clipped = mp("POLYGON ((-2.46 54.88, -2.3 54.88, -2.4 54.95, -2.46 54.88))");
        List<TaskShape> children = Split.children(new TaskShape(1010, 1399, 11, false, clipped, null));
        assertThat(children).allMatch(t -> t.x() == null && !t.isSquare());
        assertTilesExactly(clipped, children);
    }

    static void assertTilesExactly(Geometry parent, List<TaskShape> children) {
        Geometry union = children.get(0).geometry();
        for (int i = 1; i < 4; i++) union = union.union(children.get(i).geometry());
        assertThat(union.symDifference(parent).getArea()).isLessThan(parent.getArea() * 1e-12);
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                assertThat(children.get(i).geometry().intersection(children.get(j).geometry()).getArea()).isZero();
            }
        }
    }

    @Test
    void emptyQuadrantIsASplitGeometryError() {
        // Two squares on a diagonal, and an L whose centroid leaves the top-right quadrant empty.
        for (String w : new String[] {"MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((2 2, 3 2, 3 3, 2 3, 2 2)))",
                "POLYGON ((0 0, 4 0, 4 1, 1 1, 1 4, 0 4, 0 0))"}) {
            assertThatThrownBy(() -> Split.children(new TaskShape(null, null, null, false, mp(w), null)))
                    .isInstanceOfSatisfying(SplitGeometryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SplitGeometryException.Reason.NO_INTERSECTION));
        }
    }

    @Test
    void malformedTileIsReported() {
        TaskShape bad = new TaskShape(-1, 3, 11, true, TileMath.square(1, 3, 11), null);
        assertThatThrownBy(() -> Split.children(bad)).isInstanceOfSatisfying(SplitGeometryException.class,
                e -> assertThat(e.reason()).isEqualTo(SplitGeometryException.Reason.MALFORMED_TILE));
        // A square task whose x/y do not match its geometry: the children miss the parent.
        TaskShape elsewhere = new TaskShape(5, 5, 11, true, TileMath.square(1010, 1399, 11), null);
        assertThatThrownBy(() -> Split.children(elsewhere)).isInstanceOfSatisfying(SplitGeometryException.class,
                e -> assertThat(e.reason()).isEqualTo(SplitGeometryException.Reason.NO_INTERSECTION));
    }

    @Test
    void invalidStoredGeometryIsRepairedBeforeCutting() {
        MultiPolygon bowTie = mp("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))");
        List<TaskShape> children = Split.children(new TaskShape(null, null, null, false, bowTie, null));
        assertThat(children).hasSize(4).allMatch(t -> t.geometry().isValid() && t.geometry().getArea() > 0);
    }
}
