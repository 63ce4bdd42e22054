package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A project's chat ("questions and comments"): one item per message under the project, newest last by id. Each
 * message is also in gsi1 partition {@code USERCHAT#<author id>}, so a deleted account's messages can be found.
 */
@Singleton
public class ChatStore {
    /** One chat message; {@code message} as stored (escaped). */
    public record ChatMessage(long id, long projectId, long userId, String username, String message, Instant timestamp) {}

    /** A page of the chat, newest first, and how many messages the chat has. */
    public record Page(List<ChatMessage> messages, long total) {}

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;

    public ChatStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    public ChatMessage post(long projectId, long userId, String username, String message, Instant now) {
        ChatMessage m = new ChatMessage(counters.next("CHAT"), projectId, userId, username, message, now);
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.project(projectId), Keys.chat(m.id())));
        item.put("id", Attr.n(m.id()));
        item.put("userId", Attr.n(userId));
        item.put("username", Attr.s(username));
        item.put("message", Attr.s(message));
        item.put("ts", Attr.n(now.toEpochMilli()));
        item.put("gsi1pk", Attr.s(byAuthor(userId)));
        item.put("gsi1sk", Attr.s(Keys.project(projectId) + "#" + Keys.chat(m.id())));
        ddb.putItem(b -> b.tableName(table).item(item));
        return m;
    }

    /** How many messages the project's chat holds: a COUNT Query. */
    public long count(long projectId) {
        Map<String, AttributeValue> v = Map.of(":p", Attr.s(Keys.project(projectId)), ":c", Attr.s(Keys.CHAT_PREFIX));
        long[] total = {0};
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :c)")
                .consistentRead(true).expressionAttributeValues(v).select(Select.COUNT)).forEach(p -> total[0] += p.count());
        return total[0];
    }

    /** Page {@code page} (from 1) of {@code perPage} messages, newest first: a count and one Query that stops early. */
    public Page page(long projectId, int page, int perPage) {
        Map<String, AttributeValue> v = Map.of(":p", Attr.s(Keys.project(projectId)), ":c", Attr.s(Keys.CHAT_PREFIX));
        long[] total = {0};
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :c)")
                .expressionAttributeValues(v).select(Select.COUNT)).forEach(p -> total[0] += p.count());
        long skip = (long) (page - 1) * perPage;
        List<ChatMessage> out = new ArrayList<>();
        if (skip < total[0]) {
            long seen = 0;
            for (var p : ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :c)")
                    .expressionAttributeValues(v).scanIndexForward(false).limit((int) Math.min(1000, skip + perPage)))) {
                for (var item : p.items()) {
                    if (seen++ >= skip) out.add(read(projectId, item));
                    if (out.size() >= perPage) return new Page(out, total[0]);
                }
            }
        }
        return new Page(out, total[0]);
    }

    public Optional<ChatMessage> get(long projectId, long id) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.chat(id))).consistentRead(true)).item();
        return i == null || i.isEmpty() ? Optional.empty() : Optional.of(read(projectId, i));
    }

    public void delete(long projectId, long id) {
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(Keys.project(projectId), Keys.chat(id))));
    }

    /**
     * Replaces the text of every message {@code userId} wrote with {@code text} (account deletion): a Query of the
     * author's index partition, then one conditional UpdateItem per message (a message deleted meanwhile stays
     * deleted). Answers how many messages were rewritten. Running it again rewrites them again, to the same text.
     */
    public int rewriteByAuthorWrite(long userId, String text) {
        Map<String, AttributeValue> v = Map.of(":a", Attr.s(byAuthor(userId)));
        int n = 0;
        for (var p : ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :a")
                .expressionAttributeValues(v).projectionExpression("pk, sk"))) {
            for (var item : p.items()) {
                var key = Map.of("pk", item.get("pk"), "sk", item.get("sk"));
                if (Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(key)
                        .updateExpression("SET message = :m").conditionExpression("attribute_exists(pk)")
                        .expressionAttributeValues(Map.of(":m", Attr.s(text)))))) {
                    n++;
                }
            }
        }
        return n;
    }

    static String byAuthor(long userId) { return "USERCHAT#" + userId; }

    private static ChatMessage read(long projectId, Map<String, AttributeValue> i) {
        return new ChatMessage(Attr.lng(i, "id"), projectId, Attr.lng(i, "userId"), Attr.str(i, "username"),
                Attr.str(i, "message"), Instant.ofEpochMilli(Attr.lng(i, "ts")));
    }
}
