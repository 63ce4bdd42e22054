package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Task shape items, beside the hot task item: a geometry that cannot be derived from the tile indices
 * ({@code g}, GeoJSON text) and an arbitrary task's extra properties ({@code ep}, JSON text). Written once with
 * the task, never changed.
 */
@Singleton
public class TaskShapes {
    /** What a task's shape item holds: geometry (null when it is the plain tile) and extra properties (null when none). */
    public record Shape(String geometryJson, String extraJson) {}

    private final DynamoDbClient ddb;
    private final String table;

    public TaskShapes(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /** A task's shape item; empty when the task has neither a stored geometry nor extra properties. */
    public Optional<Shape> shape(long projectId, int taskId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.geom(taskId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(new Shape(Attr.str(item, "g"), Attr.str(item, "ep")));
    }

    /** Stored geometries by task id (only tasks that are not plain tiles have one). */
    public Map<Integer, String> geometries(long projectId) {
        return geometries(projectId, false);
    }

    /** As {@link #geometries(long)}, with strongly consistent reads when {@code consistent}. */
    public Map<Integer, String> geometries(long projectId, boolean consistent) {
        Map<Integer, String> out = new LinkedHashMap<>();
        ddb.queryPaginator(b -> b.tableName(table).consistentRead(consistent).keyConditionExpression("pk = :p AND begins_with(sk, :g)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":g", Attr.s(Keys.GEOM_PREFIX))))
                .items().forEach(i -> {
                    if (Attr.str(i, "g") != null) out.put(Attr.integer(i, "taskId"), Attr.str(i, "g"));
                });
        return out;
    }

    static Map<String, AttributeValue> item(TaskStore.NewTask nt) {
        Map<String, AttributeValue> g = new HashMap<>(Attr.key(Keys.project(nt.task().projectId()), Keys.geom(nt.task().taskId())));
        g.put("taskId", Attr.n((long) nt.task().taskId()));
        if (nt.geometryJson() != null) g.put("g", Attr.s(nt.geometryJson()));
        if (nt.extraJson() != null) g.put("ep", Attr.s(nt.extraJson()));
        return g;
    }
}
