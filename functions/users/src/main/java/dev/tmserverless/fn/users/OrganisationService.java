package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Organisations (spec §1.8): creation by administrators, and the public OrganisationDTO. */
@Singleton
public class OrganisationService {
    /** The reference's OrganisationType names; new organisations are FREE unless told otherwise. */
    static final Set<String> TYPES = Set.of("FREE", "DISCOUNTED", "FULL_FEE");

    private final OrgStore orgs;
    private final UserStore users;

    public OrganisationService(OrgStore orgs, UserStore users) {
        this.orgs = orgs;
        this.users = users;
    }

    /** A validated creation request; {@code managers} are usernames as sent. */
    record NewOrganisation(String name, String slug, String logo, String description, String url, String type,
                           List<String> managers) {

        static NewOrganisation from(JsonNode body) {
            if (body == null || !body.isObject()) throw invalid("Request body must be a JSON object");
            JsonNode name = body.get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank()) throw invalid("Organisation name is required");
            if (name.asText().trim().length() > 512) throw invalid("Organisation name is longer than 512 characters");
            String type = optionalText(body, "type");
            type = type == null ? "FREE" : type.toUpperCase(Locale.ROOT);
            if (!TYPES.contains(type)) throw invalid("Unknown organisation type: " + body.get("type").asText());
            List<String> managers = new ArrayList<>();
            JsonNode m = body.get("managers");
            if (m != null && !m.isNull()) {
                if (!m.isArray()) throw invalid("managers must be a list of usernames");
                for (JsonNode u : m) {
                    if (!u.isTextual() || u.asText().isBlank()) throw invalid("managers must be a list of usernames");
                    managers.add(u.asText().trim());
                }
            }
            return new NewOrganisation(name.asText().trim(), optionalText(body, "slug"), optionalText(body, "logo"),
                    optionalText(body, "description"), optionalText(body, "url"), type, managers);
        }

        private static String optionalText(JsonNode body, String field) {
            JsonNode v = body.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual()) throw invalid(field + " must be a string");
            String s = v.asText().trim();
            return s.isEmpty() ? null : s;
        }
    }

    /**
     * Creates the organisation and returns its id. Managers are resolved before anything is written: an
     * unknown username is the reference's 404 USER_NOT_FOUND and no organisation (and no id) is used up.
     */
    public long create(NewOrganisation req) {
        Set<Long> managerIds = new LinkedHashSet<>();
        for (String username : req.managers()) {
            User u = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                    ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
            managerIds.add(u.id());
        }
        String slug = req.slug() != null ? req.slug() : slugify(req.name());
        return orgs.create(req.name(), slug, req.logo(), req.description(), req.url(), req.type(),
                List.copyOf(managerIds)).id();
    }

    /** The OrganisationDTO; {@code caller} is empty for anonymous requests. */
    public Map<String, Object> get(long id, Optional<User> caller) {
        Organisation org = orgs.get(id).orElseThrow(() -> notFound(id));
        List<Map<String, Object>> managers = new ArrayList<>();
        for (long managerId : org.managers()) {
            users.get(managerId).ifPresent(u -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("username", u.username());
                entry.put("pictureUrl", u.pictureUrl());
                managers.add(entry);
            });
        }
        // As in the reference, an administrator may manage every organisation.
        boolean isManager = caller.map(u -> u.isAdmin() || org.isManager(u.id())).orElse(false);
        Map<String, Object> dto = new LinkedHashMap<>();
        dto.put("organisationId", org.id());
        dto.put("managers", managers);
        dto.put("name", org.name());
        dto.put("slug", org.slug());
        dto.put("logo", org.logo());
        dto.put("description", org.description());
        dto.put("url", org.url());
        dto.put("type", org.type() == null ? "FREE" : org.type());
        dto.put("subscriptionTier", null);
        dto.put("isManager", isManager);
        dto.put("projects", List.of());
        dto.put("teams", List.of());
        dto.put("campaigns", null);
        return dto;
    }

    static ApiException notFound(Object id) {
        return new ApiException(ErrorCode.ORGANISATION_NOT_FOUND, ErrorCode.ORGANISATION_NOT_FOUND.message,
                Map.of("organisation_id", id));
    }

    /**
     * The slug the reference derives from a name: lower case, accents dropped, every run of other characters
     * a single hyphen. Letters of non-Latin scripts are kept rather than transliterated.
     */
    static String slugify(String name) {
        String s = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "organisation" : s;
    }

    private static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_DATA, message);
    }
}
