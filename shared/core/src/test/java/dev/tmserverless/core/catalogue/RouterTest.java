package dev.tmserverless.core.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    static final Resources.Route PARAM = new Resources.Route("GET", "/things/{id}", "a");
    static final Resources.Route LITERAL = new Resources.Route("GET", "/things/special", "b");
    static final Resources.Route NESTED = new Resources.Route("GET", "/things/{id}/parts/{part}", "c");
    static final Resources.Route NESTED_LITERAL_LATER = new Resources.Route("GET", "/things/{id}/parts/all", "d");
    static final Resources.Route GREEDY = new Resources.Route("GET", "/files/{path+}", "e");
    static final Resources.Route ANY = new Resources.Route("ANY", "/things/{id}", "f");
    static final Resources.Route POST = new Resources.Route("POST", "/things", "g");
    final Router router = new Router(List.of(PARAM, LITERAL, NESTED, NESTED_LITERAL_LATER, GREEDY, ANY, POST));

    @Test
    void trailingSlashIsOptional() {
        assertThat(router.match("GET", "/things/7").orElseThrow().route()).isEqualTo(PARAM);
        assertThat(router.match("GET", "/things/7/").orElseThrow().route()).isEqualTo(PARAM);
        assertThat(router.match("POST", "/things/").orElseThrow().route()).isEqualTo(POST);
        assertThat(router.match("POST", "/things").orElseThrow().route()).isEqualTo(POST);
    }

    @Test
    void aLiteralSegmentBeatsAParameter() {
        assertThat(router.match("GET", "/things/special").orElseThrow().route()).isEqualTo(LITERAL);
        assertThat(router.match("GET", "/things/special/").orElseThrow().route()).isEqualTo(LITERAL);
        assertThat(router.match("GET", "/things/specials").orElseThrow().route()).isEqualTo(PARAM);
        assertThat(router.match("GET", "/things/3/parts/all").orElseThrow().route()).isEqualTo(NESTED_LITERAL_LATER);
        assertThat(router.match("GET", "/things/3/parts/9").orElseThrow().pathParameters())
                .isEqualTo(Map.of("id", "3", "part", "9"));
    }

    @Test
    void anExactMethodBeatsAnyAndOtherMethodsFallToAny() {
        assertThat(router.match("GET", "/things/1").orElseThrow().route()).isEqualTo(PARAM);
        assertThat(router.match("DELETE", "/things/1").orElseThrow().route()).isEqualTo(ANY);
        assertThat(router.match("DELETE", "/things")).isEmpty();
    }

    @Test
    void parametersAreDecodedAndEmptySegmentsDoNotMatch() {
        assertThat(router.match("GET", "/things/John%20Doe%2Bx").orElseThrow().pathParameters())
                .containsEntry("id", "John Doe+x");
        assertThat(router.match("GET", "/things/a+b").orElseThrow().pathParameters()).containsEntry("id", "a+b");
        assertThat(router.match("GET", "/things//parts/1")).isEmpty();
        assertThat(router.match("GET", "/nothing")).isEmpty();
        assertThat(router.match("GET", "/")).isEmpty();
    }

    @Test
    void greedyParameterTakesTheRest() {
        assertThat(router.match("GET", "/files/a/b/c.txt").orElseThrow().pathParameters())
                .isEqualTo(Map.of("path", "a/b/c.txt"));
        assertThat(router.match("GET", "/files")).isEmpty();
    }

    @Test
    void everyCatalogueRouteMatchesItselfWithAndWithoutTrailingSlash() {
        Router catalogue = new Router(Resources.ROUTES);
        for (Resources.Route route : Resources.ROUTES) {
            String concrete = route.path().replaceAll("\\{[^}]+}", "12");
            assertThat(catalogue.match(route.method(), concrete).orElseThrow().route()).isEqualTo(route);
            assertThat(catalogue.match(route.method(), concrete + "/").orElseThrow().route()).isEqualTo(route);
        }
        Router.Match lock = catalogue.match("POST",
                Resources.V2 + "/projects/5/tasks/actions/lock-for-mapping/17/").orElseThrow();
        assertThat(lock.route()).isEqualTo(Routes.LOCK_FOR_MAPPING);
        assertThat(lock.pathParameters()).isEqualTo(Map.of("projectId", "5", "taskId", "17"));
    }

    @Test
    void aPathWithOtherMethodsOnlyIsKnownForA405() {
        assertThat(router.matchesPath("/things")).isTrue();
        assertThat(router.match("DELETE", "/things")).isEmpty();
        assertThat(router.matchesPath("/nothing")).isFalse();
    }
}
