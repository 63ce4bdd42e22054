package dev.tmserverless.core.domain;

import java.time.Instant;

/**
 * The texts of the messages the system sends, as the reference words them (HTML, links relative to the web
 * frontend's origin so they work wherever it is served).
 */
public final class Messages {
    private Messages() {}

    /** The first message of every new user (a fixed id within their inbox, so two racing first logins send one). */
    public static Message welcome(User u, String orgCode, Instant now) {
        String text = "Hi " + Html.escape(u.username()) + ",<br />\n<br />\n"
                + "Welcome to the " + orgCode + " Tasking Manager, we hope you will enjoy being part of the community that is"
                + " helping map the world.<br />\n<br />\n"
                + "In order to be notified on project updates and feedback on your mapping, please check if your email"
                + " address is registered and verified on your <a href=\"/settings\">settings page</a>.<br />\n<br />\n"
                + "Thank you very much!<br />\n";
        return new Message(WELCOME_ID, u.id(), Message.Type.SYSTEM, "Welcome to the " + orgCode + " Tasking Manager", text,
                null, null, null, null, null, now, false);
    }

    /**
     * Congratulations on a new mapping level (the reference's level_upgrade message); {@code id} is assigned by
     * the message store.
     */
    public static Message levelUpgrade(User u, String levelName, String orgCode, Instant now) {
        String level = levelName.trim();
        if (!level.toLowerCase(java.util.Locale.ROOT).endsWith("mapper")) level = level + " mapper";
        String shown = level.isEmpty() ? level : level.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                + level.substring(1).toLowerCase(java.util.Locale.ROOT);
        String text = "Hi " + Html.escape(u.username()) + ",<br />\n<br />\n"
                + "Congratulations! You are now an " + Html.escape(shown) + " on the " + orgCode
                + " Tasking Manager. Thank you for your contributions.<br />\n";
        return new Message(0, u.id(), Message.Type.SYSTEM, "Congratulations\uD83C\uDF89, You're now an " + shown + ".",
                text, null, null, null, null, null, now, false);
    }

    private static String teamLink(String teamName, long teamId, boolean management) {
        return "<a href=\"" + (management ? "/manage/teams/" + teamId + "/" : "/teams/" + teamId + "/membership/") + "\">"
                + Html.escape(teamName) + "</a>";
    }

    /** To a manager of a BY_REQUEST team who asked for join-request notices: {@code from} asked to join. */
    public static Message joinRequest(long toUserId, User from, long teamId, String teamName, Instant now) {
        String user = userLink(from.username());
        String team = teamLink(teamName, teamId, true);
        return new Message(-1, toUserId, Message.Type.REQUEST_TEAM_NOTIFICATION, user + " requested to join " + team,
                user + " has requested to join the " + team + " team. Access the team management page to accept or reject"
                        + " that request.", from.id(), from.username(), null, null, null, now, false);
    }

    /** To the user whose join request a team manager answered ({@code accept} or {@code reject}). */
    public static Message joinAnswer(long toUserId, User manager, long teamId, String teamName, String action, Instant now) {
        String team = teamLink(teamName, teamId, false);
        return new Message(-1, toUserId, Message.Type.REQUEST_TEAM_NOTIFICATION,
                "Your request to join team " + team + " has been " + action + "ed",
                userLink(manager.username()) + " has " + action + "ed your request to join the " + team + " team.",
                manager.id(), manager.username(), null, null, null, now, false);
    }

    /** To a user a team manager added to the team as {@code function}. */
    public static Message addedToTeam(long toUserId, User manager, long teamId, String teamName, String function, Instant now) {
        String team = teamLink(teamName, teamId, false);
        return new Message(-1, toUserId, Message.Type.INVITATION_NOTIFICATION, "You have been added to team " + team,
                "You have been added to the team " + team + " as " + function + " by " + userLink(manager.username())
                        + ". Access the " + team + "'s page to view more info about this team.",
                manager.id(), manager.username(), null, null, null, now, false);
    }

    /** The id of the welcome message in every inbox: before every other message. */
    public static final long WELCOME_ID = 0;

    private static String taskLink(long projectId, int taskId) {
        return "<a style=\"\" href=\"/projects/" + projectId + "/tasks/?search=" + taskId + "\">Task " + taskId + "</a>";
    }

    private static String projectLink(long projectId, String projectName, boolean chat) {
        return "<a style=\"\" href=\"/projects/" + projectId + (chat ? "#questionsAndComments" : "") + "\">"
                + Html.escape(projectName) + " #" + projectId + "</a>";
    }

    /** To someone a task comment mentions ({@code taskId}) or a project chat message mentions ({@code taskId} null). */
    public static Message mention(long toUserId, User author, long projectId, String projectName, Integer taskId,
                                  String escapedText, Instant now) {
        String subject = taskId != null
                ? "You were mentioned in a comment in " + taskLink(projectId, taskId) + " of Project " + projectLink(projectId, projectName, false)
                : "You were mentioned in Project " + projectLink(projectId, projectName, true) + " chat";
        return new Message(-1, toUserId, Message.Type.MENTION_NOTIFICATION, subject, escapedText, author.id(),
                author.username(), projectId, projectName, taskId, now, false);
    }

    /**
     * To a project's contributors and the users who favourited it, when somebody writes in its chat ({@code toUserId}
     * -1: a message to many).
     */
    public static Message projectChat(User author, long projectId, String projectName, String escapedText, Instant now) {
        String subject = userLink(author.username()) + " left a comment in project " + projectLink(projectId, projectName, true);
        return new Message(-1, -1, Message.Type.PROJECT_CHAT_NOTIFICATION, subject, escapedText, author.id(),
                author.username(), projectId, projectName, null, now, false);
    }

    /** To someone who changed a task's state, when somebody else comments on it. */
    public static Message taskComment(long toUserId, User author, long projectId, String projectName, int taskId,
                                      String escapedText, Instant now) {
        String subject = "<a href=\"/users/" + Html.escape(author.username()) + "\">" + Html.escape(author.username())
                + "</a> left a comment in " + taskLink(projectId, taskId) + " of Project " + projectLink(projectId, projectName, false);
        return new Message(-1, toUserId, Message.Type.TASK_COMMENT_NOTIFICATION, subject, escapedText, author.id(),
                author.username(), projectId, projectName, taskId, now, false);
    }

    /**
     * To the mapper of a task a validator has just validated or marked invalid; nothing when they validated their
     * own task. {@code projectName} in the project's default locale.
     */
    public static java.util.Optional<Message> afterValidation(Task task, TaskStatus outcome, User validator,
                                                                String mapperName, String projectName, String orgName,
                                                                Instant now) {
        if (task.mappedBy() == null || task.mappedBy() == validator.id()) return java.util.Optional.empty();
        boolean invalid = outcome == TaskStatus.INVALIDATED;
        String taskLink = "<a style=\"color: #d73f3f\" href=\"/projects/" + task.projectId() + "/tasks/?search="
                + task.taskId() + "\">Task " + task.taskId() + "</a>";
        String projectLink = "<a style=\"\" href=\"/projects/" + task.projectId() + "\">" + Html.escape(projectName)
                + " #" + task.projectId() + "</a>";
        String subject = taskLink + " mapped by you in Project " + projectLink + " has been "
                + (invalid ? "marked invalid" : "validated");
        String text = "Hi " + Html.escape(mapperName) + ",<br />\n<br />\n"
                + (invalid ? "Unfortunately, the " + taskLink + " you marked as \"Completely Mapped\" was just set as \"More mapping needed\".<br />\n"
                        : "The " + taskLink + " you marked as \"Completely Mapped\" was just validated!<br />\n")
                + "<br />\nThis is an automated message, the person who " + (invalid ? "reviewed the task" : "validated it")
                + " hopefully shared some feedback with you.<br />\n<br />\n"
                + "Thank you very much for mapping!<br />\n" + Html.escape(orgName) + "<br />\n";
        return java.util.Optional.of(new Message(-1, task.mappedBy(), invalid ? Message.Type.INVALIDATION_NOTIFICATION
                : Message.Type.VALIDATION_NOTIFICATION, subject, text, validator.id(), validator.username(),
                task.projectId(), projectName, task.taskId(), now, false));
    }

    private static String userLink(String username) {
        return "<a href=\"/users/" + Html.escape(username) + "\">" + Html.escape(username) + "</a>";
    }

    /** The text of a message to a project's contributors ({@code text} as the manager wrote it; escaped here). */
    public static String projectBroadcast(long projectId, String projectName, String text) {
        return "A message from <a style=\"color: #d73f3f\" href=\"/projects/" + projectId + "\">" + Html.escape(projectName)
                + " #" + projectId + "</a> managers:<br/><br/>" + Html.escape(text);
    }

    /** The text of an administrator's message to a campaign's contributors ({@code text} escaped here). */
    public static String campaignBroadcast(String campaignName, String adminUsername, String text) {
        return "Message for the " + Html.escape(campaignName) + " campaign contributors from admin " + userLink(adminUsername)
                + ":<br/><br/>" + Html.escape(text);
    }

    /** The text of a team manager's message to their team ({@code text} escaped here). */
    public static String teamBroadcast(long teamId, String teamName, String managerUsername, String text) {
        return "A message from " + userLink(managerUsername) + ", manager of <a href=\"/teams/" + teamId + "/membership/\">"
                + Html.escape(teamName) + "</a> team:<br/><br/>" + Html.escape(text);
    }
}
