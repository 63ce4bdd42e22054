package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.assertCode;
import static dev.tmserverless.core.geo.Fixtures.fc;
import static dev.tmserverless.core.geo.Fixtures.json;
import static dev.tmserverless.core.geo.Fixtures.wkt;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/** The reference's rule on a fixture shaped like the reference's: EPSG:3857 metres, 13 × 7 = 91 zoom-19 squares. */
class TrimTest {
    static final int Z = 19, X0 = 262000, Y0 = 340000, W = 13, H = 7;

    List<ObjectNode> grid;

    static MultiPolygon tileMetres(int x, int y) {
        return Geo.multi(TileMath.squareMercator(x, y, Z));
    }

    static double edgeX(int x) {
        return x * TileMath.step(Z) - TileMath.A;
    }

    static double edgeY(int y) {
        return y * TileMath.step(Z) - TileMath.A;
    }

    static double r6(double v) {
        return Geo.round(v, 6);
    }

    /** A tile-aligned rectangle over columns [x1, x2) and rows [y1, y2), at 6-decimal coordinates. */
    static Polygon block(int x1, int y1, int x2, int y2) {
        return Geo.rectangle(r6(edgeX(x1)), r6(edgeY(y1)), r6(edgeX(x2)), r6(edgeY(y2)));
    }

    @BeforeEach
    void makeGrid() {
        grid = new ArrayList<>();
        for (int x = X0; x < X0 + W; x++) {
            for (int y = Y0; y < Y0 + H; y++) {
                ObjectNode f = GeoJson.feature(new TaskShape(x, y, Z, true, tileMetres(x, y), null), null);
                f.put("id", x + "/" + y);
                grid.add(f);
            }
        }
        assertThat(grid).hasSize(91);
    }

    static ObjectNode gridFc(List<ObjectNode> features) {
        return GeoJson.featureCollection(features);
    }

    static Map<String, JsonNode> byId(JsonNode fcOut) {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode f : fcOut.get("features")) m.put(f.get("id").asText(), f);
        return m;
    }

    static String id(int x, int y) {
        return x + "/" + y;
    }

    @Test
    void threePolygonAoiKeepsContainedClipsPartialsDropsTouching() {
        // P1: exactly tiles x+1..x+3, y+1..y+2 (6 contained, 14 touching neighbours).
        // P2: a triangle over the middle of the grid (partial tiles).
        // P3: exactly tile (x+11, y+5) (1 contained, 8 neighbours touching by edge or corner).
        Polygon p1 = block(X0 + 1, Y0 + 1, X0 + 4, Y0 + 3);
        Polygon p2 = (Polygon) wkt(String.format(java.util.Locale.ROOT, "POLYGON ((%f %f, %f %f, %f %f, %f %f))",
                edgeX(X0 + 6) + 10, edgeY(Y0) + 20, edgeX(X0 + 9) - 5, edgeY(Y0 + 1) + 3, edgeX(X0 + 7) + 40, edgeY(Y0 + 5) - 7,
                edgeX(X0 + 6) + 10, edgeY(Y0) + 20));
        Polygon p3 = block(X0 + 11, Y0 + 5, X0 + 12, Y0 + 6);
        ObjectNode aoi = fc(p1, p2, p3);

        JsonNode clipped = Trim.intersectingTiles(aoi, gridFc(grid), true);
        JsonNode squares = Trim.intersectingTiles(aoi, gridFc(grid), false);
        Map<String, JsonNode> c = byId(clipped), s = byId(squares);
        assertThat(c.keySet()).isEqualTo(s.keySet());

        // Contained tiles: the input feature, unchanged (coordinates rounded to 6 decimals).
        for (int x = X0 + 1; x < X0 + 4; x++) {
            for (int y = Y0 + 1; y < Y0 + 3; y++) {
                JsonNode f = c.get(id(x, y));
                assertThat(f).as(id(x, y)).isNotNull();
                assertThat(f.get("properties").get("isSquare").asBoolean()).isTrue();
                assertThat(GeoJson.read(f.get("geometry")).equalsExact(roundedTile(x, y))).isTrue();
            }
        }
        assertThat(c).containsKey(id(X0 + 11, Y0 + 5));
        // Edge- and corner-touching neighbours of P1 and P3 are dropped.
        for (int x = X0; x <= X0 + 4; x++) {
            assertThat(c).doesNotContainKey(id(x, Y0)).doesNotContainKey(id(x, Y0 + 3));
        }
        assertThat(c).doesNotContainKey(id(X0, Y0 + 1)).doesNotContainKey(id(X0 + 4, Y0 + 2));
        for (int x = X0 + 10; x <= X0 + 12; x++) {
            for (int y = Y0 + 4; y <= Y0 + 6; y++) {
                if (x != X0 + 11 || y != Y0 + 5) assertThat(c).doesNotContainKey(id(x, y));
            }
        }
        // Partial tiles: clipped to P2 with isSquare false; other properties kept. Squares unchanged otherwise.
        MultiPolygon aoiGeom = Aoi.normalise(Trim.roundFeatures(aoi), true, false);
        int partial = 0, contained = 0;
        for (JsonNode f : clipped.get("features")) {
            int x = f.get("properties").get("x").asInt(), y = f.get("properties").get("y").asInt();
            Geometry tile = roundedTile(x, y);
            if (aoiGeom.contains(tile)) {
                contained++;
                assertThat(f).isEqualTo(Trim.roundFeature(grid.get((x - X0) * H + (y - Y0))));
                continue;
            }
            partial++;
            assertThat(f.get("properties").get("isSquare").asBoolean()).isFalse();
            assertThat(f.get("properties").get("zoom").asInt()).isEqualTo(Z);
            assertThat(f.at("/geometry/type").asText()).isEqualTo("MultiPolygon");
            Geometry g = GeoJson.read(f.get("geometry"));
            assertThat(g.symDifference(aoiGeom.intersection(tile)).getArea()).isLessThan(1e-6);
            JsonNode sq = s.get(f.get("id").asText());
            assertThat(sq.get("properties").get("isSquare").asBoolean()).isTrue();
            assertThat(GeoJson.read(sq.get("geometry")).equalsExact(tile)).isTrue();
        }
        assertThat(partial).isGreaterThan(5);
        assertThat(contained).isGreaterThanOrEqualTo(7);
        // Every tile of the fixture is accounted for: kept ones are exactly those meeting the AOI's interior.
        for (ObjectNode f : grid) {
            Geometry tile = roundedTile(f.get("properties").get("x").asInt(), f.get("properties").get("y").asInt());
            boolean meets = aoiGeom.relate(tile, "T********");
            assertThat(c.containsKey(f.get("id").asText())).as(f.get("id").asText()).isEqualTo(meets);
        }
    }

    static Geometry roundedTile(int x, int y) {
        return Geo.multi(Geo.rectangle(r6(edgeX(x)), r6(edgeY(y)), r6(edgeX(x + 1)), r6(edgeY(y + 1))));
    }

    @Test
    void inputOrderIsKept() {
        List<ObjectNode> shuffled = new ArrayList<>(grid);
        Collections.shuffle(shuffled, new java.util.Random(3));
        ObjectNode aoi = fc(block(X0, Y0, X0 + W, Y0 + H));
        JsonNode out = Trim.intersectingTiles(aoi, gridFc(shuffled), true);
        List<String> ids = new ArrayList<>();
        out.get("features").forEach(f -> ids.add(f.get("id").asText()));
        assertThat(ids).containsExactlyElementsOf(shuffled.stream().map(f -> f.get("id").asText()).toList());
    }

    @Test
    void sixDecimalRoundingMakesEdgeSharingTilesContained() {
        // The AOI's west edge lies 2e-7 m west of column X0+1's edge: a sliver of column X0 without rounding.
        double west = r6(edgeX(X0 + 1)) - 2e-7;
        Polygon aoiPoly = Geo.rectangle(west, r6(edgeY(Y0 + 1)), r6(edgeX(X0 + 3)), r6(edgeY(Y0 + 2)));
        assertThat(aoiPoly.intersection(tileMetres(X0, Y0 + 1)).getArea()).isPositive();

        JsonNode out = Trim.intersectingTiles(fc(aoiPoly), gridFc(grid), true);
        Map<String, JsonNode> c = byId(out);
        assertThat(c.keySet()).containsExactlyInAnyOrder(id(X0 + 1, Y0 + 1), id(X0 + 2, Y0 + 1));
        assertThat(c.values()).allMatch(f -> f.get("properties").get("isSquare").asBoolean());
        // The returned coordinates are the rounded ones.
        JsonNode first = c.get(id(X0 + 1, Y0 + 1)).at("/geometry/coordinates/0/0/0/0");
        assertThat(first.asDouble()).isEqualTo(r6(edgeX(X0 + 1)));
    }

    @Test
    void integersStayIntegers() {
        JsonNode grid1 = json("{'type':'FeatureCollection','features':[{'type':'Feature','properties':{'x':1},"
                + "'geometry':{'type':'Polygon','coordinates':[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}}]}");
        JsonNode out = Trim.intersectingTiles(fc(wkt("POLYGON ((-1 -1, 11 -1, 11 11, -1 11, -1 -1))")), grid1, true);
        assertThat(out.get("features").get(0).toString()).isEqualTo(grid1.get("features").get(0).toString());
    }

    @Test
    void theAnswerKeepsEachFeatureAsSentBesideTheRoundedGeometryAndIsSquare() {
        // members before and after the geometry, properties absent, null or with isSquare first; floats rounded to
        // 6 decimals, integers kept; the clipped feature gets its new geometry in place and isSquare false in place
        // (else last, in an object put where properties were not one)
        String g = "'geometry':{'type':'Polygon','coordinates':[[[1.23456789,1],[2,1],[2,2],[1,2],[1.23456789,1]]],'bbox':[1,1,2,2]}";
        String crossing = "'geometry':{'type':'Polygon','coordinates':[[[9,1],[11,1],[11,2],[9,2],[9,1]]]}";
        JsonNode grid1 = json("{'type':'FeatureCollection','features':["
                + "{'id':'a','type':'Feature'," + g + ",'extra':{'k':[1.5,2]}},"
                + "{'type':'Feature','properties':null," + g + "},"
                + "{'type':'Feature','properties':{'isSquare':true,'x':1}," + crossing + ",'id':'c'},"
                + "{'type':'Feature','properties':{'x':2}," + crossing + "},"
                + "{'type':'Feature','properties':null," + crossing + "},"
                + "{'type':'Feature'," + crossing + "}]}");
        String text = Trim.intersectingTilesJson(fc(wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")), grid1, true, Trim.Budget.DEFAULT);
        String rounded = "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[1.234568,1],[2,1],[2,2],[1,2],[1.234568,1]]],\"bbox\":[1,1,2,2]}";
        assertThat(text).startsWith("{\"type\":\"FeatureCollection\",\"features\":[{\"id\":\"a\",\"type\":\"Feature\"," + rounded
                + ",\"extra\":{\"k\":[1.5,2]}},{\"type\":\"Feature\",\"properties\":null," + rounded + "},");
        JsonNode out = json(text).get("features");
        assertThat(out).hasSize(6);
        List<List<String>> keys = new ArrayList<>();
        for (JsonNode f : out) keys.add(keys(f));
        assertThat(keys.subList(2, 6)).containsExactly(List.of("type", "properties", "geometry", "id"), List.of("type", "properties", "geometry"),
                List.of("type", "properties", "geometry"), List.of("type", "geometry", "properties"));
        assertThat(out.get(2).get("properties").toString()).isEqualTo("{\"isSquare\":false,\"x\":1}");
        assertThat(out.get(3).get("properties").toString()).isEqualTo("{\"x\":2,\"isSquare\":false}");
        assertThat(out.get(4).get("properties").toString()).isEqualTo("{\"isSquare\":false}");
        assertThat(out.get(5).get("properties").toString()).isEqualTo("{\"isSquare\":false}");
        Geometry half = wkt("POLYGON ((9 1, 10 1, 10 2, 9 2, 9 1))");
        for (int i = 2; i < 6; i++) {
            Geometry clipped = GeoJson.read(out.get(i).get("geometry"));
            assertThat(clipped.getGeometryType()).isEqualTo("MultiPolygon");
            assertThat(clipped.symDifference(half).getArea()).as("feature %d", i).isZero();
        }
        // the tree form is the text parsed
        assertThat(Trim.intersectingTiles(fc(wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))")), grid1, true)).isEqualTo(json(text));
    }

    @Test
    void ringsThatCloseOnlyOnceRoundedAreReadAsRounded() {
        // first and last positions differ in the 7th decimal: closed at the 6 decimals the input is rounded to
        JsonNode aoi = json("{'type':'FeatureCollection','features':[{'type':'Feature','properties':{},'geometry':{'type':'Polygon',"
                + "'coordinates':[[[0.0000001,0],[10,0],[10,10],[0,10],[0,0.0000002]]]}}]}");
        JsonNode grid1 = json("{'type':'FeatureCollection','features':["
                + "{'type':'Feature','properties':{},'geometry':{'type':'Polygon','coordinates':[[[1,1],[2,1],[2,2],[1,2],[1.0000001,1]]]}},"
                + "{'type':'Feature','properties':{},'geometry':{'type':'MultiPolygon','coordinates':[[[[9,1],[11,1],[11,2],[9,2],[9,1.0000004]]]]}}]}");
        JsonNode out = Trim.intersectingTiles(aoi, grid1, true).get("features");
        assertThat(out).hasSize(2);
        assertThat(out.get(0).get("geometry").toString()).isEqualTo("{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2],[1,2],[1.0,1]]]}");
        assertThat(GeoJson.read(out.get(1).get("geometry")).symDifference(wkt("POLYGON ((9 1, 10 1, 10 2, 9 2, 9 1))")).getArea()).isZero();
    }

    /** The member names of an object, in order. */
    static List<String> keys(JsonNode o) {
        List<String> k = new ArrayList<>();
        o.fieldNames().forEachRemaining(k::add);
        return k;
    }

    @Test
    void errors() {
        ObjectNode g = gridFc(grid);
        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> Trim.intersectingTiles(json("{'type':'FeatureCollection','features':[]}"), g, true));
        assertCode(ErrorCode.MUST_BE_MULTIPLOYGON, () -> Trim.intersectingTiles(fc(wkt("POINT (1 1)")), g, true));
        assertCode(ErrorCode.SELF_INTERSECTING_AOI, () -> Trim.intersectingTiles(fc(wkt("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))")), g, true));
        assertCode(ErrorCode.INVALID_MULTIPOLYGON_AOI, () -> Trim.intersectingTiles(
                Fixtures.fcOf(json("{'type':'Polygon','coordinates':[[[0,0],[1,0],[1,1],[0,1]]]}")), g, true));
        ObjectNode aoi = fc(block(X0, Y0, X0 + 2, Y0 + 2));
        assertCode(ErrorCode.INVALID_DATA, () -> Trim.intersectingTiles(aoi, json("'invalid'"), true));
        assertCode(ErrorCode.INVALID_DATA, () -> Trim.intersectingTiles(aoi, json("{'features':[{'type':'Feature'}]}"), true));
        assertCode(ErrorCode.INVALID_DATA, () -> Trim.intersectingTiles(aoi, json(
                "{'features':[{'type':'Feature','geometry':{'type':'Polygon','coordinates':[[[0,0],[1,0]]]}}]}"), true));
        // a tile that is a polygon across the AOI's edge plus a point: JTS refuses mixed dimensions
        var e = block(X0, Y0, X0 + 2, Y0 + 2).getEnvelopeInternal();
        double w = e.getMinX() - e.getWidth() / 2, s = e.getMinY() + e.getHeight() / 4;
        double east = e.getMinX() + e.getWidth() / 2, n = e.getMinY() + e.getHeight() / 2;
        String mixed = String.format(java.util.Locale.ROOT, "{'features':[{'type':'Feature','properties':{},'geometry':"
                + "{'type':'GeometryCollection','geometries':[{'type':'Polygon','coordinates':[[[%1$.6f,%2$.6f],[%3$.6f,%2$.6f],"
                + "[%3$.6f,%4$.6f],[%1$.6f,%4$.6f],[%1$.6f,%2$.6f]]]},{'type':'Point','coordinates':[%3$.6f,%4$.6f]}]}}]}",
                w, s, east, n);
        assertCode(ErrorCode.INVALID_DATA, () -> Trim.intersectingTiles(aoi, json(mixed), true));
    }
}
