package dev.tmserverless.fn.projects;

import dev.tmserverless.aws.store.ProjectSearchIndex;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SnapStart priming of the projects function (docs/search.md "Cold start"): before the snapshot it searches once,
 * so the snapshot holds the search index loaded and a restored instance's first search reads only what changed
 * since; priming writes nothing.
 */
class PrimingTest {
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("projects-priming").applyAsSystemProperties();
        // every search checks for changes, as one does after a restore (the snapshot is older than the interval)
        System.setProperty("TM_SEARCH_REFRESH_MS", "0");
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("TM_SEARCH_REFRESH_MS");
        fn.close();
        env.close();
    }

    @Test
    void primingLoadsTheSearchIndexAndARestoredInstanceSeesLaterChanges() {
        User pm = fx.user("pm");
        Project before = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        ProjectSearchIndex index = fn.getApplicationContext().getBean(ProjectSearchIndex.class);
        assertThat(index.held()).as("nothing loaded before priming").isNull();
        long items = fx.itemCount();

        Map<String, Integer> answered = fn.prime();

        assertThat(answered).containsEntry("GET /api/v2/projects", 200);
        assertThat(answered.values()).as("nothing failed or answered 500").allMatch(s -> s > 0 && s < 500);
        assertThat(fx.itemCount()).as("priming wrote nothing").isEqualTo(items);
        assertThat(index.held()).as("the index is in the instance, so in its snapshot").isNotNull();
        assertThat(index.held().row(before.id())).isNotNull();

        // after the restore: a project published since the snapshot is found by the first search
        Project after = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        var found = Api.call(fn, "GET", "/api/v2/projects/?omitMapResults=true", null, null);
        assertThat(found.status()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        found.json().path("results").forEach(r -> ids.add(r.path("projectId").asLong()));
        assertThat(ids).contains(before.id(), after.id());
    }
}
