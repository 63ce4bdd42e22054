package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Html;
import dev.tmserverless.core.domain.Mentions;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.User;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who hears about a comment: everyone it mentions ({@code @name}, {@code @[a name]}), and, for a task comment,
 * everyone else who changed the task's state. Never the author. Sent after the comment is written: a crash in
 * between loses a notice, never the comment.
 */
@Singleton
public class CommentNotices {
    /** At most this many people are mentioned per comment; more is not a conversation. */
    static final int MAX_MENTIONS = 20;

    private final MessageStore messages;
    private final UserStore users;

    public CommentNotices(MessageStore messages, UserStore users) {
        this.messages = messages;
        this.users = users;
    }

    /** After {@code comment} was added to {@code task} (as written) by {@code author}. */
    public void afterTaskComment(Task task, String comment, User author, Project project, Instant now) {
        if (comment == null || comment.isBlank()) return;
        String name = projectName(project);
        String text = Html.escape(comment);
        Set<Long> told = mention(comment, author, project, task.taskId(), text, now);
        Set<Long> changers = new LinkedHashSet<>();
        for (HistoryEntry e : task.history()) if (e.action() == TaskAction.STATE_CHANGE) changers.add(e.userId());
        for (long id : changers) {
            if (id == author.id() || told.contains(id)) continue;
            messages.send(Messages.taskComment(id, author, project.id(), name, task.taskId(), text, now));
        }
    }

    /** After a project chat message by {@code author}. */
    public void afterChat(String message, User author, Project project, Instant now) {
        mention(message, author, project, null, Html.escape(message), now);
    }

    private Set<Long> mention(String text, User author, Project project, Integer taskId, String escaped, Instant now) {
        Set<Long> told = new LinkedHashSet<>();
        for (String name : Mentions.usernames(text).stream().limit(MAX_MENTIONS).toList()) {
            users.byUsername(name).filter(u -> u.id() != author.id()).ifPresent(u -> {
                if (told.add(u.id())) {
                    messages.send(Messages.mention(u.id(), author, project.id(), projectName(project), taskId, escaped, now));
                }
            });
        }
        return told;
    }

    private static String projectName(Project p) {
        var info = p.info(p.defaultLocale());
        return info == null ? "" : info.name();
    }
}
