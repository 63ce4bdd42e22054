package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.queue.GridJobs;
import dev.tmserverless.aws.store.Counters;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.ProjectTags;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.geo.Aoi;
import dev.tmserverless.core.geo.AoiLimits;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TaskFeatures;
import dev.tmserverless.core.geo.TaskGrid;
import dev.tmserverless.core.geo.TaskShape;
import dev.tmserverless.core.geo.TaskShapeBudget;
import jakarta.inject.Singleton;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Project creation (docs/api-differences.md D9, D11, D16, D17): everything is validated before anything is written;
 * the tasks themselves are written by the grid worker from a queued job.
 */
@Singleton
public class ProjectService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProjectService.class);
    /** Test hook: runs just before the grid job's message is sent. */
    Runnable beforeSend = () -> {};

    /** Where a job's tasks come from: the client's task features, one task per AOI feature, or our grid. */
    public enum Source { FEATURES, ARBITRARY, GRID }

    private final OrgStore orgs;
    private final ProjectStore projects;
    private final GridJobStore jobStore;
    private final Counters counters;
    private final BlobStore blobs;
    private final GridJobs jobs;
    private final AoiLimits limits;

    private final ProjectAccess access;
    private final TeamStore teams;
    private final ProjectTags tags;
    private final CampaignStore campaigns;
    private final InterestStore interests;

    public ProjectService(OrgStore orgs, ProjectStore projects, GridJobStore jobStore, Counters counters, BlobStore blobs, GridJobs jobs,
                          TmConfig config, ProjectAccess access, TeamStore teams, ProjectTags tags, CampaignStore campaigns,
                          InterestStore interests) {
        this.access = access;
        this.teams = teams;
        this.tags = tags;
        this.campaigns = campaigns;
        this.interests = interests;
        this.orgs = orgs;
        this.projects = projects;
        this.jobStore = jobStore;
        this.counters = counters;
        this.blobs = blobs;
        this.jobs = jobs;
        this.limits = config.aoiLimits();
    }

    /** A project name longer than this is refused before anything is written (it is stored in several items). */
    static final int MAX_NAME_LENGTH = 1_000;

    public long create(User user, JsonNode body) {
        Fields.object(body);
        String name = Fields.text(body, "projectName").trim();
        if (name.isEmpty()) throw Fields.schema("projectName", "String should have at least 1 character", "string_too_short");
        if (name.length() > MAX_NAME_LENGTH) {
            throw Fields.schema("projectName", "String should have at most " + MAX_NAME_LENGTH + " characters", "string_too_long");
        }
        Long cloneFrom = body.hasNonNull("cloneFromProjectId") ? Fields.integer(body, "cloneFromProjectId") : null;
        // a clone keeps its source's organisation, as the reference: the body's is not needed then
        Long bodyOrg = cloneFrom == null || body.hasNonNull("organisation") ? Fields.integer(body, "organisation") : null;
        JsonNode aoiFc = body.get("areaOfInterest");
        if (aoiFc == null || aoiFc.isNull()) throw Fields.schema("areaOfInterest", "Field required", "missing");
        boolean arbitrary = Fields.flag(body, "arbitraryTasks", false);
        boolean sandbox = Fields.flag(body, "sandbox", false);
        String database = body.hasNonNull("database") ? body.get("database").asText() : "OSM";

        // the source must be a project the caller may see (404 / 403 as GET project otherwise)
        ProjectAccess.View original = cloneFrom == null ? null : access.visible(cloneFrom, user);
        long orgId = original != null ? original.project().organisationId() : bodyOrg;
        Organisation org = orgs.get(orgId).orElseThrow(() -> new ApiException(ErrorCode.ORGANISATION_NOT_FOUND,
                ErrorCode.ORGANISATION_NOT_FOUND.message, Map.of("organisation_id", orgId)));
        if (!Permissions.canCreateIn(user, org)) throw new ApiException(ErrorCode.NOT_PERMITTED_TO_CREATE);

        MultiPolygon aoi = Aoi.normalise(aoiFc);
        Aoi.checkArea(aoi, limits);
        Source source;
        JsonNode taskInput = null;
        Integer zoom = null;
        boolean clip = false;
        long count;
        // task shapes the client supplied (task features, arbitrary tasks), checked against a task's item below
        List<TaskShape> supplied = null;
        String suppliedAs = null;
        JsonNode grid = body.get("grid");
        if (arbitrary) {
            source = Source.ARBITRARY;
            taskInput = aoiFc;
            supplied = TaskFeatures.fromAoiFeatures(aoiFc);
            suppliedAs = "polygon feature %d of the Area of Interest, from 0";
            count = supplied.size();
        } else if (grid != null && !grid.isNull()) {
            source = Source.GRID;
            Fields.object(grid);
            zoom = Fields.smallInteger(grid, "zoom");
            TaskGrid.checkZoom(zoom);
            clip = Fields.flag(grid, "clipToAoi", true);
            // counting stops past the limit: an over-limit grid costs no more than an allowed one
            count = TaskGrid.countUpTo(aoi, zoom, limits.maxTasks());
            if (count > limits.maxTasks()) TaskGrid.checkTaskCount(aoi, zoom, limits);
            // within the task limit: every clipped cell must fit a task's item (makes the grid only for detailed AOIs)
            TaskShapeBudget.requireGrid(aoi, zoom, clip);
        } else {
            JsonNode tasks = body.get("tasks");
            if (tasks == null || tasks.isNull()) throw Fields.schema("tasks", "Field required", "missing");
            source = Source.FEATURES;
            taskInput = tasks;
            supplied = TaskFeatures.parse(tasks);
            suppliedAs = "feature %d of tasks, from 0";
            count = supplied.size();
        }
        if (count == 0) throw new ApiException(ErrorCode.MUST_HAVE_FEATURES, "The project would have no tasks");
        if (count > limits.maxTasks()) {
            throw new ApiException(ErrorCode.TOO_MANY_TASKS, "The project would have " + count
                    + " tasks; this deployment allows at most " + limits.maxTasks());
        }
        if (supplied != null) TaskShapeBudget.requireAll(supplied, suppliedAs);

        long id = counters.next("PROJECT");
        Instant now = Instant.now();
        Envelope env = aoi.getEnvelopeInternal();
        Point c = aoi.getCentroid();
        Project p = Project.draft(id, name, user, orgId, arbitrary ? "ARBITRARY" : "GRID", sandbox, database,
                new double[]{env.getMinX(), env.getMinY(), env.getMaxX(), env.getMaxY()}, new double[]{c.getX(), c.getY()},
                Aoi.geodesicAreaKm2(aoi), now);
        if (original != null) p = ProjectClone.of(original.project(), p);
        // Order matters for recovery: inputs first, then the job, then the project, then the message.
        blobs.put(BlobStore.aoiKey(id), Json.write(GeoJson.write(aoi)));
        if (taskInput != null) blobs.put(BlobStore.taskInputKey(id), Json.write(taskInput));
        jobStore.put(new GridJob(id, GridJob.State.QUEUED, source.name(), zoom, clip, null, 0, null, now));
        projects.create(p);
        if (original != null) {
            // written after the project, as a PATCH writes them: a crash in between leaves a clone without them
            for (TeamStore.ProjectTeam t : teams.teamsOfProject(original.project().id())) teams.assign(id, t.teamId(), t.role());
            tags.applyWriting(id, new ProjectTags.Update(campaigns.ofProject(original.project().id()),
                    interests.ofProject(original.project().id())));
        }
        try {
            beforeSend.run();
            jobs.send(id);
        } catch (RuntimeException e) {
            // the project exists: answering 500 would make the client create it again. The job stays QUEUED, and
            // the first read of its progress a minute later sends the message again (GET …/queries/grid-job/).
            LOG.warn("project {} was created but its grid job could not be sent; it is sent again when its progress is read", id, e);
        }
        return id;
    }
}
