package dev.tmserverless.core.geo;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shortcuts of the task shape budget never let through a shape the exact measure refuses. */
class TaskShapeBudgetTest {

    /** Triangles whose numbers have the longest texts a double can have (24 characters). */
    static MultiPolygon longNumbers(int triangles) {
        Polygon[] out = new Polygon[triangles];
        for (int i = 0; i < triangles; i++) {
            double d = -1.2345678901234567E-100 * (1 + i % 7);
            out[i] = Geo.FACTORY.createPolygon(new Coordinate[] {new Coordinate(d, d), new Coordinate(2 * d, d),
                    new Coordinate(d, 3 * d), new Coordinate(d, d)});
        }
        return Geo.FACTORY.createMultiPolygon(out);
    }

    @Test
    void theVertexBoundHoldsForTheLongestNumbers() {
        for (int n : new int[] {1, 2, 50, 1_000}) {
            MultiPolygon g = longNumbers(n);
            String text = TaskShapeBudget.encode(g);
            assertThat(text).contains("E-100");
            assertThat(text.length()).as("%d triangles", n)
                    .isLessThanOrEqualTo(TaskShapeBudget.GEOMETRY_FRAME_BYTES + g.getNumPoints() * TaskShapeBudget.MAX_VERTEX_BYTES);
        }
    }

    @Test
    void suppliedShapesAreMeasuredExactlyPastTheShortcut() {
        // SAFE_VERTICES vertices always pass; far more of the longest numbers do not
        int safeTriangles = TaskShapeBudget.SAFE_VERTICES / 4;
        TaskShapeBudget.requireAll(List.of(new TaskShape(null, null, null, false, longNumbers(safeTriangles), null)), "feature %d");
        int over = TaskShapeBudget.MAX_BYTES / (4 * 40) + 100;
        assertThatThrownBy(() -> TaskShapeBudget.requireAll(List.of(
                new TaskShape(null, null, null, false, longNumbers(1), null),
                new TaskShape(null, null, null, false, longNumbers(over), null)), "feature %d"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TASK_SHAPE_TOO_LARGE);
                    assertThat(e.getMessage()).startsWith("Task 2 (feature 1) would store");
                });
    }

    @Test
    void aClippedCellHasFewerThanFourTimesTheAoisVerticesPlusEight() {
        // stars whose spikes cross many tile sides: the cells' vertices stay within the bound the shortcut uses
        List<MultiPolygon> aois = new ArrayList<>();
        for (int seed = 1; seed <= 4; seed++) {
            aois.add(Shapes.coastline(-4.0, 56.0, 30, 300 * seed, seed, seed));
        }
        for (MultiPolygon aoi : aois) {
            long bound = 4L * aoi.getNumPoints() + 8;
            for (int zoom = 11; zoom <= 15; zoom++) {
                int[] most = {0};
                TaskGrid.generate(aoi, zoom, true, 0, s -> most[0] = Math.max(most[0], s.geometry().getNumPoints()));
                assertThat((long) most[0]).as("zoom %d, %d vertices", zoom, aoi.getNumPoints()).isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void textsAreCountedInUtf8() {
        assertThat(TaskShapeBudget.bytes("{}", "{\"n\":\"é\"}")).isEqualTo(2 + 10);
        assertThat(TaskShapeBudget.fits(null, "é".repeat(TaskShapeBudget.MAX_BYTES / 2))).isTrue();
        assertThat(TaskShapeBudget.fits(null, "é".repeat(TaskShapeBudget.MAX_BYTES / 2 + 1))).isFalse();
    }
}
