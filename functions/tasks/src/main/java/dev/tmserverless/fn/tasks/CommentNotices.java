package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Html;
import dev.tmserverless.core.domain.Mentions;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Notify;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TeamMember;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserProfile;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who hears about a comment: everyone it mentions ({@code @name}, {@code @[a name]} and the bulk tags
 * {@code #author}, {@code #managers}, {@code #contributors}, {@code #mappers}), and, for a task comment, everyone else
 * who changed the task's state. Never the author. Each recipient's notification settings decide ({@link Notify}:
 * a muted task comment is not sent; a mention always reaches the inbox). Sent after the comment is written: a crash
 * in between loses a notice, never the comment (docs/people.md "Notification settings").
 */
@Singleton
public class CommentNotices {
    /** At most this many people are mentioned by name per comment; more is not a conversation. */
    static final int MAX_MENTIONS = 20;

    private final MessageStore messages;
    private final UserStore users;
    private final OrgStore orgs;
    private final TeamStore teams;
    private final MessageJobs jobs;

    public CommentNotices(MessageStore messages, UserStore users, OrgStore orgs, TeamStore teams, MessageJobs jobs) {
        this.messages = messages;
        this.users = users;
        this.orgs = orgs;
        this.teams = teams;
        this.jobs = jobs;
    }

    /** After {@code comment} was added to {@code task} (as written) by {@code author}. */
    public void afterTaskComment(Task task, String comment, User author, Project project, Instant now) {
        if (comment == null || comment.isBlank()) return;
        String name = projectName(project);
        String text = Html.escape(comment);
        Set<Long> told = mention(comment, author, project, task, text, now);
        Set<Long> changers = new LinkedHashSet<>();
        for (HistoryEntry e : task.history()) if (e.action() == TaskAction.STATE_CHANGE) changers.add(e.userId());
        changers.remove(author.id());
        changers.removeAll(told);
        Map<Long, UserProfile> profiles = users.profiles(changers);
        for (long id : changers) {
            Message m = Messages.taskComment(id, author, project.id(), name, task.taskId(), text, now);
            if (wanted(m, profiles.get(id))) messages.send(m);
        }
    }

    /**
     * After a project chat message by {@code author}: those it mentions, then, through the messenger, the project's
     * contributors and the users who favourited it (PROJECT_CHAT_NOTIFICATION, which their
     * {@code questionsAndCommentsNotifications} lets through or not), as the reference does.
     */
    public void afterChat(String message, User author, Project project, Instant now) {
        String escaped = Html.escape(message);
        mention(message, author, project, null, escaped, now);
        Message t = Messages.projectChat(author, project.id(), projectName(project), escaped, now);
        jobs.send(new MessageJobs.Job(MessageJobs.Audience.PROJECT_CHAT, project.id(), t.withId(messages.nextId()), author.id(), -1));
    }

    /**
     * Tells everyone {@code text} mentions; answers who was told. {@code #contributors} needs a task (as in the
     * reference); {@code #mappers} of a whole project (chat) can be many, so they are told by the messenger from the
     * queue (docs/reference-data.md "Messages to many").
     */
    private Set<Long> mention(String text, User author, Project project, Task task, String escaped, Instant now) {
        Set<Long> ids = new LinkedHashSet<>();
        for (String name : Mentions.usernames(text).stream().limit(MAX_MENTIONS).toList()) {
            users.byUsername(name).ifPresent(u -> ids.add(u.id()));
        }
        Set<String> tags = Mentions.tags(text);
        if (tags.contains("author")) ids.add(project.authorId());
        if (tags.contains("managers")) ids.addAll(managers(project));
        if (task != null && tags.contains("contributors")) {
            for (HistoryEntry e : task.history()) if (e.action() != TaskAction.COMMENT) ids.add(e.userId());
        }
        if (tags.contains("mappers")) {
            if (task != null) {
                for (HistoryEntry e : task.history()) {
                    if (e.action() == TaskAction.STATE_CHANGE && "MAPPED".equals(e.actionText())) ids.add(e.userId());
                }
            } else {
                Message t = Messages.mention(-1, author, project.id(), projectName(project), null, escaped, now);
                Message template = new Message(messages.nextId(), -1, t.type(), t.subject(), t.message(), t.fromUserId(),
                        t.fromUsername(), t.projectId(), t.projectTitle(), t.taskId(), t.date(), false);
                jobs.send(new MessageJobs.Job(MessageJobs.Audience.PROJECT_MAPPERS, project.id(), template, author.id(), -1));
            }
        }
        ids.remove(author.id());
        Map<Long, UserProfile> profiles = users.profiles(ids);
        Set<Long> told = new LinkedHashSet<>();
        for (long id : ids) {
            if (!profiles.containsKey(id)) continue;
            Message m = Messages.mention(id, author, project.id(), projectName(project), task == null ? null : task.taskId(), escaped, now);
            if (wanted(m, profiles.get(id)) && told.add(id)) messages.send(m);
        }
        return told;
    }

    /** {@code #managers}: the managers of the project's organisation and the active members of its project-manager teams. */
    private Set<Long> managers(Project project) {
        Set<Long> out = new LinkedHashSet<>();
        orgs.get(project.organisationId()).ifPresent(o -> out.addAll(o.managers()));
        for (TeamStore.ProjectTeam pt : teams.teamsOfProject(project.id())) {
            if (pt.role() != TeamRole.PROJECT_MANAGER) continue;
            for (TeamMember m : teams.members(pt.teamId())) if (m.active()) out.add(m.userId());
        }
        return out;
    }

    /** Whether the recipient's settings let {@code m} into their inbox (an account not found: yes). */
    private static boolean wanted(Message m, UserProfile p) {
        return p == null || Notify.of(m.type(), p).inbox();
    }

    private static String projectName(Project p) {
        var info = p.info(p.defaultLocale());
        return info == null ? "" : info.name();
    }
}
