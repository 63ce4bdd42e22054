package dev.tmserverless.core.geo;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

/** Test helpers: JSON literals, WKT, feature collections, and SubCode assertions. */
final class Fixtures {
    private Fixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** Parses JSON written with single quotes for readability. */
    static JsonNode json(String singleQuoted) {
        try {
            return JSON.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Geometry wkt(String wkt) {
        try {
            return new WKTReader(Geo.FACTORY).read(wkt);
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A FeatureCollection with one feature per geometry, properties {"i": index}. */
    static ObjectNode fc(Geometry... geometries) {
        List<ObjectNode> features = new ArrayList<>();
        for (int i = 0; i < geometries.length; i++) {
            features.add(feature(GeoJson.write(geometries[i]), i));
        }
        return GeoJson.featureCollection(features);
    }

    /** A FeatureCollection with one feature per raw geometry JSON. */
    static ObjectNode fcOf(JsonNode... geometries) {
        List<ObjectNode> features = new ArrayList<>();
        for (int i = 0; i < geometries.length; i++) features.add(feature(geometries[i], i));
        return GeoJson.featureCollection(features);
    }

    static ObjectNode feature(JsonNode geometry, int i) {
        ObjectNode f = JSON.createObjectNode();
        f.put("type", "Feature");
        f.set("geometry", geometry);
        f.putObject("properties").put("i", i);
        return f;
    }

    static void assertCode(ErrorCode code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class,
                e -> org.assertj.core.api.Assertions.assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }
}
