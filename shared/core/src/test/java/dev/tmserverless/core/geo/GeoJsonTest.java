package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.assertCode;
import static dev.tmserverless.core.geo.Fixtures.json;
import static dev.tmserverless.core.geo.Fixtures.wkt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;

class GeoJsonTest {

    @Test
    void roundTripsEveryType() {
        for (String w : new String[] {
            "POINT (1 2)", "LINESTRING (0 0, 1 1)", "POLYGON ((0 0, 1 0, 1 1, 0 0))",
            "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1))",
            "MULTIPOINT ((1 2), (3 4))", "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
            "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
            "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))", "MULTIPOLYGON EMPTY", "POLYGON EMPTY"}) {
            Geometry g = wkt(w);
            Geometry back = GeoJson.read(GeoJson.write(g));
            assertThat(back.equalsExact(g)).as(w).isTrue();
            assertThat(back.getGeometryType()).isEqualTo(g.getGeometryType());
        }
    }

    @Test
    void writesTwoDimensionalNumbers() {
        ObjectNode o = GeoJson.write(wkt("MULTIPOLYGON (((0.5 1, 2 1, 2 3, 0.5 1)))"));
        assertThat(o.toString()).isEqualTo("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0.5,1.0],[2.0,1.0],[2.0,3.0],[0.5,1.0]]]]}");
    }

    @Test
    void dropsZAndM() {
        Geometry g = GeoJson.read(json("{'type':'Polygon','coordinates':[[[0,0,5],[1,0,5,9],[1,1,5],[0,0,7]]]}"));
        assertThat(g.getCoordinates()).allSatisfy(c -> assertThat(Double.isNaN(c.getZ())).isTrue());
        assertThat(GeoJson.write(g).toString()).doesNotContain("5");
    }

    @Test
    void malformedInputIsA400() {
        String[] bad = {
            "{'type':'Polygon','coordinates':[[[0,0],[1,0],[1,1],[0,1]]]}",         // not closed
            "{'type':'Polygon','coordinates':[[[0,0],[1,0],[0,0]]]}",               // < 4 positions
            "{'type':'Polygon','coordinates':[[]]}",                                 // empty ring
            "{'type':'Polygon','coordinates':[[[0],[1,0],[1,1],[0]]]}",             // short position
            "{'type':'MultiPolygon','coordinates':[[[[[0,0],[1,0],[1,1],[0,0]]]]]}", // nested one level too deep
            "{'type':'MultiPolygon','coordinates':[[]]}",                            // member without rings
            "{'type':'Polygon'}", "{'type':'Circle','coordinates':[0,0]}", "{'coordinates':[0,0]}", "[]", "null",
            "{'type':'GeometryCollection'}", "{'type':'LineString','coordinates':[[0,0]]}"};
        for (String b : bad) assertCode(ErrorCode.INVALID_DATA, () -> GeoJson.read(json(b)));
    }

    @Test
    void nonNumbersAreInvalidCoordinates() {
        assertCode(ErrorCode.INVALID_COORDINATES, () -> GeoJson.read(json("{'type':'Point','coordinates':['1',2]}")));
        assertCode(ErrorCode.INVALID_COORDINATES, () -> GeoJson.read(json("{'type':'Point','coordinates':[1,1e999]}")));
        ObjectNode nan = (ObjectNode) json("{'type':'Point','coordinates':[1,2]}");
        nan.withArray("coordinates").set(0, Fixtures.JSON.getNodeFactory().numberNode(Double.NaN));
        assertCode(ErrorCode.INVALID_COORDINATES, () -> GeoJson.read(nan));
    }

    @Test
    void featureCarriesReferenceProperties() {
        ObjectNode f = GeoJson.feature(TileMath.squareTask(1010, 1399, 11), null);
        assertThat(f.get("type").asText()).isEqualTo("Feature");
        assertThat(f.get("properties").toString()).isEqualTo("{\"x\":1010,\"y\":1399,\"zoom\":11,\"isSquare\":true}");
        assertThat(f.at("/geometry/coordinates/0/0/0").toString()).isEqualTo("[-2.4609375,54.876606647]");

        MultiPolygon mp = (MultiPolygon) wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))");
        JsonNode extra = json("{'name':'a'}");
        ObjectNode g = GeoJson.feature(new TaskShape(null, null, null, false, mp, extra), null);
        assertThat(g.get("properties").toString())
                .isEqualTo("{\"x\":null,\"y\":null,\"zoom\":null,\"isSquare\":false,\"extra_properties\":{\"name\":\"a\"}}");
    }
}
