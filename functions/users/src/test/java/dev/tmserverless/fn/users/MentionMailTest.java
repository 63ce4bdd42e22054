package dev.tmserverless.fn.users;

import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mentions and task comment notices, written to the inbox by the tasks function, are mailed by the messenger to the
 * recipients whose settings and verified address ask for it, once each (docs/people.md "Notification settings").
 * The tasks function's handler takes the comment; the messenger's handler runs what it queued.
 */
class MentionMailTest {
    static Isolated.Applied env;
    static TasksFunction tasks;
    static Fixture fx;
    static Deliveries queue;
    static MessageStore inboxes;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-mention-mail").applyAsSystemProperties();
        tasks = new TasksFunction();
        fx = new Fixture(tasks.getApplicationContext());
        queue = new Deliveries(tasks.getApplicationContext());
        inboxes = tasks.getApplicationContext().getBean(MessageStore.class);
    }

    @AfterEach
    void heal() {
        queue.worker.afterDelivery = () -> {};
        for (var m = queue.receive(); m != null; m = queue.receive()) queue.delete(m);
    }

    @AfterAll
    static void stop() {
        queue.close();
        tasks.close();
        env.close();
    }


    static List<dev.tmserverless.emulators.MailStandIn.Mail> mails(String address) {
        return Emulators.shared().mail().to(address);
    }

    /** A mention of {@code u} (test usernames hold a hyphen, so the bracketed form). */
    static String at(User u) { return "@[" + u.username() + "]"; }

    static String comment(long p, int t) { return "/api/v2/projects/" + p + "/comments/tasks/" + t + "/"; }

    static String chat(long p) { return "/api/v2/projects/" + p + "/comments/"; }

    /** The mail jobs on the queue (other jobs are delivered by the messenger as they come). */
    static List<software.amazon.awssdk.services.sqs.model.Message> mailJobs() {
        List<software.amazon.awssdk.services.sqs.model.Message> out = new ArrayList<>();
        for (var m = queue.receive(); m != null; m = queue.receive()) {
            if (MessageJobs.parse(m.body()) instanceof MessageJobs.MailJob) out.add(m);
            else queue.deliver(m);
        }
        return out;
    }

    @Test
    void mentionsAndTaskCommentsAreMailedOnceToVerifiedAddressesWhoseSettingsAskForIt() {
        User ana = fx.user("mm-ana");
        User keen = fx.user("mm-keen");
        User unverified = fx.user("mm-unverified");
        User quiet = fx.user("mm-quiet");
        User watcher = fx.user("mm-watcher");
        String keenAt = fx.mailboxWrite(keen, true, Map.of());
        String unverifiedAt = fx.mailboxWrite(unverified, false, Map.of());
        String quietAt = fx.mailboxWrite(quiet, true, Map.of("mentionsNotifications", false));
        String watcherAt = fx.mailboxWrite(watcher, true, Map.of("taskCommentsNotifications", true));
        Project p = fx.project(fx.user("mm-pm"), ProjectStatus.PUBLISHED, 2);
        call(tasks, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/1/", token(watcher.id()), null);
        call(tasks, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/unlock-after-mapping/1/", token(watcher.id()),
                "{\"status\": \"MAPPED\"}");

        assertThat(call(tasks, "POST", comment(p.id(), 1), token(ana.id()), "{\"comment\": \"" + at(keen) + " "
                + at(unverified) + " " + at(quiet) + " is the <b>bridge</b> mapped?\"}").status()).isEqualTo(200);
        // the bell shows them at once, before any mail
        for (User u : List.of(keen, unverified, quiet)) {
            assertThat(inboxes.inbox(u.id())).as(u.username()).extracting(Message::type).containsExactly(Message.Type.MENTION_NOTIFICATION);
        }
        assertThat(inboxes.inbox(watcher.id())).extracting(Message::type).containsExactly(Message.Type.TASK_COMMENT_NOTIFICATION);
        assertThat(mails(keenAt)).isEmpty();

        var jobs = mailJobs();
        assertThat(jobs).hasSize(1);
        // the worker dies after its first mail; then SQS hands the job over twice
        AtomicInteger n = new AtomicInteger();
        queue.worker.afterDelivery = () -> {
            if (n.incrementAndGet() == 1) throw new IllegalStateException("killed");
        };
        assertThat(queue.worker.execute(Deliveries.event(jobs.get(0))).getBatchItemFailures()).hasSize(1);
        assertThat(queue.worker.execute(Deliveries.event(jobs.get(0))).getBatchItemFailures()).isEmpty();
        assertThat(queue.worker.execute(Deliveries.event(jobs.get(0))).getBatchItemFailures()).isEmpty();
        queue.delete(jobs.get(0));

        assertThat(mails(keenAt)).singleElement().satisfies(m -> {
            assertThat(m.text()).contains(ana.username()).contains("project #" + p.id()).contains("task #1").contains("bridge")
                    .contains("/inbox/message/" + inboxes.inbox(keen.id()).get(0).id());
            assertThat(m.html()).doesNotContain("<b>bridge");
        });
        assertThat(mails(watcherAt)).singleElement().satisfies(m -> assertThat(m.subject()).contains(ana.username()));
        assertThat(mails(unverifiedAt)).isEmpty();
        assertThat(mails(quietAt)).isEmpty();

        // a mention in the project chat is mailed the same way
        assertThat(call(tasks, "POST", chat(p.id()), token(ana.id()), "{\"message\": \"" + at(keen) + " "
                + at(quiet) + " " + at(unverified) + " thanks for mapping\"}").status()).isEqualTo(200);
        var chatJobs = mailJobs();
        assertThat(chatJobs).hasSize(1);
        assertThat(queue.deliver(chatJobs.get(0))).isTrue();
        assertThat(mails(keenAt)).hasSize(2).last().satisfies(m -> assertThat(m.text()).contains("thanks for mapping"));
        assertThat(mails(unverifiedAt)).isEmpty();
        assertThat(mails(quietAt)).isEmpty();
        assertThat(inboxes.inbox(quiet.id())).hasSize(2);
    }

    @Test
    void nobodyToMailQueuesNoMailJob() {
        User ana = fx.user("mm-ana2");
        User unverified = fx.user("mm-unverified2");
        fx.mailboxWrite(unverified, false, Map.of());
        Project p = fx.project(fx.user("mm-pm2"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(tasks, "POST", chat(p.id()), token(ana.id()), "{\"message\": \"" + at(unverified) + " hi\"}").status())
                .isEqualTo(200);
        assertThat(inboxes.inbox(unverified.id())).hasSize(1);
        assertThat(mailJobs()).isEmpty();
    }

    @Test
    void aSettingTurnedOffBeforeTheMessengerRunsIsHeeded() {
        User ana = fx.user("mm-ana4");
        User changed = fx.user("mm-changed");
        String changedAt = fx.mailboxWrite(changed, true, Map.of());
        Project p = fx.project(fx.user("mm-pm4"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(tasks, "POST", chat(p.id()), token(ana.id()), "{\"message\": \"" + at(changed) + " hi\"}").status())
                .isEqualTo(200);
        var jobs = mailJobs();
        assertThat(jobs).hasSize(1);
        fx.users.updateProfileWrite(changed.id(), new dev.tmserverless.aws.store.UserStore.ProfileChanges(Map.of(),
                Map.of("mentionsNotifications", false), null, null, null, null, null));
        assertThat(queue.deliver(jobs.get(0))).isTrue();
        assertThat(mails(changedAt)).isEmpty();
        assertThat(inboxes.inbox(changed.id())).hasSize(1);
    }

    @Test
    void twoWorkersOnTheSameMailJobAtOnceMailEachRecipientOnce() throws Exception {
        User ana = fx.user("mm-ana3");
        List<User> people = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            User u = fx.user("mm-many" + i);
            people.add(u);
            addresses.add(fx.mailboxWrite(u, true, Map.of()));
            text.append(at(u)).append(' ');
        }
        Project p = fx.project(fx.user("mm-pm3"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(tasks, "POST", chat(p.id()), token(ana.id()), "{\"message\": \"" + text + "come\"}").status()).isEqualTo(200);
        var jobs = mailJobs();
        assertThat(jobs).hasSize(1);
        CountDownLatch go = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Boolean> run = () -> {
                go.await();
                return queue.worker.execute(Deliveries.event(jobs.get(0))).getBatchItemFailures().isEmpty();
            };
            List<Future<Boolean>> fs = List.of(pool.submit(run), pool.submit(run));
            go.countDown();
            for (var f : fs) assertThat(f.get()).isTrue();
        } finally {
            pool.shutdown();
        }
        queue.delete(jobs.get(0));
        for (String a : addresses) assertThat(mails(a)).as(a).hasSize(1);
    }
}
