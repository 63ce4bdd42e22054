package dev.tmserverless.aws.schedule;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

import java.util.Optional;

/**
 * The lock sweep's schedule (the catalogue's {@code Resources.LOCK_SWEEP}), armed by changes: the statistics
 * aggregator arms it for every batch of committed changes that can give the sweeper work, the sweeper disarms it
 * after a run that found nothing to do (docs/locking.md "Expiry" has the rule and why no lock is left unswept).
 * Deployed, the schedule is an EventBridge rule, named by {@code TM_LOCK_SWEEP_RULE}; locally the local stack
 * answers the same calls. Without that setting both calls do nothing and the schedule simply stays armed.
 *
 * <p>Enabling an enabled rule or disabling a disabled one changes nothing, so both calls may repeat. A call that
 * fails throws: the caller decides (the aggregator fails its batch so the feed delivers it again).
 */
@Singleton
@Requires(classes = EventBridgeClient.class)
public class SweepSchedule {
    private final Provider<EventBridgeClient> events;
    private final Optional<String> rule;

    public SweepSchedule(Provider<EventBridgeClient> events, TmConfig config) {
        this.events = events;
        this.rule = config.get(Resources.LOCK_SWEEP_RULE_ENV);
    }

    /** True if a rule is named (else arming and disarming do nothing). */
    public boolean configured() {
        return rule.isPresent();
    }

    /** Makes the schedule fire on its rate (again). */
    public void armWriting() {
        rule.ifPresent(r -> events.get().enableRule(b -> b.name(r)));
    }

    /** Stops the schedule until it is armed again. */
    public void disarmWriting() {
        rule.ifPresent(r -> events.get().disableRule(b -> b.name(r)));
    }

    /** Whether the rule is enabled now (true when no rule is named: the schedule then always runs). */
    public boolean armed() {
        return rule.map(r -> events.get().describeRule(b -> b.name(r)).state()
                != software.amazon.awssdk.services.eventbridge.model.RuleState.DISABLED).orElse(true);
    }
}
