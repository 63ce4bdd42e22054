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
import dev.tmserverless.core.domain.Permissions;
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
    /** A job sent again this many times that stalls once more is FAILED: its worker keeps dying on it. */
    static final int MAX_RESENDS = 3;
    @Inject Splits splits;
    @Inject dev.tmserverless.aws.store.TaskMaps maps;
    @Inject BlobStore blobs;
    @Inject dev.tmserverless.aws.store.LicenseStore licenses;
    @Inject ProjectSearchIndex searchIndex;
    @Inject dev.tmserverless.aws.store.ProjectTags tags;
    @Inject ProjectActions actions;
    @Inject ProjectQueries queries;
    @Inject Annotations annotations;
    @Inject dev.tmserverless.aws.store.FavouriteStore favourites;
    @Inject dev.tmserverless.aws.store.TeamStore teams;
    @Inject dev.tmserverless.aws.store.PartnerStore partners;
    @Inject dev.tmserverless.aws.store.InterestStore interests;
    @Inject dev.tmserverless.aws.store.ProjectPurge purge;
    @Inject dev.tmserverless.aws.store.StatsReads statistics;

    public ProjectsFunction() {
        super();
        preloadSearchIndex();
    }

    public ProjectsFunction(ApplicationContextBuilder builder) {
        super(builder);
        preloadSearchIndex();
    }

    /**
     * On Lambda (or with {@code TM_SEARCH_PRELOAD=true}) the search index starts loading while the instance is
     * being initialised, so the first search waits for what is left of the load rather than all of it
     * (docs/search.md "Cold start"). Tests leave it off: they load it on first use.
     */
    private void preloadSearchIndex() {
        var cfg = getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class);
        boolean preload = cfg.get("TM_SEARCH_PRELOAD").map(Boolean::parseBoolean)
                .orElse(System.getenv("AWS_LAMBDA_FUNCTION_NAME") != null);
        if (!preload) return;
        ProjectSearchIndex index = getApplicationContext().getBean(ProjectSearchIndex.class);
        Thread.ofPlatform().daemon().name("search-preload").start(() -> {
            try {
                index.current();
            } catch (RuntimeException e) {
                // the first search loads it again and reports the failure
            }
        });
    }

    @Override
    protected String functionId() { return Resources.PROJECTS; }

    /**
     * A search before the SnapStart snapshot: the snapshot then holds the search index loaded (waiting for the
     * preload if it runs), so a restored instance's first search only reads what changed since
     * (docs/search.md "Cold start").
     */
    @Override
    protected List<Resources.Route> primingReads() { return List.of(Routes.SEARCH_PROJECTS); }

    @Override
    protected void register(Handlers h) {
        h.on(Routes.CREATE_PROJECT, this::create)
                .on(Routes.SEARCH_PROJECTS, this::search)
                .on(Routes.PROJECT, this::get)
                .on(Routes.UPDATE_PROJECT, this::update)
                .on(Routes.GRID_JOB, this::gridJob)
                .on(Routes.PROJECT_AOI, this::aoi)
                .on(Routes.PRIORITY_AREAS, this::priorityAreas)
                .on(Routes.INTERSECTING_TILES, this::intersectingTiles)
                .on(Routes.PROJECT_SUMMARY, this::summary)
                .on(Routes.PROJECT_CONTRIBUTIONS, this::contributions)
                .on(Routes.SET_PROJECT_INTERESTS, actions::setInterests)
                .on(Routes.MESSAGE_PROJECT_CONTRIBUTORS, actions::messageContributors)
                .on(Routes.FEATURED_PROJECTS, this::featured)
                .on(Routes.MY_OWNED_PROJECTS, this::myOwnedProjects)
                .on(Routes.PROJECTS_BBOX, this::bbox)
                .on(Routes.ACTIVE_PROJECTS, this::active)
                .on(Routes.SIMILAR_PROJECTS, this::similar)
                .on(Routes.POPULAR_PROJECTS, r -> queries.popular(r, activeMappers()))
                .on(Routes.TOUCHED_PROJECTS, queries::touched)
                .on(Routes.RECOMMENDED_PROJECTS, r -> queries.recommended(r, activeMappers()))
                .on(Routes.COUNTRIES, r -> queries.countries())
                .on(Routes.ANNOTATIONS, annotations::get)
                .on(Routes.ANNOTATIONS_OF_TYPE, annotations::get)
                .on(Routes.POST_ANNOTATIONS, annotations::post)
                .on(Routes.PROJECT_NO_GEOMETRIES, this::noGeometries)
                .on(Routes.PROJECT_NO_TASKS, this::noTasks)
                .on(Routes.DELETE_PROJECT, this::delete)
                .on(Routes.TRANSFER_OWNERSHIP, this::transferOwnership)
                .on(Routes.RETRY_GRID_JOB, this::retryGridJob)
                .on(Routes.FEATURE_PROJECT, r -> feature(r, true))
                .on(Routes.UNFEATURE_PROJECT, r -> feature(r, false))
                .on(Routes.IS_FAVOURITE, this::isFavourite)
                .on(Routes.ADD_FAVOURITE, this::addFavourite)
                .on(Routes.REMOVE_FAVOURITE, this::removeFavourite)
                // a project's figures are shown to whoever sees the project (docs/permissions.md "Statistics")
                .on(Routes.PROJECT_STATISTICS, req -> whenVisible(req, id -> statistics.project(id)))
                .on(Routes.PROJECT_USER_STATISTICS, req -> whenVisible(req, id -> statistics.projectUser(id,
                        req.pathParams().get("username"))))
                .on(Routes.PROJECT_CONTRIBUTIONS_BY_DAY, req -> whenVisible(req, id -> statistics.projectDays(id)));
    }

    Response create(Request req) {
        User user = req.caller().require();
        return Response.created(Map.of("projectId", service.create(user, req.json())));
    }

    /** A search's matches and, once asked for, its map, for the index snapshot they were computed from. */
    record SearchResult(ProjectSearchIndex.Snapshot snap, List<ProjectSearchIndex.Row> matches,
                        java.util.concurrent.atomic.AtomicReference<GzipParts.Part> map) {}

    /**
     * The last searches of this instance (a list of references to the matches each: 160 KB for 20,000 matches, a few
     * MB at most). More than the explore, manage and home pages ask for in a few minutes of use, so a busy instance
     * brings each forward from the snapshot before ({@link ProjectSearch#rematch}) rather than computing it afresh.
     */
    private final Map<String, SearchResult> searches = lru(64);
    /**
     * Maps of every match, compressed, by a fingerprint of the matches' points: a change that leaves a search's
     * matches and their order as they were (most task transitions) reuses the map of the snapshot before.
     */
    private final Map<Long, GzipParts.Part> searchMaps = lru(16);

    private static <K, V> Map<K, V> lru(int n) {
        return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(32, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) { return size() > n; }
        });
    }

    /**
     * GET /projects/: search over the in-memory index (docs/search.md). When the index is due for a refresh, the
     * search answers from the held index if it is recent enough; otherwise it runs on the held index while the
     * refresh reads what changed, and runs again only if it changed.
     */
    Response search(Request req) {
        User user = req.caller().optional().orElse(null);
        SearchQuery q = SearchQuery.from(req, user != null);
        q.checkCombinations(Permissions.canFilterByPartner(user));
        java.util.Set<Long> only = ProjectSearch.only(q, () -> favourites.ofUser(user.id()),
                () -> users.profile(user.id()).map(dev.tmserverless.core.domain.UserProfile::projectsMapped).orElse(java.util.Set.of()),
                () -> teams.projectsOfTeam(q.teamId()).stream().map(dev.tmserverless.aws.store.TeamStore.ProjectTeam::projectId).toList(),
                () -> partners.partnershipsOfPartner(q.partnerId()));
        java.util.Set<Long> wanted = q.basedOnMyInterests() || !q.interests().isEmpty()
                ? ProjectSearch.interestFilter(q, q.basedOnMyInterests() ? interests.ofUser(user.id()) : List.of(),
                        interests.all().stream().map(dev.tmserverless.aws.store.InterestStore.Interest::id)
                                .collect(java.util.stream.Collectors.toSet()))
                : null;
        // the pages of one search, and its map, come from one computation while the index is unchanged
        String key = (user == null ? "-" : user.id() + "/" + user.role() + "/" + user.mappingLevel()) + "|" + q.locale() + "|"
                + new java.util.TreeMap<>(req.query()).entrySet().stream().filter(e -> !e.getKey().equals("page"))
                .map(Object::toString).collect(java.util.stream.Collectors.joining("&"))
                + (only != null ? "|" + only : "")
                + (wanted != null ? "|" + wanted : "");
        var fresh = searchIndex.currentAsync();
        ProjectSearchIndex.Snapshot recent = searchIndex.heldIfRecent();
        SearchResult found;
        if (!fresh.isDone() && recent != null) {
            // a refresh is under way and the held data is recent enough (docs/search.md "Consistency"): answer now
            found = searchOn(recent, key, q, user, only, wanted);
        } else {
            ProjectSearchIndex.Snapshot held = searchIndex.held();
            found = !fresh.isDone() && held != null ? searchOn(held, key, q, user, only, wanted) : null;
            ProjectSearchIndex.Snapshot snap = fresh.join();
            if (found == null || found.snap() != snap) found = searchOn(snap, key, q, user, only, wanted);
        }
        List<ProjectSearchIndex.Row> all = found.matches();
        if (q.downloadAsCsv()) {
            return Response.text(ProjectSearch.csv(all, q.locale()), "text/csv")
                    .withHeader("content-disposition", "attachment; filename=data.csv");
        }
        if (all.isEmpty()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mapResults", Map.of());
            m.put("results", List.of());
            return Response.ok(m);
        }
        long from = (long) (q.page() - 1) * SearchQuery.PER_PAGE;
        List<Map<String, Object>> results = new ArrayList<>();
        Map<Long, Integer> mappers = activeMappers();
        for (long i = Math.max(0, from); q.page() >= 1 && i < Math.min(all.size(), from + SearchQuery.PER_PAGE); i++) {
            results.add(ProjectSearch.result(all.get((int) i), q.locale(), mappers, found.snap().campaigns()));
        }
        Map<String, Object> pagination = ProjectSearch.pagination(q.page(), all.size());
        if (q.omitMapResults()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mapResults", List.of());
            m.put("results", results);
            m.put("pagination", pagination);
            return Response.ok(m);
        }
        GzipParts.Part map = found.map().get();
        if (map == null) {
            long fp = ProjectSearch.mapFingerprint(all);
            map = searchMaps.computeIfAbsent(fp, k -> GzipParts.Part.of(ProjectSearch.mapResults(all).rawValue().toString()));
            found.map().set(map);
        }
        String suffix = ",\"results\":" + Json.write(results) + ",\"pagination\":" + Json.write(pagination) + "}";
        if (ApiFunction.acceptsGzip(Map.of("accept-encoding", String.valueOf(req.header("accept-encoding"))))) {
            // the map's compressed blocks are reused; only the page around it is compressed now
            return Response.gzippedJson(GzipParts.gzip("{\"mapResults\":", map, suffix));
        }
        return Response.text("{\"mapResults\":" + new String(map.utf8(), java.nio.charset.StandardCharsets.UTF_8) + suffix,
                "application/json");
    }

    @Inject dev.tmserverless.aws.store.LockClaims lockClaims;
    private volatile Map<Long, Integer> liveHolders = Map.of();
    private volatile long liveHoldersAt = Long.MIN_VALUE;
    /** How long a count of the users holding locks per project serves list answers. */
    static final long ACTIVE_MAPPERS_MILLIS = 5_000;

    private final java.util.concurrent.atomic.AtomicBoolean liveHoldersRefreshing = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Users holding a live lock, per project: one Query of the lock slots at most every few seconds. A count up to
     * three intervals old is answered at once while the next is read beside the request (it is not on the answer's
     * path); an older one, or none yet, is waited for.
     */
    private Map<Long, Integer> activeMappers() {
        long now = System.currentTimeMillis();
        long every = config.get("TM_SEARCH_REFRESH_MS").map(Long::parseLong).orElse(ACTIVE_MAPPERS_MILLIS) <= 0 ? 0 : ACTIVE_MAPPERS_MILLIS;
        long age = now - liveHoldersAt;
        if (liveHoldersAt == Long.MIN_VALUE || age >= 3 * every) {
            liveHolders = lockClaims.liveHoldersByProject(Instant.ofEpochMilli(now));
            liveHoldersAt = now;
        } else if (age >= every && liveHoldersRefreshing.compareAndSet(false, true)) {
            Thread.ofVirtual().start(() -> {
                try {
                    long t = System.currentTimeMillis();
                    liveHolders = lockClaims.liveHoldersByProject(Instant.ofEpochMilli(t));
                    liveHoldersAt = t;
                } catch (RuntimeException e) {
                    // the next request tries again; past three intervals it waits for the read and sees the error
                } finally {
                    liveHoldersRefreshing.set(false);
                }
            });
        }
        return liveHolders;
    }

    /** The search's matches on {@code snap}: this instance's last answer to the same search, or computed now. */
    private SearchResult searchOn(ProjectSearchIndex.Snapshot snap, String key, SearchQuery q, User user, java.util.Set<Long> only,
                                 java.util.Set<Long> interests) {
        SearchResult found = searches.get(key);
        if (found != null && found.snap() == snap) return found;
        List<ProjectSearchIndex.Row> matches = found == null ? null
                : ProjectSearch.rematch(q, user, found.snap(), found.matches(), snap, only, interests);
        if (matches == null) matches = ProjectSearch.matches(q, user, snap, only, interests);
        // the map is the same while the set of matches is: kept from the search before when nothing joined or left
        GzipParts.Part map = found != null && found.map().get() != null && sameSet(found.matches(), matches)
                ? found.map().get() : null;
        found = new SearchResult(snap, matches, new java.util.concurrent.atomic.AtomicReference<>(map));
        searches.put(key, found);
        return found;
    }

    /** Whether two lists of matches hold the same projects with the same map points (in any order). */
    private static boolean sameSet(List<ProjectSearchIndex.Row> a, List<ProjectSearchIndex.Row> b) {
        return a.size() == b.size() && ProjectSearch.mapFingerprint(a) == ProjectSearch.mapFingerprint(b);
    }

    Response get(Request req) {
        return project(req, req.caller().optional().orElse(null), req.queryFlag("abbreviated"), "project.json", "application/json");
    }

    /**
     * GET nogeometries: the project as an anonymous caller sees it, task geometries left out; {@code as_file}
     * names the download {@code project_<id>.geojson}.
     */
    Response noGeometries(Request req) {
        return project(req, null, true, "project_" + projectId(req) + ".geojson", "application/geo+json");
    }

    /** The ProjectDTO for {@code user} (null: anonymous), with an ETag; {@code as_file} serves it as a download. */
    private Response project(Request req, User user, boolean abbreviated, String fileName, String fileType) {
        long id = projectId(req);
        ProjectAccess.View v = access.visible(id, user);
        // The map, its counters and active mappers come from the task-map snapshot (docs/performance.md): the
        // percentages are the tasks' own, so a counter left behind by a crash between a task write and its counter
        // update never shows here.
        var s = maps.current(id);
        // what is kept beside the project item is not part of its version: it goes into the ETag with the organisation
        Beside beside = beside(id);
        String etag = dev.tmserverless.aws.store.TaskMaps.etag(s.hash(), v.stored().version(),
                Json.write(v.org()) + beside.tag(), req.locale(), abbreviated, req.queryFlag("as_file"));
        if (req.ifNoneMatch(etag)) return Response.notModified(etag, v.cacheControl());
        JsonNode fc = Json.parse(maps.json(id, s));
        if (abbreviated) fc.path("features").forEach(f -> ((com.fasterxml.jackson.databind.node.ObjectNode) f)
                .set("geometry", com.fasterxml.jackson.databind.node.NullNode.getInstance()));
        Map<String, Object> dto = dto(v, s, fc, req.locale(), beside);
        Response r = Response.ok(dto).cached(etag, v.cacheControl());
        return req.queryFlag("as_file") ? r.asAttachment(fileName, fileType) : r;
    }

    /** GET notasks: the project for its managers without its tasks and without the one-locale info. */
    Response noTasks(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        ProjectAccess.View v = access.load(id, user);
        if (!v.pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        Map<String, Object> dto = dto(v, maps.current(id), null, req.locale(), beside(id));
        dto.remove("tasks");
        dto.remove("projectInfo");
        return Response.ok(dto);
    }

    /**
     * What a ProjectDTO shows that is kept beside the project item: its teams, campaigns, interests (their own
     * items) and priority areas (an object, written after the item, so its text is part of the ETag).
     */
    private record Beside(List<Map<String, Object>> teams, List<Map<String, Object>> campaigns,
                          List<Map<String, Object>> interests, String priorityAreas) {
        String tag() { return Json.write(teams) + Json.write(campaigns) + Json.write(interests) + priorityAreas; }
    }

    private Beside beside(long id) {
        return new Beside(access.teams(id), tags.campaigns(id), tags.interests(id), storedPriorityAreas(id));
    }

    /** The one ProjectDTO of GET project, nogeometries and notasks: the item, its task-map counters, the AOI, what is beside. */
    private Map<String, Object> dto(ProjectAccess.View v, dev.tmserverless.aws.store.TaskMaps.Snapshot s, JsonNode tasks,
                                    String locale, Beside beside) {
        JsonNode aoi = blobs.get(BlobStore.aoiKey(v.project().id())).map(Json::parse).orElse(null);
        Map<String, Object> dto = ProjectDto.of(v.project(), s.counters(), v.org(), aoi, tasks, locale, s.activeMappers());
        dto.put("teams", beside.teams());
        dto.put("campaigns", beside.campaigns());
        dto.put("interests", beside.interests());
        dto.put("priorityAreas", Json.parse(beside.priorityAreas()));
        return dto;
    }

    Response update(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        JsonNode body = req.json();
        dev.tmserverless.aws.store.ProjectTags.Update tagUpdate = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            ProjectAccess.View v = access.load(id, user);
            if (!v.pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
            // campaigns and interests the body names are checked before anything is written, and set after the project
            if (tagUpdate == null) tagUpdate = tags.parse(body);
            // checked before anything is written; absent keeps the stored areas
            java.util.List<JsonNode> areas = body.has("priorityAreas") ? PriorityAreas.parse(body.get("priorityAreas")) : null;
            Project updated = ProjectUpdate.apply(v.project(), body, users::byUsername, licenseId -> licenses.get(licenseId).isPresent());
            if (updated.organisationId() != v.project().organisationId()) {
                Organisation target = orgs.get(updated.organisationId()).orElseThrow(() -> new ApiException(
                        ErrorCode.ORGANISATION_NOT_FOUND, ErrorCode.ORGANISATION_NOT_FOUND.message,
                        Map.of("organisation_id", updated.organisationId())));
                // moving a project hands its management to the target's managers: only they or an admin may
                if (!Permissions.canMoveProjectTo(user, target)) {
                    throw new ApiException(ErrorCode.USER_PERMISSION_ERROR, "User is not a manager of the target organisation");
                }
            }
            if (updated.status() == ProjectStatus.PUBLISHED && jobStore.get(id).map(j -> !j.done()).orElse(false)) {
                throw new ApiException(ErrorCode.GRID_NOT_READY);
            }
            if (projects.update(updated, v.stored().version())) {
                tags.applyWriting(id, tagUpdate);
                if (areas != null) blobs.put(PriorityAreas.key(id), Json.write(areas));
                return Response.ok(Map.of("Status", "Updated"));
            }
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /** Progress of writing the project's tasks (our addition, docs/api-differences.md D16). */
    Response gridJob(Request req) {
        long id = projectId(req);
        access.visible(id, req.caller().optional().orElse(null));
        return gridJobAnswer(id, jobStore.get(id).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND)), Instant.now());
    }

    /**
     * POST retry-grid-job (ours): a project manager queues a FAILED grid job again from scratch (the tasks it
     * wrote are rewritten identically; docs/grid-jobs.md). 409 GridJobNotFailed for any other state.
     */
    Response retryGridJob(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        ProjectAccess.View v = access.load(id, user);
        if (!v.pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        Instant now = Instant.now();
        // a project without a job (its tasks were written some other way) has nothing to retry either
        if (!jobStore.retryWriting(id, now)) throw new ApiException(ErrorCode.GRID_JOB_NOT_FAILED);
        try {
            jobs.send(id);
        } catch (RuntimeException e) {
            // the job is QUEUED: the first read of its progress a minute later sends it again
            org.slf4j.LoggerFactory.getLogger(ProjectsFunction.class).warn(
                    "grid job {} was queued again but could not be sent; it is sent again when its progress is read", id, e);
        }
        return gridJobAnswer(id, jobStore.get(id).orElseThrow(), now);
    }

    private Response gridJobAnswer(long id, GridJob j, Instant now) {
        // A job still QUEUED after a minute lost its message, and a RUNNING job whose progress has not moved for
        // STALLED_AFTER lost its worker (killed by its timeout or memory; a live worker records progress every
        // flush, seconds apart): whoever polls sends it again, and the new delivery resumes after the slices written;
        // a job sent again MAX_RESENDS times that stalls once more is FAILED (its worker keeps dying on it).
        // Duplicates are harmless (docs/performance.md "Grid jobs").
        boolean lost = j.state() == GridJob.State.QUEUED && j.updated().plus(RESEND_AFTER).isBefore(now)
                || j.state() == GridJob.State.RUNNING && j.updated().plus(STALLED_AFTER).isBefore(now);
        if (lost && jobStore.failStalled(id, j.updated(), MAX_RESENDS, "Writing the tasks stopped " + (MAX_RESENDS + 1)
                + " times without finishing (the grid worker was stopped by its time or memory limit); a project"
                + " manager can retry the job or delete the draft", now)) {
            j = jobStore.get(id).orElseThrow();
        } else if (lost && jobStore.claimResend(id, j.updated(), now)) {
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
        dto.put("campaigns", tags.campaigns(id));
        return Response.ok(dto);
    }

    /** The project's id once the caller may see it (403 PrivateProject / ProjectNotFetched, 404 as the project reads). */
    /** A read of the project's aggregates, answered when the caller may see the project. */
    private Response whenVisible(Request req, java.util.function.LongFunction<Object> read) {
        long id = projectId(req);
        return Response.ok(access.whenVisible(id, req.caller().optional().orElse(null), () -> read.apply(id)));
    }

    /** GET who contributed to the project and which tasks they mapped, validated or marked as bad imagery. */
    Response contributions(Request req) {
        long id = projectId(req);
        access.visible(id, req.caller().optional().orElse(null));
        // from the task-map snapshot's activity rows: a pointer read and the contributors' profiles, not a Query of
        // every task
        var activity = maps.activity(id);
        var profiles = users.getAll(new java.util.LinkedHashSet<>(activity.contributors()));
        return Response.ok(Map.of("userContributions", Contributions.of(activity, profiles)));
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

    /** The project's priority areas, {@code []} when it has none; public, as in the reference. */
    Response priorityAreas(Request req) {
        long id = projectId(req);
        access.load(id, null);
        return Response.ok(Json.parse(storedPriorityAreas(id)));
    }

    private String storedPriorityAreas(long id) {
        return blobs.get(PriorityAreas.key(id)).orElse("[]");
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

    // ---- lists answered from the search index (docs/projects.md) ----

    /** GET featured: every featured project that is not private, newest first, as search results. */
    Response featured(Request req) {
        ProjectSearchIndex.Snapshot snap = searchIndex.current();
        List<Map<String, Object>> results = new ArrayList<>();
        ProjectSearchIndex.Row[] rows = snap.rows();
        Map<Long, Integer> mappers = activeMappers();
        for (int i = rows.length - 1; i >= 0; i--) {
            ProjectSearchIndex.Row r = rows[i];
            if (r.entry().featured() && !r.summary().isPrivate() && r.summary().centroid() != null) {
                results.add(ProjectSearch.result(r, req.locale(), mappers, snap.campaigns()));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mapResults", List.of());
        m.put("results", results);
        m.put("pagination", null);
        return Response.ok(m);
    }

    /**
     * GET myself/owner: the projects the caller authored, by status, as project summaries; only for managers of
     * some organisation (administrators included, as the reference).
     */
    Response myOwnedProjects(Request req) {
        User user = req.caller().require();
        if (!Permissions.canUseManagerTools(user, Permissions.managesAnOrganisation(user, orgs.all()))) {
            throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        }
        String orderBy = SearchQuery.orderField(req.query("orderBy").orElse(null));
        boolean desc = req.query("orderByType").map(t -> t.equalsIgnoreCase("DESC")).orElse(false);
        ProjectSearchIndex.Snapshot snap = searchIndex.current();
        List<Long> ids = new ArrayList<>();
        for (ProjectSearchIndex.Row r : ProjectSearch.ordered(snap, orderBy, desc)) {
            if (r.summary().authorId() == user.id()) ids.add(r.id());
        }
        Map<String, List<Map<String, Object>>> buckets = new LinkedHashMap<>();
        buckets.put("draftProjects", new ArrayList<>());
        buckets.put("activeProjects", new ArrayList<>());
        buckets.put("archivedProjects", new ArrayList<>());
        for (ProjectStore.Stored st : projects.getAll(ids)) {
            Project p = st.project();
            String bucket = switch (p.status()) {
                case DRAFT -> "draftProjects";
                case PUBLISHED -> "activeProjects";
                case ARCHIVED -> "archivedProjects";
            };
            buckets.get(bucket).add(ProjectDto.summary(p, st.counters(), orgs.get(p.organisationId()).orElse(null), req.locale()));
        }
        return Response.ok(buckets);
    }

    /** The reference's largest bounding box for {@code queries/bbox}, in square metres of EPSG:3857. */
    static final double MAX_BBOX_AREA = Math.pow(1250 * 4275 * 1.5, 2);

    /**
     * GET bbox: the AOIs of every project whose AOI's bounding box meets the box (any status, as the reference),
     * for managers of some organisation; {@code createdByMe} keeps the caller's own.
     */
    Response bbox(Request req) {
        User user = req.caller().require();
        if (!Permissions.canUseManagerTools(user, Permissions.managesAnOrganisation(user, orgs.all()))) {
            throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        }
        double[] box = ProjectLists.bbox(req.query("bbox").orElse(null), req.query("srid").orElse("4326"));
        boolean mine = req.query("createdByMe").map(v -> ProjectLists.bool(v)).orElse(false);
        if (ProjectLists.mercatorArea(box) > MAX_BBOX_AREA) throw new ApiException(ErrorCode.BBOX_TOO_BIG);
        List<ProjectSearchIndex.Row> hits = new ArrayList<>();
        for (ProjectSearchIndex.Row r : searchIndex.current().rows()) {
            if (mine && r.summary().authorId() != user.id()) continue;
            if (ProjectLists.meets(r.summary(), box)) hits.add(r);
        }
        return Response.ok(ProjectLists.aoiFeatures(hits, blobs, r -> {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("projectId", r.id());
            props.put("projectStatus", r.summary().status().name());
            props.put("projectName", r.summary().text(req.locale()).name());
            return props;
        }));
    }

    /**
     * GET active: published projects whose tasks changed in the last {@code interval} hours (1 to 24), as their
     * AOIs with {@code project_id} and {@code mapping_types} (docs/api-differences.md: changes of task counters
     * stand for the reference's task history and chat).
     */
    Response active(Request req) {
        int hours = ProjectLists.interval(req.query("interval").orElse(null));
        long since = System.currentTimeMillis() - hours * 3_600_000L;
        List<ProjectSearchIndex.Row> hits = new ArrayList<>();
        for (ProjectSearchIndex.Row r : searchIndex.current().rows()) {
            if (r.summary().status() == ProjectStatus.PUBLISHED && r.entry().changedAt() >= since) hits.add(r);
        }
        return Response.ok(ProjectLists.aoiFeatures(hits, blobs, r -> {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("project_id", r.id());
            props.put("mapping_types", r.summary().mappingTypes().isEmpty() ? null : r.summary().mappingTypes());
            return props;
        }));
    }

    /**
     * GET similar-projects: up to {@code limit} (4) published projects the caller may see that share the most
     * mapping types with the project, then nearest to it (docs/api-differences.md).
     */
    Response similar(Request req) {
        User user = req.caller().optional().orElse(null);
        long id = projectId(req);
        int limit = ProjectLists.limit(req.query("limit").orElse(null));
        ProjectSearchIndex.Snapshot snap = searchIndex.current();
        ProjectSearchIndex.Row of = snap.row(id);
        if (of == null) {
            // not in this instance's index yet: 404 unless it exists and is published; then no neighbours yet
            if (access.load(id, user).project().status() != ProjectStatus.PUBLISHED) {
                throw new ApiException(ErrorCode.PROJECT_NOT_FOUND, ErrorCode.PROJECT_NOT_FOUND.message, Map.of("project_id", id));
            }
            return Response.ok(Map.of("results", List.of()));
        }
        List<ProjectSearchIndex.Row> similar = ProjectLists.similar(snap, of, user, limit);
        List<Map<String, Object>> results = new ArrayList<>();
        Map<Long, Integer> mappers = activeMappers();
        for (ProjectSearchIndex.Row r : similar) results.add(ProjectSearch.result(r, req.locale(), mappers, snap.campaigns()));
        return Response.ok(Map.of("results", results));
    }

    // ---- managing one project ----

    /**
     * DELETE: PM, then administrator or manager of some organisation (DeletePermissionError), then every task
     * READY (HasMappedTasks). Deletes the project item (on its version) and marks its search summary gone, then
     * removes its other items, favourites and objects; the sweeper finishes what a large project leaves
     * (docs/projects.md "Deleting a project").
     */
    Response delete(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        for (int attempt = 0; attempt < 3; attempt++) {
            ProjectAccess.View v = access.load(id, user);
            if (!v.pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
            if (!Permissions.canDeleteProject(user, v.pm(), Permissions.managesAnOrganisation(user, orgs.all()))) {
                throw new ApiException(ErrorCode.PROJECT_DELETE_PERMISSION_ERROR);
            }
            if (jobStore.get(id).map(j -> j.state() == GridJob.State.QUEUED || j.state() == GridJob.State.RUNNING).orElse(false)) {
                throw new ApiException(ErrorCode.GRID_NOT_READY);
            }
            // the count of committed task changes is read before the tasks: closing the project on it below proves
            // that no task changed after the check (a lock that lands later sees the mark and is undone)
            long changes = maps.changeCount(id);
            Instant now = Instant.now();
            if (splits.listTasksConsistently(id).stream().anyMatch(t -> t.effective(now).status() != dev.tmserverless.core.domain.TaskStatus.READY)) {
                throw new ApiException(ErrorCode.HAS_MAPPED_TASKS);
            }
            if (!maps.closeForDeleteWriting(id, changes)) continue; // a task changed since the check: check again
            purge.markPendingWriting(id);
            if (projects.deleteWriting(id, v.stored().version())) {
                // a few seconds of the request's time; the sweeper finishes a larger project
                if (purge.purgeWriting(id, System.currentTimeMillis() + 10_000)) purge.clearPendingWriting(id);
                return Response.ok(Map.of("Success", "Project deleted"));
            }
            maps.reopenWriting(id);
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /**
     * POST transfer-ownership {@code {"username"}}: the caller must be an administrator, the author or a manager
     * of the project's organisation; the new owner an administrator or a manager of that organisation.
     */
    Response transferOwnership(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        TransferOwnership body = TransferOwnership.from(req.json());
        for (int attempt = 0; attempt < 3; attempt++) {
            ProjectAccess.View v = access.load(id, user);
            User to = users.byUsername(body.username()).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND));
            Project p = v.project();
            if (to.id() == p.authorId()) return Response.ok(Map.of("Success", "Project Transferred"));
            if (!dev.tmserverless.core.domain.Permissions.canTransferProject(user, p, v.org())) {
                throw new ApiException(ErrorCode.TRANSFER_PERMISSION_ERROR);
            }
            if (!dev.tmserverless.core.domain.Permissions.canOwnProject(to, v.org())) throw new ApiException(ErrorCode.INVALID_NEW_OWNER);
            if (projects.update(p.withAuthor(to.id(), to.username()), v.stored().version())) {
                return Response.ok(Map.of("Success", "Project Transferred"));
            }
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /** POST feature / remove-feature: PM only; AlreadyFeatured / NotFeatured when there is nothing to change. */
    Response feature(Request req, boolean featured) {
        User user = req.caller().require();
        long id = projectId(req);
        if (!access.load(id, user).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        if (!projects.setFeaturedWriting(id, featured)) {
            throw new ApiException(featured ? ErrorCode.ALREADY_FEATURED : ErrorCode.NOT_FEATURED);
        }
        return Response.ok(Map.of("Success", true));
    }

    Response isFavourite(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        access.load(id, user);
        return Response.ok(Map.of("favorited", favourites.isFavourite(user.id(), id)));
    }

    Response addFavourite(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        access.load(id, user);
        favourites.addWriting(user.id(), id);
        return Response.created(Map.of("project_id", id));
    }

    Response removeFavourite(Request req) {
        User user = req.caller().require();
        long id = projectId(req);
        access.load(id, user);
        if (!favourites.removeWriting(user.id(), id)) throw new ApiException(ErrorCode.NOT_FAVOURITED);
        return Response.ok(Map.of("project_id", id));
    }

    private static long projectId(Request req) { return req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND); }
}
