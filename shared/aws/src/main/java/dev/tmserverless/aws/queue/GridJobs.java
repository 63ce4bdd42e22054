package dev.tmserverless.aws.queue;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sends grid jobs: {@code {"projectId"}} plans the job, {@code {"projectId","slice"}} writes one slice of it;
 * everything else is in the job item and S3.
 */
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

    /** Sends one message per slice, ten to a call; throws if any could not be sent (the job message comes back). */
    public void sendSlices(long projectId, java.util.List<Integer> slices) {
        for (int from = 0; from < slices.size(); from += 10) {
            var entries = slices.subList(from, Math.min(slices.size(), from + 10)).stream()
                    .map(k -> software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry.builder()
                            .id("s" + k).messageBody("{\"projectId\":" + projectId + ",\"slice\":" + k + "}").build())
                    .toList();
            var failed = sqs.sendMessageBatch(b -> b.queueUrl(url).entries(entries)).failed();
            if (!failed.isEmpty()) {
                throw new IllegalStateException("could not send " + failed.size() + " grid slice(s) of project "
                        + projectId + ": " + failed.get(0).message());
            }
        }
    }
}
