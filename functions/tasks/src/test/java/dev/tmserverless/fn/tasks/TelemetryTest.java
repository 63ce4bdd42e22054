package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tmserverless.aws.observe.Telemetry;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator reads in the function's log group (docs/operations.md): every line a JSON document carrying the
 * Lambda request id, and the counts as CloudWatch embedded metric format documents with their names and dimensions.
 */
class TelemetryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("telemetry").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    /** Calls the handler as Lambda does, with its own context, and returns every line the invocation wrote. */
    static List<JsonNode> invoke(Api.TestContext ctx, String method, String path, String auth) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (AutoCloseable c = Telemetry.capture(lines::add)) {
            fn.handleRequest(Api.event(method, path, auth, null), ctx);
        }
        List<JsonNode> docs = new ArrayList<>();
        for (String l : lines) docs.add(JSON.readTree(l)); // every line must be one JSON document
        return docs;
    }

    static List<JsonNode> emf(List<JsonNode> lines) {
        return lines.stream().filter(l -> l.has("_aws")).toList();
    }

    @Test
    void aLockLogsOneJsonLineWithTheRequestIdAndCountsTheLockedTask() throws Exception {
        User mapper = fx.user("logged");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        var ctx = new Api.TestContext();

        List<JsonNode> lines = invoke(ctx, "POST", TasksFunctionTest.lock(p.id(), 1), token(mapper.id()));

        JsonNode log = lines.stream().filter(l -> l.has("message")).findFirst().orElseThrow();
        assertThat(log.path("requestId").asText()).isEqualTo(ctx.getAwsRequestId());
        assertThat(log.path("level").asText()).isEqualTo("INFO");
        assertThat(log.path("route").asText()).isEqualTo("POST /api/v2/projects/{projectId}/tasks/actions/lock-for-mapping/{taskId}");
        assertThat(log.path("status").asText()).isEqualTo("200");
        assertThat(log.path("userId").asText()).isEqualTo(Long.toString(mapper.id()));
        assertThat(log.path("apiRequestId").asText()).isNotBlank();

        List<JsonNode> metrics = emf(lines);
        assertThat(metrics).hasSize(1);
        JsonNode doc = metrics.get(0);
        JsonNode directive = doc.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Namespace").asText()).isEqualTo("TmServerless");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Function\"]]");
        assertThat(directive.path("Metrics").toString()).isEqualTo("[{\"Name\":\"TasksLocked\",\"Unit\":\"Count\"}]");
        assertThat(doc.path("_aws").path("Timestamp").asLong()).isPositive();
        assertThat(doc.path("Function").asText()).isEqualTo("tasks");
        assertThat(doc.path("TasksLocked").asLong()).isEqualTo(1);
    }

    @Test
    void aRefusalIsCountedUnderItsSubCode() throws Exception {
        User mapper = fx.user("refused");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 2);
        assertThat(Api.call(fn, "POST", TasksFunctionTest.lock(p.id(), 1), token(mapper.id()), null).status()).isEqualTo(200);

        List<JsonNode> lines = invoke(new Api.TestContext(), "POST", TasksFunctionTest.lock(p.id(), 2), token(mapper.id()));

        JsonNode log = lines.stream().filter(l -> l.has("message")).findFirst().orElseThrow();
        assertThat(log.path("subCode").asText()).isEqualTo("UserAlreadyHasTaskLocked");
        List<JsonNode> metrics = emf(lines);
        assertThat(metrics).hasSize(1);
        JsonNode doc = metrics.get(0);
        JsonNode directive = doc.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Function\",\"SubCode\"]]");
        assertThat(directive.path("Metrics").toString()).isEqualTo("[{\"Name\":\"Errors\",\"Unit\":\"Count\"}]");
        assertThat(doc.path("SubCode").asText()).isEqualTo("UserAlreadyHasTaskLocked");
        assertThat(doc.path("Errors").asLong()).isEqualTo(1);
        assertThat(doc.has("TasksLocked")).isFalse();
    }

    /**
     * A warm container serves thousands of invocations, each with its own Lambda context: none of them may stay
     * behind in the application context (docs/operations.md), or every invocation grows the heap and makes the
     * next bean lookup slower.
     */
    @Test
    void invocationsLeaveNoLambdaContextBehindInTheApplicationContext() {
        var app = fn.getApplicationContext();
        var keepAlive = new com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent();
        keepAlive.setRouteKey(dev.tmserverless.core.catalogue.Resources.KEEP_ALIVE_ROUTE_KEY);
        fn.handleRequest(keepAlive, new Api.TestContext());
        int before = app.getBeanDefinitions(com.amazonaws.services.lambda.runtime.Context.class).size()
                + app.getBeanDefinitions(com.amazonaws.services.lambda.runtime.LambdaLogger.class).size();

        for (int i = 0; i < 50; i++) {
            assertThat(fn.handleRequest(keepAlive, new Api.TestContext()).getStatusCode()).isEqualTo(200);
        }

        int after = app.getBeanDefinitions(com.amazonaws.services.lambda.runtime.Context.class).size()
                + app.getBeanDefinitions(com.amazonaws.services.lambda.runtime.LambdaLogger.class).size();
        assertThat(after).isEqualTo(before);
    }
}
