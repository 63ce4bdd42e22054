package dev.tmserverless.fn.users;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.auth.SessionTokens;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Api.Answer;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls the users function with API Gateway v2 events for catalogue routes, reads its answers, and plays the
 * browser's part of the OSM login against the stand-in.
 */
final class Http {
    static final String REDIRECT_URI = "http://127.0.0.1:3000/authorized";
    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private Http() {}

    /** An {@code Authorization} value as reference clients send it: {@code Token <base64(token)>}. */
    static String token(long userId) {
        return SessionTokens.header(issue(userId, Instant.now()));
    }

    static String issue(long userId, Instant at) {
        return new SessionTokens(Emulators.TOKEN_SECRET).issue(userId, at);
    }

    static Answer get(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String path, String authorization) {
        return call(fn, "GET", path, authorization, null);
    }

    static Answer post(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String path, String authorization,
                       String body) {
        return call(fn, "POST", path, authorization, body);
    }

    static Answer call(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String method, String path,
                       String authorization, String body) {
        return Api.call(fn, method, path, authorization, body);
    }

    /** The event API Gateway would send for a catalogue route (the shared test support builds it). */
    static APIGatewayV2HTTPEvent event(String method, String pathAndQuery, String authorization, String body) {
        return Api.event(method, pathAndQuery, authorization, body);
    }

    static Map<String, String> queryParams(String query) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String kv : query.split("&")) {
            if (kv.isEmpty()) continue;
            String[] parts = kv.split("=", 2);
            q.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return q;
    }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    /**
     * What a browser does between the login and callback calls: asks the function for the auth URL, lets the
     * OSM stand-in approve it for {@code username}, and returns the {@code code} from the 302 redirect (after
     * checking that {@code state} came back unchanged).
     */
    static String authorize(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String username) {
        Answer login = get(fn, "/api/v2/system/authentication/login/?redirect_uri=" + enc(REDIRECT_URI), null);
        assertThat(login.status()).isEqualTo(200);
        String state = login.json().path("state").asText();
        try {
            HttpResponse<String> approved = BROWSER.send(HttpRequest.newBuilder(
                    URI.create(login.json().path("auth_url").asText() + "&username=" + enc(username))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(approved.statusCode()).isEqualTo(302);
            URI location = URI.create(approved.headers().firstValue("location").orElseThrow());
            assertThat(location.toString()).startsWith(REDIRECT_URI + "?");
            Map<String, String> back = queryParams(location.getRawQuery());
            assertThat(back.get("state")).isEqualTo(state);
            return back.get("code");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The callback call the frontend makes with the code. */
    static Answer callback(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String code) {
        return get(fn, "/api/v2/system/authentication/callback/?code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT_URI), null);
    }

    /** The whole login as {@code username}; returns the callback's answer (asserted 200). */
    static Answer login(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String username) {
        Answer a = callback(fn, authorize(fn, username));
        assertThat(a.status()).as("callback for %s: %s", username, a.json()).isEqualTo(200);
        return a;
    }

    /** The Authorization header for a login answer's session token. */
    static String header(Answer login) {
        return SessionTokens.header(login.json().path("session_token").asText());
    }
}
