package dev.tmserverless.core.geo;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * Intersecting-tiles by a general overlay per grid feature, the reference's algorithm on JTS, with the same input
 * rounding, AOI dissolve and output as {@link Trim}: the benchmark's baseline and the tests' oracle.
 */
final class TrimBaseline {
    private TrimBaseline() {}

    /**
     * @param prepared true: contains on a prepared AOI (what Trim did before its rectangle path); false: the
     *                 reference literally, {@code aoi.contains(tile)} then {@code aoi.intersection(tile)} per tile
     */
    static ObjectNode intersectingTiles(JsonNode areaOfInterest, JsonNode grid, boolean clipToAoi, boolean prepared) {
        MultiPolygon aoi = Aoi.normalise(Trim.roundFeatures(areaOfInterest), true, false);
        PreparedGeometry p = prepared ? PreparedGeometryFactory.prepare(aoi) : null;
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode f : grid.get("features")) {
            ObjectNode feature = Trim.roundFeature(f);
            Geometry tile = GeoJson.read(feature.get("geometry"));
            if (prepared ? p.contains(tile) : aoi.contains(tile)) {
                kept.add(feature);
                continue;
            }
            MultiPolygon inter = Geo.polygonal(prepared ? OverlayNGRobust.overlay(aoi, tile, OverlayNG.INTERSECTION) : aoi.intersection(tile));
            if (inter.isEmpty()) continue;
            if (clipToAoi) {
                feature.set("geometry", GeoJson.write(Geo.rfc7946(inter)));
                ((ObjectNode) feature.get("properties")).put("isSquare", false);
            }
            kept.add(feature);
        }
        return GeoJson.featureCollection(kept);
    }

    /** The browser's request for a grid over the AOI's bbox: every square of the zoom's range, in x-outer order. */
    static ObjectNode browserGrid(MultiPolygon aoi, int zoom) {
        TaskGrid.Range r = TaskGrid.range(aoi, zoom);
        List<JsonNode> features = new ArrayList<>();
        for (int x = r.minX(); x < r.maxX(); x++) {
            for (int y = r.minY(); y < r.maxY(); y++) features.add(GeoJson.feature(TileMath.squareTask(x, y, zoom), null));
        }
        return GeoJson.featureCollection(features);
    }
}
