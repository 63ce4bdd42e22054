package dev.tmserverless.aws.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.util.List;
import java.util.Map;

/** Reading declared body fields and query parameters; a missing or mistyped required one is a 422 naming it. */
public final class Fields {
    private Fields() {}

    public static JsonNode object(JsonNode body) {
        if (body == null || !body.isObject()) throw schema("body", "Input should be a valid dictionary", "dict_type");
        return body;
    }

    public static String text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) throw schema(name, "Field required", "missing");
        if (!v.isTextual()) throw schema(name, "Input should be a valid string", "string_type");
        return v.asText();
    }

    /** An integer, given as a JSON integer or a string of digits (as FastAPI's lax mode accepts). */
    public static long integer(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) throw schema(name, "Field required", "missing");
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.asLong();
        if (v.isTextual() && v.asText().trim().matches("-?\\d{1,18}")) return Long.parseLong(v.asText().trim());
        throw schema(name, "Input should be a valid integer", "int_type");
    }

    /** As {@link #integer}, within an int's range; out of range is the same 422. */
    public static int smallInteger(JsonNode body, String name) {
        long v = integer(body, name);
        if (v != (int) v) throw schema(name, "Input should be a valid integer", "int_type");
        return (int) v;
    }

    public static boolean flag(JsonNode body, String name, boolean dflt) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw schema(name, "Input should be a valid boolean", "bool_type");
        return v.asBoolean();
    }

    public static ApiException schema(String field, String msg, String type) {
        return new ApiException(ErrorCode.SCHEMA_INVALID, msg, Map.of("loc", List.of("body", field), "type", type));
    }

    /** A query flag as FastAPI reads a bool: true/false, 1/0, yes/no, on/off; anything else is 422. */
    public static boolean queryBool(Request req, String name, boolean dflt) {
        var v = req.query(name);
        if (v.isEmpty()) return dflt;
        return switch (v.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on", "t", "y" -> true;
            case "false", "0", "no", "off", "f", "n" -> false;
            default -> throw queryError(name, "Input should be a valid boolean, unable to interpret input", "bool_parsing");
        };
    }

    /** An integer query parameter, or null when absent; not an integer is 422. */
    public static Long queryLong(Request req, String name) {
        var v = req.query(name);
        if (v.isEmpty()) return null;
        String s = v.get().trim();
        if (!s.matches("[+-]?\\d{1,18}")) {
            throw queryError(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing");
        }
        return Long.parseLong(s);
    }

    /** A required query parameter that is missing: 422, as FastAPI answers it. */
    public static ApiException missingQuery(String name) {
        return queryError(name, "Field required", "missing");
    }

    private static ApiException queryError(String name, String msg, String type) {
        return new ApiException(ErrorCode.SCHEMA_INVALID, msg, Map.of("loc", java.util.List.of("query", name), "type", type));
    }
}
