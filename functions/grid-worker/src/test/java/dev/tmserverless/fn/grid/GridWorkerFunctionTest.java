package dev.tmserverless.fn.grid;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.geo.Aoi;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TaskGrid;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.MultiPolygon;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The grid worker against the emulators: exact results under repeats, crashes and concurrent deliveries. */
class GridWorkerFunctionTest {
    static final String AOI = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
             "coordinates":[[[-4.02,56.09],[-3.995,56.09],[-3.99,56.1],[-4.02,56.103],[-4.02,56.09]]]}}]}""";
    static final int ZOOM = 18;
    static final int SLICE = 150;
    static software.amazon.awssdk.services.sqs.SqsClient sqs;
    static String url;

    static Isolated.Applied env;
    static GridWorkerFunction fn;
    static GridWriter writer;
    static Fixture fx;
    static BlobStore blobs;
    static User author;
    static MultiPolygon aoi;
    static long expected;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("grid-worker").applyAsSystemProperties();
        fn = new GridWorkerFunction();
        writer = fn.getApplicationContext().getBean(GridWriter.class);
        // one call in flight: a flush is FLUSH tasks, which the crash tests count on (parallel writes: below)
        writer.parallelism = 1;
        // slices of 150 tasks: the test grid fans out into several slices
        writer.sliceTasks = SLICE;
        sqs = fn.getApplicationContext().getBean(software.amazon.awssdk.services.sqs.SqsClient.class);
        url = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class)
                .queueUrl(dev.tmserverless.core.catalogue.Resources.GRID_JOBS);
        fx = new Fixture(fn.getApplicationContext());
        blobs = fn.getApplicationContext().getBean(BlobStore.class);
        author = fx.user("author");
        aoi = Aoi.normalise(Json.parse(AOI));
        expected = TaskGrid.count(aoi, ZOOM);
    }

    @AfterEach
    void heal() {
        writer.afterFlush = n -> {};
        writer.beforeWrite = (slice, batches) -> {};
        writer.clock = java.time.Clock.systemUTC();
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    /** A draft project whose grid job is queued, as the projects function leaves it. */
    static long queuedProject(boolean clip) {
        long id = fx.counters.next("PROJECT");
        fx.projects.create(Project.draft(id, "Grid", author, 1, "GRID", false, "OSM", new double[4], new double[2], 1,
                Instant.now()));
        blobs.put(BlobStore.aoiKey(id), Json.write(GeoJson.write(aoi)));
        fx.jobs.put(new GridJob(id, GridJob.State.QUEUED, "GRID", ZOOM, clip, null, 0, null, Instant.now()));
        return id;
    }

    static SQSEvent message(long projectId, int receiveCount) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-" + projectId + "-" + receiveCount);
        m.setBody("{\"projectId\":" + projectId + "}");
        m.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }

    static SQSBatchResponse deliver(long projectId, int receiveCount) {
        return fn.handleRequest(message(projectId, receiveCount), new Api.TestContext());
    }

    static SQSBatchResponse deliverSlice(long projectId, int slice, int receiveCount) {
        SQSEvent e = message(projectId, receiveCount);
        e.getRecords().get(0).setMessageId("m-" + projectId + "-s" + slice + "-" + receiveCount);
        e.getRecords().get(0).setBody("{\"projectId\":" + projectId + ",\"slice\":" + slice + "}");
        return fn.handleRequest(e, new Api.TestContext());
    }

    /** The slices the job message sent to the real queue, read off it (and deleted) in slice order. */
    static List<Integer> sentSlices(long projectId) {
        List<Integer> slices = new java.util.ArrayList<>();
        while (true) {
            var got = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (got.isEmpty()) break;
            for (var msg : got) {
                var body = Json.parse(msg.body());
                if (body.path("projectId").asLong() == projectId && body.has("slice")) slices.add(body.path("slice").asInt());
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(msg.receiptHandle()));
            }
        }
        java.util.Collections.sort(slices);
        return slices;
    }

    static int sliceCount() { return (int) ((expected + SLICE - 1) / SLICE); }

    /** The job message fans the job out; then every slice is delivered once. */
    static void runWholeJob(long projectId) {
        assertThat(deliver(projectId, 1).getBatchItemFailures()).isEmpty();
        for (int k : sentSlices(projectId)) assertThat(deliverSlice(projectId, k, 1).getBatchItemFailures()).isEmpty();
    }

    /** The project has exactly the expected tasks: ids 1..N, each READY and untouched, matching the grid. */
    static void assertExactGrid(long projectId) {
        List<Task> tasks = fx.tasks.list(projectId);
        assertThat(tasks).hasSize((int) expected);
        for (int i = 0; i < tasks.size(); i++) {
            assertThat(tasks.get(i).taskId()).isEqualTo(i + 1);
            assertThat(tasks.get(i).version()).isZero();
        }
        StringBuilder want = new StringBuilder();
        TaskGrid.generate(aoi, ZOOM, true, 0, s -> want.append(s.x()).append('/').append(s.y()).append(','));
        StringBuilder got = new StringBuilder();
        tasks.forEach(t -> got.append(t.x()).append('/').append(t.y()).append(','));
        assertThat(got.toString()).isEqualTo(want.toString());
        assertThat(fx.projects.get(projectId).orElseThrow().counters().totalTasks()).isEqualTo(expected);
        GridJob job = fx.jobs.get(projectId).orElseThrow();
        assertThat(job.state()).isEqualTo(GridJob.State.DONE);
        assertThat(job.written()).isEqualTo(expected);
        assertThat(job.total()).isEqualTo(expected);
    }

    @Test
    void aJobWritesTheWholeClippedGrid() throws Exception {
        assertThat(expected).isGreaterThan(3 * GridWriter.FLUSH);
        assertThat(sliceCount()).isGreaterThan(2);
        long id = queuedProject(true);
        List<String> lines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (AutoCloseable c = dev.tmserverless.aws.observe.Telemetry.capture(lines::add)) {
            assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
            // the job message wrote nothing itself: it sent one message per slice
            assertThat(fx.tasks.list(id)).isEmpty();
            List<Integer> slices = sentSlices(id);
            assertThat(slices).isEqualTo(java.util.stream.IntStream.range(0, sliceCount()).boxed().toList());
            for (int k : slices) assertThat(deliverSlice(id, k, 1).getBatchItemFailures()).isEmpty();
        }
        assertExactGrid(id);
        // each invocation's embedded-metric document counts the tasks it stored (docs/operations.md)
        var emf = lines.stream().map(Json::parse).filter(l -> l.has("_aws")).toList();
        assertThat(emf).hasSize(sliceCount());
        assertThat(emf.get(0).path("Function").asText()).isEqualTo("grid-worker");
        assertThat(emf.stream().mapToLong(l -> l.path("GridTasksWritten").asLong()).sum()).isEqualTo(expected);
        assertThat(emf.get(0).path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").toString())
                .isEqualTo("[{\"Name\":\"GridTasksWritten\",\"Unit\":\"Count\"}]");
        // tiles cut by the AOI edge are stored with their clipped geometry; whole tiles are not stored at all
        Map<Integer, String> geometries = fx.shapes.geometries(id);
        assertThat(geometries).isNotEmpty().hasSizeLessThan((int) expected);
        assertThat(fx.tasks.list(id).stream().filter(t -> !t.isSquare()).count()).isEqualTo(geometries.size());
    }

    @Test
    void theSameJobDeliveredTwiceEndsWithTheSameTasks() {
        long id = queuedProject(true);
        runWholeJob(id);
        // a task is locked after the job is done; a late duplicate must not reset it
        Task first = fx.tasks.get(id, 1).orElseThrow();
        var locked = dev.tmserverless.core.domain.TaskMachine.lockForMapping(first, author.actor(), Instant.now(),
                java.time.Duration.ofHours(2));
        assertThat(fx.tasks.apply(locked)).isTrue();
        assertThat(deliver(id, 2).getBatchItemFailures()).isEmpty();
        assertThat(deliverSlice(id, 0, 2).getBatchItemFailures()).isEmpty();
        assertThat(sentSlices(id)).isEmpty();
        assertThat(fx.tasks.get(id, 1).orElseThrow().lockedBy()).isEqualTo(author.id());
        assertThat(fx.tasks.list(id)).hasSize((int) expected);
    }

    /** Locks task 1 for one mapper, and has another map task 2, as the tasks function's transition unit writes them. */
    static void lockOneMapAnother(long projectId, User mapper, User other) {
        Instant now = Instant.now();
        var lock = dev.tmserverless.core.domain.TaskMachine.lockForMapping(fx.tasks.get(projectId, 1).orElseThrow(),
                mapper.actor(), now, java.time.Duration.ofHours(2));
        assertThat(fx.tasks.apply(lock)).isTrue();
        var lock2 = dev.tmserverless.core.domain.TaskMachine.lockForMapping(fx.tasks.get(projectId, 2).orElseThrow(),
                other.actor(), now, java.time.Duration.ofHours(2));
        assertThat(fx.tasks.apply(lock2)).isTrue();
        var mapped = dev.tmserverless.core.domain.TaskMachine.unlockAfterMapping(fx.tasks.get(projectId, 2).orElseThrow(), other.actor(), now,
                "MAPPED", "done");
        assertThat(fx.tasks.apply(mapped)).isTrue();
    }

    /** Task 1 still locked by {@code mapper}, task 2 still mapped by {@code other}; the job DONE with exactly ids 1..N. */
    static void assertWorkSurvivedAndJobDone(long projectId, User mapper, User other) {
        Task one = fx.tasks.get(projectId, 1).orElseThrow();
        assertThat(one.status()).isEqualTo(dev.tmserverless.core.domain.TaskStatus.LOCKED_FOR_MAPPING);
        assertThat(one.lockedBy()).isEqualTo(mapper.id());
        Task two = fx.tasks.get(projectId, 2).orElseThrow();
        assertThat(two.status()).isEqualTo(dev.tmserverless.core.domain.TaskStatus.MAPPED);
        assertThat(two.mappedBy()).isEqualTo(other.id());
        assertThat(fx.tasks.list(projectId)).extracting(Task::taskId)
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, (int) expected).boxed().toList());
        GridJob job = fx.jobs.get(projectId).orElseThrow();
        assertThat(job.state()).isEqualTo(GridJob.State.DONE);
        assertThat(job.written()).isEqualTo(expected);
        assertThat(fx.projects.get(projectId).orElseThrow().counters().totalTasks()).isEqualTo(expected);
    }

    /**
     * Runs {@code delivery} on its own thread and holds it before the writes of its first flush (after its checks
     * found the job RUNNING and the slice unrecorded); returns once it is held, with whether it writes batches.
     */
    static final class Held implements AutoCloseable {
        final CountDownLatch atWrite = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicReference<Boolean> batches = new java.util.concurrent.atomic.AtomicReference<>();
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        final Future<SQSBatchResponse> result;

        Held(java.util.concurrent.Callable<SQSBatchResponse> delivery) throws InterruptedException {
            java.util.Set<Thread> mine = java.util.concurrent.ConcurrentHashMap.newKeySet();
            writer.beforeWrite = (slice, batch) -> {
                if (!mine.contains(Thread.currentThread()) || atWrite.getCount() == 0) return;
                batches.set(batch);
                atWrite.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            result = pool.submit(() -> {
                mine.add(Thread.currentThread());
                return delivery.call();
            });
            assertThat(atWrite.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the delivery reached its writes").isTrue();
        }

        SQSBatchResponse resumeAndGet() throws Exception {
            resume.countDown();
            return result.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override public void close() {
            resume.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A redelivery of a slice (its first delivery died half-way) checks the job while it runs and is held before its
     * writes; meanwhile a third delivery finishes the slice, the job is DONE, one mapper locks task 1 and another
     * maps task 2. When the held redelivery writes, both survive: it writes only the tasks that do not exist.
     */
    @Test
    void aRedeliveredSliceThatWritesAfterTheJobIsDoneLeavesLockedAndMappedTasksAlone() throws Exception {
        User mapper = fx.user("redelivery-mapper");
        User other = fx.user("redelivery-other");
        long id = queuedProject(true);
        assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
        for (int k : sentSlices(id)) if (k != 0) assertThat(deliverSlice(id, k, 1).getBatchItemFailures()).isEmpty();
        writer.afterFlush = n -> { throw new IllegalStateException("worker killed"); };
        assertThat(deliverSlice(id, 0, 1).getBatchItemFailures()).hasSize(1);
        writer.afterFlush = n -> {};
        try (Held late = new Held(() -> deliverSlice(id, 0, 2))) {
            assertThat(late.batches.get()).as("a slice started before is written conditionally").isFalse();
            assertThat(deliverSlice(id, 0, 3).getBatchItemFailures()).isEmpty();
            assertThat(fx.jobs.get(id).orElseThrow().state()).isEqualTo(GridJob.State.DONE);
            lockOneMapAnother(id, mapper, other);
            assertThat(late.resumeAndGet().getBatchItemFailures()).isEmpty();
        }
        assertWorkSurvivedAndJobDone(id, mapper, other);
    }

    /**
     * The first delivery of a slice (which writes batches) stalls after its checks for longer than its claim: a
     * redelivery writes the slice and records it once the claim has lapsed, the job is DONE, tasks are locked and
     * mapped. When the stalled delivery wakes, its batch is refused by its own deadline and nothing is reset.
     */
    @Test
    void aFirstDeliveryThatStallsPastItsClaimNeverResetsTasks() throws Exception {
        User mapper = fx.user("stall-mapper");
        User other = fx.user("stall-other");
        long id = queuedProject(true);
        assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
        for (int k : sentSlices(id)) if (k != 0) assertThat(deliverSlice(id, k, 1).getBatchItemFailures()).isEmpty();
        try (Held stalled = new Held(() -> deliverSlice(id, 0, 1))) {
            assertThat(stalled.batches.get()).as("the first delivery writes batches").isTrue();
            // while its claim is live nobody else may record the slice: the job cannot be DONE
            assertThat(fx.jobs.sliceDoneWriting(id, 0, SLICE, "someone-else", Instant.now())).isEmpty();
            // the stall outlasts the claim (the writer's clock moves on)
            writer.clock = java.time.Clock.offset(java.time.Clock.systemUTC(),
                    writer.claimLength().plus(java.time.Duration.ofMinutes(1)));
            assertThat(deliverSlice(id, 0, 2).getBatchItemFailures()).isEmpty();
            assertThat(fx.jobs.get(id).orElseThrow().state()).isEqualTo(GridJob.State.DONE);
            lockOneMapAnother(id, mapper, other);
            assertThat(stalled.resumeAndGet().getBatchItemFailures()).isEmpty();
        }
        assertWorkSurvivedAndJobDone(id, mapper, other);
    }

    @Test
    void aSliceKilledHalfWayIsRewrittenByTheRetry() {
        long id = queuedProject(true);
        assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
        List<Integer> slices = sentSlices(id);
        writer.afterFlush = n -> {
            if (n >= GridWriter.FLUSH) throw new IllegalStateException("worker killed");
        };
        SQSBatchResponse failed = deliverSlice(id, 1, 1);
        assertThat(failed.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("m-" + id + "-s1-1");
        GridJob half = fx.jobs.get(id).orElseThrow();
        assertThat(half.state()).isEqualTo(GridJob.State.RUNNING);
        // a slice counts as written only once it is whole
        assertThat(half.written()).isZero();
        assertThat(half.total()).isEqualTo(expected);
        assertThat(half.error()).startsWith("Writing the tasks failed").contains("will retry").doesNotContain("worker killed");
        writer.afterFlush = n -> {};
        for (int k : slices) assertThat(deliverSlice(id, k, k == 1 ? 2 : 1).getBatchItemFailures()).isEmpty();
        assertExactGrid(id);
    }

    /** Every slice delivered three times at once, beside duplicates of the job message: exactly the grid. */
    @Test
    void concurrentDuplicateDeliveriesEndWithExactlyTheGrid() throws Exception {
        long id = queuedProject(true);
        assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
        List<Integer> slices = sentSlices(id);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SQSBatchResponse>> runs = new java.util.ArrayList<>();
            for (int copy = 0; copy < 3; copy++) {
                runs.add(pool.submit(() -> { go.await(); return deliver(id, 1); }));
                for (int k : slices) runs.add(pool.submit(() -> { go.await(); return deliverSlice(id, k, 1); }));
            }
            go.countDown();
            for (Future<SQSBatchResponse> f : runs) assertThat(f.get().getBatchItemFailures()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
        sentSlices(id); // duplicates of the job message re-sent the slices not yet written: harmless
        assertExactGrid(id);
    }

    @Test
    void theLastAllowedAttemptMarksTheJobFailedWithItsError() {
        long id = queuedProject(true);
        assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
        sentSlices(id);
        writer.afterFlush = n -> { throw new IllegalStateException("storage unavailable"); };
        assertThat(deliverSlice(id, 0, 1).getBatchItemFailures()).hasSize(1);
        assertThat(fx.jobs.get(id).orElseThrow().state()).isEqualTo(GridJob.State.RUNNING);
        assertThat(deliverSlice(id, 0, 3).getBatchItemFailures()).hasSize(1);
        GridJob job = fx.jobs.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(GridJob.State.FAILED);
        // the cause is in the log, not on the job, which anybody who can see the project reads
        assertThat(job.error()).startsWith("Writing the tasks failed; the grid worker's log has the details under requestId ")
                .doesNotContain("storage unavailable").doesNotContain("IllegalStateException");
        // a redelivery after failure changes nothing
        writer.afterFlush = n -> {};
        assertThat(deliver(id, 4).getBatchItemFailures()).isEmpty();
        assertThat(deliverSlice(id, 1, 1).getBatchItemFailures()).isEmpty();
        assertThat(sentSlices(id)).isEmpty();
        assertThat(fx.jobs.get(id).orElseThrow().state()).isEqualTo(GridJob.State.FAILED);
        assertThat(fx.tasks.list(id)).hasSizeLessThan(2 * SLICE);
    }

    @Test
    void malformedMessagesAreDroppedNotRetried() {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("junk");
        m.setBody("{\"nope\": true}");
        m.setAttributes(Map.of());
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        assertThat(fn.handleRequest(e, new Api.TestContext()).getBatchItemFailures()).isEmpty();
    }

    @Test
    void anArbitraryTaskJobKeepsEachFeaturesPropertiesForPerTaskInstructions() {
        long id = fx.counters.next("PROJECT");
        fx.projects.create(Project.draft(id, "Blocks", author, 1, "ARBITRARY", false, "OSM", new double[4], new double[2], 1,
                Instant.now()));
        blobs.put(BlobStore.taskInputKey(id), """
                {"type":"FeatureCollection","features":[
                 {"type":"Feature","properties":{"name":"Block A"},
                  "geometry":{"type":"Polygon","coordinates":[[[-4.0,56.0],[-3.99,56.0],[-3.99,56.01],[-4.0,56.0]]]}},
                 {"type":"Feature","properties":{"name":"Point"},"geometry":{"type":"Point","coordinates":[-4.0,56.0]}},
                 {"type":"Feature","properties":{"name":"Block B","households":12},
                  "geometry":{"type":"MultiPolygon","coordinates":[[[[-3.99,56.0],[-3.98,56.0],[-3.98,56.01],[-3.99,56.0]]]]}}]}""");
        fx.jobs.put(new GridJob(id, GridJob.State.QUEUED, "ARBITRARY", null, false, null, 0, null, Instant.now()));
        assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
        List<Task> tasks = fx.tasks.list(id);
        assertThat(tasks).extracting(Task::taskId).containsExactly(1, 2);
        assertThat(tasks).allSatisfy(t -> {
            assertThat(t.isSquare()).isFalse();
            assertThat(t.x()).isNull();
        });
        var a = fx.shapes.shape(id, 1).orElseThrow();
        assertThat(Json.parse(a.extraJson())).isEqualTo(Json.parse("{\"name\":\"Block A\"}"));
        assertThat(GeoJson.read(Json.parse(a.geometryJson())).getGeometryType()).isEqualTo("MultiPolygon");
        assertThat(Json.parse(fx.shapes.shape(id, 2).orElseThrow().extraJson()))
                .isEqualTo(Json.parse("{\"name\":\"Block B\",\"households\":12}"));
        assertThat(fx.projects.get(id).orElseThrow().counters().totalTasks()).isEqualTo(2);
    }

    /** A draft whose job writes the given task features, as the projects function leaves it. */
    static long featuresProject(String tasks) {
        long id = fx.counters.next("PROJECT");
        fx.projects.create(Project.draft(id, "Shapes", author, 1, "GRID", false, "OSM", new double[4], new double[2], 1,
                Instant.now()));
        blobs.put(BlobStore.taskInputKey(id), tasks);
        fx.jobs.put(new GridJob(id, GridJob.State.QUEUED, "FEATURES", null, false, null, 0, null, Instant.now()));
        return id;
    }

    @Test
    void aTaskAtTheShapeBudgetIsWrittenAndOneOverItFailsTheJobAtOnceNamingIt() {
        int max = dev.tmserverless.core.geo.TaskShapeBudget.MAX_BYTES;
        String small = "{\"type\":\"Feature\",\"properties\":{\"x\":null,\"y\":null,\"zoom\":null,\"isSquare\":false},"
                + "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.02,56.09],[-4.0,56.09],[-4.0,56.1],[-4.02,56.09]]]]}}";
        // exactly at the budget: DynamoDB (dynalite checks the 400 KB item limit) takes the shape item
        long fits = featuresProject(dev.tmserverless.testing.BigShapes.featureCollection(small,
                dev.tmserverless.testing.BigShapes.taskFeature(-4.01, 56.095, max)));
        assertThat(deliver(fits, 1).getBatchItemFailures()).isEmpty();
        assertThat(fx.jobs.get(fits).orElseThrow().state()).isEqualTo(GridJob.State.DONE);
        assertThat(fx.tasks.list(fits)).extracting(Task::taskId).containsExactly(1, 2);
        var shape = fx.shapes.shape(fits, 2).orElseThrow();
        assertThat(shape.geometryJson().length() + shape.extraJson().length()).isEqualTo(max);
        assertThat(GeoJson.read(Json.parse(shape.geometryJson())).getNumPoints()).isGreaterThan(10_000);

        // one byte over (an input the projects function did not check, e.g. a job queued before the rule): the job
        // is FAILED on its first attempt with the task named, nothing written, nothing left to retry
        long over = featuresProject(dev.tmserverless.testing.BigShapes.featureCollection(small,
                dev.tmserverless.testing.BigShapes.taskFeature(-4.01, 56.095, max + 1)));
        assertThat(deliver(over, 1).getBatchItemFailures()).isEmpty();
        GridJob job = fx.jobs.get(over).orElseThrow();
        assertThat(job.state()).isEqualTo(GridJob.State.FAILED);
        assertThat(job.error()).startsWith("Task 2 (an arbitrary or trimmed task) would store "
                + String.format(java.util.Locale.ROOT, "%,d", max + 1) + " bytes");
        assertThat(fx.tasks.list(over)).isEmpty();
    }

    /** Receives one message from the real grid-jobs queue as Lambda's event source mapping would hand it over. */
    static SQSEvent receive(software.amazon.awssdk.services.sqs.SqsClient sqs, String url, int waitSeconds) {
        var got = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1).waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNamesWithStrings("All")).messages();
        if (got.isEmpty()) return null;
        var msg = got.get(0);
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(msg.messageId());
        m.setReceiptHandle(msg.receiptHandle());
        m.setBody(msg.body());
        m.setAttributes(msg.attributesAsStrings());
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }

    @Test
    void aFailedAttemptComesBackAfterItsBackoffNotTheVisibilityTimeout() {
        long id = queuedProject(true);
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"projectId\":" + id + ",\"slice\":0}"));
        // the job is planned (as its job message would) without sending its slices
        assertThat(writer.plan(id)).hasSize(sliceCount());
        System.setProperty("TM_GRID_RETRY_SECONDS", "1");
        try {
            writer.afterFlush = n -> { throw new IllegalStateException("throttled"); };
            SQSEvent first = receive(sqs, url, 5);
            assertThat(first).isNotNull();
            assertThat(fn.handleRequest(first, new Api.TestContext()).getBatchItemFailures()).hasSize(1);
            // the queue's visibility timeout is half an hour; the retry is back within seconds
            long t0 = System.nanoTime();
            SQSEvent second = receive(sqs, url, 10);
            assertThat(second).as("redelivered within 10 s").isNotNull();
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
            assertThat(second.getRecords().get(0).getAttributes()).containsEntry("ApproximateReceiveCount", "2");
            writer.afterFlush = n -> {};
            assertThat(fn.handleRequest(second, new Api.TestContext()).getBatchItemFailures()).isEmpty();
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(second.getRecords().get(0).getReceiptHandle()));
            for (int k = 1; k < sliceCount(); k++) assertThat(deliverSlice(id, k, 1).getBatchItemFailures()).isEmpty();
            assertExactGrid(id);
        } finally {
            System.clearProperty("TM_GRID_RETRY_SECONDS");
        }
    }

    /**
     * A worker that dies without a word (killed, timed out, out of memory: no failure report, no backoff) lets its
     * message come back after its short lease, not after the queue's half-hour visibility timeout.
     */
    @Test
    void aWorkerThatDiesLetsItsMessageBackAfterTheLease() {
        long id = queuedProject(true);
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"projectId\":" + id + ",\"slice\":0}"));
        assertThat(writer.plan(id)).hasSize(sliceCount());
        System.setProperty("TM_GRID_LEASE_SECONDS", "2");
        try {
            writer.afterFlush = n -> { throw new OutOfMemoryError("worker died"); };
            SQSEvent first = receive(sqs, url, 5);
            assertThat(first).isNotNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> fn.handleRequest(first, new Api.TestContext()))
                    .isInstanceOf(OutOfMemoryError.class);
            writer.afterFlush = n -> {};
            long t0 = System.nanoTime();
            SQSEvent second = receive(sqs, url, 15);
            assertThat(second).as("back within the lease").isNotNull();
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
            assertThat(fn.handleRequest(second, new Api.TestContext()).getBatchItemFailures()).isEmpty();
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(second.getRecords().get(0).getReceiptHandle()));
            for (int k = 1; k < sliceCount(); k++) assertThat(deliverSlice(id, k, 1).getBatchItemFailures()).isEmpty();
            assertExactGrid(id);
        } finally {
            System.clearProperty("TM_GRID_LEASE_SECONDS");
        }
    }

    /** Batches written by several calls in flight end with the same exact grid, and resume after a crash. */
    @Test
    void parallelBatchWritesEndWithExactlyTheGridAndResume() {
        writer.parallelism = 4;
        try {
            long id = queuedProject(true);
            assertThat(deliver(id, 1).getBatchItemFailures()).isEmpty();
            List<Integer> slices = sentSlices(id);
            writer.afterFlush = n -> { throw new IllegalStateException("worker killed after its first flush"); };
            assertThat(deliverSlice(id, 0, 1).getBatchItemFailures()).hasSize(1);
            assertThat(fx.jobs.get(id).orElseThrow().written()).isZero();
            writer.afterFlush = n -> {};
            for (int k : slices) assertThat(deliverSlice(id, k, 2).getBatchItemFailures()).isEmpty();
            assertExactGrid(id);
        } finally {
            writer.parallelism = 1;
        // slices of 150 tasks: the test grid fans out into several slices
        writer.sliceTasks = SLICE;
        sqs = fn.getApplicationContext().getBean(software.amazon.awssdk.services.sqs.SqsClient.class);
        url = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class)
                .queueUrl(dev.tmserverless.core.catalogue.Resources.GRID_JOBS);
        }
    }
}
