package dev.tmserverless.aws.http;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.auth.SessionTokens;
import jakarta.inject.Singleton;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The session-token signer. The key is TM_TOKEN_SECRET where given (local stack, tests), otherwise the
 * Secrets Manager secret named by TM_TOKEN_SECRET_ARN, read once per function instance.
 */
@Singleton
public class Tokens {
    private final SessionTokens tokens;
    private final dev.tmserverless.core.auth.EmailTokens email;

    public Tokens(TmConfig config) {
        String secret = config.get("TM_TOKEN_SECRET").orElseGet(() -> {
            String arn = config.require("TM_TOKEN_SECRET_ARN");
            try (var sm = SecretsManagerClient.builder().region(Region.of(config.region()))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
                return sm.getSecretValue(b -> b.secretId(arn)).secretString();
            }
        });
        this.tokens = new SessionTokens(secret);
        this.email = new dev.tmserverless.core.auth.EmailTokens(secret);
    }

    public SessionTokens get() { return tokens; }

    /** E-mail verification links, signed with a key derived from the same secret. */
    public dev.tmserverless.core.auth.EmailTokens email() { return email; }
}
