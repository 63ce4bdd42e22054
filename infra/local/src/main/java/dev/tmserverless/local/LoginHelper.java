package dev.tmserverless.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.core.catalogue.Resources;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Local-only conveniences for logging in through the OSM stand-in, driving the real API over HTTP (login ⇒
 * stand-in authorize ⇒ callback), so the production code path runs:
 * <ul>
 *   <li>{@code GET /_local/login?username=NAME} — the whole flow at once; answers JSON with the session token and
 *       the ready-to-use {@code Authorization} header value;</li>
 *   <li>{@code GET /_local/authorized?code&state} — a redirect target for the browser flow: it completes the
 *       callback and shows the header value.</li>
 * </ul>
 */
final class LoginHelper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private LoginHelper() {}

    static void register(FrontDoor frontDoor) {
        frontDoor.extra("login", request -> login(frontDoor, request));
        frontDoor.extra("authorized", request -> authorized(frontDoor, request));
    }

    private static String authorizedUrl(FrontDoor frontDoor) {
        return frontDoor.url() + "/_local/authorized";
    }

    private static ApiGatewayEvents.HttpReply login(FrontDoor frontDoor, ApiGatewayEvents.HttpRequest request)
            throws Exception {
        Map<String, String> query = ApiGatewayEvents.parseQuery(request.rawQuery());
        String username = query.getOrDefault("username", "").trim();
        if (username.isEmpty()) {
            return json(400, error("give ?username=NAME (any name; 'admin' becomes an admin)", null));
        }
        String redirect = authorizedUrl(frontDoor);
        HttpResponse<String> login = get(frontDoor.url() + Resources.V2 + "/system/authentication/login/?redirect_uri="
                + enc(redirect));
        if (login.statusCode() != 200) {
            return json(502, error("GET login answered " + login.statusCode(), login.body()));
        }
        String authUrl = JSON.readTree(login.body()).path("auth_url").asText("");
        if (authUrl.isEmpty()) {
            return json(502, error("the login answer has no auth_url", login.body()));
        }
        HttpResponse<String> authorize = get(authUrl + (authUrl.contains("?") ? "&" : "?") + "username=" + enc(username));
        String location = authorize.headers().firstValue("Location").orElse("");
        if (authorize.statusCode() != 302 || !location.contains("code=")) {
            return json(502, error("the OSM stand-in answered " + authorize.statusCode(), authorize.body()));
        }
        String code = ApiGatewayEvents.parseQuery(URI.create(location).getRawQuery()).get("code");
        return callback(frontDoor, code, redirect, false);
    }

    private static ApiGatewayEvents.HttpReply authorized(FrontDoor frontDoor, ApiGatewayEvents.HttpRequest request)
            throws Exception {
        String code = ApiGatewayEvents.parseQuery(request.rawQuery()).get("code");
        if (code == null || code.isEmpty()) {
            return json(400, error("no code in the query", null));
        }
        return callback(frontDoor, code, authorizedUrl(frontDoor), true);
    }

    private static ApiGatewayEvents.HttpReply callback(FrontDoor frontDoor, String code, String redirect, boolean html)
            throws Exception {
        HttpResponse<String> callback = get(frontDoor.url() + Resources.V2 + "/system/authentication/callback/?code="
                + enc(code) + "&redirect_uri=" + enc(redirect));
        if (callback.statusCode() != 200) {
            return json(502, error("GET callback answered " + callback.statusCode(), callback.body()));
        }
        JsonNode answer = JSON.readTree(callback.body());
        String token = answer.path("session_token").asText("");
        ObjectNode result = JSON.createObjectNode();
        result.put("username", answer.path("username").asText(""));
        result.put("session_token", token);
        result.put("authorization", "Token " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        result.set("callback", answer);
        if (!html) {
            return json(200, result);
        }
        String page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Logged in</title></head><body>"
                + "<h1>Logged in as " + escape(result.get("username").asText()) + "</h1>"
                + "<p>Send this header with API requests:</p><pre>Authorization: "
                + escape(result.get("authorization").asText()) + "</pre></body></html>";
        return new ApiGatewayEvents.HttpReply(200, List.of(Map.entry("content-type", "text/html; charset=utf-8")),
                page.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode error(String message, String upstreamBody) {
        ObjectNode node = JSON.createObjectNode();
        node.put("message", message);
        if (upstreamBody != null) {
            node.put("upstream", upstreamBody);
        }
        return node;
    }

    private static ApiGatewayEvents.HttpReply json(int status, JsonNode body) throws IOException {
        return new ApiGatewayEvents.HttpReply(status, List.of(Map.entry("content-type", "application/json")),
                JSON.writeValueAsBytes(body));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
