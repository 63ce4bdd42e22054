package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.fn.tasks.TasksFunctionTest.lock;
import static dev.tmserverless.fn.tasks.TasksFunctionTest.unlock;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** Task comments and the project chat, and who they notify. */
class CommentsTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static MessageStore messages;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-comments").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        messages = fn.getApplicationContext().getBean(MessageStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String comment(long p, int t) { return "/api/v2/projects/" + p + "/comments/tasks/" + t + "/"; }

    static String chat(long p) { return "/api/v2/projects/" + p + "/comments/"; }

    @Test
    void aTaskCommentIsARowAndTellsTheMentionedAndTheTasksOtherContributors() {
        User mapper = fx.user("mapper-c");
        User ana = fx.user("ana-c");
        User bo = fx.user("boc");
        Project p = fx.project(fx.user("pm-c"), ProjectStatus.PUBLISHED, 2);
        call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null);
        call(fn, "POST", unlock(p.id(), 1), token(mapper.id()), "{\"status\": \"MAPPED\"}");
        // task comment notices are off unless the user turns them on (the reference's default)
        fx.users.updateProfileWrite(mapper.id(), new dev.tmserverless.aws.store.UserStore.ProfileChanges(java.util.Map.of(),
                java.util.Map.of("taskCommentsNotifications", true), null, null, null, null, null));

        var a = call(fn, "POST", comment(p.id(), 1), token(ana.id()),
                "{\"comment\": \"@" + bo.username() + " look at <this> please\"}");
        assertThat(a.status()).isEqualTo(200);
        JsonNode first = a.json().path("taskHistory").get(0);
        assertThat(first.path("action").asText()).isEqualTo("COMMENT");
        assertThat(first.path("actionText").asText()).isEqualTo("@" + bo.username() + " look at &lt;this&gt; please");
        assertThat(first.path("actionBy").asText()).isEqualTo(ana.username());
        assertThat(a.json().path("taskStatus").asText()).isEqualTo("MAPPED");

        assertThat(messages.inbox(bo.id())).extracting(Message::type).containsExactly(Message.Type.MENTION_NOTIFICATION);
        assertThat(messages.inbox(bo.id()).get(0).taskId()).isEqualTo(1);
        assertThat(messages.inbox(mapper.id())).extracting(Message::type).containsExactly(Message.Type.TASK_COMMENT_NOTIFICATION);
        assertThat(messages.inbox(mapper.id()).get(0).subject()).contains(ana.username()).contains("left a comment");
        assertThat(messages.inbox(ana.id())).isEmpty();
    }

    @Test
    void bulkTagsReachTheAuthorTheManagersAndTheTasksMappersAndSettingsMuteTaskComments() {
        User pm = fx.user("author-t");
        User orgManager = fx.user("orgmgr-t");
        User teamPm = fx.user("teampm-t");
        User mapper = fx.user("mapper-t");
        User validator = fx.user("validator-t");
        User ana = fx.user("ana-t");
        User quiet = fx.user("quiet-t");
        long orgId = fx.orgs.create("Org " + java.util.UUID.randomUUID(), "org-" + java.util.UUID.randomUUID(), null, null, null,
                null, java.util.List.of(orgManager.id())).id();
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, java.util.List.of(
                new dev.tmserverless.aws.store.TaskStore.NewTask(dev.tmserverless.core.domain.Task.ready(0, 1, 1011, 1399, 11, true), null),
                new dev.tmserverless.aws.store.TaskStore.NewTask(dev.tmserverless.core.domain.Task.ready(0, 2, 1012, 1399, 11, true), null)),
                "", orgId, false, java.util.List.of());
        var teams = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.TeamStore.class);
        var team = teams.create(orgId, "PMs " + p.id(), null, "d", dev.tmserverless.core.domain.Team.JoinMethod.ANY,
                dev.tmserverless.core.domain.Team.Visibility.PUBLIC, teamPm.id(), java.time.Instant.now());
        teams.assign(p.id(), team.id(), dev.tmserverless.core.domain.TeamRole.PROJECT_MANAGER);
        call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null);
        call(fn, "POST", unlock(p.id(), 1), token(mapper.id()), "{\"status\": \"MAPPED\"}");
        call(fn, "POST", lock(p.id(), 2), token(quiet.id()), null);
        call(fn, "POST", unlock(p.id(), 2), token(quiet.id()), "{\"status\": \"MAPPED\"}");
        fx.users.updateProfileWrite(quiet.id(), new dev.tmserverless.aws.store.UserStore.ProfileChanges(java.util.Map.of(),
                java.util.Map.of("taskCommentsNotifications", false), null, null, null, null, null));

        assertThat(call(fn, "POST", comment(p.id(), 1), token(ana.id()), "{\"comment\": \"#author #managers #mappers: see #42\"}").status())
                .isEqualTo(200);
        for (User u : java.util.List.of(pm, orgManager, teamPm, mapper)) {
            assertThat(messages.inbox(u.id())).as(u.username()).extracting(Message::type).containsExactly(Message.Type.MENTION_NOTIFICATION);
        }
        assertThat(messages.inbox(ana.id())).isEmpty();
        assertThat(messages.inbox(validator.id())).isEmpty();

        // #contributors: everyone with a row on the task other than a comment; the one who muted task comments hears
        // nothing of a plain comment on their task, but a mention still reaches them
        assertThat(call(fn, "POST", comment(p.id(), 2), token(ana.id()), "{\"comment\": \"nice\"}").status()).isEqualTo(200);
        assertThat(messages.inbox(quiet.id())).isEmpty();
        call(fn, "POST", comment(p.id(), 2), token(ana.id()), "{\"comment\": \"thanks #contributors\"}");
        assertThat(messages.inbox(quiet.id())).extracting(Message::type).containsExactly(Message.Type.MENTION_NOTIFICATION);
        assertThat(messages.inbox(mapper.id())).hasSize(1);
    }

    @Test
    void badCommentsAreRefusedInTheReferencesOrderAndChangeNothing() {
        User u = fx.user("commenter");
        User blocked = fx.user("blocked");
        fx.users.setRole(blocked.id(), UserRole.READ_ONLY);
        Project p = fx.project(fx.user("pm-bad"), ProjectStatus.PUBLISHED, 1);
        assertThat(call(fn, "POST", comment(p.id(), 1), token(blocked.id()), "{\"comment\": \"x\"}").subCode()).isEqualTo("ReadOnly");
        assertThat(call(fn, "POST", comment(p.id(), 1), token(u.id()), "{\"comment\": \" \"}").subCode()).isEqualTo("InvalidData");
        assertThat(call(fn, "POST", comment(p.id(), 1), token(u.id()), "{}").subCode()).isEqualTo("InvalidData");
        assertThat(call(fn, "POST", comment(p.id(), 1), token(u.id()), "{\"comment\": \"" + "x".repeat(10_001) + "\"}").status()).isEqualTo(400);
        assertThat(call(fn, "POST", comment(p.id(), 9), token(u.id()), "{\"comment\": \"x\"}").structuredSubCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(call(fn, "POST", comment(p.id(), 1), null, "{\"comment\": \"x\"}").status()).isEqualTo(401);
        assertThat(fx.tasks.get(p.id(), 1).orElseThrow().history()).isEmpty();
    }

    @Test
    void anUnlockWithACommentTellsWhomItMentions() {
        User mapper = fx.user("mapper-u");
        User pm = fx.user("pm-u");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        call(fn, "POST", lock(p.id(), 1), token(mapper.id()), null);
        call(fn, "POST", unlock(p.id(), 1), token(mapper.id()), "{\"status\": \"BADIMAGERY\", \"comment\": \"clouds, @[" + pm.username() + "]\"}");
        assertThat(messages.inbox(pm.id())).extracting(Message::type).containsExactly(Message.Type.MENTION_NOTIFICATION);
        assertThat(messages.inbox(mapper.id())).isEmpty();
    }

    @Test
    void theChatPagesNewestFirstAndOnlyItsAuthorOrAManagerDeletes() {
        User pm = fx.user("pm-chat");
        User ana = fx.user("anachat");
        User bo = fx.user("bo-chat");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        for (int i = 1; i <= 6; i++) {
            var posted = call(fn, "POST", chat(p.id()), token(ana.id()), "{\"message\": \"question " + i + "\"}");
            assertThat(posted.status()).isEqualTo(200);
            assertThat(posted.json().path("chat").get(0).path("message").asText()).isEqualTo("question " + i);
            assertThat(posted.json().path("chat").size()).isEqualTo(Math.min(i, 5));
        }
        JsonNode page = call(fn, "GET", chat(p.id()) + "?perPage=4&page=2", null, null).json();
        assertThat(page.path("chat")).extracting(m -> m.path("message").asText()).containsExactly("question 2", "question 1");
        assertThat(page.path("pagination").path("total").asInt()).isEqualTo(6);
        assertThat(page.path("pagination").path("pages").asInt()).isEqualTo(2);
        long newest = call(fn, "GET", chat(p.id()), null, null).json().path("chat").get(0).path("id").asLong();

        var byOther = call(fn, "DELETE", chat(p.id()) + newest + "/", token(bo.id()), null);
        assertThat(byOther.subCode()).isEqualTo("DeletePermissionError");
        assertThat(call(fn, "DELETE", chat(p.id()) + newest + "/", token(pm.id()), null).json().path("Success").asText())
                .isEqualTo("Comment deleted");
        assertThat(call(fn, "GET", chat(p.id()), null, null).json().path("pagination").path("total").asInt()).isEqualTo(5);
        assertThat(call(fn, "DELETE", chat(p.id()) + newest + "/", token(pm.id()), null).structuredSubCode()).isEqualTo("MESSAGE_NOT_FOUND");

        call(fn, "POST", chat(p.id()), token(bo.id()), "{\"message\": \"thanks @" + ana.username() + "\"}");
        assertThat(messages.inbox(ana.id())).extracting(Message::type).containsExactly(Message.Type.MENTION_NOTIFICATION);
        assertThat(call(fn, "POST", chat(p.id()), token(bo.id()), "{\"message\": \"\"}").subCode()).isEqualTo("InvalidData");

        // #mappers of a whole project can be many: they are told by the messenger, from one queued job
        var sqs = fn.getApplicationContext().getBean(software.amazon.awssdk.services.sqs.SqsClient.class);
        String queue = fn.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class)
                .queueUrl(dev.tmserverless.core.catalogue.Resources.MESSAGES);
        assertThat(call(fn, "POST", chat(p.id()), token(bo.id()), "{\"message\": \"#mappers please come back\"}").status()).isEqualTo(200);
        java.util.List<dev.tmserverless.aws.queue.MessageJobs.Job> jobs = new java.util.ArrayList<>();
        for (var got = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages(); !got.isEmpty();
             got = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
            for (var m : got) {
                var job = dev.tmserverless.aws.queue.MessageJobs.Job.fromJson(m.body());
                if (job.targetId() == p.id()) jobs.add(job);
            }
        }
        var mappersJobs = jobs.stream().filter(j -> j.audience() == dev.tmserverless.aws.queue.MessageJobs.Audience.PROJECT_MAPPERS).toList();
        assertThat(mappersJobs).hasSize(1);
        assertThat(mappersJobs.get(0).excludeUserId()).isEqualTo(bo.id());
        assertThat(mappersJobs.get(0).template().type()).isEqualTo(Message.Type.MENTION_NOTIFICATION);
        // and every chat message is a notice to the project's contributors and favouriters, sent by the messenger
        var chatJobs = jobs.stream().filter(j -> j.audience() == dev.tmserverless.aws.queue.MessageJobs.Audience.PROJECT_CHAT).toList();
        assertThat(chatJobs).hasSize(8);
        assertThat(chatJobs).allSatisfy(j -> assertThat(j.template().type()).isEqualTo(Message.Type.PROJECT_CHAT_NOTIFICATION));

        // a message shows its author as the account is named now (a rename, or a deletion's user_<id>)
        fx.users.upsertOnLogin(bo.id(), "bo-renamed", null, null, false, java.time.Instant.now());
        assertThat(call(fn, "GET", chat(p.id()), null, null).json().path("chat").get(0).path("username").asText())
                .isEqualTo("bo-renamed");
    }

    @Test
    void onlyItsManagersChatInADraft() {
        User pm = fx.user("pm-draft-chat");
        Project p = fx.project(pm, ProjectStatus.DRAFT, 1);
        assertThat(call(fn, "POST", chat(p.id()), token(fx.user("outsider").id()), "{\"message\": \"hi\"}").subCode())
                .isEqualTo("UserNotPermitted");
        assertThat(call(fn, "POST", chat(p.id()), token(pm.id()), "{\"message\": \"hi\"}").status()).isEqualTo(200);
    }
}
