package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.http.Request;
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
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code GET /users/statistics/ohsome/}: a user's OSM edits by topic, asked of the ohsomeNow statistics API
 * ({@code <TM_OHSOME_STATS_API_URL>/stats/user}, HTTP Basic with the deployment's token) and answered as ohsome
 * sent it. The call has a deadline (connect {@code TM_OHSOME_CONNECT_TIMEOUT_MS}, whole exchange
 * {@code TM_OHSOME_TIMEOUT_MS}); ohsome failing, timing out or answering something that is not JSON is 502
 * OHSOME_UNAVAILABLE, ohsome refusing the query 400 OHSOME_QUERY_REFUSED (docs/ohsome.md).
 */
@Singleton
public class OhsomeClient {
    private static final Logger LOG = LoggerFactory.getLogger(OhsomeClient.class);

    private final TmConfig config;
    private final String baseUrl;
    private final Duration timeout;
    private final OutsideHttp http;
    private volatile String token;

    /** The query as the reference takes it: userId and topics required, dates as YYYY-MM-DD. */
    public record Query(long userId, String topics, String startDate, String endDate, String hashtag) {
        /** Missing or non-integer userId, missing topics ⇒ 422 (FastAPI's validation); a bad date ⇒ 400. */
        public static Query from(Request req) {
            String userId = req.query("userId").map(String::trim).orElseThrow(() -> missing("userId"));
            if (!userId.matches("[+-]?\\d{1,18}")) {
                throw new ApiException(ErrorCode.SCHEMA_INVALID, "Input should be a valid integer, unable to parse string as an integer",
                        Map.of("loc", List.of("query", "userId"), "type", "int_parsing"));
            }
            String topics = req.query("topics").orElseThrow(() -> missing("topics"));
            return new Query(Long.parseLong(userId), topics, instant(req.query("startdate").orElse(null)),
                    instant(req.query("enddate").orElse(null)), req.query("hashtag").orElse(null));
        }

        private static ApiException missing(String name) {
            return new ApiException(ErrorCode.SCHEMA_INVALID, "Field required",
                    Map.of("loc", List.of("query", name), "type", "missing"));
        }

        /** {@code 2024-03-01} ⇒ {@code 2024-03-01T00:00:00Z}, as ohsome takes it. */
        private static String instant(String date) {
            if (date == null || date.isEmpty()) return null;
            var m = java.util.regex.Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})").matcher(date);
            try {
                if (!m.matches()) throw new DateTimeException(date);
                return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                        + "T00:00:00Z";
            } catch (DateTimeException e) {
                throw new ApiException(ErrorCode.OHSOME_INVALID_DATE,
                        "Invalid date format for '" + date + "', expected YYYY-MM-DD");
            }
        }
    }

    public OhsomeClient(TmConfig config) {
        this.config = config;
        String url = config.get("TM_OHSOME_STATS_API_URL").orElse("https://stats.now.ohsome.org/api");
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        Duration connectTimeout = Duration.ofMillis(config.get("TM_OHSOME_CONNECT_TIMEOUT_MS").map(Long::parseLong).orElse(2_000L));
        this.timeout = Duration.ofMillis(config.get("TM_OHSOME_TIMEOUT_MS").map(Long::parseLong).orElse(8_000L));
        this.http = new OutsideHttp("ohsome", connectTimeout, timeout, ErrorCode.OHSOME_UNAVAILABLE);
    }

    /** ohsome's answer for the query, as it came. */
    public JsonNode userStats(Query q) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("userId", Long.toString(q.userId()));
        params.put("topics", q.topics());
        if (q.startDate() != null) params.put("startdate", q.startDate());
        if (q.endDate() != null) params.put("enddate", q.endDate());
        if (q.hashtag() != null && !q.hashtag().isEmpty()) params.put("hashtag", q.hashtag());
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/stats/user?" + query))
                .header("Authorization", "Basic " + token())
                .header("Accept", "application/json")
                .timeout(timeout)
                .GET()
                .build();
        HttpResponse<String> response = http.send(request);
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        if (status == 400 || status == 404 || status == 422) {
            String message = body == null ? null : body.path("message").asText(null);
            LOG.info("ohsome refused the query (HTTP {}): {}", status, message);
            throw new ApiException(ErrorCode.OHSOME_REFUSED, ErrorCode.OHSOME_REFUSED.message,
                    message == null ? Map.of() : Map.of("ohsomeMessage", message));
        }
        if (status != 200 || body == null || !body.isObject()) {
            LOG.warn("ohsome answered HTTP {} {}", status, body == null ? "without JSON" : "");
            throw new ApiException(ErrorCode.OHSOME_UNAVAILABLE);
        }
        return body;
    }

    /** TM_OHSOME_STATS_TOKEN where given (local stack, tests), else the Secrets Manager secret TM_OHSOME_STATS_TOKEN_ARN. */
    private String token() {
        String t = token;
        if (t == null) {
            synchronized (this) {
                if (token == null) {
                    token = config.get("TM_OHSOME_STATS_TOKEN").orElseGet(() -> {
                        String arn = config.get("TM_OHSOME_STATS_TOKEN_ARN").orElse(null);
                        if (arn == null) {
                            LOG.warn("no ohsome token configured (TM_OHSOME_STATS_TOKEN or TM_OHSOME_STATS_TOKEN_ARN)");
                            throw new ApiException(ErrorCode.OHSOME_UNAVAILABLE);
                        }
                        try {
                            return config.secretValue(arn);
                        } catch (RuntimeException e) {
                            LOG.warn("ohsome token could not be read: {}", e.toString());
                            throw new ApiException(ErrorCode.OHSOME_UNAVAILABLE);
                        }
                    });
                }
                t = token;
            }
        }
        return t;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) return null;
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
