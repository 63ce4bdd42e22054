package dev.tmserverless.core.domain;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a user tells about themself and what the system keeps about them beyond identity ({@link User}):
 * free-text profile fields, gender, editor and notification choices, expert mode, whether their e-mail address
 * was verified, the projects they mapped, their badges, statistics used by badges, and a pending level
 * nomination with its votes (docs/people.md).
 */
public record UserProfile(User user, Map<String, String> texts, String gender, String selfDescriptionGender,
                          String defaultEditor, Map<String, Boolean> notifications, boolean expert,
                          boolean emailVerified, Set<Long> projectsMapped, Set<Long> badges, Map<String, Long> stats,
                          java.time.Instant statsUpdated, Integer nominatedLevel, Set<Long> levelVotes) {
    /** Free-text fields, by their UserDTO name. */
    public static final List<String> TEXT_FIELDS = List.of("twitterId", "facebookId", "linkedinId", "slackId", "ircId",
            "skypeId", "city", "country", "name");
    /** Notification choices by their UserDTO name, with the reference's defaults. */
    public static final Map<String, Boolean> NOTIFICATION_DEFAULTS = orderedDefaults();
    public static final List<String> GENDERS = List.of("MALE", "FEMALE", "SELF_DESCRIBE", "PREFER_NOT");
    public static final List<String> EDITORS = List.of("ID", "JOSM", "POTLATCH_2", "FIELD_PAPERS", "CUSTOM", "RAPID");

    public UserProfile {
        texts = texts == null ? Map.of() : Map.copyOf(texts);
        notifications = notifications == null ? Map.of() : Map.copyOf(notifications);
        projectsMapped = projectsMapped == null ? Set.of() : Set.copyOf(projectsMapped);
        badges = badges == null ? Set.of() : Set.copyOf(badges);
        stats = stats == null ? Map.of() : Map.copyOf(stats);
        levelVotes = levelVotes == null ? Set.of() : Set.copyOf(levelVotes);
        if (defaultEditor == null) defaultEditor = "ID";
    }

    public String text(String field) { return texts.get(field); }

    public boolean notification(String field) {
        return notifications.getOrDefault(field, NOTIFICATION_DEFAULTS.get(field));
    }

    private static Map<String, Boolean> orderedDefaults() {
        var m = new java.util.LinkedHashMap<String, Boolean>();
        m.put("mentionsNotifications", true);
        m.put("questionsAndCommentsNotifications", false);
        m.put("projectsNotifications", true);
        m.put("tasksNotifications", true);
        m.put("taskValidationNotification", true);
        m.put("taskInvalidationNotification", true);
        m.put("taskCommentsNotifications", false);
        m.put("teamsAnnouncementNotifications", true);
        return java.util.Collections.unmodifiableMap(m);
    }
}
