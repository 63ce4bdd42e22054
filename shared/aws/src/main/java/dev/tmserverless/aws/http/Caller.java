package dev.tmserverless.aws.http;

import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.auth.SessionTokens;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The caller of a request, resolved only when a handler asks. Login-required routes call {@link #require()};
 * optional-auth routes call {@link #optional()}, where a bad token counts as anonymous. The credential is a
 * session token or an application key, in the same header and the same {@code Token <base64>} form
 * (TEMPLATE_NOTES.md "Application keys").
 */
public final class Caller {
    private final String header;
    private final SessionTokens tokens;
    private final UserStore users;
    private final ApplicationKeyStore keys;
    private Optional<User> resolved;
    private OptionalLong verified;
    private ApplicationKeyStore.Key key;

    Caller(String header, SessionTokens tokens, UserStore users, ApplicationKeyStore keys) {
        this.header = header;
        this.tokens = tokens;
        this.users = users;
        this.keys = keys;
    }

    public User require() {
        if (header == null || header.isBlank()) throw new ApiException(ErrorCode.NOT_AUTHENTICATED);
        return resolve().orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN));
    }

    /**
     * The id of the user the credential names, checked (401 as {@link #require()} answers) but not yet looked up:
     * for handlers that read the user record together with the request's other reads and then call
     * {@link #require(Optional)}.
     */
    public long requireId() {
        if (header == null || header.isBlank()) throw new ApiException(ErrorCode.NOT_AUTHENTICATED);
        return verifiedId().orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN));
    }

    /**
     * {@link #require()}, with the record of the user {@link #requireId()} named as read by the handler (absent:
     * the account is gone, 401 as {@link #require()} answers).
     */
    public User require(Optional<User> record) {
        long id = requireId();
        if (resolved == null) {
            if (record.isPresent() && record.get().id() != id) throw new IllegalArgumentException("not the caller's record");
            resolved = record;
            resolved.ifPresent(u -> org.slf4j.MDC.put("userId", Long.toString(u.id())));
        }
        return resolved.orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN));
    }

    /** The caller's record if this request has already looked it up (no read); empty otherwise. */
    public Optional<User> resolvedUser() {
        return resolved == null ? Optional.empty() : resolved;
    }

    public Optional<User> optional() {
        return header == null || header.isBlank() ? Optional.empty() : resolve();
    }

    /** True if the request presents something shaped like an application key (valid or not). */
    boolean presentsApplicationKey() {
        return ApplicationKeyStore.looksLikeKey(SessionTokens.fromHeader(header));
    }

    /** The stored application key the request authenticated with, if it did with one. */
    Optional<ApplicationKeyStore.Key> applicationKey() {
        if (header != null && !header.isBlank()) verifiedId();
        return Optional.ofNullable(key);
    }

    private OptionalLong verifiedId() {
        if (verified == null) {
            String credential = SessionTokens.fromHeader(header);
            if (ApplicationKeyStore.looksLikeKey(credential)) {
                key = keys.find(credential).orElse(null);
                verified = key == null ? OptionalLong.empty() : OptionalLong.of(key.userId());
            } else {
                verified = tokens.verify(credential, Instant.now());
            }
        }
        return verified;
    }

    private Optional<User> resolve() {
        if (resolved == null) {
            OptionalLong id = verifiedId();
            resolved = id.isPresent() ? users.get(id.getAsLong()) : Optional.empty();
            // the request's log lines name the caller (docs/operations.md)
            resolved.ifPresent(u -> org.slf4j.MDC.put("userId", Long.toString(u.id())));
        }
        return resolved;
    }
}
