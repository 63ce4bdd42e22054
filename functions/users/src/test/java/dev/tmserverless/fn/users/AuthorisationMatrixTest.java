package dev.tmserverless.fn.users;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.AuthMatrix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route of the users function × every kind of caller × every kind of project answers as its row in
 * {@code AuthRows} says (allowed, or the refusal's status and SubCode); and every route of the catalogue has a row.
 */
class AuthorisationMatrixTest {
    @Test
    void everyCellAnswersAsItsPolicySays() {
        try (Isolated.Applied env = Emulators.shared().isolated("users-authz").applyAsSystemProperties();
             UsersFunction fn = new UsersFunction()) {
            assertThat(AuthMatrix.mismatches(fn, Resources.USERS)).isEmpty();
        }
    }
}
