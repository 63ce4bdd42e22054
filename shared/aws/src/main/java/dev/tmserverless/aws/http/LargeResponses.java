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
 * under {@link Resources#LARGE_RESPONSES_PREFIX} with its content headers, and the client is sent a signed link
 * to it. Built only when a function first needs it, so ordinary requests pay nothing.
 */
@Singleton
public class LargeResponses {
    /** Long enough for a slow connection to start the download; the object itself lives a day. */
    static final Duration LINK_VALIDITY = Duration.ofMinutes(15);
    /** An object older than this is written again rather than reused, so it never expires under a fresh link. */
    static final Duration REUSE_FOR = Duration.ofHours(12);

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

    public LargeResponses(S3Client s3, S3Presigner presigner, TmConfig config) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = config.bucket();
    }

    /**
     * Stores the body and returns a signed GET link that serves it with the given headers. The key is the hash of
     * the body and those headers, so the same answer asked for again (a big project's map at one version) reuses
     * the object instead of writing a new one.
     */
    public URI handOver(byte[] body, String contentType, String contentEncoding, String contentDisposition) {
        String key = Resources.LARGE_RESPONSES_PREFIX + contentKey(body, contentType, contentEncoding, contentDisposition);
        if (!exists(key)) {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).contentEncoding(contentEncoding)
                    .contentDisposition(contentDisposition), RequestBody.fromBytes(body));
        }
        var signed = presigner.presignGetObject(p -> p.signatureDuration(LINK_VALIDITY)
                .getObjectRequest(g -> g.bucket(bucket).key(key)));
        try {
            return signed.url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
