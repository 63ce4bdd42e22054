package dev.tmserverless.local.testfn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny queue consumer, packaged into a jar by the tests: records bodies; fails messages whose body is "fail". */
public class ProbeConsumer implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final List<String> received = new CopyOnWriteArrayList<>();

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new java.util.ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            received.add(message.getBody());
            if (message.getBody().equals("fail")) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    public List<String> received() {
        return List.copyOf(received);
    }
}
