package dev.tmserverless.core.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * Intersecting-tiles on tiles (rectangles) takes a fast path: decided from the AOI edges near each tile and
 * clipped by the rectangle clipper. It must give what a general overlay per tile gives: the same tiles in the
 * same order, the same ones clipped, the same shapes.
 */
class TrimFastPathTest {
    /** Same features, order, properties; geometries equal as point sets (within 1e-9 of a tile's area). */
    static void assertSameAsOverlay(ObjectNode aoi, ObjectNode grid, boolean clip) {
        JsonNode fast = Trim.intersectingTiles(aoi, grid, clip).get("features");
        JsonNode slow = TrimBaseline.intersectingTiles(aoi, grid, clip, true).get("features");
        assertThat(fast.size()).as("tiles kept").isEqualTo(slow.size()).isPositive();
        int clipped = 0;
        for (int i = 0; i < fast.size(); i++) {
            assertThat(fast.get(i).get("properties")).as("feature %d properties", i).isEqualTo(slow.get(i).get("properties"));
            Geometry a = GeoJson.read(fast.get(i).get("geometry")), b = GeoJson.read(slow.get(i).get("geometry"));
            assertThat(a.isValid()).as("feature %d valid", i).isTrue();
            double diff = OverlayNGRobust.overlay(a, b, OverlayNG.SYMDIFFERENCE).getArea();
            assertThat(diff).as("feature %d shape", i).isLessThanOrEqualTo(1e-9 * Math.max(a.getEnvelopeInternal().getArea(), b.getEnvelopeInternal().getArea()));
            if (!fast.get(i).path("properties").path("isSquare").asBoolean(true)) clipped++;
        }
        if (clip) assertThat(clipped).as("clipped tiles").isPositive();
    }

    static ObjectNode browserGrid(MultiPolygon aoi, int zoom) {
        return TrimBaseline.browserGrid(aoi, zoom);
    }

    @Test
    void aCoastlineWithLakesGivesWhatAnOverlayPerTileGives() {
        MultiPolygon aoi = Shapes.coastline(10.5, 45.2, 300, 1500, 12, 7);
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, 12), true);
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, 14), true);
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, 13), false);
    }

    @Test
    void islandsGiveWhatAnOverlayPerTileGives() {
        MultiPolygon aoi = Shapes.islands(-70.3, -33.4, 60, 6, 3);
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, 14), true);
    }

    @Test
    void vertexesOnTileEdgesAndCornersGiveWhatAnOverlayPerTileGives() {
        // a star whose vertices are snapped to tile edges and corners (at the 6 decimals the trim rounds to)
        int z = 13;
        Polygon star = Shapes.coastline(2.3, 48.8, 150, 300, 0, 11).getGeometryN(0) instanceof Polygon p ? p : null;
        Coordinate[] pts = star.getExteriorRing().getCoordinates();
        for (int i = 0; i < pts.length - 1; i++) {
            if (i % 3 != 2) pts[i].x = Geo.round(TileMath.edgeLon(Math.round((TileMath.browserX(pts[i].x) + TileMath.A) / TileMath.step(z)), z), 6);
            if (i % 3 != 1) pts[i].y = Geo.round(TileMath.edgeLat(Math.round((TileMath.browserY(pts[i].y) + TileMath.A) / TileMath.step(z)), z), 6);
        }
        pts[pts.length - 1] = pts[0].copy();
        Polygon snapped = Geo.FACTORY.createPolygon(pts);
        MultiPolygon aoi = Geo.polygonal(snapped.isValid() ? snapped : org.locationtech.jts.geom.util.GeometryFixer.fix(snapped));
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, z), true);
    }

    @Test
    void partsAndHolesWithVerticesOnTileEdgesGiveWhatAnOverlayPerTileGives() {
        // a coastline with lakes beside islands, most vertices snapped onto tile edges and corners: the tiles they
        // touch take the exact path (the overlay of the AOI cut around them), on shells and holes of several parts
        int z = 13;
        Geometry both = Shapes.coastline(2.3, 48.8, 120, 600, 5, 13).union(Shapes.islands(2.55, 48.8, 60, 5, 3));
        Geometry snapped = both.copy();
        snapped.apply((org.locationtech.jts.geom.CoordinateFilter) c -> {
            long k = Math.round(c.x * 1e6) + Math.round(c.y * 1e6);
            if (k % 3 != 2) c.x = Geo.round(TileMath.edgeLon(Math.round((TileMath.browserX(c.x) + TileMath.A) / TileMath.step(z)), z), 6);
            if (k % 3 != 1) c.y = Geo.round(TileMath.edgeLat(Math.round((TileMath.browserY(c.y) + TileMath.A) / TileMath.step(z)), z), 6);
        });
        snapped.geometryChanged();
        // valid at the 6 decimals the trim rounds its input to
        MultiPolygon aoi = Geo.polygonal(org.locationtech.jts.precision.GeometryPrecisionReducer.reduce(
                org.locationtech.jts.geom.util.GeometryFixer.fix(snapped), new org.locationtech.jts.geom.PrecisionModel(1e6)));
        int holes = 0;
        for (int i = 0; i < aoi.getNumGeometries(); i++) holes += ((Polygon) aoi.getGeometryN(i)).getNumInteriorRing();
        assertThat(aoi.getNumGeometries()).as("parts").isGreaterThan(1);
        assertThat(holes).as("holes").isPositive();
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, z), true);
        assertSameAsOverlay(Fixtures.fc(aoi), browserGrid(aoi, z), false);
    }

    @Test
    void aGridInMetresGivesWhatAnOverlayPerTileGives() {
        // the reference's own fixture is in EPSG:3857 metres: the margin scales with the coordinates
        MultiPolygon lonLat = Shapes.coastline(-3.7, 40.4, 150, 1000, 6, 5);
        Geometry aoi = lonLat.copy();
        aoi.apply((org.locationtech.jts.geom.CoordinateFilter) c -> {
            c.x = TileMath.browserX(c.x);
            c.y = TileMath.browserY(c.y);
        });
        aoi.geometryChanged();
        int z = 14;
        TaskGrid.Range r = TaskGrid.range(lonLat, z);
        List<Geometry> tiles = new ArrayList<>();
        for (int x = r.minX(); x < r.maxX(); x++) for (int y = r.minY(); y < r.maxY(); y++) tiles.add(Geo.multi(TileMath.squareMercator(x, y, z)));
        assertSameAsOverlay(Fixtures.fc(aoi), Fixtures.fc(tiles.toArray(new Geometry[0])), true);
    }
}
