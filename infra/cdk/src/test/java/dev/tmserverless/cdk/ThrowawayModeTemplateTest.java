package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code -c tm:retainData=false} on the prod stage: a stack whose destroy leaves nothing behind (for trials, not for real data). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThrowawayModeTemplateTest {
    TmStack stack;
    TemplateView t;

    @BeforeAll
    void synth() {
        stack = TestStacks.stack(TestStacks.app(Map.of(
                StackSettings.RETAIN_DATA, "false",
                StackSettings.STACK_NAME, "TmTrial",
                StackSettings.LOG_RETENTION_DAYS, "7")));
        t = new TemplateView(stack);
    }

    @Test
    void contextIsRead() {
        assertThat(stack.getStackName()).isEqualTo("TmTrial-prod");
        assertThat(stack.settings().retainData()).isFalse();
    }

    @Test
    void tableBucketsAndLogsAreDeletedWithTheStack() {
        assertThat(t.resource(t.logicalId(stack.table())).get("DeletionPolicy")).isEqualTo("Delete");
        assertThat(t.props(t.logicalId(stack.table())).get("DeletionProtectionEnabled")).isEqualTo(false);
        // Point-in-time recovery stays on: it is about mistakes while the stack lives.
        assertThat(String.valueOf(t.props(t.logicalId(stack.table())).get("PointInTimeRecoverySpecification")))
                .contains("PointInTimeRecoveryEnabled=true");
        for (var bucket : new software.amazon.awscdk.services.s3.Bucket[] {stack.bucket(), stack.accessLogsBucket()}) {
            assertThat(t.resource(t.logicalId(bucket)).get("DeletionPolicy")).isEqualTo("Delete");
        }
        assertThat(t.ofType("Custom::S3AutoDeleteObjects")).hasSize(2);
        for (Map<String, Object> logGroup : t.ofType("AWS::Logs::LogGroup").values()) {
            assertThat(logGroup.get("DeletionPolicy")).isEqualTo("Delete");
            assertThat(TemplateView.map(logGroup.get("Properties")).get("RetentionInDays")).isEqualTo(7);
        }
    }
}
