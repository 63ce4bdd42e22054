package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tmserverless.core.catalogue.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route table (no CDK involved): catalogue routes plus one trailing-slash variant each. */
class ApiRoutesTest {

    @Test
    void everyCatalogueRouteAndItsTrailingSlashVariantGoToTheSameFunction() {
        List<ApiRoutes.ApiRoute> routes = ApiRoutes.all();
        assertThat(routes).hasSize(2 * Resources.ROUTES.size());
        for (Resources.Route r : Resources.ROUTES) {
            assertThat(routes).contains(new ApiRoutes.ApiRoute(r.method(), r.path(), r.function(), false));
            assertThat(routes).contains(new ApiRoutes.ApiRoute(r.method(), r.path() + "/{proxy+}", r.function(), true));
        }
    }

    @Test
    void noRouteKeyEndsWithASlashBecauseApiGatewayRefusesThem() {
        assertThat(ApiRoutes.all()).allSatisfy(r -> assertThat(r.path()).startsWith("/").doesNotEndWith("/"));
    }

    @Test
    void mostSpecificGreedyVariantBelongsToTheRouteThatOwnsTheSlashPath() {
        // "GET /projects/5/tasks/" is caught by several greedy variants; the longest (most specific) must be the
        // tasks route's own. For every route, no other function's variant is longer and also matches its slash path.
        for (Resources.Route r : Resources.ROUTES) {
            String slashPath = r.path() + "/";
            ApiRoutes.ApiRoute best = ApiRoutes.all().stream()
                    .filter(v -> v.trailingSlashVariant() && v.method().equals(r.method()))
                    .filter(v -> matchesAsGreedy(v.path(), slashPath))
                    .max((a, b) -> Integer.compare(a.path().length(), b.path().length()))
                    .orElseThrow();
            assertThat(best.function()).as(r.routeKey()).isEqualTo(r.function());
            assertThat(best.path()).isEqualTo(r.path() + "/" + ApiRoutes.GREEDY);
        }
    }

    /** Does {@code prefix/{proxy+}} catch {@code path} (segment-wise, variables match any one segment)? */
    private static boolean matchesAsGreedy(String variantPath, String path) {
        String[] v = variantPath.substring(1, variantPath.length() - ("/" + ApiRoutes.GREEDY).length()).split("/");
        String[] p = path.substring(1).split("/", -1);
        if (p.length <= v.length) return false;
        for (int i = 0; i < v.length; i++) {
            if (!(v[i].startsWith("{") || v[i].equals(p[i]))) return false;
        }
        return true;
    }

    @Test
    void catalogueMistakesAreCaughtAtSynthTime() {
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Route("GET", "/a/", "x"))))
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Route("GET", "a", "x"))))
                .hasMessageContaining("starts with");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Route("GET", "/a/{p+}", "x"))))
                .hasMessageContaining("greedy");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Route("GET", "/a", "x"), new Resources.Route("GET", "/a", "y"))))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Route("GET", "/a/{id}", "x"),
                new Resources.Route("POST", "/a/{projectId}/b", "y"))))
                .hasMessageContaining("path variable");
        assertThatThrownBy(() -> ApiRoutes.of(List.of(new Resources.Route("FETCH", "/a", "x"))))
                .hasMessageContaining("method");
    }
}
