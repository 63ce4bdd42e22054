package dev.tmserverless.fn.stats;

import dev.tmserverless.aws.store.ChatStore;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.StatsStore;
import dev.tmserverless.core.domain.Organisation;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
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
        /** Projects (among {@link #projects}) whose interests changed: their contributors' summaries too. */
        final Set<Long> interestsChanged = new LinkedHashSet<>();
        final Set<Long> users = new LinkedHashSet<>();
        final Set<Integer> userShards = new TreeSet<>();
        /** Users whose profile changed: their registration entry and their summary's name. */
        final Set<Long> profiles = new LinkedHashSet<>();
        boolean system;

        public boolean isEmpty() {
            return projects.isEmpty() && users.isEmpty() && userShards.isEmpty() && profiles.isEmpty() && !system;
        }
    }

    /** One stream record: its keys, its new image (null when the item was deleted) and its sequence number. */
    public record Change(Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage, String sequence) {}

    /** A task's record (any transition, a lock among them) or a project's item (changed or deleted). */
    static boolean givesSweeperWork(Change c) {
        return switch (StatsStore.source(c.keys(), null)) {
            case StatsStore.TaskImage t -> true; // only task items give a task image without a new image
            case StatsStore.ProjectItem p -> "META".equals(c.keys().get("sk").s());
            default -> false;
        };
    }

    /**
     * Applies a batch's records, noting what they made stale. The images of one task are merged in memory first
     * (the merge is order-free), so a task changed ten times in a batch costs one read and one write of its facts.
     * Answers the sequence number of the earliest record whose change could not be applied (everything from it
     * on must come again), or null.
     */
    public String applyWriting(List<Change> changes, Dirty dirty) {
        Map<String, StatsStore.TaskImage> tasks = new LinkedHashMap<>();
        Map<String, String> firstRecord = new LinkedHashMap<>();
        int index = 0;
        Map<String, Integer> order = new java.util.HashMap<>();
        for (Change c : changes) {
            order.put(c.sequence(), index++);
            try {
                switch (StatsStore.source(c.keys(), c.newImage())) {
                    case StatsStore.TaskImage t -> {
                        String k = t.projectId() + "/" + t.taskId();
                        firstRecord.putIfAbsent(k, c.sequence());
                        StatsStore.TaskImage seen = tasks.get(k);
                        if (seen == null) tasks.put(k, t);
                        else seen.facts().merge(t.facts());
                    }
                    case StatsStore.ProjectItem p -> dirty.projects.add(p.projectId());
                    case StatsStore.ProjectInterests p -> {
                        dirty.projects.add(p.projectId());
                        dirty.interestsChanged.add(p.projectId());
                    }
                    case StatsStore.UserProfile u -> {
                        if (u.exists()) {
                            dirty.profiles.add(u.userId());
                            stats.markUserWriting(u.userId());
                            dirty.userShards.add((int) Math.floorMod(u.userId(), (long) StatsStore.USER_SHARDS));
                        }
                    }
                    case StatsStore.Organisation o -> dirty.system = true;
                    case StatsStore.Other o -> { }
                }
            } catch (RuntimeException e) {
                return c.sequence();
            }
        }
        // tasks are independent of each other: their merges run side by side
        Map<String, java.util.concurrent.Future<StatsStore.Merged>> running = new LinkedHashMap<>();
        for (var e : tasks.entrySet()) {
            running.put(e.getKey(), POOL.submit(() -> {
                StatsStore.Merged merged = stats.mergeTaskFactsWriting(e.getValue().facts());
                stats.putUserTaskFactsWriting(merged);
                return merged;
            }));
        }
        String failed = null;
        for (var e : running.entrySet()) {
            try {
                StatsStore.Merged merged = e.getValue().get();
                dirty.projects.add(merged.facts().p);
                merged.facts().rows.values().forEach(r -> dirty.users.add(r.u));
            } catch (java.util.concurrent.ExecutionException | InterruptedException ex) {
                if (ex instanceof InterruptedException) Thread.currentThread().interrupt();
                if (ex.getCause() instanceof Error err) throw err;
                String seq = firstRecord.get(e.getKey());
                if (failed == null || order.get(seq) < order.get(failed)) failed = seq;
            }
        }
        return failed;
    }

    /** At most this many DynamoDB calls of one invocation in flight at once. */
    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(8,
            Thread.ofPlatform().daemon().name("stats-", 0).factory());

    /** Recomputes every summary the batch made stale: projects, users, the user count, then system and organisations. */
    public void recomputeWriting(Dirty dirty) {
        List<java.util.concurrent.Future<Set<Long>>> projectWork = new java.util.ArrayList<>();
        List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
        for (long p : dirty.projects) {
            boolean interests = dirty.interestsChanged.contains(p);
            projectWork.add(POOL.submit(() -> stats.recomputeProjectWriting(p, projects, chat, interests)));
        }
        for (long u : dirty.users) work.add(POOL.submit(() -> stats.recomputeUserWriting(u)));
        if (!dirty.projects.isEmpty()) dirty.system = true;
        awaitAll(work);
        // a project whose countries or interests changed: its contributors again, now that its roll-up carries them
        Set<Long> again = new TreeSet<>();
        awaitAll(projectWork).forEach(again::addAll);
        awaitAll(again.stream().map(u -> POOL.submit(() -> stats.recomputeUserWriting(u))).toList());
        refreshUsersWriting(dirty.profiles);
        for (int shard : dirty.userShards) {
            stats.recountUsersWriting(shard);
            dirty.system = true;
        }
        if (dirty.system) recomputeSystemWriting();
    }

    /** Waits for every task, answering their results; the first failure is rethrown (an Error as it is). */
    static <T> List<T> awaitAll(List<? extends java.util.concurrent.Future<? extends T>> work) {
        List<T> out = new java.util.ArrayList<>();
        for (var f : work) {
            try {
                out.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Error err) throw err;
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Refreshes the users' registration entries and summary names, then recounts the registration days touched. */
    public void refreshUsersWriting(java.util.Collection<Long> userIds) {
        Set<String> days = new TreeSet<>();
        for (String day : awaitAll(userIds.stream().map(u -> POOL.submit(() -> stats.refreshUserWriting(u))).toList())) {
            if (day != null) days.add(day);
        }
        awaitAll(days.stream().map(d -> POOL.submit(() -> stats.recountRegistrationDayWriting(d))).toList());
    }

    public void recomputeSystemWriting() {
        stats.recomputeSystemWriting(orgNames(orgs.all()));
    }

    /** Recomputes the project; answers the users to recompute after it (see {@link StatsStore#recomputeProjectWriting}). */
    public Set<Long> recomputeProjectWriting(long projectId) {
        return stats.recomputeProjectWriting(projectId, projects, chat);
    }

    public void recomputeUserWriting(long userId) {
        stats.recomputeUserWriting(userId);
    }

    private static Map<Long, String> orgNames(Collection<Organisation> all) {
        return all.stream().collect(Collectors.toMap(Organisation::id, Organisation::name, (a, b) -> a));
    }
}
