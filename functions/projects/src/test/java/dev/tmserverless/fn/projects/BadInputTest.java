package dev.tmserverless.fn.projects;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.RouteFuzz;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route of the projects function answers bad input with a 4xx, never a 500 (RouteFuzz). */
class BadInputTest {
    @Test
    void noRouteAnswersBadInputWithA500() {
        try (Isolated.Applied env = Emulators.shared().isolated("projects-fuzz").applyAsSystemProperties();
             ProjectsFunction fn = new ProjectsFunction()) {
            assertThat(RouteFuzz.internalErrors(fn, Resources.PROJECTS)).isEmpty();
        }
    }
}
