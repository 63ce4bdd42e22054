package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Site-wide items in partition {@code SYSTEM}: the banner and the release the deployment runs. */
@Singleton
public class SystemStore {
    /** The banner shown above every page; {@code message} is sanitised HTML. */
    public record Banner(String message, boolean visible) {
        /** What a deployment shows until an administrator sets a banner (the reference's first row). */
        public static final Banner DEFAULT = new Banner("Welcome to the API", true);
    }

    /** A release: its tag and publication time (ISO 8601, as GitHub gives it). */
    public record Release(String version, String publishedAt) {}

    private final DynamoDbClient ddb;
    private final String table;

    public SystemStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    public Banner banner() {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.SYSTEM, Keys.BANNER)).consistentRead(true))
                .item();
        if (item == null || item.isEmpty()) return Banner.DEFAULT;
        return new Banner(Attr.str(item, "message"), Attr.bool(item, "visible"));
    }

    public void putBanner(Banner banner) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.SYSTEM, Keys.BANNER));
        item.put("message", Attr.s(banner.message()));
        item.put("visible", Attr.bool(banner.visible()));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    public Optional<Release> release() {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.SYSTEM, Keys.RELEASE))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        return Optional.of(new Release(Attr.str(item, "version"), Attr.str(item, "publishedAt")));
    }

    public void putRelease(Release release) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.SYSTEM, Keys.RELEASE));
        item.put("version", Attr.s(release.version()));
        item.put("publishedAt", Attr.s(release.publishedAt()));
        ddb.putItem(b -> b.tableName(table).item(item));
    }
}
