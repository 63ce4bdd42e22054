package dev.tmserverless.core.stats;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The home page's figures and every organisation's, added up from the projects' roll-ups (docs/statistics.md). */
public final class SystemFigures {
    public long totalProjects;
    public long totalMappers;
    public long tasksMapped;
    public long tasksValidated;
    public long totalValidators;
    public double totalArea;
    public double totalMappedArea;
    public double totalValidatedArea;
    /**
     * Organisation name ⇒ projects created, for the organisations with projects; under "Unassociated", as the
     * reference, the number of organisations with none (left out when there is none).
     */
    public Map<String, Long> organisations = new TreeMap<>();
    /** Every organisation, with projects or not. */
    public long totalOrganisations;
    /** Each organisation's figures (written to the organisation's own summary; not kept in the system summary). */
    public Map<Long, OrgFigures> orgs = new TreeMap<>();
    /** In the stored system summary: a digest of each organisation's figures, to write only those that changed. */
    public Map<Long, String> orgDigests = new TreeMap<>();
    /** Holder ⇒ latest expiry (epoch ms) of the locks held now in any project: who is online. */
    public Map<Long, Long> locks = new TreeMap<>();
    /**
     * The most popular projects, most first: by locks for mapping or validation that ended in the last
     * {@link #POPULAR_WINDOW}, ties newest project first; twice {@link #POPULAR_SIZE}, so that the list still has
     * that many once private or deleted projects are left out (docs/projects.md "Popular projects").
     */
    public List<Long> popular = new ArrayList<>();

    /** How far back popularity counts locks, as the reference (90 days). */
    public static final java.time.Duration POPULAR_WINDOW = java.time.Duration.ofDays(90);
    /** How many popular projects are kept, as the reference's list (10). */
    public static final int POPULAR_SIZE = 10;

    /** What a project's roll-up contributes. */
    public record ProjectView(long p, long org, String status, String created, String lastUpdated, double aoiArea,
                              long totalTasks, long tasksMapped, long tasksValidated, long tasksBadImagery,
                              Map<String, Integer> statuses, List<Long> validators, double mappedArea,
                              double validatedArea, Map<String, Integer> lockDays,
                              Map<Long, Long> locks) {
        public ProjectView {
            lockDays = lockDays == null ? Map.of() : lockDays;
            locks = locks == null ? Map.of() : locks;
        }
    }

    /** An organisation's projects, as its statistics read them. */
    public static final class OrgFigures {
        public List<OrgProject> projects = new ArrayList<>();
    }

    /** A project of an organisation: status, creation and last update instants, task counts by status. */
    public static final class OrgProject {
        public long p;
        public String status;
        public String created;
        public String lastUpdated;
        public Map<String, Integer> statuses = new TreeMap<>();
    }

    public static SystemFigures compute(List<ProjectView> projects, long users, Map<Long, String> orgNames, Instant now) {
        SystemFigures s = new SystemFigures();
        String since = ProjectFigures.day(now.minus(POPULAR_WINDOW).toEpochMilli());
        List<long[]> locks = new ArrayList<>();
        s.totalMappers = users;
        Set<Long> validators = new HashSet<>();
        for (ProjectView p : projects) {
            s.totalProjects++;
            s.tasksMapped += p.tasksMapped() + p.tasksValidated();
            s.tasksValidated += p.tasksValidated();
            validators.addAll(p.validators());
            s.totalArea += p.aoiArea();
            s.totalMappedArea += p.mappedArea();
            s.totalValidatedArea += p.validatedArea();
            p.locks().forEach((u, exp) -> s.locks.merge(u, exp, Math::max));
            long n = 0;
            for (Map.Entry<String, Integer> d : p.lockDays().entrySet()) if (d.getKey().compareTo(since) >= 0) n += d.getValue();
            if (n > 0) locks.add(new long[]{p.p(), n});
            String name = orgNames.get(p.org());
            if (name != null) s.organisations.merge(name, 1L, Long::sum);
            if (p.org() >= 0) {
                OrgProject op = new OrgProject();
                op.p = p.p();
                op.status = p.status();
                op.created = p.created();
                op.lastUpdated = p.lastUpdated();
                op.statuses = p.statuses();
                s.orgs.computeIfAbsent(p.org(), k -> new OrgFigures()).projects.add(op);
            }
        }
        s.totalOrganisations = orgNames.size();
        long withNone = orgNames.keySet().stream().filter(id -> !s.orgs.containsKey(id)).count();
        if (withNone > 0) s.organisations.put("Unassociated", withNone);
        s.totalValidators = validators.size();
        locks.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(b[0], a[0]));
        for (int i = 0; i < Math.min(2 * POPULAR_SIZE, locks.size()); i++) s.popular.add(locks.get(i)[0]);
        return s;
    }

    /** Distinct users holding a lock that has not expired at {@code nowMs}. */
    public long mappersOnline(long nowMs) {
        return locks.values().stream().filter(exp -> exp > nowMs).count();
    }

    /** The organisation's figures as the reference answers them, for projects created from {@code year} on (or all). */
    public static Map<String, Object> organisation(OrgFigures o, Integer year, Instant now) {
        long draft = 0, published = 0, archived = 0, recent = 0, stale = 0;
        int thisYear = now.atZone(ZoneOffset.UTC).getYear();
        Map<String, Long> tasks = new TreeMap<>();
        for (OrgProject p : o.projects) {
            Instant created = parse(p.created);
            if (year != null && (created == null || created.atZone(ZoneOffset.UTC).getYear() < year)) continue;
            switch (p.status) {
                case "DRAFT" -> draft++;
                case "PUBLISHED" -> published++;
                case "ARCHIVED" -> archived++;
                default -> { }
            }
            if (("PUBLISHED".equals(p.status) || "ARCHIVED".equals(p.status)) && created != null
                    && created.atZone(ZoneOffset.UTC).getYear() == thisYear) recent++;
            Instant updated = parse(p.lastUpdated);
            if ("PUBLISHED".equals(p.status) && updated != null
                    && updated.isBefore(now.atZone(ZoneOffset.UTC).minusMonths(6).toInstant())) stale++;
            if ("PUBLISHED".equals(p.status)) p.statuses.forEach((st, n) -> tasks.merge(st, (long) n, Long::sum));
        }
        Map<String, Object> projects = new java.util.LinkedHashMap<>();
        projects.put("draft", draft);
        projects.put("published", published);
        projects.put("archived", archived);
        projects.put("recent", recent);
        projects.put("stale", stale);
        Map<String, Object> active = new java.util.LinkedHashMap<>();
        active.put("ready", tasks.getOrDefault("READY", 0L));
        active.put("lockedForMapping", tasks.getOrDefault("LOCKED_FOR_MAPPING", 0L));
        active.put("lockedForValidation", tasks.getOrDefault("LOCKED_FOR_VALIDATION", 0L));
        active.put("mapped", tasks.getOrDefault("MAPPED", 0L));
        active.put("validated", tasks.getOrDefault("VALIDATED", 0L));
        active.put("invalidated", tasks.getOrDefault("INVALIDATED", 0L));
        active.put("badImagery", tasks.getOrDefault("BADIMAGERY", 0L));
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("projects", projects);
        out.put("activeTasks", active);
        return out;
    }

    private static Instant parse(String s) {
        try {
            return s == null || "null".equals(s) ? null : Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
