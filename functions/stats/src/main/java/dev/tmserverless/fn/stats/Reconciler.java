package dev.tmserverless.fn.stats;

import dev.tmserverless.aws.store.StatsStore;
import jakarta.inject.Singleton;

import java.util.Set;
import java.util.TreeSet;

/**
 * The scheduled reconciliation (docs/statistics.md "Reconciliation and backfill"): each run rebuilds the facts of
 * a bounded slice of projects from their task items, recomputes those projects and their users, walks one page of
 * the users directory index (gsi2: no Scan) for the user count, the registration days and each summary's name,
 * and recomputes the system and organisation summaries. A cursor carries the walk
 * from run to run; the projects wrap around at the highest id, so every project is reconciled again and again, and
 * data that predates the aggregator is built on the first pass (the backfill).
 */
@Singleton
public class Reconciler {
    public static final int PROJECTS_PER_RUN = 25;
    public static final int PROFILES_PER_RUN = 500;

    private final StatsStore stats;
    private final Aggregator aggregator;

    public Reconciler(StatsStore stats, Aggregator aggregator) {
        this.stats = stats;
        this.aggregator = aggregator;
    }

    public record Run(long fromProject, long toProject, int users, int profiles) {}

    public Run runWriting() {
        StatsStore.Cursor c = stats.cursor();
        long max = stats.maxProjectId();
        long from = c.nextProject() > max ? 1 : c.nextProject();
        long to = Math.min(max, from + PROJECTS_PER_RUN - 1);
        Set<Long> users = new TreeSet<>();
        for (long p = from; p <= to; p++) {
            users.addAll(stats.rebuildProjectFactsWriting(p));
            users.addAll(aggregator.recomputeProjectWriting(p));
        }
        for (long u : users) aggregator.recomputeUserWriting(u);
        StatsStore.UserPage page = stats.userProfilesPage(c.usersFrom(), PROFILES_PER_RUN);
        Set<Integer> shards = new TreeSet<>();
        for (long u : page.ids()) {
            stats.markUserWriting(u);
            shards.add((int) Math.floorMod(u, (long) StatsStore.USER_SHARDS));
        }
        aggregator.refreshUsersWriting(page.ids());
        if (page.next() == null) {
            // a full pass over the profiles is done: recount every shard (repairs a count that drifted)
            for (int s = 0; s < StatsStore.USER_SHARDS; s++) shards.add(s);
        }
        for (int s : shards) stats.recountUsersWriting(s);
        aggregator.recomputeSystemWriting();
        stats.saveCursorWriting(new StatsStore.Cursor(to + 1, page.next()));
        return new Run(from, to, users.size(), page.ids().size());
    }
}
