package dev.tmserverless.fn.grid;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.observe.Metrics;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TaskFeatures;
import dev.tmserverless.core.geo.TaskGrid;
import dev.tmserverless.core.geo.TaskShape;
import dev.tmserverless.core.geo.TaskShapeBudget;
import jakarta.inject.Singleton;
import org.locationtech.jts.geom.MultiPolygon;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a project's tasks for its grid job, in slices (docs/grid-jobs.md). Planning counts the
 * tasks and cuts ids 1..N into slices of {@code TM_GRID_SLICE_TASKS}; each slice is written by its own delivery,
 * concurrently with the others. Task ids follow generation order, so every run of a slice produces the same items:
 * a repeated or concurrent delivery rewrites identical items, a slice is recorded as written once, and whoever
 * records the last slice finishes the job. Once the job is DONE nothing is written again.
 */
@Singleton
public class GridWriter {
    /** Tasks per BatchWriteItem call in flight (with their shape items, four calls of 25). */
    static final int FLUSH = 100;
    /**
     * Calls in flight at once; a flush (the DONE check, the writes, then the heartbeat) covers
     * {@code FLUSH × parallelism} tasks.
     */
    int parallelism;
    /** Tasks per slice: the unit of concurrency and of redone work after a crash. */
    int sliceTasks;

    private final ProjectStore projects;
    private final GridJobStore jobStore;
    private final TaskStore tasks;
    private final BlobStore blobs;
    Clock clock = Clock.systemUTC();
    /** Test hook: runs after each flush with the number of tasks written so far in this run. */
    Consumer<Long> afterFlush = n -> {};

    public GridWriter(ProjectStore projects, GridJobStore jobStore, TaskStore tasks, BlobStore blobs, TmConfig config) {
        this.parallelism = config.gridWriteParallelism();
        this.sliceTasks = config.gridSliceTasks();
        this.projects = projects;
        this.jobStore = jobStore;
        this.tasks = tasks;
        this.blobs = blobs;
    }

    /**
     * Plans the job (counts its tasks, records its slices) and returns the slices still to write: none when the
     * job is finished, or has no such job. A job whose every slice is written is finished here.
     */
    public List<Integer> plan(long projectId) {
        GridJob job = jobStore.get(projectId).orElse(null);
        if (job == null || job.state() == GridJob.State.DONE || job.state() == GridJob.State.FAILED) return List.of();
        long total = switch (job.source()) {
            case "GRID" -> TaskGrid.count(aoi(projectId), job.zoom());
            case "FEATURES", "ARBITRARY" -> shapes(projectId, job).size();
            default -> throw new IllegalStateException("unknown grid job source " + job.source());
        };
        GridJobStore.Slices plan = jobStore.planWriting(projectId, total, sliceTasks, clock.instant()).orElse(null);
        if (plan == null) return List.of();
        if (plan.complete()) {
            finish(projectId, plan);
            return List.of();
        }
        List<Integer> todo = new ArrayList<>();
        for (int k = 0; k < plan.count(); k++) if (!plan.done().contains(k)) todo.add(k);
        return todo;
    }

    /**
     * Writes slice {@code slice} of the job and records it; {@code heartbeat} runs after each flush (the
     * worker renews its lease). Returns true when this call finished the job.
     */
    public boolean writeSlice(long projectId, int slice, Runnable heartbeat) {
        GridJobStore.Slices plan = jobStore.slices(projectId).orElse(null);
        // not RUNNING (finished, failed, or re-queued by a retry that sends its own slices): nothing to do
        if (plan == null || slice < 0 || slice >= plan.count()) return false;
        if (!plan.done().contains(slice)) {
            GridJob job = jobStore.get(projectId).orElseThrow();
            final long first = plan.first(slice);
            final int length = plan.length(slice);
            Batch batch = new Batch(projectId, slice, first, heartbeat);
            try {
                switch (job.source()) {
                    case "GRID" -> {
                        try {
                            TaskGrid.generate(aoi(projectId), job.zoom(), job.clipToAoi(), first, shape -> {
                                if (batch.next - first >= length) throw SliceEnd.INSTANCE;
                                batch.add(shape, !shape.isSquare());
                            });
                        } catch (SliceEnd end) {
                            // the slice is complete; the rest of the grid belongs to other slices
                        }
                    }
                    case "FEATURES", "ARBITRARY" -> {
                        List<TaskShape> shapes = shapes(projectId, job);
                        for (long i = first; i < first + length; i++) batch.add(shapes.get((int) i), true);
                    }
                    default -> throw new IllegalStateException("unknown grid job source " + job.source());
                }
                batch.flush();
            } catch (JobAlreadyDone done) {
                return false;
            }
            if (batch.next - first != length) {
                throw new IllegalStateException("slice " + slice + " of project " + projectId + " produced "
                        + (batch.next - first) + " tasks, not " + length);
            }
            GridJobStore.Slices after = jobStore.sliceDoneWriting(projectId, slice, length, clock.instant()).orElse(null);
            if (after != null) plan = after;
            else plan = jobStore.slices(projectId).orElse(null);
            if (plan == null) return false;
        }
        if (!plan.complete()) return false;
        finish(projectId, plan);
        return true;
    }

    private void finish(long projectId, GridJobStore.Slices plan) {
        projects.gridWritten(projectId, plan.total());
        jobStore.finished(projectId, GridJob.State.DONE, null, clock.instant());
    }

    private MultiPolygon aoi(long projectId) {
        return (MultiPolygon) GeoJson.read(input(BlobStore.aoiKey(projectId)));
    }

    private List<TaskShape> shapes(long projectId, GridJob job) {
        JsonNode in = input(BlobStore.taskInputKey(projectId));
        return job.source().equals("FEATURES") ? TaskFeatures.parse(in) : TaskFeatures.fromAoiFeatures(in);
    }

    private JsonNode input(String key) {
        return Json.parse(blobs.get(key).orElseThrow(() -> new IllegalStateException("missing job input " + key)));
    }

    int flushTasks() { return FLUSH * parallelism; }

    private final class Batch {
        final long projectId;
        final int slice;
        final Runnable heartbeat;
        final List<TaskStore.NewTask> pending = new ArrayList<>();
        /** Tasks before this slice plus the tasks added so far: the id of the last task added. */
        long next;
        long writtenThisRun;

        Batch(long projectId, int slice, long first, Runnable heartbeat) {
            this.projectId = projectId;
            this.slice = slice;
            this.next = first;
            this.heartbeat = heartbeat;
        }

        void add(TaskShape s, boolean storeGeometry) {
            int id = (int) ++next;
            Task t = Task.ready(projectId, id, s.x(), s.y(), s.zoom(), s.isSquare());
            String geometry = storeGeometry ? Json.write(GeoJson.write(s.geometry())) : null;
            String extra = s.extraProperties() == null ? null : Json.write(s.extraProperties());
            // checked at creation where it could be; a task that cannot fit its item fails the job at once, naming it
            // (an ApiException: not retried), instead of failing its batch on every attempt
            if (!TaskShapeBudget.fits(geometry, extra)) {
                TaskShapeBudget.require(id, geometry, extra, s.x() != null && s.y() != null && s.zoom() != null
                        ? "the tile " + s.x() + "/" + s.y() + "/" + s.zoom() + (s.isSquare() ? "" : ", clipped")
                        : "an arbitrary or trimmed task");
            }
            pending.add(new TaskStore.NewTask(t, geometry, extra));
            if (pending.size() >= flushTasks()) flush();
        }

        void flush() {
            if (pending.isEmpty()) return;
            // a finished job (or this slice recorded by another delivery) is never written again
            if (jobStore.slices(projectId).map(p -> p.done().contains(slice)).orElse(true)) throw new JobAlreadyDone();
            tasks.putAll(pending, parallelism);
            Metrics.count(Metrics.GRID_TASKS_WRITTEN, pending.size());
            writtenThisRun += pending.size();
            pending.clear();
            heartbeat.run();
            afterFlush.accept(writtenThisRun);
        }
    }

    /** Another delivery finished the job (or this slice) while this one was running: stop without writing. */
    static final class JobAlreadyDone extends RuntimeException {
        JobAlreadyDone() { super(null, null, false, false); }
    }

    /** Ends the grid walk at the slice's end. */
    private static final class SliceEnd extends RuntimeException {
        static final SliceEnd INSTANCE = new SliceEnd();

        SliceEnd() { super(null, null, false, false); }
    }
}
