package dev.tmserverless.aws.http;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.time.Duration;

/**
 * Hands a response that Lambda cannot return (over 6 MB) to the client through the bucket: the body is stored
 * under {@link Resources#LARGE_RESPONSES_PREFIX} with its content headers, and the client is sent a link to it.
 * Built only when a function first needs it, so ordinary requests pay nothing.
 *
 * <p>With {@value #ENV_EDGE_URL} set (the deployed stack's hand-over distribution, the local stack's stand-in), the
 * link goes through that edge: {@code <edge>/<expiry>/<name>}, where the name is an HMAC of the answer and the
 * expiry under a key derived from the token secret (unguessable, even for an answer whose content is predictable)
 * and the edge refuses a link past its expiry. The edge ignores the caller's {@code Authorization}, which S3
 * refuses beside a signed link, so clients that resend it on a redirect (Python's urllib, {@code curl
 * --location-trusted}) get the document too. Without it, the link is a signed S3 URL (docs/performance.md).
 */
@Singleton
public class LargeResponses {
    /** Long enough for a slow connection to start the download; the object itself lives a day. */
    static final Duration LINK_VALIDITY = Duration.ofMinutes(15);
    /** An object older than this is written again rather than reused, so it never expires under a fresh link. */
    static final Duration REUSE_FOR = Duration.ofHours(12);

    /** The hand-over edge's base URL; unset: signed S3 links. */
    public static final String ENV_EDGE_URL = "TM_RESPONSES_URL";
    /** Edge links are valid for one to two of these windows; one object serves every request of a window. */
    static final Duration EDGE_WINDOW = Duration.ofMinutes(15);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    static String contentKey(byte[] body, String... headers) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            for (String h : headers) md.update((String.valueOf(h) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(body);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the object is there and young enough to outlive a link signed now (objects expire after a day). */
    private boolean exists(String key) {
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            return head.lastModified() != null && head.lastModified().isAfter(java.time.Instant.now().minus(REUSE_FOR));

        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    private final java.util.Optional<String> edge;
    private final jakarta.inject.Provider<Tokens> tokens;

    public LargeResponses(S3Client s3, S3Presigner presigner, TmConfig config, jakarta.inject.Provider<Tokens> tokens) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = config.bucket();
        this.edge = config.get(ENV_EDGE_URL).map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        this.tokens = tokens;
    }

    /** The edge link's expiry (epoch seconds) for a hand-over now: the end of the next window. */
    static long edgeExpiry(java.time.Instant now) {
        long w = EDGE_WINDOW.toSeconds();
        return (now.getEpochSecond() / w + 2) * w;
    }

    /** The object's name under the prefix for an edge link: {@code <expiry>/<hex HMAC of content key and expiry>}. */
    String edgeName(String contentKey, long expiry) {
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(tokens.get().derivedKey("large-responses"), "HmacSHA256"));
            byte[] h = mac.doFinal((contentKey + "/" + expiry).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return expiry + "/" + java.util.HexFormat.of().formatHex(h);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stores the body and returns a signed GET link that serves it with the given headers. The key is the hash of
     * the body and those headers, so the same answer asked for again (a big project's map at one version) reuses
     * the object instead of writing a new one.
     */
    public URI handOver(byte[] body, String contentType, String contentEncoding, String contentDisposition) {
        String content = contentKey(body, contentType, contentEncoding, contentDisposition);
        if (edge.isPresent()) {
            String name = edgeName(content, edgeExpiry(java.time.Instant.now()));
            String key = Resources.LARGE_RESPONSES_PREFIX + name;
            if (!exists(key)) put(key, body, contentType, contentEncoding, contentDisposition);
            return URI.create(edge.get() + "/" + name);
        }
        String key = Resources.LARGE_RESPONSES_PREFIX + content;
        if (!exists(key)) put(key, body, contentType, contentEncoding, contentDisposition);
        var signed = presigner.presignGetObject(p -> p.signatureDuration(LINK_VALIDITY)
                .getObjectRequest(g -> g.bucket(bucket).key(key)));
        try {
            return signed.url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void put(String key, byte[] body, String contentType, String contentEncoding, String contentDisposition) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).contentEncoding(contentEncoding)
                .contentDisposition(contentDisposition), RequestBody.fromBytes(body));
    }
}
