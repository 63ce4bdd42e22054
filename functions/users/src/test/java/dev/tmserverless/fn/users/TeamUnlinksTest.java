package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Team managers take teams off projects; a project never loses its last team of a role it depends on. */
class TeamUnlinksTest {
    static final AtomicInteger N = new AtomicInteger();
    static Isolated.Applied env;
    static UsersFunction fn;
    static Fixture fx;
    static TeamStore teams;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-unlinks").applyAsSystemProperties();
        fn = new UsersFunction();
        fx = new Fixture(fn.getApplicationContext());
        teams = fn.getApplicationContext().getBean(TeamStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static Organisation org(User manager) {
        int n = N.incrementAndGet();
        return fx.orgs.create("Unlink Org " + n, "unlink-org-" + n, null, null, null, null, List.of(manager.id()));
    }

    static long team(Organisation org) {
        return teams.create(org.id(), "Unlink Team " + N.incrementAndGet(), null, null,
                dev.tmserverless.core.domain.Team.JoinMethod.ANY, dev.tmserverless.core.domain.Team.Visibility.PUBLIC,
                org.managers().get(0), java.time.Instant.now()).id();
    }

    @Test
    void aTeamManagerUnlinksOneTeamButNotTheLastProjectManagerTeam() {
        User om = fx.user("unlink-om");
        User mapper = fx.user("unlink-mapper");
        Organisation org = org(om);
        Project p = fx.project(om, ProjectStatus.PUBLISHED, 1);
        long pmTeam = team(org);
        long mappers = team(org);
        teams.assign(p.id(), pmTeam, TeamRole.PROJECT_MANAGER);
        teams.assign(p.id(), mappers, TeamRole.MAPPER);
        String path = "/api/v2/teams/projects/" + p.id() + "/teams/";

        assertThat(call(fn, "DELETE", path + mappers + "/", token(mapper.id()), null).json().path("SubCode").asText())
                .isEqualTo("UserPermissionError");
        var last = call(fn, "DELETE", path + pmTeam + "/", token(om.id()), null);
        assertThat(last.status()).isEqualTo(403);
        assertThat(last.json().path("SubCode").asText()).isEqualTo("ProjectManagementPermissionError");
        var ok = call(fn, "DELETE", path + mappers + "/", token(om.id()), null);
        assertThat(ok.status()).as("%s", ok.json()).isEqualTo(200);
        assertThat(ok.json().path("Success").asBoolean()).isTrue();
        assertThat(teams.teamsOfProject(p.id())).extracting(TeamStore.ProjectTeam::teamId).containsExactly(pmTeam);
        var again = call(fn, "DELETE", path + mappers + "/", token(om.id()), null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().path("SubCode").asText()).isEqualTo("NotFoundError");
    }

    @Test
    void aBulkUnlinkChecksEveryPairBeforeWritingAny() {
        User om = fx.user("unlink-om2");
        Organisation org = org(om);
        Project a = fx.project(om, ProjectStatus.PUBLISHED, 1);
        Project b = fx.project(om, ProjectStatus.PUBLISHED, 1);
        long t1 = team(org);
        long t2 = team(org);
        long pm = team(org);
        teams.assign(a.id(), t1, TeamRole.MAPPER);
        teams.assign(b.id(), t2, TeamRole.VALIDATOR);
        teams.assign(b.id(), pm, TeamRole.PROJECT_MANAGER);
        // the second pair is b's only project-manager team: nothing is unlinked
        String refused = "{\"items\": [{\"project_id\": " + a.id() + ", \"team_id\": " + t1 + "}, {\"project_id\": " + b.id()
                + ", \"team_id\": " + pm + "}]}";
        assertThat(call(fn, "DELETE", "/api/v2/teams/projects/unlink", token(om.id()), refused).status()).isEqualTo(403);
        assertThat(teams.teamsOfProject(a.id())).hasSize(1);
        assertThat(call(fn, "DELETE", "/api/v2/teams/projects/unlink", token(om.id()), "{\"items\": []}").json().path("SubCode").asText())
                .isEqualTo("InvalidRequest");
        String fine = "{\"items\": [{\"project_id\": " + a.id() + ", \"team_id\": " + t1 + "}, {\"project_id\": " + b.id()
                + ", \"team_id\": " + t2 + "}, {\"project_id\": " + a.id() + ", \"team_id\": " + t1 + "}]}";
        var done = call(fn, "DELETE", "/api/v2/teams/projects/unlink", token(om.id()), fine);
        assertThat(done.status()).as("%s", done.json()).isEqualTo(200);
        assertThat(done.json().path("Message").asText())
                .isEqualTo("Unlinked teams: (project " + a.id() + ", team " + t1 + "), (project " + b.id() + ", team " + t2 + ")");
        assertThat(teams.teamsOfProject(a.id())).isEmpty();
        assertThat(teams.teamsOfProject(b.id())).extracting(TeamStore.ProjectTeam::teamId).containsExactly(pm);

        // one team off every project it is on
        Project c = fx.project(om, ProjectStatus.PUBLISHED, 1);
        teams.assign(a.id(), t1, TeamRole.VALIDATOR);
        teams.assign(c.id(), t1, TeamRole.MAPPER);
        var everywhere = call(fn, "DELETE", "/api/v2/teams/projects/teams/" + t1 + "/unlink", token(om.id()), null);
        assertThat(everywhere.status()).as("%s", everywhere.json()).isEqualTo(200);
        assertThat(teams.projectsOfTeam(t1)).isEmpty();
        assertThat(call(fn, "DELETE", "/api/v2/teams/projects/teams/" + t1 + "/unlink", token(om.id()), null).status()).isEqualTo(404);
    }
}
