package dev.tmserverless.fn.projects;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.UUID;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A project's interests and campaigns in its DTOs, set by its managers (set-interests, PATCH), and a manager's
 * message to its contributors, which is queued for the messenger and not written here.
 */
class ProjectTagsTest {
    static Isolated.Applied env;
    static ProjectsFunction fn;
    static Fixture fx;
    static InterestStore interests;
    static CampaignStore campaigns;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("project-tags").applyAsSystemProperties();
        fn = new ProjectsFunction();
        fx = new Fixture(fn.getApplicationContext());
        interests = fn.getApplicationContext().getBean(InterestStore.class);
        campaigns = fn.getApplicationContext().getBean(CampaignStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String unique(String s) { return s + " " + UUID.randomUUID(); }

    @Test
    void managersSetInterestsAndCampaignsThatTheProjectShows() {
        User pm = fx.user("tags-pm");
        User mapper = fx.user("tags-mapper");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        var health = interests.create(unique("Health"));
        var roads = interests.create(unique("Roads"));
        var floods = campaigns.create(unique("Floods"), null, null, null);
        String base = "/api/v2/projects/" + p.id() + "/";

        var refused = call(fn, "POST", base + "actions/set-interests/", token(mapper.id()), "{\"interests\": [" + health.id() + "]}");
        assertThat(refused.json().path("SubCode").asText()).isEqualTo("UserPermissionError");
        var set = call(fn, "POST", base + "actions/set-interests/", token(pm.id()), "{\"interests\": [" + health.id() + "]}");
        assertThat(set.status()).as("%s", set.json()).isEqualTo(200);
        assertThat(set.json().path("interests").get(0).path("name").asText()).isEqualTo(health.name());
        assertThat(call(fn, "POST", base + "actions/set-interests/", token(pm.id()), "{\"interests\": [99999999]}").status()).isEqualTo(404);
        var etag = call(fn, "GET", base, token(pm.id()), null).headers().get("etag");
        assertThat(call(fn, "GET", base, token(pm.id()), null).json().path("interests").get(0).path("id").asLong()).isEqualTo(health.id());

        // the edit form sends campaigns and interests back with the project
        var form = (com.fasterxml.jackson.databind.node.ObjectNode) call(fn, "GET", base, token(pm.id()), null).json();
        // a published project needs its texts
        for (var info : form.path("projectInfoLocales")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) info).put("shortDescription", "s").put("description", "d")
                    .put("instructions", "i");
        }
        form.putArray("campaigns").addObject().put("id", floods.id()).put("name", "x");
        form.putArray("interests").addObject().put("id", roads.id());
        var patch = call(fn, "PATCH", base, token(pm.id()), form.toString());
        assertThat(patch.status()).as("%s", patch.json()).isEqualTo(200);
        var dto = call(fn, "GET", base, token(pm.id()), null);
        assertThat(dto.headers().get("etag")).isNotEqualTo(etag);
        assertThat(dto.json().path("campaigns").get(0).path("name").asText()).isEqualTo(floods.name());
        assertThat(dto.json().path("interests")).hasSize(1);
        assertThat(dto.json().path("interests").get(0).path("name").asText()).isEqualTo(roads.name());
        assertThat(call(fn, "GET", base + "queries/summary/", token(pm.id()), null).json().path("campaigns").get(0).path("id").asLong())
                .isEqualTo(floods.id());
        // an unknown campaign refuses the whole update
        form.putArray("campaigns").addObject().put("id", 99999999);
        form.putArray("interests");
        assertThat(call(fn, "PATCH", base, token(pm.id()), form.toString()).status()).isEqualTo(404);
        assertThat(call(fn, "GET", base, token(pm.id()), null).json().path("interests")).hasSize(1);
        // a deleted campaign leaves the project's list
        campaigns.delete(floods);
        assertThat(call(fn, "GET", base, token(pm.id()), null).json().path("campaigns")).isEmpty();
    }

    @Test
    void aManagersMessageToContributorsIsQueuedForTheMessenger() {
        User pm = fx.user("msg-pm");
        User mapper = fx.user("msg-mapper");
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        String path = "/api/v2/projects/" + p.id() + "/actions/message-contributors/";
        assertThat(call(fn, "POST", path, token(mapper.id()), "{\"subject\": \"s\", \"message\": \"m\"}").json().path("SubCode").asText())
                .isEqualTo("UserPermissionError");
        var empty = call(fn, "POST", path, token(pm.id()), "{\"subject\": \"s\"}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().path("SubCode").asText()).isEqualTo("InvalidData");
        var sent = call(fn, "POST", path, token(pm.id()), "{\"subject\": \"Imagery\", \"message\": \"New imagery is *up*\"}");
        assertThat(sent.status()).as("%s", sent.json()).isEqualTo(200);
        assertThat(sent.json().path("Success").asText()).isEqualTo("Messages started");

        SqsClient sqs = fn.getApplicationContext().getBean(SqsClient.class);
        String url = fn.getApplicationContext().getBean(TmConfig.class).queueUrl(Resources.MESSAGES);
        var received = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
        assertThat(received).hasSize(1);
        MessageJobs.Job job = MessageJobs.Job.fromJson(received.get(0).body());
        assertThat(job.audience()).isEqualTo(MessageJobs.Audience.PROJECT_CONTRIBUTORS);
        assertThat(job.targetId()).isEqualTo(p.id());
        assertThat(job.template().type()).isEqualTo(Message.Type.BROADCAST);
        assertThat(job.template().subject()).isEqualTo("Imagery");
        assertThat(job.template().message()).contains("managers:").contains("New imagery is *up*");
        assertThat(job.template().fromUsername()).isEqualTo(pm.username());
        assertThat(job.template().projectId()).isEqualTo(p.id());
    }
}
