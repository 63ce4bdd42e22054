package dev.tmserverless.core.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * A message in a user's inbox (the notifications). {@code id} orders a user's messages by arrival; it is unique
 * within the inbox. {@code fromUserId} is null for messages the system sends.
 */
public record Message(long id, long toUserId, Type type, String subject, String message, Long fromUserId,
                      String fromUsername, Long projectId, String projectTitle, Integer taskId, Instant date, boolean read) {

    /** The reference's message types, with their stored numbers. */
    public enum Type {
        SYSTEM(1), BROADCAST(2), MENTION_NOTIFICATION(3), VALIDATION_NOTIFICATION(4), INVALIDATION_NOTIFICATION(5),
        REQUEST_TEAM_NOTIFICATION(6), INVITATION_NOTIFICATION(7), TASK_COMMENT_NOTIFICATION(8),
        PROJECT_CHAT_NOTIFICATION(9), PROJECT_ACTIVITY_NOTIFICATION(10), TEAM_BROADCAST(11);

        public final int code;

        Type(int code) { this.code = code; }

        public static Optional<Type> ofCode(int code) {
            for (Type t : values()) if (t.code == code) return Optional.of(t);
            return Optional.empty();
        }
    }

    public Message withId(long newId) {
        return new Message(newId, toUserId, type, subject, message, fromUserId, fromUsername, projectId, projectTitle,
                taskId, date, read);
    }
}
