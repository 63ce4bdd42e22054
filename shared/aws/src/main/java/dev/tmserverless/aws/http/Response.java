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
