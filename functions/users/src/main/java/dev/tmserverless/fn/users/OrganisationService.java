package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamMember;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Organisations: creation by administrators, the public OrganisationDTO and list, updates and deletion. */
@Singleton
public class OrganisationService {
    /** The reference's OrganisationType names; new organisations are FREE unless told otherwise. */
    static final Set<String> TYPES = Set.of("FREE", "DISCOUNTED", "FULL_FEE");

    private final OrgStore orgs;
    private final UserStore users;
    private final ProjectStore projects;
    private final TeamStore teams;

    public OrganisationService(OrgStore orgs, UserStore users, ProjectStore projects, TeamStore teams) {
        this.orgs = orgs;
        this.users = users;
        this.projects = projects;
        this.teams = teams;
    }

    /** A validated creation request; {@code managers} are usernames as sent. */
    record NewOrganisation(String name, String slug, String logo, String description, String url, String type,
                           Integer subscriptionTier, List<String> managers) {

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
            Integer tier = null;
            JsonNode st = body.get("subscriptionTier");
            if (st != null && !st.isNull()) {
                if (!st.isIntegralNumber() || !st.canConvertToInt()) throw invalid("subscriptionTier must be an integer");
                tier = st.asInt();
            }
            checkTexts(optionalText(body, "slug"), optionalText(body, "logo"), optionalText(body, "description"),
                    optionalText(body, "url"));
            return new NewOrganisation(name.asText().trim(), optionalText(body, "slug"), optionalText(body, "logo"),
                    optionalText(body, "description"), optionalText(body, "url"), type, tier, managers);
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
     * A validated update: only the fields present in the body change (a present null clears logo, description
     * or url); {@code managers}, when not empty, replaces the list. Unknown keys (e.g. the DTO's read-only
     * fields sent back) are ignored.
     */
    record OrganisationUpdate(Set<String> present, String name, String slug, String logo, String description,
                              String url, String type, Integer subscriptionTier, List<String> managers) {

        /** Schema errors are the reference's 422; names and slugs that are null or blank are 400 InvalidData. */
        static OrganisationUpdate from(JsonNode body) {
            Fields.object(body);
            Set<String> present = new LinkedHashSet<>();
            String[] text = new String[5];
            String[] names = {"name", "slug", "logo", "description", "url"};
            for (int i = 0; i < names.length; i++) {
                JsonNode v = body.get(names[i]);
                if (v == null) continue;
                present.add(names[i]);
                if (v.isNull()) continue;
                if (!v.isTextual()) throw Fields.schema(names[i], "Input should be a valid string", "string_type");
                text[i] = v.asText().trim();
            }
            String type = null;
            JsonNode t = body.get("type");
            if (t != null && !t.isNull()) {
                if (!t.isTextual()) throw Fields.schema("type", "Input should be a valid string", "string_type");
                type = t.asText().toUpperCase(Locale.ROOT);
                if (!TYPES.contains(type)) {
                    throw Fields.schema("type", "Value error, Unknown organisationType: " + t.asText()
                            + ". Valid values are FREE, DISCOUNTED, FULL_FEE", "value_error");
                }
                present.add("type");
            }
            Integer tier = null;
            JsonNode st = body.get("subscriptionTier");
            if (st != null) {
                present.add("subscriptionTier");
                if (!st.isNull()) tier = Fields.smallInteger(body, "subscriptionTier");
            }
            List<String> managers = new ArrayList<>();
            JsonNode m = body.get("managers");
            if (m != null && !m.isNull()) {
                if (!m.isArray()) throw Fields.schema("managers", "Input should be a valid list", "list_type");
                for (JsonNode u : m) {
                    if (!u.isTextual()) throw Fields.schema("managers", "Input should be a valid string", "string_type");
                    if (!u.asText().isBlank()) managers.add(u.asText().trim());
                }
            }
            if (present.contains("name") && (text[0] == null || text[0].isEmpty())) throw invalid("Organisation name is required");
            if (text[0] != null && text[0].length() > 512) throw invalid("Organisation name is longer than 512 characters");
            if (present.contains("slug") && (text[1] == null || text[1].isEmpty())) throw invalid("Organisation slug must not be empty");
            checkTexts(text[1], text[2], text[3], text[4]);
            return new OrganisationUpdate(Set.copyOf(present), text[0], text[1], emptyToNull(text[2]),
                    emptyToNull(text[3]), emptyToNull(text[4]), type, tier, managers);
        }

        private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }
    }

    /**
     * The caps on an organisation's texts (400 InvalidData, nothing written): a slug of at most 255 characters,
     * a description of at most 2,000, and the logo and site as http(s) links (a javascript: link would run on a
     * click).
     */
    static void checkTexts(String slug, String logo, String description, String url) {
        if (slug != null && slug.length() > 255) throw invalid("Organisation slug is longer than 255 characters");
        dev.tmserverless.core.domain.Names.url(logo, "logo");
        dev.tmserverless.core.domain.Names.optional(description, "description", dev.tmserverless.core.domain.Names.TEXT_MAX, false);
        dev.tmserverless.core.domain.Names.url(url, "url");
    }

    /**
     * Creates the organisation and returns its id. Managers are resolved before anything is written: an
     * unknown username is the reference's 404 USER_NOT_FOUND and no organisation (and no id) is used up.
     * A name or slug another organisation has is 400 NameExists.
     */
    public long create(NewOrganisation req) {
        List<Long> managerIds = managerIds(req.managers());
        String slug = req.slug() != null ? req.slug() : slugify(req.name());
        try {
            return orgs.create(req.name(), slug, req.logo(), req.description(), req.url(), req.type(),
                    req.subscriptionTier(), managerIds).id();
        } catch (OrgStore.Taken e) {
            throw taken(ErrorCode.NAME_EXISTS, e);
        }
    }

    /**
     * The OrganisationDTO of {@code idOrSlug}: a segment of digits is an id, anything else a slug. With
     * {@code omitManagers} the manager list is empty and {@code teams} null, as in the reference.
     */
    public Map<String, Object> get(String idOrSlug, Optional<User> caller, boolean omitManagers) {
        Organisation org;
        if (idOrSlug != null && idOrSlug.matches("[0-9]{1,18}")) {
            long id = Long.parseLong(idOrSlug);
            org = orgs.get(id).orElseThrow(() -> notFound(id));
        } else if (idOrSlug != null && idOrSlug.matches("[0-9]+")) {
            throw notFound(idOrSlug);
        } else {
            String slug = String.valueOf(idOrSlug);
            org = orgs.bySlug(slug).orElseThrow(() -> new ApiException(ErrorCode.ORGANISATION_NOT_FOUND,
                    ErrorCode.ORGANISATION_NOT_FOUND.message, Map.of("slug", slug)));
        }
        Map<Long, User> managers = omitManagers ? Map.of() : users.getAll(org.managers());
        boolean isManager = Permissions.canManageOrganisation(caller.orElse(null), org);
        return dto(org, managers, true, isManager, omitManagers ? null : teamsOf(org, isManager), null);
    }

    /**
     * The ListOrganisationsDTO: every organisation by name, or those {@code managerUserId} manages. The
     * manager lists are left out for anonymous callers and with {@code omitManagers}; {@code isManager} is
     * null in list items, as in the reference.
     */
    public Map<String, Object> list(Optional<User> caller, Long managerUserId, boolean omitManagers) {
        List<Organisation> all = new ArrayList<>(orgs.all());
        if (managerUserId != null) all.removeIf(o -> !o.isManager(managerUserId));
        all.sort(Comparator.comparing(Organisation::name, String.CASE_INSENSITIVE_ORDER)
                .thenComparing(Organisation::name).thenComparingLong(Organisation::id));
        boolean withManagers = !omitManagers && caller.isPresent();
        Map<Long, User> managers = withManagers
                ? users.getAll(all.stream().flatMap(o -> o.managers().stream()).toList()) : Map.of();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Organisation org : all) out.add(dto(org, managers, withManagers, null, null, null));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("organisations", out);
        return body;
    }

    /**
     * Applies {@code req} to organisation {@code id} for {@code caller}: administrators and the organisation's
     * managers only (403 UserNotOrgAdmin, checked before existence as the reference does); only administrators
     * change {@code type} and {@code subscriptionTier}; a name or slug another organisation has is 402 NameExists.
     */
    public void update(long id, OrganisationUpdate req, User caller) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Organisation org = manageable(id, caller);
            List<Long> managers = req.managers().isEmpty() ? org.managers() : managerIds(req.managers());
            boolean admin = Permissions.canSetOrganisationTier(caller);
            var changes = new OrgStore.Changes(
                    req.present().contains("name") ? req.name() : org.name(),
                    req.present().contains("slug") ? req.slug() : org.slug(),
                    req.present().contains("logo") ? req.logo() : org.logo(),
                    req.present().contains("description") ? req.description() : org.description(),
                    req.present().contains("url") ? req.url() : org.url(),
                    admin && req.present().contains("type") ? req.type() : org.type(),
                    admin && req.present().contains("subscriptionTier") ? req.subscriptionTier() : org.subscriptionTier(),
                    managers);
            try {
                if (orgs.update(org, changes)) return;
            } catch (OrgStore.Taken e) {
                throw taken(ErrorCode.NAME_EXISTS_ON_UPDATE, e);
            }
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    /**
     * Deletes organisation {@code id}: administrators and its managers only (403 UserNotOrgAdmin); one that
     * still has projects or teams is 403 OrgHasProjects.
     */
    public void delete(long id, User caller) {
        Organisation org = manageable(id, caller);
        if (projects.anyInOrganisation(id) || !teams.idsOfOrganisation(id).isEmpty()) {
            throw new ApiException(ErrorCode.ORG_HAS_PROJECTS);
        }
        orgs.delete(org);
    }

    /**
     * The organisation's teams as the OrganisationDTO shows them (private ones only to its managers), each with
     * its members; {@code active} is a string there, as in the reference.
     */
    private List<Object> teamsOf(Organisation org, boolean isManager) {
        List<Team> found = new ArrayList<>(teams.getAll(teams.idsOfOrganisation(org.id())));
        if (!isManager) found.removeIf(t -> t.visibility() != Team.Visibility.PUBLIC);
        found.sort(Comparator.comparingLong(Team::id));
        List<Object> out = new ArrayList<>();
        for (Team t : found) {
            List<TeamMember> members = teams.members(t.id());
            Map<Long, User> byId = users.getAll(members.stream().map(TeamMember::userId).toList());
            List<Map<String, Object>> list = new ArrayList<>();
            for (TeamMember m : members) {
                User u = byId.get(m.userId());
                if (u == null) continue;
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("username", u.username());
                entry.put("pictureUrl", u.pictureUrl());
                entry.put("function", m.function().name());
                entry.put("active", Boolean.toString(m.active()));
                list.add(entry);
            }
            Map<String, Object> dto = new LinkedHashMap<>();
            dto.put("teamId", t.id());
            dto.put("name", t.name());
            dto.put("description", t.description());
            dto.put("joinMethod", t.joinMethod().name());
            dto.put("visibility", t.visibility().name());
            dto.put("members", list);
            out.add(dto);
        }
        return out;
    }

    private Organisation manageable(long id, User caller) {
        Optional<Organisation> org = orgs.get(id);
        if (!Permissions.managesEverything(caller) && !org.map(o -> Permissions.canManageOrganisation(caller, o)).orElse(false)) {
            throw new ApiException(ErrorCode.USER_NOT_ORG_ADMIN);
        }
        return org.orElseThrow(() -> notFound(id));
    }

    private List<Long> managerIds(List<String> usernames) {
        Set<Long> ids = new LinkedHashSet<>();
        for (String username : usernames) {
            User u = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                    ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
            ids.add(u.id());
        }
        return List.copyOf(ids);
    }

    private static ApiException taken(ErrorCode code, OrgStore.Taken e) {
        return new ApiException(code, "Organisation " + e.field() + " already exists: " + e.value());
    }

    /** The reference's OrganisationDTO keys in its order; {@code managers} is left out when not {@code withManagers}. */
    private static Map<String, Object> dto(Organisation org, Map<Long, User> users, boolean withManagers,
                                           Boolean isManager, List<Object> teams, Object stats) {
        Map<String, Object> dto = new LinkedHashMap<>();
        dto.put("organisationId", org.id());
        if (withManagers) {
            List<Map<String, Object>> managers = new ArrayList<>();
            for (long managerId : org.managers()) {
                User u = users.get(managerId);
                if (u == null) continue;
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("username", u.username());
                entry.put("pictureUrl", u.pictureUrl());
                managers.add(entry);
            }
            dto.put("managers", managers);
        }
        dto.put("name", org.name());
        dto.put("slug", org.slug());
        dto.put("logo", org.logo());
        dto.put("description", org.description());
        dto.put("url", org.url());
        dto.put("isManager", isManager);
        // The reference never fills these three in this DTO.
        dto.put("projects", List.of());
        dto.put("teams", teams);
        dto.put("campaigns", null);
        dto.put("stats", stats);
        dto.put("type", org.type() == null ? "FREE" : org.type());
        dto.put("subscriptionTier", org.subscriptionTier());
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
