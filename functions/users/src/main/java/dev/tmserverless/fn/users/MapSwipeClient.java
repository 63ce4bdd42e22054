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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The MapSwipe backend's GraphQL API ({@code TM_MAPSWIPE_API_URL}, by default MapSwipe's own), asked for a partner's
 * user-group statistics as the reference asks it: a {@code GET /health-check/} on the API's origin for the CSRF
 * cookie, then the query POSTed with {@code X-CSRFToken}, {@code Referer} and {@code Origin}; a 403 refreshes the
 * cookie and tries once more. Every call has a deadline ({@code TM_MAPSWIPE_TIMEOUT_MS}, 15 s by default, as the
 * reference's). Failures are the reference's 409s: MAPSWIPE_NETWORK_ERROR (no answer in time), MAPSWIPE_HTTP_ERROR,
 * MAPSWIPE_INVALID_RESPONSE (not JSON), MAPSWIPE_GRAPHQL_ERROR, MAPSWIPE_NO_DATA (docs/reference-data.md).
 */
@Singleton
public class MapSwipeClient {
    private static final Logger LOG = LoggerFactory.getLogger(MapSwipeClient.class);
    static final String DEFAULT_URL = "https://backend.mapswipe.org/graphql/";
    private static final List<String> CSRF_COOKIES = List.of("MAPSWIPE-PROD-CSRFTOKEN", "csrftoken", "CSRF-TOKEN");

    static final String GROUP_QUERY = """
            query UserGroupStats($pk: ID!, $limit: Int!, $offset: Int!) {
              contributorUserGroup(userGroupId: {firebaseId: $pk}) {
                id name description
                userMemberships(pagination: {limit: $limit, offset: $offset}) {
                  totalCount
                  results { id isActive totalSwipes totalSwipeTime totalMappingProjects user { id firebaseId username } }
                }
              }
              communityUserGroupStats(userGroupId: {firebaseId: $pk}) {
                id
                stats { totalContributors totalSwipes totalSwipeTime }
                statsLatest { totalContributors totalSwipes totalSwipeTime }
              }
            }""";

    static final String FILTERED_QUERY = """
            query FilteredUserGroupStats($pk: ID!, $fromDate: Date!, $toDate: Date!) {
              communityUserGroupStats(userGroupId: {firebaseId: $pk}) {
                id
                filteredStats(dateRange: {fromDate: $fromDate, toDate: $toDate}) {
                  areaSwipedByProjectType { projectTypeDisplay totalArea projectType }
                  swipeByDate { taskDate totalSwipes }
                  swipeByOrganizationName { totalSwipes organizationName }
                  swipeByProjectGeo { totalContribution geojson }
                  swipeByProjectType { totalSwipes projectTypeDisplay projectType }
                  swipeTimeByDate { totalSwipeTime date }
                }
              }
            }""";

    private final URI url;
    private final String origin;
    private final Duration timeout;
    private final OutsideHttp http;

    public MapSwipeClient(TmConfig config) {
        this.url = URI.create(config.get("TM_MAPSWIPE_API_URL").filter(s -> !s.isBlank()).orElse(DEFAULT_URL));
        this.origin = url.getScheme() + "://" + url.getRawAuthority();
        this.timeout = Duration.ofMillis(config.get("TM_MAPSWIPE_TIMEOUT_MS").map(Long::parseLong).orElse(15_000L));
        this.http = new OutsideHttp("MapSwipe", timeout, timeout, ErrorCode.MAPSWIPE_NETWORK_ERROR);
    }

    /** The group's members (a page of them) and its totals: MapSwipe's {@code data} object. */
    public JsonNode groupStats(String groupId, int limit, int offset) {
        return post("UserGroupStats", GROUP_QUERY, Map.of("pk", groupId, "limit", limit, "offset", offset));
    }

    /** The group's contributions between two dates (YYYY-MM-DD): MapSwipe's {@code data} object. */
    public JsonNode filteredStats(String groupId, String fromDate, String toDate) {
        return post("FilteredUserGroupStats", FILTERED_QUERY, Map.of("pk", groupId, "fromDate", fromDate, "toDate", toDate));
    }

    private JsonNode post(String operation, String query, Map<String, Object> variables) {
        ObjectNode payload = Json.MAPPER.createObjectNode();
        payload.put("operationName", operation);
        payload.put("query", query);
        payload.set("variables", Json.MAPPER.valueToTree(variables));
        String body = payload.toString();
        Csrf csrf = csrfToken();
        HttpResponse<String> r = http.send(graphql(body, csrf));
        if (r.statusCode() == 403) {
            LOG.info("MapSwipe refused the request (403): refreshing the CSRF cookie and trying once more");
            r = http.send(graphql(body, csrfToken()));
        }
        if (r.statusCode() >= 400) {
            LOG.warn("MapSwipe answered HTTP {}", r.statusCode());
            throw new ApiException(ErrorCode.MAPSWIPE_HTTP_ERROR, "MapSwipe HTTP " + r.statusCode());
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            LOG.warn("MapSwipe answered something that is not JSON");
            throw new ApiException(ErrorCode.MAPSWIPE_INVALID_RESPONSE);
        }
        JsonNode errors = parsed.get("errors");
        if (errors != null && errors.isArray() && !errors.isEmpty()) {
            String message = errors.get(0).path("message").asText("GraphQL error");
            LOG.warn("MapSwipe GraphQL error: {}", message);
            throw new ApiException(ErrorCode.MAPSWIPE_GRAPHQL_ERROR, "MapSwipe GraphQL error: " + message);
        }
        JsonNode data = parsed.get("data");
        if (data == null || !data.isObject()) throw new ApiException(ErrorCode.MAPSWIPE_NO_DATA);
        return data;
    }

    private HttpRequest graphql(String body, Csrf csrf) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Referer", origin).header("Origin", origin).header("User-Agent", "tasking-manager")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (csrf != null) b.header("X-CSRFToken", csrf.value()).header("Cookie", csrf.cookie());
        return b.build();
    }

    /** A CSRF cookie from the health check (or the origin's root), or null when neither sets one. */
    private Csrf csrfToken() {
        for (String path : List.of("/health-check/", "/")) {
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(URI.create(origin + path)).timeout(timeout).GET().build());
            } catch (ApiException e) {
                continue; // as the reference: a failed health check only means no token
            }
            for (String set : r.headers().allValues("set-cookie")) {
                String pair = set.split(";", 2)[0].trim();
                int eq = pair.indexOf('=');
                if (eq > 0 && CSRF_COOKIES.contains(pair.substring(0, eq))) return new Csrf(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return null;
    }

    private record Csrf(String name, String value) {
        String cookie() { return name + "=" + value; }
    }
}
