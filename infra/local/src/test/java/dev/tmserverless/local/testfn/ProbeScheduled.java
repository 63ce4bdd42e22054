package dev.tmserverless.local.testfn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

/** A tiny scheduled function, packaged into a jar by the tests: uses the joda time of the event. */
public class ProbeScheduled implements RequestHandler<ScheduledEvent, String> {
    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        return event.getDetailType() + " " + event.getTime().getYear() + " " + event.getResources().getFirst();
    }
}
