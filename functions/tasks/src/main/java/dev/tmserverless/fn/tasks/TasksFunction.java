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
import dev.tmserverless.core.domain.BulkJob;
import dev.tmserverless.core.domain.MappingIssue;
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

/** The tasks function: task reads and the mapping and validation workflow (docs/workflow.md). */
public class TasksFunction extends ApiFunction {
    @Inject TaskService service;
    @Inject TaskStore tasks;
    @Inject TaskShapes shapes;
    @Inject ProjectAccess access;
    @Inject Splits splits;
    @Inject ProjectChat chat;
    @Inject IssueCategories issueCategories;
    @Inject TaskMaps maps;
    @Inject BulkService bulk;
    @Inject UserTaskReads people;
    @Inject dev.tmserverless.aws.config.TmConfig config;
    @Inject dev.tmserverless.aws.store.StatsReads statistics;
    @Inject dev.tmserverless.aws.store.OrgStore orgs;
    @Inject dev.tmserverless.aws.store.CampaignStore campaigns;

    public TasksFunction() { super(); }

    public TasksFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.TASKS; }

    /** The mapping actions: the hot path (the caller's, project's and task's batched reads, then 401 for nobody). */
    @Override
    protected List<Resources.Route> primingRoutes() {
        return List.of(Routes.LOCK_FOR_MAPPING, Routes.UNLOCK_AFTER_MAPPING, Routes.STOP_MAPPING);
    }

    @Override
    protected void register(Handlers h) {
        issueCategories.register(h);
        h.on(Routes.TASKS_OF_PROJECT, this::list)
                .on(Routes.TASK, this::get)
                .on(Routes.TASK_STATISTICS, this::taskStatistics)
                .on(Routes.LOCK_FOR_MAPPING, this::lockForMapping)
                .on(Routes.UNLOCK_AFTER_MAPPING, this::unlockAfterMapping)
                .on(Routes.STOP_MAPPING, this::stopMapping)
                .on(Routes.UNDO_LAST_ACTION, this::undoLastAction)
                .on(Routes.EXTEND, this::extend)
                .on(Routes.LOCK_FOR_VALIDATION, this::lockForValidation)
                .on(Routes.UNLOCK_AFTER_VALIDATION, this::unlockAfterValidation)
                .on(Routes.STOP_VALIDATION, this::stopValidation)
                .on(Routes.SPLIT, this::split)
                .on(Routes.MAP_ALL, req -> bulk(req, BulkJob.Action.MAP_ALL))
                .on(Routes.VALIDATE_ALL, req -> bulk(req, BulkJob.Action.VALIDATE_ALL))
                .on(Routes.INVALIDATE_ALL, req -> bulk(req, BulkJob.Action.INVALIDATE_ALL))
                .on(Routes.RESET_ALL_BADIMAGERY, req -> bulk(req, BulkJob.Action.RESET_ALL_BADIMAGERY))
                .on(Routes.RESET_ALL, req -> bulk(req, BulkJob.Action.RESET_ALL))
                .on(Routes.RESET_BY_USER, this::resetByUser)
                .on(Routes.BULK_JOB, this::bulkJob)
                .on(Routes.TASKS_OSM_XML, this::osmXml)
                .on(Routes.TASKS_GPX, this::gpx)
                .on(Routes.TASK_COMMENT, this::taskComment)
                .on(Routes.PROJECT_CHAT, this::chat)
                .on(Routes.POST_PROJECT_CHAT, this::postChat)
                .on(Routes.DELETE_PROJECT_CHAT, this::deleteChat)
                .on(Routes.ACTIVITIES, this::activities)
                .on(Routes.LATEST_ACTIVITIES, this::latestActivities)
                .on(Routes.MY_LOCKED_TASKS, this::myLockedTasks)
                .on(Routes.MY_LOCKED_TASK_DETAILS, this::myLockedTaskDetails)
                .on(Routes.MAPPED_TASKS, this::mappedTasks)
                .on(Routes.USER_TASKS, this::userTasks)
                .on(Routes.TASK_COMMENTS, this::get)
                .on(Routes.DELETE_TASKS, this::deleteTasks)
                .on(Routes.TASKS_AOI, this::tasksAoi)
                .on(Routes.OWN_INVALIDATED_TASKS, this::ownInvalidated);
    }

    // The three mapping actions check the credential first and read the caller's record together with the project
    // and the task (TaskService, ProjectAccess.forAction): one round of reads instead of one per item.
    Response lockForMapping(Request req) {
        req.caller().requireId();
        long projectId = projectId(req);
        return dto(service.lockForMapping(projectId, taskId(req), req.caller()), req);
    }

    Response unlockAfterMapping(Request req) {
        req.caller().requireId();
        JsonNode body = body(req);
        JsonNode status = body.get("status");
        if (status == null || !status.isTextual()) throw new ApiException(ErrorCode.INVALID_DATA, "Task unlock failed");
        long projectId = projectId(req);
        return dto(service.unlockAfterMapping(projectId, taskId(req), req.caller(), status.asText(), comment(body)), req);
    }

    Response stopMapping(Request req) {
        req.caller().requireId();
        JsonNode body = body(req);
        long projectId = projectId(req);
        return dto(service.stopMapping(projectId, taskId(req), req.caller(), comment(body)), req);
    }

    /** Undo the task's last state change: 200 with the TaskDTO (docs/workflow.md, undo-last-action). */
    Response undoLastAction(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        return dto(service.undoLastAction(projectId, taskId(req), user), req);
    }

    /** Extends the caller's locks on the listed tasks: 200 {"Success": …} (docs/workflow.md, extend). */
    Response extend(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        service.extend(projectId, taskSet(taskIds(body(req), "taskIds"), "taskIds"), user);
        return Response.ok(Map.of("Success", "Successfully extended task expiry"));
    }

    /** Lock several tasks for validation: 200 {"tasks": [TaskDTO…]} in request order. */
    Response lockForValidation(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        return tasks(service.lockForValidation(projectId, taskSet(taskIds(body(req), "taskIds"), "taskIds"), user), req);
    }

    /** End validation locks: body {"validatedTasks": [{"taskId", "status", "comment"?, "validationIssues"?}]}. */
    Response unlockAfterValidation(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        List<TaskService.ValidatedTask> items = new ArrayList<>();
        for (JsonNode i : objects(body(req), "validatedTasks")) {
            JsonNode status = i.get("status");
            if (status == null || !status.isTextual()) throw new ApiException(ErrorCode.INVALID_DATA, "status is required");
            items.add(new TaskService.ValidatedTask(id(i), status.asText(), comment(i), issues(i.get("validationIssues"))));
        }
        taskSet(items.stream().map(TaskService.ValidatedTask::taskId).toList(), "validatedTasks");
        return tasks(service.unlockAfterValidation(projectId, items, user), req);
    }

    /** Give validation locks back: body {"resetTasks": [{"taskId", "comment"?}]}. */
    Response stopValidation(Request req) {
        var user = req.caller().require();
        long projectId = projectId(req);
        List<TaskService.ResetTask> items = new ArrayList<>();
        for (JsonNode i : objects(body(req), "resetTasks")) items.add(new TaskService.ResetTask(id(i), comment(i)));
        taskSet(items.stream().map(TaskService.ResetTask::taskId).toList(), "resetTasks");
        return tasks(service.stopValidation(projectId, items, user), req);
    }

    /**
     * A bulk action: 200 with the reference's {"Success": …} once the job is recorded. A small project's tasks are
     * already changed; a large project's are changed by the bulk worker afterwards (docs/workflow.md).
     */
    Response bulk(Request req, BulkJob.Action action) {
        var user = req.caller().require();
        bulk.start(projectId(req), action, user);
        return Response.ok(Map.of("Success", action.success));
    }

    /** reset-by-user?username=&action=VALIDATED|BADIMAGERY (query only). */
    Response resetByUser(Request req) {
        var user = req.caller().require();
        String username = req.query("username").orElse(null);
        String action = req.query("action").orElse(null);
        if (username == null || username.isBlank() || action == null || action.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Unable to revert tasks");
        }
        bulk.resetByUser(projectId(req), username, action, user);
        return Response.ok(Map.of("Success", BulkJob.Action.RESET_BY_USER.success));
    }

    /** GET the project's latest bulk job and its progress (our addition; PMs only). */
    Response bulkJob(Request req) {
        var user = req.caller().require();
        BulkJob j = bulk.latest(projectId(req), user);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("jobId", j.jobId());
        m.put("action", j.action().path);
        m.put("state", j.state().name());
        m.put("total", j.total());
        m.put("processed", j.processed());
        m.put("changed", j.changed());
        m.put("lastTaskId", j.cursor());
        m.put("error", j.error());
        m.put("created", j.created().toString());
        m.put("updated", j.updated().toString());
        return Response.ok(m);
    }

    /** GET the project's MAPPED tasks grouped by their mapper. */
    Response mappedTasks(Request req) {
        return Response.ok(people.mapped(projectId(req), req.caller().optional().orElse(null)));
    }

    /** GET the tasks a user has touched: {@code status}, {@code project_status}, {@code project_id}, dates, sort, paging. */
    Response userTasks(Request req) {
        var caller = req.caller().require();
        long userId = req.longParam("userId", ErrorCode.USER_NOT_FOUND);
        UserTaskReads.UserTasksQuery q = UserTaskReads.UserTasksQuery.from(req.query());
        return Response.ok(people.userTasks(userId, q, caller));
    }

    /** GET invalidations of tasks the named user mapped (or, {@code asValidator=true}, invalidated). */
    Response ownInvalidated(Request req) {
        req.caller().require();
        return Response.ok(people.invalidated(req.pathParams().get("username"), req.query(), req.locale()));
    }

    /** DELETE tasks {@code {"tasks": [ids]}}: administrators only (the reference's legacy route). */
    Response deleteTasks(Request req) {
        var user = req.caller().require();
        dev.tmserverless.core.domain.Permissions.checkCanDeleteTasks(user);
        JsonNode b;
        try {
            b = req.json();
        } catch (ApiException e) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Tasks ids not provided");
        }
        JsonNode list = b.isObject() ? b.get("tasks") : null;
        if (list == null || list.isNull()) throw new ApiException(ErrorCode.INVALID_DATA, "Tasks ids not provided");
        if (!list.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, "Tasks were not provided as a list");
        List<Integer> ids = taskIds(b, "tasks");
        if (ids.isEmpty() || ids.size() > 1000) throw new ApiException(ErrorCode.INVALID_DATA, "tasks must list 1 to 1,000 task ids");
        service.deleteTasks(projectId(req), ids, user);
        return Response.ok(Map.of("Success", "Task(s) deleted"));
    }

    /**
     * PUT {@code {"areaOfInterest", "grid", "clipToAoi"}}: the grid's tiles that intersect the AOI, for the project's
     * managers (the reference's legacy form of {@code POST /projects/actions/intersecting-tiles/}).
     */
    Response tasksAoi(Request req) {
        var user = req.caller().require();
        ProjectAccess.View view = access.load(projectId(req), user);
        dev.tmserverless.core.domain.Permissions.checkCanManage(view.pm());
        JsonNode b;
        try {
            b = dev.tmserverless.core.geo.Trim.readRequest(req.body() == null ? "" : req.body());
        } catch (java.io.IOException e) {
            b = null;
        }
        if (b == null || !b.isObject() || !b.path("areaOfInterest").isObject() || !b.path("grid").isObject()
                || (b.has("clipToAoi") && !b.get("clipToAoi").isBoolean())) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Unable to fetch tiles interesecting AOI");
        }
        return Response.text(dev.tmserverless.core.geo.Trim.intersectingTilesJson(b.get("areaOfInterest"), b.get("grid"),
                b.path("clipToAoi").asBoolean(true),
                dev.tmserverless.core.geo.Trim.Budget.DEFAULT.withMaxFeatures(config.aoiLimits().maxTasks())), "application/json");
    }

    private Response tasks(List<TaskService.Outcome> outcomes, Request req) {
        List<Object> dtos = new ArrayList<>();
        for (TaskService.Outcome o : outcomes) dtos.add(dto(o, req).body());
        return Response.ok(Map.of("tasks", dtos));
    }

    /** {@code body[field]} as a list of JSON objects; anything else is 400 InvalidData. */
    private static List<JsonNode> objects(JsonNode body, String field) {
        JsonNode list = body.get(field);
        if (list == null || !list.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, field + " must be a list");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode i : list) {
            if (!i.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, field + " must be a list of objects");
            out.add(i);
        }
        return out;
    }

    private static int id(JsonNode item) {
        JsonNode id = item.get("taskId");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "taskId must be a task id");
        }
        return id.intValue();
    }

    /** The reference's validation issues: [{"mappingIssueCategoryId", "issue", "count"}]; absent or null is none. */
    private static List<MappingIssue> issues(JsonNode list) {
        if (list == null || list.isNull()) return List.of();
        if (!list.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, "validationIssues must be a list");
        List<MappingIssue> out = new ArrayList<>();
        for (JsonNode i : list) {
            JsonNode cat = i.get("mappingIssueCategoryId");
            JsonNode count = i.get("count");
            JsonNode name = i.get("issue");
            if (!i.isObject() || cat == null || !cat.canConvertToInt() || !cat.isIntegralNumber()
                    || count == null || !count.isIntegralNumber() || !count.canConvertToInt()
                    || name == null || !name.isTextual()) {
                throw new ApiException(ErrorCode.INVALID_DATA, "validationIssues must name a category, an issue and a count");
            }
            out.add(new MappingIssue(cat.intValue(), name.asText(), count.intValue()));
        }
        return out;
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
     * GET one task: public for published projects (drafts and private projects as for every read, docs/api-differences.md D8);
     * an unknown project is reported as an unknown task, as in the reference.
     */
    Response get(Request req) {
        long projectId = req.longParam("projectId", ErrorCode.TASK_NOT_FOUND);
        int taskId = taskId(req);
        // visibility first: a caller who may not see the project learns nothing about its tasks (which ids exist)
        ProjectAccess.View view;
        try {
            view = access.visible(projectId, req.caller().optional().orElse(null));
        } catch (dev.tmserverless.core.error.ApiException e) {
            if (e.code() != ErrorCode.PROJECT_NOT_FOUND) throw e;
            throw new dev.tmserverless.core.error.ApiException(ErrorCode.TASK_NOT_FOUND, ErrorCode.TASK_NOT_FOUND.message,
                    Map.of("project_id", projectId, "task_id", taskId));
        }
        Task t = service.task(projectId, taskId);
        return dto(new TaskService.Outcome(t.effective(Instant.now()), view), req, Integer.MAX_VALUE);
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

    /** POST a comment on a task: 200 TaskDTO with the COMMENT row first. */
    Response taskComment(Request req) {
        var user = req.caller().require();
        String comment;
        try {
            JsonNode b = req.json();
            comment = b.isObject() && b.path("comment").isTextual() ? b.path("comment").asText() : null;
        } catch (ApiException e) {
            comment = null;
        }
        long projectId = projectId(req);
        return dto(service.comment(projectId, taskId(req), user, comment), req);
    }

    /** GET the project's chat, newest first ({@code page}, {@code perPage}, default 20). */
    Response chat(Request req) {
        long projectId = projectId(req);
        Long page = dev.tmserverless.aws.http.Fields.queryLong(req, "page");
        Long perPage = dev.tmserverless.aws.http.Fields.queryLong(req, "perPage");
        return Response.ok(chat.page(projectId, req.caller().optional().orElse(null),
                (int) Math.max(1, Math.min(page == null ? 1 : page, 1_000_000)),
                (int) Math.max(1, Math.min(perPage == null ? 20 : perPage, 100))));
    }

    /** POST {@code {"message"}} to the project's chat: the first page of five newest. */
    Response postChat(Request req) {
        var user = req.caller().require();
        String message;
        try {
            JsonNode b = req.json();
            message = b.isObject() && b.path("message").isTextual() ? b.path("message").asText() : null;
        } catch (ApiException e) {
            message = null;
        }
        return Response.ok(chat.post(projectId(req), user, message));
    }

    Response deleteChat(Request req) {
        var user = req.caller().require();
        chat.delete(projectId(req), req.longParam("commentId", ErrorCode.MESSAGE_NOT_FOUND), user);
        return Response.ok(Map.of("Success", "Comment deleted"));
    }

    /**
     * GET the project's activity: every history row but comments, newest first, ten a page ({@code page}), the rows
     * tasks have archived included.
     */
    Response activities(Request req) {
        long projectId = projectId(req);
        access.visible(projectId, req.caller().optional().orElse(null));
        Long given = dev.tmserverless.aws.http.Fields.queryLong(req, "page");
        int page = (int) Math.max(1, Math.min(given == null ? 1 : given, 1_000_000));
        Instant now = Instant.now();
        record Row(int taskId, dev.tmserverless.core.domain.HistoryEntry e) {}
        List<Row> rows = new ArrayList<>();
        // the tasks' windows and, for tasks that archived rows, those rows (docs/locking.md "Bounded task items")
        Map<Integer, List<dev.tmserverless.core.domain.HistoryEntry>> archived = tasks.archivedRows(projectId);
        for (Task t : splits.listTasks(projectId)) {
            List<dev.tmserverless.core.domain.HistoryEntry> all = t.effective(now).history();
            List<dev.tmserverless.core.domain.HistoryEntry> old = archived.get(t.taskId());
            if (old != null) all = dev.tmserverless.core.domain.HistoryWindow.merge(all, old, Integer.MAX_VALUE);
            for (var e : all) {
                if (e.action() != dev.tmserverless.core.domain.TaskAction.COMMENT) rows.add(new Row(t.taskId(), e));
            }
        }
        rows.sort(java.util.Comparator.comparing((Row r) -> r.e().actionDate()).thenComparingInt(Row::taskId)
                .thenComparingInt(r -> r.e().id()).reversed());
        int from = Math.min(rows.size(), (page - 1) * 10);
        List<Row> shown = rows.subList(from, Math.min(rows.size(), from + 10));
        Map<Long, String> pictures = new java.util.HashMap<>();
        users.getAll(shown.stream().map(r -> r.e().userId()).distinct().toList())
                .forEach((id, u) -> { if (u.pictureUrl() != null) pictures.put(id, u.pictureUrl()); });
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : shown) {
            Map<String, Object> a = new java.util.LinkedHashMap<>();
            a.put("historyId", r.e().id());
            a.put("taskId", r.taskId());
            a.put("action", r.e().action().name());
            a.put("actionText", r.e().actionText());
            a.put("actionDate", r.e().actionDate());
            a.put("actionBy", r.e().username());
            a.put("pictureUrl", pictures.get(r.e().userId()));
            a.put("issues", null);
            out.add(a);
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("pagination", dev.tmserverless.core.dto.Pagination.of(page, 10, rows.size()));
        body.put("activity", out);
        return Response.ok(body);
    }

    /**
     * GET the latest activity of every task (the task map's "last updated by" and the frontend's split detection):
     * one entry per task in id order with its status and its newest row that is not a comment; a task nobody has
     * touched has no date and no user.
     */
    Response latestActivities(Request req) {
        long projectId = projectId(req);
        access.visible(projectId, req.caller().optional().orElse(null));
        // from the task-map snapshot's activity rows: a pointer read, not a Query of every task
        return Response.ok(Map.of("activity", maps.activity(projectId).latest()));
    }

    /** GET the caller's locked tasks: ids, their project and status; an empty list when they hold none. */
    Response myLockedTasks(Request req) {
        var user = req.caller().require();
        List<Task> locked = service.lockedBy(user);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("lockedTasks", locked.stream().map(Task::taskId).toList());
        m.put("projectId", locked.isEmpty() ? null : locked.get(0).projectId());
        m.put("taskStatus", locked.isEmpty() ? null : locked.get(0).status().name());
        return Response.ok(m);
    }

    /** GET the caller's locked tasks as TaskDTOs; 404 TASK_NOT_FOUND when they hold none. */
    Response myLockedTaskDetails(Request req) {
        var user = req.caller().require();
        List<Task> locked = service.lockedBy(user);
        if (locked.isEmpty()) throw new ApiException(ErrorCode.TASK_NOT_FOUND);
        ProjectAccess.View view = access.load(locked.get(0).projectId(), user);
        List<Object> dtos = new ArrayList<>();
        for (Task t : locked) dtos.add(dto(new TaskService.Outcome(t, view), req).body());
        return Response.ok(Map.of("tasks", dtos));
    }

    /** An action's TaskDTO: the history rows the task item keeps (docs/workflow.md "History in answers"). */
    private Response dto(TaskService.Outcome o, Request req) {
        return dto(o, req, 0);
    }

    /** The TaskDTO with the newest {@code rows} history rows, or with the rows the item keeps for 0. */
    private Response dto(TaskService.Outcome o, Request req, int rows) {
        Project p = o.view().project();
        Task t = rows == 0 ? tasks.withItemHistory(o.task()) : tasks.withHistory(o.task(), rows);
        String template = p.info(req.locale()).perTaskInstructions();
        // extra properties live beside the geometry; read them only when the template asks for one
        Map<String, Object> extra = TaskDto.needsExtraProperties(template)
                ? shapes.shape(t.projectId(), t.taskId()).map(TaskShapes.Shape::extraJson).map(Json::parse)
                        .map(TaskDto::placeholderValues).orElse(Map.of())
                : Map.of();
        String instructions = TaskDto.renderInstructions(template, t, extra);
        // one BatchGetItem for the pictures of everyone in the history but the caller, whose record the request has
        Map<Long, String> pictures = new java.util.HashMap<>();
        var caller = req.caller().resolvedUser();
        caller.filter(u -> u.pictureUrl() != null).ifPresent(u -> pictures.put(u.id(), u.pictureUrl()));
        List<Long> others = t.history().stream().map(dev.tmserverless.core.domain.HistoryEntry::userId).distinct()
                .filter(id -> caller.map(u -> u.id() != id).orElse(true)).toList();
        if (!others.isEmpty()) users.getAll(others).forEach((id, u) -> { if (u.pictureUrl() != null) pictures.put(id, u.pictureUrl()); });
        return Response.ok(TaskDto.of(t, instructions, service.lockDuration().toSeconds(), pictures));
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

    /** {@code body[field]} as a list of task ids; anything but a list of integers is 400 InvalidData. */
    /** The most tasks one extend or validation request may name (a few writes each, inside one request). */
    static final int MAX_TASKS_PER_REQUEST = 500;

    /**
     * The task ids of an extend or validation request: 1 to {@link #MAX_TASKS_PER_REQUEST} of them, each once;
     * anything else is 400 InvalidData before anything is read or written (docs/api-differences.md, task workflow).
     */
    static List<Integer> taskSet(List<Integer> ids, String field) {
        if (ids.isEmpty() || ids.size() > MAX_TASKS_PER_REQUEST) {
            throw new ApiException(ErrorCode.INVALID_DATA, field + " must name 1 to " + MAX_TASKS_PER_REQUEST + " tasks");
        }
        if (new java.util.HashSet<>(ids).size() != ids.size()) {
            throw new ApiException(ErrorCode.INVALID_DATA, field + " names a task more than once");
        }
        return ids;
    }

    static List<Integer> taskIds(JsonNode body, String field) {
        JsonNode ids = body.get(field);
        if (ids == null || !ids.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, field + " must be a list of task ids");
        List<Integer> out = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                throw new ApiException(ErrorCode.INVALID_DATA, field + " must be a list of task ids");
            }
            out.add(id.intValue());
        }
        return out;
    }

    private static String comment(JsonNode body) {
        JsonNode c = body.get("comment");
        if (c == null || c.isNull()) return null;
        if (!c.isTextual()) throw new ApiException(ErrorCode.INVALID_DATA, "comment must be text");
        return c.asText();
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

    /**
     * Daily MAPPED, VALIDATED and BADIMAGERY state changes between {@code startDate} (required) and {@code endDate}
     * (default today), at most a year and a day apart, of the projects the filters keep.
     */
    Response taskStatistics(Request req) {
        req.caller().require();
        if (req.query("startDate").isEmpty()) throw dev.tmserverless.aws.http.Fields.schema("startDate", "Field required", "missing");
        java.time.LocalDate start = date(req.query("startDate").get());
        java.time.LocalDate end = req.query("endDate").map(TasksFunction::date)
                .orElse(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        if (end.isBefore(start)) throw new ApiException(ErrorCode.INVALID_DATE_RANGE);
        if (java.time.temporal.ChronoUnit.DAYS.between(start, end) > 366) {
            throw new ApiException(ErrorCode.INVALID_DATE_RANGE, " Date range cannot be greater than 1 year");
        }
        Long org = dev.tmserverless.aws.http.Fields.queryLong(req, "organisationId");
        var byName = req.query("organisationName").filter(n -> !n.isBlank());
        if (byName.isPresent()) {
            var named = orgs.all().stream().filter(o -> o.name().equals(byName.get())).findFirst();
            if (named.isEmpty() || (org != null && org != named.get().id())) {
                return Response.ok(java.util.Map.of("taskStats", List.of()));
            }
            org = named.get().id();
        }
        java.util.Set<Long> projectIds = null;
        var ids = req.query("projectId").filter(v -> !v.isBlank());
        if (ids.isPresent()) {
            projectIds = new java.util.HashSet<>();
            for (String s : ids.get().split(",")) {
                if (!s.trim().matches("\\d{1,18}")) throw new ApiException(ErrorCode.INVALID_DATA, "Invalid projectId " + s.trim());
                projectIds.add(Long.parseLong(s.trim()));
            }
        }
        var campaign = req.query("campaign").filter(v -> !v.isBlank());
        if (campaign.isPresent()) {
            java.util.Set<Long> inCampaign = new java.util.HashSet<>();
            campaigns.all().stream().filter(c -> c.name().equals(campaign.get()))
                    .forEach(c -> inCampaign.addAll(campaigns.projectsOf(c.id())));
            if (projectIds != null) inCampaign.retainAll(projectIds);
            projectIds = inCampaign;
        }
        return Response.ok(statistics.tasks(start, end, org, projectIds,
                req.query("country").filter(v -> !v.isBlank()).orElse(null)));
    }

    private static java.time.LocalDate date(String s) {
        try {
            return java.time.LocalDate.parse(s.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ApiException(ErrorCode.INVALID_DATE_VALUE);
        }
    }
}
