package dev.tmserverless.cdk;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Node;

/**
 * Deployment choices that are not in the resource catalogue, read from CDK context ({@code -c key=value} or the
 * {@code context} block of cdk.json). Everything has a default, so a plain {@code cdk deploy} works.
 */
public record StackSettings(
        String stackName,
        boolean retainData,
        RetentionDays logRetention,
        Optional<String> alarmTopicArn,
        List<String> corsOrigins,
        int throttleRateLimit,
        int throttleBurstLimit,
        boolean allowMissingJars,
        String defaultOsmUrl) {

    public static final String STACK_NAME = "tm:stackName";
    public static final String RETAIN_DATA = "tm:retainData";
    public static final String LOG_RETENTION_DAYS = "tm:logRetentionDays";
    public static final String ALARM_TOPIC_ARN = "tm:alarmTopicArn";
    public static final String CORS_ORIGINS = "tm:corsOrigins";
    public static final String THROTTLE_RATE = "tm:throttleRateLimit";
    public static final String THROTTLE_BURST = "tm:throttleBurstLimit";
    public static final String ALLOW_MISSING_JARS = "tm:allowMissingJars";
    public static final String OSM_URL = "tm:osmUrl";

    public static StackSettings defaults() {
        return new StackSettings("TmServerless", true, RetentionDays.ONE_MONTH, Optional.empty(), List.of("*"),
                100, 200, false, "https://www.openstreetmap.org");
    }

    public static StackSettings fromContext(Node node) {
        StackSettings d = defaults();
        return new StackSettings(
                string(node, STACK_NAME).orElse(d.stackName()),
                string(node, RETAIN_DATA).map(StackSettings::bool).orElse(d.retainData()),
                string(node, LOG_RETENTION_DAYS).map(StackSettings::retention).orElse(d.logRetention()),
                string(node, ALARM_TOPIC_ARN).filter(s -> !s.isBlank()),
                string(node, CORS_ORIGINS).map(s -> Arrays.stream(s.split(",")).map(String::trim)
                        .filter(o -> !o.isEmpty()).toList()).orElse(d.corsOrigins()),
                string(node, THROTTLE_RATE).map(Integer::parseInt).orElse(d.throttleRateLimit()),
                string(node, THROTTLE_BURST).map(Integer::parseInt).orElse(d.throttleBurstLimit()),
                string(node, ALLOW_MISSING_JARS).map(StackSettings::bool).orElse(d.allowMissingJars()),
                string(node, OSM_URL).orElse(d.defaultOsmUrl()));
    }

    private static Optional<String> string(Node node, String key) {
        Object v = node.tryGetContext(key);
        return v == null ? Optional.empty() : Optional.of(String.valueOf(v).trim());
    }

    private static boolean bool(String s) {
        return switch (s.toLowerCase()) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + s + "'");
        };
    }

    /** CloudWatch Logs only accepts certain retention periods; the context value must be one of them. */
    static RetentionDays retention(String days) {
        int n = (int) Double.parseDouble(days);
        for (RetentionDays r : RetentionDays.values()) {
            if (r != RetentionDays.INFINITE && retentionDays(r) == n) return r;
        }
        throw new IllegalArgumentException(LOG_RETENTION_DAYS + " must be a CloudWatch Logs retention period"
                + " (1, 3, 5, 7, 14, 30, 60, 90, ...), got " + days);
    }

    static int retentionDays(RetentionDays r) {
        return switch (r) {
            case ONE_DAY -> 1;
            case THREE_DAYS -> 3;
            case FIVE_DAYS -> 5;
            case ONE_WEEK -> 7;
            case TWO_WEEKS -> 14;
            case ONE_MONTH -> 30;
            case TWO_MONTHS -> 60;
            case THREE_MONTHS -> 90;
            case FOUR_MONTHS -> 120;
            case FIVE_MONTHS -> 150;
            case SIX_MONTHS -> 180;
            case ONE_YEAR -> 365;
            case THIRTEEN_MONTHS -> 400;
            case EIGHTEEN_MONTHS -> 545;
            case TWO_YEARS -> 731;
            case THREE_YEARS -> 1096;
            case FIVE_YEARS -> 1827;
            case SIX_YEARS -> 2192;
            case SEVEN_YEARS -> 2557;
            case EIGHT_YEARS -> 2922;
            case NINE_YEARS -> 3288;
            case TEN_YEARS -> 3653;
            default -> -1;
        };
    }
}
