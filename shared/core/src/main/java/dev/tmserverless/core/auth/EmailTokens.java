package dev.tmserverless.core.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The token of an e-mail verification link: {@code <base64url(address)>.<userId>.<issued epoch s>.<HMAC-SHA256>},
 * valid for one day. It names the OSM account id, not the username (usernames change hands). Its key is derived
 * from the session-token secret with a purpose label, so a session token is never a valid link and back.
 */
public final class EmailTokens {
    public static final Duration MAX_AGE = Duration.ofDays(1);
    private final byte[] key;

    /** A checked token: the address and account it was issued for, or why it is refused. */
    public record Check(Outcome outcome, String email, long userId) {}

    public enum Outcome { OK, EXPIRED, BAD_SIGNATURE }

    public EmailTokens(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the token signing secret must have at least 16 characters");
        }
        this.key = ("email-verification|" + secret).getBytes(StandardCharsets.UTF_8);
    }

    public String issue(String email, long userId, Instant now) {
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(email.getBytes(StandardCharsets.UTF_8))
                + "." + userId + "." + now.getEpochSecond();
        return payload + "." + sign(payload);
    }

    public Check check(String token, Instant now) {
        Check bad = new Check(Outcome.BAD_SIGNATURE, null, 0);
        if (token == null || token.length() > 2000) return bad;
        int last = token.lastIndexOf('.');
        if (last < 0) return bad;
        String payload = token.substring(0, last);
        if (!MessageDigest.isEqual(token.substring(last + 1).getBytes(StandardCharsets.US_ASCII),
                sign(payload).getBytes(StandardCharsets.US_ASCII))) {
            return bad;
        }
        String[] parts = payload.split("\\.");
        if (parts.length != 3) return bad;
        try {
            String email = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
            long userId = Long.parseLong(parts[1]);
            Instant issued = Instant.ofEpochSecond(Long.parseLong(parts[2]));
            if (issued.isAfter(now.plusSeconds(60))) return bad;
            if (issued.plus(MAX_AGE).isBefore(now)) return new Check(Outcome.EXPIRED, email, userId);
            return new Check(Outcome.OK, email, userId);
        } catch (IllegalArgumentException e) {
            return bad;
        }
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
