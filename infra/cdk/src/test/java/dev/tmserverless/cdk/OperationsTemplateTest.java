package dev.tmserverless.cdk;

import static dev.tmserverless.cdk.TemplateView.getAtt;
import static dev.tmserverless.cdk.TemplateView.list;
import static dev.tmserverless.cdk.TemplateView.map;
import static dev.tmserverless.cdk.TemplateView.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tmserverless.core.catalogue.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.constructs.IConstruct;

/** Alarms, dashboard, keep-alive schedules, canary deployments and tags of the default (prod) stack. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsTemplateTest {
    TmStack stack;
    Operations ops;
    TemplateView t;
    String topic;

    @BeforeAll
    void synth() {
        stack = TestStacks.stack(TestStacks.app(Map.of(StackSettings.ALARM_EMAIL, "ops@example.org")));
        ops = stack.operations();
        t = new TemplateView(stack);
        topic = t.logicalId(ops.alarmTopic());
    }

    private Map<String, Object> alarm(IAlarm alarm) {
        return t.props(t.logicalId((IConstruct) alarm));
    }

    private void assertNotifiesTopicWhenBreaching(Map<String, Object> alarm) {
        assertThat(alarm.get("AlarmActions")).isEqualTo(List.of(ref(topic)));
        assertThat(alarm.get("TreatMissingData")).isEqualTo("notBreaching");
        assertThat(alarm.get("EvaluationPeriods")).isEqualTo(1);
    }

    // ---- alarms ----

    @Test
    void oneTopicWithTheEmailSubscriptionReceivesEveryAlarm() {
        assertThat(t.ofType("AWS::SNS::Topic")).containsOnlyKeys(topic);
        Map<String, Object> subscription = map(t.ofType("AWS::SNS::Subscription").values().iterator().next().get("Properties"));
        assertThat(subscription).containsEntry("Protocol", "email").containsEntry("Endpoint", "ops@example.org")
                .containsEntry("TopicArn", ref(topic));
        Map<String, Map<String, Object>> alarms = t.ofType("AWS::CloudWatch::Alarm");
        // per function Errors + Throttles, API 5xx, table read + write throttles, per queue age + DLQ depth, per
        // table feed its on-failure queue's depth
        assertThat(alarms).hasSize(2 * Resources.FUNCTIONS.size() + 1 + 2 + 2 * Resources.QUEUES.size()
                + Resources.FEEDS.size());
        for (Map<String, Object> a : alarms.values()) {
            assertThat(map(a.get("Properties")).get("AlarmActions")).isEqualTo(List.of(ref(topic)));
        }
        assertThat(ops.allAlarms()).hasSize(alarms.size());
    }

    @Test
    void everyFunctionAliasHasAnErrorsAndAThrottlesAlarm() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            String fn = t.logicalId(stack.functions().get(f.id()));
            for (var e : Map.of("Errors", ops.errorAlarms().get(f.id()), "Throttles", ops.throttleAlarms().get(f.id())).entrySet()) {
                Map<String, Object> a = alarm(e.getValue());
                assertThat(a.get("Namespace")).isEqualTo("AWS/Lambda");
                assertThat(a.get("MetricName")).as(f.id()).isEqualTo(e.getKey());
                assertThat(a.get("Statistic")).isEqualTo("Sum");
                assertThat(list(a.get("Dimensions"))).as(f.id()).contains(Map.of("Name", "FunctionName", "Value", ref(fn)));
                assertThat(String.valueOf(a.get("Dimensions"))).as("the alias").contains("Resource", ":" + TmStack.ALIAS);
                assertThat(a.get("ComparisonOperator")).isEqualTo("GreaterThanOrEqualToThreshold");
                assertNotifiesTopicWhenBreaching(a);
            }
            assertThat(alarm(ops.errorAlarms().get(f.id())).get("Period")).isEqualTo(60);
            assertThat(((Number) alarm(ops.errorAlarms().get(f.id())).get("Threshold")).intValue())
                    .isEqualTo(Operations.FUNCTION_ERRORS_PER_MINUTE);
            assertThat(((Number) alarm(ops.throttleAlarms().get(f.id())).get("Threshold")).intValue()).isEqualTo(1);
        }
    }

    @Test
    void theApiHasA5xxAlarm() {
        Map<String, Object> a = alarm(ops.api5xxAlarm());
        assertThat(a.get("Namespace")).isEqualTo("AWS/ApiGateway");
        assertThat(a.get("MetricName")).isEqualTo("5xx");
        assertThat(a.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "ApiId", "Value", ref(t.logicalId(stack.api())))));
        assertThat(a.get("Period")).isEqualTo(60);
        assertThat(((Number) a.get("Threshold")).intValue()).isEqualTo(Operations.API_5XX_PER_MINUTE);
        assertNotifiesTopicWhenBreaching(a);
    }

    @Test
    void theTableHasReadAndWriteThrottleAlarms() {
        String table = t.logicalId(stack.table());
        for (var e : Map.of("ReadThrottleEvents", ops.tableReadThrottleAlarm(),
                "WriteThrottleEvents", ops.tableWriteThrottleAlarm()).entrySet()) {
            Map<String, Object> a = alarm(e.getValue());
            assertThat(a.get("Namespace")).isEqualTo("AWS/DynamoDB");
            assertThat(a.get("MetricName")).isEqualTo(e.getKey());
            assertThat(a.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "TableName", "Value", ref(table))));
            assertThat(a.get("Statistic")).isEqualTo("Sum");
            assertNotifiesTopicWhenBreaching(a);
        }
    }

    @Test
    void everyQueueHasAnOldestMessageAgeAlarmAtItsVisibilityTimeout() {
        for (Resources.Queue q : Resources.QUEUES) {
            Map<String, Object> a = alarm(ops.queueAgeAlarms().get(q.id()));
            assertThat(a.get("Namespace")).isEqualTo("AWS/SQS");
            assertThat(a.get("MetricName")).isEqualTo("ApproximateAgeOfOldestMessage");
            assertThat(a.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "QueueName",
                    "Value", getAtt(t.logicalId(stack.queues().get(q.id())), "QueueName"))));
            assertThat(a.get("Statistic")).isEqualTo("Maximum");
            assertThat(((Number) a.get("Threshold")).intValue()).isEqualTo(q.visibilityTimeoutSeconds());
            assertThat(a.get("ComparisonOperator")).isEqualTo("GreaterThanThreshold");
            assertNotifiesTopicWhenBreaching(a);
        }
    }

    // ---- dashboard ----

    @Test
    void oneDashboardShowsApiFunctionsTableQueuesAndDeadLetterQueues() {
        Map<String, Map<String, Object>> dashboards = t.ofType("AWS::CloudWatch::Dashboard");
        assertThat(dashboards).hasSize(1);
        Map<String, Object> p = map(dashboards.values().iterator().next().get("Properties"));
        assertThat(p.get("DashboardName")).isEqualTo(stack.getStackName());
        String body = String.valueOf(p.get("DashboardBody"));
        assertThat(body).contains("\"AWS/ApiGateway\",\"Count\"", "\"AWS/ApiGateway\",\"4xx\"", "\"AWS/ApiGateway\",\"5xx\"",
                "\"AWS/ApiGateway\",\"Latency\"", ref(t.logicalId(stack.api())).toString());
        for (Resources.Function f : Resources.FUNCTIONS) {
            String fn = ref(t.logicalId(stack.functions().get(f.id()))).toString();
            for (String metric : List.of("Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions")) {
                assertThat(body).as(f.id() + " " + metric).containsPattern(
                        java.util.regex.Pattern.quote("\"AWS/Lambda\",\"" + metric + "\",\"FunctionName\",\"") + "\\s*,\\s*"
                                + java.util.regex.Pattern.quote(fn));
            }
        }
        String table = ref(t.logicalId(stack.table())).toString();
        for (String metric : List.of("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "ReadThrottleEvents",
                "WriteThrottleEvents")) {
            assertThat(body).as(metric).containsPattern(java.util.regex.Pattern.quote("\"AWS/DynamoDB\",\"" + metric
                    + "\",\"TableName\",\"") + "\\s*,\\s*" + java.util.regex.Pattern.quote(table));
        }
        for (Resources.Queue q : Resources.QUEUES) {
            for (String queue : List.of(t.logicalId(stack.queues().get(q.id())), t.logicalId(stack.deadLetterQueues().get(q.id())))) {
                assertThat(body).as(queue).containsPattern(java.util.regex.Pattern.quote(
                        "\"AWS/SQS\",\"ApproximateNumberOfMessagesVisible\",\"QueueName\",\"") + "\\s*,\\s*"
                        + java.util.regex.Pattern.quote(getAtt(queue, "QueueName").toString()));
            }
            assertThat(body).contains("\"AWS/SQS\",\"ApproximateAgeOfOldestMessage\"");
        }
        assertThat(body).contains("\"type\":\"alarm\"");
    }

    // ---- SnapStart keep-alive ----

    @Test
    void everyAliasIsInvokedDailyWithTheKeepAlivePayload() throws Exception {
        Map<String, Map<String, Object>> rules = t.ofType("AWS::Events::Rule");
        assertThat(rules).hasSize(Resources.FUNCTIONS.size() - (int) Resources.FUNCTIONS.stream()
                .filter(f -> Resources.isScheduled(f.id())).count() + Resources.SCHEDULES.size());
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (Resources.isScheduled(f.id())) {
                // its own schedule invokes it every few minutes
                assertThat(ops.keepAliveRules()).doesNotContainKey(f.id());
                continue;
            }
            String alias = t.logicalId(stack.aliases().get(f.id()));
            String ruleId = t.logicalId(ops.keepAliveRules().get(f.id()));
            Map<String, Object> rule = t.props(ruleId);
            assertThat(rule.get("ScheduleExpression")).isEqualTo("rate(1 day)");
            assertThat(rule.get("State")).isEqualTo("ENABLED");
            List<Object> targets = list(rule.get("Targets"));
            assertThat(targets).as("one target: the alias").hasSize(1);
            Map<String, Object> target = map(targets.get(0));
            assertThat(target.get("Arn")).isEqualTo(ref(alias));
            assertThat(target.get("RetryPolicy")).isEqualTo(Map.of("MaximumRetryAttempts", 2));
            Map<?, ?> input = new ObjectMapper().readValue((String) target.get("Input"), Map.class);
            assertThat(input).isEqualTo(Operations.keepAliveEvent(f));
            if (f.http()) {
                assertThat(input.get("version")).isEqualTo("2.0");
                assertThat(input.get("routeKey")).isEqualTo(Resources.KEEP_ALIVE_ROUTE_KEY);
                assertThat(input.get("rawPath")).isEqualTo(Resources.KEEP_ALIVE_PATH);
                assertThat(map(map(input.get("requestContext")).get("http")).get("method")).isEqualTo(Resources.KEEP_ALIVE_METHOD);
            } else if (f.id().equals(Resources.SWEEPER)) {
                // its schedule is disarmed while idle: one ordinary run a day keeps it active
                assertThat(input.get("detail-type")).isEqualTo("Scheduled Event");
            } else {
                assertThat(input).isEqualTo(Map.of("Records", List.of()));
            }
            // EventBridge may invoke exactly this alias, from this rule only.
            boolean invokable = t.ofType("AWS::Lambda::Permission").values().stream().map(r -> map(r.get("Properties")))
                    .anyMatch(p -> "events.amazonaws.com".equals(p.get("Principal"))
                            && "lambda:InvokeFunction".equals(p.get("Action"))
                            && ref(alias).equals(p.get("FunctionName"))
                            && getAtt(ruleId, "Arn").equals(p.get("SourceArn")));
            assertThat(invokable).as(f.id()).isTrue();
        }
    }

    @Test
    void noApiRouteCanProduceTheKeepAliveRouteKey() {
        assertThat(ApiRoutes.all()).noneMatch(r -> r.routeKey().equals(Resources.KEEP_ALIVE_ROUTE_KEY)
                || r.path().startsWith(Resources.KEEP_ALIVE_PATH));
        assertThat(Resources.KEEP_ALIVE_PATH).doesNotStartWith(Resources.V2);
    }

    // ---- safe deploys ----

    @Test
    void everyHttpAliasShiftsByCanaryAndRollsBackOnItsErrorAlarmOrApi5xx() {
        long http = Resources.FUNCTIONS.stream().filter(Resources.Function::http).count();
        Map<String, Map<String, Object>> groups = t.ofType("AWS::CodeDeploy::DeploymentGroup");
        assertThat(groups).hasSize((int) http);
        assertThat(t.ofType("AWS::CodeDeploy::Application")).hasSize(1);
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> aliasResource = t.resource(t.logicalId(stack.aliases().get(f.id())));
            if (!f.http()) {
                assertThat(ops.deploymentGroups()).doesNotContainKey(f.id());
                assertThat(aliasResource).doesNotContainKey("UpdatePolicy");
                continue;
            }
            String groupId = t.logicalId(ops.deploymentGroups().get(f.id()));
            Map<String, Object> g = t.props(groupId);
            assertThat(g.get("DeploymentConfigName")).isEqualTo("CodeDeployDefault.LambdaCanary10Percent5Minutes");
            assertThat(map(g.get("DeploymentStyle"))).containsEntry("DeploymentType", "BLUE_GREEN")
                    .containsEntry("DeploymentOption", "WITH_TRAFFIC_CONTROL");
            Map<String, Object> alarms = map(g.get("AlarmConfiguration"));
            assertThat(alarms.get("Enabled")).isEqualTo(true);
            assertThat(list(alarms.get("Alarms"))).containsExactlyInAnyOrder(
                    Map.of("Name", ref(t.logicalId(ops.errorAlarms().get(f.id())))),
                    Map.of("Name", ref(t.logicalId(ops.api5xxAlarm()))));
            Map<String, Object> rollback = map(g.get("AutoRollbackConfiguration"));
            assertThat(rollback.get("Enabled")).isEqualTo(true);
            assertThat(list(rollback.get("Events"))).contains("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM");
            // CloudFormation hands the alias update to CodeDeploy
            Map<String, Object> update = map(map(aliasResource.get("UpdatePolicy")).get("CodeDeployLambdaAliasUpdate"));
            assertThat(update.get("DeploymentGroupName")).isEqualTo(ref(groupId));
        }
    }

    // ---- tags ----

    @Test
    void everyTaggableResourceCarriesTheCostAllocationTags() {
        List<String> tagged = new ArrayList<>();
        t.resources().forEach((id, r) -> {
            Object tags = map(map(r).get("Properties")) == null ? null : map(map(r).get("Properties")).get("Tags");
            if (tags == null) return;
            Map<String, Object> byKey = new HashMap<>();
            if (tags instanceof Map<?, ?> m) m.forEach((k, v) -> byKey.put(String.valueOf(k), v));
            else for (Object tag : list(tags)) byKey.put(String.valueOf(map(tag).get("Key")), map(tag).get("Value"));
            assertThat(byKey).as(id).containsEntry(TmCdkApp.TAG_PROJECT, TmCdkApp.PROJECT)
                    .containsEntry(TmCdkApp.TAG_STAGE, "prod");
            tagged.add((String) map(r).get("Type"));
        });
        assertThat(tagged).contains("AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::S3::Bucket",
                "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::SNS::Topic", "AWS::SecretsManager::Secret",
                "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::CloudWatch::Alarm",
                "AWS::CodeDeploy::Application");
        long functionsTagged = tagged.stream().filter("AWS::Lambda::Function"::equals).count();
        assertThat(functionsTagged).isEqualTo(Resources.FUNCTIONS.size());
    }
}
