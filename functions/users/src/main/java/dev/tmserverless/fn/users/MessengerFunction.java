package dev.tmserverless.fn.users;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.queue.SqsBatch;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Notify;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Delivers message jobs (docs/reference-data.md "Messages to many"): each recipient's inbox gets the job's message
 * under the job's message id, written only if that inbox does not hold it yet, and, when the recipient's notification
 * settings ask for it ({@link Notify}) and their address is verified, a mail saying so (docs/people.md "Notification
 * settings"); the mail follows the first write only, so a redelivery mails nobody twice. A crash part-way leaves the message
 * on the queue; its redelivery goes through the recipients again and writes only to those who did not get it. When
 * the function's time is nearly spent, the job is sent again from the last recipient served and this message is done.
 */
public class MessengerFunction extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(MessengerFunction.class);
    /** Time kept back from the function's timeout for the write in flight, the re-send and the answer. */
    static final Duration MARGIN = Duration.ofSeconds(30);

    @Inject Recipients recipients;
    @Inject MessageStore inboxes;
    @Inject MessageJobs queue;
    @Inject dev.tmserverless.aws.store.UserStore users;
    @Inject MessageMail mail;
    Clock clock = Clock.systemUTC();
    /** Runs after each delivery (tests make a worker die there). */
    Runnable afterDelivery = () -> {};

    public MessengerFunction() { super(); }

    public MessengerFunction(ApplicationContextBuilder builder) { super(builder); }

    /**
     * What one message did: delivered to {@code delivered} inboxes (and mailed {@code mailed} of them), found
     * {@code already} already served, left out {@code muted} whose settings refuse this kind of message.
     */
    record Outcome(int delivered, int already, int mailed, int muted, boolean more) {}

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        Instant until = clock.instant().plusSeconds(Resources.function(Resources.MESSENGER).timeoutSeconds()).minus(MARGIN);
        return SqsBatch.handle(Resources.MESSENGER, event, LOG, "message job", new SqsBatch.Consumer<MessageJobs.Work>() {
            @Override public MessageJobs.Work parse(String body) { return MessageJobs.parse(body); }

            @Override public String describe(MessageJobs.Work work) {
                return switch (work) {
                    case MessageJobs.Job job -> job.template().id() + " (" + job.audience() + " " + job.targetId() + ")";
                    case MessageJobs.MailJob mj -> "mail of " + mj.messages().size() + " messages";
                };
            }

            // a failed job is delivered again; its recipients already served are skipped
            @Override public void run(MessageJobs.Work work, SQSEvent.SQSMessage raw) {
                switch (work) {
                    case MessageJobs.Job job -> MessengerFunction.this.run(job, () -> clock.instant().isBefore(until));
                    case MessageJobs.MailJob mj -> MessengerFunction.this.mail(mj, () -> clock.instant().isBefore(until));
                }
            }
        });
    }

    /** Delivers {@code job} while {@code inTime}; when time runs out, queues the rest as a new job. */
    Outcome run(MessageJobs.Job job, BooleanSupplier inTime) {
        int delivered = 0;
        int already = 0;
        int mailed = 0;
        int muted = 0;
        for (long userId : recipients.of(job).tailSet(job.afterUserId(), false)) {
            if (!inTime.getAsBoolean()) {
                queue.send(job.after(userId - 1));
                return new Outcome(delivered, already, mailed, muted, true);
            }
            Message t = job.template();
            var profile = users.profile(userId).orElse(null);
            Notify notify = profile == null ? Notify.INBOX_ONLY : Notify.of(t.type(), profile);
            if (!notify.inbox()) {
                muted++;
                continue;
            }
            Message m = new Message(t.id(), userId, t.type(), t.subject(), t.message(), t.fromUserId(), t.fromUsername(),
                    t.projectId(), t.projectTitle(), t.taskId(), t.date(), false);
            if (inboxes.sendOnce(m)) {
                delivered++;
                if (profile != null && notify.mailTo(profile) && mail.send(profile.user(), m)) mailed++;
            } else {
                already++;
            }
            afterDelivery.run();
        }
        return new Outcome(delivered, already, mailed, muted, false);
    }

    /**
     * Mails the messages {@code job} names, already in their inboxes, to the recipients whose settings ask for it
     * and whose address is verified: each message's mark ({@link MessageStore#claimMailWrite}) is set before its mail,
     * so a redelivery mails nobody twice (a crash between the two loses that mail). A message deleted meanwhile is
     * not mailed. When time runs out, the rest is queued as a new job.
     */
    Outcome mail(MessageJobs.MailJob job, BooleanSupplier inTime) {
        int already = 0;
        int mailed = 0;
        int muted = 0;
        for (int i = 0; i < job.messages().size(); i++) {
            if (!inTime.getAsBoolean()) {
                queue.send(job.from(i));
                return new Outcome(0, already, mailed, muted, true);
            }
            MessageJobs.Delivered d = job.messages().get(i);
            var profile = users.profile(d.userId()).orElse(null);
            var message = inboxes.get(d.userId(), d.messageId()).orElse(null);
            if (profile == null || message == null || !Notify.of(message.type(), profile).mailTo(profile)) {
                muted++;
            } else if (!inboxes.claimMailWrite(d.userId(), d.messageId())) {
                already++;
            } else if (mail.send(profile.user(), message)) {
                mailed++;
            }
            afterDelivery.run();
        }
        return new Outcome(0, already, mailed, muted, false);
    }
}
