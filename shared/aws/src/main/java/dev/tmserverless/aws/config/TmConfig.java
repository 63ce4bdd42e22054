package dev.tmserverless.aws.config;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.geo.AoiLimits;

import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deployment settings, read once per function instance. Lookup order: explicit overrides (tests), the
 * process environment (Lambda), then a JVM system property of the same name (the local stack runs every
 * function in one JVM and hands them their settings that way).
 */
@Singleton
public final class TmConfig {
    private final Map<String, String> overrides;

    public TmConfig() { this(Map.of()); }

    public TmConfig(Map<String, String> overrides) { this.overrides = Map.copyOf(overrides); }

    public Optional<String> get(String name) {
        String v = overrides.get(name);
        if (v == null) v = System.getenv(name);
        if (v == null) v = System.getProperty(name);
        return Optional.ofNullable(v).filter(s -> !s.isBlank());
    }

    public String require(String name) {
        return get(name).orElseThrow(() -> new IllegalStateException("missing setting " + name));
    }

    public String table() { return require(Resources.TABLE.envVar()); }

    public String bucket() { return require(Resources.BUCKET.envVar()); }

    public String queueUrl(Resources.Queue q) { return require(q.envVar()); }

    public Optional<String> endpoint(String service) {
        return get("TM_AWS_ENDPOINT_" + service.toUpperCase());
    }

    /** The value of the Secrets Manager secret {@code arn} (the deployed form of every secret setting). */
    public String secretValue(String arn) {
        try (var sm = software.amazon.awssdk.services.secretsmanager.SecretsManagerClient.builder()
                .region(software.amazon.awssdk.regions.Region.of(region()))
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build()) {
            return sm.getSecretValue(b -> b.secretId(arn)).secretString();
        }
    }

    public String region() {
        return get("AWS_REGION").or(() -> get("aws.region")).orElse("us-east-1");
    }

    public String osmUrl() { return get("TM_OSM_URL").orElse("https://www.openstreetmap.org"); }

    public String osmClientId() { return get("TM_OSM_CLIENT_ID").orElse(""); }

    public String redirectUri() { return get("TM_REDIRECT_URI").orElse("http://127.0.0.1:3000/authorized"); }

    public String osmScope() { return get("TM_SCOPE").orElse("read_prefs write_api"); }

    /** The organisation running this instance, as messages name it (the reference's ORG_CODE and ORG_NAME). */
    public String orgCode() { return get("TM_ORG_CODE").orElse("HOT"); }

    public String orgName() { return get("TM_ORG_NAME").orElse("Humanitarian OpenStreetMap Team"); }

    public List<String> bootstrapAdmins() {
        return get("TM_BOOTSTRAP_ADMINS").map(s -> Arrays.stream(s.split(",")).map(String::trim)
                .filter(x -> !x.isEmpty()).toList()).orElse(List.of());
    }

    /** How long a task lock lasts before it expires (reference default 2 h, env TM_TASK_AUTOUNLOCK_AFTER). */
    public Duration lockDuration() {
        return get("TM_TASK_AUTOUNLOCK_AFTER").map(TmConfig::parseDelta).orElse(Duration.ofHours(2));
    }

    public AoiLimits aoiLimits() {
        AoiLimits d = AoiLimits.defaults();
        return new AoiLimits(get("TM_MAX_AOI_AREA_KM2").map(Double::parseDouble).orElse(d.maxAreaKm2()),
                get("TM_MAX_TASKS").map(Long::parseLong).orElse(d.maxTasks()));
    }

    /**
     * The largest response body sent inline (after compression). Lambda refuses a response over 6 MB
     * including its JSON envelope; bigger bodies are handed over through the bucket (docs/performance.md).
     */
    public long maxInlineResponseBytes() {
        return get("TM_MAX_INLINE_RESPONSE_BYTES").map(Long::parseLong).orElse(5_000_000L);
    }

    /** Requests one application key may make per minute (TM_APP_KEY_REQUESTS_PER_MINUTE, default 60). */
    public int applicationKeyRequestsPerMinute() {
        return get("TM_APP_KEY_REQUESTS_PER_MINUTE").map(Integer::parseInt).orElse(60);
    }

    /**
     * BatchWriteItem calls a grid worker has in flight at once (TM_GRID_WRITE_PARALLELISM, default 8); each flush
     * of the job's progress covers 100 tasks per call in flight (docs/grid-jobs.md).
     */
    public int gridWriteParallelism() {
        return Math.max(1, get("TM_GRID_WRITE_PARALLELISM").map(Integer::parseInt).orElse(8));
    }

    /**
     * Tasks per slice of a grid job (TM_GRID_SLICE_TASKS, default 5,000): each slice is written by its own worker
     * invocation, concurrently with the others (docs/grid-jobs.md).
     */
    public int gridSliceTasks() {
        return Math.max(1, get("TM_GRID_SLICE_TASKS").map(Integer::parseInt).orElse(5_000));
    }

    /**
     * How long a grid worker holds its message before it must renew it (TM_GRID_LEASE_SECONDS, default 60): a worker
     * that dies (killed, timed out, out of memory) lets its message come back after this, not the queue's visibility
     * timeout.
     */
    public Duration gridLease() {
        return Duration.ofSeconds(Math.max(2, get("TM_GRID_LEASE_SECONDS").map(Long::parseLong).orElse(60L)));
    }

    /** First delay before a failed grid job is tried again; doubles with each receive (TM_GRID_RETRY_SECONDS). */
    public Duration gridRetryBackoff() {
        return Duration.ofSeconds(get("TM_GRID_RETRY_SECONDS").map(Long::parseLong).orElse(30L));
    }

    /**
     * Bulk actions on a project of at most this many tasks run inside the request, as in the reference
     * (TM_BULK_INLINE_TASKS); larger projects are handed to the bulk worker.
     */
    public int bulkInlineTasks() {
        return get("TM_BULK_INLINE_TASKS").map(Integer::parseInt).orElse(500);
    }

    /** The most tasks one bulk worker slice decides before it re-queues its job (TM_BULK_SLICE_TASKS). */
    public int bulkSliceTasks() {
        return get("TM_BULK_SLICE_TASKS").map(Integer::parseInt).orElse(50_000);
    }

    /** {@code 2h}, {@code 30m}, {@code 7d}, {@code 1h30m}, {@code 90s}. */
    static Duration parseDelta(String s) {
        Duration d = Duration.ZERO;
        StringBuilder num = new StringBuilder();
        for (char c : s.trim().toCharArray()) {
            if (Character.isDigit(c)) { num.append(c); continue; }
            if (num.isEmpty()) throw new IllegalArgumentException("bad duration " + s);
            long n = Long.parseLong(num.toString());
            num.setLength(0);
            d = d.plus(switch (c) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new IllegalArgumentException("bad duration " + s);
            });
        }
        if (!num.isEmpty()) d = d.plusSeconds(Long.parseLong(num.toString()));
        return d;
    }
}
