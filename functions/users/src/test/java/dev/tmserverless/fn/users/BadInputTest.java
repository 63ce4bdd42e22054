package dev.tmserverless.fn.users;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import dev.tmserverless.testing.RouteFuzz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Every route of the users function answers bad input with a 4xx, never a 500 (RouteFuzz). */
class BadInputTest {
    static Isolated.Applied env;
    static UsersFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-fuzz").applyAsSystemProperties();
        fn = new UsersFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void noRouteAnswersBadInputWithA500() {
        User u = fx.user("fuzzer");
        Project p = fx.project(u, ProjectStatus.PUBLISHED, 2);
        long org = fx.orgs.create("Fuzz", "fz", null, null, null, null, java.util.List.of(u.id())).id();
        Map<String, String> ids = Map.of("projectId", Long.toString(p.id()), "taskId", "1",
                "organisationId", Long.toString(org), "username", u.username());
        assertThat(RouteFuzz.internalErrors(fn, Resources.USERS, ids, token(u.id()))).isEmpty();
    }
}
