package dev.tmserverless.aws.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

/**
 * The body of every message-to-many action (message-contributors, message-members): {@code subject} and
 * {@code message}, both non-empty text, at most 500 and 10,000 characters; anything else is 400 InvalidData and
 * nothing is sent.
 */
public record BroadcastRequest(String subject, String message) {
    public static final int SUBJECT_MAX = 500;
    public static final int MESSAGE_MAX = 10_000;

    public static BroadcastRequest from(JsonNode body) {
        if (body == null || !body.isObject() || !body.path("subject").isTextual() || !body.path("message").isTextual()) {
            throw new ApiException(ErrorCode.MESSAGE_INVALID);
        }
        String subject = body.path("subject").asText().strip();
        String message = body.path("message").asText();
        if (subject.isEmpty() || message.isBlank() || subject.length() > SUBJECT_MAX || message.length() > MESSAGE_MAX) {
            throw new ApiException(ErrorCode.MESSAGE_INVALID);
        }
        return new BroadcastRequest(subject, message);
    }
}
