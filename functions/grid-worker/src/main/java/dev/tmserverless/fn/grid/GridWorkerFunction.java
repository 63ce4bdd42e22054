package dev.tmserverless.fn.grid;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.queue.GridJobs;
import dev.tmserverless.aws.queue.SqsBatch;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.error.ApiException;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.BeanProvider;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Instant;
import java.util.List;

/**
 * Consumes grid jobs (docs/grid-jobs.md). A job message plans the job and sends one message per
 * slice (a job of one slice is written at once); a slice message writes its slice. While it works, a worker holds
 * its message on a short lease that it renews after each flush, and touches the job's {@code updated}: a worker that
 * dies (killed, timed out, out of memory) lets its message come back after the lease, not after the queue's
 * visibility timeout, and the redelivery rewrites the slice identically.
 *
 * <p>A failing message is reported as a batch item failure and made visible again after a short backoff; the
 * failure is recorded on the job at once, and on the last allowed receive the job is marked FAILED, so its status
 * tells the client even when the message ends in the dead-letter queue.
 */
public class GridWorkerFunction extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(GridWorkerFunction.class);

    @Inject GridWriter writer;
    @Inject GridJobStore jobStore;
    @Inject GridJobs jobs;
    @Inject TmConfig config;
    /** Only built when a message is leased or a retry is scheduled. */
    @Inject BeanProvider<SqsClient> sqs;

    public GridWorkerFunction() { super(); }

    public GridWorkerFunction(ApplicationContextBuilder builder) { super(builder); }

    /** A grid job message: the whole job ({@code slice} null) or one slice of it. */
    record Work(long projectId, Integer slice) {}

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        return SqsBatch.handle(Resources.GRID_WORKER, event, LOG, "grid job", new SqsBatch.Consumer<Work>() {
            @Override public Work parse(String body) {
                var json = Json.parse(body);
                long projectId = json.path("projectId").asLong(-1);
                if (projectId < 0) return null;
                return new Work(projectId, json.has("slice") ? json.path("slice").asInt() : null);
            }

            @Override public void run(Work w, SQSEvent.SQSMessage raw) {
                GridWorkerFunction.this.run(w, raw);
            }

            @Override public void failed(Work w, SQSEvent.SQSMessage raw, RuntimeException e) {
                recordFailure(w.projectId(), raw);
                retrySoon(raw);
            }
        });
    }

    private void run(Work w, SQSEvent.SQSMessage m) {
        Lease lease = new Lease(w.projectId(), m);
        try {
            if (w.slice() != null) {
                writer.writeSlice(w.projectId(), w.slice(), lease::renew);
                return;
            }
            List<Integer> todo = writer.plan(w.projectId());
            // the last (or only) slice is written here; more are fanned out to concurrent invocations
            if (todo.size() == 1) writer.writeSlice(w.projectId(), todo.get(0), lease::renew);
            else if (!todo.isEmpty()) jobs.sendSlices(w.projectId(), todo);
        } catch (ApiException invalid) {
            // The input was validated at creation, so this is a bug or a tampered input: retrying cannot help.
            LOG.error("grid job {} has invalid input: {}", w.projectId(), invalid.getMessage());
            jobStore.finished(w.projectId(), GridJob.State.FAILED, invalid.getMessage(), Instant.now());
        }
    }

    /**
     * The worker's hold on its message: its visibility is cut to the lease at once and renewed once a third of it
     * has passed, together with the job's heartbeat.
     */
    private final class Lease {
        final long projectId;
        final SQSEvent.SQSMessage m;
        final long leaseNanos = config.gridLease().toNanos();
        long renewed;

        Lease(long projectId, SQSEvent.SQSMessage m) {
            this.projectId = projectId;
            this.m = m;
            extend();
        }

        void renew() {
            if (System.nanoTime() - renewed < leaseNanos / 3) return;
            extend();
            try {
                jobStore.heartbeat(projectId, Instant.now());
            } catch (RuntimeException e) {
                LOG.warn("grid job {}: heartbeat not recorded: {}", projectId, e.toString());
            }
        }

        private void extend() {
            renewed = System.nanoTime();
            if (m.getReceiptHandle() == null) return;
            try {
                sqs.get().changeMessageVisibility(b -> b.queueUrl(config.queueUrl(Resources.GRID_JOBS))
                        .receiptHandle(m.getReceiptHandle()).visibilityTimeout((int) config.gridLease().toSeconds()));
            } catch (RuntimeException e) {
                // the message stays hidden for the queue's visibility timeout: slower recovery, nothing lost
                LOG.warn("grid job message {}: lease not renewed: {}", m.getMessageId(), e.toString());
            }
        }
    }

    private void recordFailure(long projectId, SQSEvent.SQSMessage m) {
        // what the job shows to anybody who can see the project: no internal detail (table names, SDK messages);
        // the log line has it, under the request id named here
        String requestId = org.slf4j.MDC.get("AWSRequestId");
        String error = "Writing the tasks failed" + (requestId == null ? "" : "; the grid worker's log has the details"
                + " under requestId " + requestId);
        int receive = SqsBatch.receiveCount(m);
        if (receive >= Resources.GRID_JOBS.maxReceiveCount()) {
            jobStore.finished(projectId, GridJob.State.FAILED, error, Instant.now());
        } else {
            jobStore.error(projectId, error + " (attempt " + receive + ", will retry)", Instant.now());
        }
    }

    /** Backoff doubling per receive (30 s, 60 s, … by default), never beyond the queue's visibility timeout. */
    private void retrySoon(SQSEvent.SQSMessage m) {
        if (m.getReceiptHandle() == null) return;
        long seconds = Math.min(config.gridRetryBackoff().toSeconds() << Math.min(SqsBatch.receiveCount(m) - 1, 10),
                Resources.GRID_JOBS.visibilityTimeoutSeconds());
        try {
            sqs.get().changeMessageVisibility(b -> b.queueUrl(config.queueUrl(Resources.GRID_JOBS))
                    .receiptHandle(m.getReceiptHandle()).visibilityTimeout((int) seconds));
        } catch (RuntimeException e) {
            LOG.warn("grid job message {} returns after the full visibility timeout: {}", m.getMessageId(), e.toString());
        }
    }
}
