package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The two OpenStreetMap calls of the login callback: the authorization-code exchange at
 * {@code /oauth2/token} and {@code /api/0.6/user/details.json}. Every failure becomes the reference's answer,
 * and every call has a deadline (connect {@code TM_OSM_CONNECT_TIMEOUT_MS}, whole exchange
 * {@code TM_OSM_TIMEOUT_MS}), so a slow or absent OSM is a 502, never a hung or failed Lambda.
 */
@Singleton
public class OsmClient {
    private static final Logger LOG = LoggerFactory.getLogger(OsmClient.class);

    /** The OSM user a login is for. {@code pictureUrl} may be null. */
    public record OsmUser(long id, String displayName, String pictureUrl, Long changesets) {}

    private final TmConfig config;
    private final String baseUrl;
    private final OutsideHttp http;
    private volatile String clientSecret;

    public OsmClient(TmConfig config) {
        this.config = config;
        String url = config.osmUrl();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        Duration connectTimeout = Duration.ofMillis(config.get("TM_OSM_CONNECT_TIMEOUT_MS").map(Long::parseLong).orElse(2_000L));
        Duration timeout = Duration.ofMillis(config.get("TM_OSM_TIMEOUT_MS").map(Long::parseLong).orElse(5_000L));
        this.http = new OutsideHttp("OSM", connectTimeout, timeout, ErrorCode.OSM_SERVICE_ERROR);
    }

    public String baseUrl() { return baseUrl; }

    /**
     * Exchanges an authorization code for the OSM token response ({@code access_token, token_type, scope,
     * created_at…}), returned as OSM sent it. A refused grant is 400 InvalidGrantError; anything else that
     * yields no access token is 502 TokenFetchError.
     */
    public ObjectNode exchangeCode(String code, String redirectUri) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("client_id", config.osmClientId());
        form.put("client_secret", clientSecret());
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
                .build();
        HttpResponse<String> response = http.send(request, ErrorCode.TOKEN_FETCH_ERROR, "token");
        JsonNode body = parse(response.body());
        if (response.statusCode() == 400 && body != null && "invalid_grant".equals(body.path("error").asText(null))) {
            throw new ApiException(ErrorCode.INVALID_GRANT);
        }
        if (response.statusCode() != 200 || body == null || !body.isObject()
                || !body.path("access_token").isTextual() || body.path("access_token").asText().isBlank()) {
            LOG.warn("OSM token exchange gave no access token (HTTP {}, error {})", response.statusCode(),
                    body == null ? "<not JSON>" : body.path("error").asText("-"));
            throw new ApiException(ErrorCode.TOKEN_FETCH_ERROR);
        }
        return (ObjectNode) body;
    }

    /** The user the access token belongs to. Not 200 ⇒ 502 OSMServiceError; an unusable document ⇒ 502 AuthError. */
    public OsmUser userDetails(String accessToken) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/0.6/user/details.json"))
                .header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, ErrorCode.OSM_SERVICE_ERROR, "user details");
        if (response.statusCode() != 200) {
            LOG.warn("OSM user details answered HTTP {}", response.statusCode());
            throw new ApiException(ErrorCode.OSM_SERVICE_ERROR);
        }
        JsonNode root = parse(response.body());
        JsonNode user = root == null ? null : root.path("user");
        if (user == null || !user.path("id").isIntegralNumber() || !user.path("id").canConvertToLong()
                || user.path("id").asLong() <= 0
                || !user.path("display_name").isTextual() || user.path("display_name").asText().isBlank()) {
            LOG.warn("OSM user details carried no usable user (id and display_name)");
            throw new ApiException(ErrorCode.AUTH_ERROR);
        }
        JsonNode href = user.path("img").path("href");
        JsonNode changesets = user.path("changesets").get("count");
        return new OsmUser(user.path("id").asLong(), user.path("display_name").asText().trim(),
                href.isTextual() && !href.asText().isBlank() ? href.asText() : null,
                changesets != null && changesets.isIntegralNumber() && changesets.canConvertToLong() ? changesets.asLong() : null);
    }

    /** What OSM tells anybody about an account: when it was created and how many changesets it has. */
    public record OsmAccount(String accountCreated, Long changesetCount) {}

    /**
     * The public profile of OSM user {@code osmId} ({@code GET /api/0.6/user/{id}.json}, no token). A deleted
     * account (410) ⇒ 502 "User no longer exists on OSM"; any other failure, timeout or a document without a
     * user ⇒ 502 "Bad response from OSM".
     */
    public OsmAccount account(long osmId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/0.6/user/" + osmId + ".json"))
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, ErrorCode.OSM_BAD_RESPONSE, "user " + osmId);
        if (response.statusCode() == 410) throw new ApiException(ErrorCode.OSM_USER_GONE);
        if (response.statusCode() != 200) {
            LOG.warn("OSM user {} answered HTTP {}", osmId, response.statusCode());
            throw new ApiException(ErrorCode.OSM_BAD_RESPONSE);
        }
        JsonNode root = parse(response.body());
        JsonNode user = root == null ? null : root.get("user");
        if (user == null || !user.isObject()) throw new ApiException(ErrorCode.OSM_BAD_RESPONSE);
        JsonNode created = user.get("account_created");
        JsonNode count = user.path("changesets").get("count");
        return new OsmAccount(created != null && created.isTextual() ? created.asText() : null,
                count != null && count.canConvertToLong() && count.isIntegralNumber() ? count.asLong() : null);
    }

    /** TM_OSM_CLIENT_SECRET where given (local stack, tests), else the Secrets Manager secret TM_OSM_CLIENT_SECRET_ARN. */
    private String clientSecret() {
        String s = clientSecret;
        if (s == null) {
            synchronized (this) {
                if (clientSecret == null) {
                    clientSecret = config.get("TM_OSM_CLIENT_SECRET").orElseGet(() -> {
                        String arn = config.require("TM_OSM_CLIENT_SECRET_ARN");
                        return config.secretValue(arn);
                    });
                }
                s = clientSecret;
            }
        }
        return s;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) return null;
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String formEncode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue() == null ? "" : e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
