package dev.tmserverless.aws.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

/** The one JSON mapper: nulls are written, dates as ISO-8601 strings. */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    /** Parses a request body; anything that is not a JSON document is the client's error. */
    public static JsonNode parse(String body) {
        if (body == null || body.isBlank()) throw new ApiException(ErrorCode.INVALID_DATA, "Request body must be JSON");
        try {
            return MAPPER.readTree(body);
        } catch (Exception e) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Request body is not valid JSON");
        }
    }

    public static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
