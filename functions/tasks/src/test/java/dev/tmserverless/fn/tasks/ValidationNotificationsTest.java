package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.tmserverless.fn.tasks.ValidationTest.lockV;
import static dev.tmserverless.fn.tasks.ValidationTest.mappedProject;
import static dev.tmserverless.fn.tasks.ValidationTest.unlockV;
import static dev.tmserverless.fn.tasks.ValidationTest.validator;
import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/** A mapper hears when their task is validated or marked invalid: once per request, never about their own validation. */
class ValidationNotificationsTest {
    static Isolated.Applied env;
    static TasksFunction fn;
    static Fixture fx;
    static MessageStore messages;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("tasks-validation-messages").applyAsSystemProperties();
        fn = new TasksFunction();
        fx = new Fixture(fn.getApplicationContext());
        messages = fn.getApplicationContext().getBean(MessageStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    @Test
    void theMapperGetsOneMessagePerRequestAboutTheirFirstTask() {
        User mapper = fx.user("mapper-msg");
        User v = validator(fx, "validator-msg");
        Project p = mappedProject(fx, mapper, 3);
        assertThat(call(fn, "POST", lockV(p.id()), token(v.id()), "{\"taskIds\": [1, 2, 3]}").status()).isEqualTo(200);
        var done = call(fn, "POST", unlockV(p.id()), token(v.id()), """
                {"validatedTasks": [{"taskId": 2, "status": "INVALIDATED"}, {"taskId": 1, "status": "VALIDATED"},
                                    {"taskId": 3, "status": "MAPPED"}]}""");
        assertThat(done.status()).isEqualTo(200);
        var inbox = messages.inbox(mapper.id());
        assertThat(inbox).hasSize(1);
        Message m = inbox.get(0);
        assertThat(m.type()).isEqualTo(Message.Type.INVALIDATION_NOTIFICATION);
        assertThat(m.taskId()).isEqualTo(2);
        assertThat(m.projectId()).isEqualTo(p.id());
        assertThat(m.fromUserId()).isEqualTo(v.id());
        assertThat(m.subject()).contains("Task 2").contains("has been marked invalid").contains("#" + p.id());
        assertThat(m.message()).contains("Hi " + mapper.username()).contains("More mapping needed");
        assertThat(messages.inbox(v.id())).isEmpty();
    }

    @Test
    void validatingYourOwnTaskSendsNothing() {
        User self = validator(fx, "self-validator");
        Project p = mappedProject(fx, self, 1);
        call(fn, "POST", lockV(p.id()), token(self.id()), "{\"taskIds\": [1]}");
        // validating one's own mapping is refused for non-admins; an admin may, and hears nothing from themself
        fx.users.setRole(self.id(), dev.tmserverless.core.domain.UserRole.ADMIN);
        assertThat(call(fn, "POST", lockV(p.id()), token(self.id()), "{\"taskIds\": [1]}").status()).isEqualTo(200);
        assertThat(call(fn, "POST", unlockV(p.id()), token(self.id()),
                "{\"validatedTasks\": [{\"taskId\": 1, \"status\": \"VALIDATED\"}]}").status()).isEqualTo(200);
        assertThat(messages.inbox(self.id())).isEmpty();
    }
}
