package dev.tmserverless.local.testfn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny HTTP function, packaged into a jar by the tests: it reports what it can see from its class loader. */
public class ProbeFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    public static final AtomicInteger INSTANCES = new AtomicInteger();
    private final int instance;

    public ProbeFunction() {
        instance = INSTANCES.incrementAndGet();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        if (event.getRawPath().endsWith("/fail")) {
            throw new IllegalStateException("asked to fail");
        }
        String json = "{"
                + "\"seesLocalStack\":" + sees("dev.tmserverless.local.LocalStack")
                + ",\"seesEmulators\":" + sees("dev.tmserverless.emulators.Emulators")
                + ",\"seesAwsSdk\":" + sees("software.amazon.awssdk.services.sqs.SqsClient")
                + ",\"loader\":\"" + getClass().getClassLoader().getName() + "\""
                + ",\"contextLoader\":\"" + Thread.currentThread().getContextClassLoader().getName() + "\""
                + ",\"instance\":" + instance
                + ",\"routeKey\":\"" + event.getRouteKey() + "\""
                + ",\"param\":\"" + (event.getPathParameters() == null ? "" : event.getPathParameters().get("id")) + "\""
                + ",\"function\":\"" + context.getFunctionName() + "\""
                + ",\"remainingMillis\":" + context.getRemainingTimeInMillis()
                + ",\"setting\":\"" + System.getProperty("TM_TABLE") + "\""
                + "}";
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                .withHeaders(Map.of("content-type", "application/json")).withBody(json).build();
    }

    private static boolean sees(String className) {
        try {
            Class.forName(className, false, ProbeFunction.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
