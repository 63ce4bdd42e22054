package dev.tmserverless.aws.queue;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Sends grid jobs; the message is just the project id, everything else is in the job item and S3. */
@Singleton
public class GridJobs {
    private final SqsClient sqs;
    private final String url;

    public GridJobs(SqsClient sqs, TmConfig config) {
        this.sqs = sqs;
        this.url = config.queueUrl(Resources.GRID_JOBS);
    }

    public void send(long projectId) {
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"projectId\":" + projectId + "}"));
    }
}
