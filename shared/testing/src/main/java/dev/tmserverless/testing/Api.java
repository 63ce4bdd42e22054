package dev.tmserverless.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.auth.SessionTokens;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Router;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Builds API Gateway v2 events the way API Gateway does for a catalogue route, and reads the answers. */
public final class Api {
    /** A response: status, the body parsed as JSON (null when empty or not JSON), headers and the raw body. */
    public record Answer(int status, JsonNode json, Map<String, String> headers, String body) {
        public String subCode() { return json.path("SubCode").asText(null); }

        public String error() { return json.path("Error").asText(null); }

        public String structuredSubCode() { return json.path("error").path("sub_code").asText(null); }
    }

    private Api() {}

    public static String token(long userId) {
        return SessionTokens.header(new SessionTokens(dev.tmserverless.emulators.Emulators.TOKEN_SECRET).issue(userId, Instant.now()));
    }

    public static Answer call(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String method, String path,
                       String authorization, String body) {
        return call(fn, method, path, authorization, body, Map.of());
    }

    /**
     * Calls the handler with extra request headers. The answer's body is what a client reads after API Gateway:
     * base64 bodies are decoded and gzip bodies decompressed (the headers still say how it was sent).
     */
    public static Answer call(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String method, String path,
                       String authorization, String body, Map<String, String> headers) {
        APIGatewayV2HTTPEvent e = event(method, path, authorization, body);
        Map<String, String> h = new HashMap<>(e.getHeaders());
        h.putAll(headers);
        e.setHeaders(h);
        APIGatewayV2HTTPResponse r = fn.handleRequest(e, new TestContext());
        Map<String, String> rh = r.getHeaders() == null ? Map.of() : r.getHeaders();
        String text = r.getBody();
        if (text != null && r.getIsBase64Encoded()) {
            byte[] bytes = java.util.Base64.getDecoder().decode(text);
            if ("gzip".equals(rh.get("content-encoding"))) bytes = gunzip(bytes);
            text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        String type = rh.get("content-type");
        boolean isJson = type == null || type.contains("json");
        JsonNode json = text == null || text.isEmpty() || !isJson ? null : Json.parse(text);
        return new Answer(r.getStatusCode(), json, rh, text);
    }

    public static byte[] gunzip(byte[] bytes) {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static final Router GATEWAY = new Router(Resources.gatewayRoutes());

    /**
     * The event API Gateway sends for this request: the path matched against the HTTP API's routes (the catalogue's
     * mounts), so the function sees the mount's route key and greedy rest, and dispatches on the path itself.
     */
    public static APIGatewayV2HTTPEvent event(String method, String pathAndQuery, String authorization, String body) {
        String path = pathAndQuery.split("\\?", 2)[0];
        String query = pathAndQuery.contains("?") ? pathAndQuery.split("\\?", 2)[1] : "";
        Router.Match m = GATEWAY.match(method, path)
                .orElseThrow(() -> new AssertionError("no mount of the catalogue serves " + method + " " + path));
        Map<String, String> q = new HashMap<>();
        for (String kv : query.split("&")) {
            if (kv.isEmpty()) continue;
            String[] parts = kv.split("=", 2);
            q.put(parts[0], parts.length > 1 ? java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8) : "");
        }
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        if (authorization != null) headers.put("authorization", authorization);
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0")
                .withRouteKey(m.route().routeKey())
                .withRawPath(path).withRawQueryString(query).withHeaders(headers)
                .withPathParameters(m.pathParameters().isEmpty() ? null : new LinkedHashMap<>(m.pathParameters()))
                .withQueryStringParameters(q.isEmpty() ? null : q)
                .withBody(body).withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(UUID.randomUUID().toString()).withStage("$default")
                        .withRouteKey(m.route().routeKey())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
    }

    public static final class TestContext implements Context {
        private final String id = UUID.randomUUID().toString();

        public String getAwsRequestId() { return id; }
        public String getLogGroupName() { return "test"; }
        public String getLogStreamName() { return "test"; }
        public String getFunctionName() { return "test"; }
        public String getFunctionVersion() { return "$LATEST"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:test"; }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return 29_000; }
        public int getMemoryLimitInMB() { return 1024; }
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                public void log(String message) { System.out.println(message); }
                public void log(byte[] message) { System.out.println(new String(message)); }
            };
        }
    }
}
