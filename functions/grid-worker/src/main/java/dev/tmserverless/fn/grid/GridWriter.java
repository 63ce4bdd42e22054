package dev.tmserverless.fn.grid;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
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
import jakarta.inject.Singleton;
import org.locationtech.jts.geom.MultiPolygon;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a project's tasks for its grid job. Task ids follow generation order, so every run produces the
 * same items: a repeated delivery rewrites identical items, and a run after a crash resumes after the
 * tasks the job records as written. Once the job is DONE nothing is written again.
 */
@Singleton
public class GridWriter {
    /** Tasks per BatchWriteItem call in flight (with their shape items, four calls of 25). */
    static final int FLUSH = 100;
    /**
     * Calls in flight at once; a flush (the DONE check, the writes, then the job's progress) covers
     * {@code FLUSH × parallelism} tasks, so a crash redoes at most that many identical puts.
     */
    int parallelism;

    private final ProjectStore projects;
    private final GridJobStore jobStore;
    private final TaskStore tasks;
    private final BlobStore blobs;
    Clock clock = Clock.systemUTC();
    /** Test hook: runs after each flush with the number of tasks written so far in this run. */
    Consumer<Long> afterFlush = n -> {};

    public GridWriter(ProjectStore projects, GridJobStore jobStore, TaskStore tasks, BlobStore blobs,
                      dev.tmserverless.aws.config.TmConfig config) {
        this.parallelism = config.gridWriteParallelism();
        this.projects = projects;
        this.jobStore = jobStore;
        this.tasks = tasks;
        this.blobs = blobs;
    }

    /** Runs the job to completion; returns false when there was nothing to do (done, or no such job). */
    public boolean run(long projectId) {
        GridJob job = jobStore.get(projectId).orElse(null);
        if (job == null || job.state() == GridJob.State.DONE || job.state() == GridJob.State.FAILED) return false;
        long skip = job.written();
        Batch batch = new Batch(projectId, skip);
        switch (job.source()) {
            case "GRID" -> {
                MultiPolygon aoi = (MultiPolygon) GeoJson.read(input(BlobStore.aoiKey(projectId)));
                long total = TaskGrid.count(aoi, job.zoom());
                jobStore.running(projectId, total, clock.instant());
                TaskGrid.generate(aoi, job.zoom(), job.clipToAoi(), skip, shape -> batch.add(shape, !shape.isSquare()));
                batch.finish(total);
            }
            case "FEATURES", "ARBITRARY" -> {
                JsonNode in = input(BlobStore.taskInputKey(projectId));
                List<TaskShape> shapes = job.source().equals("FEATURES") ? TaskFeatures.parse(in) : TaskFeatures.fromAoiFeatures(in);
                jobStore.running(projectId, shapes.size(), clock.instant());
                for (int i = (int) skip; i < shapes.size(); i++) batch.add(shapes.get(i), true);
                batch.finish(shapes.size());
            }
            default -> throw new IllegalStateException("unknown grid job source " + job.source());
        }
        return true;
    }

    private JsonNode input(String key) {
        return Json.parse(blobs.get(key).orElseThrow(() -> new IllegalStateException("missing job input " + key)));
    }

    int flushTasks() { return FLUSH * parallelism; }

    private final class Batch {
        final long projectId;
        final List<TaskStore.NewTask> pending = new ArrayList<>();
        long next;
        long writtenThisRun;

        Batch(long projectId, long alreadyWritten) {
            this.projectId = projectId;
            this.next = alreadyWritten;
        }

        void add(TaskShape s, boolean storeGeometry) {
            int id = (int) ++next;
            Task t = Task.ready(projectId, id, s.x(), s.y(), s.zoom(), s.isSquare());
            pending.add(new TaskStore.NewTask(t, storeGeometry ? Json.write(GeoJson.write(s.geometry())) : null,
                    s.extraProperties() == null ? null : Json.write(s.extraProperties())));
            if (pending.size() >= flushTasks()) flush();
        }

        void flush() {
            if (pending.isEmpty()) return;
            if (jobStore.get(projectId).map(GridJob::done).orElse(true)) {
                throw new JobAlreadyDone();
            }
            tasks.putAll(pending, parallelism);
            Metrics.count(Metrics.GRID_TASKS_WRITTEN, pending.size());
            writtenThisRun += pending.size();
            pending.clear();
            jobStore.progress(projectId, next, clock.instant());
            afterFlush.accept(writtenThisRun);
        }

        void finish(long total) {
            flush();
            projects.gridWritten(projectId, total);
            jobStore.finished(projectId, GridJob.State.DONE, null, clock.instant());
        }
    }

    /** Another delivery finished the job while this one was running: stop without writing. */
    static final class JobAlreadyDone extends RuntimeException {
        JobAlreadyDone() { super(null, null, false, false); }
    }
}
