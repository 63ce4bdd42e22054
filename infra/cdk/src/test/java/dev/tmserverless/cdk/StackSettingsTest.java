package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
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
    }
}
