package dev.tmserverless.core.stats;

import dev.tmserverless.core.domain.TaskAction;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A user's statistics, computed from the user's rows in every task they touched (docs/statistics.md). */
public final class UserFigures {
    public long u;
    public int tasksMapped;
    public int tasksValidated;
    public int tasksInvalidated;
    public int tasksValidatedByOthers;
    public int tasksInvalidatedByOthers;
    public int projectsMapped;
    public long timeSpentMapping;
    public long timeSpentValidating;
    /** Day (yyyy-mm-dd) ⇒ MAPPED, VALIDATED and INVALIDATED state changes that day. */
    public Map<String, Integer> byDay = new TreeMap<>();
    /** Project ⇒ [MAPPED + BADIMAGERY rows, VALIDATED rows]. */
    public Map<Long, int[]> byProject = new TreeMap<>();
    /** Every project the user has a history row in (comments aside), for the contribution rate per interest. */
    public java.util.SortedSet<Long> projects = new java.util.TreeSet<>();
    /** Interests of those projects, most projects first, as of the last recomputation. */
    public java.util.List<Interest> interests = new java.util.ArrayList<>();
    /**
     * Per country of the projects in {@link #byProject}: the user's MAPPED + BADIMAGERY and VALIDATED rows there, most
     * first, as of the last recomputation.
     */
    public java.util.List<Country> countries = new java.util.ArrayList<>();

    /** A country and the user's state-change rows in its projects (the reference's {@code countriesContributed}). */
    public static final class Country {
        public String name;
        public int mapped;
        public int validated;

        public Country() {}

        public Country(String name, int mapped, int validated) {
            this.name = name;
            this.mapped = mapped;
            this.validated = validated;
        }

        public int total() { return mapped + validated; }
    }

    /**
     * Fills {@link #countries} from each project's countries: a project in two countries counts for both, as the
     * reference's; most rows first, then by name.
     */
    public void countCountries(Map<Long, java.util.List<String>> projectCountries) {
        Map<String, int[]> sums = new TreeMap<>();
        byProject.forEach((p, n) -> {
            for (String c : projectCountries.getOrDefault(p, java.util.List.of())) {
                int[] s = sums.computeIfAbsent(c, k -> new int[2]);
                s[0] += n[0];
                s[1] += n[1];
            }
        });
        countries = new java.util.ArrayList<>();
        sums.forEach((c, n) -> countries.add(new Country(c, n[0], n[1])));
        countries.sort(java.util.Comparator.comparingInt((Country c) -> -c.total()).thenComparing(c -> c.name));
    }

    /** An interest and how many of the user's projects carry it. */
    public static final class Interest {
        public long id;
        public String name;
        public int projects;

        public Interest() {}

        public Interest(long id, String name, int projects) {
            this.id = id;
            this.name = name;
            this.projects = projects;
        }
    }

    /**
     * Fills {@link #interests} from each project's interest ids and the interests' names (a deleted interest, with
     * no name, is left out); most projects first, then by id.
     */
    public void countInterests(Map<Long, java.util.List<Long>> projectInterests, Map<Long, String> names) {
        Map<Long, Integer> counts = new TreeMap<>();
        for (long p : projects) {
            for (long i : projectInterests.getOrDefault(p, java.util.List.of())) {
                if (names.containsKey(i)) counts.merge(i, 1, Integer::sum);
            }
        }
        interests = new java.util.ArrayList<>();
        counts.forEach((id, n) -> interests.add(new Interest(id, names.get(id), n)));
        interests.sort(java.util.Comparator.comparingInt((Interest i) -> -i.projects).thenComparingLong(i -> i.id));
    }

    public static UserFigures compute(long userId, Collection<UserTaskFacts> tasks) {
        UserFigures out = new UserFigures();
        out.u = userId;
        Set<Long> projectsMapped = new HashSet<>();
        Map<Long, Long> validationPerMinute = new HashMap<>();
        for (UserTaskFacts f : tasks) {
            if (f.gone) continue;
            if (!f.rows.isEmpty()) out.projects.add(f.p);
            boolean mapped = false;
            boolean validated = false;
            boolean invalidated = false;
            for (TaskFacts.Row r : f.rows.values()) {
                TaskAction a = r.action();
                if (a == TaskAction.LOCKED_FOR_MAPPING || a == TaskAction.AUTO_UNLOCKED_FOR_MAPPING) {
                    out.timeSpentMapping += ProjectFigures.seconds(r.t);
                } else if (a == TaskAction.LOCKED_FOR_VALIDATION) {
                    // one validation session can lock several tasks: each minute counts its longest lock once
                    validationPerMinute.merge(r.d / 60_000, ProjectFigures.seconds(r.t), Math::max);
                } else if (a == TaskAction.STATE_CHANGE) {
                    switch (String.valueOf(r.t)) {
                        case "MAPPED" -> { mapped = true; projectsMapped.add(f.p); }
                        case "VALIDATED" -> validated = true;
                        case "INVALIDATED" -> invalidated = true;
                        default -> { }
                    }
                    if ("MAPPED".equals(r.t) || "VALIDATED".equals(r.t) || "INVALIDATED".equals(r.t)) {
                        out.byDay.merge(ProjectFigures.day(r.d), 1, Integer::sum);
                    }
                    if ("MAPPED".equals(r.t) || "BADIMAGERY".equals(r.t)) out.byProject.computeIfAbsent(f.p, p -> new int[2])[0]++;
                    if ("VALIDATED".equals(r.t)) out.byProject.computeIfAbsent(f.p, p -> new int[2])[1]++;
                }
            }
            if (mapped) out.tasksMapped++;
            if (validated) out.tasksValidated++;
            if (invalidated) out.tasksInvalidated++;
            if (mapped || validated || invalidated) {
                if (f.ov) out.tasksValidatedByOthers++;
                if (f.oi) out.tasksInvalidatedByOthers++;
            }
        }
        out.projectsMapped = projectsMapped.size();
        out.timeSpentValidating = validationPerMinute.values().stream().mapToLong(Long::longValue).sum();
        return out;
    }
}
