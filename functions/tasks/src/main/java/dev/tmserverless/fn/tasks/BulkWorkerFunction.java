package dev.tmserverless.fn.tasks;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.queue.BulkJobs;
import dev.tmserverless.aws.queue.SqsBatch;
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

    /** A bulk job message: the job item holds everything else. */
    record Slice(long projectId, String jobId) {}

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        Instant until = clock.instant().plusSeconds(Resources.function(Resources.BULK_WORKER).timeoutSeconds()).minus(MARGIN);
        return SqsBatch.handle(Resources.BULK_WORKER, event, LOG, "bulk job", new SqsBatch.Consumer<Slice>() {
            @Override public Slice parse(String body) {
                var json = Json.parse(body);
                long projectId = json.path("projectId").asLong(-1);
                String jobId = json.path("jobId").asText(null);
                return projectId < 0 || jobId == null ? null : new Slice(projectId, jobId);
            }

            @Override public void run(Slice s, SQSEvent.SQSMessage raw) {
                BulkRunner.Outcome o = runner.run(s.projectId(), s.jobId(), config.bulkSliceTasks(),
                        () -> clock.instant().isBefore(until));
                // the cursor is recorded: the next slice resumes there
                if (o == BulkRunner.Outcome.MORE) queue.send(s.projectId(), s.jobId());
            }

            @Override public void failed(Slice s, SQSEvent.SQSMessage raw, RuntimeException e) {
                recordFailure(s.projectId(), s.jobId(), raw, e);
            }
        });
    }

    private void recordFailure(long projectId, String jobId, SQSEvent.SQSMessage m, RuntimeException e) {
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        try {
            if (SqsBatch.receiveCount(m) >= Resources.BULK_JOBS.maxReceiveCount()) {
                jobs.finished(projectId, jobId, BulkJob.State.FAILED, error, clock.instant());
            } else {
                jobs.error(projectId, jobId, error + " (attempt " + SqsBatch.receiveCount(m) + ", will retry)", clock.instant());
            }
        } catch (RuntimeException again) {
            LOG.error("could not record the failure of bulk job {}", jobId, again);
        }
    }
}
