package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tmserverless.core.catalogue.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP API's route table (no CDK involved): two ANY routes per catalogue mount. */
class ApiRoutesTest {

    @Test
    void everyMountHasAnExactAndAGreedyRouteToItsFunction() {
        List<ApiRoutes.ApiRoute> routes = ApiRoutes.all();
        assertThat(routes).hasSize(2 * Resources.MOUNTS.size());
        for (Resources.Mount m : Resources.MOUNTS) {
            assertThat(routes).contains(new ApiRoutes.ApiRoute("ANY", m.path(), m.function()),
                    new ApiRoutes.ApiRoute("ANY", m.path() + "/{proxy+}", m.function()));
        }
        assertThat(routes).allSatisfy(r -> assertThat(r.path()).startsWith("/").doesNotEndWith("/"));
    }

    @Test
    void theRouteCountDoesNotGrowWithTheApi() {
        // a thousand more API routes under the existing mounts change nothing at the gateway
        List<Resources.Route> many = new ArrayList<>(Resources.ROUTES);
        for (int i = 0; i < 1000; i++) many.add(new Resources.Route("GET", Resources.V2 + "/users/extra" + i, Resources.USERS));
        assertThat(ApiRoutes.of(Resources.MOUNTS, many)).hasSameSizeAs(ApiRoutes.all());
    }

    @Test
    void mountMistakesAreCaughtAtSynthTime() {
        List<Resources.Route> none = List.of();
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Mount("/a/", "x")), none)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Mount("a", "x")), none)).hasMessageContaining("starts with");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Mount("/a/{p+}", "x")), none)).hasMessageContaining("greedy");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Mount("/a", "x"), new Resources.Mount("/a", "y")), none))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Mount("/a/{id}/b", "x"),
                new Resources.Mount("/a/{projectId}/c", "y")), none)).hasMessageContaining("path variable");
    }

    @Test
    void aRouteThatNoMountOfItsFunctionReachesIsCaughtAtSynthTime() {
        List<Resources.Mount> mounts = List.of(new Resources.Mount("/a", "x"), new Resources.Mount("/a/{id}/b", "y"));
        assertThatThrownBy(() -> ApiRoutes.of(mounts, List.of(new Resources.Route("GET", "/c", "x"))))
                .hasMessageContaining("no mount");
        assertThatThrownBy(() -> ApiRoutes.of(mounts, List.of(new Resources.Route("GET", "/a/{id}/b/d", "x"))))
                .hasMessageContaining("the mount of y");
        assertThat(ApiRoutes.of(mounts, List.of(new Resources.Route("GET", "/a/{id}/c", "x")))).hasSize(4);
    }

    @Test
    void moreRoutesThanTheQuotaAreRefused() {
        List<Resources.Mount> mounts = new ArrayList<>();
        for (int i = 0; i < 151; i++) mounts.add(new Resources.Mount("/m" + i, "x"));
        assertThatThrownBy(() -> ApiRoutes.of(mounts, List.of())).hasMessageContaining("quota");
    }
}
