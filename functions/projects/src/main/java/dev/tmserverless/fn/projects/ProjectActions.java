package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.InterestIds;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.queue.BroadcastRequest;
import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.core.domain.Html;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A project manager's actions on a project's interests and its contributors (docs/reference-data.md). */
@Singleton
public class ProjectActions {
    private final ProjectAccess access;
    private final InterestStore interests;
    private final MessageStore messages;
    private final MessageJobs jobs;

    public ProjectActions(ProjectAccess access, InterestStore interests, MessageStore messages, MessageJobs jobs) {
        this.access = access;
        this.interests = interests;
        this.messages = messages;
        this.jobs = jobs;
    }

    /** The project's interests become exactly these (PM only; every id must name an interest). */
    Response setInterests(Request req) {
        User caller = req.caller().require();
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        if (!access.load(projectId, caller).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        List<Long> ids = InterestIds.from(req.json()).ids();
        List<Map<String, Object>> out = new ArrayList<>();
        for (InterestStore.Interest i : interests.existing(ids)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("name", i.name());
            out.add(m);
        }
        interests.setForProject(projectId, ids);
        return Response.ok(Map.of("interests", out));
    }

    /**
     * A PM's message to everyone who mapped or validated one of the project's tasks, queued for the messenger (the
     * answer comes before any inbox is written). Body first (400 InvalidData), then the PM check, as the reference.
     */
    Response messageContributors(Request req) {
        User caller = req.caller().require();
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        BroadcastRequest b;
        try {
            b = BroadcastRequest.from(req.json());
        } catch (ApiException e) {
            throw new ApiException(ErrorCode.MESSAGE_INVALID, "Unable to send message to contributors");
        }
        ProjectAccess.View v = access.load(projectId, caller);
        if (!v.pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        Project p = v.project();
        var info = p.info(p.defaultLocale());
        String name = info == null ? "" : info.name();
        Message template = new Message(messages.nextId(), -1, Message.Type.BROADCAST, Html.escape(b.subject()),
                Messages.projectBroadcast(p.id(), name, b.message()), caller.id(), caller.username(), p.id(), name, null,
                Instant.now(), false);
        jobs.send(new MessageJobs.Job(MessageJobs.Audience.PROJECT_CONTRIBUTORS, p.id(), template, null, -1));
        return Response.ok(Map.of("Success", "Messages started"));
    }
}
