package dev.tmserverless.fn.projects;

import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.ProjectSearchIndex;
import dev.tmserverless.aws.store.ProjectSearchIndex.Row;
import dev.tmserverless.aws.store.StatsStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.aws.store.UserTasks;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserProfile;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.search.ProjectSummary;
import dev.tmserverless.core.stats.SystemFigures;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Project lists about a user or the whole deployment that read the search index plus a few key lookups, never
 * every project (docs/projects.md "Lists about users and the deployment").
 */
@Singleton
public class ProjectQueries {
    /** How many projects the reference recommends. */
    static final int RECOMMENDED = 20;

    private final ProjectSearchIndex index;
    private final UserStore users;
    private final UserTasks userTasks;
    private final StatsStore stats;
    private final CampaignStore campaigns;

    public ProjectQueries(ProjectSearchIndex index, UserStore users, UserTasks userTasks, StatsStore stats,
                          CampaignStore campaigns) {
        this.index = index;
        this.users = users;
        this.userTasks = userTasks;
        this.stats = stats;
        this.campaigns = campaigns;
    }

    /**
     * GET popular: the ten most popular projects that are not private, as search results. The list is kept by the
     * statistics function beside the system summary (one small GetItem here); projects deleted since are left out.
     */
    Response popular(Request req, Map<Long, Integer> mappers) {
        List<Long> ids = stats.popular();
        ProjectSearchIndex.Snapshot snap = index.current();
        List<Map<String, Object>> results = new ArrayList<>();
        for (long id : ids) {
            Row r = snap.row(id);
            if (r == null || r.summary().isPrivate() || r.summary().centroid() == null) continue;
            results.add(ProjectSearch.result(r, req.locale(), mappers, snap.campaigns()));
            if (results.size() == SystemFigures.POPULAR_SIZE) break;
        }
        return Response.ok(searchResults(results, Map.of()));
    }

    /**
     * GET {username}/touched: the projects on the user's profile as mapped ({@code projectsMapped}), newest first,
     * with how many of their tasks the user mapped and validated (one GetItem of the profile, one Query of the
     * user's contribution items); names, statuses and centroids from the search index. Public, as the reference.
     */
    Response touched(Request req) {
        User user = byUsername(req.pathParams().get("username"));
        Set<Long> mapped = users.profile(user.id()).map(UserProfile::projectsMapped).orElse(Set.of());
        Map<Long, int[]> counts = new HashMap<>();
        if (!mapped.isEmpty()) {
            for (UserTasks.Contribution c : userTasks.contributions(user.id())) {
                if (!mapped.contains(c.projectId())) continue;
                int[] n = counts.computeIfAbsent(c.projectId(), k -> new int[2]);
                if (c.statusDates().containsKey("MAPPED")) n[0]++;
                if (c.statusDates().containsKey("VALIDATED")) n[1]++;
            }
        }
        ProjectSearchIndex.Snapshot snap = index.current();
        List<Map<String, Object>> out = new ArrayList<>();
        for (long id : new TreeSet<>(mapped).descendingSet()) {
            Row r = snap.row(id);
            if (r == null) continue; // deleted
            ProjectSummary s = r.summary();
            int[] n = counts.getOrDefault(id, new int[2]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("projectId", id);
            m.put("name", s.text(req.locale()).name());
            m.put("tasksMapped", n[0]);
            m.put("tasksValidated", n[1]);
            m.put("status", s.status().name());
            m.put("centroid", s.centroid() == null ? null
                    : Map.of("type", "Point", "coordinates", List.of(s.centroid()[0], s.centroid()[1])));
            out.add(m);
        }
        return Response.ok(Map.of("mappedProjects", out));
    }

    /**
     * GET /users/{username}/recommended-projects: up to 20 published projects the caller may list and the user did
     * not author, first those in a campaign of a project the user contributed to or authored, then those whose
     * difficulty matches the user's mapping level; as search results (the reference's rule, docs/projects.md).
     * Reads: the user's contribution items (one Query), the campaigns (one Query) and each campaign's projects
     * (one Query each; campaigns are few), and the search index.
     */
    Response recommended(Request req, Map<Long, Integer> mappers) {
        User caller = req.caller().require();
        User user = byUsername(req.pathParams().get("username"));
        ProjectSearchIndex.Snapshot snap = index.current();
        Set<Long> mine = new LinkedHashSet<>();
        for (UserTasks.Contribution c : userTasks.contributions(user.id())) mine.add(c.projectId());
        for (Row r : snap.rows()) if (r.summary().authorId() == user.id()) mine.add(r.id());
        Set<Long> candidates = new TreeSet<>(java.util.Comparator.reverseOrder());
        if (!mine.isEmpty()) {
            for (CampaignStore.Campaign c : campaigns.all()) {
                List<Long> projects = campaigns.projectsOf(c.id());
                if (projects.stream().anyMatch(mine::contains)) candidates.addAll(projects);
            }
        }
        boolean admin = Permissions.managesEverything(caller);
        List<Row> picked = new ArrayList<>();
        Set<Long> seen = new java.util.HashSet<>();
        for (long id : candidates) {
            Row r = snap.row(id);
            if (r != null && recommendable(r, user, caller, admin) && seen.add(id)) picked.add(r);
            if (picked.size() == RECOMMENDED) break;
        }
        String level = levelDifficulty(user);
        Row[] rows = snap.rows();
        for (int i = rows.length - 1; i >= 0 && picked.size() < RECOMMENDED && level != null; i--) {
            Row r = rows[i];
            if (level.equals(r.summary().difficulty()) && recommendable(r, user, caller, admin) && seen.add(r.id())) picked.add(r);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (Row r : picked) results.add(ProjectSearch.result(r, req.locale(), mappers, snap.campaigns()));
        return Response.ok(searchResults(results, null));
    }

    private static boolean recommendable(Row r, User user, User caller, boolean admin) {
        ProjectSummary s = r.summary();
        return s.status() == ProjectStatus.PUBLISHED && s.authorId() != user.id() && s.centroid() != null
                && (admin || Permissions.listable(caller, s, r.org()));
    }

    /** The project difficulty a mapping level matches: its position among the levels (EASY for the first). */
    static String levelDifficulty(User user) {
        int id = user.mappingLevel() == null ? 1 : user.mappingLevel().id;
        return id >= 1 && id < ProjectSearch.DIFFICULTY_ORDER.size() ? ProjectSearch.DIFFICULTY_ORDER.get(id) : null;
    }

    /**
     * GET /countries: every country named by some project's {@code countryTag}, sorted, from the search index
     * (no read of the table).
     */
    Response countries() {
        Set<String> all = new TreeSet<>();
        for (Row r : index.current().rows()) all.addAll(r.summary().countries());
        return Response.ok(Map.of("tags", List.copyOf(all)));
    }

    private User byUsername(String username) {
        return users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username == null ? "" : username)));
    }

    /** A ProjectSearchResultsDTO without a map: {@code pagination} as the reference's list sends it. */
    private static Map<String, Object> searchResults(List<Map<String, Object>> results, Object pagination) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mapResults", List.of());
        m.put("results", results);
        m.put("pagination", pagination);
        return m;
    }
}
