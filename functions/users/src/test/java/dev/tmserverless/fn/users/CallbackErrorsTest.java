package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.OsmStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.fn.users.Http.authorize;
import static dev.tmserverless.fn.users.Http.callback;
import static dev.tmserverless.fn.users.Http.enc;
import static dev.tmserverless.fn.users.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

/** Every refusal of the login callback, using the OSM stand-in's fault hooks. */
class CallbackErrorsTest {
    static Isolated isolated;
    static Isolated.Applied env;
    static UsersFunction fn;
    static UserStore users;

    @BeforeAll
    static void start() {
        isolated = Emulators.shared().isolated("users-callback");
        env = isolated.applyAsSystemProperties();
        fn = new UsersFunction();
        users = fn.getApplicationContext().getBean(UserStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @AfterEach
    void clearFaults() {
        isolated.osm().clearFaults();
    }

    @Test
    void aMissingCodeIsInvalidData() {
        for (String path : new String[]{"/api/v2/system/authentication/callback/", "/api/v2/system/authentication/callback?code="}) {
            var a = get(fn, path, null);
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.subCode()).isEqualTo("InvalidData");
            assertThat(a.error()).isEqualTo("Missing code parameter");
        }
    }

    @Test
    void anUnknownUsedOrMismatchedCodeIsAnInvalidGrant() {
        var bogus = callback(fn, "not-a-code");
        assertThat(bogus.status()).isEqualTo(400);
        assertThat(bogus.subCode()).isEqualTo("InvalidGrantError");

        String code = authorize(fn, "grace");
        assertThat(callback(fn, code).status()).isEqualTo(200);
        var reused = callback(fn, code);
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.subCode()).isEqualTo("InvalidGrantError");

        String other = authorize(fn, "heidi");
        var mismatch = get(fn, "/api/v2/system/authentication/callback/?code=" + enc(other) + "&redirect_uri="
                + enc("https://elsewhere.test/authorized"), null);
        assertThat(mismatch.subCode()).isEqualTo("InvalidGrantError");
        assertThat(users.byUsername("heidi")).isEmpty();
    }

    @Test
    void noAccessTokenIsATokenFetchError() {
        OsmStandIn.Fault[] faults = {OsmStandIn.Fault.status(500), OsmStandIn.Fault.status(503),
                OsmStandIn.Fault.noAccessToken(), OsmStandIn.Fault.notJson(), OsmStandIn.Fault.status(401)};
        for (OsmStandIn.Fault fault : faults) {
            String code = authorize(fn, "ivan");
            isolated.osm().failToken(fault);
            var a = callback(fn, code);
            assertThat(a.status()).as("token answer %s", fault).isEqualTo(502);
            assertThat(a.subCode()).isEqualTo("TokenFetchError");
            isolated.osm().clearFaults();
        }
        assertThat(users.byUsername("ivan")).isEmpty();
    }

    @Test
    void userDetailsOtherThan200IsAnOsmServiceError() {
        for (int status : new int[]{401, 403, 500, 504}) {
            String code = authorize(fn, "judy");
            isolated.osm().failDetails(OsmStandIn.Fault.status(status));
            var a = callback(fn, code);
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.subCode()).isEqualTo("OSMServiceError");
            isolated.osm().clearFaults();
        }
        assertThat(users.byUsername("judy")).isEmpty();
    }

    @Test
    void anUnusableUserDocumentIsAnAuthError() {
        OsmStandIn.Fault[] faults = {OsmStandIn.Fault.emptyJson(), OsmStandIn.Fault.notJson(),
                new OsmStandIn.Fault(200, "application/json", "{\"user\":{\"id\":\"12\",\"display_name\":\"x\"}}"),
                new OsmStandIn.Fault(200, "application/json", "{\"user\":{\"id\":12,\"display_name\":\"  \"}}"),
                new OsmStandIn.Fault(200, "application/json", "[]")};
        for (OsmStandIn.Fault fault : faults) {
            String code = authorize(fn, "mallory");
            isolated.osm().failDetails(fault);
            var a = callback(fn, code);
            assertThat(a.status()).as("details answer %s", fault.body()).isEqualTo(502);
            assertThat(a.subCode()).isEqualTo("AuthError");
            isolated.osm().clearFaults();
        }
        assertThat(users.byUsername("mallory")).isEmpty();
    }
}
