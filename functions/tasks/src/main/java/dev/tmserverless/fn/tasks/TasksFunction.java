package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskMaps;
import dev.tmserverless.aws.store.TaskShapes;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.dto.TaskDto;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.Exports;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.aws.http.Json;
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
    @Inject TaskShapes shapes;
    @Inject ProjectAccess access;
    @Inject Splits splits;
    @Inject TaskMaps maps;

    public TasksFunction() { super(); }

    public TasksFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.TASKS; }

    @Override
    protected void register(Handlers h) {
        h.on(Routes.TASKS_OF_PROJECT, this::list)
                .on(Routes.TASK, this::get)
                .on(Routes.LOCK_FOR_MAPPING, this::lockForMapping)
                .on(Routes.UNLOCK_AFTER_MAPPING, this::unlockAfterMapping)
                .on(Routes.STOP_MAPPING, this::stopMapping)
                .on(Routes.SPLIT, this::split)
                .on(Routes.TASKS_OSM_XML, this::osmXml)
                .on(Routes.TASKS_GPX, this::gpx);
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

    /** Split: 200 {"tasks": [the four new TaskDTOs]} in the reference's child order. */
    Response split(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        List<Object> dtos = new ArrayList<>();
        for (TaskService.Outcome o : service.split(projectId, taskId(req), user)) dtos.add(dto(o, req).body());
        return Response.ok(Map.of("tasks", dtos));
    }

    /**
     * GET one task: public for published projects (drafts and private projects as for every read, spec §8 D8);
     * an unknown project is reported as an unknown task, as in the reference.
     */
    Response get(Request req) {
        long projectId = req.longParam("projectId", ErrorCode.TASK_NOT_FOUND);
        int taskId = taskId(req);
        Task t = service.task(projectId, taskId);
        // the task exists, so the project does: its drafts and private tasks are its managers' and allow-list's
        ProjectAccess.View view = access.visible(projectId, req.caller().optional().orElse(null));
        return dto(new TaskService.Outcome(t.effective(Instant.now()), view), req);
    }

    /**
     * GET the tasks FeatureCollection, optionally only some ids, optionally as a file: served from the project's
     * task-map snapshot (docs/performance.md, "Task-map snapshots"), with its ETag.
     */
    Response list(Request req) {
        long projectId = projectId(req);
        ProjectAccess.View view = access.visible(projectId, req.caller().optional().orElse(null));
        TaskMaps.Snapshot s = maps.current(projectId);
        Set<Integer> only = only(req);
        String etag = only == null ? s.etag() : TaskMaps.etag(s.hash(), only);
        if (req.ifNoneMatch(etag)) return Response.notModified(etag, view.cacheControl());
        Response r = only == null ? Response.gzippedJson(maps.gzipJson(projectId, s))
                : Response.ok(subset(projectId, s, only));
        r = r.cached(etag, view.cacheControl());
        return req.queryFlag("as_file") ? r.asAttachment(projectId + "-tasks.geojson", "application/geo+json") : r;
    }

    /** The snapshot's features of the named tasks, in the order named (unknown ids left out). */
    private ObjectNode subset(long projectId, TaskMaps.Snapshot s, Set<Integer> only) {
        Map<Integer, JsonNode> byId = new java.util.HashMap<>();
        Json.parse(maps.json(projectId, s)).path("features").forEach(f -> byId.put(f.path("properties").path("taskId").asInt(), f));
        ObjectNode fc = Json.MAPPER.createObjectNode().put("type", "FeatureCollection");
        var features = fc.putArray("features");
        only.forEach(id -> { if (byId.containsKey(id)) features.add(byId.get(id)); });
        return fc;
    }

    /** GET the tasks as OSM XML for JOSM: public, like the AOI. */
    Response osmXml(Request req) {
        return export(req, "xml", (projectId, tasks) -> Exports.osmXml(tasks), Exports::osmFileName);
    }

    /** GET the tasks as GPX 1.1: public, like the AOI. */
    Response gpx(Request req) {
        return export(req, "gpx", (projectId, tasks) -> Exports.gpx(projectId, tasks, Instant.now()), Exports::gpxFileName);
    }

    private interface Format { String write(long projectId, List<Exports.ExportTask> tasks); }

    /** An export of the snapshot's tasks (all, or those of {@code ?tasks=} in that order), with its ETag. */
    private Response export(Request req, String kind, Format format, java.util.function.LongFunction<String> filename) {
        long projectId = projectId(req);
        ProjectAccess.View view = access.load(projectId, null);
        TaskMaps.Snapshot s = maps.current(projectId);
        Set<Integer> only = only(req);
        String etag = TaskMaps.etag(s.hash(), kind, only);
        if (req.ifNoneMatch(etag)) return Response.notModified(etag, view.cacheControl());
        JsonNode fc = only == null ? Json.parse(maps.json(projectId, s)) : subset(projectId, s, only);
        if (fc.path("features").isEmpty()) {
            throw new ApiException(ErrorCode.TASKS_NOT_FOUND, ErrorCode.TASKS_NOT_FOUND.message, Map.of("project_id", projectId));
        }
        List<Exports.ExportTask> out = new ArrayList<>();
        for (JsonNode f : fc.path("features")) {
            JsonNode g = f.path("geometry");
            if (g.isObject()) out.add(new Exports.ExportTask(f.path("properties").path("taskId").asInt(), GeoJson.read(g)));
        }
        Response r = Response.text(format.write(projectId, out), "text/xml").cached(etag, view.cacheControl());
        return req.queryFlag("as_file") ? r.asAttachment(filename.apply(projectId), "text/xml") : r;
    }

    /** The ids named by {@code ?tasks=3,1,2} in that order, or null for all. */
    private static Set<Integer> only(Request req) {
        return req.query("tasks").filter(s -> !s.isBlank()).map(TasksFunction::ids).orElse(null);
    }

    private Response dto(TaskService.Outcome o, Request req) {
        Project p = o.view().project();
        Task t = tasks.withWholeHistory(o.task());
        String template = p.info(req.locale()).perTaskInstructions();
        // extra properties live beside the geometry; read them only when the template asks for one
        Map<String, Object> extra = TaskDto.needsExtraProperties(template)
                ? shapes.shape(t.projectId(), t.taskId()).map(TaskShapes.Shape::extraJson).map(Json::parse)
                        .map(TaskDto::placeholderValues).orElse(Map.of())
                : Map.of();
        String instructions = TaskDto.renderInstructions(template, t, extra);
        return Response.ok(TaskDto.of(t, instructions, service.lockDuration().toSeconds()));
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

    private static int taskId(Request req) { return req.intParam("taskId", ErrorCode.TASK_NOT_FOUND); }

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
