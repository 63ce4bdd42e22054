package dev.tmserverless.aws.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The body of setting a user's or a project's interests, {@code {"interests": [ids]}}: the whole new set, each id
 * once, in the given order. 400 when the key is missing (as the reference), 422 for a value of the wrong type.
 */
public record InterestIds(List<Long> ids) {
    public static final int MAX = 100;

    public static InterestIds from(JsonNode body) {
        JsonNode list = body == null ? null : body.get("interests");
        if (list == null) throw new ApiException(ErrorCode.INVALID_DATA, "'interests'");
        if (!list.isArray()) throw Fields.schema("interests", "Input should be a valid list", "list_type");
        if (list.size() > MAX) throw new ApiException(ErrorCode.INVALID_DATA, "At most " + MAX + " interests");
        List<Long> ids = new ArrayList<>();
        for (JsonNode v : list) {
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw Fields.schema("interests", "Input should be a valid integer", "int_type");
            ids.add(v.asLong());
        }
        return new InterestIds(List.copyOf(new LinkedHashSet<>(ids)));
    }
}
