package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Message;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users' inboxes: one item per message under its recipient ({@code USER#<id>} / {@code MSG#<10-digit id>}, so an
 * inbox is one Query in arrival order), and an {@code INBOX} item that remembers the newest message the user had
 * when they last opened their notifications (what the bell counts from). docs/data-model.md.
 */
@Singleton
public class MessageStore {
    /** A user who never opened their notifications sees as new the unread messages of this long. */
    static final Duration FIRST_LOOK_BACK = Duration.ofDays(30);

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;

    public MessageStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    /** Delivers a message with a new id; returns it with its id. */
    public Message send(Message m) {
        Message withId = m.withId(counters.next("MESSAGE"));
        ddb.putItem(b -> b.tableName(table).item(item(withId)));
        return withId;
    }

    /** A new message id (ids order each inbox by arrival); a message to many inboxes has the same id in each. */
    public long nextId() { return counters.next("MESSAGE"); }

    /** Delivers a message with the id it has unless the inbox already holds that id; true if this call delivered it. */
    public boolean sendOnce(Message m) {
        return Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item(m))
                .conditionExpression("attribute_not_exists(pk)")));
    }

    /** Every message of a user's inbox, oldest first (one paginated Query). */
    public List<Message> inbox(long userId) {
        List<Message> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :u AND begins_with(sk, :m)")
                        .expressionAttributeValues(Map.of(":u", Attr.s(Keys.user(userId)), ":m", Attr.s(Keys.MESSAGE_PREFIX))))
                .items().forEach(i -> out.add(read(userId, i)));
        return out;
    }

    public Optional<Message> get(long userId, long messageId) {
        var i = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.message(messageId)))
                .consistentRead(true)).item();
        return i == null || i.isEmpty() ? Optional.empty() : Optional.of(read(userId, i));
    }

    /** Marks one message read; false if the inbox has no such message. */
    public boolean markRead(long userId, long messageId) {
        return Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table)
                .key(Attr.key(Keys.user(userId), Keys.message(messageId)))
                .updateExpression("SET #r = :t").conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#r", "read")).expressionAttributeValues(Map.of(":t", Attr.bool(true)))));
    }

    /** Removes one message; false if the inbox has no such message. */
    public boolean delete(long userId, long messageId) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.user(userId), Keys.message(messageId))).conditionExpression("attribute_exists(pk)")));
    }

    /**
     * Unread messages newer than what the user had when they last opened their notifications; before the first
     * time, unread messages of the last 30 days. One Query of the new part of the inbox.
     */
    public int countNew(long userId, Instant now) {
        var inbox = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.INBOX)).consistentRead(true)).item();
        Long seen = inbox == null || inbox.isEmpty() ? null : Attr.lng(inbox, "seenId");
        Map<String, AttributeValue> v = new HashMap<>();
        v.put(":u", Attr.s(Keys.user(userId)));
        v.put(":f", Attr.bool(false));
        String key;
        if (seen != null) {
            key = "pk = :u AND sk > :s";
            v.put(":s", Attr.s(Keys.message(seen)));
        } else {
            key = "pk = :u AND begins_with(sk, :m)";
            v.put(":m", Attr.s(Keys.MESSAGE_PREFIX));
        }
        String filter = seen != null ? "#r = :f" : "#r = :f AND #d > :since";
        if (seen == null) v.put(":since", Attr.n(now.minus(FIRST_LOOK_BACK).toEpochMilli()));
        Map<String, String> names = seen != null ? Map.of("#r", "read") : Map.of("#r", "read", "#d", "date");
        int[] count = {0};
        ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression(key).filterExpression(filter)
                .expressionAttributeNames(names).expressionAttributeValues(v)
                .select(software.amazon.awssdk.services.dynamodb.model.Select.COUNT))
                .forEach(page -> count[0] += page.count());
        return count[0];
    }

    /** The user opened their notifications: from now on only messages after the newest one they have are new. */
    public void markSeen(long userId) {
        var newest = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :u AND begins_with(sk, :m)")
                .expressionAttributeValues(Map.of(":u", Attr.s(Keys.user(userId)), ":m", Attr.s(Keys.MESSAGE_PREFIX)))
                .scanIndexForward(false).limit(1).consistentRead(true)).items();
        long seen = newest.isEmpty() ? -1 : Attr.lng(newest.get(0), "id");
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.user(userId), Keys.INBOX));
        item.put("seenId", Attr.n(seen));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    private static Map<String, AttributeValue> item(Message m) {
        Map<String, AttributeValue> i = new HashMap<>(Attr.key(Keys.user(m.toUserId()), Keys.message(m.id())));
        i.put("id", Attr.n(m.id()));
        i.put("type", Attr.n((long) m.type().code));
        i.put("subject", Attr.s(m.subject()));
        i.put("message", Attr.s(m.message()));
        i.put("fromUserId", Attr.n(m.fromUserId()));
        i.put("fromUsername", Attr.s(m.fromUsername()));
        i.put("projectId", Attr.n(m.projectId()));
        i.put("projectTitle", Attr.s(m.projectTitle()));
        i.put("taskId", Attr.n(m.taskId()));
        i.put("date", Attr.n(m.date().toEpochMilli()));
        i.put("read", Attr.bool(m.read()));
        return i;
    }

    private static Message read(long userId, Map<String, AttributeValue> i) {
        return new Message(Attr.lng(i, "id"), userId, Message.Type.ofCode(Attr.integer(i, "type")).orElse(Message.Type.SYSTEM),
                Attr.str(i, "subject"), Attr.str(i, "message"), Attr.lng(i, "fromUserId"), Attr.str(i, "fromUsername"),
                Attr.lng(i, "projectId"), Attr.str(i, "projectTitle"), Attr.integer(i, "taskId"),
                Instant.ofEpochMilli(Attr.lng(i, "date")), Attr.bool(i, "read"));
    }
}
