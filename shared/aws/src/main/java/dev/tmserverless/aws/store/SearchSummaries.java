package dev.tmserverless.aws.store;

import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.search.ProjectSummary;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The stored form of a search summary: its JSON, gzip-compressed into a binary attribute (descriptions are
 * most of a summary and compress about 3:1, which is what the cold load reads).
 */
final class SearchSummaries {
    private SearchSummaries() {}

    /** The counter attributes of a summary item: total, mapped, validated, bad imagery. */
    static final List<String> COUNTERS = List.of("tt", "tm", "tv", "tb");
    /** Present on the summary item of a deleted project (a tombstone, expired by the table's TTL a day later). */
    static final String GONE = "gone";
    /** Featured flag of the project (the reference's {@code featured}, set by the feature actions). */
    static final String FEATURED = "ft";

    static AttributeValue encode(ProjectSummary s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(Json.write(s).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return AttributeValue.fromB(SdkBytes.fromByteArray(out.toByteArray()));
    }

    /** The summary, or null when it was written in a layout this code does not know. */
    static ProjectSummary decode(AttributeValue b) {
        try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(b.b().asByteArrayUnsafe()))) {
            ProjectSummary s = Json.MAPPER.readValue(z, ProjectSummary.class);
            return s.v() == ProjectSummary.VERSION ? s : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
