package dev.tmserverless.fn.grid;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.GridJobStore;
import dev.tmserverless.aws.store.ProjectStore;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Consumes grid jobs. A failing message is reported as a batch item failure and made visible again after a
 * short backoff (the queue's visibility timeout must cover a whole worker run, far too long to wait after a
 * transient fault); the failure is recorded on the job at once, and on the last allowed receive the job is
 * marked FAILED, so its status tells the client even when the message ends in the dead-letter queue.
 */
public class GridWorkerFunction extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(GridWorkerFunction.class);

    @Inject GridWriter writer;
    @Inject ProjectStore projects;
    @Inject GridJobStore jobStore;
    @Inject TmConfig config;
    /** Only built when a retry is scheduled. */
    @Inject BeanProvider<SqsClient> sqs;

    public GridWorkerFunction() { super(); }

    public GridWorkerFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        try {
            return handle(event);
        } finally {
            dev.tmserverless.aws.observe.Telemetry.endInvocation(dev.tmserverless.core.catalogue.Resources.GRID_WORKER);
        }
    }

    private SQSBatchResponse handle(SQSEvent event) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            long projectId = -1;
            try {
                projectId = Json.parse(m.getBody()).path("projectId").asLong(-1);
                if (projectId < 0) {
                    LOG.error("dropping malformed grid job message {}: {}", m.getMessageId(), m.getBody());
                    continue;
                }
                writer.run(projectId);
            } catch (GridWriter.JobAlreadyDone done) {
                LOG.info("grid job {} was finished by another delivery", projectId);
            } catch (ApiException invalid) {
                // The input was validated at creation, so this is a bug or a tampered input: retrying cannot help.
                LOG.error("grid job {} has invalid input: {}", projectId, invalid.getMessage());
                jobStore.finished(projectId, GridJob.State.FAILED, invalid.getMessage(), Instant.now());
            } catch (RuntimeException e) {
                LOG.error("grid job {} failed (receive {})", projectId, receiveCount(m), e);
                failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                if (projectId >= 0) recordFailure(projectId, m, e);
                retrySoon(m);
            }
        }
        return new SQSBatchResponse(failures);
    }

    private void recordFailure(long projectId, SQSEvent.SQSMessage m, RuntimeException e) {
        // what the job shows to anybody who can see the project: no internal detail (table names, SDK messages);
        // the log line above has it, under the request id named here
        String requestId = org.slf4j.MDC.get("AWSRequestId");
        String error = "Writing the tasks failed" + (requestId == null ? "" : "; the grid worker's log has the details"
                + " under requestId " + requestId);
        boolean last = receiveCount(m) >= Resources.GRID_JOBS.maxReceiveCount();
        try {
            if (last) {
                jobStore.finished(projectId, GridJob.State.FAILED, error, Instant.now());
            } else {
                jobStore.error(projectId, error + " (attempt " + receiveCount(m) + ", will retry)", Instant.now());
            }
        } catch (RuntimeException again) {
            LOG.error("could not record the failure of grid job {}", projectId, again);
        }
    }

    /** Backoff doubling per receive (30 s, 60 s, … by default), never beyond the queue's visibility timeout. */
    private void retrySoon(SQSEvent.SQSMessage m) {
        if (m.getReceiptHandle() == null) return;
        long seconds = Math.min(config.gridRetryBackoff().toSeconds() << Math.min(receiveCount(m) - 1, 10),
                Resources.GRID_JOBS.visibilityTimeoutSeconds());
        try {
            sqs.get().changeMessageVisibility(b -> b.queueUrl(config.queueUrl(Resources.GRID_JOBS))
                    .receiptHandle(m.getReceiptHandle()).visibilityTimeout((int) seconds));
        } catch (RuntimeException e) {
            LOG.warn("grid job message {} returns after the full visibility timeout: {}", m.getMessageId(), e.toString());
        }
    }

    private static int receiveCount(SQSEvent.SQSMessage m) {
        try {
            return Integer.parseInt(m.getAttributes().getOrDefault("ApproximateReceiveCount", "1"));
        } catch (RuntimeException e) {
            return 1;
        }
    }
}
