package dev.tmserverless.fn.sweeper;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/**
 * The sweeper function, run by a schedule (the catalogue's {@code Resources.SCHEDULES}): releases expired locks
 * rewrites the project search snapshot when projects changed, repairs drifted task counters and finishes the
 * removal of deleted projects (docs/projects.md).
 */
public class SweeperFunction extends MicronautRequestHandler<ScheduledEvent, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(SweeperFunction.class);

    @Inject LockSweeper locks;
    @Inject dev.tmserverless.aws.store.ProjectSearchIndex search;
    @Inject dev.tmserverless.aws.store.CounterReconciler counters;
    @Inject dev.tmserverless.aws.store.ProjectPurge purge;
    @Inject dev.tmserverless.aws.store.SearchBackfill backfill;
    Clock clock = Clock.systemUTC();

    public SweeperFunction() { super(); }

    public SweeperFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    public Map<String, Object> execute(ScheduledEvent event) {
        try {
            return handle(event);
        } finally {
            dev.tmserverless.aws.observe.Telemetry.endInvocation(dev.tmserverless.core.catalogue.Resources.SWEEPER);
        }
    }

    private Map<String, Object> handle(ScheduledEvent event) {
        LockSweeper.Sweep s = locks.sweepWriting(clock.instant());
        if (s.seen() > 0) LOG.info("locks: {} expired slots seen, {} tasks released, {} slots freed", s.seen(), s.expired(), s.slotsFreed());
        // summaries of projects written before the search index existed (until done, then one GetItem a run)
        int backfilled = backfill.runWriting(System.currentTimeMillis() + 10_000);
        if (backfilled > 0) LOG.info("search: {} summaries of older projects written", backfilled);
        // the search index's snapshot, which fresh projects-function instances load first (docs/search.md)
        int snapshot = search.writeSnapshot();
        if (snapshot >= 0) LOG.info("search: snapshot of {} projects written", snapshot);
        var r = counters.reconcileWriting(counters.candidates(search.current()), System.currentTimeMillis() + 10_000);
        if (r.marked() + r.repaired() > 0) LOG.info("counters: {} projects checked, {} drifts seen, {} repaired", r.checked(), r.marked(), r.repaired());
        // deleted projects whose items were not all removed by the delete itself (a large project, or a crash)
        int purged = purge.finishPendingWriting(System.currentTimeMillis() + 15_000);
        // nothing found to do: the schedule is disarmed until a change arms it again (docs/locking.md "Expiry")
        boolean idle = s.seen() == 0 && backfilled < 0 && snapshot < 0 && r.marked() == 0 && r.repaired() == 0
                && r.waiting() == 0 && purged == 0 && purge.pending().isEmpty();
        boolean disarmed = false;
        if (idle) {
            try {
                disarmed = locks.disarmIfIdleWriting();
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                LOG.error("lock sweep schedule: arming or disarming failed, it may stay armed: {}", e.toString());
                throw e;
            }
            if (disarmed) LOG.info("nothing to do and no lock held: schedule disarmed until a change arms it");
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("expiredSlots", s.seen());
        out.put("tasksReleased", s.expired());
        out.put("slotsFreed", s.slotsFreed());
        out.put("searchSnapshot", snapshot);
        out.put("countersChecked", r.checked());
        out.put("countersRepaired", r.repaired());
        out.put("projectsPurged", purged);
        out.put("summariesBackfilled", backfilled);
        out.put("disarmed", disarmed);
        return out;
    }
}
