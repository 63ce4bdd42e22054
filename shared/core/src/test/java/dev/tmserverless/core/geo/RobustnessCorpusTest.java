package dev.tmserverless.core.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.error.ApiException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;

/**
 * The bad-geometry corpus (resources geo/aoi-corpus.json): every entry point either answers correctly or refuses
 * with a 4xx ApiException; nothing else may escape. Each case names the SubCode Aoi.normalise must give, or
 * "ok" (then the grid, arbitrary tasks, split and exports are exercised too).
 */
class RobustnessCorpusTest {

    /** NaN and ±Infinity appear literally in the corpus, as a lenient client library could send them. */
    static final JsonMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static final Map<String, List<TaskShape>> GRIDS = new HashMap<>();

    record Outcome(Object value, ApiException refusal) {
        boolean ok() {
            return refusal == null;
        }
    }

    /** Runs {@code call}; an ApiException is an answer (it must be a 4xx), anything else fails the test. */
    static Outcome outcome(String what, Supplier<?> call) {
        try {
            return new Outcome(call.get(), null);
        } catch (ApiException e) {
            assertThat(e.code().status).as(what + ": " + e.getMessage()).isBetween(400, 499);
            return new Outcome(null, e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(what + " escaped with " + e, e);
        }
    }

    @TestFactory
    Stream<DynamicTest> corpus() throws IOException {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/geo/aoi-corpus.json")) {
            cases = LENIENT.readTree(in);
        }
        assertThat(cases.size()).isGreaterThan(40);
        return StreamSupport.stream(cases.spliterator(), false).map(c -> dynamicTest(c.get("name").asText(), () -> run(c)));
    }

    static void run(JsonNode c) {
        String name = c.get("name").asText(), expect = c.get("expect").asText();
        JsonNode fc = c.get("aoi");
        Outcome norm = outcome("normalise", () -> Aoi.normalise(fc));
        Outcome arbitrary = outcome("fromAoiFeatures", () -> TaskFeatures.fromAoiFeatures(fc));
        outcome("trim", () -> Trim.intersectingTiles(fc, probeGrid(), true));
        outcome("trim unclipped", () -> Trim.intersectingTiles(fc, probeGrid(), false));
        outcome("parse as tasks", () -> TaskFeatures.parse(asTasks(fc)));
        if (!expect.equals("ok")) {
            assertThat(norm.ok()).as("normalise should refuse").isFalse();
            assertThat(norm.refusal().code().subCode).as(norm.refusal().getMessage()).isEqualTo(expect);
            assertThat(arbitrary.ok()).as("arbitrary tasks should refuse too").isFalse();
            return;
        }
        assertThat(norm.refusal()).as("normalise").isNull();
        MultiPolygon aoi = (MultiPolygon) norm.value();
        assertThat(aoi.isValid()).isTrue();
        assertThat(aoi.getCoordinates()).allMatch(k -> Double.isNaN(k.getZ()));

        Outcome area = outcome("checkArea", () -> {
            Aoi.checkArea(aoi, AoiLimits.defaults());
            return aoi;
        });
        if (c.has("area")) {
            assertThat(area.ok()).isFalse();
            assertThat(area.refusal().code().subCode).isEqualTo(c.get("area").asText());
        } else {
            assertThat(area.refusal()).isNull();
            List<TaskShape> tasks = checkGrid(aoi);
            GRIDS.put(name, tasks);
            if (name.contains("split into two parts")) {
                int z = tasks.getFirst().zoom();
                assertThat(tasks.getFirst().x()).isZero();
                assertThat(tasks.getLast().x()).isEqualTo((1 << z) - 1);
            }
            if (c.has("sameAs")) assertSameTasks(tasks, gridOf(c.get("sameAs").asText()));
        }

        @SuppressWarnings("unchecked")
        List<TaskShape> features = (List<TaskShape>) arbitrary.value();
        assertThat(arbitrary.refusal()).isNull();
        List<Exports.ExportTask> export = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            TaskShape t = features.get(i);
            export.add(Exports.ExportTask.of(i + 1, t));
            if (Split.tooSmall(t)) continue;
            try {
                List<TaskShape> kids = Split.children(t);
                assertThat(kids).hasSize(4);
            } catch (SplitGeometryException expected) {
                // An empty quadrant is a legitimate refusal (SplitGeoJsonError).
            }
        }
        assertThat(Exports.osmXml(export)).contains("upload=\"never\"");
        assertThat(Exports.gpx(1, export, Instant.EPOCH)).contains("<trk>");
    }

    static List<TaskShape> gridOf(String name) {
        assertThat(GRIDS).as("corpus order: %s runs first", name).containsKey(name);
        return GRIDS.get(name);
    }

    /** The grid at the deepest zoom with at most 3,000 tasks, clipped and not, with its invariants. */
    static List<TaskShape> checkGrid(MultiPolygon aoi) {
        int zoom = TaskGrid.MAX_ZOOM;
        while (zoom > TaskGrid.MIN_ZOOM && TaskGrid.countUpTo(aoi, zoom, 3000) > 3000) zoom--;
        List<TaskShape> clipped = new ArrayList<>(), squares = new ArrayList<>();
        TaskGrid.generate(aoi, zoom, true, 0, clipped::add);
        TaskGrid.generate(aoi, zoom, false, 0, squares::add);
        assertThat(clipped).isNotEmpty().hasSize((int) TaskGrid.count(aoi, zoom)).hasSameSizeAs(squares);
        double sum = 0;
        for (int i = 0; i < clipped.size(); i++) {
            TaskShape t = clipped.get(i);
            assertThat(t.x()).isEqualTo(squares.get(i).x());
            assertThat(t.y()).isEqualTo(squares.get(i).y());
            assertThat(t.geometry().isValid()).isTrue();
            sum += t.geometry().getArea();
        }
        TaskGrid.Range r = TaskGrid.range(aoi, zoom);
        Geometry extent = Geo.rectangle(TileMath.edgeLon(r.minX(), zoom), TileMath.edgeLat(r.minY(), zoom),
                TileMath.edgeLon(r.maxX(), zoom), TileMath.edgeLat(r.maxY(), zoom));
        double expected = OverlayNGRobust.overlay(aoi, extent, OverlayNG.INTERSECTION).getArea();
        assertThat(sum).isCloseTo(expected, org.assertj.core.api.Assertions.within(expected * 1e-9));
        return clipped;
    }

    static void assertSameTasks(List<TaskShape> a, List<TaskShape> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).x()).isEqualTo(b.get(i).x());
            assertThat(a.get(i).y()).isEqualTo(b.get(i).y());
            assertThat(a.get(i).isSquare()).isEqualTo(b.get(i).isSquare());
            assertThat(a.get(i).geometry().symDifference(b.get(i).geometry()).getArea()).isLessThan(1e-15);
        }
    }

    /** 16 world tiles at zoom 2 and 16 tiles at zoom 14 around the corpus's usual place, in EPSG:4326. */
    static ObjectNode probeGrid() {
        List<ObjectNode> features = new ArrayList<>();
        for (int x = 0; x < 4; x++) for (int y = 0; y < 4; y++) features.add(GeoJson.feature(TileMath.squareTask(x, y, 2), null));
        int cx = (int) TileMath.tileX(TileMath.browserX(-4.0), 14), cy = (int) TileMath.tileY(TileMath.browserY(56.1), 14);
        for (int x = cx - 2; x < cx + 2; x++) for (int y = cy - 2; y < cy + 2; y++) features.add(GeoJson.feature(TileMath.squareTask(x, y, 14), null));
        return GeoJson.featureCollection(features);
    }

    /** The corpus's features as a tasks FeatureCollection: Polygons wrapped as MultiPolygons, null tile properties. */
    static JsonNode asTasks(JsonNode fc) {
        if (fc == null || !fc.isObject()) return fc;
        ObjectNode copy = ((ObjectNode) fc).deepCopy();
        copy.put("type", "FeatureCollection");
        JsonNode features = copy.get("features");
        if (!(features instanceof ArrayNode arr)) return copy;
        for (JsonNode f : arr) {
            if (!(f instanceof ObjectNode o)) continue;
            if (o.get("geometry") instanceof ObjectNode g && "Polygon".equals(g.path("type").asText())) {
                g.put("type", "MultiPolygon");
                g.set("coordinates", LENIENT.createArrayNode().add(g.get("coordinates")));
            }
            ObjectNode p = o.putObject("properties");
            p.putNull("x");
            p.putNull("y");
            p.putNull("zoom");
            p.put("isSquare", false);
        }
        return copy;
    }
}
