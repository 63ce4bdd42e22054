package dev.tmserverless.fn.projects;

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
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The project DTO and summary list the project's teams with their roles. */
class ProjectTeamsTest {
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("project-teams").applyAsSystemProperties();
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void projectAndSummaryListTeamsWithTheirRoles() {
        User pm = fx.user("pm");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        TeamStore teams = fn.getApplicationContext().getBean(TeamStore.class);
        Team t = teams.create(p.organisationId(), "Validators " + p.id(), null, null, Team.JoinMethod.ANY,
                Team.Visibility.PUBLIC, pm.id(), Instant.now());
        assertThat(call(fn, "GET", "/api/v2/projects/" + p.id() + "/", token(pm.id()), null).json().path("teams")).isEmpty();
        teams.assign(p.id(), t.id(), TeamRole.VALIDATOR);
        for (String path : new String[] {"/api/v2/projects/" + p.id() + "/", "/api/v2/projects/" + p.id() + "/queries/summary/"}) {
            var a = call(fn, "GET", path, token(pm.id()), null);
            assertThat(a.status()).as(path).isEqualTo(200);
            assertThat(a.json().path("teams")).hasSize(1);
            assertThat(a.json().path("teams").get(0).path("teamId").asLong()).isEqualTo(t.id());
            assertThat(a.json().path("teams").get(0).path("name").asText()).isEqualTo(t.name());
            assertThat(a.json().path("teams").get(0).path("role").asText()).isEqualTo("VALIDATOR");
        }
    }
}
