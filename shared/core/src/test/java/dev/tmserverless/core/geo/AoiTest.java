package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.assertCode;
import static dev.tmserverless.core.geo.Fixtures.fc;
import static dev.tmserverless.core.geo.Fixtures.fcOf;
import static dev.tmserverless.core.geo.Fixtures.json;
import static dev.tmserverless.core.geo.Fixtures.wkt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.MultiPolygon;

class AoiTest {

    @Test
    void mustHaveFeatures() {
        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> Aoi.normalise(json("{'type':'FeatureCollection','features':[]}")));
        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> Aoi.normalise(json("{'type':'FeatureCollection'}")));
        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> Aoi.normalise(json(
                "{'type':'Feature','geometry':{'type':'Polygon','coordinates':[[[0,0],[1,0],[1,1],[0,0]]]}}")));
        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> Aoi.normalise(json("[]")));
        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> Aoi.normalise(null));
    }

    @Test
    void onlyPolygonsCount() {
        assertCode(ErrorCode.MUST_BE_MULTIPLOYGON, () -> Aoi.normalise(fc(wkt("POINT (1 1)"), wkt("LINESTRING (0 0, 1 1)"))));
        MultiPolygon mp = Aoi.normalise(fc(wkt("POINT (1 1)"), wkt("POLYGON ((0 0, 1 0, 1 1, 0 0))")));
        assertThat(mp.getNumGeometries()).isEqualTo(1);
        assertThat(mp.getGeometryN(0).equalsExact(wkt("POLYGON ((0 0, 1 0, 1 1, 0 0))"))).isTrue();
    }

    @Test
    void dissolvesOverlapsAndKeepsDisjointParts() {
        MultiPolygon merged = Aoi.normalise(fc(wkt("POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))"), wkt("POLYGON ((1 1, 3 1, 3 3, 1 3, 1 1))")));
        assertThat(merged.getNumGeometries()).isEqualTo(1);
        assertThat(merged.getArea()).isCloseTo(7.0, within(1e-12));
        MultiPolygon two = Aoi.normalise(fc(wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")));
        assertThat(two.getNumGeometries()).isEqualTo(2);
        MultiPolygon kept = Aoi.normalise(fc(wkt("POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))"), wkt("POLYGON ((1 1, 3 1, 3 3, 1 3, 1 1))")), false, true);
        assertThat(kept.getNumGeometries()).isEqualTo(2);
    }

    @Test
    void dropsZ() {
        MultiPolygon mp = Aoi.normalise(json("{'features':[{'type':'Feature','geometry':{'type':'Polygon',"
                + "'coordinates':[[[0,0,100],[1,0,100],[1,1,100],[0,0,100]]]}}]}"));
        assertThat(mp.getCoordinates()).allSatisfy(c -> assertThat(Double.isNaN(c.getZ())).isTrue());
    }

    @Test
    void bowTieIsSelfIntersecting() {
        assertCode(ErrorCode.SELF_INTERSECTING_AOI, () -> Aoi.normalise(fc(wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))"))));
    }

    @Test
    void structuralErrorsAreInvalidMultipolygon() {
        assertCode(ErrorCode.INVALID_MULTIPOLYGON_AOI, () -> Aoi.normalise(fcOf(json("{'type':'Polygon','coordinates':[[[0,0],[1,0],[1,1],[0,1]]]}"))));
        assertCode(ErrorCode.INVALID_MULTIPOLYGON_AOI, () -> Aoi.normalise(fcOf(json("{'type':'Polygon','coordinates':[[[0,0],[1,0],[0,0]]]}"))));
    }

    @Test
    void outOfRangeCoordinates() {
        assertCode(ErrorCode.INVALID_COORDINATES, () -> Aoi.normalise(fc(wkt("POLYGON ((179 0, 181 0, 181 1, 179 0))"))));
        assertCode(ErrorCode.INVALID_COORDINATES, () -> Aoi.normalise(fc(wkt("POLYGON ((0 85, 1 85, 1 85.06, 0 85))"))));
        assertCode(ErrorCode.INVALID_COORDINATES, () -> Aoi.normalise(fc(wkt("POLYGON ((0 -86, 1 -86, 1 -80, 0 -86))"))));
        // Metres are fine when the caller says the input is not lon/lat (trim endpoint).
        assertThat(Aoi.normalise(fc(wkt("POLYGON ((-500000 0, 500000 0, 0 9000000, -500000 0))")), true, false)).isNotNull();
    }

    @Test
    void geodesicAreaOnTheEllipsoid() {
        // A 1° × 1° cell on the equator against the closed-form ellipsoidal band area; the geodesic top edge
        // bulges ~4 m north of the parallel, hence the 1e-4 relative tolerance.
        double a = Aoi.geodesicAreaM2(wkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"));
        assertThat(a).isCloseTo(bandArea(0, 1, 1), within(bandArea(0, 1, 1) * 1e-4));
        assertThat(a).isNotCloseTo(sphereBand(0, 1, 1), within(bandArea(0, 1, 1) * 1e-3)); // not a sphere
        // Orientation does not matter; holes are subtracted.
        assertThat(Aoi.geodesicAreaM2(wkt("POLYGON ((0 0, 0 1, 1 1, 1 0, 0 0))"))).isCloseTo(a, within(1e-3));
        double withHole = Aoi.geodesicAreaM2(wkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0), (0.25 0.25, 0.25 0.75, 0.75 0.75, 0.75 0.25, 0.25 0.25))"));
        double hole = Aoi.geodesicAreaM2(wkt("POLYGON ((0.25 0.25, 0.75 0.25, 0.75 0.75, 0.25 0.75, 0.25 0.25))"));
        assertThat(withHole).isCloseTo(a - hole, within(1e-3));
        assertThat(Aoi.geodesicAreaKm2(wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((10 0, 11 0, 11 1, 10 1, 10 0)))")))
                .isCloseTo(2 * a / 1e6, within(1e-6));
    }

    /** Area between two parallels over dLon degrees on the WGS84 ellipsoid (authalic closed form). */
    static double bandArea(double lat1, double lat2, double dLon) {
        double a = 6378137, f = 1 / 298.257223563, b = a * (1 - f), e2 = f * (2 - f), e = Math.sqrt(e2);
        java.util.function.DoubleUnaryOperator q = phi -> {
            double s = Math.sin(Math.toRadians(phi));
            return s / (1 - e2 * s * s) + Math.log((1 + e * s) / (1 - e * s)) / (2 * e);
        };
        return Math.toRadians(dLon) * b * b / 2 * (q.applyAsDouble(lat2) - q.applyAsDouble(lat1));
    }

    static double sphereBand(double lat1, double lat2, double dLon) {
        double r = 6371008.8;
        return Math.toRadians(dLon) * r * r * (Math.sin(Math.toRadians(lat2)) - Math.sin(Math.toRadians(lat1)));
    }

    @Test
    void areaLimit() {
        MultiPolygon small = Aoi.normalise(fc(wkt("POLYGON ((0 0, 0.5 0, 0.5 0.5, 0 0.5, 0 0))")));
        Aoi.checkArea(small, AoiLimits.defaults()); // ~3,077 km²
        MultiPolygon big = Aoi.normalise(fc(wkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))")));
        assertCode(ErrorCode.AOI_TOO_LARGE, () -> Aoi.checkArea(big, AoiLimits.defaults()));
        Aoi.checkArea(big, new AoiLimits(20000, 10));
        // A ring whose corners sit on the antimeridian has a geodesic area near 0, but is refused.
        MultiPolygon world = Aoi.normalise(fc(wkt("POLYGON ((-180 -80, 180 -80, 180 80, -180 80, -180 -80))")));
        assertCode(ErrorCode.AOI_TOO_LARGE, () -> Aoi.checkArea(world, AoiLimits.defaults()));
    }

    @Test
    void centroidAndBbox() {
        MultiPolygon mp = Aoi.normalise(fc(wkt("POLYGON ((0 0, 2 0, 2 4, 0 4, 0 0))")));
        assertThat(Aoi.centroid(mp).getX()).isEqualTo(1.0);
        assertThat(Aoi.bbox(mp)).containsExactly(0, 0, 2, 4);
    }
}
