package dev.tmserverless.core.domain;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mapper-level promotion rules (docs/people.md "Levels and badges"), decided from data alone:
 * <ol>
 *   <li>every enabled badge the user does not hold whose requirements are all met by their statistics is earned
 *       (a requirement names a statistic and its threshold; a statistic the user has no value for counts 0);</li>
 *   <li>then the next level up (the lowest ordering above the user's) is reached when it requires at least one
 *       badge and the user holds all of them: with no approvals required the user moves up at once, otherwise
 *       they are nominated and administrators vote ({@link #votesCarry}).</li>
 * </ol>
 * One level at a time, as in the reference. A level that requires no badge is reached only by an administrator.
 */
public final class Promotion {
    private Promotion() {}

    /** A badge as the rules see it. */
    public record Badge(long id, Map<String, Long> requirements, boolean enabled) {}

    /** A level as the rules see it. */
    public record Level(int id, int ordering, int approvalsRequired, Set<Long> requiredBadges) {}

    public enum Kind { NONE, PROMOTE, NOMINATE }

    /** What to write: the badges earned now, and what happens to the level. */
    public record Decision(Set<Long> newBadges, Kind kind, Level level) {
        public static final Decision NOTHING = new Decision(Set.of(), Kind.NONE, null);
    }

    public static Decision decide(int currentOrdering, Set<Long> held, Map<String, Long> stats, List<Badge> badges,
                                  List<Level> ladder, Integer nominatedLevel) {
        Set<Long> earned = new TreeSet<>();
        for (Badge b : badges) {
            if (!b.enabled() || held.contains(b.id()) || b.requirements().isEmpty()) continue;
            if (b.requirements().entrySet().stream().allMatch(r -> stats.getOrDefault(r.getKey(), 0L) >= r.getValue())) {
                earned.add(b.id());
            }
        }
        Set<Long> all = new TreeSet<>(held);
        all.addAll(earned);
        Optional<Level> next = ladder.stream().filter(l -> l.ordering() > currentOrdering)
                .min(java.util.Comparator.comparingInt(Level::ordering));
        if (next.isEmpty() || next.get().requiredBadges().isEmpty() || !all.containsAll(next.get().requiredBadges())) {
            return new Decision(earned, Kind.NONE, null);
        }
        Level l = next.get();
        if (l.approvalsRequired() <= 0) return new Decision(earned, Kind.PROMOTE, l);
        if (nominatedLevel != null && nominatedLevel == l.id()) return new Decision(earned, Kind.NONE, null);
        return new Decision(earned, Kind.NOMINATE, l);
    }

    /** Whether the votes cast for a nomination reach the level's required approvals. */
    public static boolean votesCarry(int votes, Level level) {
        return votes >= Math.max(1, level.approvalsRequired());
    }
}
