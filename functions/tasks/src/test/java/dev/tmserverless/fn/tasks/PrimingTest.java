package dev.tmserverless.fn.tasks;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SnapStart priming (docs/performance.md): what the function runs before its snapshot goes through the mapping
 * actions' reads, is refused, and writes nothing; the function then answers as usual.
 */
class PrimingTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-priming").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void primingRunsTheMappingActionsAsNobodyAndWritesNothing() {
        long before = fx.itemCount();

        Map<String, Integer> answered = fn.prime();

        String id = Integer.toString(Integer.MAX_VALUE);
        assertThat(answered).containsEntry("POST /api/v2/projects/" + id + "/tasks/actions/lock-for-mapping/" + id, 401)
                .containsEntry("POST /api/v2/projects/" + id + "/tasks/actions/unlock-after-mapping/" + id, 401)
                .containsEntry("POST /api/v2/projects/" + id + "/tasks/actions/stop-mapping/" + id, 401)
                .containsEntry("DynamoDB GetItem", 404);
        assertThat(answered.values()).as("nothing failed or answered 500").allMatch(s -> s > 0 && s < 500);
        assertThat(fx.itemCount()).as("priming wrote nothing").isEqualTo(before);

        // and the primed function works as before
        User mapper = fx.user("primed");
        Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 1);
        var lock = call(fn, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/1/", token(mapper.id()), null);
        assertThat(lock.status()).isEqualTo(200);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().status()).isEqualTo(TaskStatus.LOCKED_FOR_MAPPING);
    }
}
