package dev.tmserverless.core.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The HTTP API forwards path prefixes to functions; every route must reach its own function that way. */
class MountsTest {
    private final Router gateway = new Router(Resources.gatewayRoutes());

    @Test
    void everyCatalogueRouteReachesItsFunctionWithAndWithoutTheTrailingSlash() {
        for (Resources.Route r : Routes.ALL) {
            String sample = r.path().replaceAll("\\{[^}]+}", "12");
            for (String path : List.of(sample, sample + "/")) {
                assertThat(gateway.match(r.method(), path)).as(r.routeKey() + " via " + path)
                        .hasValueSatisfying(m -> assertThat(m.route().function()).isEqualTo(r.function()));
            }
        }
    }

    @Test
    void theTasksMountIsMoreSpecificThanTheProjectsMount() {
        assertThat(gateway.match("GET", Resources.V2 + "/projects/5/tasks/").orElseThrow().route().function())
                .isEqualTo(Resources.TASKS);
        assertThat(gateway.match("GET", Resources.V2 + "/projects/5/").orElseThrow().route().function())
                .isEqualTo(Resources.PROJECTS);
        assertThat(gateway.match("GET", Resources.V2 + "/projects/").orElseThrow().route().function())
                .isEqualTo(Resources.PROJECTS);
        assertThat(gateway.match("GET", Resources.V2 + "/elsewhere/")).isEmpty();
    }

    @Test
    void theWorkflowsOddPathsReachTheTasksFunction() {
        // a username where its siblings have a project id: the tasks mount takes it, whatever the segment
        assertThat(gateway.match("GET", Resources.V2 + "/projects/ana_maps/tasks/queries/own/invalidated/").orElseThrow()
                .route().function()).isEqualTo(Resources.TASKS);
        // a user's tasks live with the tasks; the rest of a user's paths stay with the users function
        assertThat(gateway.match("GET", Resources.V2 + "/users/42/tasks/").orElseThrow().route().function())
                .isEqualTo(Resources.TASKS);
        assertThat(gateway.match("GET", Resources.V2 + "/users/queries/tasks/locked/").orElseThrow().route().function())
                .isEqualTo(Resources.TASKS);
        assertThat(gateway.match("GET", Resources.V2 + "/users/42/statistics/").orElseThrow().route().function())
                .isEqualTo(Resources.USERS);
        assertThat(gateway.match("GET", Resources.V2 + "/users/42/").orElseThrow().route().function())
                .isEqualTo(Resources.USERS);
    }

    @Test
    void fullParityFitsTheHttpApiRouteQuota() throws Exception {
        List<String[]> reference;
        try (var in = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(getClass().getResourceAsStream("/reference-routes.txt")), StandardCharsets.UTF_8))) {
            reference = in.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split(" ")).toList();
        }
        assertThat(reference).hasSize(193);
        for (String[] r : reference) {
            String path = r[1].replaceAll("\\{[^}]+}", "7");
            assertThat(gateway.match(r[0], path)).as(r[0] + " " + r[1]).isPresent();
        }
        // two HTTP API routes per mount, whatever the number of API routes behind them; the default quota is 300
        assertThat(Resources.gatewayRoutes()).hasSize(2 * Resources.MOUNTS.size()).hasSizeLessThanOrEqualTo(300);
    }
}
