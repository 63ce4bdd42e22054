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
}
