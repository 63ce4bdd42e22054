package dev.tmserverless.cdk;

import static dev.tmserverless.cdk.TemplateView.list;
import static dev.tmserverless.cdk.TemplateView.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.core.catalogue.Resources;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

/**
 * The restore cut-over ({@code -c tm:restoredTableName=...}: every function uses a table restored from
 * point-in-time recovery) together with the optional AWS Backup plan ({@code -c tm:backupPlan=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupsTemplateTest {
    static final String RESTORED = "tm-main-restored-20261130";

    TmStack stack;
    TemplateView t;

    @BeforeAll
    void synth() {
        App app = TestStacks.app(Map.of("@aws-cdk/core:annotationsInValidationReport", false,
                StackSettings.RESTORED_TABLE_NAME, RESTORED, StackSettings.BACKUP_PLAN, "true"));
        stack = TestStacks.stack(app);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        app.synth();
        t = new TemplateView(stack);
    }

    @Test
    void everyFunctionUsesTheRestoredTableAndTheStackOwnsNone() {
        assertThat(t.ofType("AWS::DynamoDB::Table")).isEmpty();
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (!f.access().contains(Resources.Access.TABLE_READ_WRITE)) continue;
            Map<String, Object> env = map(map(t.props(t.logicalId(stack.functions().get(f.id()))).get("Environment")).get("Variables"));
            assertThat(env.get(Resources.TABLE.envVar())).as(f.id()).isEqualTo(RESTORED);
            String statements = String.valueOf(t.statementsOfRole(t.logicalId(stack.roles().get(f.id()))));
            assertThat(statements).as(f.id()).contains("dynamodb:UpdateItem", ":table/" + RESTORED,
                    ":table/" + RESTORED + "/index/*");
        }
        assertThat(map(map(t.json.get("Outputs")).get("TableName")).get("Value")).isEqualTo(RESTORED);
        for (var alarm : new software.amazon.awscdk.services.cloudwatch.Alarm[] {
                stack.operations().tableReadThrottleAlarm(), stack.operations().tableWriteThrottleAlarm()}) {
            assertThat(t.props(t.logicalId(alarm)).get("Dimensions"))
                    .isEqualTo(java.util.List.of(Map.of("Name", "TableName", "Value", RESTORED)));
        }
    }

    @Test
    void theBackupPlanCopiesTheTableDailyAndMonthlyIntoARetainedVault() {
        Map<String, Map<String, Object>> plans = t.ofType("AWS::Backup::BackupPlan");
        assertThat(plans).hasSize(1);
        String rules = String.valueOf(map(map(plans.values().iterator().next().get("Properties")).get("BackupPlan"))
                .get("BackupPlanRule"));
        assertThat(rules).contains("DeleteAfterDays=35", "DeleteAfterDays=365");
        Map<String, Object> selection = map(map(t.ofType("AWS::Backup::BackupSelection").values().iterator().next()
                .get("Properties")).get("BackupSelection"));
        assertThat(list(selection.get("Resources"))).hasSize(1);
        assertThat(String.valueOf(selection.get("Resources"))).contains(":table/" + RESTORED);
        assertThat(t.ofType("AWS::Backup::BackupVault").values()).allSatisfy(v ->
                assertThat(v.get("DeletionPolicy")).isEqualTo("Retain"));
    }

    @Test
    void cdkNagAcceptsThisVariant() {
        Annotations a = Annotations.fromStack(stack);
        Object pattern = Match.stringLikeRegexp("AwsSolutions-.*");
        assertThat(a.findError("*", pattern)).isEmpty();
        assertThat(a.findWarning("*", pattern)).isEmpty();
    }
}
