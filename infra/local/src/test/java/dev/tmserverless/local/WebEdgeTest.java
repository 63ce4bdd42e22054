package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.core.catalogue.Cors;
import dev.tmserverless.core.catalogue.Resources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front door beside the API: the built web frontend on the same origin, and CORS for other origins. */
class WebEdgeTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String INDEX = "<!doctype html><html><head><title>app</title></head><body><div id=root></div></body></html>";
    static final String BUNDLE = "console.log('tasking manager');\n".repeat(400);
    static final String ALLOWED = "https://app.example.org";

    @TempDir
    static Path temp;
    static Path site;
    static FrontDoor withSite;
    static FrontDoor withoutSite;

    static FunctionInvoker api() {
        return FunctionInvoker.of("api", 128, 3, (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>)
                (event, context) -> APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                        .withHeaders(Map.of("content-type", "application/json", "access-control-allow-origin", "*"))
                        .withBody("{\"ok\":true}").build());
    }

    @BeforeAll
    static void start() throws IOException {
        site = Files.createDirectories(temp.resolve("build"));
        write("index.html", INDEX);
        write("static/js/main.1a2b3c4d.js", BUNDLE);
        write("static/js/main.1a2b3c4d.js.map", "{\"version\":3}");
        write("static/css/main.0f9e8d7c.css", "body{margin:0}");
        write("static/media/font.abcdef0123.woff2", "wOF2");
        write("favicon.ico", "ico");
        write("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        write("logo192.png", "png");
        write("manifest.json", "{\"name\":\"TM\"}");
        write("site.webmanifest", "{}");
        Files.writeString(temp.resolve("secret.txt"), "TOP SECRET");
        Files.createSymbolicLink(site.resolve("escape"), temp);
        List<Resources.Route> routes = List.of(new Resources.Route("GET", Resources.V2 + "/things", "api"));
        withSite = new FrontDoor(0, routes, Map.of("api", api()), Map.of(), line -> {})
                .web(new WebEdge(Cors.parse(ALLOWED + ", http://localhost:3000"), StaticSite.of(site))).start();
        withoutSite = new FrontDoor(0, routes, Map.of("api", api()), Map.of(), line -> {}).start();
    }

    @AfterAll
    static void stop() {
        withSite.close();
        withoutSite.close();
    }

    static void write(String relative, String content) throws IOException {
        Path file = site.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    static HttpResponse<byte[]> get(FrontDoor door, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(door.url() + path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void filesAreServedWithTheirContentTypes() throws Exception {
        Map<String, String> types = Map.ofEntries(
                Map.entry("/", "text/html; charset=utf-8"),
                Map.entry("/index.html", "text/html; charset=utf-8"),
                Map.entry("/static/js/main.1a2b3c4d.js", "text/javascript; charset=utf-8"),
                Map.entry("/static/js/main.1a2b3c4d.js.map", "application/json"),
                Map.entry("/static/css/main.0f9e8d7c.css", "text/css; charset=utf-8"),
                Map.entry("/static/media/font.abcdef0123.woff2", "font/woff2"),
                Map.entry("/favicon.ico", "image/x-icon"),
                Map.entry("/logo.svg", "image/svg+xml"),
                Map.entry("/logo192.png", "image/png"),
                Map.entry("/manifest.json", "application/json"),
                Map.entry("/site.webmanifest", "application/manifest+json"));
        for (Map.Entry<String, String> entry : types.entrySet()) {
            HttpResponse<byte[]> response = get(withSite, entry.getKey());
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(200);
            assertThat(header(response, "content-type")).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        assertThat(text(get(withSite, "/static/css/main.0f9e8d7c.css"))).isEqualTo("body{margin:0}");
    }

    @Test
    void indexIsRevalidatedAndHashedStaticFilesAreImmutable() throws Exception {
        assertThat(header(get(withSite, "/"), "cache-control")).isEqualTo("no-cache");
        assertThat(header(get(withSite, "/projects/7"), "cache-control")).isEqualTo("no-cache");
        assertThat(header(get(withSite, "/manifest.json"), "cache-control")).isEqualTo("no-cache");
        assertThat(header(get(withSite, "/static/js/main.1a2b3c4d.js"), "cache-control"))
                .isEqualTo("public, max-age=31536000, immutable");
        assertThat(header(get(withSite, "/static/media/font.abcdef0123.woff2"), "cache-control"))
                .isEqualTo("public, max-age=31536000, immutable");

        HttpResponse<byte[]> first = get(withSite, "/static/css/main.0f9e8d7c.css");
        String etag = header(first, "etag");
        assertThat(etag).isNotBlank();
        assertThat(get(withSite, "/static/css/main.0f9e8d7c.css", "If-None-Match", etag).statusCode()).isEqualTo(304);
    }

    @Test
    void appRoutesFallBackToIndexButMissingStaticFilesAre404() throws Exception {
        for (String path : List.of("/projects/12/tasks", "/authorized?code=abc&state=xyz", "/users/some.one",
                "/manage/")) {
            HttpResponse<byte[]> response = get(withSite, path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(text(response)).as(path).isEqualTo(INDEX);
            assertThat(header(response, "content-type")).isEqualTo("text/html; charset=utf-8");
        }
        assertThat(get(withSite, "/static/js/missing.js").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> head = HTTP.send(HttpRequest.newBuilder(URI.create(withSite.url() + "/projects/1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void textIsGzippedWhenTheClientAcceptsIt() throws Exception {
        HttpResponse<byte[]> zipped = get(withSite, "/static/js/main.1a2b3c4d.js", "Accept-Encoding", "gzip, br");
        assertThat(header(zipped, "content-encoding")).isEqualTo("gzip");
        assertThat(header(zipped, "vary")).isEqualTo("accept-encoding");
        assertThat(zipped.body().length).isLessThan(BUNDLE.length() / 4);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(BUNDLE);
        }
        HttpResponse<byte[]> plain = get(withSite, "/static/js/main.1a2b3c4d.js");
        assertThat(header(plain, "content-encoding")).isNull();
        assertThat(text(plain)).isEqualTo(BUNDLE);
        assertThat(header(get(withSite, "/static/js/main.1a2b3c4d.js", "Accept-Encoding", "gzip;q=0"),
                "content-encoding")).isNull();
        assertThat(header(get(withSite, "/logo192.png", "Accept-Encoding", "gzip"), "content-encoding")).isNull();
        // the ETag of the gzipped form differs, so a cache never mixes the two
        assertThat(header(zipped, "etag")).isNotEqualTo(header(plain, "etag"));
    }

    @Test
    void pathsCannotLeaveTheFolder() throws Exception {
        for (String path : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/static/..%2f..%2fsecret.txt",
                "/%2e%2e%2fsecret.txt", "/static/../../secret.txt", "/..%5csecret.txt", "/escape/secret.txt",
                "/index.html%00.png")) {
            String answer = raw(withSite, path);
            assertThat(answer).as(path).doesNotContain("TOP SECRET").startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void apiAndLocalPathsAreNeverTheFrontend() throws Exception {
        HttpResponse<byte[]> api = get(withSite, Resources.V2 + "/things");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(text(api)).isEqualTo("{\"ok\":true}");
        for (String path : List.of(Resources.V2 + "/nothing-here", "/api/v9/x", "/api", "/_local/nothing")) {
            HttpResponse<byte[]> response = get(withSite, path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(text(response)).as(path).isEqualTo("{\"message\":\"Not Found\"}");
        }
        HttpResponse<byte[]> post = HTTP.send(HttpRequest.newBuilder(URI.create(withSite.url() + "/projects/1"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(post.statusCode()).isEqualTo(404);
    }

    @Test
    void withoutAFrontendTheRootSaysHowToServeOne() throws Exception {
        HttpResponse<byte[]> root = get(withoutSite, "/");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(header(root, "content-type")).startsWith("text/html");
        assertThat(text(root)).contains("scripts/build-frontend").contains("--frontend").contains("TM_FRONTEND_DIR");
        HttpResponse<byte[]> other = get(withoutSite, "/projects/1");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(text(other)).isEqualTo("{\"message\":\"Not Found\"}");
        assertThatThrownBy(() -> StaticSite.of(temp.resolve("nowhere"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StaticSite.of(temp)).hasMessageContaining("index.html");
    }

    @Test
    void preflightFromAnAllowedOriginIsAnswered() throws Exception {
        HttpResponse<byte[]> preflight = preflight(withSite, Resources.V2 + "/projects/1/tasks/2/lock", ALLOWED);
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(header(preflight, "access-control-allow-origin")).isEqualTo(ALLOWED);
        assertThat(header(preflight, "vary")).isEqualTo("origin");
        assertThat(header(preflight, "access-control-allow-methods")).contains("GET", "POST", "PATCH", "DELETE");
        assertThat(header(preflight, "access-control-allow-headers")).contains("authorization", "content-type",
                "accept-language");
        assertThat(header(preflight, "access-control-max-age")).isEqualTo("600");
    }

    @Test
    void preflightFromAnotherOriginGetsNoAllowOrigin() throws Exception {
        HttpResponse<byte[]> preflight = preflight(withSite, Resources.V2 + "/things", "https://evil.example.org");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().map().keySet()).noneMatch(k -> k.toLowerCase().startsWith("access-control-"));
        // no origins configured: no preflight is answered at all
        assertThat(preflight(withoutSite, Resources.V2 + "/things", ALLOWED).statusCode()).isEqualTo(404);
    }

    @Test
    void apiResponsesCarryTheAllowOriginOfAllowedOriginsOnly() throws Exception {
        HttpResponse<byte[]> allowed = get(withSite, Resources.V2 + "/things", "Origin", "http://localhost:3000");
        assertThat(allowed.headers().allValues("access-control-allow-origin")).containsExactly("http://localhost:3000");
        assertThat(allowed.headers().allValues("vary")).contains("origin");
        HttpResponse<byte[]> other = get(withSite, Resources.V2 + "/things", "Origin", "https://evil.example.org");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(header(other, "access-control-allow-origin")).isNull();
        // without configured origins, the API's own answer is left as it is
        assertThat(header(get(withoutSite, Resources.V2 + "/things", "Origin", ALLOWED), "access-control-allow-origin"))
                .isEqualTo("*");
        // a frontend file is same-origin content: no CORS headers
        assertThat(header(get(withSite, "/", "Origin", ALLOWED), "access-control-allow-origin")).isNull();
    }

    @Test
    void starAllowsEveryOrigin() throws Exception {
        try (FrontDoor door = new FrontDoor(0, List.of(new Resources.Route("GET", Resources.V2 + "/things", "api")),
                Map.of("api", api()), Map.of(), line -> {}).web(new WebEdge(Cors.parse("*"), StaticSite.none())).start()) {
            assertThat(header(preflight(door, Resources.V2 + "/things", "https://any.example"),
                    "access-control-allow-origin")).isEqualTo("*");
            assertThat(header(get(door, Resources.V2 + "/things", "Origin", "https://any.example"),
                    "access-control-allow-origin")).isEqualTo("*");
        }
    }

    static HttpResponse<byte[]> preflight(FrontDoor door, String path, String origin) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(door.url() + path))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type").build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends the request line exactly as given (an HTTP client would normalize the dots away). */
    static String raw(FrontDoor door, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", door.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
