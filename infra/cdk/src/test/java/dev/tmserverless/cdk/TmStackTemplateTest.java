package dev.tmserverless.cdk;

import static dev.tmserverless.cdk.TemplateView.getAtt;
import static dev.tmserverless.cdk.TemplateView.list;
import static dev.tmserverless.cdk.TemplateView.map;
import static dev.tmserverless.cdk.TemplateView.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.core.catalogue.Resources;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.assertions.Match;

/**
 * The synthesized template (default: the prod stage), every expectation derived from the resource catalogue.
 * Synthesized once for the class (starting jsii takes most of the time).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TmStackTemplateTest {
    TmStack stack;
    TemplateView t;

    @BeforeAll
    void synth() {
        stack = TestStacks.stack(TestStacks.app(Map.of()));
        t = new TemplateView(stack);
    }

    // ---- table ----

    @Test
    void tableIsOnDemandWithPointInTimeRecoveryAndTheCatalogueKeys() {
        String id = t.logicalId(stack.table());
        Map<String, Object> p = t.props(id);
        assertThat(p.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        assertThat(map(p.get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled")).isEqualTo(true);
        assertThat(p.get("TimeToLiveSpecification")).isEqualTo(
                Map.of("AttributeName", Resources.TABLE_TTL_ATTRIBUTE, "Enabled", true));
        assertThat(p.get("KeySchema")).isEqualTo(List.of(
                Map.of("AttributeName", Resources.TABLE.partitionKey(), "KeyType", "HASH"),
                Map.of("AttributeName", Resources.TABLE.sortKey(), "KeyType", "RANGE")));
        List<Object> gsis = list(p.get("GlobalSecondaryIndexes"));
        assertThat(gsis).hasSize(Resources.TABLE.indexes().size());
        for (Resources.Index i : Resources.TABLE.indexes()) {
            assertThat(gsis).anySatisfy(g -> {
                assertThat(map(g).get("IndexName")).isEqualTo(i.name());
                assertThat(map(g).get("KeySchema")).isEqualTo(List.of(
                        Map.of("AttributeName", i.partitionKey(), "KeyType", "HASH"),
                        Map.of("AttributeName", i.sortKey(), "KeyType", "RANGE")));
            });
        }
        assertThat(list(p.get("AttributeDefinitions"))).allSatisfy(a -> assertThat(map(a).get("AttributeType")).isEqualTo("S"));
    }

    @Test
    void dataIsRetainedAndTheTableProtectedByDefault() {
        assertThat(t.resource(t.logicalId(stack.table())).get("DeletionPolicy")).isEqualTo("Retain");
        assertThat(t.props(t.logicalId(stack.table())).get("DeletionProtectionEnabled")).isEqualTo(true);
        assertThat(t.resource(t.logicalId(stack.bucket())).get("DeletionPolicy")).isEqualTo("Retain");
        assertThat(t.ofType("Custom::S3AutoDeleteObjects")).isEmpty();
        // the AWS Backup plan is opt-in (tm:backupPlan); point-in-time recovery is always on
        assertThat(t.ofType("AWS::Backup::BackupPlan")).isEmpty();
        assertThat(stack.backupPlan()).isNull();
    }

    // ---- queues ----

    @Test
    void everyQueueHasAnEncryptedTlsOnlyDeadLetterQueueWithTheCatalogueRedrive() {
        assertThat(t.ofType("AWS::SQS::Queue")).hasSize(2 * Resources.QUEUES.size() + Resources.FEEDS.size());
        for (Resources.Queue q : Resources.QUEUES) {
            String queue = t.logicalId(stack.queues().get(q.id()));
            String dlq = t.logicalId(stack.deadLetterQueues().get(q.id()));
            Map<String, Object> p = t.props(queue);
            assertThat(p.get("VisibilityTimeout")).isEqualTo(q.visibilityTimeoutSeconds());
            assertThat(p.get("RedrivePolicy")).isEqualTo(Map.of(
                    "deadLetterTargetArn", getAtt(dlq, "Arn"), "maxReceiveCount", q.maxReceiveCount()));
            for (String id : List.of(queue, dlq)) {
                assertThat(t.props(id).get("SqsManagedSseEnabled")).as(id).isEqualTo(true);
                assertThat(deniesInsecureTransport("AWS::SQS::QueuePolicy", "Queues", ref(id))).as(id).isTrue();
            }
            assertThat(t.props(dlq).get("MessageRetentionPeriod")).isEqualTo(14 * 24 * 3600);
        }
    }

    @Test
    void everyDeadLetterQueueHasADepthAlarmThatNotifiesTheAlarmTopic() {
        for (Resources.Queue q : Resources.QUEUES) {
            String dlq = t.logicalId(stack.deadLetterQueues().get(q.id()));
            Map<String, Object> alarm = t.props(t.logicalId(stack.dlqAlarms().get(q.id())));
            assertThat(alarm.get("Namespace")).isEqualTo("AWS/SQS");
            assertThat(alarm.get("MetricName")).isEqualTo("ApproximateNumberOfMessagesVisible");
            assertThat(alarm.get("Dimensions")).isEqualTo(List.of(
                    Map.of("Name", "QueueName", "Value", getAtt(dlq, "QueueName"))));
            assertThat(alarm.get("ComparisonOperator")).isEqualTo("GreaterThanThreshold");
            assertThat(((Number) alarm.get("Threshold")).doubleValue()).isZero();
            assertThat(alarm.get("EvaluationPeriods")).isEqualTo(1);
            assertThat(alarm.get("TreatMissingData")).isEqualTo("ignore");
            assertThat(alarm.get("AlarmActions")).isEqualTo(List.of(ref(t.logicalId(stack.operations().alarmTopic()))));
        }
    }

    // ---- the change feed ----

    @Test
    void theTableStreamFeedsTheStatsFunctionWithBatchFailuresBisectBoundedRetriesAndAnAlarmedFailureQueue() {
        assertThat(t.props(t.logicalId(stack.table())).get("StreamSpecification"))
                .isEqualTo(Map.of("StreamViewType", "NEW_AND_OLD_IMAGES"));
        Map<String, Map<String, Object>> mappings = t.ofType("AWS::Lambda::EventSourceMapping");
        for (Resources.TableFeed feed : Resources.FEEDS) {
            String alias = t.logicalId(stack.aliases().get(feed.function()));
            String failures = t.logicalId(stack.feedFailureQueues().get(feed.failureQueueId()));
            Map<String, Object> m = mappings.values().stream().map(x -> map(x.get("Properties")))
                    .filter(p -> p.get("EventSourceArn").equals(getAtt(t.logicalId(stack.table()), "StreamArn")))
                    .findFirst().orElseThrow();
            assertThat(String.valueOf(m.get("FunctionName"))).contains(alias).contains(":live");
            assertThat(m.get("StartingPosition")).isEqualTo("TRIM_HORIZON");
            assertThat(m.get("BatchSize")).isEqualTo(feed.batchSize());
            assertThat(m.get("FunctionResponseTypes")).isEqualTo(List.of("ReportBatchItemFailures"));
            assertThat(m.get("BisectBatchOnFunctionError")).isEqualTo(true);
            assertThat(m.get("MaximumRetryAttempts")).isEqualTo(feed.maxRetries());
            assertThat(m.get("MaximumRecordAgeInSeconds")).isEqualTo(feed.maxRecordAgeSeconds());
            assertThat(m.get("DestinationConfig")).isEqualTo(Map.of("OnFailure",
                    Map.of("Destination", getAtt(failures, "Arn"))));
            // the aggregator's own items never come back to it: only the catalogue's key filters pass
            List<Object> filters = list(map(m.get("FilterCriteria")).get("Filters"));
            assertThat(filters).hasSize(feed.filters().size());
            assertThat(filters.toString()).contains("PROJECT#").doesNotContain(Resources.STATS_KEY_PREFIX);
            // each catalogue filter as Lambda reads it: the sort-key prefixes of one filter are alternatives
            List<String> patterns = filters.stream().map(x -> String.valueOf(map(x).get("Pattern"))).toList();
            for (Resources.KeyFilter f : feed.filters()) {
                String sks = f.skPrefixes().stream().map(x -> "{\"prefix\":\"" + x + "\"}")
                        .collect(java.util.stream.Collectors.joining(","));
                assertThat(patterns).contains("{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":[{\"prefix\":\"" + f.pkPrefix()
                        + "\"}]},\"sk\":{\"S\":[" + sks + "]}}}}");
            }
            Map<String, Object> alarm = t.props(t.logicalId(stack.dlqAlarms().get(feed.failureQueueId())));
            assertThat(alarm.get("MetricName")).isEqualTo("ApproximateNumberOfMessagesVisible");
            assertThat(alarm.get("Dimensions")).isEqualTo(List.of(
                    Map.of("Name", "QueueName", "Value", getAtt(failures, "QueueName"))));
            assertThat(alarm.get("AlarmActions")).isEqualTo(List.of(ref(t.logicalId(stack.operations().alarmTopic()))));
            assertThat(t.props(failures).get("SqsManagedSseEnabled")).isEqualTo(true);
        }
    }

    // ---- bucket ----

    @Test
    void bucketIsEncryptedPrivateTlsOnlyVersionedAndLogged() {
        String bucket = t.logicalId(stack.bucket());
        Map<String, Object> p = t.props(bucket);
        assertThat(String.valueOf(p.get("BucketEncryption"))).contains("SSEAlgorithm=AES256");
        assertThat(p.get("PublicAccessBlockConfiguration")).isEqualTo(Map.of(
                "BlockPublicAcls", true, "BlockPublicPolicy", true, "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
        assertThat(p.get("VersioningConfiguration")).isEqualTo(Map.of("Status", "Enabled"));
        // handed-over responses expire; browsers may follow the signed link
        assertThat(list(map(p.get("LifecycleConfiguration")).get("Rules"))).anySatisfy(r -> {
            assertThat(map(r).get("Prefix")).isEqualTo(Resources.LARGE_RESPONSES_PREFIX);
            assertThat(map(r).get("ExpirationInDays")).isEqualTo(Resources.LARGE_RESPONSES_EXPIRY_DAYS);
        });
        assertThat(String.valueOf(p.get("CorsConfiguration"))).contains("AllowedMethods=[GET, HEAD]");
        assertThat(map(p.get("LoggingConfiguration")).get("DestinationBucketName"))
                .isEqualTo(ref(t.logicalId(stack.accessLogsBucket())));
        assertThat(deniesInsecureTransport("AWS::S3::BucketPolicy", "Bucket", ref(bucket))).isTrue();
        String logs = t.logicalId(stack.accessLogsBucket());
        assertThat(t.props(logs).get("PublicAccessBlockConfiguration")).isEqualTo(p.get("PublicAccessBlockConfiguration"));
        assertThat(deniesInsecureTransport("AWS::S3::BucketPolicy", "Bucket", ref(logs))).isTrue();
    }

    /** A policy of {@code type} on {@code target} that denies requests with aws:SecureTransport = false. */
    private boolean deniesInsecureTransport(String type, String targetProperty, Object target) {
        for (Map<String, Object> policy : t.ofType(type).values()) {
            Map<String, Object> p = map(policy.get("Properties"));
            Object targets = p.get(targetProperty);
            if (!(target.equals(targets) || list(targets).contains(target))) continue;
            for (Object s : list(map(p.get("PolicyDocument")).get("Statement"))) {
                Map<String, Object> st = map(s);
                if ("Deny".equals(st.get("Effect"))
                        && String.valueOf(st.get("Condition")).contains("aws:SecureTransport=false")) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- functions ----

    @Test
    void everyCatalogueFunctionIsArm64Java25WithSnapStartOnItsModulesJarAndItsOwnRole() {
        assertThat(t.ofType("AWS::Lambda::Function")).hasSize(Resources.FUNCTIONS.size());
        Set<Object> roles = new HashSet<>();
        Set<Object> codes = new HashSet<>();
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> p = t.props(t.logicalId(stack.functions().get(f.id())));
            assertThat(p.get("Runtime")).as(f.id()).isEqualTo("java25");
            assertThat(p.get("Architectures")).as(f.id()).isEqualTo(List.of("arm64"));
            assertThat(p.get("SnapStart")).as(f.id()).isEqualTo(Map.of("ApplyOn", "PublishedVersions"));
            assertThat(p.get("Handler")).as(f.id()).isEqualTo(f.handler());
            assertThat(p.get("MemorySize")).as(f.id()).isEqualTo(f.memoryMb());
            assertThat(p.get("Timeout")).as(f.id()).isEqualTo(f.timeoutSeconds());
            assertThat(p.get("Role")).isEqualTo(getAtt(t.logicalId(stack.roles().get(f.id())), "Arn"));
            roles.add(p.get("Role"));
            codes.add(p.get("Code"));
        }
        assertThat(roles).as("one role per function").hasSize(Resources.FUNCTIONS.size());
        // functions built from the same module (the tasks function and the bulk worker) share its jar
        assertThat(codes).as("one code asset per module")
                .hasSize((int) Resources.FUNCTIONS.stream().map(Resources.Function::module).distinct().count());
    }

    @Test
    void everyFunctionHasALiveAliasOnAPublishedVersion() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            String fn = t.logicalId(stack.functions().get(f.id()));
            Map<String, Object> alias = t.props(t.logicalId(stack.aliases().get(f.id())));
            assertThat(alias.get("Name")).isEqualTo(TmStack.ALIAS);
            assertThat(alias.get("FunctionName")).isEqualTo(ref(fn));
            String version = (String) list(map(alias.get("FunctionVersion")).get("Fn::GetAtt")).get(0);
            assertThat(t.resource(version).get("Type")).isEqualTo("AWS::Lambda::Version");
            assertThat(t.props(version).get("FunctionName")).isEqualTo(ref(fn));
        }
    }

    @Test
    void everyFunctionLogsToItsOwnLogGroupWithRetention() {
        Set<Object> groups = new HashSet<>();
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> p = t.props(t.logicalId(stack.functions().get(f.id())));
            Map<String, Object> logGroupRef = map(map(p.get("LoggingConfig")).get("LogGroup"));
            String logGroup = (String) logGroupRef.get("Ref");
            assertThat(t.resource(logGroup).get("Type")).isEqualTo("AWS::Logs::LogGroup");
            assertThat(t.props(logGroup).get("RetentionInDays")).isEqualTo(30);
            groups.add(logGroup);
            String role = t.logicalId(stack.roles().get(f.id()));
            assertThat(t.roleAllowsOn(role, "logs:PutLogEvents", logGroup)).as(f.id()).isTrue();
        }
        assertThat(groups).hasSize(Resources.FUNCTIONS.size());
        t.template.allResourcesProperties("AWS::Logs::LogGroup", Match.objectLike(Map.of("RetentionInDays", 30)));
    }

    @Test
    void environmentVariablesFollowTheCatalogue() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> env = map(map(t.props(t.logicalId(stack.functions().get(f.id()))).get("Environment")).get("Variables"));
            Set<String> expected = new TreeSet<>();
            expected.add(TmStack.ENV_JAVA_TOOL_OPTIONS);
            expected.addAll(List.of(TmStack.ENV_METRICS_NAMESPACE, TmStack.ENV_LOG_LEVEL));
            assertThat(env.get(TmStack.ENV_JAVA_TOOL_OPTIONS)).isEqualTo(TmStack.JVM_FLAGS);
            if (f.access().contains(Resources.Access.TABLE_READ_WRITE)) expected.add(Resources.TABLE.envVar());
            if (f.access().contains(Resources.Access.BUCKET_READ) || f.access().contains(Resources.Access.BUCKET_READ_WRITE)
                    || f.access().contains(Resources.Access.LARGE_RESPONSES) || f.access().contains(Resources.Access.UPLOADS_WRITE)) {
                expected.add(Resources.BUCKET.envVar());
            }
            if (f.access().contains(Resources.Access.UPLOADS_WRITE)) expected.add(TmStack.ENV_IMAGE_BASE_URL);
            if (f.access().contains(Resources.Access.MAIL_SEND)) {
                expected.addAll(List.of(TmStack.ENV_MAIL_FROM, TmStack.ENV_CONTACT_ADDRESS, TmStack.ENV_APP_BASE_URL));
                assertThat(env.get(TmStack.ENV_MAIL_FROM)).isEqualTo(ref("MailFrom"));
            }
            if (f.access().contains(Resources.Access.GRID_JOBS_SEND) || f.access().contains(Resources.Access.GRID_JOBS_CONSUME)) {
                expected.add(Resources.GRID_JOBS.envVar());
            }
            if (f.access().contains(Resources.Access.BULK_JOBS_SEND) || f.access().contains(Resources.Access.BULK_JOBS_CONSUME)) {
                expected.add(Resources.BULK_JOBS.envVar());
            }
            if (f.access().contains(Resources.Access.MESSAGES_SEND) || f.access().contains(Resources.Access.MESSAGES_CONSUME)) {
                expected.add(Resources.MESSAGES.envVar());
            }
            if (f.http()) expected.addAll(List.of(TmStack.ENV_TOKEN_SECRET_ARN, TmStack.ENV_APP_KEY_REQUESTS_PER_MINUTE));
            if (f.access().contains(Resources.Access.LARGE_RESPONSES)) expected.add(TmStack.ENV_RESPONSES_URL);
            if (f.access().contains(Resources.Access.LOCK_SWEEP_ARM) || f.access().contains(Resources.Access.LOCK_SWEEP_DISARM)) {
                expected.add(Resources.LOCK_SWEEP_RULE_ENV);
                assertThat(env.get(Resources.LOCK_SWEEP_RULE_ENV)).isEqualTo(stack.lockSweepRuleName());
            }
            if (TmStack.servesLogin(f)) {
                expected.addAll(List.of(TmStack.ENV_OSM_URL, TmStack.ENV_OSM_CLIENT_ID,
                        TmStack.ENV_OSM_CLIENT_SECRET_ARN, TmStack.ENV_BOOTSTRAP_ADMINS, TmStack.ENV_REDIRECT_URI));
            }
            if (TmStack.servesOhsome(f)) expected.addAll(List.of(TmStack.ENV_OHSOME_URL, TmStack.ENV_OHSOME_TOKEN_ARN));
            if (TmStack.servesPartnerStatistics(f)) expected.add(TmStack.ENV_MAPSWIPE_URL);
            assertThat(new TreeSet<>(env.keySet())).as(f.id()).isEqualTo(expected);
            if (f.http()) assertThat(env.get(TmStack.ENV_APP_KEY_REQUESTS_PER_MINUTE)).isEqualTo("60");
            if (expected.contains(Resources.TABLE.envVar())) {
                assertThat(env.get(Resources.TABLE.envVar())).isEqualTo(ref(t.logicalId(stack.table())));
            }
            if (expected.contains(Resources.GRID_JOBS.envVar())) {
                assertThat(env.get(Resources.GRID_JOBS.envVar()))
                        .isEqualTo(ref(t.logicalId(stack.queues().get(Resources.GRID_JOBS.id()))));
            }
            if (TmStack.servesLogin(f)) {
                assertThat(env.get(TmStack.ENV_OSM_URL)).isEqualTo(ref("OsmUrl"));
                assertThat(env.get(TmStack.ENV_OSM_CLIENT_ID)).isEqualTo(ref("OsmClientId"));
                assertThat(env.get(TmStack.ENV_BOOTSTRAP_ADMINS)).isEqualTo(ref("BootstrapAdmins"));
                assertThat(env.get(TmStack.ENV_REDIRECT_URI)).isEqualTo(ref("RedirectUri"));
            }
            if (TmStack.servesOhsome(f)) assertThat(env.get(TmStack.ENV_OHSOME_URL)).isEqualTo(ref("OhsomeStatsApiUrl"));
            if (TmStack.servesPartnerStatistics(f)) assertThat(env.get(TmStack.ENV_MAPSWIPE_URL)).isEqualTo(ref("MapswipeApiUrl"));
        }
        assertThat(Resources.FUNCTIONS.stream().filter(TmStack::servesLogin).map(Resources.Function::id))
                .containsExactly(Resources.USERS);
    }

    // ---- IAM ----

    @Test
    void rolesHaveNoManagedPoliciesAndNoStarActionsOrResources() {
        // CodeDeploy's service roles (one per deployment group) are the exception: AWS's Lambda deployment policy.
        Set<String> deployRoles = stack.operations().deploymentGroups().values().stream()
                .map(g -> t.logicalId(g.getRole())).collect(Collectors.toSet());
        assertThat(deployRoles).hasSize((int) Resources.FUNCTIONS.stream().filter(Resources.Function::http).count());
        t.ofType("AWS::IAM::Role").forEach((id, role) -> {
            Object managed = map(role.get("Properties")).get("ManagedPolicyArns");
            if (deployRoles.contains(id)) {
                assertThat(String.valueOf(managed)).as(id).contains("service-role/AWSCodeDeployRoleForLambdaLimited");
                assertThat(list(managed)).as(id).hasSize(1);
            } else {
                assertThat(managed).as(id).isNull();
            }
        });
        for (Resources.Function f : Resources.FUNCTIONS) {
            for (Map<String, Object> s : t.statementsOfRole(t.logicalId(stack.roles().get(f.id())))) {
                assertThat(list(s.get("Action"))).as(f.id()).noneMatch(a -> a.equals("*") || String.valueOf(a).endsWith(":*"));
                // X-Ray's two write actions have no resource-level permissions: the only "*" resource allowed,
                // with dynamodb:ListStreams (no resource-level permissions either) for a table feed's consumer.
                // CDK's minimizePolicies merges statements on the same resource, so a consumer's "*" statement
                // carries the three together.
                if (list(s.get("Resource")).contains("*")) {
                    boolean consumer = Resources.FEEDS.stream().anyMatch(feed -> feed.function().equals(f.id()));
                    List<Object> allowed = consumer
                            ? List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams")
                            : List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords");
                    assertThat(list(s.get("Resource"))).as(f.id()).containsExactly("*");
                    assertThat(list(s.get("Action"))).as(f.id()).isNotEmpty().doesNotHaveDuplicates().isSubsetOf(allowed);
                }
            }
            List<Object> onEverything = t.statementsOfRole(t.logicalId(stack.roles().get(f.id()))).stream()
                    .filter(s -> list(s.get("Resource")).contains("*")).flatMap(s -> list(s.get("Action")).stream()).toList();
            assertThat(onEverything).as(f.id()).contains("xray:PutTraceSegments", "xray:PutTelemetryRecords");
            if (Resources.FEEDS.stream().anyMatch(feed -> feed.function().equals(f.id()))) {
                assertThat(onEverything).as(f.id()).contains("dynamodb:ListStreams");
            }
        }
    }

    @Test
    void everyFunctionWritesJsonLogsAndItsStacksMetrics() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> vars = map(map(t.props(t.logicalId(stack.functions().get(f.id()))).get("Environment")).get("Variables"));
            assertThat(vars.get(TmStack.ENV_METRICS_NAMESPACE)).as(f.id()).isEqualTo(stack.getStackName());
            assertThat(vars.get(TmStack.ENV_LOG_LEVEL)).as(f.id()).isEqualTo("INFO");
            // embedded metrics travel in the function's own log group: no cloudwatch:PutMetricData grant
            assertThat(t.actionsOfRole(t.logicalId(stack.roles().get(f.id())))).as(f.id())
                    .noneMatch(a -> a.startsWith("cloudwatch:"));
        }
    }

    @Test
    void everyFunctionTracesActivelyWithXRay() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> p = t.props(t.logicalId(stack.functions().get(f.id())));
            assertThat(p.get("TracingConfig")).as(f.id()).isEqualTo(Map.of("Mode", "Active"));
            assertThat(t.actionsOfRole(t.logicalId(stack.roles().get(f.id())))).as(f.id())
                    .contains("xray:PutTraceSegments", "xray:PutTelemetryRecords");
        }
        // HTTP APIs have no X-Ray tracing setting (only REST API stages do): the stage carries none.
        Map<String, Object> stageProps = map(t.ofType("AWS::ApiGatewayV2::Stage").values().iterator().next().get("Properties"));
        assertThat(stageProps).doesNotContainKey("TracingEnabled");
    }

    @Test
    void oversizedAnswersAreHandedOverThroughADistributionThatDropsTheCallersAuthorization() {
        String dist = t.logicalId(stack.handOver().distribution());
        Map<String, Object> config = map(t.props(dist).get("DistributionConfig"));
        Map<String, Object> behaviour = map(config.get("DefaultCacheBehavior"));
        assertThat(behaviour.get("ViewerProtocolPolicy")).isEqualTo("https-only");
        assertThat(list(behaviour.get("AllowedMethods"))).containsExactlyInAnyOrder("GET", "HEAD");
        assertThat(behaviour).containsKey("ResponseHeadersPolicyId");
        Map<String, Object> origin = map(list(config.get("Origins")).get(0));
        assertThat(origin.get("OriginPath")).isEqualTo("/" + Resources.LARGE_RESPONSES_PREFIX.replaceAll("/$", ""));
        assertThat(origin).containsKey("OriginAccessControlId");
        assertThat(HandOverEdge.CHECK_JS).contains("delete r.headers['authorization']");
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> env = map(map(t.props(t.logicalId(stack.functions().get(f.id()))).get("Environment")).get("Variables"));
            assertThat(env.containsKey(TmStack.ENV_RESPONSES_URL)).as(f.id())
                    .isEqualTo(f.access().contains(Resources.Access.LARGE_RESPONSES));
        }
    }

    @Test
    void permissionsFollowEachFunctionsAccessSet() {
        String table = t.logicalId(stack.table());
        String bucket = t.logicalId(stack.bucket());
        String gridJobs = t.logicalId(stack.queues().get(Resources.GRID_JOBS.id()));
        for (Resources.Function f : Resources.FUNCTIONS) {
            String role = t.logicalId(stack.roles().get(f.id()));
            Set<Resources.Access> a = f.access();
            List<String> actions = t.actionsOfRole(role);
            assertThat(t.roleAllowsOn(role, "dynamodb:UpdateItem", table)).as(f.id())
                    .isEqualTo(a.contains(Resources.Access.TABLE_READ_WRITE));
            assertThat(indexGrant(role, table)).as(f.id() + " indexes").isEqualTo(a.contains(Resources.Access.TABLE_READ_WRITE));
            // no function may Scan the table (the statistics reconciliation walks the users directory index)
            assertThat(t.roleAllowsOn(role, "dynamodb:Scan", table)).as(f.id() + " scan").isFalse();
            assertThat(actions).as(f.id()).noneMatch(x -> x.equals("dynamodb:*") || x.startsWith("dynamodb:DeleteTable")
                    || x.startsWith("dynamodb:UpdateTable"));
            boolean reads = a.contains(Resources.Access.BUCKET_READ) || a.contains(Resources.Access.BUCKET_READ_WRITE);
            boolean large = a.contains(Resources.Access.LARGE_RESPONSES);
            assertThat(objectGrant(role, "s3:GetObject", bucket, "")).as(f.id()).isEqualTo(reads);
            assertThat(objectGrant(role, "s3:PutObject", bucket, "")).as(f.id())
                    .isEqualTo(a.contains(Resources.Access.BUCKET_READ_WRITE));
            assertThat(objectGrant(role, "s3:PutObject", bucket, Resources.LARGE_RESPONSES_PREFIX)).as(f.id() + " hand-over")
                    .isEqualTo(large || a.contains(Resources.Access.BUCKET_READ_WRITE));
            assertThat(t.roleAllowsOn(role, "sqs:SendMessage", gridJobs)).as(f.id())
                    .isEqualTo(a.contains(Resources.Access.GRID_JOBS_SEND));
            assertThat(t.roleAllowsOn(role, "sqs:ReceiveMessage", gridJobs)).as(f.id())
                    .isEqualTo(Resources.GRID_JOBS.consumer().equals(f.id()));
            boolean uploads = a.contains(Resources.Access.UPLOADS_WRITE);
            assertThat(objectGrant(role, "s3:PutObject", bucket, Resources.UPLOADS_PREFIX)).as(f.id() + " uploads")
                    .isEqualTo(uploads || a.contains(Resources.Access.BUCKET_READ_WRITE));
            assertThat(actions.contains("ses:SendEmail")).as(f.id() + " mail").isEqualTo(a.contains(Resources.Access.MAIL_SEND));
            if (!reads && !large && !uploads) assertThat(actions).as(f.id()).noneMatch(x -> x.startsWith("s3:"));
        }
    }

    /**
     * The lock sweep's rule is armed by changes (docs/locking.md "Expiry"): it is deployed enabled under the name
     * the functions are given; the sweeper may disable and enable it, the stats function only enable it, both on
     * that one rule; no other function may touch any rule.
     */
    @Test
    void onlyTheSweeperAndTheStatsFunctionArmOrDisarmTheLockSweepRuleAndOnlyThatRule() {
        Map<String, Object> rule = map(t.resource(t.logicalId(stack.schedules().get(Resources.LOCK_SWEEP.id()))).get("Properties"));
        assertThat(rule.get("Name")).isEqualTo(stack.lockSweepRuleName());
        assertThat(rule.get("State")).isEqualTo("ENABLED");
        assertThat(Resources.function(Resources.SWEEPER).access()).contains(Resources.Access.LOCK_SWEEP_DISARM);
        assertThat(Resources.function(Resources.STATS).access()).contains(Resources.Access.LOCK_SWEEP_ARM);
        for (Resources.Function f : Resources.FUNCTIONS) {
            String role = t.logicalId(stack.roles().get(f.id()));
            List<Map<String, Object>> events = t.statementsOfRole(role).stream()
                    .filter(s -> list(s.get("Action")).stream().anyMatch(a -> String.valueOf(a).startsWith("events:"))).toList();
            List<String> actions = events.stream().flatMap(s -> list(s.get("Action")).stream()).map(String::valueOf).sorted().toList();
            if (f.id().equals(Resources.SWEEPER)) {
                assertThat(actions).as(f.id()).containsExactly("events:DisableRule", "events:EnableRule");
            } else if (f.id().equals(Resources.STATS)) {
                assertThat(actions).as(f.id()).containsExactly("events:EnableRule");
            } else {
                assertThat(actions).as(f.id()).isEmpty();
            }
            for (Map<String, Object> s : events) {
                assertThat(s.get("Resource")).as(f.id() + ": one resource, the rule").isNotInstanceOf(List.class);
                assertThat(String.valueOf(s.get("Resource"))).as(f.id())
                        .contains(":events:").endsWith(":rule/" + stack.lockSweepRuleName() + "]]}");
            }
        }
    }

    /** The role may do {@code action} on the bucket's objects under {@code prefix} ("" = the whole bucket). */
    private boolean objectGrant(String role, String action, String bucket, String prefix) {
        return t.statementsOfRole(role).stream().anyMatch(s -> {
            String res = String.valueOf(s.get("Resource"));
            if (!"Allow".equals(s.get("Effect")) || !list(s.get("Action")).contains(action) || !res.contains(bucket)) return false;
            boolean whole = res.contains("/*") && !res.contains("/" + Resources.LARGE_RESPONSES_PREFIX + "*")
                    && !res.contains("/" + Resources.UPLOADS_PREFIX + "*");
            return whole || (!prefix.isEmpty() && res.contains("/" + prefix + "*"));
        });
    }

    private boolean indexGrant(String role, String table) {
        return t.statementsOfRole(role).stream().anyMatch(s -> list(s.get("Action")).contains("dynamodb:Query")
                && String.valueOf(s.get("Resource")).contains(table) && String.valueOf(s.get("Resource")).contains("/index/*"));
    }

    @Test
    void usersFunctionOnlyWritesUploadsSendsMailOnlyAsTheSenderAndQueuesOnlyMessages() {
        String role = t.logicalId(stack.roles().get(Resources.USERS));
        List<String> actions = t.actionsOfRole(role);
        assertThat(actions).isNotEmpty()
                .filteredOn(a -> a.startsWith("s3:") || a.startsWith("ses:")).containsOnly("s3:PutObject", "ses:SendEmail");
        // team and campaign messages go to the messenger through the messages queue: sending there, nothing else
        String messages = t.logicalId(stack.queues().get(Resources.MESSAGES.id()));
        assertThat(actions).filteredOn(a -> a.startsWith("sqs:"))
                .containsOnly("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
        assertThat(t.statementsOfRole(role))
                .filteredOn(st -> list(st.get("Action")).stream().anyMatch(a -> String.valueOf(a).startsWith("sqs:")))
                .isNotEmpty()
                .allSatisfy(st -> assertThat(list(st.get("Resource"))).containsExactly(getAtt(messages, "Arn")));
        assertThat(t.statementsOfRole(role)).filteredOn(st -> list(st.get("Action")).contains("s3:PutObject"))
                .allSatisfy(st -> assertThat(String.valueOf(st.get("Resource"))).contains("/" + Resources.UPLOADS_PREFIX + "*"));
        assertThat(t.statementsOfRole(role)).filteredOn(st -> list(st.get("Action")).contains("ses:SendEmail"))
                .singleElement().satisfies(st -> assertThat(String.valueOf(st.get("Condition")))
                        .contains("ses:FromAddress").contains("MailFrom"));
    }

    @Test
    void gridWorkerConsumesGridJobsLeasesItsMessageAndSendsSlicesOnlyThere() {
        String role = t.logicalId(stack.roles().get(Resources.GRID_WORKER));
        List<String> actions = t.actionsOfRole(role);
        assertThat(actions).contains("sqs:ReceiveMessage", "sqs:DeleteMessage");
        String grid = t.logicalId(stack.queues().get(Resources.GRID_JOBS.id()));
        assertThat(t.roleAllowsOn(role, "sqs:ChangeMessageVisibility", grid)).isTrue();
        // a job fans out into one message per slice on its own queue (docs/grid-jobs.md), and nowhere else
        assertThat(t.roleAllowsOn(role, "sqs:SendMessage", grid)).isTrue();
        for (Resources.Queue q : Resources.QUEUES) {
            if (q != Resources.GRID_JOBS) {
                assertThat(t.roleAllowsOn(role, "sqs:SendMessage", t.logicalId(stack.queues().get(q.id())))).as(q.id()).isFalse();
            }
        }
    }

    @Test
    void onlyLoginFunctionsReadTheOsmSecretAndEveryHttpFunctionReadsTheTokenSecret() {
        String osm = t.logicalId(stack.osmClientSecret());
        String token = t.logicalId(stack.tokenSecret());
        for (Resources.Function f : Resources.FUNCTIONS) {
            String role = t.logicalId(stack.roles().get(f.id()));
            assertThat(t.roleAllowsOn(role, "secretsmanager:GetSecretValue", osm)).as(f.id()).isEqualTo(TmStack.servesLogin(f));
            assertThat(t.roleAllowsOn(role, "secretsmanager:GetSecretValue", t.logicalId(stack.ohsomeToken())))
                    .as(f.id()).isEqualTo(TmStack.servesOhsome(f));
            assertThat(t.roleAllowsOn(role, "secretsmanager:GetSecretValue", token)).as(f.id()).isEqualTo(f.http());
        }
        assertThat(String.valueOf(t.props(token).get("GenerateSecretString"))).contains("PasswordLength=64");
    }

    // ---- event sources ----

    @Test
    void everyQueueFeedsItsConsumersAliasWithPartialBatchFailures() {
        assertThat(t.ofType("AWS::Lambda::EventSourceMapping")).hasSize(Resources.QUEUES.size() + Resources.FEEDS.size());
        for (Resources.Queue q : Resources.QUEUES) {
            String queue = t.logicalId(stack.queues().get(q.id()));
            Map<String, Object> esm = t.ofType("AWS::Lambda::EventSourceMapping").values().stream()
                    .map(r -> map(r.get("Properties")))
                    .filter(p -> getAtt(queue, "Arn").equals(p.get("EventSourceArn")))
                    .findFirst().orElseThrow();
            assertThat(esm.get("BatchSize")).isEqualTo(q.batchSize());
            assertThat(esm.get("FunctionResponseTypes")).isEqualTo(List.of("ReportBatchItemFailures"));
            if (q.maxConcurrency() > 0) {
                assertThat(map(esm.get("ScalingConfig")).get("MaximumConcurrency")).as(q.id()).isEqualTo(q.maxConcurrency());
            } else {
                assertThat(esm).as(q.id()).doesNotContainKey("ScalingConfig");
            }
            String target = String.valueOf(esm.get("FunctionName"));
            assertThat(target).contains(t.logicalId(stack.aliases().get(q.consumer()))).contains(":" + TmStack.ALIAS);
        }
    }

    // ---- HTTP API ----

    @Test
    void twoAnyRoutesPerMountAndNoMoreWithinTheQuota() {
        Set<String> keys = t.ofType("AWS::ApiGatewayV2::Route").values().stream()
                .map(r -> (String) map(r.get("Properties")).get("RouteKey")).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>();
        for (Resources.Mount m : Resources.MOUNTS) {
            expected.add("ANY " + m.path());
            expected.add("ANY " + m.path() + "/" + Resources.GATEWAY_GREEDY);
        }
        assertThat(keys).isEqualTo(expected);
        assertThat(t.ofType("AWS::ApiGatewayV2::Route")).hasSize(2 * Resources.MOUNTS.size())
                .hasSizeLessThanOrEqualTo(ApiRoutes.ROUTE_QUOTA);
    }

    @Test
    void everyRouteReachesItsCatalogueFunctionsAliasWithPayload2() {
        Map<String, Map<String, Object>> integrations = t.ofType("AWS::ApiGatewayV2::Integration");
        for (Map<String, Object> i : integrations.values()) {
            Map<String, Object> p = map(i.get("Properties"));
            assertThat(p.get("IntegrationType")).isEqualTo("AWS_PROXY");
            assertThat(p.get("PayloadFormatVersion")).isEqualTo("2.0");
        }
        Map<String, String> routeToFunction = new java.util.HashMap<>();
        for (Map<String, Object> r : t.ofType("AWS::ApiGatewayV2::Route").values()) {
            Map<String, Object> p = map(r.get("Properties"));
            String integrationId = String.valueOf(p.get("Target")).replaceAll(".*Ref=([A-Za-z0-9]+).*", "$1");
            Object uri = map(integrations.get(integrationId).get("Properties")).get("IntegrationUri");
            String fn = Resources.FUNCTIONS.stream().map(Resources.Function::id)
                    .filter(id -> ref(t.logicalId(stack.aliases().get(id))).equals(uri)).findFirst().orElseThrow();
            routeToFunction.put((String) p.get("RouteKey"), fn);
        }
        for (ApiRoutes.ApiRoute r : ApiRoutes.all()) {
            assertThat(routeToFunction.get(r.routeKey())).as(r.routeKey()).isEqualTo(r.function());
        }
        // API Gateway may invoke each HTTP function's alias (one API-scoped permission per function).
        for (Resources.Function f : Resources.FUNCTIONS) {
            boolean invokable = t.ofType("AWS::Lambda::Permission").values().stream().map(r -> map(r.get("Properties")))
                    .anyMatch(p -> "apigateway.amazonaws.com".equals(p.get("Principal"))
                            && ref(t.logicalId(stack.aliases().get(f.id()))).equals(p.get("FunctionName")));
            assertThat(invokable).as(f.id()).isEqualTo(f.http());
        }
    }

    @Test
    void defaultStageAutoDeploysWithAccessLogsAndThrottling() {
        Map<String, Map<String, Object>> stages = t.ofType("AWS::ApiGatewayV2::Stage");
        assertThat(stages).hasSize(1);
        Map<String, Object> p = map(stages.values().iterator().next().get("Properties"));
        assertThat(p.get("StageName")).isEqualTo("$default");
        assertThat(p.get("AutoDeploy")).isEqualTo(true);
        assertThat(String.valueOf(map(p.get("AccessLogSettings")).get("Format"))).contains("$context.requestId", "$context.routeKey");
        assertThat(map(p.get("DefaultRouteSettings"))).containsEntry("ThrottlingRateLimit", 100).containsEntry("ThrottlingBurstLimit", 200);
        Map<String, Object> api = map(t.ofType("AWS::ApiGatewayV2::Api").values().iterator().next().get("Properties"));
        assertThat(api.get("ProtocolType")).isEqualTo("HTTP");
        assertThat(list(map(api.get("CorsConfiguration")).get("AllowHeaders"))).contains("Authorization");
    }

    @Test
    void everyCatalogueScheduleIsARuleInvokingItsFunctionsAlias() {
        for (Resources.Schedule s : Resources.SCHEDULES) {
            Map<String, Object> rule = map(t.resource(t.logicalId(stack.schedules().get(s.id()))).get("Properties"));
            assertThat(rule.get("ScheduleExpression")).isEqualTo(s.everyMinutes() == 1 ? "rate(1 minute)" : "rate(" + s.everyMinutes() + " minutes)");
            assertThat(rule.get("State")).isEqualTo("ENABLED");
            assertThat(String.valueOf(rule.get("Targets"))).contains(t.logicalId(stack.aliases().get(s.function())));
            boolean invokable = t.ofType("AWS::Lambda::Permission").values().stream().map(r -> map(r.get("Properties")))
                    .anyMatch(p -> "events.amazonaws.com".equals(p.get("Principal"))
                            && String.valueOf(p.get("SourceArn")).contains(t.logicalId(stack.schedules().get(s.id()))));
            assertThat(invokable).as(s.id()).isTrue();
        }
        assertThat(Resources.SCHEDULES).extracting(Resources.Schedule::function).contains(Resources.SWEEPER);
    }

    @Test
    void preflightsFollowTheSameCorsRulesAsTheLocalFrontDoor() {
        Map<String, Object> api = map(t.ofType("AWS::ApiGatewayV2::Api").values().iterator().next().get("Properties"));
        Map<String, Object> cors = map(api.get("CorsConfiguration"));
        assertThat(list(cors.get("AllowHeaders"))).containsExactlyInAnyOrderElementsOf(dev.tmserverless.core.catalogue.Cors.ALLOWED_HEADERS);
        assertThat(list(cors.get("AllowMethods"))).containsExactlyInAnyOrderElementsOf(dev.tmserverless.core.catalogue.Cors.ALLOWED_METHODS);
        assertThat(cors.get("MaxAge")).isEqualTo(dev.tmserverless.core.catalogue.Cors.MAX_AGE_SECONDS);
        assertThat(list(cors.get("AllowOrigins"))).isEqualTo(stack.settings().corsOrigins());
    }

    // ---- parameters and outputs ----

    @Test
    void parametersAndOutputs() {
        Map<String, Object> params = map(t.json.get("Parameters"));
        assertThat(params).containsKeys("OsmUrl", "OsmClientId", "BootstrapAdmins", "RedirectUri");
        assertThat(map(params.get("OsmUrl")).get("Default")).isEqualTo("https://www.openstreetmap.org");
        Map<String, Object> outputs = map(t.json.get("Outputs"));
        assertThat(outputs).containsKeys("ApiUrl", "TableName", "BucketName", "OsmClientSecretArn");
        for (Resources.Queue q : Resources.QUEUES) {
            assertThat(outputs).containsKeys(TmStack.pascal(q.id()) + "QueueUrl", TmStack.pascal(q.id()) + "DlqUrl");
        }
        assertThat(map(outputs.get("TableName")).get("Value")).isEqualTo(ref(t.logicalId(stack.table())));
        assertThat(map(outputs.get("BucketName")).get("Value")).isEqualTo(ref(t.logicalId(stack.bucket())));
    }
}
