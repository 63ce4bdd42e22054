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
 * applies each record in stream order, then recomputes what the batch made stale. A record that cannot be applied
 * is reported (with every record after it, which Lambda then delivers again); a failed recomputation reports the
 * batch's first record, so the whole batch comes back: applying a record twice changes nothing.
 */
public class StatsFunction extends MicronautRequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(StatsFunction.class);

    @Inject Aggregator aggregator;

    public StatsFunction() { super(); }

    public StatsFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    public StreamsEventResponse execute(DynamodbEvent event) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
        Aggregator.Dirty dirty = new Aggregator.Dirty();
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord r : records) {
            try {
                var d = r.getDynamodb();
                aggregator.applyWriting(Images.sdk(d.getKeys()), Images.sdk(d.getNewImage()), dirty);
            } catch (RuntimeException e) {
                LOG.warn("record {} not applied: {}", r.getDynamodb().getSequenceNumber(), e.toString());
                failures.add(new StreamsEventResponse.BatchItemFailure(r.getDynamodb().getSequenceNumber()));
                break;
            }
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
