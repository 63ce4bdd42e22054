package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.OsmStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Instant;

import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /users/{username}/openstreetmap/: the account's OSM details, asked of the OSM stand-in. */
class OsmDetailsTest {
    static Isolated.Applied env;
    static UsersFunction fn;
    static UserStore users;
    static OsmStandIn osm;
    static User caller;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-osm-details").applyAsSystemProperties();
        fn = new UsersFunction();
        users = fn.getApplicationContext().getBean(UserStore.class);
        osm = Emulators.shared().osm();
        caller = users.upsertOnLogin(7_200_001, "details-caller", null, null, false, Instant.now());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static User account(String username, int changesets) {
        int id = osm.addAccount(username, changesets);
        return users.upsertOnLogin(id, username, null, null, false, Instant.now());
    }

    static String path(String username) {
        return "/api/v2/users/" + username + "/openstreetmap/";
    }

    @Test
    void answersWhenTheAccountWasCreatedAndItsChangesetCount() {
        account("Olga-OSM", 1234);
        var a = get(fn, path("olga-osm"), token(caller.id()));
        assertThat(a.status()).as("%s", a.json()).isEqualTo(200);
        assertThat(a.json().fieldNames()).toIterable().containsExactly("accountCreated", "changesetCount");
        assertThat(a.json().path("accountCreated").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(a.json().path("changesetCount").asLong()).isEqualTo(1234);
    }

    @Test
    void needsASignedInCallerAndAKnownUser() {
        account("anon-target", 1);
        var anonymous = get(fn, path("anon-target"), null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.subCode()).isEqualTo("InvalidToken");
        var unknown = get(fn, path("nobody-at-all"), token(caller.id()));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.structuredSubCode()).isEqualTo("USER_NOT_FOUND");
    }

    @Test
    void anAccountOsmDoesNotKnowOrHasDeletedIsA502() {
        users.upsertOnLogin(OsmStandIn.userId("never-at-osm"), "never-at-osm", null, null, false, Instant.now());
        var unknown = get(fn, path("never-at-osm"), token(caller.id()));
        assertThat(unknown.status()).isEqualTo(502);
        assertThat(unknown.subCode()).isEqualTo("OSMServiceError");
        assertThat(unknown.error()).isEqualTo("Bad response from OSM");
        account("deleted-at-osm", 5);
        osm.deleteAccount("deleted-at-osm");
        var gone = get(fn, path("deleted-at-osm"), token(caller.id()));
        assertThat(gone.status()).isEqualTo(502);
        assertThat(gone.subCode()).isEqualTo("OSMServiceError");
        assertThat(gone.error()).isEqualTo("User no longer exists on OSM");
    }

    @Test
    void anUnreachableOsmIsA502() throws IOException {
        account("offline-target", 2);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String previous = System.setProperty("TM_OSM_URL", "http://127.0.0.1:" + closedPort);
        try (UsersFunction offline = new UsersFunction()) {
            var a = get(offline, path("offline-target"), token(caller.id()));
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.subCode()).isEqualTo("OSMServiceError");
        } finally {
            System.setProperty("TM_OSM_URL", previous);
        }
    }
}
