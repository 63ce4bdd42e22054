package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.ResourceSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The local event source mapping against ElasticMQ, with a 1 s visibility timeout. */
class QueuePollerTest {
    static final Emulators EMULATORS = Emulators.shared();
    static final SqsClient SQS = EMULATORS.sqs();
    static final Resources.Queue QUEUE = Resources.GRID_JOBS;

    /** Every record the consumer saw, and the batches. */
    static final class Recorder implements RequestHandler<SQSEvent, SQSBatchResponse> {
        final List<SQSEvent.SQSMessage> records = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final Function<SQSEvent, SQSBatchResponse> behaviour;

        Recorder(Function<SQSEvent, SQSBatchResponse> behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        public SQSBatchResponse handleRequest(SQSEvent event, com.amazonaws.services.lambda.runtime.Context context) {
            records.addAll(event.getRecords());
            batchSizes.add(event.getRecords().size());
            return behaviour.apply(event);
        }

        long count(String body) {
            return records.stream().filter(r -> r.getBody().equals(body)).count();
        }
    }

    private static QueuePoller poller(ResourceSet.QueuePair queue, int batchSize, Recorder recorder) {
        return new QueuePoller(SQS, new QueuePoller.Settings(queue.name(), queue.url(), queue.arn(), batchSize, 1, 1),
                FunctionInvoker.of("consumer", 128, 60, recorder), line -> { });
    }

    private static ResourceSet.QueuePair freshQueue(String name) {
        Isolated isolated = EMULATORS.isolated(name, 1);
        return isolated.resources().queue(QUEUE);
    }

    private static void send(ResourceSet.QueuePair queue, String... bodies) {
        for (String body : bodies) {
            SQS.sendMessage(b -> b.queueUrl(queue.url()).messageBody(body).messageAttributes(Map.of("kind",
                    MessageAttributeValue.builder().dataType("String").stringValue("test").build())));
        }
    }

    @Test
    void batchesAreBuiltLikeLambdaAndSucceededMessagesAreDeleted() {
        ResourceSet.QueuePair queue = freshQueue("poller-batch");
        send(queue, "m1", "m2", "m3", "m4", "m5", "m6", "m7");
        Recorder recorder = new Recorder(event -> new SQSBatchResponse(List.of()));
        try (QueuePoller poller = poller(queue, 3, recorder).start()) {
            await(() -> recorder.records.size() >= 7, Duration.ofSeconds(10));
            await(() -> messagesIn(queue.url()) == 0, Duration.ofSeconds(5));
        }
        assertThat(recorder.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 3));
        assertThat(recorder.records).extracting(SQSEvent.SQSMessage::getBody)
                .containsExactlyInAnyOrder("m1", "m2", "m3", "m4", "m5", "m6", "m7");
        SQSEvent.SQSMessage record = recorder.records.getFirst();
        assertThat(record.getEventSource()).isEqualTo("aws:sqs");
        assertThat(record.getEventSourceArn()).isEqualTo(queue.arn());
        assertThat(record.getAwsRegion()).isEqualTo(Emulators.REGION);
        assertThat(record.getMessageId()).isNotBlank();
        assertThat(record.getReceiptHandle()).isNotBlank();
        assertThat(record.getMd5OfBody()).hasSize(32);
        assertThat(record.getAttributes()).containsEntry("ApproximateReceiveCount", "1").containsKey("SentTimestamp");
        assertThat(record.getMessageAttributes().get("kind").getStringValue()).isEqualTo("test");
        assertThat(record.getMessageAttributes().get("kind").getDataType()).isEqualTo("String");
        // nothing was redelivered after the visibility timeout
        pause(1500);
        assertThat(recorder.records).hasSize(7);
    }

    @Test
    void onlyTheReportedFailureIsRedelivered() {
        ResourceSet.QueuePair queue = freshQueue("poller-partial");
        send(queue, "ok-1", "bad", "ok-2");
        AtomicInteger badSeen = new AtomicInteger();
        Recorder recorder = new Recorder(event -> {
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                if (m.getBody().equals("bad") && badSeen.incrementAndGet() == 1) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
            return new SQSBatchResponse(failures);
        });
        try (QueuePoller poller = poller(queue, 10, recorder).start()) {
            await(() -> recorder.count("bad") == 2, Duration.ofSeconds(10));
            await(() -> messagesIn(queue.url()) == 0, Duration.ofSeconds(5));
            pause(1500);
        }
        assertThat(recorder.count("ok-1")).isEqualTo(1);
        assertThat(recorder.count("ok-2")).isEqualTo(1);
        assertThat(recorder.count("bad")).isEqualTo(2);
        assertThat(recorder.records.stream().filter(r -> r.getBody().equals("bad")).toList().getLast().getAttributes())
                .containsEntry("ApproximateReceiveCount", "2");
    }

    @Test
    void aMessageThatAlwaysFailsEndsInTheDlqAfterMaxReceiveCount() {
        ResourceSet.QueuePair queue = freshQueue("poller-dlq");
        send(queue, "poison", "fine");
        Recorder recorder = new Recorder(event -> new SQSBatchResponse(event.getRecords().stream()
                .filter(m -> m.getBody().equals("poison"))
                .map(m -> new SQSBatchResponse.BatchItemFailure(m.getMessageId())).toList()));
        List<Message> dead = new ArrayList<>();
        try (QueuePoller poller = poller(queue, 10, recorder).start()) {
            await(() -> {
                dead.addAll(SQS.receiveMessage(b -> b.queueUrl(queue.dlqUrl()).waitTimeSeconds(1)).messages());
                return !dead.isEmpty();
            }, Duration.ofSeconds(20));
        }
        assertThat(dead).extracting(Message::body).containsExactly("poison");
        assertThat(recorder.count("poison")).isEqualTo(QUEUE.maxReceiveCount());
        assertThat(recorder.count("fine")).isEqualTo(1);
    }

    @Test
    void anExceptionFailsTheWholeBatchAndSoDoesAnUnknownIdentifier() {
        ResourceSet.QueuePair queue = freshQueue("poller-throw");
        send(queue, "a", "b");
        AtomicInteger calls = new AtomicInteger();
        Recorder recorder = new Recorder(event -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new IllegalStateException("first batch fails");
            }
            if (call == 2) {
                return new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("not-in-this-batch")));
            }
            return null; // null response: full success
        });
        try (QueuePoller poller = poller(queue, 10, recorder).start()) {
            await(() -> messagesIn(queue.url()) == 0 && recorder.count("a") >= 3 && recorder.count("b") >= 3,
                    Duration.ofSeconds(15));
        }
        assertThat(recorder.count("a")).isEqualTo(3);
        assertThat(recorder.count("b")).isEqualTo(3);
    }

    private static int messagesIn(String url) {
        Map<QueueAttributeName, String> attributes = SQS.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    static void await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            pause(50);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
