package dev.tmserverless.aws.store;

import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.stats.ProjectFigures;
import dev.tmserverless.core.stats.SystemFigures;
import dev.tmserverless.core.stats.UserFigures;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The statistics routes' answers in the reference's shapes and formulas (docs/statistics.md), each from a few key
 * lookups of summary items: no Query over tasks, no Scan. Served by the function that owns each route's mount
 * (docs/routing.md "Statistics").
 */
@Singleton
public class StatsReads {
    private final StatsStore stats;
    private final ProjectStore projects;
    private final UserStore users;
    private final CampaignStore campaigns;
    private final InterestStore interests;
    Clock clock = Clock.systemUTC();

    public StatsReads(StatsStore stats, ProjectStore projects, UserStore users, CampaignStore campaigns,
                      InterestStore interests) {
        this.interests = interests;
        this.stats = stats;
        this.projects = projects;
        this.users = users;
        this.campaigns = campaigns;
    }

    private static int percent(long part, long whole) {
        return whole <= 0 ? 0 : (int) (part * 100 / whole);
    }

    /**
     * {@code GET /projects/{id}/statistics/}: one GetItem of the project's summary, which carries the project's
     * counters, area and centroid as of its last change; the project item only when no summary exists yet.
     */
    public Map<String, Object> project(long projectId) {
        ProjectFigures f = stats.project(projectId).filter(x -> x.counters != null).orElseGet(() -> {
            ProjectStore.Stored s = projects.get(projectId).orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND));
            ProjectFigures fresh = new ProjectFigures();
            ProjectCounters c = s.counters();
            fresh.counters = new long[]{c.totalTasks(), c.tasksMapped(), c.tasksValidated(), c.tasksBadImagery()};
            fresh.areaKm2 = s.project().areaKm2();
            fresh.centroid = s.project().aoiCentroid();
            return fresh;
        });
        long total = f.counters[0], mapped = f.counters[1], validated = f.counters[2], bad = f.counters[3];
        long avgMap = f.mapRows == 0 ? 0 : f.mapSecs / f.mapRows;
        long avgVal = f.valRows == 0 ? 0 : f.valSecs / f.valRows;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("projectId", projectId);
        m.put("projectArea(in sq.km)", f.areaKm2);
        m.put("totalMappers", f.mappers.size());
        m.put("totalTasks", total);
        m.put("totalComments", f.comments);
        m.put("totalMappingTime", f.mapSecs);
        m.put("totalValidationTime", f.valSecs);
        m.put("totalTimeSpent", f.mapSecs + f.valSecs);
        m.put("averageMappingTime", avgMap);
        m.put("averageValidationTime", avgVal);
        m.put("percentMapped", percent(mapped + validated, total - bad));
        m.put("percentValidated", percent(validated, total - bad));
        m.put("percentBadImagery", percent(bad, total));
        m.put("aoiCentroid", f.centroid == null ? null
                : Map.of("type", "Point", "coordinates", List.of(f.centroid[0], f.centroid[1])));
        m.put("timeToFinishMapping", (total - (mapped + bad + validated)) * avgMap);
        m.put("timeToFinishValidating", (total - (validated + bad)) * avgVal);
        return m;
    }

    /** {@code GET /projects/{id}/statistics/queries/{username}/}: the user's lock time in the project. */
    public Map<String, Object> projectUser(long projectId, String username) {
        if (projects.get(projectId).isEmpty()) throw new ApiException(ErrorCode.PROJECT_NOT_FOUND);
        User u = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND));
        long[] t = stats.project(projectId).map(f -> f.userTimes.get(u.id())).orElse(null);
        long mapping = t == null ? 0 : t[0];
        long validating = t == null ? 0 : t[1];
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timeSpentMapping", mapping);
        m.put("timeSpentValidating", validating);
        m.put("totalTimeSpent", mapping + validating);
        return m;
    }

    /** {@code GET /projects/{id}/contributions/queries/day/}: the timeline with the project's task total. */
    public Map<String, Object> projectDays(long projectId) {
        ProjectStore.Stored s = projects.get(projectId).orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND));
        List<Map<String, Object>> days = new ArrayList<>();
        for (ProjectFigures.Day d : stats.project(projectId).map(f -> f.timeline).orElse(List.of())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", d.date);
            m.put("mapped", d.mapped);
            m.put("validated", d.validated);
            m.put("cumulative_mapped", d.cumulative_mapped);
            m.put("cumulative_validated", d.cumulative_validated);
            m.put("total_tasks", s.counters().totalTasks());
            days.add(m);
        }
        return Map.of("stats", days);
    }

    /** Active mappers of a project now (distinct holders of unexpired locks), for summaries and search. */
    public int activeMappers(long projectId) {
        return stats.project(projectId).map(f -> f.activeMappers(clock.millis())).orElse(0);
    }

    /** Distinct users with any row but a comment in the project, for summaries and search. */
    public int totalContributors(long projectId) {
        return stats.project(projectId).map(f -> f.contributors).orElse(0);
    }

    /**
     * {@code GET /users/{username}/statistics/}: one Query of the username's gsi1 partition finds the account and
     * its summary together; a summary not yet filed under the name is read by id.
     */
    public Map<String, Object> user(String username) {
        StatsStore.ByName found = stats.userByName(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND));
        UserFigures f = (found.summaryFound() ? found.figures() : stats.user(found.user().id())).orElseGet(UserFigures::new);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("totalTimeSpent", f.timeSpentMapping + f.timeSpentValidating);
        m.put("timeSpentMapping", f.timeSpentMapping);
        m.put("timeSpentValidating", f.timeSpentValidating);
        m.put("projectsMapped", f.projectsMapped);
        List<Map<String, Object>> countries = new ArrayList<>();
        for (UserFigures.Country c : f.countries) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", c.name);
            row.put("mapped", c.mapped);
            row.put("validated", c.validated);
            row.put("total", c.total());
            countries.add(row);
        }
        m.put("countriesContributed", Map.of("countries", countries, "total", countries.size()));
        LocalDate since = LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusYears(1);
        List<Map<String, Object>> byDay = new ArrayList<>();
        new TreeMap<>(f.byDay).descendingMap().forEach((day, n) -> {
            if (!LocalDate.parse(day).isBefore(since)) byDay.add(Map.of("date", day, "count", n));
        });
        m.put("contributionsByDay", byDay);
        m.put("tasksMapped", f.tasksMapped);
        m.put("tasksValidated", f.tasksValidated);
        m.put("tasksInvalidated", f.tasksInvalidated);
        m.put("tasksInvalidatedByOthers", f.tasksInvalidatedByOthers);
        m.put("tasksValidatedByOthers", f.tasksValidatedByOthers);
        List<Map<String, Object>> byInterest = new ArrayList<>();
        for (UserFigures.Interest i : f.interests) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", i.id);
            row.put("name", i.name);
            row.put("userSelected", null);
            row.put("countProjects", i.projects);
            row.put("countUsers", null);
            byInterest.add(row);
        }
        m.put("ContributionsByInterest", byInterest);
        return m;
    }

    /**
     * {@code GET /system/statistics/}: abbreviated (default) or full. One GetItem of the home page's figures, which
     * carry who holds a lock and until when; before the aggregator first wrote them, the system summary and a
     * count of the lock slots.
     */
    public Map<String, Object> system(boolean abbreviated) {
        Optional<SystemFigures> home = stats.home();
        SystemFigures f = home.or(stats::system).orElseGet(SystemFigures::new);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mappersOnline", home.isPresent() ? f.mappersOnline(clock.millis()) : stats.mappersOnline(clock.millis()));
        m.put("tasksMapped", f.tasksMapped);
        m.put("totalMappers", f.totalMappers);
        m.put("totalProjects", f.totalProjects);
        m.put("averageCompletionTime", null);
        if (abbreviated) return m;
        m.put("totalArea", Math.round(f.totalArea));
        m.put("tasksValidated", f.tasksValidated);
        m.put("totalValidators", f.totalValidators);
        m.put("totalMappedArea", f.totalMappedArea);
        m.put("totalValidatedArea", f.totalValidatedArea);
        // campaigns are few: their project links are read here, one Query each
        List<Map<String, Object>> byCampaign = new ArrayList<>();
        java.util.Set<Long> inSome = new java.util.HashSet<>();
        List<CampaignStore.Campaign> all = campaigns.all();
        for (CampaignStore.Campaign c : all) {
            List<Long> ps = campaigns.projectsOf(c.id());
            inSome.addAll(ps);
            if (!ps.isEmpty()) byCampaign.add(Map.of("campaign", c.name(), "projectsCreated", ps.size()));
        }
        // as the reference: the projects in no campaign, when there are any
        long inNone = f.totalProjects - inSome.size();
        if (inNone > 0) byCampaign.add(Map.of("campaign", "Unassociated", "projectsCreated", inNone));
        m.put("campaigns", byCampaign);
        m.put("totalCampaigns", all.size());
        List<Map<String, Object>> orgs = new ArrayList<>();
        f.organisations.forEach((name, n) -> orgs.add(Map.of("organisation", name, "projectsCreated", n)));
        m.put("organisations", orgs);
        m.put("totalOrganisations", f.totalOrganisations);
        return m;
    }

    /** {@code GET /organisations/{id}/statistics/} (optionally for projects created from {@code year} on). */
    public Map<String, Object> organisation(long orgId, Integer year) {
        return SystemFigures.organisation(stats.organisation(orgId).orElseGet(SystemFigures.OrgFigures::new), year,
                clock.instant());
    }

    /**
     * The {@code stats} block of each organisation of a list ({@code omitOrgStats=false}): this year's figures, as
     * the reference gives them, from one BatchGetItem of the organisations' summaries.
     */
    public Map<Long, Map<String, Object>> organisationsThisYear(java.util.Collection<Long> orgIds) {
        var figures = stats.organisations(orgIds);
        int year = clock.instant().atZone(ZoneOffset.UTC).getYear();
        Map<Long, Map<String, Object>> out = new LinkedHashMap<>();
        for (long id : orgIds) {
            out.put(id, SystemFigures.organisation(figures.getOrDefault(id, new SystemFigures.OrgFigures()), year,
                    clock.instant()));
        }
        return out;
    }

    /**
     * {@code GET /tasks/statistics/}: per day of [start, end], the MAPPED, VALIDATED and BADIMAGERY state changes
     * of the projects the filters keep ({@code country}: a project with a country whose name contains it, any case,
     * as the reference's ILIKE); days with none are left out.
     */
    public Map<String, Object> tasks(LocalDate start, LocalDate end, Long organisationId, Set<Long> projectIds,
                                     String country) {
        if (country != null) {
            Set<Long> inCountry = stats.projectsInCountry(country);
            if (projectIds != null) inCountry.retainAll(projectIds);
            projectIds = inCountry;
        }
        TreeMap<String, int[]> days = new TreeMap<>();
        for (StatsStore.TaskDay d : stats.taskDays(start, end)) {
            if (organisationId != null && d.org() != organisationId) continue;
            if (projectIds != null && !projectIds.contains(d.projectId())) continue;
            int[] c = days.computeIfAbsent(d.date(), k -> new int[3]);
            c[0] += d.mapped();
            c[1] += d.validated();
            c[2] += d.badImagery();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        days.forEach((day, c) -> {
            if (c[0] + c[1] + c[2] == 0) return;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", day);
            m.put("mapped", c[0]);
            m.put("validated", c[1]);
            m.put("badImagery", c[2]);
            out.add(m);
        });
        return Map.of("taskStats", out);
    }

    /**
     * {@code GET /users/{user_id}/statistics/interests/}: over the projects the user has a history row in, each
     * interest's share of the projects' interest links ({@code rates}, empty for a user with none). The user's
     * summary lists the projects; their interests come in one BatchGetItem per 100 projects, the names in one Query.
     */
    public Map<String, Object> interestRates(long userId) {
        List<Map<String, Object>> rates = new ArrayList<>();
        var projectIds = stats.user(userId).map(f -> f.projects).orElse(new java.util.TreeSet<>());
        if (!projectIds.isEmpty()) {
            Map<Long, Long> links = new TreeMap<>();
            interests.ofProjects(projectIds).values().forEach(ids -> ids.forEach(id -> links.merge(id, 1L, Long::sum)));
            Map<Long, String> names = new java.util.HashMap<>();
            if (!links.isEmpty()) interests.all().forEach(i -> names.put(i.id(), i.name()));
            links.keySet().retainAll(names.keySet()); // a deleted interest links no project any more
            long total = links.values().stream().mapToLong(Long::longValue).sum();
            if (total > 0) {
                links.forEach((id, n) -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("name", names.get(id));
                    r.put("rate", n / (double) total);
                    rates.add(r);
                });
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rates", rates);
        return m;
    }

    /** Registrations over more days than this are refused, as the reference does. */
    public static final int MAX_REGISTRATION_DAYS = 3 * 366;

    /**
     * {@code GET /users/statistics/}: users registered from {@code start} to {@code end} (both whole days) by level,
     * contribution, e-mail verification and gender, from one Query of the days' totals and one of the levels.
     */
    public Map<String, Object> registrations(LocalDate start, LocalDate end, List<dev.tmserverless.core.stats.Registrations.Level> levels) {
        if (end.isBefore(start)) throw new ApiException(ErrorCode.INVALID_DATE_RANGE);
        if (java.time.temporal.ChronoUnit.DAYS.between(start, end) > MAX_REGISTRATION_DAYS) {
            throw new ApiException(ErrorCode.INVALID_DATE_RANGE, " Date range can not be bigger than 1 year");
        }
        return dev.tmserverless.core.stats.Registrations.answer(stats.registrationDays(start, end), levels);
    }

    /** Today, in UTC (the default end of a date range). */
    public LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    public Optional<UserFigures> userFigures(long userId) {
        return stats.user(userId);
    }
}
