package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.assertCode;
import static dev.tmserverless.core.geo.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.junit.jupiter.api.Test;

class TaskFeaturesTest {

    static final String MP = "{'type':'MultiPolygon','coordinates':[[[[-2.46,54.87],[-2.28,54.87],[-2.28,54.97],[-2.46,54.87]]]]}";

    static JsonNode tasks(String... features) {
        return json("{'type':'FeatureCollection','features':[" + String.join(",", features) + "]}");
    }

    static String feature(String geometry, String properties) {
        return "{'type':'Feature','geometry':" + geometry + ",'properties':" + properties + "}";
    }

    @Test
    void parsesTasksInOrder() {
        List<TaskShape> t = TaskFeatures.parse(tasks(
                feature(MP, "{'x':1010,'y':1399,'zoom':11,'isSquare':true}"),
                feature(MP, "{'x':null,'y':null,'zoom':null,'isSquare':false,'extra_properties':{'k':1}}")));
        assertThat(t).hasSize(2);
        assertThat(t.get(0).x()).isEqualTo(1010);
        assertThat(t.get(0).isTile()).isTrue();
        assertThat(t.get(1).x()).isNull();
        assertThat(t.get(1).extraProperties().toString()).isEqualTo("{\"k\":1}");
        assertThat(TaskFeatures.parse(tasks())).isEmpty();
    }

    @Test
    void referenceSubCodes() {
        assertCode(ErrorCode.MUST_BE_FEATURE_COLLECTION, () -> TaskFeatures.parse(json("{'type':'Feature'}")));
        assertCode(ErrorCode.MUST_BE_FEATURE_COLLECTION, () -> TaskFeatures.parse(json("[]")));
        assertCode(ErrorCode.INVALID_FEATURE_COLLECTION, () -> TaskFeatures.parse(json("{'type':'FeatureCollection','features':{}}")));
        assertCode(ErrorCode.MUST_BE_FEATURE, () -> TaskFeatures.parse(tasks(MP)));
        assertCode(ErrorCode.MUST_BE_MULTIPOLYGON, () -> TaskFeatures.parse(tasks(feature(
                "{'type':'Polygon','coordinates':[[[0,0],[1,0],[1,1],[0,0]]]}", "{'x':1,'y':1,'zoom':1,'isSquare':true}"))));
        assertCode(ErrorCode.MUST_BE_MULTIPOLYGON, () -> TaskFeatures.parse(tasks(feature("null", "{'x':1,'y':1,'zoom':1,'isSquare':true}"))));
        assertCode(ErrorCode.INVALID_MULTIPOLYGON, () -> TaskFeatures.parse(tasks(feature(
                "{'type':'MultiPolygon','coordinates':[[[[0,0],[1,0],[1,1],[0,1]]]]}", "{'x':1,'y':1,'zoom':1,'isSquare':true}"))));
        assertCode(ErrorCode.INVALID_MULTIPOLYGON, () -> TaskFeatures.parse(tasks(feature(
                "{'type':'MultiPolygon','coordinates':[]}", "{'x':1,'y':1,'zoom':1,'isSquare':true}"))));
        assertCode(ErrorCode.INVALID_COORDINATES, () -> TaskFeatures.parse(tasks(feature(
                "{'type':'MultiPolygon','coordinates':[[[[0,0],[190,0],[1,1],[0,0]]]]}", "{'x':1,'y':1,'zoom':1,'isSquare':true}"))));
    }

    @Test
    void propertyNotFoundNamesTheProperty() {
        for (String missing : new String[] {"x", "y", "zoom", "isSquare"}) {
            StringBuilder p = new StringBuilder("{");
            for (String k : new String[] {"x", "y", "zoom", "isSquare"}) {
                if (!k.equals(missing)) p.append("'").append(k).append("':null,");
            }
            String props = p.length() > 1 ? p.substring(0, p.length() - 1) + "}" : "{}";
            try {
                TaskFeatures.parse(tasks(feature(MP, props)));
                throw new AssertionError("expected PropertyNotFound for " + missing);
            } catch (ApiException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.PROPERTY_NOT_FOUND);
                assertThat(e.getMessage()).isEqualTo("Expected property not found: '" + missing + "'");
            }
        }
        assertCode(ErrorCode.PROPERTY_NOT_FOUND, () -> TaskFeatures.parse(tasks("{'type':'Feature','geometry':" + MP + "}")));
    }

    @Test
    void wrongPropertyTypesAreInvalidData() {
        assertCode(ErrorCode.INVALID_DATA, () -> TaskFeatures.parse(tasks(feature(MP, "{'x':'1','y':1,'zoom':1,'isSquare':true}"))));
        assertCode(ErrorCode.INVALID_DATA, () -> TaskFeatures.parse(tasks(feature(MP, "{'x':1.5,'y':1,'zoom':1,'isSquare':true}"))));
        assertCode(ErrorCode.INVALID_DATA, () -> TaskFeatures.parse(tasks(feature(MP, "{'x':1,'y':1,'zoom':1,'isSquare':'yes'}"))));
        assertCode(ErrorCode.INVALID_DATA, () -> TaskFeatures.parse(tasks(feature(MP, "{'x':2,'y':0,'zoom':1,'isSquare':true}"))));
        assertThat(TaskFeatures.parse(tasks(feature(MP, "{'x':1.0,'y':1,'zoom':1,'isSquare':null}"))).getFirst().isSquare()).isFalse();
    }

    @Test
    void arbitraryTasksKeepFeaturesAndProperties() {
        JsonNode aoi = json("{'type':'FeatureCollection','features':["
                + "{'type':'Feature','geometry':{'type':'Polygon','coordinates':[[[0,0,9],[2,0,9],[2,2,9],[0,0,9]]]},'properties':{'name':'a'}},"
                + "{'type':'Feature','geometry':{'type':'Point','coordinates':[0,0]},'properties':{'name':'p'}},"
                + "{'type':'Feature','geometry':{'type':'MultiPolygon','coordinates':[[[[1,1],[3,1],[3,3],[1,1]]]]}}]}");
        List<TaskShape> t = TaskFeatures.fromAoiFeatures(aoi);
        assertThat(t).hasSize(2);
        assertThat(t.get(0).extraProperties().toString()).isEqualTo("{\"name\":\"a\"}");
        assertThat(t.get(0).isSquare()).isFalse();
        assertThat(t.get(0).x()).isNull();
        assertThat(Double.isNaN(t.get(0).geometry().getCoordinate().getZ())).isTrue();
        assertThat(t.get(1).extraProperties()).isNull();
        assertThat(t.get(0).geometry().intersects(t.get(1).geometry())).isTrue(); // overlaps kept, not dissolved
        assertThat(GeoJson.feature(t.get(0), null).get("properties").toString())
                .isEqualTo("{\"x\":null,\"y\":null,\"zoom\":null,\"isSquare\":false,\"extra_properties\":{\"name\":\"a\"}}");

        assertCode(ErrorCode.MUST_HAVE_FEATURES, () -> TaskFeatures.fromAoiFeatures(json("{'type':'FeatureCollection','features':[]}")));
        assertCode(ErrorCode.MUST_BE_MULTIPLOYGON, () -> TaskFeatures.fromAoiFeatures(json(
                "{'type':'FeatureCollection','features':[{'type':'Feature','geometry':{'type':'Point','coordinates':[0,0]}}]}")));
        assertCode(ErrorCode.SELF_INTERSECTING_AOI, () -> TaskFeatures.fromAoiFeatures(json(
                "{'type':'FeatureCollection','features':[{'type':'Feature','geometry':{'type':'Polygon','coordinates':[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}")));
    }
}
