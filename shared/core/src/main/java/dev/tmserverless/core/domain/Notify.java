package dev.tmserverless.core.domain;

/**
 * What a person's notification settings make of a message sent to them, as the reference decides it: into the inbox
 * and by e-mail, into the inbox only, or not at all (docs/people.md "Notification settings").
 *
 * <ul>
 *   <li>mentions with {@code mentionsNotifications} off, team announcements with
 *       {@code teamsAnnouncementNotifications} off: the inbox only;</li>
 *   <li>project activity and messages to a project's or campaign's contributors with {@code projectsNotifications}
 *       off, project chat with {@code questionsAndCommentsNotifications} off, task comments with
 *       {@code taskCommentsNotifications} off, validations and invalidations with {@code taskValidationNotification}
 *       / {@code taskInvalidationNotification} off: nothing;</li>
 *   <li>anything else: the inbox, and a mail when the person has a verified address.</li>
 * </ul>
 */
public enum Notify {
    INBOX_AND_MAIL, INBOX_ONLY, NOTHING;

    public boolean inbox() { return this != NOTHING; }

    /** Whether the message is also mailed to {@code p}: this decision allows it and the address is verified. */
    public boolean mailTo(UserProfile p) {
        return this == INBOX_AND_MAIL && p.emailVerified() && p.user().emailAddress() != null && !p.user().emailAddress().isBlank();
    }

    public static Notify of(Message.Type type, UserProfile p) {
        return switch (type) {
            case MENTION_NOTIFICATION -> p.notification("mentionsNotifications") ? INBOX_AND_MAIL : INBOX_ONLY;
            case TEAM_BROADCAST -> p.notification("teamsAnnouncementNotifications") ? INBOX_AND_MAIL : INBOX_ONLY;
            case PROJECT_ACTIVITY_NOTIFICATION, BROADCAST -> on(p, "projectsNotifications");
            case PROJECT_CHAT_NOTIFICATION -> on(p, "questionsAndCommentsNotifications");
            case TASK_COMMENT_NOTIFICATION -> on(p, "taskCommentsNotifications");
            case VALIDATION_NOTIFICATION -> on(p, "taskValidationNotification");
            case INVALIDATION_NOTIFICATION -> on(p, "taskInvalidationNotification");
            default -> INBOX_AND_MAIL;
        };
    }

    private static Notify on(UserProfile p, String setting) {
        return p.notification(setting) ? INBOX_AND_MAIL : NOTHING;
    }
}
