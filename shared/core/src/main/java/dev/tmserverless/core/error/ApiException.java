package dev.tmserverless.core.error;

import java.util.Map;

/** A refusal the client should see: an {@link ErrorCode} plus optional text and context ids. */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public ApiException(ErrorCode code) {
        this(code, code.message, Map.of());
    }

    public ApiException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public ApiException(ErrorCode code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = details;
    }

    public ErrorCode code() { return code; }

    public Map<String, Object> details() { return details; }
}
