package dev.tmserverless.aws.http;

import dev.tmserverless.aws.config.TmConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the token key may come from (docs/api-differences.md, "Operations"). */
class TokensTest {
    static final String LOCAL_KEY = "a-key-from-a-local-environment-0123456789";

    @Test
    void aPlainKeyWorksOutsideLambda() {
        Tokens t = new Tokens(new TmConfig(Map.of("TM_TOKEN_SECRET", LOCAL_KEY)));
        String token = t.get().issue(7, Instant.now());
        assertThat(t.get().verify(token, Instant.now())).hasValue(7);
    }

    @Test
    void aPlainKeyInsideLambdaRefusesToStart() {
        assertThatThrownBy(() -> new Tokens(new TmConfig(Map.of("TM_TOKEN_SECRET", LOCAL_KEY,
                "AWS_LAMBDA_FUNCTION_NAME", "TmServerless-prod-TasksFunction"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("TM_TOKEN_SECRET_ARN");
    }

    @Test
    void aPlainKeyBesideTheSecretsArnRefusesToStart() {
        assertThatThrownBy(() -> new Tokens(new TmConfig(Map.of("TM_TOKEN_SECRET", LOCAL_KEY,
                "TM_TOKEN_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:tm-token"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("both");
    }
}
