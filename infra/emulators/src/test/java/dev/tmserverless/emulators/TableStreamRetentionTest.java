package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a table's stream keeps in memory: a long-running local stack drops the records every feed has read, and a
 * stream nobody reads keeps only its newest records, so writing big grids does not grow the process for ever.
 */
class TableStreamRetentionTest {
    static String table;

    @BeforeAll
    static void start() {
        table = Emulators.shared().isolated("TableStreamRetentionTest").table();
    }

    private static DynamoDbClient through(TableStream stream) {
        return DynamoDbClient.builder().endpointOverride(stream.endpoint()).region(Region.of(Emulators.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        Emulators.ACCESS_KEY_ID, Emulators.SECRET_ACCESS_KEY))).build();
    }

    /** Writes {@code items} items in key order, 25 to a BatchWriteItem call (records follow the batch's order). */
    private static void write(DynamoDbClient client, String pk, int items) {
        for (int from = 0; from < items; from += 25) {
            List<software.amazon.awssdk.services.dynamodb.model.WriteRequest> batch = new java.util.ArrayList<>();
            for (int i = from; i < Math.min(items, from + 25); i++) {
                Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS(pk),
                        "sk", AttributeValue.fromS(String.format("ITEM#%05d", i)), "n", AttributeValue.fromN("1"));
                batch.add(software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder()
                        .putRequest(p -> p.item(item)).build());
            }
            var unprocessed = client.batchWriteItem(b -> b.requestItems(Map.of(table, batch))).unprocessedItems();
            assertThat(unprocessed).isEmpty();
        }
    }

    @Test
    void recordsEveryReaderHasReadAreDroppedAndEachWasDeliveredOnceInOrder() throws Exception {
        int items = 2_500;
        try (TableStream stream = TableStream.start(Emulators.shared().dynamoDbEndpoint(), Emulators.shared().dynamoDb(),
                (pk, sk) -> true, TableStream.Retention.UNTIL_READ);
             DynamoDbClient client = through(stream)) {
            TableStream.Log log = stream.log(table);
            List<String> fast = new CopyOnWriteArrayList<>();
            List<String> slow = new CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            try (StreamPoller a = poller(log, fast, null); StreamPoller b = poller(log, slow, release)) {
                write(client, "KEEP#read", items);
                assertThat(a.awaitCaughtUp(60_000)).isTrue();
                // the slow reader is still in its first batch: every record is kept for it
                assertThat(log.kept()).isEqualTo(items);
                release.countDown();
                assertThat(b.awaitCaughtUp(60_000)).isTrue();
                assertThat(log.kept()).as("records both readers have read").isZero();
                assertThat(log.size()).isEqualTo(items);
                assertThatThrownBy(() -> log.read(0, 10)).isInstanceOf(TableStream.TrimmedException.class);
            }
            List<String> expected = java.util.stream.IntStream.range(0, items)
                    .mapToObj(i -> String.format("ITEM#%05d", i)).toList();
            assertThat(fast).containsExactlyElementsOf(expected);
            assertThat(slow).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void withoutRetentionEveryRecordStaysReadableFromTheStart() throws Exception {
        try (TableStream stream = TableStream.start(Emulators.shared().dynamoDbEndpoint(), Emulators.shared().dynamoDb());
             DynamoDbClient client = through(stream)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            try (StreamPoller p = poller(stream.log(table), seen, null)) {
                write(client, "KEEP#all", 300);
                assertThat(p.awaitCaughtUp(60_000)).isTrue();
            }
            assertThat(stream.log(table).read(0, Integer.MAX_VALUE)).hasSize(300);
        }
    }

    @Test
    void aStreamNobodyReadsKeepsOnlyItsNewestRecords() {
        try (TableStream stream = TableStream.start(Emulators.shared().dynamoDbEndpoint(), Emulators.shared().dynamoDb(),
                (pk, sk) -> true, new TableStream.Retention(false, 100));
             DynamoDbClient client = through(stream)) {
            write(client, "KEEP#newest", 450);
            TableStream.Log log = stream.log(table);
            assertThat(log.size()).isEqualTo(450);
            assertThat(log.kept()).isBetween(100, 199);
            List<DynamodbEvent.DynamodbStreamRecord> newest = log.read(log.size() - 100, 100);
            assertThat(newest.getLast().getDynamodb().getKeys().get("sk").getS()).isEqualTo("ITEM#00449");
            assertThatThrownBy(() -> log.read(0, 1)).isInstanceOf(TableStream.TrimmedException.class);
        }
    }

    @Test
    void aReaderThatFellBehindTheCapSkipsTheExpiredRecordsAndReadsOn() throws Exception {
        try (TableStream stream = TableStream.start(Emulators.shared().dynamoDbEndpoint(), Emulators.shared().dynamoDb(),
                (pk, sk) -> true, new TableStream.Retention(true, 50));
             DynamoDbClient client = through(stream)) {
            TableStream.Log log = stream.log(table);
            write(client, "KEEP#late", 400);
            List<String> seen = new CopyOnWriteArrayList<>();
            List<String> lines = new CopyOnWriteArrayList<>();
            try (StreamPoller p = new StreamPoller(log, 100, 0, r -> true, event -> {
                event.getRecords().forEach(r -> seen.add(r.getDynamodb().getKeys().get("sk").getS()));
                return null;
            }, failed -> { }, lines::add).start()) {
                assertThat(p.awaitCaughtUp(60_000)).isTrue();
            }
            assertThat(seen).isNotEmpty().hasSizeLessThan(400).endsWith("ITEM#00399");
            assertThat(lines).anyMatch(l -> l.contains("expired before they were read"));
        }
    }

    /** A reader that records what it is delivered; with a latch, its first delivery waits for it. */
    private static StreamPoller poller(TableStream.Log log, List<String> seen, java.util.concurrent.CountDownLatch hold) {
        return new StreamPoller(log, 100, 0, r -> true, event -> {
            if (hold != null) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            event.getRecords().forEach(r -> seen.add(r.getDynamodb().getKeys().get("sk").getS()));
            return null;
        }, failed -> { }, line -> { }).start();
    }
}
