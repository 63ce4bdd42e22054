package dev.tmserverless.core.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * Session tokens (docs/api-differences.md D19): {@code <userId>.<issuedAtEpochSeconds>.<HMAC-SHA256 signature>}, signature
 * base64url without padding, valid for seven days. Stateless: no session store, revocation by rotating
 * the key.
 */
public final class SessionTokens {
    public static final Duration MAX_AGE = Duration.ofDays(7);
    private final byte[] key;

    public SessionTokens(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the token signing secret must have at least 16 characters");
        }
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String issue(long userId, Instant now) {
        String payload = userId + "." + now.getEpochSecond();
        return payload + "." + sign(payload);
    }

    /** The user id if the token is genuine and younger than {@link #MAX_AGE}; empty otherwise. */
    public OptionalLong verify(String token, Instant now) {
        if (token == null) return OptionalLong.empty();
        int last = token.lastIndexOf('.');
        if (last < 0) return OptionalLong.empty();
        String payload = token.substring(0, last);
        byte[] given = token.substring(last + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, sign(payload).getBytes(StandardCharsets.US_ASCII))) {
            return OptionalLong.empty();
        }
        String[] parts = payload.split("\\.");
        if (parts.length != 2) return OptionalLong.empty();
        try {
            long userId = Long.parseLong(parts[0]);
            Instant issued = Instant.ofEpochSecond(Long.parseLong(parts[1]));
            if (issued.isAfter(now.plusSeconds(60)) || issued.plus(MAX_AGE).isBefore(now)) return OptionalLong.empty();
            return OptionalLong.of(userId);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Extracts the token from an Authorization header: {@code Token <base64(token)>} as reference clients
     * send it, or {@code Bearer <token>}. Returns null for anything else.
     */
    public static String fromHeader(String header) {
        if (header == null) return null;
        String[] parts = header.trim().split("\\s+", 2);
        if (parts.length != 2) return null;
        if (parts[0].equalsIgnoreCase("Bearer")) return parts[1];
        if (!parts[0].equalsIgnoreCase("Token")) return null;
        try {
            return new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The header value a reference client sends for {@code token}. */
    public static String header(String token) {
        return "Token " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
