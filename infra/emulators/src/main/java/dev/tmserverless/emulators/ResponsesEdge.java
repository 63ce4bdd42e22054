package dev.tmserverless.emulators;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;

/**
 * The local form of the deployed hand-over distribution (infra/cdk {@code HandOverEdge}): CloudFront with origin
 * access control in front of the bucket's {@code responses/} prefix. Like it, this edge serves
 * {@code /<bucket>/<expiry>/<name>} from the object {@code responses/<expiry>/<name>}, refuses a path of any other
 * form or past its expiry (403), and never passes the caller's {@code Authorization} on to storage (it makes its
 * own request), so a client that resends that header on a redirect gets the document. The content headers stored
 * with the object come back unchanged.
 */
public final class ResponsesEdge implements AutoCloseable {
    /** {@code /<bucket>/<expiry seconds>/<64 hex>}: what the distribution's viewer-request function accepts. */
    static final Pattern PATH = Pattern.compile("^/([a-z0-9][a-z0-9.-]{1,62})/([0-9]{1,12})/([0-9a-f]{64})$");
    private static final List<String> PASSED = List.of("content-type", "content-encoding", "content-disposition",
            "etag", "last-modified");

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI storage;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private ResponsesEdge(HttpServer server, ExecutorService executor, URI storage) {
        this.server = server;
        this.executor = executor;
        this.storage = storage;
    }

    /** An edge in front of the S3 emulator at {@code storage}. */
    public static ResponsesEdge start(URI storage) {
        LoopbackServer loopback = LoopbackServer.create();
        ResponsesEdge edge = new ResponsesEdge(loopback.server(), loopback.executor(), storage);
        loopback.server().createContext("/", edge::handle);
        loopback.server().start();
        return edge;
    }

    /** The base URL of one bucket's hand-over links (what {@code TM_RESPONSES_URL} names). */
    public URI baseUrl(String bucket) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + bucket);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            var m = PATH.matcher(ex.getRequestURI().getRawPath());
            boolean head = "HEAD".equals(ex.getRequestMethod());
            if (!head && !"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!m.matches() || Long.parseLong(m.group(2)) * 1000 < System.currentTimeMillis()) {
                ex.sendResponseHeaders(403, -1);
                return;
            }
            // the storage request is the edge's own: nothing of the caller's headers goes with it
            URI object = storage.resolve("/" + m.group(1) + "/responses/" + m.group(2) + "/" + m.group(3));
            HttpResponse<byte[]> r;
            try {
                r = http.send(HttpRequest.newBuilder(object).method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody())
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.sendResponseHeaders(502, -1);
                return;
            }
            if (r.statusCode() != 200) {
                // a missing object is 403 at the distribution too (origin access control gives no list right)
                ex.sendResponseHeaders(r.statusCode() == 404 ? 403 : 502, -1);
                return;
            }
            for (String h : PASSED) r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
            // as the distribution's CORS response headers policy: the web app fetches these after a redirect
            ex.getResponseHeaders().set("access-control-allow-origin", "*");
            if (head) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, r.body().length == 0 ? -1 : r.body().length);
            ex.getResponseBody().write(r.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
