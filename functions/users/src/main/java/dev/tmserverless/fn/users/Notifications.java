package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.dto.Pagination;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The caller's notifications (their inbox): list with filters, read, delete, the bell's count. */
@Singleton
public class Notifications {
    private final MessageStore messages;
    private final UserStore users;

    public Notifications(MessageStore messages, UserStore users) {
        this.messages = messages;
        this.users = users;
    }

    /** The list's query: the reference's parameters and defaults. */
    public record ListQuery(Set<Integer> types, String from, Long projectId, Long taskId, Boolean read, String sortBy,
                            boolean ascending, int page, int pageSize) {
        static ListQuery from(Request req) {
            Set<Integer> types = req.query("messageType").filter(s -> !s.isBlank()).map(ListQuery::types).orElse(null);
            Boolean read = req.query("status").map(s -> s.equals("read") ? Boolean.TRUE : s.equals("unread") ? Boolean.FALSE : null).orElse(null);
            String sortBy = req.query("sortBy").filter(s -> List.of("date", "message_type", "from_user_id", "project_id", "read").contains(s)).orElse("date");
            boolean asc = req.query("sortDirection").map(s -> s.equalsIgnoreCase("asc")).orElse(false);
            Long page = Fields.queryLong(req, "page");
            Long size = Fields.queryLong(req, "pageSize");
            Long project = req.query("project").filter(s -> !s.isBlank()).map(s -> {
                if (!s.trim().matches("\\d{1,18}")) throw new ApiException(ErrorCode.INVALID_DATA, "project must be a project id");
                return Long.parseLong(s.trim());
            }).orElse(null);
            return new ListQuery(types, req.query("from").filter(s -> !s.isBlank()).orElse(null), project,
                    Fields.queryLong(req, "taskId"), read, sortBy, asc,
                    (int) Math.max(1, Math.min(page == null ? 1 : page, 1_000_000)),
                    (int) Math.max(1, Math.min(size == null ? 10 : size, 1000)));
        }

        static Set<Integer> types(String csv) {
            Set<Integer> out = new HashSet<>();
            for (String t : csv.split(",")) {
                if (!t.trim().matches("\\d{1,9}")) throw new ApiException(ErrorCode.INVALID_DATA, "messageType must be a list of type numbers");
                out.add(Integer.parseInt(t.trim()));
            }
            return out;
        }
    }

    public Map<String, Object> list(User caller, ListQuery q) {
        Predicate<Message> keep = m -> (q.types() == null || q.types().contains(m.type().code))
                && (q.from() == null || (m.fromUsername() != null
                        && m.fromUsername().toLowerCase(Locale.ROOT).startsWith(q.from().toLowerCase(Locale.ROOT))))
                && (q.projectId() == null || q.projectId().equals(m.projectId()))
                && (q.taskId() == null || (m.taskId() != null && q.taskId() == m.taskId().longValue()))
                && (q.read() == null || q.read() == m.read());
        List<Message> all = new ArrayList<>(messages.inbox(caller.id()).stream().filter(keep).toList());
        Comparator<Message> order = switch (q.sortBy()) {
            case "message_type" -> Comparator.comparingInt(m -> m.type().code);
            case "from_user_id" -> Comparator.comparing(m -> m.fromUserId() == null ? Long.MIN_VALUE : m.fromUserId());
            case "project_id" -> Comparator.comparing(m -> m.projectId() == null ? Long.MIN_VALUE : m.projectId());
            case "read" -> Comparator.comparing(Message::read);
            default -> Comparator.comparing(Message::date);
        };
        order = order.thenComparingLong(Message::id);
        all.sort(q.ascending() ? order : order.reversed());
        int from = Math.min(all.size(), (q.page() - 1) * q.pageSize());
        List<Message> page = all.subList(from, Math.min(all.size(), from + q.pageSize()));
        Map<Long, String> pictures = pictures(page);
        List<Object> dtos = new ArrayList<>();
        for (Message m : page) dtos.add(dto(m, pictures));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pagination", Pagination.of(q.page(), q.pageSize(), all.size()));
        out.put("userMessages", dtos);
        return out;
    }

    /** One message, which is then read. Another user's message is as unknown as a missing one. */
    public Map<String, Object> readOne(User caller, long messageId) {
        Message m = messages.get(caller.id(), messageId).orElseThrow(() -> notFound(messageId));
        messages.markRead(caller.id(), messageId);
        return dto(m, pictures(List.of(m)));
    }

    public void delete(User caller, long messageId) {
        if (!messages.delete(caller.id(), messageId)) throw notFound(messageId);
    }

    /** Deletes the listed messages of the caller's inbox; ids that are not in it are ignored. */
    public void deleteMany(User caller, List<Long> ids) {
        for (long id : ids) messages.delete(caller.id(), id);
    }

    public void deleteAll(User caller, Set<Integer> types) {
        for (Message m : messages.inbox(caller.id())) {
            if (types == null || types.contains(m.type().code)) messages.delete(caller.id(), m.id());
        }
    }

    public void markRead(User caller, List<Long> ids) {
        for (long id : ids) messages.markRead(caller.id(), id);
    }

    public void markAllRead(User caller, Set<Integer> types) {
        for (Message m : messages.inbox(caller.id())) {
            if (!m.read() && (types == null || types.contains(m.type().code))) messages.markRead(caller.id(), m.id());
        }
    }

    /** The bell: unread messages that arrived since the caller last opened their notifications. */
    public Map<String, Object> countNew(User caller, Instant now) {
        int n = messages.countNew(caller.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("newMessages", n > 0);
        out.put("unread", n);
        return out;
    }

    /** The caller opened their notifications: answers how many were new, and counts from now on. */
    public int markSeen(User caller, Instant now) {
        int n = messages.countNew(caller.id());
        messages.markSeen(caller.id());
        return n;
    }

    /** {@code {"messageIds": [ids]}}: a missing or mistyped list is 422. */
    public static List<Long> messageIds(JsonNode body) {
        JsonNode ids = Fields.object(body).get("messageIds");
        if (ids == null || ids.isNull()) throw Fields.schema("messageIds", "Field required", "missing");
        if (!ids.isArray()) throw Fields.schema("messageIds", "Input should be a valid list", "list_type");
        List<Long> out = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isIntegralNumber() || !id.canConvertToLong()) throw Fields.schema("messageIds", "Input should be a valid integer", "int_type");
            out.add(id.asLong());
        }
        return out;
    }

    private Map<Long, String> pictures(List<Message> page) {
        Map<Long, String> out = new java.util.HashMap<>();
        users.getAll(page.stream().map(Message::fromUserId).filter(java.util.Objects::nonNull).distinct().toList())
                .forEach((id, u) -> { if (u.pictureUrl() != null) out.put(id, u.pictureUrl()); });
        return out;
    }

    private static Map<String, Object> dto(Message m, Map<Long, String> pictures) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("messageId", m.id());
        d.put("subject", m.subject());
        d.put("message", m.message());
        d.put("fromUsername", m.fromUsername() == null ? "" : m.fromUsername());
        d.put("displayPictureUrl", m.fromUserId() == null ? "" : pictures.getOrDefault(m.fromUserId(), ""));
        d.put("projectId", m.projectId());
        d.put("projectTitle", m.projectTitle());
        d.put("taskId", m.taskId());
        d.put("messageType", m.type().name());
        d.put("sentDate", m.date());
        d.put("read", m.read());
        return d;
    }

    private static ApiException notFound(long messageId) {
        return new ApiException(ErrorCode.MESSAGE_NOT_FOUND, ErrorCode.MESSAGE_NOT_FOUND.message, Map.of("message_id", messageId));
    }
}
