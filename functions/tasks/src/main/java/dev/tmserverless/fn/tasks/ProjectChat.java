package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.ChatStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Html;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.dto.Pagination;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A project's questions and comments (its chat). */
@Singleton
public class ProjectChat {
    /** Chat messages are limited like task comments. */
    static final int MAX_LENGTH = 10_000;

    private final ChatStore chat;
    private final ProjectAccess access;
    private final UserStore users;
    private final CommentNotices notices;

    public ProjectChat(ChatStore chat, ProjectAccess access, UserStore users, CommentNotices notices) {
        this.chat = chat;
        this.access = access;
        this.users = users;
        this.notices = notices;
    }

    /** The chat, newest first, {@code perPage} a page. */
    public Map<String, Object> page(long projectId, User caller, int page, int perPage) {
        access.visible(projectId, caller);
        return dto(chat.page(projectId, page, perPage), page, perPage);
    }

    /** Posts a message (escaped, mentions notified) and answers the first page of five, as the reference does. */
    public Map<String, Object> post(long projectId, User caller, String message) {
        Permissions.checkCanComment(caller);
        if (message == null || message.isBlank() || message.length() > MAX_LENGTH) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Unable to add chat message");
        }
        ProjectAccess.View v = access.load(projectId, caller);
        Permissions.checkCanChat(caller, v.project(), v.pm(), v.membership());
        Instant now = Instant.now();
        chat.post(projectId, caller.id(), caller.username(), Html.escape(message), now);
        notices.afterChat(message, caller, v.project(), now);
        return dto(chat.page(projectId, 1, 5), 1, 5);
    }

    public void delete(long projectId, long commentId, User caller) {
        ProjectAccess.View v = access.load(projectId, caller);
        ChatStore.ChatMessage m = chat.get(projectId, commentId).orElseThrow(() -> new ApiException(ErrorCode.MESSAGE_NOT_FOUND,
                ErrorCode.MESSAGE_NOT_FOUND.message, Map.of("message_id", commentId)));
        Permissions.checkCanDeleteChat(caller, m.userId(), v.pm());
        chat.delete(projectId, commentId);
    }

    private Map<String, Object> dto(ChatStore.Page p, int page, int perPage) {
        // the author's current name and picture, as the reference joins them: a renamed or deleted account shows as it is now
        Map<Long, User> authors = new HashMap<>(users.getAll(p.messages().stream().map(ChatStore.ChatMessage::userId).distinct().toList()));
        List<Object> out = new ArrayList<>();
        for (ChatStore.ChatMessage m : p.messages()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", m.id());
            d.put("message", m.message());
            User author = authors.get(m.userId());
            d.put("pictureUrl", author == null ? null : author.pictureUrl());
            d.put("timestamp", m.timestamp());
            d.put("username", author == null ? m.username() : author.username());
            out.add(d);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("chat", out);
        r.put("pagination", Pagination.of(page, perPage, p.total()));
        return r;
    }
}
