package dev.tmserverless.cdk;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Node;

/**
 * Deployment choices that are not in the resource catalogue, read from CDK context ({@code -c key=value} or the
 * {@code context} block of cdk.json). Everything has a default, so a plain {@code cdk deploy} works.
 *
 * <p>Stages: one app synthesizes one stack per stage named in {@value #STAGES} (default {@code prod}). Each stage
 * has its own defaults ({@link Stage}); any key can be set for all stages ({@code tm:alarmEmail}) or for one stage
 * ({@code tm:prod:alarmEmail}), the stage's own key winning.
 */
public record StackSettings(
        Stage stage,
        String stackName,
        boolean retainData,
        RetentionDays logRetention,
        Optional<String> alarmTopicArn,
        Optional<String> alarmEmail,
        List<String> corsOrigins,
        int throttleRateLimit,
        int throttleBurstLimit,
        boolean allowMissingJars,
        String defaultOsmUrl,
        DeployStyle deployStyle,
        boolean backupPlan,
        Optional<String> restoredTableName,
        int appKeyRequestsPerMinute) {

    /** A deployment stage. Prod keeps its data and shifts traffic by canary; dev is cheap to throw away. */
    public enum Stage {
        DEV(false, RetentionDays.ONE_WEEK, DeployStyle.ALL_AT_ONCE),
        PROD(true, RetentionDays.ONE_MONTH, DeployStyle.CANARY);

        final boolean retainData;
        final RetentionDays logRetention;
        final DeployStyle deployStyle;

        Stage(boolean retainData, RetentionDays logRetention, DeployStyle deployStyle) {
            this.retainData = retainData;
            this.logRetention = logRetention;
            this.deployStyle = deployStyle;
        }

        /** {@code dev}, {@code prod}: the value of the {@code stage} tag and the stack name suffix. */
        public String id() { return name().toLowerCase(); }

        public static Stage of(String id) {
            for (Stage s : values()) if (s.id().equals(id.trim().toLowerCase())) return s;
            throw new IllegalArgumentException(STAGES + ": unknown stage '" + id + "' (dev or prod)");
        }
    }

    /** How CodeDeploy moves a function's {@code live} alias to a new version. */
    public enum DeployStyle {
        /** 10 % of the traffic for 5 minutes, then the rest (rolled back if an alarm fires meanwhile). */
        CANARY,
        /** 10 % more every minute for 10 minutes. */
        LINEAR,
        /** Everything at once (dev: fast deploys; the alarms still roll back a failed deployment). */
        ALL_AT_ONCE;

        static DeployStyle of(String s) {
            return switch (s.trim().toLowerCase().replace('_', '-')) {
                case "canary" -> CANARY;
                case "linear" -> LINEAR;
                case "all-at-once" -> ALL_AT_ONCE;
                default -> throw new IllegalArgumentException(DEPLOY_STYLE + " must be canary, linear or all-at-once, got '" + s + "'");
            };
        }
    }

    public static final String STAGES = "tm:stages";
    public static final String STACK_NAME = "tm:stackName";
    public static final String RETAIN_DATA = "tm:retainData";
    public static final String LOG_RETENTION_DAYS = "tm:logRetentionDays";
    public static final String ALARM_TOPIC_ARN = "tm:alarmTopicArn";
    public static final String ALARM_EMAIL = "tm:alarmEmail";
    public static final String CORS_ORIGINS = "tm:corsOrigins";
    public static final String THROTTLE_RATE = "tm:throttleRateLimit";
    public static final String THROTTLE_BURST = "tm:throttleBurstLimit";
    public static final String ALLOW_MISSING_JARS = "tm:allowMissingJars";
    public static final String OSM_URL = "tm:osmUrl";
    public static final String DEPLOY_STYLE = "tm:deployStyle";
    public static final String BACKUP_PLAN = "tm:backupPlan";
    public static final String RESTORED_TABLE_NAME = "tm:restoredTableName";
    /** Requests one application key may make per minute (TEMPLATE_NOTES.md "Throttling per application key"). */
    public static final String APP_KEY_REQUESTS_PER_MINUTE = "tm:appKeyRequestsPerMinute";

    /** Base of the stack names: {@code <base>-<stage>}. */
    /**
     * Limits per deployment: context key → the functions' environment variable (TEMPLATE_NOTES.md "Limits"). Unset:
     * the defaults the functions apply (TmConfig).
     */
    public static final Map<String, String> LIMITS = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Map.of(
            "tm:maxTasks", "TM_MAX_TASKS",
            "tm:maxAoiAreaKm2", "TM_MAX_AOI_AREA_KM2",
            "tm:lockDuration", "TM_TASK_AUTOUNLOCK_AFTER",
            "tm:maxInlineResponseBytes", "TM_MAX_INLINE_RESPONSE_BYTES")));

    /**
     * The limits this stage's context sets, as environment variables for every function; each value is checked here
     * (positive numbers; the lock duration as {@code 2h}, {@code 90m}), so a typo fails the synth, not a request.
     */
    public static Map<String, String> limits(Node node, Stage stage) {
        Map<String, String> env = new java.util.TreeMap<>();
        for (var e : LIMITS.entrySet()) {
            string(node, stage, e.getKey()).filter(v -> !v.isBlank()).ifPresent(v -> {
                boolean ok = e.getKey().equals("tm:lockDuration") ? v.matches("([0-9]+[dhms]?)+") && !v.matches("0+[dhms]?")
                        : v.matches("[0-9]+(\\.[0-9]+)?") && Double.parseDouble(v) > 0;
                if (!ok) throw new IllegalArgumentException(e.getKey() + ": expected a positive "
                        + (e.getKey().equals("tm:lockDuration") ? "duration such as 2h or 90m" : "number") + ", got '" + v + "'");
                env.put(e.getValue(), v);
            });
        }
        return env;
    }

    public static final String DEFAULT_STACK_BASE = "TmServerless";

    public static StackSettings defaults() {
        return forStage(Stage.PROD);
    }

    public static StackSettings forStage(Stage stage) {
        return new StackSettings(stage, DEFAULT_STACK_BASE + "-" + stage.id(), stage.retainData, stage.logRetention,
                Optional.empty(), Optional.empty(), List.of("*"), 100, 200, false, "https://www.openstreetmap.org",
                stage.deployStyle, false, Optional.empty(), 60);
    }

    /** The stages {@value #STAGES} names (comma-separated), in order; {@code prod} when it is not set. */
    public static List<Stage> stages(Node node) {
        Object v = node.tryGetContext(STAGES);
        if (v == null || String.valueOf(v).isBlank()) return List.of(Stage.PROD);
        return Arrays.stream(String.valueOf(v).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Stage::of).distinct().toList();
    }

    public static StackSettings fromContext(Node node, Stage stage) {
        StackSettings d = forStage(stage);
        return new StackSettings(
                stage,
                string(node, stage, STACK_NAME).map(base -> base + "-" + stage.id()).orElse(d.stackName()),
                string(node, stage, RETAIN_DATA).map(StackSettings::bool).orElse(d.retainData()),
                string(node, stage, LOG_RETENTION_DAYS).map(StackSettings::retention).orElse(d.logRetention()),
                string(node, stage, ALARM_TOPIC_ARN).filter(s -> !s.isBlank()),
                string(node, stage, ALARM_EMAIL).filter(s -> !s.isBlank()),
                string(node, stage, CORS_ORIGINS).map(s -> Arrays.stream(s.split(",")).map(String::trim)
                        .filter(o -> !o.isEmpty()).toList()).orElse(d.corsOrigins()),
                string(node, stage, THROTTLE_RATE).map(Integer::parseInt).orElse(d.throttleRateLimit()),
                string(node, stage, THROTTLE_BURST).map(Integer::parseInt).orElse(d.throttleBurstLimit()),
                string(node, stage, ALLOW_MISSING_JARS).map(StackSettings::bool).orElse(d.allowMissingJars()),
                string(node, stage, OSM_URL).orElse(d.defaultOsmUrl()),
                string(node, stage, DEPLOY_STYLE).map(DeployStyle::of).orElse(d.deployStyle()),
                string(node, stage, BACKUP_PLAN).map(StackSettings::bool).orElse(d.backupPlan()),
                string(node, stage, RESTORED_TABLE_NAME).filter(s -> !s.isBlank()),
                string(node, stage, APP_KEY_REQUESTS_PER_MINUTE).map(Integer::parseInt).orElse(d.appKeyRequestsPerMinute()));
    }

    /** {@code tm:<stage>:<name>} if set, else {@code tm:<name>}. */
    private static Optional<String> string(Node node, Stage stage, String key) {
        return string(node, scoped(stage, key)).or(() -> string(node, key));
    }

    /** {@code tm:alarmEmail} for prod → {@code tm:prod:alarmEmail}. */
    public static String scoped(Stage stage, String key) {
        return "tm:" + stage.id() + ":" + key.substring("tm:".length());
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
