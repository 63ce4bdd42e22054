package dev.tmserverless.fn.stats;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The statistics aggregator, fed by the table's change stream (the catalogue's {@code Resources.TABLE_FEED}):
 * applies the batch's records, then recomputes what the batch made stale. The earliest record that could not be
 * applied is reported (Lambda delivers it and everything after it again); a failed recomputation reports the
 * batch's first record, so the whole batch comes back: applying a record twice changes nothing.
 */
public class StatsFunction extends MicronautRequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(StatsFunction.class);

    @Inject Aggregator aggregator;
    @Inject dev.tmserverless.aws.schedule.SweepSchedule sweep;

    public StatsFunction() { super(); }

    public StatsFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    public StreamsEventResponse execute(DynamodbEvent event) {
        try {
            return handle(event);
        } finally {
            dev.tmserverless.aws.observe.Telemetry.endInvocation(dev.tmserverless.core.catalogue.Resources.STATS);
        }
    }

    private StreamsEventResponse handle(DynamodbEvent event) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        Aggregator.Dirty dirty = new Aggregator.Dirty();
        List<Aggregator.Change> changes = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord r : records) {
            var d = r.getDynamodb();
            changes.add(new Aggregator.Change(Images.sdk(d.getKeys()), Images.sdk(d.getNewImage()), d.getSequenceNumber()));
        }
        // a committed task transition or project change can give the sweeper work (a lock to expire, a snapshot
        // or counters to check, a purge): arm its schedule; if that fails the batch comes again (docs/locking.md "Expiry")
        if (changes.stream().anyMatch(Aggregator::givesSweeperWork)) {
            try {
                sweep.armWriting();
            } catch (RuntimeException e) {
                LOG.warn("lock sweep schedule not armed: {}", e.toString());
                return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(
                        records.get(0).getDynamodb().getSequenceNumber())));
            }
        }
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        String failed = aggregator.applyWriting(changes, dirty);
        if (failed != null) {
            LOG.warn("record {} not applied", failed);
            failures.add(new StreamsEventResponse.BatchItemFailure(failed));
        }
        try {
            aggregator.recomputeWriting(dirty);
        } catch (RuntimeException e) {
            LOG.warn("recomputation failed: {}", e.toString());
            if (!records.isEmpty()) {
                return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(
                        records.get(0).getDynamodb().getSequenceNumber())));
            }
        }
        return new StreamsEventResponse(failures);
    }
}
