package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.dto.TaskDto;
import dev.tmserverless.core.dto.TaskFeatureCollection;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContextBuilder;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tasks function: task reads and the mapping workflow (spec §1.3, §1.4). */
public class TasksFunction extends ApiFunction {
    @Inject TaskService service;
    @Inject TaskStore tasks;
    @Inject ProjectAccess access;

    public TasksFunction() { super(); }

    public TasksFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.TASKS; }

    @Override
    protected void register(Routes r) {
        r.on("GET", "/projects/{projectId}/tasks", this::list)
                .on("GET", "/projects/{projectId}/tasks/{taskId}", this::get)
                .on("POST", "/projects/{projectId}/tasks/actions/lock-for-mapping/{taskId}", this::lockForMapping)
                .on("POST", "/projects/{projectId}/tasks/actions/unlock-after-mapping/{taskId}", this::unlockAfterMapping)
                .on("POST", "/projects/{projectId}/tasks/actions/stop-mapping/{taskId}", this::stopMapping);
    }

    Response lockForMapping(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        return dto(service.lockForMapping(projectId, taskId(req), user), req);
    }

    Response unlockAfterMapping(Request req) {
        var user = req.caller().require();
        JsonNode body = body(req);
        JsonNode status = body.get("status");
        if (status == null || !status.isTextual()) throw new ApiException(ErrorCode.INVALID_DATA, "Task unlock failed");
        long projectId = projectId(req);
        return dto(service.unlockAfterMapping(projectId, taskId(req), user, status.asText(), comment(body)), req);
    }

    Response stopMapping(Request req) {
        var user = req.caller().require();
        JsonNode body = body(req);
        long projectId = projectId(req);
        return dto(service.stopMapping(projectId, taskId(req), user, comment(body)), req);
    }

    /** GET one task: public; an unknown project is reported as an unknown task, as in the reference. */
    Response get(Request req) {
        long projectId = req.longParam("projectId", ErrorCode.TASK_NOT_FOUND);
        int taskId = taskId(req);
        Task t = tasks.get(projectId, taskId).orElseThrow(() -> new ApiException(ErrorCode.TASK_NOT_FOUND,
                ErrorCode.TASK_NOT_FOUND.message, Map.of("project_id", projectId, "task_id", taskId)));
        ProjectAccess.View view = access.load(projectId, null);
        return dto(new TaskService.Outcome(t.effective(Instant.now()), view), req);
    }

    /** GET the tasks FeatureCollection (spec §1.3), optionally only some ids, optionally as a file. */
    Response list(Request req) {
        long projectId = projectId(req);
        access.visible(projectId, req.caller().optional().orElse(null));
        Set<Integer> only = req.query("tasks").filter(s -> !s.isBlank()).map(TasksFunction::ids).orElse(null);
        Map<Integer, String> geometries = tasks.geometries(projectId);
        Instant now = Instant.now();
        List<Task> all = tasks.list(projectId);
        List<Task> selected = new ArrayList<>();
        if (only == null) {
            selected.addAll(all);
        } else {
            Map<Integer, Task> byId = new java.util.HashMap<>();
            all.forEach(t -> byId.put(t.taskId(), t));
            only.forEach(id -> { if (byId.containsKey(id)) selected.add(byId.get(id)); });
        }
        selected.replaceAll(t -> t.effective(now));
        ObjectNode fc = TaskFeatureCollection.of(selected, geometries, true);
        Response r = Response.ok(fc);
        return req.queryFlag("as_file") ? r.asAttachment(projectId + "-tasks.geojson", "application/geo+json") : r;
    }

    private Response dto(TaskService.Outcome o, Request req) {
        Project p = o.view().project();
        String instructions = TaskDto.renderInstructions(p.info(req.locale()).perTaskInstructions(), o.task(), Map.of());
        return Response.ok(TaskDto.of(o.task(), instructions, service.lockDuration().toSeconds()));
    }

    /** Action bodies are JSON objects; a missing or malformed one is refused before anything else. */
    private static JsonNode body(Request req) {
        JsonNode b;
        try {
            b = req.json();
        } catch (ApiException e) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Task unlock failed");
        }
        if (!b.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, "Task unlock failed");
        return b;
    }

    private static String comment(JsonNode body) {
        JsonNode c = body.get("comment");
        return c == null || c.isNull() ? null : c.asText();
    }

    private static long projectId(Request req) { return req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND); }

    private static int taskId(Request req) { return (int) req.longParam("taskId", ErrorCode.TASK_NOT_FOUND); }

    private static Set<Integer> ids(String csv) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String s : csv.split(",")) {
            try {
                out.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                throw new ApiException(ErrorCode.INVALID_DATA, "tasks must be a comma-separated list of task ids");
            }
        }
        return out;
    }
}
