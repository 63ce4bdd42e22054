package dev.tmserverless.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.emulators.Emulators;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event source mapping, locally: long-polls a queue, hands each batch to the consumer as an
 * {@link SQSEvent}, deletes the messages that succeeded, and leaves the others to reappear after the visibility
 * timeout (the queue's redrive policy moves them to the DLQ after maxReceiveCount receives).
 *
 * <p>Partial batch responses (ReportBatchItemFailures) are honoured: a {@code null} response or an empty
 * {@code batchItemFailures} list is full success; each listed {@code itemIdentifier} fails that message; an
 * identifier that is empty, null or not in the batch fails the whole batch, as does an exception or a response of
 * another type. Batches hold at most 10 messages (one ReceiveMessage; no batching window).
 */
public final class QueuePoller implements AutoCloseable {
    /**
     * @param name            queue name for logs
     * @param queueUrl        the queue to poll
     * @param queueArn        the queue's ARN (each record's {@code eventSourceARN})
     * @param batchSize       messages per invocation (1..10)
     * @param concurrency     parallel pollers (each invokes the consumer with its own batch)
     * @param waitTimeSeconds long-poll wait (Lambda uses 20)
     */
    public record Settings(String name, String queueUrl, String queueArn, int batchSize, int concurrency,
                           int waitTimeSeconds) {
        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be positive");
            }
            batchSize = Math.min(batchSize, 10);
            concurrency = Math.max(1, concurrency);
        }
    }

    private final SqsClient sqs;
    private final Settings settings;
    private final FunctionInvoker consumer;
    private final Consumer<String> log;
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong invocations = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();

    public QueuePoller(SqsClient sqs, Settings settings, FunctionInvoker consumer, Consumer<String> log) {
        this.sqs = sqs;
        this.settings = settings;
        this.consumer = consumer;
        this.log = log;
    }

    public QueuePoller start() {
        if (running.compareAndSet(false, true)) {
            for (int i = 0; i < settings.concurrency(); i++) {
                threads.add(Thread.ofVirtual().name("poller-" + settings.name() + "-" + i).start(this::loop));
            }
        }
        return this;
    }

    public Settings settings() {
        return settings;
    }

    /** Number of consumer invocations so far. */
    public long invocations() {
        return invocations.get();
    }

    private void loop() {
        while (running.get()) {
            List<Message> messages;
            try {
                messages = sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl())
                        .maxNumberOfMessages(settings.batchSize())
                        .waitTimeSeconds(settings.waitTimeSeconds())
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
            } catch (RuntimeException e) {
                if (running.get()) {
                    log.accept("WARN polling " + settings.name() + " failed: " + e.getMessage());
                    pause(1000);
                }
                continue;
            }
            if (!messages.isEmpty()) {
                if (!running.get()) {
                    release(messages); // stopping: hand them back at once
                    return;
                }
                busy.incrementAndGet();
                try {
                    process(messages);
                } finally {
                    busy.decrementAndGet();
                }
            }
        }
    }

    /** Invokes the consumer with one batch and deletes what succeeded. Visible for tests. */
    void process(List<Message> messages) {
        SQSEvent event = toEvent(messages);
        Set<String> failed = new HashSet<>();
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> ids.add(m.messageId()));
        invocations.incrementAndGet();
        long start = System.nanoTime();
        try {
            Object result = consumer.invoke(event, consumer.newContext());
            if (result instanceof SQSBatchResponse response) {
                if (response.getBatchItemFailures() != null) {
                    for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
                        String id = failure == null ? null : failure.getItemIdentifier();
                        if (id == null || id.isEmpty() || !ids.contains(id)) {
                            log.accept("WARN " + consumer.id() + " reported an unknown item identifier '" + id
                                    + "': the whole batch fails");
                            failed.addAll(ids);
                            break;
                        }
                        failed.add(id);
                    }
                }
            } else if (result != null) {
                log.accept("WARN " + consumer.id() + " returned " + result.getClass().getName()
                        + ", not an SQSBatchResponse: the whole batch fails");
                failed.addAll(ids);
            }
        } catch (Exception | Error e) {
            log.accept("ERROR " + consumer.id() + " threw on a batch of " + messages.size() + " from "
                    + settings.name() + ": " + FrontDoor.stackTrace(e));
            failed.addAll(ids);
        }
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message message : messages) {
            if (!failed.contains(message.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(done.size()))
                        .receiptHandle(message.receiptHandle()).build());
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (failed.isEmpty()) {
            log.accept(String.format("SQS %s -> %s: %d message(s) done (%d ms)", settings.name(), consumer.id(),
                    messages.size(), millis));
        } else {
            log.accept(String.format("WARN SQS %s -> %s: %d of %d message(s) failed (%d ms); they return after the "
                    + "visibility timeout", settings.name(), consumer.id(), failed.size(), messages.size(), millis));
        }
        if (!done.isEmpty()) {
            try {
                DeleteMessageBatchResponse response = sqs.deleteMessageBatch(b -> b.queueUrl(settings.queueUrl())
                        .entries(done));
                if (response.hasFailed() && !response.failed().isEmpty()) {
                    log.accept("WARN deleting processed messages from " + settings.name() + " failed: "
                            + response.failed());
                }
            } catch (RuntimeException e) {
                log.accept("WARN deleting processed messages from " + settings.name() + " failed: " + e.getMessage());
            }
        }
    }

    private void release(List<Message> messages) {
        try {
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(settings.queueUrl()).entries(messages.stream()
                    .map(m -> ChangeMessageVisibilityBatchRequestEntry.builder().id(m.messageId().replaceAll("[^A-Za-z0-9_-]", "_"))
                            .receiptHandle(m.receiptHandle()).visibilityTimeout(0).build())
                    .toList()));
        } catch (RuntimeException ignored) {
            // they come back after the visibility timeout instead
        }
    }

    SQSEvent toEvent(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message message : messages) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            record.setMd5OfMessageAttributes(message.md5OfMessageAttributes());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(settings.queueArn());
            record.setAwsRegion(Emulators.REGION);
            record.setAttributes(new LinkedHashMap<>(message.attributesAsStrings()));
            Map<String, SQSEvent.MessageAttribute> attributes = new LinkedHashMap<>();
            message.messageAttributes().forEach((name, value) -> attributes.put(name, toAttribute(value)));
            record.setMessageAttributes(attributes);
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    private static SQSEvent.MessageAttribute toAttribute(MessageAttributeValue value) {
        SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
        attribute.setDataType(value.dataType());
        attribute.setStringValue(value.stringValue());
        if (value.binaryValue() != null) {
            attribute.setBinaryValue(ByteBuffer.wrap(value.binaryValue().asByteArray()));
        }
        attribute.setStringListValues(value.hasStringListValues() ? value.stringListValues() : List.of());
        attribute.setBinaryListValues(value.hasBinaryListValues()
                ? value.binaryListValues().stream().map(SdkBytes::asByteArray).map(ByteBuffer::wrap).toList()
                : List.of());
        return attribute;
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /**
     * Stops polling. Waits up to 10 s for batches being processed; a poller waiting in a long poll is not waited
     * for (it stops when its receive returns, handing back anything it received).
     */
    @Override
    public void close() {
        running.set(false);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (busy.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (busy.get() > 0) {
            log.accept("WARN " + consumer.id() + " is still processing a batch from " + settings.name()
                    + "; its messages return after the visibility timeout");
        }
    }
}
