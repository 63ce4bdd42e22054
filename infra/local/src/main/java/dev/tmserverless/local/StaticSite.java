package dev.tmserverless.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A built single-page web app (the reference Tasking Manager frontend) served from a folder, on the API's own
 * origin:
 * <ul>
 *   <li>a path naming a file in the folder serves that file; any other path serves {@code index.html}, so the
 *       app's own routes ({@code /projects/1}, {@code /authorized?...}) load the app — except under
 *       {@code /static/}, where a missing file is a 404 (a missing script must not come back as HTML);</li>
 *   <li>content types by file extension; {@code index.html} (and every other unhashed file) is
 *       {@code Cache-Control: no-cache}, files under {@code static/} whose name carries a content hash are cached
 *       for a year as immutable; every file has an ETag and answers {@code If-None-Match} with 304;</li>
 *   <li>text types are gzipped when the client accepts gzip;</li>
 *   <li>paths are confined to the folder: {@code ..} segments, encoded separators, NUL bytes and links leading
 *       out of the folder are 404.</li>
 * </ul>
 * Without a folder ({@link #none()}), every path answers a short page saying how to build and serve the frontend.
 */
public final class StaticSite {
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final Pattern HASHED = Pattern.compile(".*\\.[0-9a-f]{8,}\\.[a-z0-9]+(\\.[a-z]+)?$");
    private static final int GZIP_MIN_BYTES = 256;
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("xml", "application/xml"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("eot", "application/vnd.ms-fontobject"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("pbf", "application/x-protobuf"));

    private final Path root;
    private final Map<Path, Gzipped> gzipCache = new ConcurrentHashMap<>();

    private record Gzipped(String etag, byte[] bytes) {}

    private StaticSite(Path root) {
        this.root = root;
    }

    /** Serves the built app in {@code folder}, which must hold an {@code index.html}. */
    public static StaticSite of(Path folder) {
        Path real;
        try {
            real = folder.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("the web frontend folder " + folder + " does not exist", e);
        }
        if (!Files.isRegularFile(real.resolve("index.html"))) {
            throw new IllegalArgumentException("the web frontend folder " + folder + " has no index.html (build it "
                    + "with scripts/build-frontend)");
        }
        return new StaticSite(real);
    }

    /** No frontend: {@code /} explains how to get one. */
    public static StaticSite none() {
        return new StaticSite(null);
    }

    /** The served folder, or null. */
    public Path root() {
        return root;
    }

    /** Answers a GET or HEAD of {@code rawPath} (as sent: percent-encoded, without the query). */
    public ApiGatewayEvents.HttpReply serve(String rawPath, List<Map.Entry<String, String>> requestHeaders) {
        if (root == null) {
            return help();
        }
        Path file = resolve(rawPath);
        if (file == null) {
            return notFound();
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (!Files.isRegularFile(file)) {
            if (rawPath.startsWith("/static/")) {
                return notFound();
            }
            file = root.resolve("index.html");
        }
        try {
            return file(file, requestHeaders);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file {@code rawPath} names inside the folder, or null when it would leave the folder. */
    private Path resolve(String rawPath) {
        if (rawPath.contains("%2f") || rawPath.contains("%2F") || rawPath.contains("%5c") || rawPath.contains("%5C")) {
            return null;
        }
        String path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return null;
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                return null;
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        try {
            Path file = root.resolve(String.join("/", segments)).normalize();
            if (!file.startsWith(root)) {
                return null;
            }
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !file.toRealPath().startsWith(root)) {
                return null; // a link leading out of the folder
            }
            return file;
        } catch (InvalidPathException | IOException e) {
            return null;
        }
    }

    private ApiGatewayEvents.HttpReply file(Path file, List<Map.Entry<String, String>> requestHeaders)
            throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        String etag = "\"" + Long.toHexString(attributes.size()) + "-"
                + Long.toHexString(attributes.lastModifiedTime().toMillis()) + "\"";
        String relative = root.relativize(file).toString().replace('\\', '/');
        String name = file.getFileName().toString();
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        String type = TYPES.getOrDefault(extension, "application/octet-stream");
        boolean immutable = relative.startsWith("static/") && HASHED.matcher(name).matches();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("content-type", type));
        headers.add(Map.entry("cache-control", immutable ? IMMUTABLE : "no-cache"));
        boolean text = type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.equals("image/svg+xml");
        boolean gzip = text && attributes.size() >= GZIP_MIN_BYTES && acceptsGzip(requestHeaders);
        if (text) {
            headers.add(Map.entry("vary", "accept-encoding"));
        }
        String tag = gzip ? etag.substring(0, etag.length() - 1) + "-gz\"" : etag;
        headers.add(Map.entry("etag", tag));
        String ifNoneMatch = header(requestHeaders, "if-none-match");
        if (ifNoneMatch != null && (ifNoneMatch.contains(tag) || ifNoneMatch.trim().equals("*"))) {
            return new ApiGatewayEvents.HttpReply(304, headers, new byte[0]);
        }
        byte[] body;
        if (gzip) {
            headers.add(Map.entry("content-encoding", "gzip"));
            Gzipped cached = gzipCache.get(file);
            if (cached == null || !cached.etag().equals(etag)) {
                cached = new Gzipped(etag, gzip(Files.readAllBytes(file)));
                gzipCache.put(file, cached);
            }
            body = cached.bytes();
        } else {
            body = Files.readAllBytes(file);
        }
        return new ApiGatewayEvents.HttpReply(200, headers, body);
    }

    private static boolean acceptsGzip(List<Map.Entry<String, String>> requestHeaders) {
        String accept = header(requestHeaders, "accept-encoding");
        if (accept == null) {
            return false;
        }
        for (String part : accept.toLowerCase(Locale.ROOT).split(",")) {
            String[] codingAndParams = part.trim().split(";");
            if (codingAndParams[0].trim().equals("gzip")) {
                return !(codingAndParams.length > 1 && codingAndParams[1].replace(" ", "").matches("q=0(\\.0*)?"));
            }
        }
        return false;
    }

    static String header(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static ApiGatewayEvents.HttpReply notFound() {
        return new ApiGatewayEvents.HttpReply(404, List.of(Map.entry("content-type", "text/plain; charset=utf-8"),
                Map.entry("cache-control", "no-cache")), "Not Found".getBytes(StandardCharsets.UTF_8));
    }

    private static ApiGatewayEvents.HttpReply help() {
        String page = """
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>tm-serverless (local)</title></head><body>
                <h1>tm-serverless is running</h1>
                <p>The API is under <code>/api/v2/</code>. No web frontend is served.</p>
                <p>To serve the reference Tasking Manager web frontend here, build it from a checkout of
                hotosm/tasking-manager and pass the result to the local stack:</p>
                <pre>scripts/build-frontend ../tasking-manager
                ./run-local --frontend .local-frontend/build</pre>
                <p>(or set <code>TM_FRONTEND_DIR</code>). See docs/frontend.md.</p>
                </body></html>
                """;
        return new ApiGatewayEvents.HttpReply(200,
                List.of(Map.entry("content-type", "text/html; charset=utf-8"), Map.entry("cache-control", "no-cache")),
                page.getBytes(StandardCharsets.UTF_8));
    }
}
