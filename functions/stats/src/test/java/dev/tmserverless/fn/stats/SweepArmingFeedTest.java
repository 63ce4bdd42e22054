package dev.tmserverless.fn.stats;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.tmserverless.aws.schedule.SweepSchedule;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.EventRules;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregator arms the lock sweep for a batch of task or project changes, and a batch whose arming failed is
 * reported failed whole (the feed delivers it again), so no lock is left with its sweep disarmed
 * (docs/locking.md "Expiry").
 */
class SweepArmingFeedTest {
    static FeedHarness h;
    static StatsFunction stats;
    static Fixture fx;
    static EventRules rules;
    static String rule;

    @BeforeAll
    static void start() {
        h = FeedHarness.start("stats-arming");
        stats = new StatsFunction();
        fx = new Fixture(stats.getApplicationContext());
        rules = Emulators.shared().rules();
        rule = h.isolated.env().get(Resources.LOCK_SWEEP_RULE_ENV);
    }

    @AfterAll
    static void stop() {
        rules.beforeApplying(null);
        h.close();
        stats.close();
    }

    static DynamodbEvent batch(List<DynamodbEvent.DynamodbStreamRecord> records) {
        DynamodbEvent e = new DynamodbEvent();
        e.setRecords(new ArrayList<>(records));
        return e;
    }

    @Test
    void aBatchOfChangesArmsTheSweepAndFailsWholeWhenArmingFails() {
        Project p = fx.project(fx.user("pm-arming-feed"), ProjectStatus.PUBLISHED, 2);
        var records = h.log().read(0, Integer.MAX_VALUE).stream()
                .filter(r -> r.getDynamodb().getKeys().get("pk").getS().equals("PROJECT#" + p.id())).toList();
        assertThat(records).isNotEmpty();
        SweepSchedule schedule = stats.getApplicationContext().getBean(SweepSchedule.class);
        schedule.disarmWriting();
        assertThat(rules.enabled(rule)).isFalse();

        // EventBridge refuses: the batch is reported failed from its first record, nothing is applied
        rules.beforeApplying((call, name) -> {
            if (call.equals("EnableRule")) throw new IllegalStateException("EventBridge unavailable");
        });
        long statsItems = fx.itemCount();
        StreamsEventResponse failed = (StreamsEventResponse) stats.handleRequest(batch(records), new Api.TestContext());
        assertThat(failed.getBatchItemFailures()).extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(records.get(0).getDynamodb().getSequenceNumber());
        assertThat(rules.enabled(rule)).isFalse();
        assertThat(fx.itemCount()).isEqualTo(statsItems);

        // delivered again once EventBridge answers: armed and applied
        rules.beforeApplying(null);
        StreamsEventResponse ok = (StreamsEventResponse) stats.handleRequest(batch(records), new Api.TestContext());
        assertThat(ok.getBatchItemFailures()).isEmpty();
        assertThat(rules.enabled(rule)).isTrue();
        assertThat(fx.itemCount()).isGreaterThan(statsItems);

        // a batch without task or project items (a user's profile) leaves the rule alone
        schedule.disarmWriting();
        fx.user("profile-only");
        var profiles = h.log().read(0, Integer.MAX_VALUE).stream()
                .filter(r -> r.getDynamodb().getKeys().get("pk").getS().startsWith("USER#")).toList();
        assertThat(profiles).isNotEmpty();
        long enables = rules.calls("EnableRule", rule);
        StreamsEventResponse profileBatch = (StreamsEventResponse) stats.handleRequest(batch(profiles), new Api.TestContext());
        assertThat(profileBatch.getBatchItemFailures()).isEmpty();
        assertThat(rules.calls("EnableRule", rule)).isEqualTo(enables);
        assertThat(rules.enabled(rule)).isFalse();
    }
}
