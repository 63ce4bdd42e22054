package dev.tmserverless.fn.users;

import dev.tmserverless.core.domain.User;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference's UserDTO: every key is always present. {@code projectsMapped} comes from the user's counters
 * (docs/workflow.md "A user's tasks and counters"). Profile fields this system does not keep yet are null; notification flags and the editor are the reference's defaults, which no endpoint here can
 * change. E-mail and gender are shown to the user themself only.
 */
final class UserDto {
    private UserDto() {}

    static Map<String, Object> of(User u, boolean self) {
        return of(u, self, dev.tmserverless.aws.store.UserTasks.Stats.NONE);
    }

    /** {@code projectsMapped}: the projects in which the user changed a task's status (null for none, as in the reference). */
    static Map<String, Object> of(User u, boolean self, dev.tmserverless.aws.store.UserTasks.Stats stats) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("username", u.username());
        m.put("role", u.role().name());
        m.put("mappingLevel", u.mappingLevel().name());
        m.put("level_ordering", u.mappingLevel().ordering());
        m.put("projectsMapped", stats.projectsMapped() == 0 ? null : stats.projectsMapped());
        m.put("emailAddress", self ? u.emailAddress() : null);
        m.put("isEmailVerified", self ? Boolean.FALSE : null);
        m.put("isExpert", false);
        m.put("twitterId", null);
        m.put("facebookId", null);
        m.put("linkedinId", null);
        m.put("slackId", null);
        m.put("ircId", null);
        m.put("skypeId", null);
        m.put("city", null);
        m.put("country", null);
        m.put("name", null);
        m.put("pictureUrl", u.pictureUrl());
        m.put("defaultEditor", "ID");
        m.put("mentionsNotifications", true);
        m.put("questionsAndCommentsNotifications", false);
        m.put("projectsNotifications", true);
        m.put("tasksNotifications", true);
        m.put("taskValidationNotification", null);
        m.put("taskInvalidationNotification", null);
        m.put("taskCommentsNotifications", false);
        m.put("teamsAnnouncementNotifications", true);
        m.put("gender", null);
        m.put("selfDescriptionGender", null);
        return m;
    }
}
