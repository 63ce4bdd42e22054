package dev.tmserverless.aws.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.util.List;
import java.util.Map;

/** Reading declared body fields; a missing or mistyped required field is a 422 naming the field. */
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
}
