package dev.tmserverless.aws.queue;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Sends bulk jobs; the message names the job item, which holds everything else (its cursor included). */
@Singleton
public class BulkJobs {
    private final SqsClient sqs;
    private final TmConfig config;

    public BulkJobs(SqsClient sqs, TmConfig config) {
        this.sqs = sqs;
        this.config = config;
    }

    public void send(long projectId, String jobId) {
        sqs.sendMessage(b -> b.queueUrl(config.queueUrl(Resources.BULK_JOBS))
                .messageBody("{\"projectId\":" + projectId + ",\"jobId\":\"" + jobId + "\"}"));
    }
}
