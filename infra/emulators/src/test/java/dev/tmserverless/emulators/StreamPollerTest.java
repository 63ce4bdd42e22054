package dev.tmserverless.emulators;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local event source mapping over the stream emulation, as the deployed one behaves: filtered records are never
 * delivered, a record the function reports failed comes again with everything after it (and nothing before it),
 * a batch whose invocation throws is split in two until the record that throws is alone, and that record goes to
 * the on-failure destination once its retries are spent while the others are delivered.
 */
class StreamPollerTest {
    static TableStream stream;
    static DynamoDbClient viaStream;
    static String table;

    @BeforeAll
    static void start() {
        Emulators emulators = Emulators.shared();
        table = emulators.isolated("StreamPollerTest").table();
        stream = TableStream.start(emulators.dynamoDbEndpoint(), emulators.dynamoDb());
        viaStream = DynamoDbClient.builder().endpointOverride(stream.endpoint()).region(Region.of(Emulators.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(Emulators.ACCESS_KEY_ID, Emulators.SECRET_ACCESS_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stop() {
        viaStream.close();
        stream.close();
    }

    static String pk(DynamodbEvent.DynamodbStreamRecord r) {
        return r.getDynamodb().getKeys().get("pk").getS();
    }

    @Test
    void aReportedRecordComesAgainWithWhatFollowsAThrowingBatchIsBisectedAndItsPoisonRecordGivenUp() throws Exception {
        for (int i = 0; i < 10; i++) {
            String pk = "ITEM#" + i;
            viaStream.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS("X"))));
            if (i == 5) {
                viaStream.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS("SKIP#" + pk),
                        "sk", AttributeValue.fromS("X"))));
            }
        }
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> givenUp = new CopyOnWriteArrayList<>();
        AtomicBoolean reported = new AtomicBoolean();
        StreamPoller poller = new StreamPoller(stream.log(table), 100, 2, r -> pk(r).startsWith("ITEM#"), event -> {
            List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords();
            records.forEach(r -> seen.add(pk(r)));
            // ITEM#7 makes every invocation it is in fail as a whole
            if (records.stream().anyMatch(r -> pk(r).equals("ITEM#7"))) throw new IllegalStateException("poison");
            for (var r : records) {
                // ITEM#3 cannot be applied the first time: reported, so it and what follows come again
                if (pk(r).equals("ITEM#3") && reported.compareAndSet(false, true)) {
                    return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(
                            r.getDynamodb().getSequenceNumber())));
                }
                handled.merge(pk(r), 1, Integer::sum);
            }
            return new StreamsEventResponse(List.of());
        }, records -> records.forEach(r -> givenUp.add(pk(r))), line -> { });
        try (poller) {
            poller.start();
            assertThat(poller.awaitCaughtUp(60_000)).isTrue();
        }
        assertThat(seen).noneMatch(pk -> pk.startsWith("SKIP#"));
        assertThat(reported).isTrue();
        assertThat(givenUp).containsExactly("ITEM#7");
        for (int i = 0; i < 10; i++) {
            if (i != 7) assertThat(handled.get("ITEM#" + i)).as("ITEM#%d", i).isEqualTo(1);
        }
        assertThat(handled).doesNotContainKey("ITEM#7");
        // the poison record was tried alone: bisected down to it, then its retries
        assertThat(seen.stream().filter("ITEM#7"::equals).count()).isGreaterThan(2);
    }
}
