package dev.tmserverless.fn.stats;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** The statistics reconciliation, run by the catalogue's {@code stats-reconcile} schedule ({@link Reconciler}). */
public class ReconcileFunction extends MicronautRequestHandler<ScheduledEvent, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileFunction.class);

    @Inject Reconciler reconciler;

    public ReconcileFunction() { super(); }

    public ReconcileFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    public Map<String, Object> execute(ScheduledEvent event) {
        try {
            return handle(event);
        } finally {
            dev.tmserverless.aws.observe.Telemetry.endInvocation(dev.tmserverless.core.catalogue.Resources.STATS_RECONCILER);
        }
    }

    private Map<String, Object> handle(ScheduledEvent event) {
        Reconciler.Run run = reconciler.runWriting();
        LOG.info("statistics reconciled: projects {}..{}, {} users, {} profiles walked", run.fromProject(),
                run.toProject(), run.users(), run.profiles());
        return Map.of("fromProject", run.fromProject(), "toProject", run.toProject(), "users", run.users(),
                "profiles", run.profiles());
    }
}
