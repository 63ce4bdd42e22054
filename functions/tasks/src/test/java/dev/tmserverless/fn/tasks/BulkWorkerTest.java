package dev.tmserverless.fn.tasks;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.store.BulkJobStore;
import dev.tmserverless.aws.store.LockClaims;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.BulkJob;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk jobs of large projects through the queue and the bulk worker against the emulators (docs/workflow.md
 * "Bulk actions"): slices that re-queue themselves, a crash and a duplicate delivery, and mappers and validators
 * locking tasks while the job runs.
 */
class BulkWorkerTest {
    static final int SLICE = 700;
    static Isolated.Applied env;
    static TasksFunction fn;
    static BulkWorkerFunction worker;
    static BulkRunner runner;
    static Fixture fx;
    static SqsClient sqs;
    static String queueUrl;
    static BulkJobStore jobs;
    static LockClaims claims;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("bulk-worker").applyAsSystemProperties();
        System.setProperty("TM_BULK_SLICE_TASKS", Integer.toString(SLICE));
        fn = new TasksFunction();
        worker = new BulkWorkerFunction();
        runner = worker.getApplicationContext().getBean(BulkRunner.class);
        fx = new Fixture(fn.getApplicationContext());
        sqs = fn.getApplicationContext().getBean(SqsClient.class);
        queueUrl = fn.getApplicationContext().getBean(TmConfig.class).queueUrl(Resources.BULK_JOBS);
        jobs = fn.getApplicationContext().getBean(BulkJobStore.class);
        claims = fn.getApplicationContext().getBean(LockClaims.class);
    }

    @AfterEach
    void heal() {
        runner.afterPageWrites = () -> {};
        // jobs run directly by a test leave their message behind: each test starts with an empty queue
        for (Message m = receive(); m != null; m = receive()) delete(m);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_BULK_SLICE_TASKS");
        worker.close();
        fn.close();
        env.close();
    }

    static SQSEvent event(Message m, int receive) {
        SQSEvent.SQSMessage s = new SQSEvent.SQSMessage();
        s.setMessageId(m.messageId());
        s.setBody(m.body());
        s.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receive)));
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(s));
        return e;
    }

    /** The next message of the bulk queue, or null when it stays empty for a second. */
    static Message receive() {
        List<Message> ms = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        return ms.isEmpty() ? null : ms.get(0);
    }

    static void delete(Message m) {
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
    }

    static String action(long p, String name) { return "/api/v2/projects/" + p + "/tasks/actions/" + name + "/"; }

    @Test
    void aLargeProjectIsMappedInSlicesThroughACrashAndADuplicateAndEveryTaskOnce() {
        User pm = fx.user("pm");
        int n = 3000;
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, n);
        var a = call(fn, "POST", action(p.id(), "map-all"), token(pm.id()), null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("Success").asText()).isEqualTo("All tasks mapped");
        // answered before any task changed: the worker does the work
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.READY);
        var queued = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/bulk-job/", token(pm.id()), null);
        assertThat(queued.json().path("state").asText()).isEqualTo("QUEUED");
        assertThat(queued.json().path("total").asLong()).isEqualTo(n);

        // the 12th page crashes after its task writes, before its cursor is recorded
        AtomicInteger pages = new AtomicInteger();
        runner.afterPageWrites = () -> {
            if (pages.incrementAndGet() == 12) throw new IllegalStateException("simulated crash");
        };
        int slices = 0;
        AtomicBoolean crashed = new AtomicBoolean();
        boolean duplicated = false;
        for (Message m = receive(); m != null; m = receive()) {
            deliver(m, p.id(), crashed);
            slices++;
            if (!duplicated) {
                // SQS may deliver a message twice: the second delivery finds its work done or continues it
                duplicated = true;
                deliver(m, p.id(), crashed);
            }
            delete(m);
        }
        assertThat(crashed.get()).isTrue();
        assertThat(slices).isGreaterThanOrEqualTo(n / SLICE);
        BulkJob job = jobs.latest(p.id()).orElseThrow();
        assertThat(job.state()).isEqualTo(BulkJob.State.DONE);
        assertThat(job.cursor()).isEqualTo(n);
        List<Task> all = fx.tasks.list(p.id());
        assertThat(all).hasSize(n).allMatch(t -> t.status() == TaskStatus.MAPPED && t.mappedBy() == pm.id());
        // every task was changed exactly once
        for (Task t : all) {
            assertThat(t.history()).as("task %d", t.taskId()).extracting(HistoryEntry::action)
                    .containsExactly(TaskAction.LOCKED_FOR_MAPPING, TaskAction.STATE_CHANGE);
        }
        assertThat(fx.projects.get(p.id()).orElseThrow().counters()).isEqualTo(ProjectCounters.of(all));
        var done = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/bulk-job/", token(pm.id()), null);
        assertThat(done.json().path("state").asText()).isEqualTo("DONE");
        assertThat(done.json().path("processed").asLong()).isEqualTo(n);
    }

    @Test
    void aJobWhoseMessageWasLostIsSentAgainWhenItsProgressIsReadAfterItWentStale() {
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 600);
        assertThat(call(fn, "POST", action(p.id(), "reset-all"), token(pm.id()), null).status()).isEqualTo(200);
        Message lost = receive();
        assertThat(lost).isNotNull();
        delete(lost);
        String path = "/api/v2/projects/" + p.id() + "/tasks/queries/bulk-job/";
        assertThat(call(fn, "GET", path, token(pm.id()), null).json().path("state").asText()).isEqualTo("QUEUED");
        assertThat(receive()).as("not stale yet").isNull();
        BulkService service = fn.getApplicationContext().getBean(BulkService.class);
        service.clock = java.time.Clock.offset(java.time.Clock.systemUTC(), BulkService.STALE.plusMinutes(1));
        try {
            assertThat(call(fn, "GET", path, token(pm.id()), null).status()).isEqualTo(200);
            // a second read in the same stale period sends nothing more
            assertThat(call(fn, "GET", path, token(pm.id()), null).status()).isEqualTo(200);
        } finally {
            service.clock = java.time.Clock.systemUTC();
        }
        Message again = receive();
        assertThat(again).isNotNull();
        assertThat(again.body()).contains(jobs.latest(p.id()).orElseThrow().jobId());
        assertThat(worker.execute(event(again, 1)).getBatchItemFailures()).isEmpty();
        delete(again);
        assertThat(receive()).isNull();
        assertThat(jobs.latest(p.id()).orElseThrow().state()).isEqualTo(BulkJob.State.DONE);
    }

    /** One delivery; a failed one comes back (receive 2) and resumes from the recorded cursor. */
    private static void deliver(Message m, long projectId, AtomicBoolean crashed) {
        SQSBatchResponse r = worker.execute(event(m, 1));
        if (r.getBatchItemFailures().isEmpty()) return;
        assertThat(crashed.getAndSet(true)).as("one crash only").isFalse();
        assertThat(jobs.latest(projectId).orElseThrow().error()).contains("simulated crash");
        assertThat(worker.execute(event(m, 2)).getBatchItemFailures()).isEmpty();
    }

    /** Runs the project's latest bulk job to the end in another thread while {@code mappers} run. */
    private static Future<?> runLatestJob(ExecutorService pool, long projectId) {
        String jobId = jobs.latest(projectId).orElseThrow().jobId();
        return pool.submit(() -> {
            while (runner.run(projectId, jobId, Integer.MAX_VALUE, () -> true) == BulkRunner.Outcome.MORE) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void validatorsLockingWhileValidateAllRunsKeepTheirLocks() throws Exception {
        User pm = fx.user("pm");
        User mapper = fx.user("mapper");
        int n = 800;
        Project p = ValidationTest.mappedProject(fx, mapper, n);
        long projectId = p.id();
        pm = fx.users.get(p.authorId()).orElseThrow();
        fx.projects.addCounters(projectId, new CounterDelta(n, 0, 0));
        assertThat(call(fn, "POST", action(projectId, "validate-all"), token(pm.id()), null).status()).isEqualTo(200);
        int threads = 6;
        List<User> validators = new ArrayList<>();
        for (int i = 0; i < threads * 15; i++) validators.add(ValidationTest.validator(fx, "v"));
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Future<List<long[]>>> lockers = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                int first = k * 15;
                lockers.add(pool.submit(() -> {
                    List<long[]> won = new ArrayList<>();
                    Random rnd = new Random(first);
                    for (int i = 0; i < 15 && running.get(); i++) {
                        User v = validators.get(first + i);
                        int task = 1 + rnd.nextInt(n);
                        Api.Answer a = call(fn, "POST", ValidationTest.lockV(projectId), token(v.id()),
                                "{\"taskIds\": [" + task + "]}");
                        if (a.status() == 200) won.add(new long[]{task, v.id()});
                    }
                    return won;
                }));
            }
            Future<?> job = runLatestJob(pool, projectId);
            job.get();
            running.set(false);
            int won = 0;
            for (Future<List<long[]>> f : lockers) {
                for (long[] w : f.get()) {
                    won++;
                    Task t = fx.tasks.get(projectId, (int) w[0]).orElseThrow();
                    assertThat(t.status()).as("task %d locked by %d", w[0], w[1]).isEqualTo(TaskStatus.LOCKED_FOR_VALIDATION);
                    assertThat(t.lockedBy()).isEqualTo(w[1]);
                    assertThat(claims.get(w[1])).isPresent();
                }
            }
            assertThat(won).isPositive();
            List<Task> all = fx.tasks.list(projectId);
            assertThat(all).allMatch(t -> t.status() == TaskStatus.VALIDATED || t.status() == TaskStatus.LOCKED_FOR_VALIDATION);
            assertThat(fx.projects.get(projectId).orElseThrow().counters()).isEqualTo(ProjectCounters.of(all));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mappersLockingWhileMapAllRunsLoseTheirLocksAndSlots() throws Exception {
        User pm = fx.user("pm");
        int n = 800;
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, n);
        long projectId = p.id();
        assertThat(call(fn, "POST", action(projectId, "map-all"), token(pm.id()), null).status()).isEqualTo(200);
        int threads = 6;
        List<User> mappers = new ArrayList<>();
        for (int i = 0; i < threads * 15; i++) mappers.add(fx.user("m"));
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<List<long[]>>> lockers = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                int first = k * 15;
                lockers.add(pool.submit(() -> {
                    List<long[]> won = new ArrayList<>();
                    Random rnd = new Random(first);
                    for (int i = 0; i < 15; i++) {
                        User m = mappers.get(first + i);
                        int task = 1 + rnd.nextInt(n);
                        if (call(fn, "POST", lock(projectId, task), token(m.id()), null).status() == 200) {
                            won.add(new long[]{task, m.id()});
                        }
                    }
                    return won;
                }));
            }
            runLatestJob(pool, projectId).get();
            int won = 0;
            for (Future<List<long[]>> f : lockers) {
                for (long[] w : f.get()) {
                    won++;
                    Task t = fx.tasks.get(projectId, (int) w[0]).orElseThrow();
                    if (t.status() == TaskStatus.LOCKED_FOR_MAPPING) {
                        // locked after map-all had passed: impossible, map-all leaves no task lockable
                        throw new AssertionError("task " + w[0] + " still locked after map-all");
                    }
                    assertThat(t.status()).isEqualTo(TaskStatus.MAPPED);
                    // the holder's lock row is there, closed, and their slot is free
                    assertThat(t.history()).anyMatch(h -> h.action() == TaskAction.LOCKED_FOR_MAPPING
                            && h.userId() == w[1] && h.actionText() != null);
                    assertThat(claims.get(w[1])).as("slot of %d", w[1]).isEmpty();
                }
            }
            assertThat(won).isPositive();
            List<Task> all = fx.tasks.list(projectId);
            assertThat(all).allMatch(t -> t.status() == TaskStatus.MAPPED);
            assertThat(fx.projects.get(projectId).orElseThrow().counters()).isEqualTo(ProjectCounters.of(all));
        } finally {
            pool.shutdownNow();
        }
    }
}
