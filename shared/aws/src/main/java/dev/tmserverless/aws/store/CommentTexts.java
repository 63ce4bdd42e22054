package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Long task comments. A comment longer than {@link #INLINE_COMMENT} is kept in its own item, addressed by its
 * content's SHA-256, and the history row holds only that address: the task item then grows by ~100 bytes per row
 * whatever is written, far from DynamoDB's 400 KB item limit. Content addressing makes the text item the same
 * whoever writes it (a lost race leaves at most an unused item) and lets split children share their parent's rows.
 */
@Singleton
public class CommentTexts {
    static final int INLINE_COMMENT = 280;
    /** Stands for a text not yet read (list reads never need history texts); only the stores see it. */
    static final String UNREAD = "\u0000comment:";

    private final DynamoDbClient ddb;
    private final String table;

    public CommentTexts(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    /** True for a row whose text lives in its own item. */
    static boolean external(HistoryEntry e) {
        return e.action() == TaskAction.COMMENT && e.actionText() != null
                && (e.actionText().startsWith(UNREAD) || e.actionText().length() > INLINE_COMMENT);
    }

    static String address(String text) {
        if (text.startsWith(UNREAD)) return text.substring(UNREAD.length());
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the long comments {@code after} adds to {@code before}; call before the task write that refers to them. */
    void putNew(Task before, Task after) {
        Set<String> known = new HashSet<>();
        before.history().stream().filter(CommentTexts::external).forEach(e -> known.add(address(e.actionText())));
        for (HistoryEntry e : after.history()) {
            if (!external(e) || e.actionText().startsWith(UNREAD)) continue;
            String addr = address(e.actionText());
            if (!known.add(addr)) continue;
            Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.comment(addr), Keys.TEXT));
            item.put("t", Attr.s(e.actionText()));
            ddb.putItem(b -> b.tableName(table).item(item));
        }
    }

    /** The task with its long comments' texts read back in (one BatchGetItem per 100 distinct texts). */
    Task fillIn(Task t) {
        List<String> addrs = t.history().stream().filter(e -> external(e) && e.actionText().startsWith(UNREAD))
                .map(e -> address(e.actionText())).distinct().toList();
        if (addrs.isEmpty()) return t;
        Map<String, String> texts = new HashMap<>();
        for (var item : Dynamo.batchGet(ddb, table, addrs.stream().map(a -> Attr.key(Keys.comment(a), Keys.TEXT)).toList())) {
            texts.put(Attr.str(item, "pk").substring(Keys.COMMENT_PREFIX.length()), Attr.str(item, "t"));
        }
        List<HistoryEntry> h = new ArrayList<>();
        for (HistoryEntry e : t.history()) {
            h.add(external(e) && e.actionText().startsWith(UNREAD) ? e.withText(texts.get(address(e.actionText()))) : e);
        }
        return new Task(t.projectId(), t.taskId(), t.x(), t.y(), t.zoom(), t.isSquare(), t.status(), t.lockedBy(),
                t.lockExpiresAt(), t.mappedBy(), t.validatedBy(), t.version(), h);
    }
}
