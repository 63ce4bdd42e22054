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
        APIGatewayV2HTTPResponse r = fn.handleRequest(Api.event("POST",
                "/api/v2/projects/" + args[0] + "/tasks/actions/lock-for-mapping/" + args[1] + "/", args[2], null),
                new Api.TestContext());
        System.out.println("answered " + r.getStatusCode());
        System.exit(r.getStatusCode() == 200 ? 0 : 1);
    }
}
