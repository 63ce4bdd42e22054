package dev.tmserverless.emulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for the MapSwipe backend's GraphQL API as the Tasking Manager uses it for partner statistics. Like the
 * real one it is a Django service behind CSRF protection: {@code GET /health-check/} sets the {@code csrftoken}
 * cookie, and a {@code POST /graphql/} is answered only when its {@code X-CSRFToken} header repeats that cookie
 * (403 otherwise). It answers the two operations the Tasking Manager sends, {@code UserGroupStats}
 * ({@code contributorUserGroup} with paged {@code userMemberships}, {@code communityUserGroupStats} with
 * {@code stats} and the last 30 days' {@code statsLatest}) and {@code FilteredUserGroupStats}
 * ({@code filteredStats} over a date range), every figure derived from the contributions given with
 * {@link #addContribution}. An unknown group id answers {@code null} objects, as MapSwipe does; a malformed query
 * answers GraphQL {@code errors}. Faults ({@link #fail}) are scoped to one group id.
 */
public final class MapSwipeStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How far back {@code statsLatest} looks. */
    static final int LATEST_DAYS = 30;

    /** A member of a user group: MapSwipe's user (its firebase id and name) and whether the membership is active. */
    public record Member(String firebaseId, String username, boolean active) {}

    /**
     * Some swipes of one member on one day, in one MapSwipe project: its type (1 find, 2 validate, 3 compare,
     * 4 completeness …) and display name, the organisation that runs it, the area swiped (km²) and the project's
     * centroid.
     */
    public record Contribution(String firebaseId, LocalDate date, String projectId, int projectType, String projectTypeDisplay,
                               String organizationName, long swipes, long swipeSeconds, double areaKm2, double lon, double lat) {}

    /** What to answer instead of the real answer. */
    public record Fault(int status, String contentType, String body) {
        public static Fault status(int status) {
            return new Fault(status, "text/html", "<h1>Server Error (" + status + ")</h1>");
        }

        public static Fault notJson() {
            return new Fault(200, "text/html", "<html><body>Bad Gateway</body></html>");
        }

        /** A GraphQL error, as MapSwipe reports a failing resolver. */
        public static Fault graphQl(String message) {
            return new Fault(200, "application/json", "{\"errors\":[{\"message\":\"" + message + "\"}],\"data\":null}");
        }
    }

    private record Group(String name, String description, List<Member> members, List<Contribution> contributions) {}

    private final LoopbackServer loopback;
    private final URI graphqlUrl;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Set<String> csrfTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refusedForCsrf = new AtomicInteger();
    private volatile Function<LocalDate, LocalDate> today = d -> d;

    private MapSwipeStandIn(LoopbackServer loopback) {
        this.loopback = loopback;
        this.graphqlUrl = URI.create("http://127.0.0.1:" + loopback.server().getAddress().getPort() + "/graphql/");
    }

    /** Starts the stand-in on 127.0.0.1 and a free port. */
    public static MapSwipeStandIn start() {
        MapSwipeStandIn standIn = new MapSwipeStandIn(LoopbackServer.create());
        standIn.loopback.server().createContext("/", standIn::handle);
        standIn.loopback.server().start();
        return standIn;
    }

    /** The GraphQL endpoint, as {@code https://backend.mapswipe.org/graphql/} is for the real one. */
    public URI graphqlUrl() {
        return graphqlUrl;
    }

    /** Creates (or replaces) a user group under its firebase id. */
    public void addGroup(String groupId, String name, String description, List<Member> members) {
        groups.put(groupId, new Group(name, description, new CopyOnWriteArrayList<>(members), new CopyOnWriteArrayList<>()));
    }

    /**
     * A group of three members (one no longer active) with a few weeks of swipes up to today in two kinds of project,
     * so that a local partner pointed at it has statistics to show.
     */
    public void seedDemoGroup(String groupId) {
        addGroup(groupId, "Local demo group", "Volunteers swiping for the local Tasking Manager",
                List.of(new Member("fb-ada", "ada", true), new Member("fb-grace", "grace", true), new Member("fb-linus", "linus", false)));
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (int day = 0; day < 45; day += 3) {
            LocalDate d = today.minusDays(day);
            addContribution(groupId, new Contribution("fb-ada", d, "p-floods", 1, "Find", "Red Cross", 120 + day, 600 + 10L * day,
                    2.5, 30.1, -1.9));
            addContribution(groupId, new Contribution("fb-grace", d, "p-roads", 2, "Validate", "HOT", 80, 400, 1.25, 36.8, -1.3));
            if (day > 30) addContribution(groupId, new Contribution("fb-linus", d, "p-floods", 1, "Find", "Red Cross", 40, 200, 0.5, 30.1, -1.9));
        }
    }

    /** Records a member's swipes in the group. */
    public void addContribution(String groupId, Contribution c) {
        Group g = groups.get(groupId);
        if (g == null) throw new IllegalArgumentException("no group " + groupId);
        g.contributions().add(c);
    }

    /** From now on, requests about {@code groupId} get {@code fault} (null clears it). */
    public void fail(String groupId, Fault fault) {
        if (fault == null) faults.remove(groupId); else faults.put(groupId, fault);
    }

    /** How many GraphQL requests were refused for a missing or wrong CSRF token. */
    public int refusedForCsrf() {
        return refusedForCsrf.get();
    }

    /** Forgets every CSRF token it issued (as after a restart): the next POST with an old one is refused. */
    public void rotateCsrf() {
        csrfTokens.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("GET") && (path.equals("/health-check/") || path.equals("/"))) {
                String token = UUID.randomUUID().toString().replace("-", "");
                csrfTokens.add(token);
                ex.getResponseHeaders().add("Set-Cookie", "csrftoken=" + token + "; Path=/; SameSite=Lax");
                LoopbackServer.reply(ex, 200, "text/plain", "OK".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!path.equals("/graphql/")) {
                LoopbackServer.reply(ex, 404, "text/html", "<h1>Not Found</h1>".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!method.equals("POST")) {
                LoopbackServer.reply(ex, 405, "text/html", "<h1>Method Not Allowed</h1>".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String header = ex.getRequestHeaders().getFirst("X-CSRFToken");
            String cookie = cookie(ex.getRequestHeaders().getFirst("Cookie"), "csrftoken");
            if (header == null || !header.equals(cookie) || !csrfTokens.contains(header)) {
                refusedForCsrf.incrementAndGet();
                LoopbackServer.reply(ex, 403, "text/html", "<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(ex.getRequestBody());
            } catch (IOException e) {
                body = null;
            }
            if (body == null || !body.isObject() || !body.path("query").isTextual()) {
                replyJson(ex, 400, errors("Must provide query string."));
                return;
            }
            JsonNode vars = body.path("variables");
            String groupId = vars.path("pk").asText(null);
            Fault fault = groupId == null ? null : faults.get(groupId);
            if (fault != null) {
                LoopbackServer.reply(ex, fault.status(), fault.contentType(), fault.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            String op = body.path("operationName").asText("");
            String query = body.path("query").asText();
            if (op.equals("UserGroupStats") && query.contains("contributorUserGroup")) {
                if (groupId == null || !vars.path("limit").canConvertToInt() || !vars.path("offset").canConvertToInt()) {
                    replyJson(ex, 200, errors("Variable '$pk', '$limit' and '$offset' are required."));
                    return;
                }
                replyJson(ex, 200, groupStats(groupId, vars.path("limit").asInt(), vars.path("offset").asInt()));
            } else if (op.equals("FilteredUserGroupStats") && query.contains("filteredStats")) {
                LocalDate from;
                LocalDate to;
                try {
                    from = LocalDate.parse(vars.path("fromDate").asText(""));
                    to = LocalDate.parse(vars.path("toDate").asText(""));
                } catch (DateTimeParseException e) {
                    replyJson(ex, 200, errors("Variable '$fromDate' and '$toDate' got invalid values: Date cannot represent them."));
                    return;
                }
                if (groupId == null) {
                    replyJson(ex, 200, errors("Variable '$pk' of required type 'ID!' was not provided."));
                    return;
                }
                replyJson(ex, 200, filteredStats(groupId, from, to));
            } else {
                replyJson(ex, 200, errors("Unknown operation named '" + op + "'."));
            }
        }
    }

    private ObjectNode groupStats(String groupId, int limit, int offset) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode data = out.putObject("data");
        Group g = groups.get(groupId);
        if (g == null) {
            data.putNull("contributorUserGroup");
            data.putNull("communityUserGroupStats");
            return out;
        }
        ObjectNode group = data.putObject("contributorUserGroup");
        group.put("id", groupId).put("name", g.name()).put("description", g.description());
        ObjectNode memberships = group.putObject("userMemberships");
        memberships.put("totalCount", g.members().size());
        ArrayNode results = memberships.putArray("results");
        List<Member> members = g.members();
        for (int i = Math.max(0, offset); i < Math.min(members.size(), (long) Math.max(0, offset) + Math.max(0, limit)); i++) {
            Member m = members.get(i);
            long swipes = 0;
            long seconds = 0;
            Set<String> projects = new LinkedHashSet<>();
            for (Contribution c : g.contributions()) {
                if (!c.firebaseId().equals(m.firebaseId())) continue;
                swipes += c.swipes();
                seconds += c.swipeSeconds();
                projects.add(c.projectId());
            }
            ObjectNode r = results.addObject();
            r.put("id", groupId + "-" + m.firebaseId());
            r.put("isActive", m.active());
            r.put("totalSwipes", swipes);
            r.put("totalSwipeTime", seconds);
            r.put("totalMappingProjects", projects.size());
            r.putObject("user").put("id", Integer.toString(Math.abs(m.firebaseId().hashCode()))).put("firebaseId", m.firebaseId())
                    .put("username", m.username()).put("__typename", "UserType");
            r.put("__typename", "UserGroupUserMembershipType");
        }
        memberships.put("__typename", "UserGroupUserMembershipTypeCountList");
        group.put("__typename", "UserGroupType");
        ObjectNode stats = data.putObject("communityUserGroupStats");
        stats.put("id", groupId);
        LocalDate now = today.apply(LocalDate.now(ZoneOffset.UTC));
        stats.set("stats", totals(g.contributions(), null));
        stats.set("statsLatest", totals(g.contributions(), now.minusDays(LATEST_DAYS)));
        stats.put("__typename", "CommunityUserGroupStatsType");
        return out;
    }

    private static ObjectNode totals(List<Contribution> all, LocalDate since) {
        Set<String> contributors = new LinkedHashSet<>();
        long swipes = 0;
        long seconds = 0;
        for (Contribution c : all) {
            if (since != null && c.date().isBefore(since)) continue;
            contributors.add(c.firebaseId());
            swipes += c.swipes();
            seconds += c.swipeSeconds();
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("totalContributors", contributors.size()).put("totalSwipes", swipes).put("totalSwipeTime", seconds)
                .put("__typename", "UserGroupStatsType");
        return n;
    }

    private ObjectNode filteredStats(String groupId, LocalDate from, LocalDate to) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode data = out.putObject("data");
        Group g = groups.get(groupId);
        if (g == null) {
            data.putNull("communityUserGroupStats");
            return out;
        }
        List<Contribution> in = new ArrayList<>();
        for (Contribution c : g.contributions()) if (!c.date().isBefore(from) && !c.date().isAfter(to)) in.add(c);
        in.sort(java.util.Comparator.comparing(Contribution::date));
        ObjectNode stats = data.putObject("communityUserGroupStats");
        stats.put("id", groupId);
        ObjectNode f = stats.putObject("filteredStats");
        Map<Integer, double[]> area = new LinkedHashMap<>();
        Map<Integer, String> display = new LinkedHashMap<>();
        Map<LocalDate, long[]> byDate = new java.util.TreeMap<>();
        Map<String, Long> byOrg = new LinkedHashMap<>();
        Map<String, Contribution> geo = new LinkedHashMap<>();
        Map<String, Long> geoSwipes = new LinkedHashMap<>();
        Map<Integer, Long> byType = new LinkedHashMap<>();
        for (Contribution c : in) {
            area.computeIfAbsent(c.projectType(), k -> new double[1])[0] += c.areaKm2();
            display.put(c.projectType(), c.projectTypeDisplay());
            long[] d = byDate.computeIfAbsent(c.date(), k -> new long[2]);
            d[0] += c.swipes();
            d[1] += c.swipeSeconds();
            byOrg.merge(c.organizationName(), c.swipes(), Long::sum);
            geo.putIfAbsent(c.projectId(), c);
            geoSwipes.merge(c.projectId(), c.swipes(), Long::sum);
            byType.merge(c.projectType(), c.swipes(), Long::sum);
        }
        ArrayNode a = f.putArray("areaSwipedByProjectType");
        area.forEach((t, v) -> a.addObject().put("projectTypeDisplay", display.get(t)).put("totalArea", v[0])
                .put("projectType", Integer.toString(t)).put("__typename", "ProjectTypeAreaStatsType"));
        ArrayNode sd = f.putArray("swipeByDate");
        byDate.forEach((d, v) -> sd.addObject().put("taskDate", d.toString()).put("totalSwipes", v[0]).put("__typename", "DateStatsType"));
        ArrayNode so = f.putArray("swipeByOrganizationName");
        byOrg.forEach((o, v) -> so.addObject().put("totalSwipes", v).put("organizationName", o).put("__typename", "OrganizationSwipeStatsType"));
        ArrayNode sg = f.putArray("swipeByProjectGeo");
        geo.forEach((p, c) -> {
            ObjectNode n = sg.addObject();
            n.put("totalContribution", geoSwipes.get(p));
            n.putObject("geojson").put("type", "Point").putArray("coordinates").add(c.lon()).add(c.lat());
            n.put("__typename", "MapContributionStatsType");
        });
        ArrayNode st = f.putArray("swipeByProjectType");
        byType.forEach((t, v) -> st.addObject().put("totalSwipes", v).put("projectTypeDisplay", display.get(t))
                .put("projectType", Integer.toString(t)).put("__typename", "ProjectTypeSwipeStatsType"));
        ArrayNode tt = f.putArray("swipeTimeByDate");
        byDate.forEach((d, v) -> tt.addObject().put("totalSwipeTime", v[1]).put("date", d.toString()).put("__typename", "ContributorSwipeStatType"));
        f.put("__typename", "UserGroupFilteredStats");
        stats.put("__typename", "CommunityUserGroupStatsType");
        return out;
    }

    private static ObjectNode errors(String message) {
        ObjectNode out = JSON.createObjectNode();
        out.putArray("errors").addObject().put("message", message);
        out.putNull("data");
        return out;
    }

    private static String cookie(String header, String name) {
        if (header == null) return null;
        for (String part : header.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) return kv[1];
        }
        return null;
    }

    private static void replyJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
        LoopbackServer.reply(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        loopback.stop();
    }
}
