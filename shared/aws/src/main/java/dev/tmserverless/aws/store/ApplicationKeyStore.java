package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Application keys: long-lived credentials for scripts (docs/data-model.md "Application keys"). A key is 32 random
 * bytes; the table holds only its SHA-256 (a key has 256 bits of entropy, so an unsalted hash cannot be reversed by
 * guessing), once under the hash (to authenticate a request) and once under its owner (to list them). Deleting a
 * key deletes the hash item first, and every request reads it consistently, so a deleted key stops working at once.
 *
 * <p>Each key's requests are counted per minute in an item next to its hash item; {@link #admit} lets through
 * at most the limit per window, whatever the concurrency (one conditional ADD per request).
 */
@Singleton
public class ApplicationKeyStore {
    /** Every key starts so, which tells it from a session token in the same header. */
    public static final String PREFIX = "tmk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A stored key: never the key itself. */
    public record Key(long keyId, long userId, String hash, Instant created) {}

    /** A new key and, this once, its value. */
    public record Created(Key key, String value) {}

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;

    public ApplicationKeyStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    public static boolean looksLikeKey(String credential) {
        return credential != null && credential.startsWith(PREFIX);
    }

    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Created create(long userId, Instant now) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String value = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Key key = new Key(counters.next("APPLICATION_KEY"), userId, hash(value), now);
        Map<String, AttributeValue> byHash = new HashMap<>(Attr.key(Keys.appKey(key.hash()), Keys.APP_KEY));
        Map<String, AttributeValue> byOwner = new HashMap<>(Attr.key(Keys.user(userId), Keys.appKeyOfUser(key.keyId())));
        for (var item : List.of(byHash, byOwner)) {
            item.put("keyId", Attr.n(key.keyId()));
            item.put("userId", Attr.n(userId));
            item.put("hash", Attr.s(key.hash()));
            item.put("created", Attr.s(now.toString()));
        }
        // the owner's item first: a key that works is always listed, so its owner can always delete it
        ddb.putItem(b -> b.tableName(table).item(byOwner));
        ddb.putItem(b -> b.tableName(table).item(byHash).conditionExpression("attribute_not_exists(pk)"));
        return new Created(key, value);
    }

    /** The stored key a request presents, read consistently (a deleted key is gone for the next request). */
    public Optional<Key> find(String value) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.appKey(hash(value)), Keys.APP_KEY))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(item));
    }

    public Optional<Key> byId(long userId, long keyId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.appKeyOfUser(keyId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(item));
    }

    public List<Key> list(long userId) {
        List<Key> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var from = start;
            var res = ddb.query(b -> b.tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :sk)")
                    .expressionAttributeValues(Map.of(":pk", Attr.s(Keys.user(userId)), ":sk", Attr.s(Keys.APP_KEY_PREFIX)))
                    .exclusiveStartKey(from));
            res.items().forEach(i -> out.add(read(i)));
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /** The hash item first: from then on the key authenticates nothing; the listing item goes next. */
    public void delete(Key key) {
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.appKey(key.hash()), Keys.APP_KEY)));
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.user(key.userId()), Keys.appKeyOfUser(key.keyId()))));
    }

    /**
     * Counts one request of the key in the minute of {@code now}: true while the window has taken fewer than
     * {@code limit} requests. The condition makes the count exact under concurrency; the window's item is removed
     * by the table's TTL a day later ({@link Resources#TABLE_TTL_ATTRIBUTE}).
     */
    public boolean admit(String hash, Instant now, int limit) {
        long minute = now.getEpochSecond() / 60;
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.appKey(hash), Keys.rateWindow(minute)))
                .updateExpression("ADD n :one SET #x = :expires")
                .conditionExpression("attribute_not_exists(n) OR n < :limit")
                .expressionAttributeNames(Map.of("#x", Resources.TABLE_TTL_ATTRIBUTE))
                .expressionAttributeValues(Map.of(":one", Attr.n(1L), ":limit", Attr.n((long) limit),
                        ":expires", Attr.n(minute * 60 + 86_400)))));
    }

    private static Key read(Map<String, AttributeValue> item) {
        return new Key(Attr.lng(item, "keyId"), Attr.lng(item, "userId"), Attr.str(item, "hash"),
                Instant.parse(Attr.str(item, "created")));
    }
}
