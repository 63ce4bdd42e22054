package dev.tmserverless.aws.http;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.auth.SessionTokens;
import jakarta.inject.Singleton;

/**
 * The session-token signer. In Lambda the key is the Secrets Manager secret named by TM_TOKEN_SECRET_ARN, read once
 * per function instance; TM_TOKEN_SECRET (a key given as plain text) is only for the local stack and the tests.
 * A function started with both, or with a plain key inside Lambda, refuses to start: a key copied from a local
 * environment (whose key is public) would let anybody mint a token for any user (docs/api-differences.md).
 */
@Singleton
public class Tokens {
    private final SessionTokens tokens;
    private final dev.tmserverless.core.auth.EmailTokens email;
    private final String secret;

    public Tokens(TmConfig config) {
        var plain = config.get("TM_TOKEN_SECRET");
        var arn = config.get("TM_TOKEN_SECRET_ARN");
        if (plain.isPresent() && arn.isPresent()) {
            throw new IllegalStateException("TM_TOKEN_SECRET and TM_TOKEN_SECRET_ARN are both set: set only the secret's ARN");
        }
        if (plain.isPresent() && config.get("AWS_LAMBDA_FUNCTION_NAME").isPresent()) {
            throw new IllegalStateException("TM_TOKEN_SECRET is for the local stack only: in Lambda set TM_TOKEN_SECRET_ARN");
        }
        String secret = plain.orElseGet(() -> {
            String name = arn.orElseThrow(() -> new IllegalStateException("missing setting TM_TOKEN_SECRET_ARN"));
            return config.secretValue(name);
        });
        this.secret = secret;
        this.tokens = new SessionTokens(secret);
        this.email = new dev.tmserverless.core.auth.EmailTokens(secret);
    }

    public SessionTokens get() { return tokens; }

    /** A key for another use of the same secret, separated by its purpose (HMAC-SHA256 of the purpose). */
    public byte[] derivedKey(String purpose) {
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** E-mail verification links, signed with a key derived from the same secret. */
    public dev.tmserverless.core.auth.EmailTokens email() { return email; }
}
