package dev.tmserverless.fn.users;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import io.micronaut.context.ApplicationContext;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.util.List;
import java.util.Map;

/** The messages queue of a test's emulators, and the messenger run on what it holds, as Lambda's event source would. */
final class Deliveries implements AutoCloseable {
    final SqsClient sqs;
    final String url;
    final MessengerFunction worker = new MessengerFunction();

    Deliveries(ApplicationContext ctx) {
        sqs = ctx.getBean(SqsClient.class);
        url = ctx.getBean(TmConfig.class).queueUrl(Resources.MESSAGES);
    }

    /** The next message of the queue, or null when it stays empty for a second. */
    Message receive() {
        List<Message> ms = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        return ms.isEmpty() ? null : ms.get(0);
    }

    void delete(Message m) { sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())); }

    static SQSEvent event(Message m) {
        SQSEvent.SQSMessage s = new SQSEvent.SQSMessage();
        s.setMessageId(m.messageId());
        s.setBody(m.body());
        s.setAttributes(Map.of("ApproximateReceiveCount", m.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "1")));
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(s));
        return e;
    }

    /** Runs the messenger on one queue message; true if it succeeded (the message is then deleted, as Lambda does). */
    boolean deliver(Message m) {
        SQSBatchResponse r = worker.execute(event(m));
        if (r.getBatchItemFailures().isEmpty()) {
            delete(m);
            return true;
        }
        return false;
    }

    /** Delivers everything queued until the queue stays empty; returns how many queue messages were handled. */
    int drain() {
        int n = 0;
        for (Message m = receive(); m != null; m = receive()) {
            deliver(m);
            n++;
        }
        return n;
    }

    @Override
    public void close() { worker.close(); }
}
