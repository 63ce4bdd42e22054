package dev.tmserverless.aws.config;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cold start's DynamoDB client built ahead (docs/performance.md "Cold start"): the context takes the client the
 * background thread built, and that thread has already sent its GetItem (so the connection is open and the SDK's
 * request path has run once). The endpoint here only records what reaches it; the client is the SDK's own.
 */
class BuildAheadTest {
    private static HttpServer endpoint;
    private static final LinkedBlockingQueue<String> REQUESTS = new LinkedBlockingQueue<>();
    private static final List<String> TARGETS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            TARGETS.add(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            REQUESTS.add(body);
        });
        endpoint.start();
    }

    @AfterAll
    static void stop() {
        endpoint.stop(0);
    }

    private static TmConfig config(String endpointUrl) {
        return new TmConfig(Map.of("TM_AWS_ENDPOINT_DYNAMODB", endpointUrl, "TM_TABLE", "ahead-table", "AWS_REGION", "eu-west-1"));
    }

    @Test
    void theContextTakesTheClientBuiltAheadWhoseGetItemHasAlreadyGoneOut() throws Exception {
        String url = "http://127.0.0.1:" + endpoint.getAddress().getPort();
        DynamoDbClient ahead = AwsClients.buildAhead(config(url)).get(60, TimeUnit.SECONDS);

        String warmUp = REQUESTS.poll(60, TimeUnit.SECONDS);
        assertThat(warmUp).as("the ahead thread's GetItem").isNotNull().contains("ahead-table").contains(AwsClients.WARM_UP_KEY);
        assertThat(TARGETS).contains("DynamoDB_20120810.GetItem");

        DynamoDbClient taken = new AwsClients(config(url)).dynamoDb();
        assertThat(taken).as("the context's client is the one built ahead").isSameAs(ahead);
        // taken once: the next context builds its own
        assertThat(new AwsClients(config(url)).dynamoDb()).isNotSameAs(ahead);
    }

    @Test
    void aContextWithOtherSettingsBuildsItsOwnClient() throws Exception {
        String url = "http://127.0.0.1:" + endpoint.getAddress().getPort();
        DynamoDbClient ahead = AwsClients.buildAhead(config(url)).get(60, TimeUnit.SECONDS);
        assertThat(new AwsClients(config("http://127.0.0.1:1")).dynamoDb()).isNotSameAs(ahead);
    }
}
