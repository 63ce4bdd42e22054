package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

/** The body of POST transfer-ownership: {@code {"username"}}, required and non-empty (400 InvalidData). */
record TransferOwnership(String username) {
    static TransferOwnership from(JsonNode body) {
        JsonNode u = body == null ? null : body.get("username");
        if (u == null || !u.isTextual() || u.asText().isBlank()) {
            throw new ApiException(ErrorCode.INVALID_DATA, "username is required");
        }
        return new TransferOwnership(u.asText());
    }
}
