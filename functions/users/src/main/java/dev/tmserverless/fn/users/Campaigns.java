package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.queue.BroadcastRequest;
import dev.tmserverless.aws.queue.MessageJobs;
import dev.tmserverless.aws.store.CampaignStore;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.NameTaken;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Message;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Names;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Campaigns: anyone reads them; administrators and organisation managers write them; organisation managers give
 * their organisation a campaign, project managers their project; administrators message a campaign's contributors
 * (docs/reference-data.md).
 */
@Singleton
public class Campaigns {
    private final CampaignStore store;
    private final OrgStore orgs;
    private final ProjectAccess projects;
    private final MessageStore messages;
    private final MessageJobs jobs;

    public Campaigns(CampaignStore store, OrgStore orgs, ProjectAccess projects, MessageStore messages, MessageJobs jobs) {
        this.store = store;
        this.orgs = orgs;
        this.projects = projects;
        this.messages = messages;
        this.jobs = jobs;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.CAMPAIGNS, req -> Response.ok(Map.of("campaigns", store.all().stream()
                        .sorted(Comparator.comparing(CampaignStore.Campaign::name)).map(Campaigns::brief).toList())))
                .on(Routes.CAMPAIGN, this::get)
                .on(Routes.CREATE_CAMPAIGN, this::create)
                .on(Routes.UPDATE_CAMPAIGN, this::update)
                .on(Routes.DELETE_CAMPAIGN, this::delete)
                .on(Routes.MESSAGE_CAMPAIGN, this::message)
                .on(Routes.ORGANISATION_CAMPAIGNS, this::ofOrganisation)
                .on(Routes.ASSIGN_ORGANISATION_CAMPAIGN, this::assignToOrganisation)
                .on(Routes.REMOVE_ORGANISATION_CAMPAIGN, this::removeFromOrganisation)
                .on(Routes.PROJECT_CAMPAIGNS, this::ofProject)
                .on(Routes.ASSIGN_PROJECT_CAMPAIGN, this::assignToProject)
                .on(Routes.REMOVE_PROJECT_CAMPAIGN, this::removeFromProject);
    }

    /**
     * A campaign's fields. On create {@code name} is required; on update only the fields present change (null
     * clears the optional ones). {@code organisations} (ids) is read on create only, as the reference.
     */
    record CampaignBody(String name, String logo, String url, String description, List<Long> organisations,
                        Set<String> present) {
        static CampaignBody from(JsonNode body, boolean create) {
            Fields.object(body);
            Set<String> present = new HashSet<>();
            body.fieldNames().forEachRemaining(present::add);
            String name = null;
            if (create || present.contains("name")) {
                String raw = Fields.text(body, "name");
                if (raw.isBlank()) throw Fields.schema("name", "Value error, Empty campaign name string", "value_error");
                name = Names.name(raw, "name", Names.NAME_MAX);
            }
            List<Long> orgs = new ArrayList<>();
            JsonNode list = body.get("organisations");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) throw Fields.schema("organisations", "Input should be a valid list", "list_type");
                if (list.size() > 100) throw new ApiException(ErrorCode.INVALID_DATA, "At most 100 organisations");
                for (JsonNode v : list) {
                    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw Fields.schema("organisations", "Input should be a valid integer", "int_type");
                    orgs.add(v.asLong());
                }
            }
            return new CampaignBody(name, Names.url(optional(body, "logo"), "logo"), Names.url(optional(body, "url"), "url"),
                    Names.optional(optional(body, "description"), "description", Names.TEXT_MAX, false),
                    List.copyOf(new LinkedHashSet<>(orgs)), present);
        }

        private static String optional(JsonNode body, String field) {
            JsonNode v = body.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual()) throw Fields.schema(field, "Input should be a valid string", "string_type");
            return v.asText();
        }
    }

    Response get(Request req) {
        CampaignStore.Campaign c = campaign(campaignId(req));
        Map<String, Object> m = full(c);
        List<Map<String, Object>> organisations = new ArrayList<>();
        for (long orgId : store.organisationsOf(c.id())) {
            orgs.get(orgId).ifPresent(o -> {
                Map<String, Object> dto = new LinkedHashMap<>();
                dto.put("organisationId", o.id());
                dto.put("name", o.name());
                dto.put("slug", o.slug());
                dto.put("logo", o.logo());
                organisations.add(dto);
            });
        }
        m.put("organisations", organisations);
        return Response.ok(m);
    }

    /**
     * A new campaign, linked to the organisations named (each must exist, and a non-administrator must manage each:
     * docs/api-differences.md). 201 {@code {"campaignId"}}; 409 NameExists if the name is taken.
     */
    Response create(Request req) {
        User caller = req.caller().require();
        CampaignBody b = CampaignBody.from(req.json(), true);
        writer(caller);
        List<Organisation> linked = new ArrayList<>();
        for (long orgId : b.organisations()) {
            Organisation o = organisation(orgId);
            if (!Permissions.canLinkOrganisationCampaign(caller, o)) throw new ApiException(ErrorCode.ORG_MANAGER_OF_THIS_REQUIRED);
            linked.add(o);
        }
        CampaignStore.Campaign c;
        try {
            c = store.create(b.name(), b.logo(), b.url(), b.description());
        } catch (NameTaken e) {
            throw Interests.taken(b.name());
        }
        for (Organisation o : linked) store.linkOrganisation(o.id(), c.id());
        return Response.created(Map.of("campaignId", c.id()));
    }

    Response update(Request req) {
        User caller = req.caller().require();
        long id = campaignId(req);
        CampaignBody b = CampaignBody.from(req.json(), false);
        writer(caller);
        for (int attempt = 0; attempt < 3; attempt++) {
            CampaignStore.Campaign current = campaign(id);
            CampaignStore.Campaign next = new CampaignStore.Campaign(id,
                    b.present().contains("name") ? b.name() : current.name(),
                    b.present().contains("logo") ? b.logo() : current.logo(),
                    b.present().contains("url") ? b.url() : current.url(),
                    b.present().contains("description") ? b.description() : current.description());
            try {
                if (store.replace(current, next)) return Response.ok(Map.of("Success", "Campaign " + id + " updated"));
            } catch (NameTaken e) {
                throw Interests.taken(next.name());
            }
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    Response delete(Request req) {
        User caller = req.caller().require();
        writer(caller);
        CampaignStore.Campaign c = campaign(campaignId(req));
        if (!store.delete(c)) throw notFound(c.id());
        return Response.ok(Map.of("Success", "Campaign deleted"));
    }

    /**
     * An administrator's message to everyone who mapped or validated a task of the campaign's projects, queued for
     * the messenger: the answer comes before any inbox is written.
     */
    Response message(Request req) {
        User caller = req.caller().require();
        if (!Permissions.canMessageCampaign(caller)) throw new ApiException(ErrorCode.ADMIN_REQUIRED);
        long id = campaignId(req);
        BroadcastRequest b = BroadcastRequest.from(req.json());
        CampaignStore.Campaign c = campaign(id);
        Message template = new Message(messages.nextId(), -1, Message.Type.BROADCAST, dev.tmserverless.core.domain.Html.escape(b.subject()),
                Messages.campaignBroadcast(c.name(), caller.username(), b.message()), caller.id(), caller.username(),
                null, null, null, Instant.now(), false);
        jobs.send(new MessageJobs.Job(MessageJobs.Audience.CAMPAIGN_CONTRIBUTORS, c.id(), template, caller.id(), -1));
        return Response.ok(Map.of("Success", "Message sent successfully"));
    }

    Response ofOrganisation(Request req) {
        Organisation o = organisation(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND));
        return Response.ok(Map.of("campaigns", campaigns(store.ofOrganisation(o.id()))));
    }

    Response assignToOrganisation(Request req) {
        User caller = req.caller().require();
        Organisation o = organisation(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND));
        if (!Permissions.canLinkOrganisationCampaign(caller, o)) throw new ApiException(ErrorCode.ORG_MANAGER_OF_THIS_REQUIRED);
        CampaignStore.Campaign c = campaign(campaignId(req));
        if (!store.linkOrganisation(o.id(), c.id())) {
            throw new ApiException(ErrorCode.CAMPAIGN_ALREADY_ASSIGNED,
                    "Campaign " + c.id() + " is already assigned to organisation " + o.id() + ".");
        }
        return Response.ok(Map.of("Success", "campaign with id " + c.id() + " assigned for organisation with id " + o.id()));
    }

    Response removeFromOrganisation(Request req) {
        User caller = req.caller().require();
        Organisation o = organisation(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND));
        if (!Permissions.canLinkOrganisationCampaign(caller, o)) throw new ApiException(ErrorCode.ORG_MANAGER_OF_THIS_REQUIRED);
        CampaignStore.Campaign c = campaign(campaignId(req));
        if (!store.unlinkOrganisation(o.id(), c.id())) {
            throw new ApiException(ErrorCode.ORGANISATION_CAMPAIGN_NOT_FOUND, ErrorCode.ORGANISATION_CAMPAIGN_NOT_FOUND.message,
                    Map.of("organisation_id", o.id(), "campaign_id", c.id()));
        }
        return Response.ok(Map.of("Success", "Organisation and campaign unassociated successfully"));
    }

    Response ofProject(Request req) {
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        projects.visible(projectId, req.caller().optional().orElse(null));
        return Response.ok(Map.of("campaigns", campaigns(store.ofProject(projectId))));
    }

    Response assignToProject(Request req) {
        User caller = req.caller().require();
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        if (!projects.load(projectId, caller).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        CampaignStore.Campaign c = campaign(campaignId(req));
        if (!store.linkProject(projectId, c.id())) throw new ApiException(ErrorCode.CAMPAIGN_ASSIGNMENT_ERROR);
        return Response.ok(Map.of("Success", "campaign with id " + c.id() + " assigned successfully for project with id " + projectId));
    }

    Response removeFromProject(Request req) {
        User caller = req.caller().require();
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        if (!projects.load(projectId, caller).pm()) throw new ApiException(ErrorCode.USER_PERMISSION_ERROR);
        CampaignStore.Campaign c = campaign(campaignId(req));
        if (!store.unlinkProject(projectId, c.id())) {
            throw new ApiException(ErrorCode.PROJECT_CAMPAIGN_NOT_FOUND, ErrorCode.PROJECT_CAMPAIGN_NOT_FOUND.message,
                    Map.of("campaign_id", c.id(), "project_id", projectId));
        }
        return Response.ok(Map.of("Success", "Campaigns Deleted"));
    }

    /** The campaigns these ids name (links to deleted campaigns are left out), as full DTOs. */
    private List<Map<String, Object>> campaigns(List<Long> ids) {
        if (ids.isEmpty()) return List.of();
        Map<Long, CampaignStore.Campaign> all = new HashMap<>();
        store.all().forEach(c -> all.put(c.id(), c));
        return ids.stream().map(all::get).filter(Objects::nonNull).map(Campaigns::full).toList();
    }

    private void writer(User caller) {
        if (!Permissions.canWriteReferenceData(caller, Interests.managesAnOrganisation(orgs, caller))) {
            throw new ApiException(ErrorCode.ORG_MANAGER_REQUIRED);
        }
    }

    private CampaignStore.Campaign campaign(long id) {
        return store.get(id).orElseThrow(() -> notFound(id));
    }

    private Organisation organisation(long id) {
        return orgs.get(id).orElseThrow(() -> new ApiException(ErrorCode.ORGANISATION_NOT_FOUND,
                ErrorCode.ORGANISATION_NOT_FOUND.message, Map.of("organisation_id", id)));
    }

    private static long campaignId(Request req) { return req.longParam("campaignId", ErrorCode.CAMPAIGN_NOT_FOUND); }

    private static ApiException notFound(long id) {
        return new ApiException(ErrorCode.CAMPAIGN_NOT_FOUND, ErrorCode.CAMPAIGN_NOT_FOUND.message, Map.of("campaign_id", id));
    }

    private static Map<String, Object> brief(CampaignStore.Campaign c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        return m;
    }

    static Map<String, Object> full(CampaignStore.Campaign c) {
        Map<String, Object> m = brief(c);
        m.put("logo", c.logo());
        m.put("url", c.url());
        m.put("description", c.description());
        return m;
    }
}
