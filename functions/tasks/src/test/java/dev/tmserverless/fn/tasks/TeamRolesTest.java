package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.tmserverless.testing.Api.call;
import static org.assertj.core.api.Assertions.assertThat;

/** The tasks function decides with the caller's real team roles on a TEAMS project. */
class TeamRolesTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static TeamStore teams;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-team-roles").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        teams = fn.getApplicationContext().getBean(TeamStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String token(long userId) {
        return dev.tmserverless.core.auth.SessionTokens.header(
                new dev.tmserverless.core.auth.SessionTokens(Emulators.TOKEN_SECRET).issue(userId, Instant.now()));
    }

    static String lock(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/lock-for-mapping/" + t + "/"; }

    @Test
    void onlyActiveMembersOfAMappingTeamMayMapATeamsProject() throws Exception {
        User pm = fx.user("pm");
        User mapper = fx.user("teammapper");
        Project p0 = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        ObjectNode doc = Json.MAPPER.valueToTree(p0);
        doc.put("mappingPermission", "TEAMS");
        Project p = Json.MAPPER.treeToValue(doc, Project.class);
        assertThat(fx.projects.update(p, fx.projects.get(p.id()).orElseThrow().version())).isTrue();

        assertThat(call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null).subCode())
                .isEqualTo("MappingNotAllowed.USER_NOT_TEAM_MEMBER");
        Team t = teams.create(p.organisationId(), "Mappers " + p.id(), null, null, Team.JoinMethod.BY_REQUEST,
                Team.Visibility.PUBLIC, pm.id(), Instant.now());
        teams.assign(p.id(), t.id(), TeamRole.MAPPER);
        // a pending join request grants nothing
        teams.join(t.id(), mapper.id(), Team.Function.MEMBER, false, Instant.now());
        assertThat(call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null).subCode())
                .isEqualTo("MappingNotAllowed.USER_NOT_TEAM_MEMBER");
        teams.set(t.id(), mapper.id(), Team.Function.MEMBER, true, Instant.now());
        assertThat(call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null).status()).isEqualTo(200);
    }

    static String stop(long p, int t) { return "/api/v2/projects/" + p + "/tasks/actions/stop-mapping/" + t + "/"; }

    /**
     * The same warm function, asked again after the team's link or the membership changed: the reads it batches
     * from what it saw of the project last time are checked against the fresh ones, so nothing it saw grants again.
     */
    @Test
    void aWarmFunctionDecidesOnTheTeamsAsTheyAreNow() throws Exception {
        User pm = fx.user("pm");
        User mapper = fx.user("warmteammapper");
        Project p0 = fx.project(pm, ProjectStatus.PUBLISHED, 2);
        ObjectNode doc = Json.MAPPER.valueToTree(p0);
        doc.put("mappingPermission", "TEAMS");
        Project p = Json.MAPPER.treeToValue(doc, Project.class);
        assertThat(fx.projects.update(p, fx.projects.get(p.id()).orElseThrow().version())).isTrue();
        Team t = teams.create(p.organisationId(), "Warm mappers " + p.id(), null, null, Team.JoinMethod.BY_REQUEST,
                Team.Visibility.PUBLIC, pm.id(), Instant.now());
        teams.assign(p.id(), t.id(), TeamRole.MAPPER);
        teams.join(t.id(), mapper.id(), Team.Function.MEMBER, true, Instant.now());
        String token = token(mapper.id());
        for (int i = 0; i < 2; i++) { // the second round is decided on what the first one saw of the project
            assertThat(call(fn, "POST", lock(p.id(), 1), token, null).status()).isEqualTo(200);
            assertThat(call(fn, "POST", stop(p.id(), 1), token, "{}").status()).isEqualTo(200);
        }
        teams.set(t.id(), mapper.id(), Team.Function.MEMBER, false, Instant.now());
        assertThat(call(fn, "POST", lock(p.id(), 1), token, null).subCode()).isEqualTo("MappingNotAllowed.USER_NOT_TEAM_MEMBER");
        teams.set(t.id(), mapper.id(), Team.Function.MEMBER, true, Instant.now());
        assertThat(call(fn, "POST", lock(p.id(), 1), token, null).status()).isEqualTo(200);
        assertThat(call(fn, "POST", stop(p.id(), 1), token, "{}").status()).isEqualTo(200);
        teams.unassign(p.id(), t.id());
        assertThat(call(fn, "POST", lock(p.id(), 1), token, null).subCode()).isEqualTo("MappingNotAllowed.USER_NOT_TEAM_MEMBER");
    }

    /** Likewise for the organisation: a manager of the project's former organisation manages it no more. */
    @Test
    void aWarmFunctionDecidesOnTheProjectsOrganisationAsItIsNow() throws Exception {
        User author = fx.user("author");
        User manager = fx.user("orgmanager");
        var orgs = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.OrgStore.class);
        long n = System.nanoTime();
        var managed = orgs.create("Managed " + n, "managed-" + n, null, null, null, "FREE", java.util.List.of(manager.id()));
        var other = orgs.create("Other " + n, "other-" + n, null, null, null, "FREE", java.util.List.of());
        Project p = fx.project(author, ProjectStatus.DRAFT, java.util.List.of(new dev.tmserverless.aws.store.TaskStore.NewTask(
                dev.tmserverless.core.domain.Task.ready(0, 1, 1011, 1399, 11, true), null)), null, managed.id(), false, java.util.List.of());
        String token = token(manager.id());
        for (int i = 0; i < 2; i++) { // a draft: only its managers may map it
            assertThat(call(fn, "POST", lock(p.id(), 1), token, null).status()).isEqualTo(200);
            assertThat(call(fn, "POST", stop(p.id(), 1), token, "{}").status()).isEqualTo(200);
        }
        ObjectNode doc = Json.MAPPER.valueToTree(fx.projects.get(p.id()).orElseThrow().project());
        doc.put("organisationId", other.id());
        assertThat(fx.projects.update(Json.MAPPER.treeToValue(doc, Project.class), fx.projects.get(p.id()).orElseThrow().version())).isTrue();
        assertThat(call(fn, "POST", lock(p.id(), 1), token, null).subCode()).isEqualTo("ProjectNotPublished");
    }
}
