package dev.tmserverless.cdk;

import static dev.tmserverless.cdk.TemplateView.map;
import static dev.tmserverless.cdk.TemplateView.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.core.catalogue.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Both stages from one app ({@code -c tm:stages=dev,prod}), with stage-scoped alarm settings: the differences that
 * matter (data removal, deployment config, alarm topic, retention, names, tags).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StagesTemplateTest {
    static final String PROD_TOPIC = "arn:aws:sns:eu-west-1:123456789012:tm-prod-alarms";

    TmStack dev;
    TmStack prod;
    TemplateView devT;
    TemplateView prodT;

    @BeforeAll
    void synth() {
        List<TmStack> stacks = TmCdkApp.buildAll(TestStacks.app(Map.of(
                StackSettings.STAGES, "dev,prod",
                StackSettings.scoped(StackSettings.Stage.PROD, StackSettings.ALARM_TOPIC_ARN), PROD_TOPIC,
                StackSettings.scoped(StackSettings.Stage.DEV, StackSettings.ALARM_EMAIL), "dev-team@example.org")),
                TestStacks.root());
        assertThat(stacks).hasSize(2);
        dev = stacks.get(0);
        prod = stacks.get(1);
        devT = new TemplateView(dev);
        prodT = new TemplateView(prod);
    }

    @Test
    void oneStackPerStageWithItsOwnName() {
        assertThat(dev.getStackName()).isEqualTo("TmServerless-dev");
        assertThat(prod.getStackName()).isEqualTo("TmServerless-prod");
        assertThat(dev.settings().stage()).isEqualTo(StackSettings.Stage.DEV);
        assertThat(prod.settings().stage()).isEqualTo(StackSettings.Stage.PROD);
        assertThat(map(devT.ofType("AWS::CloudWatch::Dashboard").values().iterator().next().get("Properties"))
                .get("DashboardName")).isEqualTo("TmServerless-dev");
    }

    @Test
    void prodRetainsItsDataAndDevDeletesIt() {
        assertThat(prodT.resource(prodT.logicalId(prod.table())).get("DeletionPolicy")).isEqualTo("Retain");
        assertThat(prodT.props(prodT.logicalId(prod.table())).get("DeletionProtectionEnabled")).isEqualTo(true);
        assertThat(prodT.resource(prodT.logicalId(prod.bucket())).get("DeletionPolicy")).isEqualTo("Retain");
        assertThat(devT.resource(devT.logicalId(dev.table())).get("DeletionPolicy")).isEqualTo("Delete");
        assertThat(devT.props(devT.logicalId(dev.table())).get("DeletionProtectionEnabled")).isEqualTo(false);
        assertThat(devT.resource(devT.logicalId(dev.bucket())).get("DeletionPolicy")).isEqualTo("Delete");
        assertThat(devT.ofType("Custom::S3AutoDeleteObjects")).hasSize(2);
        assertThat(prodT.ofType("Custom::S3AutoDeleteObjects")).isEmpty();
        // point-in-time recovery in both: it is about mistakes while the stack lives
        for (TemplateView t : List.of(devT, prodT)) {
            TmStack s = t == devT ? dev : prod;
            assertThat(map(t.props(t.logicalId(s.table())).get("PointInTimeRecoverySpecification"))
                    .get("PointInTimeRecoveryEnabled")).isEqualTo(true);
        }
    }

    @Test
    void prodShiftsTrafficByCanaryAndDevAllAtOnce() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (!f.http()) continue;
            assertThat(prodT.props(prodT.logicalId(prod.operations().deploymentGroups().get(f.id())))
                    .get("DeploymentConfigName")).isEqualTo("CodeDeployDefault.LambdaCanary10Percent5Minutes");
            assertThat(devT.props(devT.logicalId(dev.operations().deploymentGroups().get(f.id())))
                    .get("DeploymentConfigName")).isEqualTo("CodeDeployDefault.LambdaAllAtOnce");
        }
    }

    @Test
    void eachStageAlarmsItsOwnTopic() {
        // prod: the deployer's existing topic, no topic of its own
        assertThat(prodT.ofType("AWS::SNS::Topic")).isEmpty();
        assertThat(prodT.ofType("AWS::SNS::Subscription")).isEmpty();
        for (Map<String, Object> a : prodT.ofType("AWS::CloudWatch::Alarm").values()) {
            assertThat(map(a.get("Properties")).get("AlarmActions")).isEqualTo(List.of(PROD_TOPIC));
        }
        // dev: its own topic with the dev e-mail subscription
        String devTopic = devT.logicalId(dev.operations().alarmTopic());
        assertThat(devT.ofType("AWS::SNS::Topic")).containsOnlyKeys(devTopic);
        assertThat(map(devT.ofType("AWS::SNS::Subscription").values().iterator().next().get("Properties")))
                .containsEntry("Endpoint", "dev-team@example.org").containsEntry("TopicArn", ref(devTopic));
        assertThat(devT.ofType("AWS::CloudWatch::Alarm")).hasSameSizeAs(prodT.ofType("AWS::CloudWatch::Alarm"));
        for (Map<String, Object> a : devT.ofType("AWS::CloudWatch::Alarm").values()) {
            assertThat(map(a.get("Properties")).get("AlarmActions")).isEqualTo(List.of(ref(devTopic)));
        }
    }

    @Test
    void logRetentionAndStageTagDiffer() {
        for (Map<String, Object> g : devT.ofType("AWS::Logs::LogGroup").values()) {
            assertThat(map(g.get("Properties")).get("RetentionInDays")).isEqualTo(7);
        }
        for (Map<String, Object> g : prodT.ofType("AWS::Logs::LogGroup").values()) {
            assertThat(map(g.get("Properties")).get("RetentionInDays")).isEqualTo(30);
        }
        assertThat(String.valueOf(devT.props(devT.logicalId(dev.table())).get("Tags"))).contains("Key=stage, Value=dev");
        assertThat(String.valueOf(prodT.props(prodT.logicalId(prod.table())).get("Tags"))).contains("Key=stage, Value=prod");
    }
}
