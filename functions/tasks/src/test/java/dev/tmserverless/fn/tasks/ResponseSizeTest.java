package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.tmserverless.testing.Api.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Big answers through the real handler and the real S3 emulator: gzip when the client accepts it, and a 303 to a
 * hand-over link when the body would not fit in a Lambda response (the limit is lowered here to make that cheap).
 * Every link is followed the way Python's urllib and {@code curl --location-trusted} follow it: resending the
 * caller's {@code Authorization} header, which S3 (and s3rver, which enforces the same rule) refuses beside a
 * signed link.
 */
class ResponseSizeTest {
    static final String LIMIT = "TM_MAX_INLINE_RESPONSE_BYTES";
    static final Map<String, String> GZIP = Map.of("accept-encoding", "gzip, deflate, br");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Isolated.Applied env;
    static TasksFunction fn;
    static Project p;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("responses").applyAsSystemProperties();
        fn = new TasksFunction();
        Fixture fx = new Fixture(fn.getApplicationContext());
        p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, 200);
    }

    @AfterEach
    void defaultLimit() {
        System.clearProperty(LIMIT);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String tasksPath() { return "/api/v2/projects/" + p.id() + "/tasks/"; }

    /** The caller's header, resent on the redirect. */
    static final String AUTHORIZATION = "Token dGhlIGNhbGxlcidzIHNlc3Npb24gdG9rZW4=";

    static HttpResponse<byte[]> follow(Api.Answer a) throws Exception {
        assertThat(a.status()).isEqualTo(303);
        assertThat(a.body()).isNullOrEmpty();
        return get(URI.create(a.headers().get("location")));
    }

    static HttpResponse<byte[]> get(URI link) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(link).header("Authorization", AUTHORIZATION).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aClientThatResendsItsAuthorizationGetsTheDocumentWhereASignedS3LinkIsRefused() throws Exception {
        byte[] body = "{\"big\":true}".getBytes(StandardCharsets.UTF_8);
        var ctx = fn.getApplicationContext();
        // the signed link S3 hands out: S3 refuses it beside an Authorization header, and so does s3rver
        var signedOnly = new dev.tmserverless.aws.http.LargeResponses(ctx.getBean(software.amazon.awssdk.services.s3.S3Client.class),
                ctx.getBean(software.amazon.awssdk.services.s3.presigner.S3Presigner.class),
                new dev.tmserverless.aws.config.TmConfig(Map.of(dev.tmserverless.aws.http.LargeResponses.ENV_EDGE_URL, " ")),
                () -> ctx.getBean(dev.tmserverless.aws.http.Tokens.class));
        URI signed = signedOnly.handOver(body, "application/json", null, null);
        assertThat(signed.getQuery()).contains("X-Amz-Signature");
        var refused = get(signed);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("Only one auth mechanism allowed");
        // the hand-over the functions use goes through the edge, which does not pass the header on
        URI link = ctx.getBean(dev.tmserverless.aws.http.LargeResponses.class).handOver(body, "application/json", null, null);
        assertThat(link.getQuery()).isNull();
        var r = get(link);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
        // the web app reads it after the API's redirect, from its own origin
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
        // the link is the capability: another name, or one past its expiry, is refused
        String path = link.getPath();
        String expiry = path.split("/")[2];
        String name = path.substring(path.lastIndexOf('/') + 1);
        String other = (name.charAt(0) == '0' ? "1" : "0") + name.substring(1);
        assertThat(get(link.resolve(other)).statusCode()).isEqualTo(403);
        assertThat(get(link.resolve("/" + path.split("/")[1] + "/" + (Long.parseLong(expiry) - 3600) + "/" + name)).statusCode())
                .isEqualTo(403);
        assertThat(get(link.resolve("/" + path.split("/")[1] + "/" + expiry + "/../taskmaps/" + name)).statusCode())
                .isEqualTo(403);
    }

    @Test
    void bodiesAreCompressedOnlyForClientsThatAcceptGzip() {
        var plain = call(fn, "GET", tasksPath(), null, null);
        var gz = call(fn, "GET", tasksPath(), null, null, GZIP);
        assertThat(plain.headers()).doesNotContainKey("content-encoding");
        assertThat(gz.headers()).containsEntry("content-encoding", "gzip").containsEntry("vary", "accept-encoding");
        // the client reads the same document either way
        assertThat(gz.json()).isEqualTo(plain.json());
        assertThat(gz.json().path("features").size()).isEqualTo(200);
        var refused = call(fn, "GET", tasksPath(), null, null, Map.of("accept-encoding", "gzip;q=0, identity"));
        assertThat(refused.headers()).doesNotContainKey("content-encoding");
        // small answers are not worth compressing
        var small = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null, GZIP);
        assertThat(small.status()).isEqualTo(200);
        assertThat(small.headers()).doesNotContainKey("content-encoding");
    }

    @Test
    void aBodyTooBigForLambdaIsHandedOverThroughASignedLink() throws Exception {
        String inline = call(fn, "GET", tasksPath(), null, null).body();
        System.setProperty(LIMIT, Integer.toString(inline.length() / 2));
        var a = call(fn, "GET", tasksPath(), null, null);
        HttpResponse<byte[]> r = follow(a);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(Json.parse(new String(r.body(), StandardCharsets.UTF_8))).isEqualTo(Json.parse(inline));
    }

    @Test
    void theSameBigAnswerReusesOneStoredObjectAndAChangedOneGetsAnother() throws Exception {
        String inline = call(fn, "GET", tasksPath(), null, null).body();
        System.setProperty(LIMIT, Integer.toString(inline.length() / 2));
        URI first = URI.create(call(fn, "GET", tasksPath(), null, null).headers().get("location"));
        URI again = URI.create(call(fn, "GET", tasksPath(), null, null).headers().get("location"));
        // one object per content (the key is its hash), not one per request
        assertThat(again.getPath()).isEqualTo(first.getPath());
        assertThat(HTTP.send(HttpRequest.newBuilder(again).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        var gz = call(fn, "GET", tasksPath(), null, null, GZIP);
        assertThat(gz.status()).isEqualTo(200);
        var u = new dev.tmserverless.testing.Fixture(fn.getApplicationContext()).user("mapper");
        assertThat(call(fn, "POST", TasksFunctionTest.lock(p.id(), 7), Api.token(u.id()), null).status()).isEqualTo(200);
        URI changed = URI.create(call(fn, "GET", tasksPath(), null, null).headers().get("location"));
        assertThat(changed.getPath()).isNotEqualTo(first.getPath());
    }

    @Test
    void aHandedOverBodyKeepsItsCompressionAndItsDownloadName() throws Exception {
        String xml = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/xml/", null, null).body();
        System.setProperty(LIMIT, "2000");
        var a = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/xml/?as_file=true", null, null, GZIP);
        HttpResponse<byte[]> r = follow(a);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(r.headers().firstValue("content-disposition")).hasValue("attachment; filename=\"HOT-project-" + p.id() + ".osm\"");
        assertThat(new String(Api.gunzip(r.body()), StandardCharsets.UTF_8)).isEqualTo(xml);
        // errors are never handed over, however small the limit
        System.setProperty(LIMIT, "10");
        var missing = call(fn, "GET", "/api/v2/projects/" + p.id() + "/tasks/queries/xml/?tasks=9999", null, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.structuredSubCode()).isEqualTo("TASKS_NOT_FOUND");
    }
}
