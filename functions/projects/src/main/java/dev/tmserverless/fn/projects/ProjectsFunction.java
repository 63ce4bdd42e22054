package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.ProjectSearchIndex;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.queue.GridJobs;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskShapes;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.dto.Contributions;
import dev.tmserverless.core.dto.ProjectDto;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.Trim;
import io.micronaut.context.ApplicationContextBuilder;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The projects function: create, read, update and the grid job's progress, search. */
public class ProjectsFunction extends ApiFunction {
    @Inject ProjectService service;
    @Inject ProjectAccess access;
    @Inject ProjectStore projects;
    @Inject GridJobStore jobStore;
    @Inject OrgStore orgs;
    @Inject TaskStore tasks;
    @Inject TaskShapes shapes;
    @Inject GridJobs jobs;

    static final java.time.Duration RESEND_AFTER = java.time.Duration.ofMinutes(1);
    static final java.time.Duration STALLED_AFTER = java.time.Duration.ofMinutes(2);
    @Inject Splits splits;
    @Inject dev.tmserverless.aws.store.TaskMaps maps;
    @Inject BlobStore blobs;
    @Inject dev.tmserverless.aws.store.LicenseStore licenses;
    @Inject ProjectSearchIndex searchIndex;

    public ProjectsFunction() { super(); }

    public ProjectsFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.PROJECTS; }

    @Override
    protected void register(Handlers h) {
        h.on(Routes.CREATE_PROJECT, this::create)
                .on(Routes.SEARCH_PROJECTS, this::search)
                .on(Routes.PROJECT, this::get)
                .on(Routes.UPDATE_PROJECT, this::update)
                .on(Routes.GRID_JOB, this::gridJob)
                .on(Routes.PROJECT_AOI, this::aoi)
                .on(Routes.INTERSECTING_TILES, this::intersectingTiles)
                .on(Routes.PROJECT_SUMMARY, this::summary)
                .on(Routes.PROJECT_CONTRIBUTIONS, this::contributions);
    }

    Response create(Request req) {
        User user = req.caller().require();
        return Response.created(Map.of("projectId", service.create(user, req.json())));
    }

    /** A search's matches and, once asked for, its map, for the index snapshot they were computed from. */
    record SearchResult(ProjectSearchIndex.Snapshot snap, List<ProjectSearchIndex.Entry> matches,
                        java.util.concurrent.atomic.AtomicReference<com.fasterxml.jackson.databind.util.RawValue> map) {}

    /** The last searches of this instance (a few hundred KB at most). */
    private final Map<String, SearchResult> searches = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(32, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, SearchResult> eldest) { return size() > 16; }
            });

    /** GET /projects/: search over the in-memory index (docs/search.md). */
    Response search(Request req) {
        User user = req.caller().optional().orElse(null);
        SearchQuery q = SearchQuery.from(req, user != null);
        q.checkCombinations(user != null && user.isAdmin());
        ProjectSearchIndex.Snapshot snap = searchIndex.current();
        // the pages of one search, and its map, come from one computation while the index is unchanged
        String key = (user == null ? "-" : user.id() + "/" + user.role() + "/" + user.mappingLevel()) + "|" + q.locale() + "|"
                + new java.util.TreeMap<>(req.query()).entrySet().stream().filter(e -> !e.getKey().equals("page"))
                .map(Object::toString).collect(java.util.stream.Collectors.joining("&"));
        SearchResult found = searches.get(key);
        if (found == null || found.snap() != snap) {
            List<ProjectSearchIndex.Entry> matches = ProjectSearch.matches(q, user, snap);
            found = new SearchResult(snap, matches, new java.util.concurrent.atomic.AtomicReference<>());
            searches.put(key, found);
        }
        List<ProjectSearchIndex.Entry> all = found.matches();
        if (q.downloadAsCsv()) {
            return Response.text(ProjectSearch.csv(all, q.locale(), snap.orgs()), "text/csv")
                    .withHeader("content-disposition", "attachment; filename=data.csv");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (all.isEmpty()) {
            m.put("mapResults", Map.of());
            m.put("results", List.of());
            return Response.ok(m);
        }
        if (!q.omitMapResults() && found.map().get() == null) found.map().set(ProjectSearch.mapResults(all));
        m.put("mapResults", q.omitMapResults() ? List.of() : found.map().get());
        long from = (long) (q.page() - 1) * SearchQuery.PER_PAGE;
        List<Map<String, Object>> results = new ArrayList<>();
        for (long i = Math.max(0, from); q.page() >= 1 && i < Math.min(all.size(), from + SearchQuery.PER_PAGE); i++) {
            ProjectSearchIndex.Entry e = all.get((int) i);
            results.add(ProjectSearch.result(e, q.locale(), snap.orgs().get(e.summary().organisationId())));
        }
        m.put("results", results);
        m.put("pagination", ProjectSearch.pagination(q.page(), all.size()));
        return Response.ok(m);
    }

    Response get(Request req) {
        long id = projectId(req);
        ProjectAccess.View v = access.visible(id, req.caller().optional().orElse(null));
        // The map, its counters and active mappers come from the task-map snapshot (docs/performance.md): the
        // percentages are the tasks' own, so a counter left behind by a crash between a task write and its counter
        // update never shows here.
        var s = maps.current(id);
        boolean abbreviated = req.queryFlag("abbreviated");
        // the teams of a project are not part of its version: they go into the ETag with the organisation
        var teams = access.teams(id);
        String etag = dev.tmserverless.aws.store.TaskMaps.etag(s.hash(), v.stored().version(), Json.write(v.org()) + Json.write(teams),
                req.locale(), abbreviated, req.queryFlag("as_file"));
        if (req.ifNoneMatch(etag)) return Response.notModified(etag, v.cacheControl());
        JsonNode fc = Json.parse(maps.json(id, s));
        if (abbreviated) fc.path("features").forEach(f -> ((com.fasterxml.jackson.databind.node.ObjectNode) f)
                .set("geometry", com.fasterxml.jackson.databind.node.NullNode.getInstance()));
        JsonNode aoi = blobs.get(BlobStore.aoiKey(id)).map(Json::parse).orElse(null);
        Map<String, Object> dto = ProjectDto.of(v.project(), s.counters(), v.org(), aoi, fc, req.locale(), s.activeMappers());
        dto.put("teams", teams);
        Response r = Response.ok(dto).cached(etag, v.cacheControl());
        return req.queryFlag("as_file") ? r.asAttachment("project.json", "application/json") : r;
    }

    Response update(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        JsonNode body = req.json();
        for (int attempt = 0; attempt < 3; attempt++) {
            ProjectAccess.View v = access.load(id, user);
            if (!v.pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
            Project updated = ProjectUpdate.apply(v.project(), body, users::byUsername, licenseId -> licenses.get(licenseId).isPresent());
            if (updated.organisationId() != v.project().organisationId()) {
                Organisation target = orgs.get(updated.organisationId()).orElseThrow(() -> new ApiException(
                        ErrorCode.ORGANISATION_NOT_FOUND, ErrorCode.ORGANISATION_NOT_FOUND.message,
                        Map.of("organisation_id", updated.organisationId())));
                // moving a project hands its management to the target's managers: only they or an admin may
                if (!user.isAdmin() && !target.managers().contains(user.id())) {
                    throw new ApiException(ErrorCode.USER_PERMISSION_ERROR, "User is not a manager of the target organisation");
                }
            }
            if (updated.status() == ProjectStatus.PUBLISHED && jobStore.get(id).map(j -> !j.done()).orElse(false)) {
                throw new ApiException(ErrorCode.GRID_NOT_READY);
            }
            if (projects.update(updated, v.stored().version())) return Response.ok(Map.of("Status", "Updated"));
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /** Progress of writing the project's tasks (our addition, docs/api-differences.md D16). */
    Response gridJob(Request req) {
        long id = projectId(req);
        access.visible(id, req.caller().optional().orElse(null));
        GridJob j = jobStore.get(id).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND));
        Instant now = Instant.now();
        // A job still QUEUED after a minute lost its message, and a RUNNING job whose progress has not moved for
        // STALLED_AFTER lost its worker (killed by its timeout or memory; a live worker records progress every
        // flush, seconds apart): whoever polls sends it again, and the new delivery resumes after the tasks written.
        // Duplicates are harmless (docs/performance.md "Grid jobs").
        boolean lost = j.state() == GridJob.State.QUEUED && j.updated().plus(RESEND_AFTER).isBefore(now)
                || j.state() == GridJob.State.RUNNING && j.updated().plus(STALLED_AFTER).isBefore(now);
        if (lost && jobStore.claimResend(id, j.updated(), now)) {
            jobs.send(id);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("projectId", id);
        m.put("state", j.state().name());
        m.put("source", j.source());
        m.put("zoom", j.zoom());
        m.put("clipToAoi", j.clipToAoi());
        m.put("tasksWritten", j.written());
        m.put("total", j.total());
        m.put("error", j.error());
        m.put("updated", j.updated());
        return Response.ok(m);
    }

    /**
     * GET the ProjectSummary (the task-selection page): the project, and its percentages counted from the tasks
     * of the task-map snapshot, as GET project does.
     */
    Response summary(Request req) {
        long id = projectId(req);
        ProjectAccess.View v = access.visible(id, req.caller().optional().orElse(null));
        Map<String, Object> dto = ProjectDto.summary(v.project(), maps.current(id).counters(), v.org(), req.locale());
        dto.put("teams", access.teams(id));
        return Response.ok(dto);
    }

    /** GET who contributed to the project and which tasks they mapped, validated or marked as bad imagery. */
    Response contributions(Request req) {
        long id = projectId(req);
        access.visible(id, req.caller().optional().orElse(null));
        Instant now = Instant.now();
        java.util.List<dev.tmserverless.core.domain.Task> all = splits.listTasks(id).stream().map(t -> t.effective(now)).toList();
        var profiles = users.getAll(Contributions.contributors(all));
        return Response.ok(Map.of("userContributions", Contributions.of(all, profiles)));
    }

    /** The stored (dissolved) AOI; public, as in the reference. */
    Response aoi(Request req) {
        long id = projectId(req);
        access.load(id, null);
        JsonNode aoi = blobs.get(BlobStore.aoiKey(id)).map(Json::parse)
                .orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND));
        Response r = Response.ok(aoi);
        return req.queryFlag("as_file") ? r.asAttachment(id + "-aoi.geojson", "application/geo+json") : r;
    }

    /** Trims a client grid to an AOI: login required, all three fields required. */
    Response intersectingTiles(Request req) {
        req.caller().require();
        JsonNode body = Fields.object(req.json());
        JsonNode aoi = body.get("areaOfInterest");
        JsonNode grid = body.get("grid");
        if (aoi == null || !aoi.isObject()) throw Fields.schema("areaOfInterest", "Input should be a valid dictionary", "dict_type");
        if (grid == null || !grid.isObject()) throw Fields.schema("grid", "Input should be a valid dictionary", "dict_type");
        JsonNode clip = body.get("clipToAoi");
        if (clip == null || !clip.isBoolean()) throw Fields.schema("clipToAoi", "Input should be a valid boolean", "bool_type");
        // bounded work: no more grid features than a project may have tasks (docs/geometry.md, "Trim budget")
        return Response.ok(Trim.intersectingTiles(aoi, grid, clip.asBoolean(),
                Trim.Budget.DEFAULT.withMaxFeatures(config.aoiLimits().maxTasks())));
    }

    private static long projectId(Request req) { return req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND); }
}
