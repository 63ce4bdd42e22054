package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.AnnotationStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Task annotations (machine-learning attributes and the like) posted by scripts and read by anyone
 * (docs/projects.md "Annotations").
 */
@Singleton
public class Annotations {
    /** An annotation type names a key prefix: letters, digits, {@code _ - .}, at most 100. */
    static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    /** At most this many annotations per request, and this much JSON per annotation's properties. */
    static final int MAX_TASKS = 5_000;
    static final int MAX_PROPERTIES_CHARS = 64 * 1024;

    private final ProjectAccess access;
    private final AnnotationStore store;

    public Annotations(ProjectAccess access, AnnotationStore store) {
        this.access = access;
        this.store = store;
    }

    /** The annotations of one type to store: the body's {@code tasks}. */
    record Body(List<AnnotationStore.Annotation> annotations) {
        static Body from(JsonNode body, String type, Instant now) {
            if (body == null || !body.isObject()) throw invalid("Annotations body must be a JSON object");
            JsonNode tasks = body.get("tasks");
            if (tasks == null || !tasks.isArray()) throw invalid("tasks must be a list");
            if (tasks.size() > MAX_TASKS) throw invalid("At most " + MAX_TASKS + " annotations per request");
            List<AnnotationStore.Annotation> out = new ArrayList<>();
            for (JsonNode t : tasks) {
                if (!t.isObject()) throw invalid("Each annotation must be a JSON object");
                JsonNode id = t.get("taskId");
                if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 1) throw invalid("taskId must be a task id");
                JsonNode props = t.get("properties");
                if (props == null || !props.isObject()) throw invalid("properties must be a JSON object");
                String text = Json.write(props);
                if (text.length() > MAX_PROPERTIES_CHARS) throw invalid("properties of task " + id.asInt() + " are too large");
                out.add(new AnnotationStore.Annotation(id.asInt(), type, optionalText(t, "annotationSource"),
                        optionalText(t, "annotationMarkdown"), text, now));
            }
            return new Body(out);
        }

        private static String optionalText(JsonNode t, String name) {
            JsonNode v = t.get(name);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual() || v.asText().length() > 10_000) throw invalid(name + " must be a string of at most 10000 characters");
            return v.asText();
        }
    }

    /** GET every annotation of the project, or of one type; public, as the reference (404 for no project). */
    Response get(Request req) {
        long id = projectId(req);
        access.load(id, null);
        String type = req.pathParams().get("annotationType");
        List<AnnotationStore.Annotation> found;
        if (type == null) {
            found = store.ofProject(id);
        } else {
            found = TYPE.matcher(type).matches() ? store.ofType(id, type) : List.of();
        }
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (AnnotationStore.Annotation a : found) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("taskId", a.taskId());
            m.put("annotationType", a.type());
            m.put("annotationSource", a.source());
            m.put("annotationMarkdown", a.markdown());
            m.put("properties", Json.parse(a.properties()));
            tasks.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("projectId", id);
        out.put("tasks", tasks);
        return Response.ok(out);
    }

    /**
     * POST annotations of one type for tasks of the project: any authenticated caller, by session token or
     * application key (as the reference's login); every task id must name a task of the project (400, nothing
     * written). Answers the project id, as the reference.
     */
    Response post(Request req) {
        req.caller().require();
        long id = projectId(req);
        String type = req.pathParams().get("annotationType");
        if (type == null || !TYPE.matcher(type).matches()) {
            throw invalid("annotationType must be 1 to 100 letters, digits, '_', '-' or '.'");
        }
        Body body = Body.from(req.json(), type, Instant.now());
        access.load(id, null);
        List<Integer> ids = body.annotations().stream().map(AnnotationStore.Annotation::taskId).distinct().toList();
        Set<Integer> found = store.existingTasks(id, ids);
        if (found.size() != ids.size()) throw new ApiException(ErrorCode.INVALID_DATA, "Invalid task id");
        if (!body.annotations().isEmpty()) store.putAllWriting(id, type, body.annotations());
        return Response.ok(id);
    }

    private static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_DATA, message);
    }

    private static long projectId(Request req) { return req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND); }
}
