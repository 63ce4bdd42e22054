package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3rverTest {

    @Test
    void putGetListAndDelete() {
        Emulators emulators = Emulators.shared();
        S3Client s3 = emulators.s3();
        String bucket = emulators.isolated("S3rverTest").bucket();
        byte[] binary = new byte[300_000];
        new Random(7).nextBytes(binary);
        s3.putObject(b -> b.bucket(bucket).key("aoi/1.geojson").contentType("application/geo+json"),
                RequestBody.fromString("{\"type\":\"FeatureCollection\",\"features\":[]}"));
        s3.putObject(b -> b.bucket(bucket).key("grid/1.bin"), RequestBody.fromBytes(binary));

        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("aoi/1.geojson")).asString(StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"FeatureCollection\",\"features\":[]}");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("grid/1.bin")).asByteArray()).isEqualTo(binary);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("aoi/")).contents())
                .extracting(S3Object::key).containsExactly("aoi/1.geojson");

        s3.deleteObject(b -> b.bucket(bucket).key("aoi/1.geojson"));
        org.junit.jupiter.api.Assertions.assertThrows(NoSuchKeyException.class,
                () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("aoi/1.geojson")));
    }
}
