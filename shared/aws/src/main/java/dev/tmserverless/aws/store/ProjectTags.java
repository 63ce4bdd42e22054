package dev.tmserverless.aws.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A project's campaigns and interests as its DTOs show them ({@code [{id, name}]}) and as a project update sets
 * them (docs/reference-data.md): links to a campaign or interest deleted since are left out.
 */
@Singleton
public class ProjectTags {
    /** The campaign and interest ids a project update names; null where the body does not name them. */
    public record Update(List<Long> campaigns, List<Long> interests) {
        public static final Update NONE = new Update(null, null);
    }

    private final CampaignStore campaigns;
    private final InterestStore interests;

    public ProjectTags(CampaignStore campaigns, InterestStore interests) {
        this.campaigns = campaigns;
        this.interests = interests;
    }

    public List<Map<String, Object>> campaigns(long projectId) {
        List<Long> ids = campaigns.ofProject(projectId);
        if (ids.isEmpty()) return List.of();
        Map<Long, String> names = new LinkedHashMap<>();
        campaigns.all().forEach(c -> names.put(c.id(), c.name()));
        return brief(ids, names);
    }

    public List<Map<String, Object>> interests(long projectId) {
        List<Long> ids = interests.ofProject(projectId);
        if (ids.isEmpty()) return List.of();
        Map<Long, String> names = new LinkedHashMap<>();
        interests.all().forEach(i -> names.put(i.id(), i.name()));
        return brief(ids, names);
    }

    /**
     * Reads {@code campaigns} and {@code interests} of a project update body ({@code [{id, …}]} or ids) and checks
     * that each names one (404 CAMPAIGN_NOT_FOUND / INTEREST_NOT_FOUND): call before writing anything.
     */
    public Update parse(JsonNode body) {
        if (body == null || !body.isObject()) return Update.NONE;
        List<Long> c = ids(body.get("campaigns"), "campaigns");
        List<Long> i = ids(body.get("interests"), "interests");
        if (c != null && !c.isEmpty()) {
            Set<Long> known = new HashSet<>();
            campaigns.all().forEach(x -> known.add(x.id()));
            for (long id : c) {
                if (!known.contains(id)) {
                    throw new ApiException(ErrorCode.CAMPAIGN_NOT_FOUND, ErrorCode.CAMPAIGN_NOT_FOUND.message, Map.of("campaign_id", id));
                }
            }
        }
        if (i != null) interests.existing(i);
        return new Update(c, i);
    }

    /** Makes the project's campaigns and interests those of {@code u} (where it names them). */
    public void applyWriting(long projectId, Update u) {
        if (u.campaigns() != null) {
            Set<Long> now = new LinkedHashSet<>(campaigns.ofProject(projectId));
            for (long id : u.campaigns()) if (!now.contains(id)) campaigns.linkProject(projectId, id);
            for (long id : now) if (!u.campaigns().contains(id)) campaigns.unlinkProject(projectId, id);
        }
        if (u.interests() != null) interests.setForProject(projectId, u.interests());
    }

    private static List<Long> ids(JsonNode list, String field) {
        if (list == null || list.isNull()) return null;
        if (!list.isArray()) throw Fields.schema(field, "Input should be a valid list", "list_type");
        if (list.size() > 100) throw new ApiException(ErrorCode.INVALID_DATA, "At most 100 " + field);
        List<Long> out = new ArrayList<>();
        for (JsonNode v : list) {
            JsonNode id = v.isObject() ? v.get("id") : v;
            if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()) {
                throw Fields.schema(field, "Input should be a valid integer", "int_type");
            }
            out.add(id.asLong());
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static List<Map<String, Object>> brief(List<Long> ids, Map<Long, String> names) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (long id : ids) {
            String name = names.get(id);
            if (name == null) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("name", name);
            out.add(m);
        }
        return out;
    }
}
