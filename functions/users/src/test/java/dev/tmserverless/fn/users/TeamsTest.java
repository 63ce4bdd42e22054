package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The team routes and project-team roles against dynalite; each test makes its own users and teams. */
class TeamsTest {
    static final AtomicInteger N = new AtomicInteger();
    static Isolated.Applied env;
    static UsersFunction fn;
    static Fixture fx;
    static TeamStore teams;
    static User admin;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-teams").applyAsSystemProperties();
        fn = new UsersFunction();
        fx = new Fixture(fn.getApplicationContext());
        teams = fn.getApplicationContext().getBean(TeamStore.class);
        admin = fx.users.upsertOnLogin(8_000_000, "team-admin", null, null, true, Instant.now());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static User user(String name) { return fx.user(name + "-" + N.incrementAndGet()); }

    static Organisation org(User manager) {
        return fx.orgs.create("Team Org " + N.incrementAndGet(), "team-org-" + N.get(), "https://l.test/o.png", null,
                null, "FREE", List.of(manager.id()));
    }

    static long createTeam(User caller, Organisation org, String join, String visibility) {
        var a = post(fn, "/api/v2/teams/", token(caller.id()), "{\"organisation_id\": " + org.id()
                + ", \"name\": \"Team " + N.incrementAndGet() + "\", \"joinMethod\": \"" + join
                + "\", \"visibility\": \"" + visibility + "\"}");
        assertThat(a.status()).as("%s", a.json()).isEqualTo(201);
        return a.json().path("teamId").asLong();
    }

    @Test
    void organisationManagersCreateTeamsOthersAreRefused() {
        User om = user("om");
        User other = user("other");
        Organisation org = org(om);
        long id = createTeam(om, org, "ANY", "PUBLIC");
        var refused = post(fn, "/api/v2/teams/", token(other.id()), "{\"organisation_id\": " + org.id()
                + ", \"name\": \"X\", \"visibility\": \"PUBLIC\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("SubCode").asText()).isEqualTo("CreateTeamNotPermitted");

        var dto = get(fn, "/api/v2/teams/" + id + "/", token(om.id()));
        assertThat(dto.status()).isEqualTo(200);
        assertThat(dto.json().path("organisation").asText()).isEqualTo(org.name());
        assertThat(dto.json().path("joinMethod").asText()).isEqualTo("ANY");
        assertThat(dto.json().path("members").get(0).path("username").asText()).isEqualTo(om.username());
        assertThat(dto.json().path("members").get(0).path("function").asText()).isEqualTo("MANAGER");
        assertThat(get(fn, "/api/v2/teams/99999999/", token(om.id())).json().path("error").path("sub_code").asText())
                .isEqualTo("TEAM_NOT_FOUND");
    }

    @Test
    void joinByRequestIsPendingUntilAManagerAcceptsAndTheListFiltersFollow() {
        User om = user("om");
        User joiner = user("joiner");
        long id = createTeam(om, org(om), "BY_REQUEST", "PUBLIC");
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/join/", token(joiner.id()), "").status()).isEqualTo(200);
        var again = post(fn, "/api/v2/teams/" + id + "/actions/join/", token(joiner.id()), "");
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().path("SubCode").asText()).isEqualTo("InvalidRequest");
        assertThat(ids(get(fn, "/api/v2/teams/?omitMemberList=true&member=" + joiner.id(), token(joiner.id())))).isEmpty();

        var notManager = call(fn, "PATCH", "/api/v2/teams/" + id + "/actions/join/", token(joiner.id()),
                "{\"username\": \"" + joiner.username() + "\", \"action\": \"accept\"}");
        assertThat(notManager.json().path("SubCode").asText()).isEqualTo("ApproveJoinError");
        var accept = call(fn, "PATCH", "/api/v2/teams/" + id + "/actions/join/", token(om.id()),
                "{\"username\": \"" + joiner.username() + "\", \"action\": \"accept\"}");
        assertThat(accept.status()).as("%s", accept.json()).isEqualTo(200);
        assertThat(ids(get(fn, "/api/v2/teams/?omitMemberList=true&member=" + joiner.id(), token(joiner.id()))))
                .containsExactly(id);
        // the organisation manager manages the team without being in it as a manager
        assertThat(ids(get(fn, "/api/v2/teams/?omitMemberList=true&manager=" + om.id(), token(om.id())))).contains(id);
        assertThat(ids(get(fn, "/api/v2/teams/?omitMemberList=true&manager=" + joiner.id(), token(joiner.id())))).isEmpty();
    }

    static List<dev.tmserverless.core.domain.Message> notices(User u, dev.tmserverless.core.domain.Message.Type type) {
        return fn.getApplicationContext().getBean(dev.tmserverless.aws.store.MessageStore.class).inbox(u.id()).stream()
                .filter(m -> m.type() == type).toList();
    }

    @Test
    void managersWhoAskAreToldOfJoinRequestsAndUsersOfAnswersAndAdditions() {
        var request = dev.tmserverless.core.domain.Message.Type.REQUEST_TEAM_NOTIFICATION;
        User om = user("om");
        User early = user("early");
        User asker = user("asker");
        User refused = user("refused");
        User added = user("added");
        long id = createTeam(om, org(om), "BY_REQUEST", "PUBLIC");
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/join/", token(early.id()), "").status()).isEqualTo(200);
        assertThat(notices(om, request)).isEmpty();

        // the web frontend's switch: the team's PATCH with the manager's own entry among the members
        var on = call(fn, "PATCH", "/api/v2/teams/" + id + "/", token(om.id()), "{\"members\": [{\"username\": \""
                + om.username() + "\", \"function\": \"MANAGER\", \"active\": true, \"joinRequestNotifications\": true},"
                + " {\"username\": \"" + early.username() + "\", \"function\": \"MANAGER\", \"active\": true}]}");
        assertThat(on.status()).as("%s", on.json()).isEqualTo(200);
        var members = get(fn, "/api/v2/teams/" + id + "/", token(om.id())).json().path("members");
        for (var m : members) {
            boolean isOm = m.path("username").asText().equals(om.username());
            assertThat(m.path("joinRequestNotifications").asBoolean()).as(m.toString()).isEqualTo(isOm);
            // the rest of a members list changes nobody
            if (!isOm) assertThat(m.path("active").asBoolean()).isFalse();
        }

        post(fn, "/api/v2/teams/" + id + "/actions/join/", token(asker.id()), "");
        post(fn, "/api/v2/teams/" + id + "/actions/join/", token(refused.id()), "");
        assertThat(notices(om, request)).hasSize(2);
        assertThat(notices(om, request).get(0).subject()).contains(asker.username()).contains("requested to join");

        call(fn, "PATCH", "/api/v2/teams/" + id + "/actions/join/", token(om.id()),
                "{\"username\": \"" + asker.username() + "\", \"action\": \"accept\"}");
        call(fn, "PATCH", "/api/v2/teams/" + id + "/actions/join/", token(om.id()),
                "{\"username\": \"" + refused.username() + "\", \"action\": \"reject\"}");
        assertThat(notices(asker, request)).singleElement().satisfies(m -> assertThat(m.subject()).contains("has been accepted"));
        assertThat(notices(refused, request)).singleElement().satisfies(m -> assertThat(m.subject()).contains("has been rejected"));

        // a verified address also gets the notice by mail (the SES stand-in here), as the reference mails it
        String address = fx.mailboxWrite(added, true, java.util.Map.of());
        var invitation = dev.tmserverless.core.domain.Message.Type.INVITATION_NOTIFICATION;
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/add/", token(om.id()), "{\"username\": \"" + added.username() + "\"}")
                .status()).isEqualTo(200);
        assertThat(notices(added, invitation)).singleElement().satisfies(m -> assertThat(m.message()).contains("as MEMBER"));
        assertThat(Emulators.shared().mail().to(address)).hasSize(1);
        // changing a member's function is no new membership
        post(fn, "/api/v2/teams/" + id + "/actions/add/", token(om.id()), "{\"username\": \"" + added.username() + "\", \"role\": \"MANAGER\"}");
        assertThat(notices(added, invitation)).hasSize(1);
    }

    @Test
    void teamNamesAndDescriptionsHaveCaps() {
        User om = user("om");
        Organisation org = org(om);
        var tooLong = post(fn, "/api/v2/teams/", token(om.id()), "{\"organisation_id\": " + org.id() + ", \"name\": \""
                + "n".repeat(513) + "\", \"visibility\": \"PUBLIC\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().path("SubCode").asText()).isEqualTo("InvalidData");
        long id = createTeam(om, org, "ANY", "PUBLIC");
        var longText = call(fn, "PATCH", "/api/v2/teams/" + id + "/", token(om.id()), "{\"description\": \"" + "d".repeat(2001) + "\"}");
        assertThat(longText.status()).isEqualTo(400);
        var badLogo = call(fn, "PATCH", "/api/v2/teams/" + id + "/", token(om.id()), "{\"logo\": \"javascript:alert(1)\"}");
        assertThat(badLogo.status()).isEqualTo(400);
        var dto = get(fn, "/api/v2/teams/" + id + "/", token(om.id())).json();
        assertThat(dto.path("description").isNull()).isTrue();
    }

    @Test
    void joinRequestsDownloadAsCsvForTeamManagersOnly() {
        User om = user("om");
        User asker = user("asker");
        long id = createTeam(om, org(om), "BY_REQUEST", "PUBLIC");
        var none = get(fn, "/api/v2/teams/join_requests/?team_id=" + id, token(om.id()));
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().path("message").asText()).isEqualTo("No inactive members found for the specified team");
        post(fn, "/api/v2/teams/" + id + "/actions/join/", token(asker.id()), "");
        var csv = get(fn, "/api/v2/teams/join_requests/?team_id=" + id, token(om.id()));
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.headers().get("content-disposition")).startsWith("attachment; filename=\"join_requests_" + id + "_");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).isEqualTo("Username,Date Joined (UTC),Team Name");
        assertThat(lines[1]).startsWith(asker.username() + ",").matches(".*,\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,Team \\d+");
        assertThat(get(fn, "/api/v2/teams/join_requests/?team_id=" + id, token(asker.id())).json().path("SubCode").asText())
                .isEqualTo("UserNotTeamManager");
        assertThat(get(fn, "/api/v2/teams/join_requests/", token(om.id())).status()).isEqualTo(422);
    }

    @Test
    void byInviteTeamsRefuseJoinsAndPrivateTeamsAreHiddenFromOutsiders() {
        User om = user("om");
        User outsider = user("outsider");
        Organisation org = org(om);
        long id = createTeam(om, org, "BY_INVITE", "PRIVATE");
        var join = post(fn, "/api/v2/teams/" + id + "/actions/join/", token(outsider.id()), "");
        assertThat(join.status()).isEqualTo(400);
        assertThat(ids(get(fn, "/api/v2/teams/?organisation=" + org.id(), token(outsider.id())))).isEmpty();
        assertThat(ids(get(fn, "/api/v2/teams/?organisation=" + org.id(), token(om.id())))).containsExactly(id);
        assertThat(ids(get(fn, "/api/v2/teams/?organisation=" + org.id(), token(admin.id())))).containsExactly(id);
    }

    @Test
    void theLastManagerCannotLeaveAndOnlyManagersRemoveOthers() {
        User om = user("om");
        User creator = user("creator");
        User member = user("member");
        Organisation org = org(om);
        long id = createTeam(om, org, "ANY", "PUBLIC");
        post(fn, "/api/v2/teams/" + id + "/actions/join/", token(member.id()), "");
        var removeOther = post(fn, "/api/v2/teams/" + id + "/actions/leave/", token(member.id()),
                "{\"username\": \"" + om.username() + "\"}");
        assertThat(removeOther.status()).isEqualTo(403);
        assertThat(removeOther.json().path("SubCode").asText()).isEqualTo("RemoveUserError");
        var last = post(fn, "/api/v2/teams/" + id + "/actions/leave/", token(om.id()), "{\"username\": \"" + om.username() + "\"}");
        assertThat(last.status()).isEqualTo(403);
        assertThat(last.json().path("Error").asText()).isEqualTo("A team must keep at least one manager");
        var add = post(fn, "/api/v2/teams/" + id + "/actions/add/", token(om.id()),
                "{\"username\": \"" + creator.username() + "\", \"role\": \"MANAGER\"}");
        assertThat(add.status()).as("%s", add.json()).isEqualTo(200);
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/leave/", token(om.id()),
                "{\"username\": \"" + om.username() + "\"}").status()).isEqualTo(200);
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/leave/", token(member.id()),
                "{\"username\": \"" + member.username() + "\"}").status()).isEqualTo(200);
        var gone = post(fn, "/api/v2/teams/" + id + "/actions/leave/", token(creator.id()),
                "{\"username\": \"" + member.username() + "\"}");
        assertThat(gone.json().path("error").path("sub_code").asText()).isEqualTo("USER_NOT_IN_TEAM");
    }

    /** Two managers removed at once from a team of two: exactly one removal passes, one manager remains. */
    @Test
    void concurrentRemovalsNeverLeaveATeamWithoutManagers() throws Exception {
        var pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                User a = user("ma");
                User b = user("mb");
                Team t = teams.create(org(a).id(), "Race " + N.incrementAndGet(), null, null, Team.JoinMethod.ANY,
                        Team.Visibility.PUBLIC, a.id(), Instant.now());
                teams.set(t.id(), b.id(), Team.Function.MANAGER, true, Instant.now());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (User u : List.of(a, b)) {
                    Callable<Boolean> remove = () -> {
                        go.await();
                        try {
                            return teams.remove(t.id(), u.id());
                        } catch (TeamStore.LastManager e) {
                            return false;
                        }
                    };
                    results.add(pool.submit(remove));
                }
                go.countDown();
                int removed = 0;
                for (Future<Boolean> f : results) if (f.get()) removed++;
                assertThat(removed).as("round %d", round).isEqualTo(1);
                assertThat(teams.members(t.id()).stream().filter(m -> m.isActiveManager()).count()).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void projectTeamRolesGrantMappingValidationAndManagement() {
        User om = user("om");
        User mapper = user("teammapper");
        Organisation org = org(om);
        Project p = fx.project(om, ProjectStatus.PUBLISHED, 4);
        long id = createTeam(om, org, "ANY", "PUBLIC");
        post(fn, "/api/v2/teams/" + id + "/actions/join/", token(mapper.id()), "");
        var access = fn.getApplicationContext().getBean(ProjectAccess.class);
        assertThat(access.load(p.id(), mapper).membership().roles()).isEmpty();

        var bad = post(fn, "/api/v2/projects/" + p.id() + "/teams/" + id + "/", token(mapper.id()), "{\"role\": \"MAPPER\"}");
        assertThat(bad.status()).isEqualTo(403);
        assertThat(bad.json().path("SubCode").asText()).isEqualTo("UserPermissionError");
        var assign = post(fn, "/api/v2/projects/" + p.id() + "/teams/" + id + "/", token(om.id()), "{\"role\": \"VALIDATOR\"}");
        assertThat(assign.status()).as("%s", assign.json()).isEqualTo(201);
        var listed = get(fn, "/api/v2/projects/" + p.id() + "/teams/", token(mapper.id()));
        assertThat(listed.json().path("teams").get(0).path("teamId").asLong()).isEqualTo(id);
        assertThat(listed.json().path("teams").get(0).path("role").asText()).isEqualTo("VALIDATOR");
        assertThat(access.load(p.id(), mapper).membership().roles()).containsExactly(TeamRole.VALIDATOR);
        assertThat(access.load(p.id(), mapper).pm()).isFalse();
        assertThat(ids(get(fn, "/api/v2/teams/?omitMemberList=true&team_role=VALIDATOR&organisation=" + org.id(),
                token(om.id())))).containsExactly(id);
        // the team's page lists its projects with their names and the team's role, as the reference
        var teamDto = get(fn, "/api/v2/teams/" + id + "/", token(om.id())).json();
        assertThat(teamDto.path("team_projects")).hasSize(1);
        assertThat(teamDto.path("team_projects").get(0).path("project_id").asLong()).isEqualTo(p.id());
        assertThat(teamDto.path("team_projects").get(0).path("project_name").asText()).isEqualTo("Test");
        assertThat(teamDto.path("team_projects").get(0).path("role").asText()).isEqualTo("VALIDATOR");

        var change = call(fn, "PATCH", "/api/v2/projects/" + id + "/projects/" + p.id() + "/", token(om.id()),
                "{\"role\": \"PROJECT_MANAGER\"}");
        assertThat(change.status()).as("%s", change.json()).isEqualTo(201);
        assertThat(access.load(p.id(), mapper).pm()).isTrue();

        var inUse = call(fn, "DELETE", "/api/v2/teams/" + id + "/", token(om.id()), null);
        assertThat(inUse.status()).isEqualTo(400);
        assertThat(call(fn, "DELETE", "/api/v2/projects/" + id + "/projects/" + p.id() + "/", token(om.id()), null)
                .status()).isEqualTo(200);
        assertThat(access.load(p.id(), mapper).membership().roles()).isEmpty();
        assertThat(call(fn, "DELETE", "/api/v2/teams/" + id + "/", token(om.id()), null).status()).isEqualTo(200);
    }

    @Test
    void theOrganisationShowsItsTeamsAndCannotBeDeletedWhileItHasAny() {
        User om = user("om");
        User outsider = user("outsider");
        Organisation org = org(om);
        long open = createTeam(om, org, "ANY", "PUBLIC");
        long hidden = createTeam(om, org, "ANY", "PRIVATE");
        var managerView = get(fn, "/api/v2/organisations/" + org.id() + "/", token(om.id()));
        List<Long> seen = new ArrayList<>();
        managerView.json().path("teams").forEach(t -> seen.add(t.path("teamId").asLong()));
        assertThat(seen).containsExactly(open, hidden);
        var first = managerView.json().path("teams").get(0);
        assertThat(first.path("joinMethod").asText()).isEqualTo("ANY");
        assertThat(first.path("members").get(0).path("function").asText()).isEqualTo("MANAGER");
        assertThat(first.path("members").get(0).path("active").asText()).isEqualTo("true");
        var outsiderView = get(fn, "/api/v2/organisations/" + org.id() + "/", token(outsider.id()));
        assertThat(outsiderView.json().path("teams")).hasSize(1);
        assertThat(outsiderView.json().path("teams").get(0).path("teamId").asLong()).isEqualTo(open);

        var delete = call(fn, "DELETE", "/api/v2/organisations/" + org.id() + "/", token(om.id()), null);
        assertThat(delete.status()).isEqualTo(403);
        assertThat(delete.json().path("SubCode").asText()).isEqualTo("OrgHasProjects");
    }

    @Test
    void aTeamManagersMessageReachesEveryOtherActiveMember() {
        User om = user("om");
        User member = user("member");
        long id = createTeam(om, org(om), "ANY", "PUBLIC");
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/join/", token(member.id()), "{}").status()).isEqualTo(200);
        var messages = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.MessageStore.class);
        var a = post(fn, "/api/v2/teams/" + id + "/actions/message-members/", token(om.id()),
                "{\"subject\": \"Mapathon\", \"message\": \"See you <b>tonight</b>\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("Success").asText()).isEqualTo("Message sent successfully");
        // queued: the messenger delivers it
        assertThat(messages.inbox(member.id())).isEmpty();
        try (Deliveries d = new Deliveries(fn.getApplicationContext())) {
            assertThat(d.drain()).isEqualTo(1);
        }
        var inbox = messages.inbox(member.id());
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0).type()).isEqualTo(dev.tmserverless.core.domain.Message.Type.TEAM_BROADCAST);
        assertThat(inbox.get(0).subject()).isEqualTo("Mapathon");
        assertThat(inbox.get(0).message()).contains("manager of").contains("See you &lt;b&gt;tonight&lt;/b&gt;");
        assertThat(messages.inbox(om.id())).isEmpty();
        // a member who does not manage the team, and an empty message, are refused
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/message-members/", token(member.id()),
                "{\"subject\": \"s\", \"message\": \"m\"}").json().path("SubCode").asText()).isEqualTo("UserNotPermitted");
        assertThat(post(fn, "/api/v2/teams/" + id + "/actions/message-members/", token(om.id()),
                "{\"subject\": \" \", \"message\": \"m\"}").json().path("SubCode").asText()).isEqualTo("InvalidData");
        assertThat(messages.inbox(member.id())).hasSize(1);
    }

    static List<Long> ids(dev.tmserverless.testing.Api.Answer a) {
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        List<Long> out = new ArrayList<>();
        a.json().path("teams").forEach(t -> out.add(t.path("teamId").asLong()));
        return out;
    }
}
