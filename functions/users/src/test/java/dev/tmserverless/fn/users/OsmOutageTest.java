package dev.tmserverless.fn.users;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tmserverless.fn.users.Http.callback;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow, stalled or absent OpenStreetMap: the callback answers 502 within its deadline, never 500 and never
 * a hung Lambda. A local server plays the slow OSM; the deadline is shortened to 300 ms.
 */
class OsmOutageTest {
    enum Mode { HANG_TOKEN, STALL_TOKEN_BODY, HANG_DETAILS }

    static final AtomicReference<Mode> MODE = new AtomicReference<>();
    static ExecutorService executor;
    static HttpServer slowOsm;
    static Isolated.Applied env;
    static UsersFunction fn;

    @BeforeAll
    static void start() throws IOException {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        slowOsm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        slowOsm.setExecutor(executor);
        slowOsm.createContext("/", OsmOutageTest::handle);
        slowOsm.start();
        env = Emulators.shared().isolated("users-outage").applyAsSystemProperties();
        System.setProperty("TM_OSM_URL", "http://127.0.0.1:" + slowOsm.getAddress().getPort());
        System.setProperty("TM_OSM_TIMEOUT_MS", "300");
        fn = new UsersFunction();
    }

    @AfterAll
    static void stop() {
        fn.close();
        System.clearProperty("TM_OSM_TIMEOUT_MS");
        env.close();
        slowOsm.stop(0);
        executor.shutdownNow();
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Mode mode = MODE.get();
            if (path.equals("/oauth2/token")) {
                exchange.getRequestBody().readAllBytes();
                if (mode == Mode.HANG_TOKEN) sleep();
                byte[] body = ("{\"access_token\":\"slow\",\"token_type\":\"Bearer\",\"scope\":\"read_prefs\","
                        + "\"created_at\":1}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                if (mode == Mode.STALL_TOKEN_BODY) {
                    // headers at once, then half the body and silence
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body, 0, body.length / 2);
                    exchange.getResponseBody().flush();
                    sleep();
                }
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else {
                sleep();
                exchange.sendResponseHeaders(500, -1);
            }
        }
    }

    static void sleep() {
        try {
            Thread.sleep(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aTokenEndpointThatDoesNotAnswerIsATokenFetchError() {
        MODE.set(Mode.HANG_TOKEN);
        long t0 = System.nanoTime();
        var a = callback(fn, "any-code");
        assertThat(a.status()).isEqualTo(502);
        assertThat(a.subCode()).isEqualTo("TokenFetchError");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void aTokenAnswerThatStallsHalfWayIsATokenFetchError() {
        MODE.set(Mode.STALL_TOKEN_BODY);
        long t0 = System.nanoTime();
        var a = callback(fn, "any-code");
        assertThat(a.status()).isEqualTo(502);
        assertThat(a.subCode()).isEqualTo("TokenFetchError");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void userDetailsThatDoNotAnswerAreAnOsmServiceError() {
        MODE.set(Mode.HANG_DETAILS);
        long t0 = System.nanoTime();
        var a = callback(fn, "any-code");
        assertThat(a.status()).isEqualTo(502);
        assertThat(a.subCode()).isEqualTo("OSMServiceError");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void accountDetailsThatDoNotAnswerAreAnOsmServiceError() {
        MODE.set(Mode.HANG_DETAILS);
        var users = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.UserStore.class);
        users.upsertOnLogin(7_300_001, "slow-account", null, null, false, java.time.Instant.now());
        long t0 = System.nanoTime();
        var a = Http.get(fn, "/api/v2/users/slow-account/openstreetmap/", Http.token(7_300_001));
        assertThat(a.status()).isEqualTo(502);
        assertThat(a.subCode()).isEqualTo("OSMServiceError");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void anUnreachableOsmIsATokenFetchError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String previous = System.setProperty("TM_OSM_URL", "http://127.0.0.1:" + closedPort);
        try (UsersFunction offline = new UsersFunction()) {
            var a = callback(offline, "any-code");
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.subCode()).isEqualTo("TokenFetchError");
        } finally {
            System.setProperty("TM_OSM_URL", previous);
        }
    }
}
