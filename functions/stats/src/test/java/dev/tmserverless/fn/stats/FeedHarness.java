package dev.tmserverless.fn.stats;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.StreamPoller;
import dev.tmserverless.emulators.TableStream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A test class's own table on the shared emulators, reached through the stream emulation, as the local stack
 * runs it: functions created after {@link #start} write through {@link TableStream}, and {@link #feed} delivers
 * the table's records to a handler with the catalogue's batch size, filter and retries.
 */
final class FeedHarness implements AutoCloseable {
    final Isolated isolated;
    final TableStream stream;
    final Isolated.Applied applied;
    final List<DynamodbEvent.DynamodbStreamRecord> givenUp = new CopyOnWriteArrayList<>();
    StreamPoller poller;

    private FeedHarness(Isolated isolated, TableStream stream, Isolated.Applied applied) {
        this.isolated = isolated;
        this.stream = stream;
        this.applied = applied;
    }

    static FeedHarness start(String prefix) {
        Emulators emulators = Emulators.shared();
        Isolated iso = emulators.isolated(prefix);
        // only the keys the feed delivers are recorded: the stats function receives the same records, and the
        // other writes (user task items, counters, the aggregator's own) skip the two reads around each
        TableStream stream = TableStream.start(emulators.dynamoDbEndpoint(), emulators.dynamoDb(), Resources.TABLE_FEED::delivers);
        Map<String, String> env = new HashMap<>(iso.env());
        env.put(Emulators.ENV_ENDPOINT_DYNAMODB, stream.endpoint().toString());
        Isolated withStream = new Isolated(iso.resources(), env, iso.osm());
        return new FeedHarness(withStream, stream, withStream.applyAsSystemProperties());
    }

    TableStream.Log log() {
        return stream.log(isolated.table());
    }

    /** Starts delivering the table's records (from the first) to {@code handler} as the event source mapping does. */
    void feed(Function<DynamodbEvent, Object> handler) {
        Resources.TableFeed feed = Resources.TABLE_FEED;
        poller = new StreamPoller(log(), feed.batchSize(), feed.maxRetries(),
                r -> feed.delivers(r.getDynamodb().getKeys().get("pk").getS(), r.getDynamodb().getKeys().get("sk").getS()),
                handler, givenUp::addAll, line -> { }).start();
    }

    /** Waits until every record committed so far has been delivered. */
    void caughtUp() throws InterruptedException {
        if (!poller.awaitCaughtUp(60_000)) throw new AssertionError("the feed did not catch up within a minute");
    }

    @Override
    public void close() {
        if (poller != null) poller.close();
        applied.close();
        stream.close();
    }
}
