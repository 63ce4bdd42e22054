package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MapSwipe's answers in the reference's partner-statistics shapes ({@code GroupedPartnerStatsDTO} and
 * {@code FilteredPartnerStatsDTO}, by their JSON aliases), and the members CSV of {@code downloadAsCSV}.
 */
final class MapSwipeStats {
    private MapSwipeStats() {}

    /** {@code general-statistics}: the group, a page of its members and its totals (all time, and the last 30 days). */
    static Map<String, Object> grouped(long partnerId, String groupId, JsonNode data) {
        JsonNode group = data.path("contributorUserGroup");
        JsonNode stats = data.path("communityUserGroupStats");
        if (!group.isObject()) throw new ApiException(ErrorCode.INVALID_MAPSWIPE_GROUP_ID);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", partnerId);
        m.put("provider", "mapswipe");
        m.put("idInsideProvider", groupId);
        m.put("nameInsideProvider", text(group, "name"));
        m.put("descriptionInsideProvider", text(group, "description"));
        m.put("membersCount", number(group.path("userMemberships"), "totalCount"));
        List<Map<String, Object>> members = new ArrayList<>();
        for (JsonNode u : group.path("userMemberships").path("results")) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("id", text(u, "id"));
            member.put("userId", text(u.path("user"), "firebaseId"));
            member.put("username", text(u.path("user"), "username"));
            member.put("isActive", u.path("isActive").isBoolean() ? u.path("isActive").asBoolean() : null);
            member.put("totalMappingProjects", number(u, "totalMappingProjects"));
            member.put("totalcontributionTime", number(u, "totalSwipeTime"));
            member.put("totalcontributions", number(u, "totalSwipes"));
            members.add(member);
        }
        m.put("members", members);
        JsonNode all = stats.path("stats");
        JsonNode latest = stats.path("statsLatest");
        m.put("totalContributors", number(all, "totalContributors"));
        m.put("totalcontributions", number(all, "totalSwipes"));
        m.put("totalcontributionTime", number(all, "totalSwipeTime"));
        m.put("totalRecentContributors", number(latest, "totalContributors"));
        m.put("totalRecentcontributions", number(latest, "totalSwipes"));
        m.put("totalRecentcontributionTime", number(latest, "totalSwipeTime"));
        return m;
    }

    /** {@code filtered-statistics}: the group's contributions between two dates, by date, type, organisation and place. */
    static Map<String, Object> filtered(long partnerId, String groupId, String from, String to, JsonNode data) {
        JsonNode stats = data.path("communityUserGroupStats");
        if (!stats.isObject()) throw new ApiException(ErrorCode.INVALID_MAPSWIPE_GROUP_ID);
        JsonNode f = stats.path("filteredStats");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", partnerId);
        m.put("provider", "mapswipe");
        m.put("idInsideProvider", groupId);
        m.put("fromDate", from);
        m.put("toDate", to);
        // MapSwipe's filtered statistics have no per-user breakdown: the reference's list stays empty too
        m.put("contributionsByUser", List.of());
        List<Map<String, Object>> geo = new ArrayList<>();
        for (JsonNode g : f.path("swipeByProjectGeo")) {
            Map<String, Object> geojson = new LinkedHashMap<>();
            geojson.put("type", text(g.path("geojson"), "type"));
            List<Double> coordinates = new ArrayList<>();
            for (JsonNode c : g.path("geojson").path("coordinates")) if (c.isNumber()) coordinates.add(c.asDouble());
            geojson.put("coordinates", coordinates);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("geojson", geojson);
            e.put("totalcontributions", number(g, "totalContribution"));
            geo.add(e);
        }
        m.put("contributionsByGeo", geo);
        List<Map<String, Object>> areas = new ArrayList<>();
        for (JsonNode a : f.path("areaSwipedByProjectType")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("totalArea", a.path("totalArea").isNumber() ? a.path("totalArea").asDouble() : null);
            e.put("projectType", text(a, "projectType"));
            e.put("projectTypeDisplay", text(a, "projectTypeDisplay"));
            areas.add(e);
        }
        m.put("areaSwipedByProjectType", areas);
        List<Map<String, Object>> types = new ArrayList<>();
        for (JsonNode t : f.path("swipeByProjectType")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("projectType", text(t, "projectType"));
            e.put("projectTypeDisplay", text(t, "projectTypeDisplay"));
            e.put("totalcontributions", number(t, "totalSwipes"));
            types.add(e);
        }
        m.put("contributionsByProjectType", types);
        List<Map<String, Object>> dates = new ArrayList<>();
        for (JsonNode d : f.path("swipeByDate")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("taskDate", text(d, "taskDate"));
            e.put("totalcontributions", number(d, "totalSwipes"));
            dates.add(e);
        }
        m.put("contributionsByDate", dates);
        List<Map<String, Object>> orgs = new ArrayList<>();
        for (JsonNode o : f.path("swipeByOrganizationName")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("organizationName", text(o, "organizationName"));
            e.put("totalcontributions", number(o, "totalSwipes"));
            orgs.add(e);
        }
        m.put("contributionsByorganizationName", orgs);
        List<Map<String, Object>> times = new ArrayList<>();
        for (JsonNode t : f.path("swipeTimeByDate")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("date", text(t, "date"));
            e.put("totalcontributionTime", number(t, "totalSwipeTime"));
            times.add(e);
        }
        m.put("contributionTimeByDate", times);
        return m;
    }

    /** The reference's members CSV: one line per member, swipe time in seconds, booleans as True/False. */
    static String membersCsv(Map<String, Object> grouped) {
        StringBuilder b = new StringBuilder("userId,username,isActive,totalMappingProjects,totalSwipeTimeInSeconds,totalSwipes\n");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> members = (List<Map<String, Object>>) grouped.get("members");
        for (Map<String, Object> u : members) {
            Object active = u.get("isActive");
            b.append(cell(u.get("userId"))).append(',').append(cell(u.get("username"))).append(',')
                    .append(active == null ? "" : Boolean.TRUE.equals(active) ? "True" : "False").append(',')
                    .append(cell(u.get("totalMappingProjects"))).append(',').append(cell(u.get("totalcontributionTime"))).append(',')
                    .append(cell(u.get("totalcontributions"))).append('\n');
        }
        return b.toString();
    }

    private static String cell(Object v) {
        if (v == null) return "";
        String s = v.toString();
        // a name that a spreadsheet would run as a formula is quoted as text
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !(v instanceof Number)) s = "'" + s;
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) s = "\"" + s.replace("\"", "\"\"") + "\"";
        return s;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static Long number(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.canConvertToLong() && v.isNumber() ? v.asLong() : null;
    }
}
