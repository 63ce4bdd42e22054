package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Polygon;

/**
 * The work bounds of intersecting-tiles, with the crafted shapes of the security review (M1): a comb-shaped AOI
 * against the same comb turned a quarter, whose intersection is K² small squares.
 */
class TrimBudgetTest {
    /** A comb of {@code k} teeth of width 1 and height {@code 2k} on a bar of height 1, about 4k vertices. */
    static Polygon comb(int k, boolean turned, double offset) { return comb(k, 2 * k, turned, offset); }

    /** A comb of {@code k} teeth of width 1 and height {@code h}, turned a quarter (teeth along x) if asked. */
    static Polygon comb(int k, int h, boolean turned, double offset) {
        List<Coordinate> ring = new ArrayList<>();
        ring.add(new Coordinate(0, 0));
        ring.add(new Coordinate(2 * k - 1, 0));
        for (int i = k - 1; i >= 0; i--) {
            ring.add(new Coordinate(2 * i + 1, h));
            ring.add(new Coordinate(2 * i, h));
            if (i > 0) {
                ring.add(new Coordinate(2 * i, 1));
                ring.add(new Coordinate(2 * i - 1, 1));
            }
        }
        ring.add(new Coordinate(0, 0));
        Coordinate[] cs = ring.stream().map(c -> turned ? new Coordinate(c.y, c.x + offset) : new Coordinate(c.x, c.y))
                .toArray(Coordinate[]::new);
        return Geo.FACTORY.createPolygon(cs);
    }

    static ObjectNode aoi(Polygon p) { return Fixtures.fc(Geo.FACTORY.createMultiPolygon(new Polygon[]{p})); }

    static ObjectNode grid(Polygon... ps) { return Fixtures.fc(ps); }

    @Test
    void theReviewsCombAgainstItsTurnedCombIsRefusedBeforeAnyOverlay() {
        long t0 = System.nanoTime();
        assertCode(ErrorCode.GRID_TOO_LARGE, () -> Trim.intersectingTiles(aoi(comb(1000, false, 0)),
                grid(comb(1000, true, 0)), true));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(ErrorCode.GRID_TOO_LARGE.status).isEqualTo(413);
    }

    @Test
    void anAoiWithTooManyVerticesIsRefused() {
        // 30,000 teeth: about 120,000 vertices
        assertCode(ErrorCode.GRID_TOO_LARGE, () -> Trim.intersectingTiles(aoi(comb(30_000, false, 0)),
                grid(comb(2, true, 0)), true));
    }

    @Test
    void moreFeaturesThanTheLimitAreRefused() {
        Polygon tile = (Polygon) Geo.FACTORY.toGeometry(new org.locationtech.jts.geom.Envelope(0, 1, 0, 1));
        var budget = Trim.Budget.DEFAULT.withMaxFeatures(2);
        assertCode(ErrorCode.GRID_TOO_LARGE, () -> Trim.intersectingTiles(aoi(comb(3, false, 0)), grid(tile, tile, tile), true, budget));
        assertThat(Trim.intersectingTiles(aoi(comb(3, false, 0)), grid(tile, tile), true, budget).path("features").size()).isEqualTo(2);
    }

    @Test
    void aCombSmallEnoughPerFeatureOverTheReviewsCombIsRefusedByTheEdgePairBound() {
        // 60 teeth (240 vertices) across the whole AOI is under the per-feature bound, but it meets about 4,000 AOI edges
        long t0 = System.nanoTime();
        assertCode(ErrorCode.GRID_TOO_LARGE, () -> Trim.intersectingTiles(aoi(comb(1000, false, 0)),
                grid(comb(60, 2000, true, 0)), true));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        // an ordinary tile over the same AOI is trimmed
        Polygon tile = (Polygon) Geo.FACTORY.toGeometry(new org.locationtech.jts.geom.Envelope(0, 4, 0, 4));
        assertThat(Trim.intersectingTiles(aoi(comb(1000, false, 0)), grid(tile), true).path("features").size()).isEqualTo(1);
    }

    @Test
    void combsWithinTheOtherBoundsStopWhenTheOutputPassesItsBudget() {
        // 100 teeth against turned combs of 20 teeth across it: 2,000 squares (10,000 vertices) per feature
        Polygon[] features = new Polygon[10];
        for (int i = 0; i < features.length; i++) features[i] = comb(20, 200, true, 0);
        var budget = new Trim.Budget(1000, 100_000, 256, 300_000, 25_000, Duration.ofSeconds(60));
        assertCode(ErrorCode.TRIM_TOO_COMPLEX, () -> Trim.intersectingTiles(aoi(comb(100, false, 0)), grid(features), true, budget));
        // unclipped, each kept feature costs only its own vertices
        var unclipped = Trim.intersectingTiles(aoi(comb(100, false, 0)), grid(features[0], features[1], features[2]), false, budget);
        assertThat(unclipped.path("features").size()).isEqualTo(3);
    }

    @Test
    void workIsStoppedWhenItRunsPastItsTime() {
        Polygon[] features = new Polygon[5];
        for (int i = 0; i < features.length; i++) features[i] = comb(20, 200, true, 0);
        var budget = new Trim.Budget(1000, 100_000, 256, 300_000, 10_000_000, Duration.ofMillis(1));
        assertCode(ErrorCode.TRIM_TOO_COMPLEX, () -> Trim.intersectingTiles(aoi(comb(100, false, 0)), grid(features), true, budget));
    }
}
