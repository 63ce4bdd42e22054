package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Cors;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegrationProps;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.CorsHttpMethod;
import software.amazon.awscdk.services.apigatewayv2.CorsPreflightOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.HttpStageOptions;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.PayloadFormatVersion;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.backup.BackupPlan;
import software.amazon.awscdk.services.backup.BackupResource;
import software.amazon.awscdk.services.backup.BackupSelectionOptions;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableAttributes;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSourceProps;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CorsRule;
import software.amazon.awscdk.services.s3.HttpMethods;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The whole deployment, derived from the resource catalogue {@link Resources}: the table, every queue with its
 * dead-letter queue and alarm, the bucket, every function (own jar, own role from its access set, arm64, SnapStart,
 * alias {@value #ALIAS}) and one HTTP API route per catalogue route (plus its trailing-slash variant, see
 * {@link ApiRoutes}). Alarms, the dashboard, the SnapStart keep-alive and the canary deployments are in
 * {@link Operations}. Nothing here names a particular route, function or queue except through the catalogue.
 */
public class TmStack extends Stack {
    /** The alias API Gateway and the event source mappings invoke: always the latest published version. */
    public static final String ALIAS = "live";

    /** Java runtime: the newest aws-cdk-lib knows (java25; the functions are compiled for release 25). */
    public static final Runtime RUNTIME = Runtime.JAVA_25;
    public static final String ENV_JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
    public static final String JVM_FLAGS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    /** Routes under this prefix run the OSM OAuth2 login, so their functions get the OSM settings and secret. */
    public static final String AUTH_ROUTE_PREFIX = Resources.V2 + "/system/authentication/";

    // Configuration env vars that are not resources (so not in the catalogue). Functions read them at init.
    public static final String ENV_TOKEN_SECRET_ARN = "TM_TOKEN_SECRET_ARN";
    public static final String ENV_RESPONSES_URL = "TM_RESPONSES_URL";
    public static final String ENV_MAIL_FROM = "TM_MAIL_FROM";
    public static final String ENV_CONTACT_ADDRESS = "TM_EMAIL_CONTACT_ADDRESS";
    public static final String ENV_APP_BASE_URL = "TM_APP_BASE_URL";
    public static final String ENV_IMAGE_BASE_URL = "TM_IMAGE_BASE_URL";
    public static final String ENV_APP_KEY_REQUESTS_PER_MINUTE = "TM_APP_KEY_REQUESTS_PER_MINUTE";
    public static final String ENV_METRICS_NAMESPACE = "TM_METRICS_NAMESPACE";
    public static final String ENV_LOG_LEVEL = "TM_LOG_LEVEL";
    /** The functions' log threshold: INFO logs one line per HTTP request, WARN only problems. */
    static final String LOG_LEVEL = "INFO";
    public static final String ENV_OSM_URL = "TM_OSM_URL";
    public static final String ENV_OSM_CLIENT_ID = "TM_OSM_CLIENT_ID";
    public static final String ENV_OSM_CLIENT_SECRET_ARN = "TM_OSM_CLIENT_SECRET_ARN";
    public static final String ENV_BOOTSTRAP_ADMINS = "TM_BOOTSTRAP_ADMINS";
    public static final String ENV_REDIRECT_URI = "TM_REDIRECT_URI";
    public static final String ENV_OHSOME_URL = "TM_OHSOME_STATS_API_URL";
    public static final String ENV_MAPSWIPE_URL = "TM_MAPSWIPE_API_URL";
    public static final String ENV_OHSOME_TOKEN_ARN = "TM_OHSOME_STATS_TOKEN_ARN";

    /** Dead letters are kept as long as SQS allows, for inspection and redrive. */
    static final Duration DLQ_RETENTION = Duration.days(14);
    static final Duration NONCURRENT_VERSION_EXPIRY = Duration.days(30);
    static final Duration ACCESS_LOG_EXPIRY = Duration.days(90);

    private final StackSettings settings;
    private final RemovalPolicy dataRemoval;
    private final ITable table;
    private final HandOverEdge handOver;
    /** The deployment's limits from context (StackSettings.LIMITS), the same on every function. */
    private final Map<String, String> limits;
    private final BackupPlan backupPlan;
    private final Bucket bucket;
    private final Bucket accessLogsBucket;
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final Map<String, Queue> deadLetterQueues = new LinkedHashMap<>();
    private final Map<String, Alarm> dlqAlarms = new LinkedHashMap<>();
    private final Map<String, Queue> feedFailureQueues = new LinkedHashMap<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, Alias> aliases = new LinkedHashMap<>();
    private final Map<String, software.amazon.awscdk.services.events.Rule> schedules = new LinkedHashMap<>();
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Secret tokenSecret;
    private final Secret osmClientSecret;
    private final Secret ohsomeToken;
    private final CfnParameter ohsomeUrl;
    private final CfnParameter mapswipeUrl;
    private final CfnParameter osmUrl;
    private final CfnParameter osmClientId;
    private final CfnParameter bootstrapAdmins;
    private final CfnParameter redirectUri;
    private final CfnParameter mailFrom;
    private final CfnParameter contactAddress;
    private final CfnParameter appBaseUrl;
    private final CfnParameter imageBaseUrl;
    private final HttpApi api;
    private final HttpStage stage;
    private final Operations operations;
    private final WebFrontend frontend;

    public TmStack(Construct scope, String id, StackProps props, StackSettings settings, FunctionCode code) {
        super(scope, id, props);
        this.settings = settings;
        this.dataRemoval = settings.retainData() ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

        osmUrl = CfnParameter.Builder.create(this, "OsmUrl").type("String").defaultValue(settings.defaultOsmUrl())
                .description("Base URL of the OpenStreetMap server used for OAuth2 login (" + ENV_OSM_URL + ")").build();
        osmClientId = CfnParameter.Builder.create(this, "OsmClientId").type("String").defaultValue("")
                .description("OAuth2 client id of the OSM application (" + ENV_OSM_CLIENT_ID + ")").build();
        ohsomeUrl = CfnParameter.Builder.create(this, "OhsomeStatsApiUrl").type("String")
                .defaultValue("https://stats.now.ohsome.org/api")
                .description("Base URL of the ohsomeNow statistics API the user statistics ask (" + ENV_OHSOME_URL + ")").build();
        mapswipeUrl = CfnParameter.Builder.create(this, "MapswipeApiUrl").type("String")
                .defaultValue("https://backend.mapswipe.org/graphql/")
                .description("MapSwipe's GraphQL endpoint, asked for partner statistics (" + ENV_MAPSWIPE_URL + ")").build();
        bootstrapAdmins = CfnParameter.Builder.create(this, "BootstrapAdmins").type("String").defaultValue("")
                .description("Comma-separated OSM user ids made ADMIN at login (" + ENV_BOOTSTRAP_ADMINS + ")").build();
        redirectUri = CfnParameter.Builder.create(this, "RedirectUri").type("String").defaultValue("")
                .description("Default OAuth2 redirect_uri of the login URL: the frontend's /authorized page ("
                        + ENV_REDIRECT_URI + "; empty keeps the function's default)").build();
        mailFrom = CfnParameter.Builder.create(this, "MailFrom").type("String").defaultValue("")
                .description("Sender address of the mail the users function sends through Amazon SES (verification links,"
                        + " contact form); an identity verified in SES. Empty: no mail is sent (" + ENV_MAIL_FROM + ")").build();
        contactAddress = CfnParameter.Builder.create(this, "ContactAddress").type("String").defaultValue("")
                .description("Where the contact form's messages go (" + ENV_CONTACT_ADDRESS + "; empty: the form answers 501)").build();
        appBaseUrl = CfnParameter.Builder.create(this, "AppBaseUrl").type("String").defaultValue("")
                .description("Origin of the web frontend, for links in mail (" + ENV_APP_BASE_URL
                        + "; empty: the origin of RedirectUri)").build();
        imageBaseUrl = CfnParameter.Builder.create(this, "ImageBaseUrl").type("String").defaultValue("")
                .description("Public URL (e.g. a CDN) that serves the bucket's " + "uploads/ prefix, for uploaded images ("
                        + ENV_IMAGE_BASE_URL + "; empty: image upload answers 501)").build();

        table = settings.restoredTableName().isPresent()
                ? restoredTable(Resources.TABLE, settings.restoredTableName().get()) : table(Resources.TABLE);
        backupPlan = settings.backupPlan() ? createBackupPlan() : null;
        for (Resources.Queue q : Resources.QUEUES) queue(q);
        accessLogsBucket = createAccessLogsBucket();
        bucket = dataBucket(Resources.BUCKET);
        limits = StackSettings.limits(getNode(), settings.stage());
        handOver = new HandOverEdge(this, "HandOver", bucket, settings.stage().id());

        tokenSecret = Secret.Builder.create(this, "TokenSigningSecret")
                .description("Signs session tokens; generated at creation, read by every HTTP function at init")
                .generateSecretString(SecretStringGenerator.builder().passwordLength(64).excludePunctuation(true).build())
                .build();
        osmClientSecret = Secret.Builder.create(this, "OsmClientSecret")
                .description("OAuth2 client secret of the OSM application: replace the generated placeholder with"
                        + " put-secret-value after the first deploy")
                .generateSecretString(SecretStringGenerator.builder().passwordLength(32).excludePunctuation(true).build())
                .build();
        ohsomeToken = Secret.Builder.create(this, "OhsomeStatsToken")
                .description("Token of the ohsomeNow statistics API (HTTP Basic): replace the generated placeholder with"
                        + " put-secret-value after the first deploy")
                .generateSecretString(SecretStringGenerator.builder().passwordLength(32).excludePunctuation(true).build())
                .build();

        for (Resources.Function f : Resources.FUNCTIONS) function(f, code);
        for (Resources.Queue q : Resources.QUEUES) eventSource(q);
        for (Resources.TableFeed feed : Resources.FEEDS) feed(feed);
        for (Resources.Schedule s : Resources.SCHEDULES) schedule(s);

        api = HttpApi.Builder.create(this, "HttpApi")
                .apiName(id)
                .description("Tasking Manager API v2")
                .createDefaultStage(false)
                .corsPreflight(corsPreflight())
                .build();
        stage = api.addStage("DefaultStage", HttpStageOptions.builder()
                .stageName("$default")
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(settings.throttleRateLimit()).burstLimit(settings.throttleBurstLimit()).build())
                .accessLogSettings(accessLogs())
                .build());
        routes();
        outputs();
        operations = new Operations(this);
        // optional: the web frontend on one domain with the API (tm:frontendDir; its own construct)
        frontend = WebFrontend.Settings.fromContext(getNode(), settings.stage())
                .map(s -> new WebFrontend(this, "WebFrontend", s)).orElse(null);
        NagFindings.suppress(this);
    }

    // ---- data ----

    private Table table(Resources.Table t) {
        Table result = Table.Builder.create(this, pascal(t.id()) + "Table")
                .partitionKey(stringKey(t.partitionKey()))
                .sortKey(stringKey(t.sortKey()))
                .billingMode(BillingMode.PAY_PER_REQUEST)
                // the change feed of the statistics aggregator (Resources.TABLE_FEED, docs/statistics.md)
                .stream(software.amazon.awscdk.services.dynamodb.StreamViewType.NEW_AND_OLD_IMAGES)
                .timeToLiveAttribute(Resources.TABLE_TTL_ATTRIBUTE)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                // Retained data is also protected from a stray delete-table outside CloudFormation.
                .deletionProtection(settings.retainData())
                .removalPolicy(dataRemoval)
                .build();
        for (Resources.Index i : t.indexes()) {
            result.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                    .indexName(i.name())
                    .partitionKey(stringKey(i.partitionKey()))
                    .sortKey(stringKey(i.sortKey()))
                    .projectionType(ProjectionType.ALL)
                    .build());
        }
        return result;
    }

    /**
     * A table restored from point-in-time recovery, used instead of the stack's own (restore runbook in
     * TEMPLATE_NOTES.md): the stack grants and points every function at it, but does not manage it. The stack's own
     * table leaves the template; with data retained it stays in the account, untouched.
     */
    private ITable restoredTable(Resources.Table t, String name) {
        return Table.fromTableAttributes(this, pascal(t.id()) + "Table", TableAttributes.builder()
                .tableName(name)
                .globalIndexes(t.indexes().stream().map(Resources.Index::name).toList())
                .build());
    }

    /**
     * Optional ({@value StackSettings#BACKUP_PLAN}): AWS Backup copies of the table, daily kept 35 days and monthly
     * kept a year, in a retained vault. Point-in-time recovery already restores any second of the last 35 days; the
     * plan adds longer retention and a base for copies to another account or Region, at backup storage cost.
     */
    private BackupPlan createBackupPlan() {
        BackupPlan plan = BackupPlan.dailyMonthly1YearRetention(this, "BackupPlan");
        plan.addSelection("Table", BackupSelectionOptions.builder()
                .resources(List.of(BackupResource.fromDynamoDbTable(table))).build());
        return plan;
    }

    private static Attribute stringKey(String name) {
        return Attribute.builder().name(name).type(AttributeType.STRING).build();
    }

    private void queue(Resources.Queue q) {
        Queue dlq = Queue.Builder.create(this, pascal(q.id()) + "Dlq")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(DLQ_RETENTION)
                .build();
        Queue queue = Queue.Builder.create(this, pascal(q.id()) + "Queue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(Duration.seconds(q.visibilityTimeoutSeconds()))
                .deadLetterQueue(DeadLetterQueue.builder().queue(dlq).maxReceiveCount(q.maxReceiveCount()).build())
                .build();
        // Any dead letter is an incident. SQS stops publishing metrics for a queue idle for hours, so a missing
        // datapoint keeps the last state (IGNORE) instead of turning an unattended DLQ back to OK.
        Alarm alarm = Alarm.Builder.create(this, pascal(q.id()) + "DlqNotEmpty")
                .alarmDescription("Messages in the dead-letter queue of " + q.id()
                        + " (failed " + q.maxReceiveCount() + " times): inspect, fix, then redrive or purge")
                .metric(dlq.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .period(Duration.minutes(1)).statistic("Maximum").build()))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.IGNORE)
                .build();
        queues.put(q.id(), queue);
        deadLetterQueues.put(q.id(), dlq);
        dlqAlarms.put(q.id(), alarm);
    }

    private Bucket createAccessLogsBucket() {
        return Bucket.Builder.create(this, "AccessLogsBucket")
                .encryption(BucketEncryption.S3_MANAGED) // the only encryption S3 server access logging delivers to
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .lifecycleRules(List.of(LifecycleRule.builder().id("expire-access-logs")
                        .expiration(ACCESS_LOG_EXPIRY).build()))
                .removalPolicy(dataRemoval)
                .autoDeleteObjects(!settings.retainData())
                .build();
    }

    private Bucket dataBucket(Resources.Bucket b) {
        return Bucket.Builder.create(this, pascal(b.id()) + "Bucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                // AOIs and task-grid snapshots are overwritten in place: versions undo a bad overwrite or delete.
                .versioned(true)
                .lifecycleRules(List.of(LifecycleRule.builder().id("expire-old-versions")
                        .noncurrentVersionExpiration(NONCURRENT_VERSION_EXPIRY)
                        .abortIncompleteMultipartUploadAfter(Duration.days(7))
                        .build(),
                        LifecycleRule.builder().id("expire-large-responses").prefix(Resources.LARGE_RESPONSES_PREFIX)
                                .expiration(Duration.days(Resources.LARGE_RESPONSES_EXPIRY_DAYS))
                                .noncurrentVersionExpiration(Duration.days(1))
                                .build()))
                // only for signed links to this bucket (a function without TM_RESPONSES_URL); the hand-over edge has its own
                .cors(List.of(CorsRule.builder().allowedMethods(List.of(HttpMethods.GET, HttpMethods.HEAD))
                        .allowedOrigins(List.of("*")).maxAge(3600).build()))
                .serverAccessLogsBucket(accessLogsBucket)
                .serverAccessLogsPrefix(b.id() + "/")
                .removalPolicy(dataRemoval)
                .autoDeleteObjects(!settings.retainData())
                .build();
    }

    // ---- functions ----

    private void function(Resources.Function f, FunctionCode code) {
        String name = pascal(f.id());
        LogGroup logs = LogGroup.Builder.create(this, name + "Logs")
                .retention(settings.logRetention())
                .removalPolicy(dataRemoval)
                .build();
        Role role = Role.Builder.create(this, name + "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Least privilege for the " + f.id() + " function, from its catalogue access set "
                        + new TreeSet<>(f.access()))
                .build();
        // Instead of the AWSLambdaBasicExecutionRole managed policy: write to this function's own log group only.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .effect(Effect.ALLOW)
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn()))
                .build());

        Map<String, String> env = new TreeMap<>();
        // C1-only JIT: about a fifth off the cold start before SnapStart (docs/performance.md, ./bench).
        env.put(ENV_JAVA_TOOL_OPTIONS, JVM_FLAGS);
        // JSON log lines and embedded metrics (docs/operations.md): one metric namespace per stack, so two stages
        // in one account keep their metrics apart; INFO writes one line per HTTP request.
        env.put(ENV_METRICS_NAMESPACE, getStackName());
        env.put(ENV_LOG_LEVEL, LOG_LEVEL);
        for (Resources.Access access : new TreeSet<>(f.access())) grant(f, access, role, env);
        env.putAll(limits);
        if (f.http()) {
            env.put(ENV_TOKEN_SECRET_ARN, tokenSecret.getSecretArn());
            env.put(ENV_APP_KEY_REQUESTS_PER_MINUTE, Integer.toString(settings.appKeyRequestsPerMinute()));
            tokenSecret.grantRead(role);
        }
        if (servesLogin(f)) {
            env.put(ENV_OSM_URL, osmUrl.getValueAsString());
            env.put(ENV_OSM_CLIENT_ID, osmClientId.getValueAsString());
            env.put(ENV_OSM_CLIENT_SECRET_ARN, osmClientSecret.getSecretArn());
            env.put(ENV_BOOTSTRAP_ADMINS, bootstrapAdmins.getValueAsString());
            env.put(ENV_REDIRECT_URI, redirectUri.getValueAsString());
            osmClientSecret.grantRead(role);
        }
        if (servesPartnerStatistics(f)) env.put(ENV_MAPSWIPE_URL, mapswipeUrl.getValueAsString());
        if (servesOhsome(f)) {
            env.put(ENV_OHSOME_URL, ohsomeUrl.getValueAsString());
            env.put(ENV_OHSOME_TOKEN_ARN, ohsomeToken.getSecretArn());
            ohsomeToken.grantRead(role);
        }

        Function fn = Function.Builder.create(this, name + "Function")
                .description(f.module() + ": " + f.handler())
                .runtime(RUNTIME)
                .architecture(Architecture.ARM_64)
                .handler(f.handler())
                .code(code.codeFor(f))
                .memorySize(f.memoryMb())
                .timeout(Duration.seconds(f.timeoutSeconds()))
                .role(role)
                .logGroup(logs)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                // X-Ray active tracing: Lambda samples requests and records the invocation's segments.
                .tracing(Tracing.ACTIVE)
                .environment(env)
                .build();
        // CDK warns that SnapStart needs a published version; the alias below publishes one (currentVersion).
        Annotations.of(fn).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "published through the " + ALIAS + " alias (currentVersion)");
        Alias alias = Alias.Builder.create(this, name + "Alias")
                .aliasName(ALIAS)
                .version(fn.getCurrentVersion())
                .description("The published version (with its SnapStart snapshot) that callers invoke")
                .build();
        functions.put(f.id(), fn);
        aliases.put(f.id(), alias);
        roles.put(f.id(), role);
    }

    /** What {@code TABLE_READ_WRITE} allows on the table and its indexes (grantReadWriteData less Scan). */
    static final List<String> TABLE_ITEM_ACTIONS = List.of("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query",
            "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:BatchWriteItem", "dynamodb:PutItem",
            "dynamodb:UpdateItem", "dynamodb:DeleteItem");

    /** The IAM grant and the environment variables that one catalogue access value stands for. */
    private void grant(Resources.Function f, Resources.Access access, Role role, Map<String, String> env) {
        switch (access) {
            case TABLE_READ_WRITE -> {
                // the table and its indexes, item reads and writes only: no Scan (no function has one: the statistics
                // reconciliation walks the users directory index), no table management
                table.grant(role, TABLE_ITEM_ACTIONS.toArray(String[]::new));
                env.put(Resources.TABLE.envVar(), table.getTableName());
            }
            case LOCK_SWEEP_ARM, LOCK_SWEEP_DISARM -> {
                // that one rule only (docs/locking.md "Expiry")
                role.addToPrincipalPolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                        .actions(access == Resources.Access.LOCK_SWEEP_ARM ? List.of("events:EnableRule")
                                : List.of("events:DisableRule", "events:EnableRule"))
                        .resources(List.of(lockSweepRuleArn())).build());
                env.put(Resources.LOCK_SWEEP_RULE_ENV, lockSweepRuleName());
            }
            case BUCKET_READ -> {
                role.addToPrincipalPolicy(objectStatement(List.of("s3:GetObject")));
                role.addToPrincipalPolicy(listStatement());
                env.put(Resources.BUCKET.envVar(), bucket.getBucketName());
            }
            case BUCKET_READ_WRITE -> {
                role.addToPrincipalPolicy(objectStatement(
                        List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")));
                role.addToPrincipalPolicy(listStatement());
                env.put(Resources.BUCKET.envVar(), bucket.getBucketName());
            }
            case LARGE_RESPONSES -> {
                // only the hand-over prefix; the signed link acts with this role's s3:GetObject
                role.addToPrincipalPolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                        .actions(List.of("s3:PutObject", "s3:GetObject"))
                        .resources(List.of(bucket.arnForObjects(Resources.LARGE_RESPONSES_PREFIX + "*"))).build());
                env.put(Resources.BUCKET.envVar(), bucket.getBucketName());
                env.put(ENV_RESPONSES_URL, handOver.baseUrl());
            }
            case GRID_JOBS_SEND -> {
                Queue q = queues.get(Resources.GRID_JOBS.id());
                q.grantSendMessages(role);
                env.put(Resources.GRID_JOBS.envVar(), q.getQueueUrl());
            }
            case GRID_JOBS_CONSUME -> {
                // The permissions (receive, delete, change visibility) come with the event source mapping; the
                // URL lets the worker shorten a failed message's visibility to its retry backoff.
                if (!Resources.GRID_JOBS.consumer().equals(f.id())) {
                    throw new IllegalArgumentException("function " + f.id() + " has " + access + " but "
                            + Resources.GRID_JOBS.id() + " is consumed by " + Resources.GRID_JOBS.consumer());
                }
                env.put(Resources.GRID_JOBS.envVar(), queues.get(Resources.GRID_JOBS.id()).getQueueUrl());
            }
            case BULK_JOBS_SEND -> {
                Queue q = queues.get(Resources.BULK_JOBS.id());
                q.grantSendMessages(role);
                env.put(Resources.BULK_JOBS.envVar(), q.getQueueUrl());
            }
            case BULK_JOBS_CONSUME -> {
                // the permissions come with the event source mapping
                if (!Resources.BULK_JOBS.consumer().equals(f.id())) {
                    throw new IllegalArgumentException("function " + f.id() + " has " + access + " but "
                            + Resources.BULK_JOBS.id() + " is consumed by " + Resources.BULK_JOBS.consumer());
                }
                env.put(Resources.BULK_JOBS.envVar(), queues.get(Resources.BULK_JOBS.id()).getQueueUrl());
            }
            case MESSAGES_SEND -> {
                Queue q = queues.get(Resources.MESSAGES.id());
                q.grantSendMessages(role);
                env.put(Resources.MESSAGES.envVar(), q.getQueueUrl());
            }
            case MESSAGES_CONSUME -> {
                // the permissions come with the event source mapping
                if (!Resources.MESSAGES.consumer().equals(f.id())) {
                    throw new IllegalArgumentException("function " + f.id() + " has " + access + " but "
                            + Resources.MESSAGES.id() + " is consumed by " + Resources.MESSAGES.consumer());
                }
                env.put(Resources.MESSAGES.envVar(), queues.get(Resources.MESSAGES.id()).getQueueUrl());
            }
            case MAIL_SEND -> {
                // SES sending only, and only as the configured sender
                role.addToPrincipalPolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                        .actions(List.of("ses:SendEmail"))
                        .resources(List.of(software.amazon.awscdk.Fn.sub(
                                "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*")))
                        .conditions(Map.of("StringEquals", Map.of("ses:FromAddress", mailFrom.getValueAsString())))
                        .build());
                env.put(ENV_MAIL_FROM, mailFrom.getValueAsString());
                env.put(ENV_CONTACT_ADDRESS, contactAddress.getValueAsString());
                env.put(ENV_APP_BASE_URL, appBaseUrl.getValueAsString());
            }
            case UPLOADS_WRITE -> {
                role.addToPrincipalPolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                        .actions(List.of("s3:PutObject"))
                        .resources(List.of(bucket.arnForObjects(Resources.UPLOADS_PREFIX + "*"))).build());
                env.put(Resources.BUCKET.envVar(), bucket.getBucketName());
                env.put(ENV_IMAGE_BASE_URL, imageBaseUrl.getValueAsString());
            }
            case TABLE_STREAM_CONSUME -> {
                // the stream read permissions come with the event source mapping (feed())
                if (Resources.FEEDS.stream().noneMatch(feed -> feed.function().equals(f.id()))) {
                    throw new IllegalArgumentException("function " + f.id() + " has " + access + " but no table feed names it");
                }
            }
            // A new catalogue access value must get its grant here before any function can use it.
            default -> throw new IllegalArgumentException("function " + f.id() + ": no IAM mapping for access " + access);
        }
    }

    private PolicyStatement objectStatement(List<String> actions) {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions)
                .resources(List.of(bucket.arnForObjects("*"))).build();
    }

    private PolicyStatement listStatement() {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(List.of("s3:ListBucket"))
                .resources(List.of(bucket.getBucketArn())).build();
    }

    /** True when the function serves a login route (OSM OAuth2), derived from the catalogue's routes. */
    public static boolean servesLogin(Resources.Function f) {
        return Resources.routesOf(f.id()).stream().anyMatch(r -> r.path().startsWith(AUTH_ROUTE_PREFIX));
    }

    /** True when the function serves partner statistics, so it gets MapSwipe's URL. */
    public static boolean servesPartnerStatistics(Resources.Function f) {
        return f.id().equals(Routes.PARTNER_GENERAL_STATISTICS.function());
    }

    /** True when the function proxies the ohsome statistics API, so it gets its URL and token. */
    public static boolean servesOhsome(Resources.Function f) {
        return f.id().equals(Routes.OHSOME_STATISTICS.function());
    }

    private void eventSource(Resources.Queue q) {
        Alias consumer = aliases.get(q.consumer());
        if (consumer == null) {
            throw new IllegalArgumentException("queue " + q.id() + " names consumer " + q.consumer()
                    + ", which is not a catalogue function");
        }
        Resources.Function f = Resources.function(q.consumer());
        // Lambda refuses an SQS mapping whose visibility timeout is shorter than the function timeout.
        if (q.visibilityTimeoutSeconds() < f.timeoutSeconds()) {
            throw new IllegalArgumentException("queue " + q.id() + ": visibility timeout " + q.visibilityTimeoutSeconds()
                    + " s is shorter than the timeout of its consumer " + f.id() + " (" + f.timeoutSeconds() + " s)");
        }
        consumer.addEventSource(new SqsEventSource(queues.get(q.id()), SqsEventSourceProps.builder()
                .batchSize(q.batchSize())
                .maxConcurrency(q.maxConcurrency() > 0 ? q.maxConcurrency() : null)
                .reportBatchItemFailures(true)
                .build()));
    }

    /**
     * The table's stream feeding a function: per-record failure reports, bisect on error, bounded retries and
     * record age, then the batch's description to an on-failure queue whose first message raises an alarm.
     */
    private void feed(Resources.TableFeed feed) {
        Alias consumer = aliases.get(feed.function());
        if (consumer == null) {
            throw new IllegalArgumentException("table feed names " + feed.function() + ", which is not a catalogue function");
        }
        if (table.getTableStreamArn() == null) {
            // a restored table (TEMPLATE_NOTES.md) has its stream turned off; the reconciliation recomputes what
            // the feed would have written, slice by slice, until the stream is turned on and the stack updated
            Annotations.of(this).addWarningV2("tm:restoredTableWithoutStream", "the restored table has no stream"
                    + " ARN: " + feed.function() + " gets no records; statistics are kept by the reconciliation only");
            return;
        }
        Queue failures = Queue.Builder.create(this, pascal(feed.failureQueueId()) + "Queue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(DLQ_RETENTION)
                .build();
        Alarm alarm = Alarm.Builder.create(this, pascal(feed.failureQueueId()) + "NotEmpty")
                .alarmDescription("Stream records the " + feed.function() + " function gave up on after "
                        + feed.maxRetries() + " retries: fix the cause, then run the statistics reconciliation"
                        + " (docs/statistics.md)")
                .metric(failures.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .period(Duration.minutes(1)).statistic("Maximum").build()))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.IGNORE)
                .build();
        List<Map<String, Object>> filters = new ArrayList<>();
        String pk = Resources.TABLE.partitionKey();
        String sk = Resources.TABLE.sortKey();
        for (Resources.KeyFilter f : feed.filters()) {
            Map<String, Object> keys = new LinkedHashMap<>();
            keys.put(pk, Map.of("S", software.amazon.awscdk.services.lambda.FilterRule.beginsWith(f.pkPrefix())));
            if (!f.skPrefixes().isEmpty()) {
                // the values of one key are alternatives: [{"prefix": a}, {"prefix": b}]
                keys.put(sk, Map.of("S", f.skPrefixes().stream()
                        .flatMap(x -> software.amazon.awscdk.services.lambda.FilterRule.beginsWith(x).stream()).toList()));
            }
            filters.add(software.amazon.awscdk.services.lambda.FilterCriteria.filter(Map.of("dynamodb", Map.of("Keys", keys))));
        }
        consumer.addEventSource(new software.amazon.awscdk.services.lambda.eventsources.DynamoEventSource(table,
                software.amazon.awscdk.services.lambda.eventsources.DynamoEventSourceProps.builder()
                        .startingPosition(software.amazon.awscdk.services.lambda.StartingPosition.TRIM_HORIZON)
                        .batchSize(feed.batchSize())
                        .maxBatchingWindow(Duration.seconds(feed.batchingWindowSeconds()))
                        .reportBatchItemFailures(true)
                        .bisectBatchOnError(true)
                        .retryAttempts(feed.maxRetries())
                        .maxRecordAge(Duration.seconds(feed.maxRecordAgeSeconds()))
                        .parallelizationFactor(1)
                        .onFailure(new software.amazon.awscdk.services.lambda.eventsources.SqsDlq(failures))
                        .filters(filters)
                        .build()));
        feedFailureQueues.put(feed.failureQueueId(), failures);
        dlqAlarms.put(feed.failureQueueId(), alarm);
    }

    /**
     * The lock sweep rule's name, fixed before the rule exists: the sweeper's and the stats function's settings
     * and policies name it, and a reference to the rule itself would make a cycle (rule, alias, function).
     */
    public String lockSweepRuleName() {
        String name = getStackName() + "-" + Resources.LOCK_SWEEP.id();
        return name.length() <= 64 ? name : name.substring(name.length() - 64);
    }

    String lockSweepRuleArn() {
        return formatArn(software.amazon.awscdk.ArnComponents.builder().service("events").resource("rule")
                .resourceName(lockSweepRuleName()).build());
    }

    /**
     * A catalogue schedule: an EventBridge rule invoking the function's alias with the scheduled event. Every rule
     * starts enabled; the lock sweep's is then disarmed and armed by the functions (docs/locking.md "Expiry").
     */
    private void schedule(Resources.Schedule s) {
        Alias target = aliases.get(s.function());
        if (target == null) {
            throw new IllegalArgumentException("schedule " + s.id() + " names " + s.function() + ", which is not a catalogue function");
        }
        var rule = software.amazon.awscdk.services.events.Rule.Builder.create(this, pascal(s.id()) + "Schedule")
                .description("Runs " + s.function() + " every " + s.everyMinutes() + " minute(s) (" + s.id() + ")")
                .schedule(software.amazon.awscdk.services.events.Schedule.rate(Duration.minutes(s.everyMinutes())))
                .ruleName(s == Resources.LOCK_SWEEP ? lockSweepRuleName() : null)
                .enabled(true)
                .build();
        rule.addTarget(new software.amazon.awscdk.services.events.targets.LambdaFunction(target,
                software.amazon.awscdk.services.events.targets.LambdaFunctionProps.builder().retryAttempts(0).build()));
        schedules.put(s.id(), rule);
    }

    // ---- HTTP API ----

    /**
     * Preflights answered by API Gateway from the same rules the local front door applies ({@link Cors}: the
     * allowed origins of {@code tm:corsOrigins}, the methods and headers the API takes).
     */
    private CorsPreflightOptions corsPreflight() {
        Cors cors = Cors.parse(String.join(",", settings.corsOrigins()));
        List<CorsHttpMethod> methods = new ArrayList<>();
        for (String m : Cors.ALLOWED_METHODS) methods.add(CorsHttpMethod.valueOf(m));
        return CorsPreflightOptions.builder()
                .allowOrigins(cors.allowsAny() ? List.of("*") : cors.origins())
                .allowHeaders(Cors.ALLOWED_HEADERS)
                .allowMethods(methods)
                .maxAge(Duration.seconds(Cors.MAX_AGE_SECONDS))
                .build();
    }

    private IAccessLogSettings accessLogs() {
        LogGroup apiLogs = LogGroup.Builder.create(this, "HttpApiAccessLogs")
                .retention(settings.logRetention())
                .removalPolicy(dataRemoval)
                .build();
        AccessLogFormat format = AccessLogFormat.custom("{\"requestId\":\"$context.requestId\","
                + "\"time\":\"$context.requestTime\",\"ip\":\"$context.identity.sourceIp\","
                + "\"method\":\"$context.httpMethod\",\"path\":\"$context.path\",\"routeKey\":\"$context.routeKey\","
                + "\"status\":\"$context.status\",\"responseLength\":\"$context.responseLength\","
                + "\"latency\":\"$context.responseLatency\",\"integrationLatency\":\"$context.integrationLatency\","
                + "\"integrationError\":\"$context.integrationErrorMessage\"}");
        LogGroupLogDestination destination = new LogGroupLogDestination(apiLogs);
        return new IAccessLogSettings() {
            @Override public IAccessLogDestination getDestination() { return destination; }
            @Override public AccessLogFormat getFormat() { return format; }
        };
    }

    private void routes() {
        Map<String, HttpLambdaIntegration> integrations = new LinkedHashMap<>();
        for (ApiRoutes.ApiRoute r : ApiRoutes.all()) {
            HttpLambdaIntegration integration = integrations.computeIfAbsent(r.function(), fn -> {
                Alias alias = aliases.get(fn);
                if (alias == null) throw new IllegalArgumentException("route " + r.routeKey() + " names unknown function " + fn);
                if (!Resources.function(fn).http()) throw new IllegalArgumentException("route " + r.routeKey() + " names non-HTTP function " + fn);
                return new HttpLambdaIntegration(pascal(fn) + "Integration", alias, HttpLambdaIntegrationProps.builder()
                        .payloadFormatVersion(PayloadFormatVersion.VERSION_2_0)
                        // One invoke permission per function for this API, instead of one per route.
                        .scopePermissionToRoute(false)
                        .build());
            });
            api.addRoutes(AddRoutesOptions.builder()
                    .path(r.path())
                    .methods(List.of(HttpMethod.ANY))
                    .integration(integration)
                    .build());
        }
    }

    // ---- outputs ----

    private void outputs() {
        output("ApiUrl", stage.getUrl(), "Base URL of the HTTP API (append api/v2/...)");
        output("TableName", table.getTableName(), "DynamoDB table " + Resources.TABLE.id() + " (" + Resources.TABLE.envVar() + ")");
        output("BucketName", bucket.getBucketName(), "S3 bucket " + Resources.BUCKET.id() + " (" + Resources.BUCKET.envVar() + ")");
        output("AccessLogsBucketName", accessLogsBucket.getBucketName(), "S3 server access logs of the data bucket");
        for (Resources.Queue q : Resources.QUEUES) {
            output(pascal(q.id()) + "QueueUrl", queues.get(q.id()).getQueueUrl(), "SQS queue " + q.id() + " (" + q.envVar() + ")");
            output(pascal(q.id()) + "DlqUrl", deadLetterQueues.get(q.id()).getQueueUrl(), "Dead-letter queue of " + q.id());
        }
        output("OsmClientSecretArn", osmClientSecret.getSecretArn(), "Put the OSM OAuth2 client secret here (put-secret-value)");
        output("OhsomeStatsTokenArn", ohsomeToken.getSecretArn(), "Put the ohsome statistics API token here (put-secret-value)");
        output("TokenSecretArn", tokenSecret.getSecretArn(), "Session token signing key (generated)");
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }

    /** {@code grid-worker} → {@code GridWorker}: construct ids from catalogue ids. */
    static String pascal(String id) {
        StringBuilder sb = new StringBuilder();
        for (String part : id.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.toString();
    }

    // ---- accessors (tests, suppressions) ----

    public StackSettings settings() { return settings; }
    public ITable table() { return table; }

    public HandOverEdge handOver() { return handOver; }
    /** The AWS Backup plan, or null when {@value StackSettings#BACKUP_PLAN} is off. */
    public BackupPlan backupPlan() { return backupPlan; }
    public Bucket bucket() { return bucket; }
    public Bucket accessLogsBucket() { return accessLogsBucket; }
    public Map<String, Queue> queues() { return queues; }
    public Map<String, Queue> deadLetterQueues() { return deadLetterQueues; }
    /** Dead-letter alarms by queue id, and the feeds' on-failure alarms by their queue id. */
    public Map<String, Alarm> dlqAlarms() { return dlqAlarms; }
    public Map<String, Queue> feedFailureQueues() { return feedFailureQueues; }
    public Map<String, Function> functions() { return functions; }
    public Map<String, Alias> aliases() { return aliases; }
    public Map<String, software.amazon.awscdk.services.events.Rule> schedules() { return schedules; }
    public Map<String, Role> roles() { return roles; }
    public Secret tokenSecret() { return tokenSecret; }
    public Secret osmClientSecret() { return osmClientSecret; }
    public Secret ohsomeToken() { return ohsomeToken; }
    public HttpApi api() { return api; }
    public HttpStage stage() { return stage; }
    public Operations operations() { return operations; }
    /** The web frontend, or null when {@value WebFrontend#DIR} is not set. */
    public WebFrontend frontend() { return frontend; }
}
