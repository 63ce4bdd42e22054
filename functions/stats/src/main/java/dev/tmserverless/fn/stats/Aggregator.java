package dev.tmserverless.fn.stats;

import dev.tmserverless.aws.store.ChatStore;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.StatsStore;
import dev.tmserverless.core.domain.Organisation;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Applies committed changes to the statistics (docs/statistics.md): each task image is merged into the task's
 * facts and its users' task facts (idempotent, in any order), and every summary a change touches is then
 * recomputed from facts (a recomputation gives the same answer however often it runs).
 */
@Singleton
public class Aggregator {
    private final StatsStore stats;
    private final ProjectStore projects;
    private final ChatStore chat;
    private final OrgStore orgs;

    public Aggregator(StatsStore stats, ProjectStore projects, ChatStore chat, OrgStore orgs) {
        this.stats = stats;
        this.projects = projects;
        this.chat = chat;
        this.orgs = orgs;
    }

    /** What a batch made stale; recomputed once per batch. */
    public static final class Dirty {
        final Set<Long> projects = new LinkedHashSet<>();
        final Set<Long> users = new LinkedHashSet<>();
        final Set<Integer> userShards = new TreeSet<>();
        boolean system;

        public boolean isEmpty() { return projects.isEmpty() && users.isEmpty() && userShards.isEmpty() && !system; }
    }

    /** Applies one record's images (new image, or null when the item was deleted), noting what it made stale. */
    public void applyWriting(Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage, Dirty dirty) {
        switch (StatsStore.source(keys, newImage)) {
            case StatsStore.TaskImage t -> {
                StatsStore.Merged merged = stats.mergeTaskFactsWriting(t.facts());
                stats.putUserTaskFactsWriting(merged);
                dirty.projects.add(t.projectId());
                merged.facts().rows.values().forEach(r -> dirty.users.add(r.u));
            }
            case StatsStore.ProjectItem p -> dirty.projects.add(p.projectId());
            case StatsStore.UserProfile u -> {
                if (u.exists()) {
                    stats.markUserWriting(u.userId());
                    dirty.userShards.add((int) Math.floorMod(u.userId(), (long) StatsStore.USER_SHARDS));
                }
            }
            case StatsStore.Other o -> { }
        }
    }

    /** Recomputes every summary the batch made stale: projects, users, the user count, then system and organisations. */
    public void recomputeWriting(Dirty dirty) {
        for (long p : dirty.projects) {
            stats.recomputeProjectWriting(p, projects, chat);
            dirty.system = true;
        }
        for (long u : dirty.users) stats.recomputeUserWriting(u);
        for (int shard : dirty.userShards) {
            stats.recountUsersWriting(shard);
            dirty.system = true;
        }
        if (dirty.system) recomputeSystemWriting();
    }

    public void recomputeSystemWriting() {
        stats.recomputeSystemWriting(orgNames(orgs.all()));
    }

    public void recomputeProjectWriting(long projectId) {
        stats.recomputeProjectWriting(projectId, projects, chat);
    }

    public void recomputeUserWriting(long userId) {
        stats.recomputeUserWriting(userId);
    }

    private static Map<Long, String> orgNames(Collection<Organisation> all) {
        return all.stream().collect(Collectors.toMap(Organisation::id, Organisation::name, (a, b) -> a));
    }
}
