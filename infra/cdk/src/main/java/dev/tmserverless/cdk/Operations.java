package dev.tmserverless.cdk;

import static dev.tmserverless.cdk.TmStack.pascal;

import dev.tmserverless.core.catalogue.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.codedeploy.AutoRollbackConfig;
import software.amazon.awscdk.services.codedeploy.ILambdaDeploymentConfig;
import software.amazon.awscdk.services.codedeploy.LambdaApplication;
import software.amazon.awscdk.services.codedeploy.LambdaDeploymentConfig;
import software.amazon.awscdk.services.codedeploy.LambdaDeploymentGroup;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * Running the stack: one SNS topic for every alarm, the alarms, one dashboard, the SnapStart keep-alive schedules
 * and the CodeDeploy deployment groups that shift each HTTP function's {@code live} alias and roll back on alarm.
 * Everything is derived from the catalogue through the {@link TmStack} it is given. TEMPLATE_NOTES.md ("Operating
 * it") describes what each alarm means and what to do.
 */
public final class Operations {
    /** How often each alias is invoked to keep its SnapStart version active (it goes inactive after 14 idle days). */
    static final Duration KEEP_ALIVE_RATE = Duration.days(1);

    // Thresholds (the reason for each is at the alarm that uses it).
    static final int FUNCTION_ERRORS_PER_MINUTE = 3;
    static final int FUNCTION_THROTTLES_PER_5_MINUTES = 1;
    static final int API_5XX_PER_MINUTE = 5;
    static final int TABLE_READ_THROTTLES_PER_5_MINUTES = 25;
    static final int TABLE_WRITE_THROTTLES_PER_5_MINUTES = 5;

    private final TmStack stack;
    private final ITopic alarmTopic;
    private final Map<String, Alarm> errorAlarms = new LinkedHashMap<>();
    private final Map<String, Alarm> throttleAlarms = new LinkedHashMap<>();
    private final Map<String, Alarm> queueAgeAlarms = new LinkedHashMap<>();
    private final Alarm api5xxAlarm;
    private final Alarm tableReadThrottleAlarm;
    private final Alarm tableWriteThrottleAlarm;
    private final Dashboard dashboard;
    private final Map<String, Rule> keepAliveRules = new LinkedHashMap<>();
    private final Map<String, LambdaDeploymentGroup> deploymentGroups = new LinkedHashMap<>();

    Operations(TmStack stack) {
        this.stack = stack;
        this.alarmTopic = createAlarmTopic();

        for (Resources.Function f : Resources.FUNCTIONS) {
            Alias alias = stack.aliases().get(f.id());
            // Handlers answer client and domain errors themselves (4xx/409 responses are not Lambda errors), so
            // Errors counts crashes, timeouts and out-of-memory. A few in one minute is a pattern, not a client
            // hanging up; one minute so that a canary (5 minutes at 10 %) is rolled back before it completes.
            errorAlarms.put(f.id(), alarm(pascal(f.id()) + "Errors",
                    "The " + f.id() + " function failed (crash, timeout or out of memory): see its log group",
                    alias.metricErrors(sum(Duration.minutes(1))), FUNCTION_ERRORS_PER_MINUTE,
                    ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD));
            // Any throttle means a concurrency limit (account quota or reserved concurrency) is reached: callers
            // get 429/5xx and queued work waits. New accounts start with low quotas, so alert on the first one.
            throttleAlarms.put(f.id(), alarm(pascal(f.id()) + "Throttles",
                    "The " + f.id() + " function was throttled: raise the account's Lambda concurrency quota",
                    alias.metricThrottles(sum(Duration.minutes(5))), FUNCTION_THROTTLES_PER_5_MINUTES,
                    ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD));
        }
        // 5xx come from function errors, integration timeouts (29 s) and SnapStart restore failures; a handful in a
        // minute is users failing. One minute so it can roll back a canary too.
        api5xxAlarm = alarm("Api5xx", "The HTTP API answered 5xx: see the access log's integrationError and the"
                        + " function logs",
                stack.api().metricServerError(sum(Duration.minutes(1))), API_5XX_PER_MINUTE,
                ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        // The SDK retries throttled requests, so a few are absorbed as latency. Reads: task-list polling of one
        // popular project concentrates on one partition key (3,000 RCU/s per partition); 25 in 5 minutes is a hot
        // key, not a blip. Writes are lock transitions and grid batches: a few throttled ones already fail users.
        tableReadThrottleAlarm = alarm("TableReadThrottles", "Reads of the table were throttled (a hot"
                        + " partition: a popular project's task list)",
                stack.table().metric("ReadThrottleEvents", sum(Duration.minutes(5))),
                TABLE_READ_THROTTLES_PER_5_MINUTES, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        tableWriteThrottleAlarm = alarm("TableWriteThrottles", "Writes to the table were throttled",
                stack.table().metric("WriteThrottleEvents", sum(Duration.minutes(5))),
                TABLE_WRITE_THROTTLES_PER_5_MINUTES, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        for (Resources.Queue q : Resources.QUEUES) {
            // A job normally starts within seconds. Older than one visibility timeout means the consumer is not
            // receiving (throttled, failing at init, mapping disabled) or the job already failed and waits for a
            // retry: either way someone should look before it dead-letters up to maxReceiveCount timeouts later.
            queueAgeAlarms.put(q.id(), alarm(pascal(q.id()) + "OldestMessageAge",
                    "A message of " + q.id() + " waited longer than its visibility timeout: is " + q.consumer()
                            + " consuming?",
                    stack.queues().get(q.id()).metricApproximateAgeOfOldestMessage(MetricOptions.builder()
                            .period(Duration.minutes(5)).statistic("Maximum").build()),
                    q.visibilityTimeoutSeconds(), ComparisonOperator.GREATER_THAN_THRESHOLD));
            stack.dlqAlarms().get(q.id()).addAlarmAction(new SnsAction(alarmTopic));
        }
        for (Resources.TableFeed feed : Resources.FEEDS) {
            Alarm failed = stack.dlqAlarms().get(feed.failureQueueId());
            if (failed != null) failed.addAlarmAction(new SnsAction(alarmTopic));
        }

        dashboard = createDashboard();
        // a function a catalogue schedule runs every few minutes stays active without one
        for (Resources.Function f : Resources.FUNCTIONS) if (!Resources.isScheduled(f.id())) keepAlive(f);
        LambdaApplication application = LambdaApplication.Builder.create(stack, "DeployApplication").build();
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (f.http()) deploymentGroup(f, application);
        }
    }

    // ---- alarms ----

    /**
     * The deployer's topic ({@value StackSettings#ALARM_TOPIC_ARN}) or a new one; {@value StackSettings#ALARM_EMAIL}
     * subscribes an address (AWS mails a confirmation link first).
     */
    private ITopic createAlarmTopic() {
        StackSettings s = stack.settings();
        ITopic topic = s.alarmTopicArn().<ITopic>map(arn -> Topic.fromTopicArn(stack, "AlarmTopic", arn))
                .orElseGet(() -> Topic.Builder.create(stack, "AlarmTopic")
                        .displayName("tm-serverless " + s.stage().id() + " alarms")
                        .enforceSsl(true)
                        .build());
        s.alarmEmail().ifPresent(email -> topic.addSubscription(new EmailSubscription(email)));
        return topic;
    }

    /**
     * An alarm on one period of {@code metric}, notifying the alarm topic. No data is not an incident: Lambda, the
     * API and DynamoDB publish these metrics only while something happens, and the stack is idle most of the time.
     */
    private Alarm alarm(String id, String description, IMetric metric, double threshold, ComparisonOperator op) {
        Alarm alarm = Alarm.Builder.create(stack, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(op)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(new SnsAction(alarmTopic));
        return alarm;
    }

    private static MetricOptions sum(Duration period) {
        return MetricOptions.builder().period(period).statistic("Sum").build();
    }

    private static MetricOptions stat(String statistic) {
        return MetricOptions.builder().period(Duration.minutes(1)).statistic(statistic).build();
    }

    // ---- dashboard ----

    private Dashboard createDashboard() {
        Dashboard d = Dashboard.Builder.create(stack, "Dashboard")
                .dashboardName(stack.getStackName())
                .defaultInterval(Duration.hours(3))
                .build();
        d.addWidgets(TextWidget.Builder.create().markdown("# " + stack.getStackName()
                + "\nHTTP API, functions (all versions), table, queues. Alarms: TEMPLATE_NOTES.md, \"Operating it\".")
                .width(24).height(2).build());

        var api = stack.api();
        d.addWidgets(
                graph("API requests", List.of(api.metricCount(stat("Sum"))), List.of()),
                graph("API 4xx / 5xx", List.of(api.metricClientError(stat("Sum")), api.metricServerError(stat("Sum"))),
                        List.of()),
                graph("API latency (ms)", List.of(api.metricLatency(stat("p50")), api.metricLatency(stat("p99")),
                        api.metricIntegrationLatency(stat("p99"))), List.of()));

        for (Resources.Function f : Resources.FUNCTIONS) {
            Function fn = stack.functions().get(f.id());
            d.addWidgets(
                    graph(f.id() + ": invocations, errors, throttles", List.of(fn.metricInvocations(stat("Sum")),
                            fn.metricErrors(stat("Sum")), fn.metricThrottles(stat("Sum"))), List.of()),
                    graph(f.id() + ": duration (ms)", List.of(fn.metricDuration(stat("p50")),
                            fn.metricDuration(stat("p99")), fn.metricDuration(stat("Maximum"))), List.of()),
                    graph(f.id() + ": concurrency", List.of(fn.metric("ConcurrentExecutions", stat("Maximum"))),
                            List.of()));
        }

        var table = stack.table();
        d.addWidgets(
                graph("Table: consumed capacity", List.of(table.metricConsumedReadCapacityUnits(stat("Sum"))),
                        List.of(table.metricConsumedWriteCapacityUnits(stat("Sum")))),
                graph("Table: throttle events", List.of(table.metric("ReadThrottleEvents", stat("Sum")),
                        table.metric("WriteThrottleEvents", stat("Sum"))), List.of()));

        List<IWidget> queueWidgets = new ArrayList<>();
        for (Resources.Queue q : Resources.QUEUES) {
            Queue queue = stack.queues().get(q.id());
            Queue dlq = stack.deadLetterQueues().get(q.id());
            queueWidgets.add(graph(q.id() + ": depth and age", List.of(
                            queue.metricApproximateNumberOfMessagesVisible(stat("Maximum"))),
                    List.of(queue.metricApproximateAgeOfOldestMessage(stat("Maximum")))));
            queueWidgets.add(graph(q.dlqId() + ": depth", List.of(
                    dlq.metricApproximateNumberOfMessagesVisible(stat("Maximum"))), List.of()));
        }
        d.addWidgets(queueWidgets.toArray(IWidget[]::new));
        d.addWidgets(AlarmStatusWidget.Builder.create().title("Alarms").alarms(allAlarms()).width(24).build());
        return d;
    }

    private static GraphWidget graph(String title, List<IMetric> left, List<IMetric> right) {
        return GraphWidget.Builder.create().title(title).left(left).right(right).width(8).height(6).build();
    }

    // ---- SnapStart keep-alive ----

    /**
     * A daily schedule that invokes the function's {@code live} alias with an event it answers without touching
     * data, so its SnapStart version never stays uninvoked for the 14 days after which Lambda makes it inactive
     * (the next invoke would then fail while the snapshot is re-created).
     */
    private void keepAlive(Resources.Function f) {
        Rule rule = Rule.Builder.create(stack, pascal(f.id()) + "KeepAlive")
                .description("Invokes " + f.id() + ":" + TmStack.ALIAS + " daily so its SnapStart version stays active")
                .schedule(Schedule.rate(KEEP_ALIVE_RATE))
                .build();
        rule.addTarget(new LambdaFunction(stack.aliases().get(f.id()), LambdaFunctionProps.builder()
                .event(RuleTargetInput.fromObject(keepAliveEvent(f)))
                .retryAttempts(2)
                .build()));
        keepAliveRules.put(f.id(), rule);
    }

    /**
     * The keep-alive payload. HTTP functions get an API Gateway v2 (payload 2.0) event whose route key is
     * {@link Resources#KEEP_ALIVE_ROUTE_KEY}: no API route has that key, so only this schedule can send it. Queue
     * consumers get an SQS event without records. A function a schedule runs gets a scheduled event: the sweeper,
     * whose schedule is disarmed while idle, then makes one ordinary run a day (it also releases any expired lock
     * that no armed run reached, docs/locking.md "Expiry").
     */
    public static Map<String, Object> keepAliveEvent(Resources.Function f) {
        if (Resources.SCHEDULES.stream().anyMatch(s -> s.function().equals(f.id()))) {
            return Map.of("version", "0", "detail-type", "Scheduled Event", "source", "aws.events", "detail", Map.of());
        }
        if (!f.http()) return Map.of("Records", List.of());
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", Resources.KEEP_ALIVE_METHOD);
        http.put("path", Resources.KEEP_ALIVE_PATH);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        http.put("userAgent", Resources.KEEP_ALIVE_USER_AGENT);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("routeKey", Resources.KEEP_ALIVE_ROUTE_KEY);
        context.put("stage", "$default");
        context.put("requestId", "keep-alive");
        context.put("http", http);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", Resources.KEEP_ALIVE_ROUTE_KEY);
        event.put("rawPath", Resources.KEEP_ALIVE_PATH);
        event.put("rawQueryString", "");
        event.put("headers", Map.of("user-agent", Resources.KEEP_ALIVE_USER_AGENT));
        event.put("requestContext", context);
        event.put("isBase64Encoded", false);
        return event;
    }

    // ---- safe deploys ----

    /**
     * CodeDeploy moves the alias to each newly published version by the stage's {@link StackSettings.DeployStyle}
     * and moves it back when the function's error alarm or the API's 5xx alarm fires meanwhile.
     */
    private void deploymentGroup(Resources.Function f, LambdaApplication application) {
        deploymentGroups.put(f.id(), LambdaDeploymentGroup.Builder.create(stack, pascal(f.id()) + "Deployment")
                .application(application)
                .alias(stack.aliases().get(f.id()))
                .deploymentConfig(deploymentConfig(stack.settings().deployStyle()))
                .alarms(List.of(errorAlarms.get(f.id()), api5xxAlarm))
                .autoRollback(AutoRollbackConfig.builder()
                        .failedDeployment(true).stoppedDeployment(true).deploymentInAlarm(true).build())
                .build());
    }

    static ILambdaDeploymentConfig deploymentConfig(StackSettings.DeployStyle style) {
        return switch (style) {
            case CANARY -> LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES;
            case LINEAR -> LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE;
            case ALL_AT_ONCE -> LambdaDeploymentConfig.ALL_AT_ONCE;
        };
    }

    // ---- accessors (tests, suppressions) ----

    public ITopic alarmTopic() { return alarmTopic; }
    public Map<String, Alarm> errorAlarms() { return errorAlarms; }
    public Map<String, Alarm> throttleAlarms() { return throttleAlarms; }
    public Map<String, Alarm> queueAgeAlarms() { return queueAgeAlarms; }
    public Alarm api5xxAlarm() { return api5xxAlarm; }
    public Alarm tableReadThrottleAlarm() { return tableReadThrottleAlarm; }
    public Alarm tableWriteThrottleAlarm() { return tableWriteThrottleAlarm; }
    public Dashboard dashboard() { return dashboard; }
    public Map<String, Rule> keepAliveRules() { return keepAliveRules; }
    public Map<String, LambdaDeploymentGroup> deploymentGroups() { return deploymentGroups; }

    /** Every alarm of the stack, the dead-letter alarms included. */
    public List<IAlarm> allAlarms() {
        List<IAlarm> all = new ArrayList<>();
        all.addAll(errorAlarms.values());
        all.addAll(throttleAlarms.values());
        all.add(api5xxAlarm);
        all.add(tableReadThrottleAlarm);
        all.add(tableWriteThrottleAlarm);
        all.addAll(queueAgeAlarms.values());
        all.addAll(stack.dlqAlarms().values());
        return all;
    }
}
