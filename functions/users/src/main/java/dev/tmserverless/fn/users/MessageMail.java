package dev.tmserverless.fn.users;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Html;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.User;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail that tells somebody a message reached their inbox (the reference's message alert): its subject, its text,
 * who sent it, the project and task it is about, and links to the message and to the notification settings. Sent
 * through {@link Mailer} (SES deployed, the mail stand-in locally); a failure is logged, never retried: the message
 * itself is in the inbox.
 */
@Singleton
public class MessageMail {
    private static final Logger LOG = LoggerFactory.getLogger(MessageMail.class);

    private final Mailer mailer;
    private final TmConfig config;

    public MessageMail(Mailer mailer, TmConfig config) {
        this.mailer = mailer;
        this.config = config;
    }

    /** Mails {@code to} about {@code m}; false when this deployment sends no mail or the mail failed. */
    public boolean send(User to, Message m) {
        if (!mailer.configured()) return false;
        String base = config.get("TM_APP_BASE_URL").map(s -> s.replaceAll("/+$", "")).orElseGet(this::redirectOrigin);
        String inbox = base + "/inbox/message/" + m.id();
        String settings = base + "/settings#notifications";
        String subject = strip(m.subject());
        String body = strip(m.message());
        StringBuilder text = new StringBuilder();
        if (m.fromUsername() != null) text.append(m.fromUsername()).append(" sent you a message");
        else text.append("You have a new message");
        if (m.projectId() != null) {
            text.append(" about project #").append(m.projectId());
            if (m.projectTitle() != null) text.append(" (").append(m.projectTitle()).append(')');
            if (m.taskId() != null) text.append(", task #").append(m.taskId());
        }
        text.append(":\n\n").append(body).append("\n\nRead it in your inbox: ").append(inbox)
                .append("\nChoose which messages reach you by mail: ").append(settings).append('\n');
        String html = "<p>" + Html.escape(text.substring(0, text.indexOf(":\n\n"))) + ":</p><blockquote>"
                + Html.escape(body).replace("\n", "<br />") + "</blockquote><p><a href=\"" + Html.escape(inbox)
                + "\">Read it in your inbox</a></p><p><small><a href=\"" + Html.escape(settings)
                + "\">Choose which messages reach you by mail</a></small></p>";
        try {
            mailer.send(new Mailer.Mail(to.emailAddress(), subject, text.toString(), html, null));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("message alert {} for user {} not mailed: {}", m.id(), to.id(), e.toString());
            return false;
        }
    }

    /** The message as plain text: its tags dropped and its entities read (the HTML part escapes it again). */
    static String strip(String s) {
        if (s == null) return "";
        return s.replaceAll("<[^>]*>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&#x27;", "'").replace("&amp;", "&").trim();
    }

    private String redirectOrigin() {
        try {
            java.net.URI r = java.net.URI.create(config.redirectUri());
            return r.getScheme() + "://" + r.getAuthority();
        } catch (RuntimeException e) {
            return "";
        }
    }
}
