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
 * when they last opened their notifications ({@code seenId}) and counts the unread messages after it
 * ({@code unread}): the bell, which the web frontend asks every 30 seconds per open tab, is that one GetItem.
 * Every write of a message moves the count with a conditional ADD on the INBOX item (only messages after
 * {@code seenId} count; it never goes below zero); opening the notifications sets it to zero, which also heals a
 * count left off by a crash between a message write and its count (docs/people.md "The bell").
 */
@Singleton
public class MessageStore {
    /** A user who never opened their notifications sees as new the unread messages of this long. */
    static final Duration FIRST_LOOK_BACK = Duration.ofDays(30);

    private final DynamoDbClient ddb;
    private final String table;
    private final Counters counters;
    /** Test hook: runs between an opening's read of the newest message and its write; a no-op in production. */
    public volatile Runnable beforeSeenWrite = () -> {};

    public MessageStore(DynamoDbClient ddb, TmConfig config, Counters counters) {
        this.ddb = ddb;
        this.table = config.table();
        this.counters = counters;
    }

    /** Delivers a message with a new id; returns it with its id. */
    public Message send(Message m) {
        Message withId = m.withId(counters.next("MESSAGE"));
        ddb.putItem(b -> b.tableName(table).item(item(withId)));
        if (!withId.read()) countWrite(withId.toUserId(), withId.id(), withId.date(), 1);
        return withId;
    }

    /** A new message id (ids order each inbox by arrival); a message to many inboxes has the same id in each. */
    public long nextId() { return counters.next("MESSAGE"); }

    /** Delivers a message with the id it has unless the inbox already holds that id; true if this call delivered it. */
    public boolean sendOnce(Message m) {
        boolean sent = Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item(m))
                .conditionExpression("attribute_not_exists(pk)")));
        if (sent && !m.read()) countWrite(m.toUserId(), m.id(), m.date(), 1);
        return sent;
    }

    /**
     * Moves the bell's count of {@code userId} by {@code delta} for message {@code messageId}: only a message after
     * the one the user last saw counts (a message to many keeps the id it was sent with, so it may come in below
     * it), a decrement never takes the count below zero, and before the user first opened their notifications a
     * message dated more than {@link #FIRST_LOOK_BACK} ago does not count. One conditional UpdateItem.
     */
    private void countWrite(long userId, long messageId, Instant date, int delta) {
        Map<String, AttributeValue> v = new HashMap<>(Map.of(":id", Attr.n(messageId), ":d", Attr.n(delta), ":one", Attr.n(1)));
        String condition = "(attribute_not_exists(seenId) OR seenId < :id)";
        if (delta < 0) {
            condition += " AND unread > :zero";
            v.put(":zero", Attr.n(0));
        } else if (date != null && date.isBefore(Instant.now().minus(FIRST_LOOK_BACK))) {
            condition = "seenId < :id";
        }
        String c = condition;
        Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.INBOX))
                .updateExpression("ADD unread :d, v :one").conditionExpression(c).expressionAttributeValues(v)));
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
        var key = Attr.key(Keys.user(userId), Keys.message(messageId));
        boolean wasUnread = Dynamo.conditionally(() -> ddb.updateItem(b -> b.tableName(table).key(key)
                .updateExpression("SET #r = :t").conditionExpression("attribute_exists(pk) AND #r = :f")
                .expressionAttributeNames(Map.of("#r", "read")).expressionAttributeValues(Map.of(":t", Attr.bool(true), ":f", Attr.bool(false)))));
        if (wasUnread) {
            countWrite(userId, messageId, null, -1);
            return true;
        }
        return get(userId, messageId).isPresent();
    }

    /** Removes one message; false if the inbox has no such message. */
    public boolean delete(long userId, long messageId) {
        var old = new java.util.concurrent.atomic.AtomicReference<Map<String, AttributeValue>>();
        boolean deleted = Dynamo.conditionally(() -> old.set(ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.user(userId), Keys.message(messageId))).conditionExpression("attribute_exists(pk)")
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_OLD)).attributes()));
        if (deleted && old.get() != null && old.get().containsKey("read") && !Attr.bool(old.get(), "read")) {
            countWrite(userId, messageId, null, -1);
        }
        return deleted;
    }

    /** The id of the newest message the user had when they last opened their notifications; empty before the first time. */
    public java.util.OptionalLong seenId(long userId) {
        var inbox = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.INBOX)).consistentRead(true)).item();
        return inbox == null || !inbox.containsKey("seenId") ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(Attr.lng(inbox, "seenId"));
    }

    /** The bell: unread messages after the newest one the user had when they last opened their notifications (one GetItem). */
    public int countNew(long userId) {
        var inbox = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.INBOX)).consistentRead(true)).item();
        if (inbox == null || !inbox.containsKey("unread")) return 0;
        return (int) Math.max(0, Attr.lng(inbox, "unread"));
    }

    /**
     * The user opened their notifications: from now on only messages after the newest one they have are new, and
     * the count is zero. Conditional on the INBOX item not having moved since it was read (a message that came in
     * between the read of the newest id and this write was counted; its count must not be wiped), tried a few
     * times; after that the write goes through (a count left one short heals at the next opening).
     */
    public void markSeen(long userId) {
        var key = Attr.key(Keys.user(userId), Keys.INBOX);
        for (int attempt = 0; ; attempt++) {
            var inbox = ddb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
            Long version = inbox == null || !inbox.containsKey("v") ? null : Attr.lng(inbox, "v");
            var newest = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :u AND begins_with(sk, :m)")
                    .expressionAttributeValues(Map.of(":u", Attr.s(Keys.user(userId)), ":m", Attr.s(Keys.MESSAGE_PREFIX)))
                    .scanIndexForward(false).limit(1).consistentRead(true)).items();
            long seen = newest.isEmpty() ? -1 : Attr.lng(newest.get(0), "id");
            beforeSeenWrite.run();
            Map<String, AttributeValue> item = new HashMap<>(key);
            item.put("seenId", Attr.n(seen));
            item.put("unread", Attr.n(0));
            item.put("v", Attr.n(version == null ? 1 : version + 1));
            if (attempt >= 4) {
                ddb.putItem(b -> b.tableName(table).item(item));
                return;
            }
            boolean written = version == null
                    ? Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(v)")))
                    : Dynamo.conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("v = :v")
                            .expressionAttributeValues(Map.of(":v", Attr.n(version)))));
            if (written) return;
        }
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
