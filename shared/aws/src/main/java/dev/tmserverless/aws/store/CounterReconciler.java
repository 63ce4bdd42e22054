package dev.tmserverless.aws.store;

import dev.tmserverless.core.domain.ProjectCounters;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Repairs the stored task counters of a project (its item's and its search summary's) when they drift from its
 * tasks, e.g. after a crash between a task write and its counter update (docs/projects.md "Counters").
 *
 * <p>The truth is the task map (built from the tasks themselves, TaskMaps). A repair needs two looks at least
 * {@link #SETTLE_MILLIS} apart that saw the same drift: a transition between its task write and its counter
 * update (a few milliseconds, at most a function's timeout) shows as a drift at one look and is gone at the
 * next, a crash's drift stays. The first look leaves a mark on the project item; the second, if it sees the same,
 * moves the counters by the difference on condition that they are still what it read and the mark is still there
 * (one conditional write, which also clears the mark). Should a transition ever be stuck longer than that between
 * its two writes, its late counter update is itself a drift that the next looks repair.
 */
@Singleton
public class CounterReconciler {
    /** Between the look that marks a drift and the look that repairs it: longer than any function's run. */
    public static final long SETTLE_MILLIS = 30_000;
    /** Projects whose summary changed this recently are looked at every run. */
    public static final long ACTIVE_MILLIS = 30 * 60_000;
    /** Every other project is looked at on two consecutive runs once per this many pairs of minutes (a day). */
    static final int SLICES = 720;
    /** At most this many projects per run (the most recently changed first). */
    public static final int MAX_PER_RUN = 200;

    /**
     * What one run did; {@code waiting} counts the projects that still need a look (a drift marked and not yet
     * repaired, or not reached before the deadline).
     */
    public record Result(int checked, int marked, int repaired, int waiting) {
        public Result(int checked, int marked, int repaired) { this(checked, marked, repaired, 0); }
    }

    private final ProjectStore projects;
    private final TaskMaps maps;
    private final GridJobStore jobs;
    public volatile Clock clock = Clock.systemUTC();

    public CounterReconciler(ProjectStore projects, TaskMaps maps, GridJobStore jobs) {
        this.projects = projects;
        this.maps = maps;
        this.jobs = jobs;
    }

    /** The projects to look at now: the recently changed ones, and this pair of minutes' slice of the others. */
    public List<Long> candidates(ProjectSearchIndex.Snapshot snap) {
        long now = clock.millis();
        long slice = Math.floorMod(now / 120_000, SLICES);
        List<ProjectSearchIndex.Row> picked = new ArrayList<>();
        for (ProjectSearchIndex.Row r : snap.rows()) {
            if (r.entry().changedAt() >= now - ACTIVE_MILLIS || Math.floorMod(r.id(), SLICES) == slice) picked.add(r);
        }
        picked.sort(Comparator.comparingLong((ProjectSearchIndex.Row r) -> r.entry().changedAt()).reversed());
        return picked.stream().limit(MAX_PER_RUN).map(ProjectSearchIndex.Row::id).toList();
    }

    /** Looks at the projects in turn until {@code deadlineMillis} (wall clock). */
    public Result reconcileWriting(List<Long> projectIds, long deadlineMillis) {
        int marked = 0, repaired = 0, checked = 0, waiting = 0, reached = 0;
        for (long id : projectIds) {
            if (System.currentTimeMillis() > deadlineMillis) break;
            reached++;
            // a grid still being written has no settled count yet
            if (jobs.get(id).map(j -> !j.done()).orElse(false)) {
                waiting++;
                continue;
            }
            var stored = projects.get(id);
            if (stored.isEmpty()) continue;
            checked++;
            ProjectCounters seen = stored.get().counters();
            ProjectCounters summary = projects.summaryCounters(id).orElse(null);
            ProjectCounters truth = maps.current(id).counters();
            String prev = projects.driftMark(id);
            if (truth.equals(seen) && (summary == null || truth.equals(summary))) {
                if (prev != null) projects.markDriftWriting(id, null);
                continue;
            }
            long now = clock.millis();
            String state = render(seen) + ">" + render(truth) + "|" + (summary == null ? "-" : render(summary));
            if (prev != null && prev.endsWith("@" + state) && now - Long.parseLong(prev.substring(0, prev.indexOf('@'))) >= SETTLE_MILLIS) {
                if (projects.repairCountersWriting(id, seen, truth, prev, summary)) repaired++;
                else waiting++;
            } else if (prev == null || !prev.endsWith("@" + state)) {
                projects.markDriftWriting(id, now + "@" + state);
                marked++;
                waiting++;
            } else {
                waiting++; // marked before, not settled yet
            }
        }
        return new Result(checked, marked, repaired, waiting + projectIds.size() - reached);
    }

    private static String render(ProjectCounters c) {
        return c.totalTasks() + "," + c.tasksMapped() + "," + c.tasksValidated() + "," + c.tasksBadImagery();
    }
}
