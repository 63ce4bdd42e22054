package dev.tmserverless.fn.users;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.RouteFuzz;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route of the users function answers bad input with a 4xx, never a 500 (RouteFuzz). */
class BadInputTest {
    @Test
    void noRouteAnswersBadInputWithA500() {
        try (Isolated.Applied env = Emulators.shared().isolated("users-fuzz").applyAsSystemProperties();
             UsersFunction fn = new UsersFunction()) {
            assertThat(RouteFuzz.internalErrors(fn, Resources.USERS)).isEmpty();
        }
    }
}
