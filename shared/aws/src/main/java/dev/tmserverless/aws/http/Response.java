package dev.tmserverless.aws.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** A route handler's answer: status, a body object (serialised as JSON unless it is a String) and headers. */
public record Response(int status, Object body, Map<String, String> headers) {
    public static Response ok(Object body) { return new Response(200, body, Map.of()); }

    public static Response created(Object body) { return new Response(201, body, Map.of()); }

    public static Response of(int status, Object body) { return new Response(status, body, Map.of()); }

    /** A status with no body at all (the reference's bare {@code Response(status_code=...)}). */
    public static Response empty(int status) { return new Response(status, null, Map.of()); }

    /** Raw text with its own content type (exports, attachments). */
    public static Response text(String body, String contentType) {
        return new Response(200, body, Map.of("content-type", contentType));
    }

    /** A JSON document already gzip-compressed (a stored snapshot): sent as is to clients that accept gzip. */
    public record Gzipped(byte[] bytes) {}

    /** 200 with a stored gzip-compressed JSON document. */
    public static Response gzippedJson(byte[] gzip) {
        return new Response(200, new Gzipped(gzip), Map.of("content-type", "application/json"));
    }

    /** 304 Not Modified for a conditional GET whose {@code If-None-Match} names the current ETag. */
    public static Response notModified(String etag, String cacheControl) {
        return new Response(304, null, Map.of("etag", etag, "cache-control", cacheControl));
    }

    /**
     * Cache-Control of a read that anyone may see: browsers and a CDN may keep it briefly, then revalidate with
     * the ETag (docs/performance.md, "Task-map snapshots").
     */
    public static final String PUBLIC_CACHE = "public, max-age=" + 2 + ", s-maxage=" + 2;

    /** Cache-Control of a read only some callers may see: never shared, always revalidated. */
    public static final String PRIVATE_CACHE = "private, no-cache";

    /** This answer with its ETag and Cache-Control. */
    public Response cached(String etag, String cacheControl) {
        return withHeader("etag", etag).withHeader("cache-control", cacheControl);
    }

    public Response withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, body, h);
    }

    /** The reference's "as_file" answers: same body, served as a download. */
    public Response asAttachment(String filename, String contentType) {
        return withHeader("content-type", contentType)
                .withHeader("content-disposition", "attachment; filename=\"" + filename + "\"");
    }
}
