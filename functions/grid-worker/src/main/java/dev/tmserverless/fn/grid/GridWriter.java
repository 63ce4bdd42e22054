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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a project's tasks for its grid job, in slices (docs/grid-jobs.md). Planning counts the
 * tasks and cuts ids 1..N into slices of {@code TM_GRID_SLICE_TASKS}; each slice is written by its own delivery,
 * concurrently with the others. Task ids follow generation order, so every run of a slice produces the same items.
 * A slice's first delivery writes it with batches under a claim; any other delivery writes only the tasks that do
 * not exist, so a task locked or mapped since is never reset. A slice is recorded as written once, and whoever
 * records the last slice finishes the job. Once the job is DONE nothing is written again.
 */
@Singleton
public class GridWriter {
    private static final Logger LOG = LoggerFactory.getLogger(GridWriter.class);
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
    private final TmConfig config;
    Clock clock = Clock.systemUTC();
    /** Test hook: runs after each flush with the number of tasks written so far in this run. */
    Consumer<Long> afterFlush = n -> {};
    /** Test hook: runs before each flush's writes (after its checks) with the slice and whether it writes batches. */
    java.util.function.BiConsumer<Integer, Boolean> beforeWrite = (slice, batches) -> {};

    public GridWriter(ProjectStore projects, GridJobStore jobStore, TaskStore tasks, BlobStore blobs, TmConfig config) {
        this.config = config;
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
     *
     * <p>Who may overwrite a task (docs/grid-jobs.md): the first delivery of a slice claims it and writes it with
     * unconditional batches, each flush started only while its claim lasts; every other delivery (a duplicate, a
     * redelivery after a crash, a retry) writes it with conditional puts that leave an existing task as it is. A
     * slice is recorded by its claimant, or by another delivery once the claim has lapsed, so the job is never DONE
     * (and its tasks never lockable) while a batch of it may still land.
     */
    public boolean writeSlice(long projectId, int slice, Runnable heartbeat) {
        GridJobStore.SliceState state = jobStore.sliceState(projectId, slice).orElse(null);
        // not RUNNING (finished, failed, or re-queued by a retry that sends its own slices): nothing to do
        if (state == null || slice < 0 || slice >= state.plan().count()) return false;
        GridJobStore.Slices plan = state.plan();
        if (!plan.done().contains(slice)) {
            GridJob job = jobStore.get(projectId).orElseThrow();
            final long first = plan.first(slice);
            final int length = plan.length(slice);
            String token = java.util.UUID.randomUUID().toString();
            Instant until = claimUntil();
            boolean claimed = state.claim() == null && jobStore.claimSliceWriting(projectId, slice, token, until);
            Batch batch = new Batch(projectId, slice, first, heartbeat, claimed ? token : null, until);
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
                batch.release();
                return false;
            } catch (RuntimeException | Error e) {
                // every batch call of this delivery has ended: a retry may record the slice at once
                batch.release();
                throw e;
            }
            if (batch.next - first != length) {
                throw new IllegalStateException("slice " + slice + " of project " + projectId + " produced "
                        + (batch.next - first) + " tasks, not " + length);
            }
            plan = record(projectId, slice, length, batch);
            if (plan == null) return false;
        }
        if (!plan.complete()) return false;
        finish(projectId, plan);
        return true;
    }

    /**
     * Records the slice as written. A delivery that does not hold the slice's claim while another one does waits
     * for the claimant to record it or for the claim to lapse (its holder died), at most twice the claim's length;
     * after that it leaves the slice to the claimant (a job that stalls is sent again by a status read). Returns
     * the plan after the slice was recorded, or null when the job is no longer RUNNING or the wait ended.
     */
    private GridJobStore.Slices record(long projectId, int slice, int length, Batch batch) {
        long giveUp = System.nanoTime() + 2 * claimLength().toNanos();
        for (long pause = 20; ; pause = Math.min(1000, pause * 2)) {
            var after = jobStore.sliceDoneWriting(projectId, slice, length, batch.recordToken, clock.instant());
            if (after.isPresent()) return after.get();
            GridJobStore.SliceState state = jobStore.sliceState(projectId, slice).orElse(null);
            if (state == null) return null;
            if (state.plan().done().contains(slice)) return state.plan();
            if (System.nanoTime() > giveUp) {
                LOG.warn("grid job {}: slice {} is written but another delivery still holds it; left to that one",
                        projectId, slice);
                return null;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            batch.heartbeat.run();
        }
    }

    /** How long a claim lasts from its last renewal: half the worker's lease, so it lapses before a dead worker's message returns. */
    Duration claimLength() { return config.gridLease().dividedBy(2); }

    private Instant claimUntil() { return clock.instant().plus(claimLength()); }

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

    /** Conditional puts in flight at once: as many items as the batch calls of a flush carry. */
    private int conditionalPuts() { return 25 * parallelism; }

    private final class Batch {
        final long projectId;
        final int slice;
        final Runnable heartbeat;
        final List<TaskStore.NewTask> pending = new ArrayList<>();
        /** Tasks before this slice plus the tasks added so far: the id of the last task added. */
        long next;
        long writtenThisRun;
        /** The claim this delivery holds on the slice (null: none, or given up): it writes with batches. */
        String claim;
        /** Until when the claim lasts, as last written. */
        Instant claimedUntil;
        /** The token this delivery records the slice with: its claim's, unless a batch outlasted the claim. */
        String recordToken;

        Batch(long projectId, int slice, long first, Runnable heartbeat, String claim, Instant claimedUntil) {
            this.projectId = projectId;
            this.slice = slice;
            this.next = first;
            this.heartbeat = heartbeat;
            this.claim = claim;
            this.claimedUntil = claimedUntil;
            this.recordToken = claim == null ? java.util.UUID.randomUUID().toString() : claim;
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
            if (claim != null) {
                // one write checks the job is RUNNING, the slice unrecorded and the claim ours, and extends it
                Instant until = claimUntil();
                if (jobStore.renewSliceWriting(projectId, slice, claim, until)) claimedUntil = until;
                else claim = null;
            }
            // a finished job (or this slice recorded by another delivery) is never written again
            if (claim == null && jobStore.slices(projectId).map(p -> p.done().contains(slice)).orElse(true)) {
                throw new JobAlreadyDone();
            }
            beforeWrite.accept(slice, claim != null);
            if (claim != null) {
                // every batch call must end before the claim lapses, with a margin for a request on its way
                Instant deadline = claimedUntil.minus(claimLength().dividedBy(5));
                try {
                    tasks.putAll(pending, parallelism, () -> Duration.between(clock.instant(), deadline));
                } catch (TaskStore.DeadlinePassed late) {
                    // this delivery was too slow for its claim: from here on it writes (and records) like any other
                    LOG.warn("grid job {}: slice {} outlasted its claim; writing the rest conditionally", projectId, slice);
                    claim = null;
                    recordToken = java.util.UUID.randomUUID().toString();
                    if (jobStore.slices(projectId).map(p -> p.done().contains(slice)).orElse(true)) throw new JobAlreadyDone();
                    tasks.putAllIfAbsent(pending, conditionalPuts());
                }
            } else {
                tasks.putAllIfAbsent(pending, conditionalPuts());
            }
            Metrics.count(Metrics.GRID_TASKS_WRITTEN, pending.size());
            writtenThisRun += pending.size();
            pending.clear();
            heartbeat.run();
            afterFlush.accept(writtenThisRun);
        }

        /** Ends this delivery's claim once it stops writing without recording the slice. */
        void release() {
            if (claim == null) return;
            try {
                jobStore.releaseSliceWriting(projectId, slice, claim);
            } catch (RuntimeException e) {
                // the claim lapses on its own
                LOG.warn("grid job {}: claim on slice {} not released: {}", projectId, slice, e.toString());
            }
            claim = null;
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
