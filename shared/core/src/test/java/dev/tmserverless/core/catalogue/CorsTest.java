package dev.tmserverless.core.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CorsTest {
    @Test
    void listedOriginsAreAllowedAndEchoed() {
        Cors cors = Cors.parse(" https://tasks.example.org/ , http://localhost:3000,,");
        assertThat(cors.origins()).containsExactly("https://tasks.example.org", "http://localhost:3000");
        assertThat(cors.allowOrigin("https://TASKS.example.org")).contains("https://TASKS.example.org");
        assertThat(cors.responseHeaders("http://localhost:3000"))
                .containsEntry("access-control-allow-origin", "http://localhost:3000").containsEntry("vary", "origin");
        assertThat(cors.preflightHeaders("http://localhost:3000"))
                .containsEntry("access-control-allow-methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS")
                .containsEntry("access-control-allow-headers",
                        "authorization,content-type,accept,accept-language,x-requested-with")
                .containsEntry("access-control-max-age", "600");
    }

    @Test
    void otherOriginsGetNoHeaders() {
        Cors cors = Cors.parse("https://tasks.example.org");
        assertThat(cors.allows("https://evil.example.org")).isFalse();
        assertThat(cors.allows("https://tasks.example.org.evil.example")).isFalse();
        assertThat(cors.responseHeaders("https://evil.example.org")).isEmpty();
        assertThat(cors.preflightHeaders("https://evil.example.org")).isEmpty();
        assertThat(cors.responseHeaders(null)).isEmpty();
    }

    @Test
    void starAllowsAnyOriginAndBlankAllowsNone() {
        Cors any = Cors.parse("*");
        assertThat(any.allowsAny()).isTrue();
        assertThat(any.allowOrigin("https://anywhere.example")).contains("*");
        assertThat(any.allowOrigin("")).isEmpty();
        assertThat(Cors.parse(null).isEmpty()).isTrue();
        assertThat(Cors.parse(" ").allows("http://localhost:3000")).isFalse();
        assertThat(Cors.parse("*,https://a.example").origins()).containsExactly("*", "https://a.example");
    }
}
