package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;

/**
 * Runs in a fresh JVM on the tasks function's own deployment jar: constructs the handler as the Lambda
 * runtime would and answers one lock request. Arguments: project id, task id, Authorization header.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) {
        TasksFunction fn = new TasksFunction();
        // what SnapStart's beforeCheckpoint runs, when asked (the bench's "after priming" rows)
        if (Boolean.getBoolean("tm.bench.prime")) fn.prime();
        long t0 = System.nanoTime();
        APIGatewayV2HTTPResponse r = fn.handleRequest(Api.event("POST",
                "/api/v2/projects/" + args[0] + "/tasks/actions/lock-for-mapping/" + args[1] + "/", args[2], null),
                new Api.TestContext());
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.println("answered " + r.getStatusCode());
        System.out.println("request-ms " + ms);
        System.exit(r.getStatusCode() == 200 ? 0 : 1);
    }
}
