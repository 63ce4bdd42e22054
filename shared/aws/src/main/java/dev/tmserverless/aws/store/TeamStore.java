package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamMember;
import dev.tmserverless.core.domain.TeamRole;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Teams, their members and their roles on projects (docs/data-model.md "Teams"). The team item counts its
 * active managers ({@code mgrs}); every change that could take a team's last manager away first lowers that
 * count on condition that it stays above zero, so two concurrent removals cannot both pass.
 */
@Singleton
public class TeamStore {
    /** The change would leave the team without an active manager; nothing was written. */
    public static final class LastManager extends RuntimeException {
        LastManager() { super("a team keeps at least one manager", null, false, false); }
    }

    /** A team's role on a project. */
    public record ProjectTeam(long projectId, long teamId, TeamRole role) {}

    private static final int ATTEMPTS = 8;

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;

    public TeamStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    // ---- teams ----

    /** Creates the team with {@code creator} as its first, active manager. */
    public Team create(long organisationId, String name, String logo, String description, Team.JoinMethod join,
                       Team.Visibility visibility, long creator, Instant now) {
        long id = counters.next("TEAM");
        Team t = new Team(id, organisationId, name, logo, description, join, visibility);
        Map<String, AttributeValue> item = teamItem(t);
        item.put("mgrs", Attr.n(0));
        ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        Map<String, AttributeValue> link = new HashMap<>(Attr.key(Keys.org(organisationId), Keys.teamSort(id)));
        link.put("teamId", Attr.n(id));
        ddb.putItem(b -> b.tableName(table).item(link));
        set(id, creator, Team.Function.MANAGER, true, now);
        return t;
    }

    public Optional<Team> get(long id) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.team(id), Keys.META)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(readTeam(item));
    }

    /** The teams of these ids that exist (one BatchGetItem), in no particular order. */
    public List<Team> getAll(java.util.Collection<Long> ids) {
        List<Map<String, AttributeValue>> keys = ids.stream().distinct().map(id -> Attr.key(Keys.team(id), Keys.META)).toList();
        return Dynamo.batchGet(ddb, table, keys).stream().map(TeamStore::readTeam).toList();
    }

    /** Every team: Query of gsi1 partition {@code TEAMS}, paged. */
    public List<Team> all() {
        List<Team> out = new ArrayList<>();
        query(b -> b.indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.TEAMS))), i -> out.add(readTeam(i)));
        return out;
    }

    /** The ids of an organisation's teams: Query {@code ORG#id} for {@code TEAM#} links. */
    public List<Long> idsOfOrganisation(long orgId) {
        List<Long> out = new ArrayList<>();
        query(b -> b.consistentRead(true).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.org(orgId)), ":t", Attr.s(Keys.TEAM_PREFIX))),
                i -> out.add(Attr.lng(i, "teamId", 0)));
        return out;
    }

    /** Replaces the team's own fields (not its members or managers count); false if it is gone. */
    public boolean update(Team t) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.team(t.id()), Keys.META))
                .updateExpression("SET #n = :n, logo = :l, description = :d, joinMethod = :j, visibility = :v")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#n", "name"))
                .expressionAttributeValues(Map.of(":n", Attr.s(t.name()), ":l", Attr.s(t.logo()),
                        ":d", Attr.s(t.description()), ":j", Attr.s(t.joinMethod().name()),
                        ":v", Attr.s(t.visibility().name())))));
    }

    /** Deletes the team, its organisation link and its members (the caller checked it has no projects). */
    public void delete(Team t) {
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.team(t.id()), Keys.META)));
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.org(t.organisationId()), Keys.teamSort(t.id()))));
        for (TeamMember m : members(t.id())) {
            ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.team(t.id()), Keys.member(m.userId()))));
        }
    }

    // ---- members ----

    /** Every member of the team, active or not: Query {@code TEAM#id} for {@code MEMBER#} items. */
    public List<TeamMember> members(long teamId) {
        List<TeamMember> out = new ArrayList<>();
        query(b -> b.consistentRead(true).keyConditionExpression("pk = :p AND begins_with(sk, :m)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.team(teamId)), ":m", Attr.s(Keys.MEMBER_PREFIX))),
                i -> out.add(readMember(i)));
        return out;
    }

    public Optional<TeamMember> member(long teamId, long userId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.team(teamId), Keys.member(userId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(readMember(item));
    }

    /** A user's memberships, active or not: Query gsi1 {@code USERTEAMS#user}. */
    public List<TeamMember> membershipsOf(long userId) {
        List<TeamMember> out = new ArrayList<>();
        query(b -> b.indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.userTeams(userId)))), i -> out.add(readMember(i)));
        return out;
    }

    /**
     * Adds the user to the team only if they are not in it yet (a join request, or joining an ANY team);
     * false if they already are a member or have asked before.
     */
    public boolean join(long teamId, long userId, Team.Function function, boolean active, Instant now) {
        Map<String, AttributeValue> item = memberItem(new TeamMember(teamId, userId, function, active, now));
        if (!Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)")))) {
            return false;
        }
        if (function == Team.Function.MANAGER && active) addManagers(teamId, 1);
        return true;
    }

    /**
     * Makes the user a member with {@code function}, active or not, whatever they were ({@link LastManager} if
     * that demotes the last active manager).
     */
    public void set(long teamId, long userId, Team.Function function, boolean active, Instant now) {
        change(teamId, userId, new TeamMember(teamId, userId, function, active, now));
    }

    /** Removes the user from the team; false if they were not in it; {@link LastManager} for the last manager. */
    public boolean remove(long teamId, long userId) {
        return change(teamId, userId, null);
    }

    /**
     * Moves the member item from what it is to {@code next} (null: removed). Conditional on the item being
     * unchanged since read; when the change takes an active manager away, the team's count of active managers
     * is lowered first, on condition that it stays at least one, and given back if the member changed meanwhile.
     */
    private boolean change(long teamId, long userId, TeamMember next) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<TeamMember> now = member(teamId, userId);
            if (now.isEmpty() && next == null) return false;
            boolean was = now.map(TeamMember::isActiveManager).orElse(false);
            boolean will = next != null && next.isActiveManager();
            if (was && !will && !takeManager(teamId)) throw new LastManager();
            boolean written = now.isEmpty()
                    ? Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(memberItem(keepJoined(next, null)))
                            .conditionExpression("attribute_not_exists(pk)")))
                    : writeIfUnchanged(now.get(), next);
            if (!written) {
                if (was && !will) addManagers(teamId, 1);
                continue;
            }
            if (!was && will) addManagers(teamId, 1);
            return true;
        }
        throw new IllegalStateException("team member " + userId + " of team " + teamId + " kept changing");
    }

    private boolean writeIfUnchanged(TeamMember current, TeamMember next) {
        var key = Attr.key(Keys.team(current.teamId()), Keys.member(current.userId()));
        var values = Map.of(":f", Attr.s(current.function().name()), ":a", Attr.bool(current.active()));
        if (next == null) {
            return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table).key(key)
                    .conditionExpression("#f = :f AND active = :a").expressionAttributeNames(Map.of("#f", "function"))
                    .expressionAttributeValues(values)));
        }
        Map<String, AttributeValue> item = memberItem(keepJoined(next, current));
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                .conditionExpression("#f = :f AND active = :a").expressionAttributeNames(Map.of("#f", "function"))
                .expressionAttributeValues(values)));
    }

    private static TeamMember keepJoined(TeamMember next, TeamMember current) {
        return current == null ? next
                : new TeamMember(next.teamId(), next.userId(), next.function(), next.active(), current.joined(),
                        current.joinRequestNotifications());
    }

    /**
     * Sets whether an active manager of the team is told of join requests; false if the user is not an active
     * manager of it (one conditional UpdateItem).
     */
    public boolean setJoinRequestNotificationsWrite(long teamId, long userId, boolean on) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.team(teamId), Keys.member(userId)))
                .updateExpression("SET jrn = :v").conditionExpression("#f = :m AND active = :t")
                .expressionAttributeNames(Map.of("#f", "function"))
                .expressionAttributeValues(Map.of(":v", Attr.bool(on), ":m", Attr.s(Team.Function.MANAGER.name()), ":t", Attr.bool(true)))));
    }

    /** Lowers the active-manager count by one if at least two remain; false otherwise. */
    private boolean takeManager(long teamId) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.team(teamId), Keys.META))
                .updateExpression("SET mgrs = mgrs - :one").conditionExpression("mgrs > :one")
                .expressionAttributeValues(Map.of(":one", Attr.n(1)))));
    }

    private void addManagers(long teamId, long n) {
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.team(teamId), Keys.META))
                .updateExpression("ADD mgrs :n").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":n", Attr.n(n)))));
    }

    // ---- project roles ----

    /** Gives the team {@code role} on the project (replacing any role it had). */
    public void assign(long projectId, long teamId, TeamRole role) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(projectId), Keys.teamSort(teamId)));
        item.put("teamId", Attr.n(teamId));
        item.put("projectId", Attr.n(projectId));
        item.put("role", Attr.s(role.name()));
        item.put("gsi1pk", Attr.s(Keys.teamProjects(teamId)));
        item.put("gsi1sk", Attr.s(Keys.projectSort(projectId)));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    /** Changes the role of a team already on the project; false if it is not. */
    public boolean changeRole(long projectId, long teamId, TeamRole role) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.teamSort(teamId)))
                .updateExpression("SET #r = :r").conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#r", "role"))
                .expressionAttributeValues(Map.of(":r", Attr.s(role.name())))));
    }

    /** Takes the team off the project; false if it was not on it. */
    public boolean unassign(long projectId, long teamId) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.teamSort(teamId))).conditionExpression("attribute_exists(pk)")));
    }

    /** The teams on a project with their roles: Query {@code PROJECT#id} for {@code TEAM#} items. */
    public List<ProjectTeam> teamsOfProject(long projectId) {
        List<ProjectTeam> out = new ArrayList<>();
        query(b -> b.consistentRead(true).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)), ":t", Attr.s(Keys.TEAM_PREFIX))),
                i -> out.add(readProjectTeam(i)));
        return out;
    }

    /** The roles the team has on projects: Query gsi1 {@code TEAMPROJECTS#team}. */
    public List<TeamRole> rolesOfTeam(long teamId) {
        List<TeamRole> out = new ArrayList<>();
        query(b -> b.indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.teamProjects(teamId)))),
                i -> out.add(TeamRole.valueOf(Attr.str(i, "role"))));
        return out;
    }

    /** The projects the team is on, with its role on each: Query gsi1 {@code TEAMPROJECTS#team}. */
    public List<ProjectTeam> projectsOfTeam(long teamId) {
        List<ProjectTeam> out = new ArrayList<>();
        query(b -> b.indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.teamProjects(teamId)))),
                i -> out.add(readProjectTeam(i)));
        return out;
    }

    /** Whether the team is on any project: Query gsi1 {@code TEAMPROJECTS#team}, Limit 1. */
    public boolean hasProjects(long teamId) {
        return !ddb.query(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.teamProjects(teamId)))).limit(1)).items().isEmpty();
    }

    /**
     * The roles on {@code projectId} of the teams in which the user is an active member: one Query of the
     * project's team links, then one BatchGetItem of the user's member items in those teams (none if the
     * project has no teams).
     */
    public List<TeamRole> activeRoles(long projectId, long userId) {
        List<ProjectTeam> teams = teamsOfProject(projectId);
        if (teams.isEmpty()) return List.of();
        List<Map<String, AttributeValue>> keys = teams.stream().map(t -> memberKey(t.teamId(), userId)).distinct().toList();
        return activeRoles(teams, Dynamo.batchGet(ddb, table, keys));
    }

    /** The key of a user's member item in a team. */
    static Map<String, AttributeValue> memberKey(long teamId, long userId) {
        return Attr.key(Keys.team(teamId), Keys.member(userId));
    }

    /** The roles of the project's {@code teams} whose member item among {@code memberItems} is active. */
    static List<TeamRole> activeRoles(List<ProjectTeam> teams, List<Map<String, AttributeValue>> memberItems) {
        Map<Long, TeamRole> roleOf = new LinkedHashMap<>();
        teams.forEach(t -> roleOf.put(t.teamId(), t.role()));
        List<TeamRole> out = new ArrayList<>();
        for (var item : memberItems) {
            TeamMember m = readMember(item);
            if (m.active() && roleOf.containsKey(m.teamId())) out.add(roleOf.get(m.teamId()));
        }
        return out;
    }

    // ---- items ----

    private void query(Consumer<QueryRequest.Builder> spec, Consumer<Map<String, AttributeValue>> each) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var res = ddb.query(b -> {
                b.tableName(table);
                spec.accept(b);
                if (from != null) b.exclusiveStartKey(from);
            });
            res.items().forEach(each);
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
        } while (start != null);
    }

    private static Map<String, AttributeValue> teamItem(Team t) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.team(t.id()), Keys.META));
        item.put("id", Attr.n(t.id()));
        item.put("org", Attr.n(t.organisationId()));
        item.put("name", Attr.s(t.name()));
        item.put("logo", Attr.s(t.logo()));
        item.put("description", Attr.s(t.description()));
        item.put("joinMethod", Attr.s(t.joinMethod().name()));
        item.put("visibility", Attr.s(t.visibility().name()));
        item.put("gsi1pk", Attr.s(Keys.TEAMS));
        item.put("gsi1sk", Attr.s(Keys.teamSort(t.id())));
        return item;
    }

    private static Team readTeam(Map<String, AttributeValue> item) {
        return new Team(Attr.lng(item, "id", 0), Attr.lng(item, "org", 0), Attr.str(item, "name"), Attr.str(item, "logo"),
                Attr.str(item, "description"), Team.JoinMethod.valueOf(Attr.str(item, "joinMethod")),
                Team.Visibility.valueOf(Attr.str(item, "visibility")));
    }

    private static Map<String, AttributeValue> memberItem(TeamMember m) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.team(m.teamId()), Keys.member(m.userId())));
        item.put("teamId", Attr.n(m.teamId()));
        item.put("userId", Attr.n(m.userId()));
        item.put("function", Attr.s(m.function().name()));
        item.put("active", Attr.bool(m.active()));
        item.put("joined", Attr.s(m.joined() == null ? null : m.joined().toString()));
        item.put("gsi1pk", Attr.s(Keys.userTeams(m.userId())));
        item.put("gsi1sk", Attr.s(Keys.teamSort(m.teamId())));
        if (m.joinRequestNotifications()) item.put("jrn", Attr.bool(true));
        return item;
    }

    private static TeamMember readMember(Map<String, AttributeValue> item) {
        String joined = Attr.str(item, "joined");
        return new TeamMember(Attr.lng(item, "teamId", 0), Attr.lng(item, "userId", 0),
                Team.Function.valueOf(Attr.str(item, "function")), Attr.bool(item, "active"),
                joined == null ? null : Instant.parse(joined), item.containsKey("jrn") && Attr.bool(item, "jrn"));
    }

    private static ProjectTeam readProjectTeam(Map<String, AttributeValue> item) {
        return new ProjectTeam(Attr.lng(item, "projectId", 0), Attr.lng(item, "teamId", 0),
                TeamRole.valueOf(Attr.str(item, "role")));
    }
}
