package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.services.logs.RetentionDays;

class StackSettingsTest {
    @Test
    void logRetentionMustBeACloudWatchPeriod() {
        assertThat(StackSettings.retention("30")).isEqualTo(RetentionDays.ONE_MONTH);
        assertThat(StackSettings.retention("7")).isEqualTo(RetentionDays.ONE_WEEK);
        assertThat(StackSettings.retention("365")).isEqualTo(RetentionDays.ONE_YEAR);
        assertThatThrownBy(() -> StackSettings.retention("31")).hasMessageContaining("tm:logRetentionDays");
    }

    @Test
    void defaultsKeepData() {
        StackSettings d = StackSettings.defaults();
        assertThat(d.retainData()).isTrue();
        assertThat(d.allowMissingJars()).isFalse();
        assertThat(d.logRetention()).isEqualTo(RetentionDays.ONE_MONTH);
        assertThat(d.stage()).isEqualTo(StackSettings.Stage.PROD);
        assertThat(d.stackName()).isEqualTo("TmServerless-prod");
        assertThat(d.deployStyle()).isEqualTo(StackSettings.DeployStyle.CANARY);
        assertThat(d.backupPlan()).isFalse();
        assertThat(d.restoredTableName()).isEmpty();
    }

    @Test
    void stagesAndDeployStylesParse() {
        assertThat(StackSettings.Stage.of(" Dev ")).isEqualTo(StackSettings.Stage.DEV);
        assertThatThrownBy(() -> StackSettings.Stage.of("staging")).hasMessageContaining(StackSettings.STAGES);
        assertThat(StackSettings.DeployStyle.of("all_at_once")).isEqualTo(StackSettings.DeployStyle.ALL_AT_ONCE);
        assertThat(StackSettings.DeployStyle.of("Canary")).isEqualTo(StackSettings.DeployStyle.CANARY);
        assertThatThrownBy(() -> StackSettings.DeployStyle.of("blue-green")).hasMessageContaining(StackSettings.DEPLOY_STYLE);
        assertThat(StackSettings.scoped(StackSettings.Stage.PROD, StackSettings.ALARM_EMAIL)).isEqualTo("tm:prod:alarmEmail");
    }

    @Test
    void aStageScopedKeyWinsOverTheUnscopedOne() {
        App app = new App(AppProps.builder().context(Map.of(
                StackSettings.STAGES, "prod, dev",
                StackSettings.ALARM_EMAIL, "all@example.org",
                "tm:dev:alarmEmail", "dev@example.org",
                "tm:dev:deployStyle", "linear",
                "tm:dev:appKeyRequestsPerMinute", "600",
                StackSettings.STACK_NAME, "Tm")).build());
        assertThat(StackSettings.stages(app.getNode())).containsExactly(StackSettings.Stage.PROD, StackSettings.Stage.DEV);
        StackSettings prod = StackSettings.fromContext(app.getNode(), StackSettings.Stage.PROD);
        StackSettings dev = StackSettings.fromContext(app.getNode(), StackSettings.Stage.DEV);
        assertThat(prod.alarmEmail()).contains("all@example.org");
        assertThat(dev.alarmEmail()).contains("dev@example.org");
        assertThat(prod.deployStyle()).isEqualTo(StackSettings.DeployStyle.CANARY);
        assertThat(dev.deployStyle()).isEqualTo(StackSettings.DeployStyle.LINEAR);
        assertThat(prod.appKeyRequestsPerMinute()).isEqualTo(60);
        assertThat(dev.appKeyRequestsPerMinute()).isEqualTo(600);
        assertThat(prod.stackName()).isEqualTo("Tm-prod");
        assertThat(dev.stackName()).isEqualTo("Tm-dev");
        assertThat(dev.retainData()).isFalse();
        assertThat(StackSettings.stages(new App().getNode())).containsExactly(StackSettings.Stage.PROD);
    }
}
