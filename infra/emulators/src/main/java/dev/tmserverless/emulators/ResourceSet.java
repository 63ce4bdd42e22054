package dev.tmserverless.emulators;

import dev.tmserverless.core.catalogue.Resources;
import java.util.Map;

/**
 * The physical names (and queue URLs/ARNs) of one created copy of the catalogue's resources: the default copy
 * ({@link Emulators#createResources()}) or an isolated one ({@link Emulators#isolated(String)}).
 *
 * @param table  the DynamoDB table name of {@link Resources#TABLE}
 * @param bucket the S3 bucket name of {@link Resources#BUCKET}
 * @param queues per catalogue queue id ({@link Resources.Queue#id()}), the queue and its dead-letter queue
 */
public record ResourceSet(String table, String bucket, Map<String, QueuePair> queues) {

    public record QueuePair(String name, String url, String arn, String dlqName, String dlqUrl, String dlqArn) {}

    public ResourceSet {
        queues = Map.copyOf(queues);
    }

    /** The name of a schedule's rule in this copy: {@code <prefix>-<schedule id>}, beside the table's. */
    public String rule(Resources.Schedule schedule) {
        return table.substring(0, table.length() - Resources.TABLE.id().length()) + schedule.id();
    }

    public QueuePair queue(Resources.Queue queue) {
        QueuePair pair = queues.get(queue.id());
        if (pair == null) {
            throw new IllegalArgumentException("no queue " + queue.id() + " in " + this);
        }
        return pair;
    }
}
