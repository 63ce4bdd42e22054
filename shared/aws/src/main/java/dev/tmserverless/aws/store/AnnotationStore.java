package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Task annotations (docs/projects.md "Annotations"): one item per task and annotation type in the project's
 * partition ({@code PROJECT#<id> / ANNOT#<type>#<7-digit task>}), so a project's annotations are one Query, a
 * type's one Query of its prefix, and deleting the project removes them with the rest of its partition.
 */
@Singleton
public class AnnotationStore {
    static final String PREFIX = "ANNOT#";

    /** One task's annotation of one type; {@code properties} is the JSON object as text. */
    public record Annotation(int taskId, String type, String source, String markdown, String properties, Instant updated) {}

    private final DynamoDbClient ddb;
    private final String table;

    public AnnotationStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /** Every annotation of the project, by type then task (one paginated Query). */
    public List<Annotation> ofProject(long projectId) { return query(projectId, PREFIX); }

    /** The project's annotations of one type, by task. */
    public List<Annotation> ofType(long projectId, String type) { return query(projectId, PREFIX + type + "#"); }

    private List<Annotation> query(long projectId, String prefix) {
        List<Annotation> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :s)")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":s", Attr.s(prefix))))
                .items().forEach(i -> out.add(read(i)));
        return out;
    }

    /** Which of these task ids name a task of the project (BatchGetItem of the task keys, only the keys read). */
    public Set<Integer> existingTasks(long projectId, java.util.Collection<Integer> taskIds) {
        List<Map<String, AttributeValue>> keys = taskIds.stream().distinct()
                .map(t -> Attr.key(Keys.project(projectId), Keys.task(t))).toList();
        Set<Integer> out = new HashSet<>();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            out.add(Integer.parseInt(Attr.str(item, "sk").substring(Keys.TASK_PREFIX.length())));
        }
        return out;
    }

    /**
     * Stores annotations of one type (BatchWriteItem). An annotation that already exists keeps its source and
     * markdown and takes the new properties and time, as the reference (so they are read first, in one batch).
     */
    public void putAllWriting(long projectId, String type, List<Annotation> given) {
        List<Map<String, AttributeValue>> keys = given.stream().map(a -> key(projectId, type, a.taskId())).distinct().toList();
        Map<Integer, Annotation> existing = new HashMap<>();
        for (var item : Dynamo.batchGet(ddb, table, keys)) {
            Annotation a = read(item);
            existing.put(a.taskId(), a);
        }
        Map<Integer, WriteRequest> writes = new java.util.LinkedHashMap<>();
        for (Annotation a : given) {
            Annotation was = existing.get(a.taskId());
            Map<String, AttributeValue> item = new HashMap<>(key(projectId, type, a.taskId()));
            item.put("taskId", Attr.n((long) a.taskId()));
            item.put("type", Attr.s(type));
            String source = was != null ? was.source() : a.source();
            String markdown = was != null ? was.markdown() : a.markdown();
            if (source != null) item.put("source", Attr.s(source));
            if (markdown != null) item.put("markdown", Attr.s(markdown));
            item.put("properties", Attr.s(a.properties()));
            item.put("updated", Attr.n(a.updated().toEpochMilli()));
            writes.put(a.taskId(), Dynamo.put(item)); // the last of a task's repeats wins, as the reference's loop
        }
        Dynamo.batchWrite(ddb, table, new ArrayList<>(writes.values()));
    }

    private static Map<String, AttributeValue> key(long projectId, String type, int taskId) {
        return Attr.key(Keys.project(projectId), PREFIX + type + "#" + String.format("%07d", taskId));
    }

    private static Annotation read(Map<String, AttributeValue> i) {
        Long updated = Attr.lng(i, "updated");
        return new Annotation(Attr.integer(i, "taskId"), Attr.str(i, "type"), Attr.str(i, "source"),
                Attr.str(i, "markdown"), Attr.str(i, "properties"), updated == null ? null : Instant.ofEpochMilli(updated));
    }
}
