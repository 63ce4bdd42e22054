package dev.tmserverless.aws.http;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/**
 * Hands a response that Lambda cannot return (over 6 MB) to the client through the bucket: the body is stored
 * under {@link Resources#LARGE_RESPONSES_PREFIX} with its content headers, and the client is sent a signed link
 * to it. Built only when a function first needs it, so ordinary requests pay nothing.
 */
@Singleton
public class LargeResponses {
    /** Long enough for a slow connection to start the download; the object itself lives a day. */
    static final Duration LINK_VALIDITY = Duration.ofMinutes(15);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    public LargeResponses(S3Client s3, S3Presigner presigner, TmConfig config) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = config.bucket();
    }

    /** Stores the body and returns a signed GET link that serves it with the given headers. */
    public URI handOver(byte[] body, String contentType, String contentEncoding, String contentDisposition) {
        String key = Resources.LARGE_RESPONSES_PREFIX + UUID.randomUUID();
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).contentEncoding(contentEncoding)
                .contentDisposition(contentDisposition), RequestBody.fromBytes(body));
        var signed = presigner.presignGetObject(p -> p.signatureDuration(LINK_VALIDITY)
                .getObjectRequest(g -> g.bucket(bucket).key(key)));
        try {
            return signed.url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
