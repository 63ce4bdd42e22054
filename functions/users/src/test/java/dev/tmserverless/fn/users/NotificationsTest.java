package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.login;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** The caller's notifications: the inbox the header bell and the notifications page read. */
class NotificationsTest {
    static Isolated.Applied env;
    static UsersFunction fn;
    static Fixture fx;
    static MessageStore messages;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-notifications").applyAsSystemProperties();
        fn = new UsersFunction();
        fx = new Fixture(fn.getApplicationContext());
        messages = fn.getApplicationContext().getBean(MessageStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static Message message(User to, User from, Message.Type type, long projectId, int taskId, Instant at) {
        return messages.send(new Message(-1, to.id(), type, "subject " + taskId, "text", from == null ? null : from.id(),
                from == null ? null : from.username(), projectId, "Project " + projectId, taskId, at, false));
    }

    @Test
    void aNewUserIsWelcomedOnceAndTheBellCountsIt() {
        var first = login(fn, "newcomer");
        String auth = "Bearer " + first.json().path("session_token").asText();
        login(fn, "newcomer");
        JsonNode list = get(fn, "/api/v2/notifications/", auth).json();
        assertThat(list.path("userMessages").size()).isEqualTo(1);
        JsonNode welcome = list.path("userMessages").get(0);
        assertThat(welcome.path("messageType").asText()).isEqualTo("SYSTEM");
        assertThat(welcome.path("subject").asText()).isEqualTo("Welcome to the HOT Tasking Manager");
        assertThat(welcome.path("message").asText()).contains("Hi newcomer,");
        assertThat(welcome.path("read").asBoolean()).isFalse();
        assertThat(list.path("pagination").path("total").asInt()).isEqualTo(1);
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().toString())
                .isEqualTo("{\"newMessages\":true,\"unread\":1}");
    }

    @Test
    void theListFiltersSortsAndPagesTheCallersOwnMessages() {
        User ana = fx.user("ana-inbox");
        User ben = fx.user("ben-inbox");
        User cy = fx.user("cy-inbox");
        Instant t0 = Instant.now().minus(Duration.ofHours(1));
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.add(message(ana, i % 2 == 0 ? ben : cy, i % 3 == 0 ? Message.Type.VALIDATION_NOTIFICATION
                    : Message.Type.MENTION_NOTIFICATION, 100 + i % 2, i, t0.plusSeconds(i)));
        }
        message(ben, ana, Message.Type.MENTION_NOTIFICATION, 100, 99, t0);
        String auth = token(ana.id());

        JsonNode page1 = get(fn, "/api/v2/notifications/", auth).json();
        assertThat(page1.path("userMessages").size()).isEqualTo(10);
        assertThat(page1.path("pagination").path("total").asInt()).isEqualTo(12);
        assertThat(page1.path("pagination").path("pages").asInt()).isEqualTo(2);
        assertThat(page1.path("pagination").path("hasNext").asBoolean()).isTrue();
        // newest first by default
        assertThat(page1.path("userMessages").get(0).path("taskId").asInt()).isEqualTo(11);
        JsonNode page2 = get(fn, "/api/v2/notifications/?page=2", auth).json();
        assertThat(page2.path("userMessages").size()).isEqualTo(2);
        assertThat(page2.path("userMessages").get(1).path("taskId").asInt()).isEqualTo(0);

        JsonNode validations = get(fn, "/api/v2/notifications/?messageType=4&sortDirection=asc", auth).json();
        assertThat(validations.path("userMessages")).extracting(m -> m.path("taskId").asInt()).containsExactly(0, 3, 6, 9);
        JsonNode fromBen = get(fn, "/api/v2/notifications/?from=BEN&project=100&pageSize=50", auth).json();
        assertThat(fromBen.path("userMessages")).extracting(m -> m.path("taskId").asInt()).containsExactly(10, 8, 6, 4, 2, 0);
        assertThat(fromBen.path("userMessages").get(0).path("fromUsername").asText()).isEqualTo(ben.username());
        assertThat(fromBen.path("userMessages").get(0).path("projectTitle").asText()).isEqualTo("Project 100");
        assertThat(get(fn, "/api/v2/notifications/?taskId=7", auth).json().path("userMessages").size()).isEqualTo(1);
        assertThat(get(fn, "/api/v2/notifications/?taskId=x", auth).status()).isEqualTo(422);
        assertThat(get(fn, "/api/v2/notifications/?messageType=x", auth).status()).isEqualTo(400);
        assertThat(get(fn, "/api/v2/notifications/", null).status()).isEqualTo(401);
    }

    @Test
    void readingAMessageMarksItReadAndOthersMessagesAreNotFound() {
        User ana = fx.user("ana-read");
        User ben = fx.user("ben-read");
        Message m = message(ana, ben, Message.Type.MENTION_NOTIFICATION, 7, 1, Instant.now());
        Message bens = message(ben, ana, Message.Type.MENTION_NOTIFICATION, 7, 2, Instant.now());
        var one = get(fn, "/api/v2/notifications/" + m.id() + "/", token(ana.id()));
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().path("messageId").asLong()).isEqualTo(m.id());
        assertThat(get(fn, "/api/v2/notifications/?status=read", token(ana.id())).json().path("userMessages").size()).isEqualTo(1);
        assertThat(get(fn, "/api/v2/notifications/?status=unread", token(ana.id())).json().path("userMessages").size()).isZero();
        var other = get(fn, "/api/v2/notifications/" + bens.id() + "/", token(ana.id()));
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.structuredSubCode()).isEqualTo("MESSAGE_NOT_FOUND");
        assertThat(call(fn, "DELETE", "/api/v2/notifications/" + bens.id() + "/", token(ana.id()), null).status()).isEqualTo(404);
        assertThat(messages.get(ben.id(), bens.id())).isPresent();
        assertThat(call(fn, "DELETE", "/api/v2/notifications/" + m.id() + "/", token(ana.id()), null).json().path("Success").asText())
                .isEqualTo("Message deleted");
        assertThat(messages.get(ana.id(), m.id())).isEmpty();
    }

    @Test
    void bulkReadAndDeleteTouchOnlyTheCallersMessagesOfTheGivenTypes() {
        User ana = fx.user("ana-bulk");
        User ben = fx.user("ben-bulk");
        Message a1 = message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 1, Instant.now());
        Message a2 = message(ana, ben, Message.Type.VALIDATION_NOTIFICATION, 1, 2, Instant.now());
        Message a3 = message(ana, ben, Message.Type.SYSTEM, 1, 3, Instant.now());
        Message b1 = message(ben, ana, Message.Type.MENTION_NOTIFICATION, 1, 4, Instant.now());
        String auth = token(ana.id());
        assertThat(post(fn, "/api/v2/notifications/mark-as-read-multiple/", auth, "{\"messageIds\": [" + a1.id() + ", " + b1.id() + "]}")
                .status()).isEqualTo(200);
        assertThat(messages.get(ana.id(), a1.id()).orElseThrow().read()).isTrue();
        assertThat(messages.get(ben.id(), b1.id()).orElseThrow().read()).isFalse();
        assertThat(post(fn, "/api/v2/notifications/mark-as-read-multiple/", auth, "{\"messageIds\": \"x\"}").status()).isEqualTo(422);
        assertThat(post(fn, "/api/v2/notifications/mark-as-read-all/?messageType=4", auth, null).status()).isEqualTo(200);
        assertThat(messages.get(ana.id(), a2.id()).orElseThrow().read()).isTrue();
        assertThat(messages.get(ana.id(), a3.id()).orElseThrow().read()).isFalse();
        assertThat(call(fn, "DELETE", "/api/v2/notifications/delete-multiple/", auth, "{\"messageIds\": [" + a1.id() + "]}").status())
                .isEqualTo(200);
        assertThat(messages.get(ana.id(), a1.id())).isEmpty();
        assertThat(call(fn, "DELETE", "/api/v2/notifications/delete-all/?messageType=1", auth, null).status()).isEqualTo(200);
        assertThat(messages.inbox(ana.id())).extracting(Message::id).containsExactly(a2.id());
        assertThat(call(fn, "DELETE", "/api/v2/notifications/delete-all/", auth, null).status()).isEqualTo(200);
        assertThat(messages.inbox(ana.id())).isEmpty();
        assertThat(messages.inbox(ben.id())).hasSize(1);
    }

    @Test
    void theBellCountsUnreadMessagesSinceTheCallerLastOpenedTheirNotifications() {
        User ana = fx.user("ana-bell");
        User ben = fx.user("ben-bell");
        String auth = token(ana.id());
        message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 1, Instant.now().minus(Duration.ofDays(40)));
        message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 2, Instant.now().minus(Duration.ofDays(2)));
        Message read = message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 3, Instant.now());
        get(fn, "/api/v2/notifications/" + read.id() + "/", auth);
        // never opened: unread messages of the last 30 days
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().path("unread").asInt()).isEqualTo(1);
        assertThat(post(fn, "/api/v2/notifications/queries/own/post-unread/", auth, null).json().asInt()).isEqualTo(1);
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().toString())
                .isEqualTo("{\"newMessages\":false,\"unread\":0}");
        message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 4, Instant.now());
        message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 5, Instant.now());
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().path("unread").asInt()).isEqualTo(2);
    }

    /**
     * The bell is one key lookup of a count that every message write moves: messages arriving while others are read
     * and deleted twice at once leave it equal to the unread messages of the inbox.
     */
    @Test
    void theBellsCountStaysTheInboxsWhateverRunsAtOnce() throws Exception {
        User ana = fx.user("ana-race");
        User ben = fx.user("ben-race");
        String auth = token(ana.id());
        List<Message> early = new ArrayList<>();
        for (int i = 0; i < 6; i++) early.add(message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, i, Instant.now()));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int task = 100 + i;
                runs.add(pool.submit(() -> { start.await(); return message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, task, Instant.now()); }));
            }
            for (int i = 0; i < 4; i++) {
                Message m = early.get(i);
                boolean delete = i % 2 == 0;
                // read (or deleted) twice at once: it leaves the count once
                for (int twice = 0; twice < 2; twice++) {
                    runs.add(pool.submit(() -> {
                        start.await();
                        return delete ? messages.delete(ana.id(), m.id()) : messages.markRead(ana.id(), m.id());
                    }));
                }
            }
            start.countDown();
            for (var r : runs) r.get();
        } finally {
            pool.shutdownNow();
        }
        long unread = messages.inbox(ana.id()).stream().filter(m -> !m.read()).count();
        assertThat(unread).isEqualTo(8);
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().path("unread").asLong()).isEqualTo(unread);
    }

    /** A message that comes in while the user opens their notifications stays counted (the opening's write is conditional). */
    @Test
    void aMessageArrivingWhileTheBellIsOpenedStaysCounted() {
        User ana = fx.user("ana-open");
        User ben = fx.user("ben-open");
        String auth = token(ana.id());
        message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 1, Instant.now());
        var once = new java.util.concurrent.atomic.AtomicBoolean();
        messages.beforeSeenWrite = () -> {
            if (once.compareAndSet(false, true)) message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 2, Instant.now());
        };
        try {
            assertThat(post(fn, "/api/v2/notifications/queries/own/post-unread/", auth, null).status()).isEqualTo(200);
        } finally {
            messages.beforeSeenWrite = () -> {};
        }
        long seen = messages.seenId(ana.id()).orElseThrow();
        long expected = messages.inbox(ana.id()).stream().filter(m -> !m.read() && m.id() > seen).count();
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().path("unread").asLong()).isEqualTo(expected);
        message(ana, ben, Message.Type.MENTION_NOTIFICATION, 1, 3, Instant.now());
        assertThat(get(fn, "/api/v2/notifications/queries/own/count-unread/", auth).json().path("unread").asLong()).isEqualTo(expected + 1);
    }
}
