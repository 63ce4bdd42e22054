package dev.tmserverless.aws.store;

import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.search.ProjectSummary;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
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
    /** The project's campaign ids (a number set), kept by {@link CampaignStore}'s project links. */
    static final String CAMPAIGNS = "cp";
    /** The project's interest ids (a number set), kept by {@link InterestStore#setForProject}. */
    static final String INTERESTS = "ip";
    /** The project's number of contributors, kept by the statistics aggregator (StatsStore). */
    static final String CONTRIBUTORS = "nc";

    /**
     * Changes the project's summary item (each clause without its keyword, null for none) and marks it changed,
     * so every search index picks it up at its next refresh. A project without a summary (none yet, or deleted)
     * is left alone: false, as when {@code condition} does not hold.
     */
    static boolean changeWriting(DynamoDbClient ddb, String table, long projectId, String set, String add,
                                 String remove, String delete, String condition, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> v = new java.util.HashMap<>(values);
        v.put(":one", Attr.n(1L));
        v.put(":t", Attr.s(Keys.searchSort(System.currentTimeMillis(), projectId)));
        String expr = "SET gsi1sk = :t" + (set == null ? "" : ", " + set) + " ADD rev :one" + (add == null ? "" : ", " + add)
                + (remove == null ? "" : " REMOVE " + remove) + (delete == null ? "" : " DELETE " + delete);
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.project(projectId), Keys.SEARCH)).updateExpression(expr)
                .conditionExpression("attribute_exists(s)" + (condition == null ? "" : " AND (" + condition + ")"))
                .expressionAttributeValues(v)));
    }

    /** A number set of {@code ids} (DynamoDB has no empty set: callers REMOVE instead). */
    static AttributeValue idSet(java.util.Collection<Long> ids) {
        return AttributeValue.fromNs(ids.stream().map(String::valueOf).distinct().toList());
    }

    /** The ids of a number set attribute of {@code item}, or an empty list. */
    static List<Long> ids(Map<String, AttributeValue> item, String attr) {
        AttributeValue a = item.get(attr);
        if (a == null || !a.hasNs()) return List.of();
        return a.ns().stream().map(Long::parseLong).sorted().toList();
    }

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
