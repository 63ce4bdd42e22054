package dev.tmserverless.local;

import dev.tmserverless.core.catalogue.Router;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.emulators.Emulators;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an HTTP request into an API Gateway HTTP API event (payload format 2.0) and the function's response
 * back into HTTP, as API Gateway does.
 */
public final class ApiGatewayEvents {
    public static final String API_ID = "local";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private ApiGatewayEvents() {}

    /**
     * An HTTP request as received.
     *
     * @param rawPath  the path as sent, percent-encoded
     * @param rawQuery the query string as sent, without '?', or null
     * @param headers  every header line in order (names in any case; repeats allowed)
     */
    public record HttpRequest(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
                              byte[] body, String sourceIp, int localPort, String protocol) {}

    /** An HTTP response to write: status, header lines in order, body bytes. */
    public record HttpReply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public static String newRequestId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).substring(0, 15) + "=";
    }

    /** The payload-2.0 event for {@code request} matched to {@code match}. */
    public static APIGatewayV2HTTPEvent toEvent(HttpRequest request, Router.Match match, String requestId, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            String value = header.getValue();
            if (name.equals("cookie")) {
                for (String cookie : value.split(";")) {
                    if (!cookie.isBlank()) {
                        cookies.add(cookie.trim());
                    }
                }
                continue;
            }
            headers.merge(name, value, (a, b) -> a + "," + b);
        }
        String host = headers.getOrDefault("host", "127.0.0.1:" + request.localPort());
        headers.putIfAbsent("x-forwarded-for", request.sourceIp());
        headers.putIfAbsent("x-forwarded-proto", "http");
        headers.putIfAbsent("x-forwarded-port", Integer.toString(request.localPort()));
        headers.putIfAbsent("x-amzn-trace-id", "Root=1-" + Long.toHexString(now.getEpochSecond()) + "-"
                + HexFormat.of().formatHex(randomBytes(12)));

        String rawQuery = request.rawQuery() == null ? "" : request.rawQuery();
        Map<String, String> query = parseQuery(rawQuery);

        String body = null;
        boolean base64 = false;
        if (request.body() != null && request.body().length > 0) {
            if (isText(headers.get("content-type"), request.body())) {
                body = new String(request.body(), StandardCharsets.UTF_8);
            } else {
                body = Base64.getEncoder().encodeToString(request.body());
                base64 = true;
            }
        }

        String routeKey = match.route().routeKey();
        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(request.method().toUpperCase(Locale.ROOT))
                .withPath(request.rawPath())
                .withProtocol(request.protocol())
                .withSourceIp(request.sourceIp())
                .withUserAgent(headers.get("user-agent"))
                .build();
        String domainName = host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        APIGatewayV2HTTPEvent.RequestContext context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withAccountId(Emulators.ACCOUNT_ID)
                .withApiId(API_ID)
                .withDomainName(domainName)
                .withDomainPrefix(domainName.contains(".") ? domainName.substring(0, domainName.indexOf('.')) : domainName)
                .withHttp(http)
                .withRequestId(requestId)
                .withRouteKey(routeKey)
                .withStage("$default")
                .withTime(TIME.format(now))
                .withTimeEpoch(now.toEpochMilli())
                .build();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(routeKey)
                .withRawPath(request.rawPath())
                .withRawQueryString(rawQuery)
                .withCookies(cookies.isEmpty() ? null : cookies)
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(match.pathParameters().isEmpty() ? null : new LinkedHashMap<>(match.pathParameters()))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .withRequestContext(context)
                .build();
    }

    /** Query parameters decoded, repeated names joined with commas (API Gateway 2.0 behaviour). */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.merge(name, value, (a, b) -> a + "," + b);
        }
        return query;
    }

    /** Text bodies pass as strings; anything else is base64-encoded with {@code isBase64Encoded}. */
    static boolean isText(String contentType, byte[] body) {
        if (contentType == null || contentType.isBlank()) {
            return isUtf8(body);
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        if (semicolon >= 0) {
            type = type.substring(0, semicolon);
        }
        type = type.trim();
        return type.startsWith("text/") || type.endsWith("+json") || type.endsWith("+xml")
                || type.equals("application/json") || type.equals("application/xml")
                || type.equals("application/javascript") || type.equals("application/x-www-form-urlencoded")
                || type.equals("application/graphql") || type.equals("application/yaml")
                || type.equals("application/x-yaml");
    }

    private static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The HTTP response for a function's payload-2.0 response. */
    public static HttpReply toReply(APIGatewayV2HTTPResponse response, String requestId) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> {
                if (k != null && v != null) {
                    headers.add(Map.entry(k, v));
                }
            });
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, values) -> {
                if (k != null && values != null) {
                    values.stream().filter(v -> v != null).forEach(v -> headers.add(Map.entry(k, v)));
                }
            });
        }
        if (response.getCookies() != null) {
            response.getCookies().forEach(c -> headers.add(Map.entry("set-cookie", c)));
        }
        headers.add(Map.entry("apigw-requestid", requestId));
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        return new HttpReply(response.getStatusCode(), headers, bytes);
    }

    public static HttpReply notFound(String requestId) {
        return message(404, "Not Found", requestId);
    }

    public static HttpReply internalServerError(String requestId) {
        return message(500, "Internal Server Error", requestId);
    }

    static HttpReply message(int status, String message, String requestId) {
        return new HttpReply(status, List.of(Map.entry("content-type", "application/json"),
                Map.entry("apigw-requestid", requestId)),
                ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
