package dev.tmserverless.core.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.MultiPolygon;

class TileMathTest {

    /** Independent inverse: PROJ's spherical form lat = atan(sinh(y/R)), rounded half-even on the exact value. */
    static double expectedLon(long x, int z) {
        double s = 20037508.3392 / Math.pow(2, z - 1);
        return new BigDecimal(Math.toDegrees((x * s - 20037508.3392) / 6378137)).setScale(9, RoundingMode.HALF_EVEN).doubleValue() + 0.0;
    }

    static double expectedLat(long y, int z) {
        double s = 20037508.3392 / Math.pow(2, z - 1);
        return new BigDecimal(Math.toDegrees(Math.atan(Math.sinh((y * s - 20037508.3392) / 6378137))))
                .setScale(9, RoundingMode.HALF_EVEN).doubleValue() + 0.0;
    }

    static Coordinate[] ring(MultiPolygon mp) {
        assertThat(mp.getNumGeometries()).isEqualTo(1);
        return mp.getGeometryN(0).getCoordinates();
    }

    @Test
    void constantIsTheReferenceExpression() {
        assertThat(TileMath.A).isEqualTo(156543.0339 * 256 / 2);
        assertThat(TileMath.step(0)).isEqualTo(2 * TileMath.A);
        assertThat(TileMath.step(11)).isEqualTo(TileMath.A / 1024);
        assertThat(TileMath.tiles(18)).isEqualTo(262144);
    }

    @Test
    void referenceTileCoordinatesByHand() {
        // Derived with bc -l at 40 digits from the reference's formulas, then rounded to 9 decimals.
        Coordinate[] p = ring(TileMath.square(1010, 1399, 11));
        assertThat(p).containsExactly(
                new Coordinate(-2.4609375, 54.876606647), new Coordinate(-2.28515625, 54.876606647),
                new Coordinate(-2.28515625, 54.977613664), new Coordinate(-2.4609375, 54.977613664),
                new Coordinate(-2.4609375, 54.876606647));
        assertThat(p[1].x).isEqualTo(-2.28515625);
        assertThat(p[0].y).isEqualTo(54.876606647);
        assertThat(p[2].y).isEqualTo(54.977613664);
    }

    /** The four zoom-12 children of the reference tile (1010, 1399, 11); Split must produce exactly these. */
    static final int[][] CHILDREN = {{2020, 2798}, {2020, 2799}, {2021, 2798}, {2021, 2799}};

    static final Coordinate[][] CHILD_RINGS = {
        {new Coordinate(-2.4609375, 54.876606647), new Coordinate(-2.373046875, 54.876606647),
            new Coordinate(-2.373046875, 54.927141858), new Coordinate(-2.4609375, 54.927141858),
            new Coordinate(-2.4609375, 54.876606647)},
        {new Coordinate(-2.4609375, 54.927141858), new Coordinate(-2.373046875, 54.927141858),
            new Coordinate(-2.373046875, 54.977613664), new Coordinate(-2.4609375, 54.977613664),
            new Coordinate(-2.4609375, 54.927141858)},
        {new Coordinate(-2.373046875, 54.876606647), new Coordinate(-2.28515625, 54.876606647),
            new Coordinate(-2.28515625, 54.927141858), new Coordinate(-2.373046875, 54.927141858),
            new Coordinate(-2.373046875, 54.876606647)},
        {new Coordinate(-2.373046875, 54.927141858), new Coordinate(-2.28515625, 54.927141858),
            new Coordinate(-2.28515625, 54.977613664), new Coordinate(-2.373046875, 54.977613664),
            new Coordinate(-2.373046875, 54.927141858)}};

    @Test
    void childrenOfTheReferenceTileExactly() {
        // By hand (bc -l): lon 2020 → -2.4609374995…, 2021 → -2.3730468745…, 2022 → -2.2851562495…;
        // lat 2798 → 54.8766066473…, 2799 → 54.9271418577…, 2800 → 54.9776136639….
        for (int i = 0; i < 4; i++) {
            int x = CHILDREN[i][0], y = CHILDREN[i][1];
            Coordinate[] r = ring(TileMath.square(x, y, 12));
            assertThat(r).containsExactly(CHILD_RINGS[i]);
            assertThat(r).containsExactly(
                    new Coordinate(expectedLon(x, 12), expectedLat(y, 12)),
                    new Coordinate(expectedLon(x + 1, 12), expectedLat(y, 12)),
                    new Coordinate(expectedLon(x + 1, 12), expectedLat(y + 1, 12)),
                    new Coordinate(expectedLon(x, 12), expectedLat(y + 1, 12)),
                    new Coordinate(expectedLon(x, 12), expectedLat(y, 12)));
        }
    }

    @Test
    void everyCoordinateMatchesTheIndependentFormulaAcrossZooms() {
        java.util.Random rnd = new java.util.Random(11);
        for (int z = 0; z <= 18; z++) {
            long n = TileMath.tiles(z);
            for (int k = 0; k < 200; k++) {
                int x = (int) (rnd.nextDouble() * n), y = (int) (rnd.nextDouble() * n);
                Coordinate[] r = ring(TileMath.square(x, y, z));
                assertThat(r[0]).isEqualTo(new Coordinate(expectedLon(x, z), expectedLat(y, z)));
                assertThat(r[2]).isEqualTo(new Coordinate(expectedLon(x + 1, z), expectedLat(y + 1, z)));
                // Same doubles, bit for bit (equals on Coordinate would accept 0.0 == -0.0).
                assertThat(Double.doubleToRawLongBits(r[0].x)).isEqualTo(Double.doubleToRawLongBits(expectedLon(x, z)));
                assertThat(Double.doubleToRawLongBits(r[2].y)).isEqualTo(Double.doubleToRawLongBits(expectedLat(y + 1, z)));
            }
        }
    }

    @Test
    void worldTileAndEdges() {
        Coordinate[] r = ring(TileMath.square(0, 0, 0));
        // A < π·R, so the grid stops 3.6 mm short of the antimeridian (bc -l: -179.99999996775…, 85.05112877702…).
        assertThat(r[0].x).isEqualTo(-179.999999968);
        assertThat(r[1].x).isEqualTo(179.999999968);
        assertThat(r[0].y).isEqualTo(-85.051128777);
        assertThat(r[2].y).isEqualTo(85.051128777);
        // The equator and the prime meridian are exactly 0, never -0.
        assertThat(Double.doubleToRawLongBits(TileMath.edgeLat(1 << 17, 18))).isZero();
        assertThat(Double.doubleToRawLongBits(TileMath.edgeLon(1 << 17, 18))).isZero();
    }

    @Test
    void neighboursShareExactEdges() {
        MultiPolygon a = TileMath.square(300, 400, 10), b = TileMath.square(301, 400, 10), c = TileMath.square(300, 401, 10);
        assertThat(ring(a)[1].x).isEqualTo(ring(b)[0].x);
        assertThat(ring(a)[2].y).isEqualTo(ring(c)[0].y);
        assertThat(a.intersection(b).getArea()).isZero();
    }

    @Test
    void squareTaskPropertiesAndRangeChecks() {
        TaskShape t = TileMath.squareTask(5, 6, 4);
        assertThat(t.isSquare()).isTrue();
        assertThat(t.isTile()).isTrue();
        assertThat(t.extraProperties()).isNull();
        assertThatThrownBy(() -> TileMath.square(16, 0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TileMath.square(0, -1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TileMath.square(0, 0, 31)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundingAgreesWithExactDecimalRounding() {
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            double v = (rnd.nextDouble() - 0.5) * (i % 2 == 0 ? 360 : 4e7);
            for (int d : new int[] {6, 9}) {
                double exact = new BigDecimal(v).setScale(d, RoundingMode.HALF_EVEN).doubleValue() + 0.0;
                assertThat(Geo.round(v, d)).isEqualTo(exact);
            }
        }
        // Values a hair either side of a tie, and exact binary ties.
        assertThat(Geo.round(2.5e-6, 6)).isEqualTo(new BigDecimal(2.5e-6).setScale(6, RoundingMode.HALF_EVEN).doubleValue());
        assertThat(Geo.round(0.5, 0)).isEqualTo(0.0);
        assertThat(Geo.round(1.5, 0)).isEqualTo(2.0);
        assertThat(Double.doubleToRawLongBits(Geo.round(-1e-12, 9))).isZero();
    }
}
