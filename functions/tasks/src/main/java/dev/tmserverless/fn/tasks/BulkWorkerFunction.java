package dev.tmserverless.fn.tasks;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.queue.BulkJobs;
import dev.tmserverless.aws.store.BulkJobStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.BulkJob;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Consumes bulk jobs (docs/workflow.md "Bulk actions"). Each message runs one slice of its job: pages of tasks
 * from the job's cursor until the job is done, the slice's task budget is spent or the function's time is nearly
 * up; then the job is sent again and the message is done. A failing slice is reported as a batch item failure, so
 * the message comes back and resumes from the recorded cursor; on its last receive the job is marked FAILED.
 */
public class BulkWorkerFunction extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(BulkWorkerFunction.class);
    /** Time kept back from the function's timeout for the page in flight, the re-send and the answer. */
    static final Duration MARGIN = Duration.ofSeconds(120);

    @Inject BulkRunner runner;
    @Inject BulkJobs queue;
    @Inject BulkJobStore jobs;
    @Inject TmConfig config;
    Clock clock = Clock.systemUTC();

    public BulkWorkerFunction() { super(); }

    public BulkWorkerFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        try {
            return handle(event);
        } finally {
            dev.tmserverless.aws.observe.Telemetry.endInvocation(dev.tmserverless.core.catalogue.Resources.BULK_WORKER);
        }
    }

    private SQSBatchResponse handle(SQSEvent event) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        if (event.getRecords() == null) return new SQSBatchResponse(failures);
        Instant until = clock.instant().plusSeconds(Resources.function(Resources.BULK_WORKER).timeoutSeconds()).minus(MARGIN);
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            long projectId = -1;
            String jobId = null;
            try {
                var body = Json.parse(m.getBody());
                projectId = body.path("projectId").asLong(-1);
                jobId = body.path("jobId").asText(null);
            } catch (RuntimeException malformed) {
                // logged below
            }
            if (projectId < 0 || jobId == null) {
                LOG.error("dropping malformed bulk job message {}: {}", m.getMessageId(), m.getBody());
                continue;
            }
            long p = projectId;
            String j = jobId;
            try {
                BulkRunner.Outcome o = runner.run(p, j, config.bulkSliceTasks(), () -> clock.instant().isBefore(until));
                // the cursor is recorded: the next slice resumes there
                if (o == BulkRunner.Outcome.MORE) queue.send(p, j);
            } catch (RuntimeException e) {
                LOG.error("bulk job {} of project {} failed (receive {})", jobId, projectId, receiveCount(m), e);
                failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                recordFailure(projectId, jobId, m, e);
            }
        }
        return new SQSBatchResponse(failures);
    }

    private void recordFailure(long projectId, String jobId, SQSEvent.SQSMessage m, RuntimeException e) {
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        try {
            if (receiveCount(m) >= Resources.BULK_JOBS.maxReceiveCount()) {
                jobs.finished(projectId, jobId, BulkJob.State.FAILED, error, clock.instant());
            } else {
                jobs.error(projectId, jobId, error + " (attempt " + receiveCount(m) + ", will retry)", clock.instant());
            }
        } catch (RuntimeException again) {
            LOG.error("could not record the failure of bulk job {}", jobId, again);
        }
    }

    private static int receiveCount(SQSEvent.SQSMessage m) {
        try {
            return m.getAttributes() == null ? 1 : Integer.parseInt(m.getAttributes().getOrDefault("ApproximateReceiveCount", "1"));
        } catch (RuntimeException e) {
            return 1;
        }
    }
}
