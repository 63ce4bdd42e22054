package dev.tmserverless.aws.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.util.Map;
import java.util.Optional;

/** What a route handler sees of an HTTP request: no AWS types. Header names are lower case. */
public record Request(String method, String path, Map<String, String> pathParams, Map<String, String> query,
                      Map<String, String> headers, String body, Caller caller) {

    public String header(String name) { return headers.get(name.toLowerCase()); }

    public Optional<String> query(String name) { return Optional.ofNullable(query.get(name)); }

    public boolean queryFlag(String name) { return query(name).map(v -> v.equalsIgnoreCase("true")).orElse(false); }

    public JsonNode json() { return Json.parse(body); }

    /** Whether {@code If-None-Match} names {@code etag} (weak or strong) or is {@code *}. */
    public boolean ifNoneMatch(String etag) {
        String h = header("if-none-match");
        if (h == null) return false;
        for (String part : h.split(",")) {
            String t = part.trim();
            if (t.startsWith("W/")) t = t.substring(2);
            if (t.equals("*") || t.equals(etag)) return true;
        }
        return false;
    }

    /** A numeric path parameter; a non-number can match no resource, so it is that resource's 404. */
    public long longParam(String name, ErrorCode notFound) {
        try {
            return Long.parseLong(pathParams.get(name));
        } catch (NumberFormatException | NullPointerException e) {
            throw new ApiException(notFound, notFound.message, Map.of(name, String.valueOf(pathParams.get(name))));
        }
    }

    /** As {@link #longParam}, for ids stored as ints (task ids): a number beyond the int range is a 404 too. */
    public int intParam(String name, ErrorCode notFound) {
        long v = longParam(name, notFound);
        if (v != (int) v) throw new ApiException(notFound, notFound.message, Map.of(name, pathParams.get(name)));
        return (int) v;
    }

    /** The first language named by Accept-Language (weights ignored), or null when it names none. */
    public String locale() {
        String al = header("accept-language");
        if (al == null) return null;
        for (String part : al.split(",")) {
            String tag = part.split(";", 2)[0].trim();
            if (!tag.isEmpty() && !tag.equals("*")) return tag;
        }
        return null;
    }
}
