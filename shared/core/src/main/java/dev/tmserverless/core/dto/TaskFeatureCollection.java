package dev.tmserverless.core.dto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TileMath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * The tasks of a project as the reference's FeatureCollection: properties taskId, taskX, taskY,
 * taskZoom, taskIsSquare, taskStatus, lockedBy, mappedBy, validatedBy. Tasks must already be the
 * effective view at read time. Plain tiles have no stored geometry: theirs is computed from x/y/zoom.
 */
public final class TaskFeatureCollection {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TaskFeatureCollection() {}

    public static ObjectNode of(Collection<Task> tasks, Map<Integer, String> storedGeometries, boolean withGeometry) {
        ObjectNode fc = MAPPER.createObjectNode().put("type", "FeatureCollection");
        ArrayNode features = fc.putArray("features");
        for (Task t : tasks) {
            ObjectNode f = features.addObject().put("type", "Feature");
            f.set("geometry", withGeometry ? geometry(t, storedGeometries.get(t.taskId())) : NullNode.getInstance());
            ObjectNode p = f.putObject("properties");
            p.put("taskId", t.taskId());
            p.set("taskX", number(t.x()));
            p.set("taskY", number(t.y()));
            p.set("taskZoom", number(t.zoom()));
            p.put("taskIsSquare", t.isSquare());
            p.put("taskStatus", t.status().name());
            p.set("lockedBy", number(t.lockedBy()));
            p.set("mappedBy", number(t.mappedBy()));
            p.set("validatedBy", number(t.validatedBy()));
        }
        return fc;
    }

    public static JsonNode geometry(Task t, String stored) {
        if (stored != null) {
            try {
                return MAPPER.readTree(stored);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (t.x() != null && t.y() != null && t.zoom() != null) return GeoJson.write(TileMath.square(t.x(), t.y(), t.zoom()));
        return NullNode.getInstance();
    }

    private static JsonNode number(Number n) {
        return n == null ? NullNode.getInstance() : MAPPER.getNodeFactory().numberNode(n.longValue());
    }
}
