package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.core.catalogue.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

class ElasticMqTest {

    @Test
    void aMessageNeverDeletedMovesToTheDlqAfterMaxReceiveCount() {
        Emulators emulators = Emulators.shared();
        SqsClient sqs = emulators.sqs();
        Isolated isolated = emulators.isolated("ElasticMqTest", 1);
        String url = isolated.queueUrl(Resources.GRID_JOBS);
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("job-1"));

        int receives = 0;
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
            if (!messages.isEmpty()) {
                receives++;
                assertThat(messages.getFirst().attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                        .isEqualTo(Integer.toString(receives));
            } else if (receives >= Resources.GRID_JOBS.maxReceiveCount()) {
                break;
            }
        }
        assertThat(receives).isEqualTo(Resources.GRID_JOBS.maxReceiveCount());
        // ElasticMQ moves the message on the next receive after its visibility ends: keep asking the queue (which
        // must not deliver it again) until the dead-letter queue holds it
        List<Message> dead = List.of();
        while (dead.isEmpty() && System.currentTimeMillis() < deadline + 10_000) {
            assertThat(sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages()).isEmpty();
            dead = sqs.receiveMessage(b -> b.queueUrl(isolated.dlqUrl(Resources.GRID_JOBS)).waitTimeSeconds(1)).messages();
        }
        assertThat(dead).extracting(Message::body).containsExactly("job-1");
    }

    @Test
    void queueUrlsPointAtTheEmulator() {
        Emulators emulators = Emulators.shared();
        Isolated isolated = emulators.isolated("ElasticMqTest");
        assertThat(isolated.queueUrl(Resources.GRID_JOBS)).startsWith(emulators.sqsEndpoint().toString() + "/");
    }
}
