package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.Actor;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectInfo;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * PATCH /projects/{id}/: the body is a full ProjectDTO; this turns it into the new settings or
 * refuses it. Geometry, sandbox, database, author and creation date never change here. Teams, campaigns,
 * interests and priority areas are set here too (ProjectTags, PriorityAreas); custom editors are not modelled yet and are ignored.
 */
final class ProjectUpdate {
    private ProjectUpdate() {}

    static final Set<String> PRIORITIES = Set.of("URGENT", "HIGH", "MEDIUM", "LOW");
    static final Set<String> DIFFICULTIES = Set.of("EASY", "MODERATE", "CHALLENGING");
    static final Set<String> PERMISSIONS = Set.of("ANY", "TEAMS");
    static final Set<String> CREATION_MODES = Set.of("GRID", "ARBITRARY");
    static final Set<String> EDITORS = Set.of("ID", "JOSM", "POTLATCH_2", "FIELD_PAPERS", "CUSTOM", "RAPID");
    static final Set<String> MAPPING_TYPES = Set.of("ROADS", "BUILDINGS", "WATERWAYS", "LAND_USE", "OTHER");
    static final List<String> REQUIRED = List.of("status", "projectPriority", "defaultLocale", "difficulty",
            "mappingPermission", "mappingPermissionLevelId", "validationPermission", "validationPermissionLevelId",
            "private", "taskCreationMode", "mappingEditors", "validationEditors");

    /**
     * The project as the PATCH body makes it. {@code users} finds a user by name: the allow-list is resolved to
     * user ids here, and a name nobody has is 404 USER_NOT_FOUND, as in the reference.
     */
    /** The largest update body: room below DynamoDB's 400 KB item limit for the project's other fields. */
    static final int MAX_UPDATE_CHARS = 300_000;

    static Project apply(Project old, JsonNode b, Function<String, Optional<User>> users,
                         java.util.function.IntPredicate licenseExists) {
        if (b == null || !b.isObject()) throw new ApiException(ErrorCode.INVALID_DATA, "Project update body must be a JSON object");
        // the project is one item (DynamoDB refuses an item over 400 KB): a bigger update is refused here, not with a 500
        if (b.toString().length() > MAX_UPDATE_CHARS) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Project update is too large (over " + MAX_UPDATE_CHARS
                    + " characters of JSON); shorten the descriptions or instructions");
        }
        for (String k : REQUIRED) {
            if (!b.hasNonNull(k)) throw new ApiException(ErrorCode.INVALID_DATA, "Missing required field: " + k);
        }
        ProjectStatus status = ProjectStatus.valueOf(enumName(b, "status", Set.of("ARCHIVED", "PUBLISHED", "DRAFT")));
        String priority = old.sandbox() ? "LOW" : enumName(b, "projectPriority", PRIORITIES);
        String difficulty = enumName(b, "difficulty", DIFFICULTIES);
        String mappingPermission = enumName(b, "mappingPermission", PERMISSIONS);
        String validationPermission = enumName(b, "validationPermission", PERMISSIONS);
        int mappingLevel = level(b, "mappingPermissionLevelId");
        int validationLevel = level(b, "validationPermissionLevelId");
        String creationMode = enumName(b, "taskCreationMode", CREATION_MODES);
        List<String> mappingEditors = enumList(b, "mappingEditors", EDITORS);
        List<String> validationEditors = enumList(b, "validationEditors", EDITORS);
        List<String> mappingTypes = b.has("mappingTypes") ? enumList(b, "mappingTypes", MAPPING_TYPES) : old.mappingTypes();
        String defaultLocale = b.get("defaultLocale").asText();
        if (!b.get("private").isBoolean()) throw new ApiException(ErrorCode.INVALID_DATA, "private must be a boolean");

        List<ProjectInfo> infos = b.has("projectInfoLocales") ? infos(b.get("projectInfoLocales")) : new ArrayList<>(old.projectInfoLocales());
        if (infos.stream().noneMatch(i -> i.locale().equals(defaultLocale))) {
            if (status == ProjectStatus.PUBLISHED) throw new ApiException(ErrorCode.INFO_FOR_LOCALE_REQUIRED);
            infos.add(ProjectInfo.named(defaultLocale, ""));
        }
        if (status == ProjectStatus.PUBLISHED) {
            ProjectInfo d = infos.stream().filter(i -> i.locale().equals(defaultLocale)).findFirst().orElseThrow();
            for (String[] f : new String[][]{{"name", d.name()}, {"shortDescription", d.shortDescription()},
                    {"description", d.description()}, {"instructions", d.instructions()}}) {
                if (f[1] == null || f[1].isBlank()) {
                    throw new ApiException(ErrorCode.MISSING_REQUIRED_ATTRIBUTE,
                            "Missing required attribute " + f[0] + " for the default locale " + defaultLocale);
                }
            }
        }
        Integer licenseId = b.hasNonNull("licenseId") ? b.get("licenseId").asInt() : null;
        if (licenseId != null && !licenseExists.test(licenseId)) throw new ApiException(ErrorCode.REQUIRE_LICENSE_ID);

        List<Actor> allowed = b.has("allowedUsernames") ? allowedUsers(strings(b.get("allowedUsernames")), users)
                : old.allowedUserIds().isEmpty() && !old.allowedUsernames().isEmpty()
                        ? allowedUsers(old.allowedUsernames(), users) // a list set before ids were kept
                        : zip(old.allowedUsernames(), old.allowedUserIds());
        return new Project(old.id(), status, priority, difficulty, defaultLocale, old.authorId(), old.authorUsername(),
                id(b, "organisation", old.organisationId()),
                mappingPermission, mappingLevel, validationPermission, validationLevel,
                bool(b, "enforceRandomTaskSelection", old.enforceRandomTaskSelection()), b.get("private").asBoolean(),
                text(b, "changesetComment", old.changesetComment()), text(b, "osmchaFilterId", old.osmchaFilterId()),
                text(b, "dueDate", old.dueDate()), text(b, "imagery", old.imagery()), text(b, "josmPreset", old.josmPreset()),
                b.has("idPresets") ? strings(b.get("idPresets")) : old.idPresets(),
                text(b, "extraIdParams", old.extraIdParams()), bool(b, "rapidPowerUser", old.rapidPowerUser()),
                old.sandbox(), old.database(), mappingTypes, licenseId,
                allowed.stream().map(Actor::username).toList(), allowed.stream().map(Actor::userId).toList(),
                old.created(), java.time.Instant.now(), creationMode, mappingEditors, validationEditors, infos,
                old.aoiBbox(), old.aoiCentroid(), old.areaKm2(),
                b.has("countryTag") ? countries(b.get("countryTag")) : old.countryTag());
    }

    /** {@code countryTag}: null or a list of country names (at most 50, each at most 100 characters). */
    static List<String> countries(JsonNode a) {
        if (a == null || a.isNull()) return List.of();
        if (!a.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, "countryTag must be a list");
        if (a.size() > 50) throw new ApiException(ErrorCode.INVALID_DATA, "At most 50 countries");
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (JsonNode n : a) {
            if (!n.isTextual() || n.asText().isBlank() || n.asText().length() > 100) {
                throw new ApiException(ErrorCode.INVALID_DATA, "countryTag must be a list of country names");
            }
            out.add(n.asText().strip());
        }
        return List.copyOf(out);
    }

    private static String enumName(JsonNode b, String field, Set<String> allowed) {
        String v = b.get(field).asText().toUpperCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "Unknown " + field + ": " + b.get(field).asText());
        }
        return v;
    }

    private static List<String> enumList(JsonNode b, String field, Set<String> allowed) {
        JsonNode a = b.get(field);
        if (a == null || a.isNull()) return List.of();
        if (!a.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, field + " must be a list");
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) {
            String v = n.asText().toUpperCase(Locale.ROOT);
            if (!allowed.contains(v)) throw new ApiException(ErrorCode.BAD_REQUEST, "Unknown " + field + ": " + n.asText());
            out.add(v);
        }
        return out;
    }

    private static List<Actor> allowedUsers(List<String> names, Function<String, Optional<User>> users) {
        List<Actor> out = new ArrayList<>();
        for (String name : names) {
            User u = users.apply(name).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                    ErrorCode.USER_NOT_FOUND.message, java.util.Map.of("username", name)));
            if (out.stream().noneMatch(x -> x.userId() == u.id())) out.add(u.actor());
        }
        return out;
    }

    /** The stored allow-list: ids with the names they had when it was set. */
    private static List<Actor> zip(List<String> names, List<Long> ids) {
        List<Actor> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) out.add(new Actor(ids.get(i), i < names.size() ? names.get(i) : null));
        return out;
    }

    /** An id field: absent or null keeps {@code dflt}; anything but an integral number is bad input. */
    private static long id(JsonNode b, String field, long dflt) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new ApiException(ErrorCode.INVALID_DATA, field + " must be an id");
        return v.asLong();
    }

    private static int level(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (!v.canConvertToInt() || MappingLevel.ofId(v.asInt()).isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_DATA, field + " must be a mapping level id");
        }
        return v.asInt();
    }

    private static List<ProjectInfo> infos(JsonNode a) {
        if (!a.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, "projectInfoLocales must be a list");
        List<ProjectInfo> out = new ArrayList<>();
        for (JsonNode i : a) {
            if (!i.hasNonNull("locale")) throw new ApiException(ErrorCode.INVALID_DATA, "every projectInfoLocales entry needs a locale");
            out.add(new ProjectInfo(i.get("locale").asText(), text(i, "name", ""), text(i, "shortDescription", ""),
                    text(i, "description", ""), text(i, "instructions", ""), text(i, "perTaskInstructions", "")));
        }
        return out;
    }

    private static List<String> strings(JsonNode a) {
        if (a == null || a.isNull()) return List.of();
        if (!a.isArray()) throw new ApiException(ErrorCode.INVALID_DATA, "expected a list of strings");
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String text(JsonNode b, String f, String dflt) {
        if (!b.has(f)) return dflt;
        return b.get(f).isNull() ? null : b.get(f).asText();
    }

    private static boolean bool(JsonNode b, String f, boolean dflt) {
        return b.hasNonNull(f) ? b.get(f).asBoolean() : dflt;
    }
}
