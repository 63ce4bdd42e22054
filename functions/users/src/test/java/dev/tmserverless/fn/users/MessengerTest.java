package dev.tmserverless.fn.users;

import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages to many through the messages queue and the messenger against the emulators (docs/reference-data.md
 * "Messages to many"): a worker killed part-way, a duplicate delivery, two workers on the same job at once and a
 * job too long for one run each leave every recipient exactly one copy.
 */
class MessengerTest {
    static final AtomicInteger N = new AtomicInteger();
    static Isolated.Applied env;
    static UsersFunction fn;
    static Fixture fx;
    static Deliveries queue;
    static MessageStore inboxes;
    static User admin;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-messenger").applyAsSystemProperties();
        fn = new UsersFunction();
        fx = new Fixture(fn.getApplicationContext());
        queue = new Deliveries(fn.getApplicationContext());
        inboxes = fn.getApplicationContext().getBean(MessageStore.class);
        admin = fx.user("msg-admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
    }

    @AfterEach
    void heal() {
        queue.worker.afterDelivery = () -> {};
        // each test starts from an empty queue
        for (var m = queue.receive(); m != null; m = queue.receive()) queue.delete(m);
    }

    @AfterAll
    static void stop() {
        queue.close();
        fn.close();
        env.close();
    }

    /** A published project whose tasks were mapped by {@code mappers[i]} and validated by {@code validator} (if any). */
    static Project projectMappedBy(User author, List<User> mappers, User validator) {
        List<TaskStore.NewTask> ts = new ArrayList<>();
        int id = 0;
        for (User m : mappers) {
            id++;
            Long v = validator == null ? null : validator.id();
            ts.add(new TaskStore.NewTask(new Task(0, id, 1010 + id, 1399, 11, true, v == null ? TaskStatus.MAPPED : TaskStatus.VALIDATED,
                    null, null, m.id(), v, 1, List.of()), null));
        }
        ts.add(new TaskStore.NewTask(Task.ready(0, ++id, 1010 + id, 1399, 11, true), null));
        return fx.project(author, ProjectStatus.PUBLISHED, ts, "");
    }

    static long campaign(String name) {
        var a = post(fn, "/api/v2/campaigns/", token(admin.id()), "{\"name\": \"" + name + " " + N.incrementAndGet() + "\"}");
        assertThat(a.status()).as("%s", a.json()).isEqualTo(201);
        return a.json().path("campaignId").asLong();
    }

    static long count(User u, String subject) {
        return inboxes.inbox(u.id()).stream().filter(m -> m.subject().equals(subject)).count();
    }

    @Test
    void aCampaignMessageReachesEveryContributorOnceThroughACrashedWorkerAndADuplicate() {
        List<User> mappers = new ArrayList<>();
        for (int i = 0; i < 5; i++) mappers.add(fx.user("mapper"));
        User validator = fx.user("validator");
        User bystander = fx.user("bystander");
        Project a = projectMappedBy(admin, mappers.subList(0, 3), validator);
        // the administrator contributed too: the sender gets no copy of their own message
        Project b = projectMappedBy(admin, List.of(mappers.get(2), mappers.get(3), mappers.get(4), admin), null);
        long c = campaign("Floods");
        for (Project p : List.of(a, b)) {
            assertThat(post(fn, "/api/v2/projects/" + p.id() + "/campaigns/" + c + "/", token(admin.id()), null).status()).isEqualTo(200);
        }
        var sent = post(fn, "/api/v2/campaigns/" + c + "/actions/message-contributors/", token(admin.id()),
                "{\"subject\": \"Thanks\", \"message\": \"Great <work>\"}");
        assertThat(sent.status()).as("%s", sent.json()).isEqualTo(200);
        assertThat(sent.json().path("Success").asText()).isEqualTo("Message sent successfully");
        List<User> everyone = new ArrayList<>(mappers);
        everyone.add(validator);
        // queued: nobody has it before the messenger runs
        for (User u : everyone) assertThat(count(u, "Thanks")).isZero();

        var m = queue.receive();
        assertThat(m).isNotNull();
        // the worker dies after its second delivery: the message stays on the queue
        AtomicInteger delivered = new AtomicInteger();
        queue.worker.afterDelivery = () -> {
            if (delivered.incrementAndGet() == 2) throw new IllegalStateException("killed");
        };
        assertThat(queue.deliver(m)).isFalse();
        assertThat(everyone.stream().mapToLong(u -> count(u, "Thanks")).sum()).isEqualTo(2);
        queue.worker.afterDelivery = () -> {};
        // SQS delivers at least once: the same job arrives a second time
        queue.sqs.sendMessage(x -> x.queueUrl(queue.url).messageBody(m.body()));
        // the crashed delivery's visibility runs out: it comes back
        queue.sqs.changeMessageVisibility(x -> x.queueUrl(queue.url).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        assertThat(queue.drain()).isEqualTo(2);

        for (User u : everyone) {
            assertThat(count(u, "Thanks")).as(u.username()).isEqualTo(1);
            Message got = inboxes.inbox(u.id()).stream().filter(x -> x.subject().equals("Thanks")).findFirst().orElseThrow();
            assertThat(got.type()).isEqualTo(Message.Type.BROADCAST);
            assertThat(got.message()).contains("campaign contributors from admin").contains("Great &lt;work&gt;");
            assertThat(got.fromUsername()).isEqualTo(admin.username());
        }
        assertThat(count(admin, "Thanks")).isZero();
        assertThat(count(bystander, "Thanks")).isZero();
    }

    @Test
    void twoWorkersOnTheSameJobAtOnceGiveEachContributorOneCopy() throws Exception {
        List<User> mappers = new ArrayList<>();
        for (int i = 0; i < 20; i++) mappers.add(fx.user("racer"));
        Project p = projectMappedBy(admin, mappers, null);
        Message template = new Message(inboxes.nextId(), -1, Message.Type.BROADCAST, "Race", "text", admin.id(),
                admin.username(), p.id(), "Test", null, Instant.now(), false);
        MessageJobs.Job job = new MessageJobs.Job(MessageJobs.Audience.PROJECT_CONTRIBUTORS, p.id(), template, null, -1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Deliveries second = new Deliveries(fn.getApplicationContext())) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<MessengerFunction.Outcome>> runs = new ArrayList<>();
            for (MessengerFunction w : List.of(queue.worker, second.worker)) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return w.run(job, () -> true);
                }));
            }
            go.countDown();
            int delivered = 0;
            int already = 0;
            for (var f : runs) {
                delivered += f.get().delivered();
                already += f.get().already();
            }
            // every inbox was written by exactly one of them; the other found it served
            assertThat(delivered).isEqualTo(20);
            assertThat(already).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
        for (User u : mappers) assertThat(count(u, "Race")).as(u.username()).isEqualTo(1);
    }

    @Test
    void aJobLongerThanOneRunGoesOnFromWhereItStopped() {
        List<User> mappers = new ArrayList<>();
        for (int i = 0; i < 7; i++) mappers.add(fx.user("slice"));
        Project p = projectMappedBy(admin, mappers, null);
        Message template = new Message(inboxes.nextId(), -1, Message.Type.BROADCAST, "Slices", "text", admin.id(),
                admin.username(), p.id(), "Test", null, Instant.now(), false);
        MessageJobs.Job job = new MessageJobs.Job(MessageJobs.Audience.PROJECT_CONTRIBUTORS, p.id(), template, null, -1);
        AtomicInteger budget = new AtomicInteger(3);
        var first = queue.worker.run(job, () -> budget.getAndDecrement() > 0);
        assertThat(first.delivered()).isEqualTo(3);
        assertThat(first.more()).isTrue();
        // the rest was queued as a job of its own
        assertThat(queue.drain()).isEqualTo(1);
        for (User u : mappers) assertThat(count(u, "Slices")).as(u.username()).isEqualTo(1);
    }

    @Test
    void aChatsMappersTagReachesTheProjectsMappersButNotItsAuthorOrValidators() {
        List<User> mappers = List.of(fx.user("tagged"), fx.user("tagged"));
        User validator = fx.user("tag-validator");
        Project p = projectMappedBy(admin, mappers, validator);
        Message template = new Message(inboxes.nextId(), -1, Message.Type.MENTION_NOTIFICATION, "Mappers tag", "text",
                mappers.get(0).id(), mappers.get(0).username(), p.id(), "Test", null, Instant.now(), false);
        var done = queue.worker.run(new MessageJobs.Job(MessageJobs.Audience.PROJECT_MAPPERS, p.id(), template,
                mappers.get(0).id(), -1), () -> true);
        assertThat(done.delivered()).isEqualTo(1);
        assertThat(count(mappers.get(1), "Mappers tag")).isEqualTo(1);
        assertThat(count(mappers.get(0), "Mappers tag")).isZero();
        assertThat(count(validator, "Mappers tag")).isZero();
    }

    @Test
    void aChatNoticeReachesTheContributorsAndFavouritersWhoAskedForIt() {
        User keen = fx.user("chat-keen");
        User quiet = fx.user("chat-quiet");
        User fan = fx.user("chat-fan");
        User author = fx.user("chat-author");
        Project p = projectMappedBy(admin, List.of(keen, quiet, author), null);
        fn.getApplicationContext().getBean(dev.tmserverless.aws.store.FavouriteStore.class).addWriting(fan.id(), p.id());
        for (User u : List.of(keen, fan)) {
            fx.users.updateProfileWrite(u.id(), new dev.tmserverless.aws.store.UserStore.ProfileChanges(java.util.Map.of(),
                    java.util.Map.of("questionsAndCommentsNotifications", true), null, null, null, null, null));
        }
        Message template = new Message(inboxes.nextId(), -1, Message.Type.PROJECT_CHAT_NOTIFICATION, "Chat notice", "hello",
                author.id(), author.username(), p.id(), "Test", null, Instant.now(), false);
        var done = queue.worker.run(new MessageJobs.Job(MessageJobs.Audience.PROJECT_CHAT, p.id(), template, author.id(), -1), () -> true);
        assertThat(count(keen, "Chat notice")).isEqualTo(1);
        assertThat(count(fan, "Chat notice")).isEqualTo(1);
        // off by default, as in the reference; the author hears nothing of their own message
        assertThat(count(quiet, "Chat notice")).isZero();
        assertThat(count(author, "Chat notice")).isZero();
        assertThat(done.muted()).isEqualTo(1);
    }

    @Test
    void refusedMessagesQueueNothing() {
        User mapper = fx.user("nobody");
        long c = campaign("Refusals");
        String path = "/api/v2/campaigns/" + c + "/actions/message-contributors/";
        var notAdmin = post(fn, path, token(mapper.id()), "{\"subject\": \"s\", \"message\": \"m\"}");
        assertThat(notAdmin.status()).isEqualTo(403);
        var empty = post(fn, path, token(admin.id()), "{\"subject\": \"s\", \"message\": \"  \"}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().path("SubCode").asText()).isEqualTo("InvalidData");
        var tooLong = post(fn, path, token(admin.id()), "{\"subject\": \"s\", \"message\": \"" + "x".repeat(10_001) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        var unknown = post(fn, "/api/v2/campaigns/99999999/actions/message-contributors/", token(admin.id()),
                "{\"subject\": \"s\", \"message\": \"m\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("sub_code").asText()).isEqualTo("CAMPAIGN_NOT_FOUND");
        assertThat(queue.receive()).isNull();
    }


    static List<dev.tmserverless.emulators.MailStandIn.Mail> mails(String address) {
        return Emulators.shared().mail().to(address);
    }

    @Test
    void aTeamMessageIsMailedOnceToThoseWhoseSettingsAskForItAndVerifiedTheirAddress() {
        User keen = fx.user("keen");
        User unverified = fx.user("unverified");
        User quiet = fx.user("quiet");
        String keenAt = fx.mailboxWrite(keen, true, java.util.Map.of());
        String unverifiedAt = fx.mailboxWrite(unverified, false, java.util.Map.of());
        String quietAt = fx.mailboxWrite(quiet, true, java.util.Map.of("teamsAnnouncementNotifications", false));
        var org = fx.orgs.create("Mail org " + N.incrementAndGet(), "mail-org-" + N.get(), null, null, null, null, List.of(admin.id()));
        var teams = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.TeamStore.class);
        var team = teams.create(org.id(), "Mail team " + N.incrementAndGet(), null, null, dev.tmserverless.core.domain.Team.JoinMethod.BY_REQUEST,
                dev.tmserverless.core.domain.Team.Visibility.PUBLIC, admin.id(), Instant.now());
        for (User u : List.of(keen, unverified, quiet)) {
            teams.set(team.id(), u.id(), dev.tmserverless.core.domain.Team.Function.MEMBER, true, Instant.now());
        }
        var sent = post(fn, "/api/v2/teams/" + team.id() + "/actions/message-members/", token(admin.id()),
                "{\"subject\": \"Mapathon tonight\", \"message\": \"Bring <b>snacks</b>\"}");
        assertThat(sent.status()).as("%s", sent.json()).isEqualTo(200);
        var m = queue.receive();
        assertThat(m).isNotNull();
        // the worker dies after its first delivery; SQS then hands the job over twice
        AtomicInteger delivered = new AtomicInteger();
        queue.worker.afterDelivery = () -> {
            if (delivered.incrementAndGet() == 1) throw new IllegalStateException("killed");
        };
        assertThat(queue.deliver(m)).isFalse();
        queue.worker.afterDelivery = () -> {};
        queue.sqs.sendMessage(x -> x.queueUrl(queue.url).messageBody(m.body()));
        queue.sqs.changeMessageVisibility(x -> x.queueUrl(queue.url).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        assertThat(queue.drain()).isEqualTo(2);

        // everybody has the message; only the member who asks for team mail and verified the address is mailed, once
        for (User u : List.of(keen, unverified, quiet)) assertThat(count(u, "Mapathon tonight")).as(u.username()).isEqualTo(1);
        assertThat(mails(keenAt)).hasSize(1);
        var mail = mails(keenAt).get(0);
        assertThat(mail.subject()).isEqualTo("Mapathon tonight");
        assertThat(mail.text()).contains(admin.username()).contains("Bring <b>snacks</b>").contains("/inbox/message/")
                .contains("/settings#notifications");
        // what the sender typed is text: the HTML part shows it, never runs it
        assertThat(mail.html()).contains("&lt;b&gt;snacks").doesNotContain("<b>");
        assertThat(mails(unverifiedAt)).isEmpty();
        assertThat(mails(quietAt)).isEmpty();
    }

    @Test
    void contributorsWhoTurnedProjectNotificationsOffGetNoBroadcastAtAll() {
        User keen = fx.user("pkeen");
        User off = fx.user("poff");
        String keenAt = fx.mailboxWrite(keen, true, java.util.Map.of());
        String offAt = fx.mailboxWrite(off, true, java.util.Map.of("projectsNotifications", false));
        Project p = projectMappedBy(admin, List.of(keen, off), null);
        Message template = new Message(inboxes.nextId(), -1, Message.Type.BROADCAST, "Project news", "text", admin.id(),
                admin.username(), p.id(), "Floods", null, Instant.now(), false);
        var outcome = queue.worker.run(new MessageJobs.Job(MessageJobs.Audience.PROJECT_CONTRIBUTORS, p.id(), template, null, -1), () -> true);
        assertThat(outcome.delivered()).isEqualTo(1);
        assertThat(outcome.mailed()).isEqualTo(1);
        assertThat(outcome.muted()).isEqualTo(1);
        assertThat(count(keen, "Project news")).isEqualTo(1);
        assertThat(count(off, "Project news")).isZero();
        assertThat(mails(keenAt)).singleElement().satisfies(x -> assertThat(x.text()).contains("project #" + p.id()).contains("Floods"));
        assertThat(mails(offAt)).isEmpty();
    }
}
