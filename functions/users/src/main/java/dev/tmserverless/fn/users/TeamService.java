package dev.tmserverless.fn.users;

import dev.tmserverless.core.domain.Html;

import dev.tmserverless.core.domain.Message;

import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.queue.MessageJobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Names;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamMember;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Teams: the list and TeamDTO, creation, edits, membership actions, and teams' roles on projects. */
@Singleton
public class TeamService {
    private final TeamStore teams;
    private final OrgStore orgs;
    private final UserStore users;
    private final ProjectAccess projects;
    private final MessageStore messages;
    private final MessageJobs jobs;

    private final dev.tmserverless.aws.store.ProjectStore projectStore;
    private final MessageMail mail;

    /** Team names: at most the reference's column size. */
    static final int NAME_MAX = 512;

    public TeamService(TeamStore teams, OrgStore orgs, UserStore users, ProjectAccess projects, MessageStore messages,
                       MessageJobs jobs, dev.tmserverless.aws.store.ProjectStore projectStore, MessageMail mail) {
        this.projectStore = projectStore;
        this.mail = mail;
        this.messages = messages;
        this.jobs = jobs;
        this.teams = teams;
        this.orgs = orgs;
        this.users = users;
        this.projects = projects;
    }

    // ---- requests ----

    /** POST /teams/: organisation_id, name and visibility required; joinMethod defaults to ANY. */
    record NewTeam(long organisationId, String name, String description, Team.JoinMethod joinMethod,
                   Team.Visibility visibility) {
        static NewTeam from(JsonNode body) {
            Fields.object(body);
            if (body.get("organisation_id") == null) throw Fields.schema("organisation_id", "Field required", "missing");
            long org = Fields.integer(body, "organisation_id");
            String name = Fields.text(body, "name");
            Team.Visibility visibility = parseVisibility(body, null);
            if (visibility == null) throw Fields.schema("visibility", "Field required", "missing");
            return new NewTeam(org, Names.name(name, "name", NAME_MAX),
                    Names.optional(optionalText(body, "description"), "description", Names.TEXT_MAX, false),
                    parseJoinMethod(body, Team.JoinMethod.ANY), visibility);
        }
    }

    /**
     * PATCH /teams/{id}/: the fields present change; members are changed through the member actions. Of a
     * {@code members} list only the {@code joinRequestNotifications} of each entry is read (by username), and only
     * the caller's own is used: that is the web frontend's switch for a manager's join-request notices.
     */
    record TeamUpdate(String name, String logo, String description, Team.JoinMethod joinMethod,
                      Team.Visibility visibility, Set<String> present, Map<String, Boolean> joinRequestNotifications) {
        static TeamUpdate from(JsonNode body) {
            Fields.object(body);
            Set<String> present = new HashSet<>();
            body.fieldNames().forEachRemaining(present::add);
            String name = optionalText(body, "name");
            if (present.contains("name") && (name == null || name.isBlank())) {
                throw new ApiException(ErrorCode.INVALID_DATA, "Team name is required");
            }
            if (name != null) name = Names.name(name, "name", NAME_MAX);
            Map<String, Boolean> notices = new HashMap<>();
            JsonNode members = body.get("members");
            if (members != null && members.isArray()) {
                for (JsonNode m : members) {
                    if (m.path("username").isTextual() && m.path("joinRequestNotifications").isBoolean()) {
                        notices.put(m.path("username").asText(), m.path("joinRequestNotifications").asBoolean());
                    }
                }
            }
            return new TeamUpdate(name, Names.url(optionalText(body, "logo"), "logo"),
                    Names.optional(optionalText(body, "description"), "description", Names.TEXT_MAX, false),
                    parseJoinMethod(body, null), parseVisibility(body, null), present, notices);
        }
    }

    /** PATCH …/actions/join/: username and action required; type join-response (default) or invite-response. */
    record JoinAnswer(String username, String action, String type, Team.Function role) {
        static JoinAnswer from(JsonNode body) {
            if (body == null || !body.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, "Request body must be a JSON object");
            String username = requiredText(body, "username");
            String action = requiredText(body, "action");
            String type = Optional.ofNullable(optionalText(body, "type")).orElse("join-response");
            return new JoinAnswer(username, action, type, function(body, Team.Function.MEMBER));
        }
    }

    /** POST …/actions/add/: username required; role MANAGER or MEMBER (default MEMBER). */
    record AddMember(String username, Team.Function role) {
        static AddMember from(JsonNode body) {
            if (body == null || !body.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, "Request body must be a JSON object");
            return new AddMember(requiredText(body, "username"), function(body, Team.Function.MEMBER));
        }
    }

    /** POST …/actions/leave/: the username to remove. */
    record Leave(String username) {
        static Leave from(JsonNode body) {
            if (body == null || !body.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, "Request body must be a JSON object");
            return new Leave(requiredText(body, "username"));
        }
    }

    /** POST and PATCH of a team's project role: {@code role} is a TeamRoles name. */
    record ProjectRole(TeamRole role) {
        static ProjectRole from(JsonNode body) {
            if (body == null || !body.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, "Request body must be a JSON object");
            String role = requiredText(body, "role").toUpperCase(Locale.ROOT);
            try {
                return new ProjectRole(TeamRole.valueOf(role));
            } catch (IllegalArgumentException e) {
                throw new ApiException(ErrorCode.INVALID_DATA, "Unknown team role: " + role);
            }
        }
    }

    /** The list filters of GET /teams/. */
    record Search(String teamName, Long member, Long manager, Long memberRequest, String teamRole, Long organisation,
                  boolean omitMembers, boolean fullMembers, boolean paginate, int page, int perPage) {}

    // ---- teams ----

    public long create(NewTeam req, User caller, Instant now) {
        Organisation org = orgs.get(req.organisationId()).orElse(null);
        if (!Permissions.canCreateTeam(caller, org)) {
            throw new ApiException(ErrorCode.CREATE_TEAM_NOT_PERMITTED);
        }
        if (org == null) throw new ApiException(ErrorCode.INVALID_DATA, "Organisation " + req.organisationId() + " does not exist");
        return teams.create(org.id(), req.name(), null, req.description(), req.joinMethod(), req.visibility(),
                caller.id(), now).id();
    }

    /** The TeamDetailsDTO; with {@code omitMembers} only the team's own fields. */
    public Map<String, Object> get(long teamId, User caller, boolean omitMembers) {
        Team t = team(teamId);
        Organisation org = orgs.get(t.organisationId()).orElse(null);
        Map<String, Object> dto = new LinkedHashMap<>();
        dto.put("teamId", t.id());
        dto.put("organisationId", t.organisationId());
        dto.put("organisation", org == null ? null : org.name());
        dto.put("organisationSlug", org == null ? null : org.slug());
        dto.put("name", t.name());
        dto.put("logo", org == null ? null : org.logo());
        dto.put("description", t.description());
        dto.put("joinMethod", t.joinMethod().name());
        dto.put("visibility", t.visibility().name());
        dto.put("is_org_admin", org != null && org.isManager(caller.id()));
        dto.put("is_general_admin", caller.isAdmin());
        dto.put("members", List.of());
        dto.put("team_projects", List.of());
        if (omitMembers) return dto;
        dto.put("members", memberDtos(teams.members(teamId), Integer.MAX_VALUE));
        dto.put("team_projects", teamProjects(teamId));
        return dto;
    }

    /** The team's roles on projects, {@code [{project_name, project_id, role}]}, as the reference: one Query and one BatchGetItem. */
    private List<Map<String, Object>> teamProjects(long teamId) {
        List<TeamStore.ProjectTeam> links = teams.projectsOfTeam(teamId);
        Map<Long, dev.tmserverless.core.domain.Project> byId = new HashMap<>();
        for (var s : projectStore.getAll(links.stream().map(TeamStore.ProjectTeam::projectId).distinct().toList())) {
            byId.put(s.project().id(), s.project());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (TeamStore.ProjectTeam l : links) {
            var p = byId.get(l.projectId());
            if (p == null) continue;
            var info = p.info(p.defaultLocale());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("project_name", info == null ? null : info.name());
            m.put("project_id", l.projectId());
            m.put("role", l.role().name());
            out.add(m);
        }
        return out;
    }

    /**
     * The TeamsListDTO. Each filter is answered from an index (the caller's, an organisation's or a user's
     * teams), never by reading every team unless no such filter is given.
     */
    public Map<String, Object> list(Search s, User caller) {
        Set<Long> ids = null;
        if (s.organisation() != null) ids = intersect(ids, new HashSet<>(teams.idsOfOrganisation(s.organisation())));
        if (s.member() != null) ids = intersect(ids, memberships(s.member(), true));
        if (s.memberRequest() != null) ids = intersect(ids, memberships(s.memberRequest(), false));
        if (s.manager() != null && s.manager() == caller.id()) {
            Set<Long> managed = teams.membershipsOf(caller.id()).stream().filter(TeamMember::isActiveManager)
                    .map(TeamMember::teamId).collect(Collectors.toCollection(HashSet::new));
            for (Organisation o : orgs.all()) if (o.isManager(caller.id())) managed.addAll(teams.idsOfOrganisation(o.id()));
            ids = intersect(ids, managed);
        }
        List<Team> found = new ArrayList<>(ids == null ? teams.all() : teams.getAll(ids));
        if (s.teamName() != null && !s.teamName().isBlank()) {
            String needle = s.teamName().toLowerCase(Locale.ROOT);
            found.removeIf(t -> !t.name().toLowerCase(Locale.ROOT).contains(needle));
        }
        TeamRole role = parseRole(s.teamRole());
        if (role != null) found.removeIf(t -> !hasProjectRole(t.id(), role));
        Set<Long> mine = teams.membershipsOf(caller.id()).stream().map(TeamMember::teamId).collect(Collectors.toSet());
        found.removeIf(t -> !Permissions.canSeeTeam(caller, t, mine.contains(t.id())));
        found.sort(Comparator.comparingLong(Team::id));
        int total = found.size();
        if (s.paginate()) {
            int from = Math.min(total, Math.max(0, (s.page() - 1) * s.perPage()));
            found = found.subList(from, Math.min(total, from + s.perPage()));
        }
        Map<Long, Organisation> orgOf = new HashMap<>();
        for (Team t : found) orgOf.computeIfAbsent(t.organisationId(), id -> orgs.get(id).orElse(null));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Team t : found) {
            Organisation org = orgOf.get(t.organisationId());
            Map<String, Object> dto = new LinkedHashMap<>();
            dto.put("teamId", t.id());
            dto.put("organisationId", t.organisationId());
            dto.put("organisation", org == null ? null : org.name());
            dto.put("name", t.name());
            dto.put("logo", org == null ? null : org.logo());
            dto.put("description", t.description());
            dto.put("joinMethod", t.joinMethod().name());
            dto.put("visibility", t.visibility().name());
            dto.put("members", List.of());
            dto.put("membersCount", null);
            dto.put("managersCount", null);
            if (!s.omitMembers()) {
                List<TeamMember> members = teams.members(t.id());
                dto.put("members", memberDtos(members, s.fullMembers() ? Integer.MAX_VALUE : 10));
                dto.put("membersCount", members.stream().filter(m -> m.function() == Team.Function.MEMBER).count());
                dto.put("managersCount", members.stream().filter(m -> m.function() == Team.Function.MANAGER).count());
            }
            out.add(dto);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("teams", out);
        body.put("pagination", s.paginate() ? pagination(total, s.page(), s.perPage()) : null);
        return body;
    }

    public void update(long teamId, TeamUpdate req, User caller) {
        Team t = team(teamId);
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.USER_NOT_TEAM_MANAGER);
        Team next = new Team(t.id(), t.organisationId(),
                req.present().contains("name") ? req.name().trim() : t.name(),
                req.present().contains("logo") ? req.logo() : t.logo(),
                req.present().contains("description") ? req.description() : t.description(),
                req.joinMethod() != null ? req.joinMethod() : t.joinMethod(),
                req.visibility() != null ? req.visibility() : t.visibility());
        if (!teams.update(next)) throw notFound(teamId);
        Boolean notices = req.joinRequestNotifications().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(caller.username())).map(Map.Entry::getValue).findFirst().orElse(null);
        if (notices != null) teams.setJoinRequestNotificationsWrite(teamId, caller.id(), notices);
    }

    public void delete(long teamId, User caller) {
        Team t = team(teamId);
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.USER_NOT_TEAM_MANAGER_DELETE);
        if (teams.hasProjects(teamId)) throw new ApiException(ErrorCode.TEAM_HAS_PROJECTS);
        teams.delete(t);
    }

    // ---- members ----

    /**
     * The caller asks to join: a team manager (admin, organisation manager) joins at once as a member; an ANY
     * team takes them at once, a BY_REQUEST team as a pending request; a BY_INVITE team refuses.
     */
    public void join(long teamId, User caller, Instant now) {
        Team t = team(teamId);
        if (teams.member(teamId, caller.id()).isPresent()) throw new ApiException(ErrorCode.TEAM_JOIN_INVALID);
        boolean manager = isTeamManager(t, caller);
        if (!manager && t.joinMethod() == Team.JoinMethod.BY_INVITE) {
            throw new ApiException(ErrorCode.TEAM_JOIN_INVALID, "Team join method is BY_INVITE");
        }
        boolean active = manager || t.joinMethod() == Team.JoinMethod.ANY;
        if (!teams.join(teamId, caller.id(), Team.Function.MEMBER, active, now)) {
            throw new ApiException(ErrorCode.TEAM_JOIN_INVALID);
        }
        // a request waits for the team's managers: those who asked for it are told (the reference's notice)
        if (!active) {
            for (TeamMember m : teams.members(teamId)) {
                if (m.isActiveManager() && m.joinRequestNotifications()) {
                    notify(dev.tmserverless.core.domain.Messages.joinRequest(m.userId(), caller, t.id(), t.name(), now));
                }
            }
        }
    }

    /** A team manager accepts (the request becomes an active membership) or rejects (it is deleted) a join request. */
    public void answerJoin(long teamId, JoinAnswer req, User caller, Instant now) {
        Team t = team(teamId);
        if (!"join-response".equals(req.type())) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Team invitations are not supported: only join-response");
        }
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.APPROVE_JOIN_ERROR);
        User u = userNamed(req.username());
        TeamMember m = teams.member(teamId, u.id()).orElseThrow(() -> new ApiException(ErrorCode.JOIN_REQUEST_NOT_FOUND,
                ErrorCode.JOIN_REQUEST_NOT_FOUND.message, Map.of("username", req.username())));
        switch (req.action()) {
            case "accept" -> teams.set(teamId, u.id(), m.function(), true, now);
            case "reject" -> remove(teamId, u.id());
            default -> throw new ApiException(ErrorCode.INVALID_DATA, "Invalid action type");
        }
        notify(dev.tmserverless.core.domain.Messages.joinAnswer(u.id(), caller, t.id(), t.name(), req.action(), now));
    }

    /** A team manager adds a user (or changes an existing member's function), active at once. */
    public void add(long teamId, AddMember req, User caller, Instant now) {
        Team t = team(teamId);
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.USER_NOT_TEAM_MANAGER);
        User u = userNamed(req.username());
        boolean wasMember = teams.member(teamId, u.id()).isPresent();
        try {
            teams.set(teamId, u.id(), req.role(), true, now);
        } catch (TeamStore.LastManager e) {
            throw new ApiException(ErrorCode.LAST_TEAM_MANAGER);
        }
        // a new member is told, as the reference does; a changed function is not
        if (!wasMember) {
            notify(dev.tmserverless.core.domain.Messages.addedToTeam(u.id(), caller, t.id(), t.name(), req.role().name(), now));
        }
    }

    /** A team manager removes a member, or a member leaves; the last active manager cannot go. */
    public void leave(long teamId, Leave req, User caller) {
        Team t = team(teamId);
        User u = userNamed(req.username());
        if (!Permissions.canRemoveFromTeam(caller, isTeamManager(t, caller), u)) {
            throw new ApiException(ErrorCode.REMOVE_USER_ERROR,
                    "You don't have permissions to remove " + req.username() + " from this team.");
        }
        if (!remove(teamId, u.id())) {
            throw new ApiException(ErrorCode.USER_NOT_IN_TEAM, ErrorCode.USER_NOT_IN_TEAM.message,
                    Map.of("username", req.username(), "team_id", teamId));
        }
    }

    /**
     * The team's pending join requests as CSV rows {@code Username,Date Joined (UTC),Team Name} (lines end in
     * CRLF, as Python's csv module writes them); empty when there are none. Team managers only.
     */
    public Optional<String> joinRequestsCsv(long teamId, User caller) {
        Team t = team(teamId);
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.USER_NOT_TEAM_MANAGER);
        List<TeamMember> pending = teams.members(teamId).stream().filter(m -> !m.active()).toList();
        if (pending.isEmpty()) return Optional.empty();
        Map<Long, User> byId = users.getAll(pending.stream().map(TeamMember::userId).toList());
        StringBuilder csv = new StringBuilder("Username,Date Joined (UTC),Team Name\r\n");
        var format = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
        for (TeamMember m : pending) {
            User u = byId.get(m.userId());
            if (u == null) continue;
            csv.append(csvField(u.username())).append(',')
                    .append(m.joined() == null ? "N/A" : format.format(m.joined())).append(',')
                    .append(csvField(t.name())).append("\r\n");
        }
        return Optional.of(csv.toString());
    }

    /** A CSV field quoted when it holds a comma, a quote or a line break (quotes doubled). */
    private static String csvField(String s) {
        if (s == null) return "";
        return s.matches("(?s).*[\",\r\n].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** A team manager's message to the team: {@code subject} and {@code message}, neither empty. */
    public record TeamMessage(String subject, String message) {
        static TeamMessage from(com.fasterxml.jackson.databind.JsonNode body) {
            var b = dev.tmserverless.aws.queue.BroadcastRequest.from(body);
            return new TeamMessage(b.subject(), b.message());
        }
    }

    /**
     * Queues a team manager's message to every other active member (TEAM_BROADCAST) for the messenger, after the
     * reference's checks: the team exists, the caller manages it (403 UserNotPermitted), the message is not empty
     * (400 InvalidData). Members who join before the messenger runs receive it too.
     */
    public void message(long teamId, TeamMessage m, User caller, Instant now) {
        Team t = team(teamId);
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.USER_NOT_PERMITTED, "Unauthorised to send message to team members");
        Message template = new Message(messages.nextId(), -1, Message.Type.TEAM_BROADCAST, Html.escape(m.subject()),
                dev.tmserverless.core.domain.Messages.teamBroadcast(t.id(), t.name(), caller.username(), m.message()),
                caller.id(), caller.username(), null, null, null, now, false);
        jobs.send(new MessageJobs.Job(MessageJobs.Audience.TEAM_MEMBERS, t.id(), template, caller.id(), -1));
    }

    /**
     * A team notice to one user, as the reference sends it: into the inbox, and by mail when the recipient's address
     * is verified and this deployment sends mail (docs/people.md "Notification settings"). Written after the
     * membership change: a crash in between loses the notice, never the change.
     */
    private void notify(Message m) {
        var profile = users.profile(m.toUserId()).orElse(null);
        dev.tmserverless.core.domain.Notify decision = profile == null ? dev.tmserverless.core.domain.Notify.INBOX_ONLY
                : dev.tmserverless.core.domain.Notify.of(m.type(), profile);
        if (!decision.inbox()) return;
        Message sent = messages.send(m);
        if (profile != null && decision.mailTo(profile)) mail.send(profile.user(), sent);
    }

    private boolean remove(long teamId, long userId) {
        try {
            return teams.remove(teamId, userId);
        } catch (TeamStore.LastManager e) {
            throw new ApiException(ErrorCode.LAST_TEAM_MANAGER);
        }
    }

    // ---- project roles ----

    /** ListTeamsDTO of a project: {@code teams [{teamId, name, role}]}. */
    public Map<String, Object> projectTeams(long projectId, User caller) {
        projects.visible(projectId, caller);
        List<Map<String, Object>> out = projects.teams(projectId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("teams", out);
        body.put("pagination", null);
        return body;
    }

    /** A manager of the team who is also PM of the project gives the team a role on it. */
    public void assign(long projectId, long teamId, ProjectRole req, User caller) {
        Team t = team(teamId);
        if (!isTeamManager(t, caller)) throw new ApiException(ErrorCode.TEAM_USER_PERMISSION_ERROR);
        if (!projects.load(projectId, caller).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        teams.assign(projectId, teamId, req.role());
    }

    /** A PM of the project changes the role of a team on it. */
    public void changeRole(long teamId, long projectId, ProjectRole req, User caller) {
        if (!projects.load(projectId, caller).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        team(teamId);
        if (!teams.changeRole(projectId, teamId, req.role())) throw new ApiException(ErrorCode.TEAM_NOT_ON_PROJECT);
    }

    /** A PM of the project takes a team off it. */
    public void unassign(long teamId, long projectId, User caller) {
        if (!projects.load(projectId, caller).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        if (!teams.unassign(projectId, teamId)) throw new ApiException(ErrorCode.TEAM_NOT_ON_PROJECT);
    }

    // ---- helpers ----

    private Team team(long id) {
        return teams.get(id).orElseThrow(() -> notFound(id));
    }

    private boolean isTeamManager(Team t, User caller) {
        Organisation org = orgs.get(t.organisationId()).orElse(null);
        return Permissions.canManageTeam(caller, org, teams.member(t.id(), caller.id()).orElse(null));
    }

    private Set<Long> memberships(long userId, boolean active) {
        return teams.membershipsOf(userId).stream().filter(m -> m.active() == active).map(TeamMember::teamId)
                .collect(Collectors.toSet());
    }

    private boolean hasProjectRole(long teamId, TeamRole role) {
        return teams.rolesOfTeam(teamId).contains(role);
    }

    private List<Map<String, Object>> memberDtos(List<TeamMember> members, int perFunction) {
        Map<Long, User> byId = users.getAll(members.stream().map(TeamMember::userId).toList());
        List<Map<String, Object>> out = new ArrayList<>();
        Map<Team.Function, Integer> taken = new HashMap<>();
        for (TeamMember m : members) {
            User u = byId.get(m.userId());
            if (u == null) continue;
            if (taken.merge(m.function(), 1, Integer::sum) > perFunction) continue;
            Map<String, Object> dto = new LinkedHashMap<>();
            dto.put("username", u.username());
            dto.put("function", m.function().name());
            dto.put("active", m.active());
            dto.put("joinRequestNotifications", m.joinRequestNotifications());
            dto.put("pictureUrl", u.pictureUrl());
            dto.put("joinedDate", m.joined() == null ? null : m.joined().toString());
            out.add(dto);
        }
        return out;
    }

    private User userNamed(String username) {
        return users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
    }

    private static Set<Long> intersect(Set<Long> a, Set<Long> b) {
        if (a == null) return b;
        a.retainAll(b);
        return a;
    }

    /** An unknown team_role value filters nothing, as in the reference. */
    private static TeamRole parseRole(String s) {
        if (s == null) return null;
        try {
            return TeamRole.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, Object> pagination(int total, int page, int perPage) {
        return dev.tmserverless.core.dto.Pagination.of(page, perPage, total);
    }

    static ApiException notFound(long id) {
        return new ApiException(ErrorCode.TEAM_NOT_FOUND, ErrorCode.TEAM_NOT_FOUND.message, Map.of("team_id", id));
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw Fields.schema(field, "Input should be a valid string", "string_type");
        return v.asText();
    }

    private static String requiredText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "'" + field + "'");
        }
        return v.asText().trim();
    }

    private static Team.JoinMethod parseJoinMethod(JsonNode body, Team.JoinMethod dflt) {
        String v = optionalText(body, "joinMethod");
        if (v == null) return dflt;
        try {
            return Team.JoinMethod.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Fields.schema("joinMethod", "Value error, Unknown teamJoinMethod: " + v
                    + ". Valid values are: ANY, BY_INVITE, BY_REQUEST", "value_error");
        }
    }

    private static Team.Visibility parseVisibility(JsonNode body, Team.Visibility dflt) {
        String v = optionalText(body, "visibility");
        if (v == null) return dflt;
        try {
            return Team.Visibility.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Fields.schema("visibility", "Value error, Unknown teamVisibility: " + v
                    + ". Valid values are: PUBLIC, PRIVATE", "value_error");
        }
    }

    private static Team.Function function(JsonNode body, Team.Function dflt) {
        String v = optionalText(body, "role");
        if (v == null) return dflt;
        try {
            return Team.Function.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Invalid TeamMemberFunction");
        }
    }
}
