package dev.tmserverless.core.stats;

import dev.tmserverless.core.domain.Durations;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.geo.TileMath;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A project's statistics, computed from the facts of all its tasks (docs/statistics.md lists each figure and the
 * reference formula it follows). Stored whole in the project's summary item; every project statistics read is
 * answered from it.
 */
public final class ProjectFigures {
    public long p;
    /** The organisation the project was in when computed (-1: none or deleted). */
    public long org = -1;
    /** Project chat messages. */
    public long comments;
    /** Copied from the project's item when computed: its counters, AOI area and centroid (null: no such project). */
    public long[] counters;
    public double areaKm2;
    public double[] centroid;
    /** The project's countries ({@code countryTag}) when computed: a change recomputes its contributors' summaries. */
    public List<String> countries = new ArrayList<>();
    /** Σ seconds and number of LOCKED_FOR_MAPPING + AUTO_UNLOCKED_FOR_MAPPING rows (an open row counts, as 0 s). */
    public long mapSecs;
    public long mapRows;
    public long valSecs;
    public long valRows;
    /** Users with a MAPPED state change in the project. */
    public List<Long> mappers = new ArrayList<>();
    /** Users with any row but a comment. */
    public int contributors;
    /** Holder ⇒ latest lock expiry (epoch ms) of the tasks locked now. */
    public Map<Long, Long> locks = new TreeMap<>();
    /** validatedBy of the tasks VALIDATED now. */
    public List<Long> validators = new ArrayList<>();
    /** Tasks per status name, split tasks not counted. */
    public Map<String, Integer> statuses = new TreeMap<>();
    public double mappedArea;
    public double validatedArea;
    /** User ⇒ [seconds mapping, seconds validating]. */
    public Map<Long, long[]> userTimes = new TreeMap<>();
    /** The contributions timeline, day by day. */
    public List<Day> timeline = new ArrayList<>();
    /** Day (yyyy-mm-dd) ⇒ [MAPPED, VALIDATED, BADIMAGERY] state-change rows. */
    public Map<String, int[]> taskDays = new TreeMap<>();
    /** Day ⇒ locks for mapping or validation that ended with a duration that day (what popularity counts). */
    public Map<String, Integer> lockDays = new TreeMap<>();

    /** One day of the contributions timeline (reference field names). */
    public static final class Day {
        public String date;
        public int mapped;
        public int validated;
        public int cumulative_mapped;
        public int cumulative_validated;
    }

    public static long seconds(String text) {
        if (text == null || text.isBlank()) return 0;
        try {
            return Durations.parse(text).getSeconds();
        } catch (RuntimeException notADuration) {
            return 0;
        }
    }

    public static String day(long epochMs) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC).toString();
    }

    /** Area in km² of a square task (its Web-Mercator tile, measured on the sphere); 0 for other shapes. */
    static double tileAreaKm2(TaskFacts f) {
        if (!f.sq) return 0;
        double west = Math.toRadians(TileMath.edgeLon(f.x, f.z));
        double east = Math.toRadians(TileMath.edgeLon(f.x + 1L, f.z));
        double south = Math.toRadians(TileMath.edgeLat(f.y, f.z));
        double north = Math.toRadians(TileMath.edgeLat(f.y + 1L, f.z));
        double r = TileMath.R / 1000.0;
        return Math.abs(r * r * (east - west) * (Math.sin(north) - Math.sin(south)));
    }

    public static ProjectFigures compute(long projectId, Collection<TaskFacts> tasks) {
        ProjectFigures out = new ProjectFigures();
        out.p = projectId;
        Set<Long> mappers = new TreeSet<>();
        Set<Long> contributors = new HashSet<>();
        Set<Long> validators = new TreeSet<>();
        // distinct (day, text, task) state changes for the timeline
        TreeMap<String, TreeSet<String>> perDay = new TreeMap<>();
        for (TaskFacts f : tasks) {
            if (f.gone) continue;
            TaskStatus st = TaskStatus.ofCode(f.status);
            out.statuses.merge(st.name(), 1, Integer::sum);
            if ((st == TaskStatus.LOCKED_FOR_MAPPING || st == TaskStatus.LOCKED_FOR_VALIDATION) && f.lockedBy != null) {
                out.locks.merge(f.lockedBy, f.lockExp == null ? Long.MAX_VALUE : f.lockExp, Math::max);
            }
            if (st == TaskStatus.VALIDATED && f.validatedBy != null) validators.add(f.validatedBy);
            if (st == TaskStatus.MAPPED) out.mappedArea += tileAreaKm2(f);
            if (st == TaskStatus.VALIDATED) out.validatedArea += tileAreaKm2(f);
            for (TaskFacts.Row r : f.rows.values()) {
                TaskAction a = r.action();
                contributors.add(r.u);
                if ((a == TaskAction.LOCKED_FOR_MAPPING || a == TaskAction.LOCKED_FOR_VALIDATION) && r.t != null && !r.t.isEmpty()) {
                    out.lockDays.merge(day(r.d), 1, Integer::sum);
                }
                switch (a) {
                    case LOCKED_FOR_MAPPING, AUTO_UNLOCKED_FOR_MAPPING -> {
                        long s = seconds(r.t);
                        out.mapSecs += s;
                        out.mapRows++;
                        out.userTimes.computeIfAbsent(r.u, u -> new long[2])[0] += s;
                    }
                    case LOCKED_FOR_VALIDATION, AUTO_UNLOCKED_FOR_VALIDATION -> {
                        long s = seconds(r.t);
                        out.valSecs += s;
                        out.valRows++;
                        out.userTimes.computeIfAbsent(r.u, u -> new long[2])[1] += s;
                    }
                    case STATE_CHANGE -> {
                        String d = day(r.d);
                        if ("MAPPED".equals(r.t)) mappers.add(r.u);
                        int[] counts = null;
                        if ("MAPPED".equals(r.t) || "VALIDATED".equals(r.t) || "BADIMAGERY".equals(r.t)) {
                            counts = out.taskDays.computeIfAbsent(d, k -> new int[3]);
                        }
                        if (counts != null) counts["MAPPED".equals(r.t) ? 0 : "VALIDATED".equals(r.t) ? 1 : 2]++;
                        if ("MAPPED".equals(r.t) || "VALIDATED".equals(r.t) || "INVALIDATED".equals(r.t)) {
                            // sorted descending by (status text, task id) within the day, as the reference walks them
                            perDay.computeIfAbsent(d, k -> new TreeSet<>()).add(r.t + "\u0000" + String.format("%010d", f.t));
                        }
                    }
                    default -> { }
                }
            }
        }
        out.mappers = new ArrayList<>(mappers);
        out.contributors = contributors.size();
        out.validators = new ArrayList<>(validators);
        out.timeline = timeline(perDay);
        return out;
    }

    private static List<Day> timeline(TreeMap<String, TreeSet<String>> perDay) {
        Set<String> mapped = new HashSet<>();
        Set<String> validated = new HashSet<>();
        Set<String> invalidated = new HashSet<>();
        List<Day> out = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> e : perDay.entrySet()) {
            Day day = new Day();
            day.date = e.getKey();
            for (String v : e.getValue().descendingSet()) {
                String status = v.substring(0, v.indexOf('\u0000'));
                String task = v.substring(v.indexOf('\u0000') + 1);
                switch (status) {
                    case "MAPPED" -> {
                        if (mapped.add(task)) day.mapped++;
                    }
                    case "VALIDATED" -> {
                        if (validated.add(task)) {
                            day.validated++;
                            invalidated.remove(task);
                            if (mapped.add(task)) day.mapped++;
                        }
                    }
                    default -> {
                        if (invalidated.add(task)) {
                            if (mapped.remove(task) && day.mapped > 0) day.mapped--;
                            if (validated.remove(task) && day.validated > 0) day.validated--;
                        }
                    }
                }
                day.cumulative_mapped = mapped.size();
                day.cumulative_validated = validated.size();
            }
            out.add(day);
        }
        return out;
    }

    /** Distinct users holding a lock that has not expired at {@code nowMs}. */
    public int activeMappers(long nowMs) {
        return (int) locks.values().stream().filter(exp -> exp > nowMs).count();
    }

    /** Per-user row facts of one task, for that user's statistics. */
    public static Map<Long, UserTaskFacts> byUser(TaskFacts f) {
        Map<Long, UserTaskFacts> out = new HashMap<>();
        Set<Long> validatedBy = new HashSet<>();
        Set<Long> invalidatedBy = new HashSet<>();
        for (TaskFacts.Row r : f.rows.values()) {
            if (r.action() == TaskAction.STATE_CHANGE && "VALIDATED".equals(r.t)) validatedBy.add(r.u);
            if (r.action() == TaskAction.STATE_CHANGE && "INVALIDATED".equals(r.t)) invalidatedBy.add(r.u);
        }
        for (Map.Entry<Integer, TaskFacts.Row> e : f.rows.entrySet()) {
            TaskFacts.Row r = e.getValue();
            UserTaskFacts u = out.computeIfAbsent(r.u, id -> {
                UserTaskFacts x = new UserTaskFacts();
                x.p = f.p;
                x.t = f.t;
                x.gone = f.gone;
                x.ov = validatedBy.stream().anyMatch(v -> !v.equals(id));
                x.oi = invalidatedBy.stream().anyMatch(v -> !v.equals(id));
                return x;
            });
            u.rows.put(e.getKey(), r);
        }
        return out;
    }
}
