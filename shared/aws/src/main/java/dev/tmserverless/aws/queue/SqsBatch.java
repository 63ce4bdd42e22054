package dev.tmserverless.aws.queue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.observe.Telemetry;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * The one loop of every SQS consumer (event source mapping with ReportBatchItemFailures): each message is parsed,
 * a malformed one is logged and dropped (retrying cannot make it readable), a message whose work throws is reported
 * as a batch item failure, so only it comes back; the invocation's telemetry is closed at the end.
 */
public final class SqsBatch {
    private SqsBatch() {}

    /** What a consumer does with one message of type {@code T}. */
    public interface Consumer<T> {
        /** The message's content; null (or an exception) when it is malformed: it is then dropped, not retried. */
        T parse(String body);

        /** Does the work; an exception makes this message (only) come back. */
        void run(T message, SQSEvent.SQSMessage raw);

        /** How the log names the message. */
        default String describe(T message) { return String.valueOf(message); }

        /** Called after {@link #run} threw, before the failure is reported (record it on the job, back off…). */
        default void failed(T message, SQSEvent.SQSMessage raw, RuntimeException e) {}
    }

    /** Runs {@code consumer} on each record of {@code event} and reports the failed ones; {@code function} names it. */
    public static <T> SQSBatchResponse handle(String function, SQSEvent event, Logger log, String kind,
                                              Consumer<T> consumer) {
        try {
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            if (event == null || event.getRecords() == null) return new SQSBatchResponse(failures);
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                T message;
                try {
                    message = consumer.parse(m.getBody());
                } catch (RuntimeException malformed) {
                    message = null;
                }
                if (message == null) {
                    log.error("dropping malformed {} message {}: {}", kind, m.getMessageId(), m.getBody());
                    continue;
                }
                try {
                    consumer.run(message, m);
                } catch (RuntimeException e) {
                    log.error("{} {} failed (receive {})", kind, consumer.describe(message), receiveCount(m), e);
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                    try {
                        consumer.failed(message, m, e);
                    } catch (RuntimeException again) {
                        log.error("could not record the failure of {} {}", kind, consumer.describe(message), again);
                    }
                }
            }
            return new SQSBatchResponse(failures);
        } finally {
            Telemetry.endInvocation(function);
        }
    }

    /** How many times SQS has handed this message out (1 on the first delivery). */
    public static int receiveCount(SQSEvent.SQSMessage m) {
        try {
            return m.getAttributes() == null ? 1
                    : Integer.parseInt(m.getAttributes().getOrDefault("ApproximateReceiveCount", "1"));
        } catch (RuntimeException e) {
            return 1;
        }
    }
}
