package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

import java.util.Map;

import static dev.tmserverless.cdk.TemplateView.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Limits per deployment ({@code -c tm:maxTasks=...}, TEMPLATE_NOTES.md "Limits") reach every function. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsTemplateTest {
    TmStack stack;
    TemplateView t;

    @BeforeAll
    void synth() {
        App app = TestStacks.app(Map.of("tm:maxTasks", "20000", "tm:prod:maxAoiAreaKm2", "9000",
                "tm:lockDuration", "3h", "tm:maxInlineResponseBytes", "4000000"));
        stack = TestStacks.stack(app);
        app.synth();
        t = new TemplateView(stack);
    }

    @Test
    void everyFunctionGetsTheStagesLimits() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            Map<String, Object> env = map(map(t.props(t.logicalId(stack.functions().get(f.id()))).get("Environment")).get("Variables"));
            assertThat(env).as(f.id()).containsEntry("TM_MAX_TASKS", "20000").containsEntry("TM_MAX_AOI_AREA_KM2", "9000")
                    .containsEntry("TM_TASK_AUTOUNLOCK_AFTER", "3h").containsEntry("TM_MAX_INLINE_RESPONSE_BYTES", "4000000");
        }
    }

    @Test
    void aLimitThatIsNotAPositiveValueFailsTheSynth() {
        for (var bad : Map.of("tm:maxTasks", "-5", "tm:maxAoiAreaKm2", "lots", "tm:lockDuration", "0h",
                "tm:maxInlineResponseBytes", "0").entrySet()) {
            App app = new App(AppProps.builder().context(Map.of(bad.getKey(), bad.getValue())).build());
            assertThatThrownBy(() -> StackSettings.limits(app.getNode(), StackSettings.Stage.PROD)).as(bad.getKey())
                    .hasMessageContaining(bad.getKey());
        }
        App none = new App();
        assertThat(StackSettings.limits(none.getNode(), StackSettings.Stage.PROD)).isEmpty();
    }
}
