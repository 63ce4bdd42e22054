package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * {@link ColdStartProbe} with Powertools for AWS Lambda (Java) doing the logging and metrics, the way its functional
 * API fits our handlers: log4j2 with Powertools' JSON layout behind SLF4J, the invocation wrapped in
 * {@code PowertoolsLogging.withLogging}, one metric added and flushed as EMF. The difference to ColdStartProbe's
 * time is what Powertools would add to a cold start.
 */
public final class PowertoolsColdStartProbe {
    private PowertoolsColdStartProbe() {}

    public static void main(String[] args) {
        TasksFunction fn = new TasksFunction();
        Api.TestContext ctx = new Api.TestContext();
        Metrics metrics = MetricsFactory.getMetricsInstance();
        metrics.setNamespace("TmServerless");
        APIGatewayV2HTTPResponse r = PowertoolsLogging.withLogging(ctx, () -> {
            APIGatewayV2HTTPResponse answer = fn.handleRequest(Api.event("POST",
                    "/api/v2/projects/" + args[0] + "/tasks/actions/lock-for-mapping/" + args[1] + "/", args[2], null), ctx);
            LoggerFactory.getLogger(PowertoolsColdStartProbe.class).info("lock answered {}", answer.getStatusCode());
            metrics.addMetric("TasksLocked", 1, MetricUnit.COUNT);
            metrics.flush();
            return answer;
        });
        System.out.println("answered " + r.getStatusCode());
        System.exit(r.getStatusCode() == 200 ? 0 : 1);
    }
}
