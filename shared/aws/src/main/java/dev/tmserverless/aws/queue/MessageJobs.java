package dev.tmserverless.aws.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.Message;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Messages to many inboxes, as queue messages the messenger delivers (docs/reference-data.md "Messages to many").
 * A job carries the whole message, its id (the same in every inbox, so each inbox write is conditional on it and a
 * redelivery delivers nobody twice), who it goes to and, for a slice that re-queued itself, the recipient after
 * which to go on. The same queue carries mail jobs ({@link MailJob}): messages already in their inboxes, to be mailed.
 */
@Singleton
public class MessageJobs {
    /** What a queue message holds: messages to deliver to an audience, or messages already delivered to mail. */
    public sealed interface Work permits Job, MailJob {}

    /** The work a queue message holds; IllegalArgumentException if it holds none. */
    public static Work parse(String body) {
        JsonNode j = Json.parse(body);
        if (j != null && j.isObject() && j.has("mail")) return MailJob.fromJson(j);
        return Job.fromJson(body);
    }

    /** Most messages one mail job names; a comment that notifies more is sent as several jobs. */
    public static final int MAIL_JOB_SIZE = 500;

    /** One message in one inbox: the recipient and the message's id there. */
    public record Delivered(long userId, long messageId) {}

    /**
     * Messages another function has already written to their inboxes (a mention, a task comment notice), to be mailed
     * by the messenger to the recipients whose settings and verified address ask for it, each at most once
     * (docs/people.md "Notification settings").
     */
    public record MailJob(List<Delivered> messages) implements Work {
        public MailJob {
            messages = List.copyOf(messages);
        }

        /** The job for the messages from the {@code from}-th on. */
        public MailJob from(int from) { return new MailJob(messages.subList(from, messages.size())); }

        public String toJson() {
            List<List<Long>> m = new ArrayList<>();
            for (Delivered d : messages) m.add(List.of(d.userId(), d.messageId()));
            return Json.write(Map.of("mail", m));
        }

        static MailJob fromJson(JsonNode j) {
            JsonNode mail = j.path("mail");
            if (!mail.isArray()) throw new IllegalArgumentException("not a mail job");
            List<Delivered> out = new ArrayList<>();
            for (JsonNode e : mail) {
                if (!e.isArray() || e.size() != 2 || !e.get(0).canConvertToLong() || !e.get(1).canConvertToLong()) {
                    throw new IllegalArgumentException("not a mail job");
                }
                out.add(new Delivered(e.get(0).asLong(), e.get(1).asLong()));
            }
            return new MailJob(out);
        }
    }
    /**
     * Who receives: everyone who mapped or validated a task of a project, of a campaign's projects, a team's active
     * members, the mappers of a project's tasks (a chat message's {@code #mappers}), or a project's contributors and
     * the users who favourited it (a chat message's notice).
     */
    public enum Audience { PROJECT_CONTRIBUTORS, CAMPAIGN_CONTRIBUTORS, TEAM_MEMBERS, PROJECT_MAPPERS, PROJECT_CHAT }

    /**
     * {@code template} is the message each recipient gets ({@code toUserId} is replaced); {@code excludeUserId} (or
     * null) receives nothing; recipients go in increasing user id, from after {@code afterUserId}.
     */
    public record Job(Audience audience, long targetId, Message template, Long excludeUserId, long afterUserId) implements Work {
        public Job after(long userId) { return new Job(audience, targetId, template, excludeUserId, userId); }

        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("audience", audience.name());
            m.put("targetId", targetId);
            m.put("excludeUserId", excludeUserId);
            m.put("afterUserId", afterUserId);
            m.put("messageId", template.id());
            m.put("type", template.type().name());
            m.put("subject", template.subject());
            m.put("message", template.message());
            m.put("fromUserId", template.fromUserId());
            m.put("fromUsername", template.fromUsername());
            m.put("projectId", template.projectId());
            m.put("projectTitle", template.projectTitle());
            m.put("taskId", template.taskId());
            m.put("date", template.date().toEpochMilli());
            return Json.write(m);
        }

        /** The job a queue message holds; IllegalArgumentException if it holds none. */
        public static Job fromJson(String body) {
            JsonNode j = Json.parse(body);
            if (j == null || !j.isObject() || !j.path("messageId").canConvertToLong() || !j.path("targetId").canConvertToLong()) {
                throw new IllegalArgumentException("not a message job");
            }
            Message t = new Message(j.path("messageId").asLong(), -1, Message.Type.valueOf(j.path("type").asText()),
                    text(j, "subject"), text(j, "message"), longOrNull(j, "fromUserId"), text(j, "fromUsername"),
                    longOrNull(j, "projectId"), text(j, "projectTitle"),
                    j.path("taskId").isNumber() ? j.path("taskId").asInt() : null, Instant.ofEpochMilli(j.path("date").asLong()), false);
            return new Job(Audience.valueOf(j.path("audience").asText()), j.path("targetId").asLong(), t,
                    longOrNull(j, "excludeUserId"), j.path("afterUserId").asLong(-1));
        }

        private static String text(JsonNode j, String f) { return j.path(f).isTextual() ? j.path(f).asText() : null; }

        private static Long longOrNull(JsonNode j, String f) { return j.path(f).isNumber() ? j.path(f).asLong() : null; }
    }

    private final SqsClient sqs;
    private final TmConfig config;

    public MessageJobs(SqsClient sqs, TmConfig config) {
        this.sqs = sqs;
        this.config = config;
    }

    public void send(Job job) {
        sqs.sendMessage(b -> b.queueUrl(config.queueUrl(Resources.MESSAGES)).messageBody(job.toJson()));
    }

    /** Queues the mail of {@code delivered} (nothing when empty), in jobs of at most {@link #MAIL_JOB_SIZE}. */
    public void sendMail(List<Delivered> delivered) {
        for (int i = 0; i < delivered.size(); i += MAIL_JOB_SIZE) {
            send(new MailJob(delivered.subList(i, Math.min(delivered.size(), i + MAIL_JOB_SIZE))));
        }
    }

    public void send(MailJob job) {
        sqs.sendMessage(b -> b.queueUrl(config.queueUrl(Resources.MESSAGES)).messageBody(job.toJson()));
    }
}
