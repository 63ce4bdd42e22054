package dev.tmserverless.aws.http;

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
 * optional-auth routes call {@link #optional()}, where a bad token counts as anonymous (spec §1 "opt").
 */
public final class Caller {
    private final String header;
    private final SessionTokens tokens;
    private final UserStore users;
    private Optional<User> resolved;

    Caller(String header, SessionTokens tokens, UserStore users) {
        this.header = header;
        this.tokens = tokens;
        this.users = users;
    }

    public User require() {
        if (header == null || header.isBlank()) throw new ApiException(ErrorCode.NOT_AUTHENTICATED);
        return resolve().orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN));
    }

    public Optional<User> optional() {
        return header == null || header.isBlank() ? Optional.empty() : resolve();
    }

    private Optional<User> resolve() {
        if (resolved == null) {
            OptionalLong id = tokens.verify(SessionTokens.fromHeader(header), Instant.now());
            resolved = id.isPresent() ? users.get(id.getAsLong()) : Optional.empty();
        }
        return resolved;
    }
}
