package dev.tmserverless.aws.blob;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Documents too big for an item: AOIs and the task inputs of grid jobs. */
@Singleton
public class BlobStore {
    private final S3Client s3;
    private final String bucket;

    public BlobStore(S3Client s3, TmConfig config) {
        this.s3 = s3;
        this.bucket = config.bucket();
    }

    public static String aoiKey(long projectId) { return "projects/" + projectId + "/aoi.geojson"; }

    public static String taskInputKey(long projectId) { return "projects/" + projectId + "/tasks-input.geojson"; }

    public void put(String key, String json) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/geo+json"),
                RequestBody.fromString(json, StandardCharsets.UTF_8));
    }

    /** An object of any type, as bytes (the search index snapshot). */
    public void putBytes(String key, byte[] bytes, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
    }

    public Optional<byte[]> getBytes(String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArrayUnsafe());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    public Optional<String> get(String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** Deletes every object whose key starts with {@code prefix} (a project's objects when it is deleted). */
    public int deleteAllWriting(String prefix) {
        int n = 0;
        for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
            for (var o : page.contents()) {
                s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
                n++;
            }
        }
        return n;
    }

    /** The folder of one project's objects (AOI, task input). */
    public static String projectPrefix(long projectId) { return "projects/" + projectId + "/"; }
}
