package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.core.catalogue.Resources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FrontDoorTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final AtomicReference<APIGatewayV2HTTPEvent> LAST = new AtomicReference<>();
    static final AtomicReference<String> SERVED_BY = new AtomicReference<>();
    static final AtomicReference<APIGatewayV2HTTPResponse> REPLY = new AtomicReference<>();
    static final List<String> LOG = new CopyOnWriteArrayList<>();
    static FrontDoor door;

    static FunctionInvoker recorder(String id) {
        return FunctionInvoker.of(id, 128, 3, (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>)
                (APIGatewayV2HTTPEvent event, Context context) -> {
                    LAST.set(event);
                    SERVED_BY.set(id);
                    assertThat(context.getRemainingTimeInMillis()).isBetween(1, 3000);
                    assertThat(context.getFunctionName()).isEqualTo(id);
                    APIGatewayV2HTTPResponse reply = REPLY.get();
                    return reply != null ? reply : APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                            .withHeaders(Map.of("content-type", "application/json")).withBody("{\"ok\":true}").build();
                });
    }

    @BeforeAll
    static void start() {
        List<Resources.Route> routes = List.of(
                new Resources.Route("GET", "/items/{id}", "param"),
                new Resources.Route("GET", "/items/special", "literal"),
                new Resources.Route("POST", "/items", "param"),
                new Resources.Route("GET", "/boom", "boom"),
                new Resources.Route("GET", "/unbuilt", "unbuilt"));
        FunctionInvoker boom = FunctionInvoker.of("boom", 128, 3,
                (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) (e, c) -> {
                    throw new IllegalStateException("kaboom");
                });
        door = new FrontDoor(0, routes, Map.of("param", recorder("param"), "literal", recorder("literal"), "boom", boom),
                Map.of("unbuilt", "not built; build it with: mvn -pl functions/unbuilt -am package"), LOG::add).start();
    }

    @AfterAll
    static void stop() {
        door.close();
    }

    @BeforeEach
    void reset() {
        LAST.set(null);
        REPLY.set(null);
        LOG.clear();
    }

    @Test
    void requestBecomesAPayload2Event() throws Exception {
        long before = Instant.now().toEpochMilli();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(door.url() + "/items/42/?a=1&a=2&b=x%20y&c=p%2Bq&flag"))
                .header("X-Multi", "one").header("X-Multi", "two").header("Cookie", "s=1; t=2")
                .header("User-Agent", "probe/1.0").header("Authorization", "Token abc").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("apigw-requestid")).isPresent();
        APIGatewayV2HTTPEvent e = LAST.get();
        assertThat(e.getVersion()).isEqualTo("2.0");
        assertThat(e.getRouteKey()).isEqualTo("GET /items/{id}");
        assertThat(e.getRawPath()).isEqualTo("/items/42/");
        assertThat(e.getRawQueryString()).isEqualTo("a=1&a=2&b=x%20y&c=p%2Bq&flag");
        assertThat(e.getQueryStringParameters()).isEqualTo(Map.of("a", "1,2", "b", "x y", "c", "p+q", "flag", ""));
        assertThat(e.getPathParameters()).isEqualTo(Map.of("id", "42"));
        assertThat(e.getHeaders()).containsEntry("x-multi", "one,two").containsEntry("user-agent", "probe/1.0")
                .containsEntry("authorization", "Token abc").containsEntry("x-forwarded-proto", "http")
                .containsKey("host").containsKey("x-amzn-trace-id").doesNotContainKey("cookie");
        assertThat(e.getHeaders().keySet()).allSatisfy(k -> assertThat(k).isLowerCase());
        assertThat(e.getCookies()).containsExactly("s=1", "t=2");
        assertThat(e.getBody()).isNull();
        assertThat(e.getIsBase64Encoded()).isFalse();
        APIGatewayV2HTTPEvent.RequestContext rc = e.getRequestContext();
        assertThat(rc.getStage()).isEqualTo("$default");
        assertThat(rc.getRouteKey()).isEqualTo("GET /items/{id}");
        assertThat(rc.getAccountId()).isNotBlank();
        assertThat(rc.getApiId()).isNotBlank();
        assertThat(rc.getDomainName()).isEqualTo("127.0.0.1");
        assertThat(rc.getRequestId()).isEqualTo(response.headers().firstValue("apigw-requestid").orElseThrow());
        assertThat(rc.getTimeEpoch()).isBetween(before, Instant.now().toEpochMilli());
        assertThat(rc.getTime()).matches("\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000");
        assertThat(rc.getHttp().getMethod()).isEqualTo("GET");
        assertThat(rc.getHttp().getPath()).isEqualTo("/items/42/");
        assertThat(rc.getHttp().getProtocol()).isEqualTo("HTTP/1.1");
        assertThat(rc.getHttp().getSourceIp()).isEqualTo("127.0.0.1");
        assertThat(rc.getHttp().getUserAgent()).isEqualTo("probe/1.0");
    }

    @Test
    void noQueryMeansEmptyRawQueryAndNoParameters() throws Exception {
        get("/items/7");
        assertThat(LAST.get().getRawQueryString()).isEmpty();
        assertThat(LAST.get().getQueryStringParameters()).isNull();
        assertThat(LAST.get().getCookies()).isNull();
    }

    @Test
    void literalRouteBeatsParameterRoute() throws Exception {
        get("/items/special/");
        assertThat(SERVED_BY.get()).isEqualTo("literal");
        assertThat(LAST.get().getRouteKey()).isEqualTo("GET /items/special");
        assertThat(LAST.get().getPathParameters()).isNull();
        get("/items/specialist");
        assertThat(SERVED_BY.get()).isEqualTo("param");
    }

    @Test
    void textBodiesPassAsTextAndBinaryBodiesAsBase64() throws Exception {
        post("/items/", "application/json; charset=utf-8", "{\"name\":\"é\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(LAST.get().getIsBase64Encoded()).isFalse();
        assertThat(LAST.get().getBody()).isEqualTo("{\"name\":\"é\"}");
        assertThat(LAST.get().getRouteKey()).isEqualTo("POST /items");

        byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10};
        post("/items", "application/octet-stream", binary);
        assertThat(LAST.get().getIsBase64Encoded()).isTrue();
        assertThat(Base64.getDecoder().decode(LAST.get().getBody())).isEqualTo(binary);

        post("/items", "application/geo+json", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(LAST.get().getIsBase64Encoded()).isFalse();
    }

    @Test
    void responseHeadersCookiesAndBase64BodiesAreWrittenBack() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 0};
        REPLY.set(APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                .withHeaders(Map.of("content-type", "image/png", "x-one", "1"))
                .withMultiValueHeaders(Map.of("x-many", List.of("a", "b")))
                .withCookies(List.of("c1=v1; Path=/", "c2=v2"))
                .withBody(Base64.getEncoder().encodeToString(png)).withIsBase64Encoded(true).build());
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(door.url() + "/items/1")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo(png);
        assertThat(response.headers().firstValue("content-type")).contains("image/png");
        assertThat(response.headers().firstValue("x-one")).contains("1");
        assertThat(response.headers().allValues("x-many")).containsExactly("a", "b");
        assertThat(response.headers().allValues("set-cookie")).containsExactly("c1=v1; Path=/", "c2=v2");

        REPLY.set(APIGatewayV2HTTPResponse.builder().withStatusCode(204).build());
        assertThat(get("/items/1").statusCode()).isEqualTo(204);
    }

    @Test
    void unknownRouteIs404LikeApiGateway() throws Exception {
        HttpResponse<String> response = get("/nowhere");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"message\":\"Not Found\"}");
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(door.url() + "/items/special"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    @Test
    void throwingFunctionIs500AndTheStackTraceIsLogged() throws Exception {
        HttpResponse<String> response = get("/boom");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(String.join("\n", LOG)).contains("kaboom").contains("at ");
    }

    @Test
    void unbuiltFunctionIs500AndTheLogSaysHowToBuildIt() throws Exception {
        HttpResponse<String> response = get("/unbuilt/");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(String.join("\n", LOG)).contains("mvn -pl functions/unbuilt");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(door.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void post(String path, String contentType, byte[] body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(door.url() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }
}
