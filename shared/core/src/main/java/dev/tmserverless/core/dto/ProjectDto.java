package dev.tmserverless.core.dto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.ProjectInfo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ProjectDTO and ProjectSummary: keys in the reference's order, every key present. */
public final class ProjectDto {
    private ProjectDto() {}

    public static Map<String, Object> of(Project p, ProjectCounters c, Organisation org, JsonNode areaOfInterest,
                                         JsonNode tasks, String locale, int activeMappers) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("projectId", p.id());
        m.put("status", p.status().name());
        m.put("projectPriority", p.projectPriority());
        m.put("areaOfInterest", areaOfInterest);
        m.put("aoiBBOX", p.aoiBbox());
        m.put("tasks", tasks);
        m.put("defaultLocale", p.defaultLocale());
        ProjectInfo info = p.info(locale);
        m.put("projectInfo", info);
        m.put("projectInfoLocales", p.projectInfoLocales());
        m.put("difficulty", p.difficulty());
        m.put("mappingPermission", p.mappingPermission());
        m.put("mappingPermissionLevelId", p.mappingPermissionLevelId());
        m.put("validationPermission", p.validationPermission());
        m.put("validationPermissionLevelId", p.validationPermissionLevelId());
        m.put("enforceRandomTaskSelection", p.enforceRandomTaskSelection());
        m.put("private", p.isPrivate());
        m.put("changesetComment", p.changesetComment());
        m.put("osmchaFilterId", p.osmchaFilterId());
        m.put("dueDate", p.dueDate());
        m.put("imagery", p.imagery());
        m.put("josmPreset", p.josmPreset());
        m.put("idPresets", p.idPresets());
        m.put("extraIdParams", p.extraIdParams());
        m.put("rapidPowerUser", p.rapidPowerUser());
        m.put("sandbox", p.sandbox());
        m.put("mappingTypes", p.mappingTypes());
        m.put("campaigns", List.of());
        m.put("organisation", p.organisationId());
        m.put("organisationName", org == null ? null : org.name());
        m.put("organisationSlug", org == null ? null : org.slug());
        m.put("organisationLogo", org == null ? null : org.logo());
        m.put("countryTag", p.countryTag());
        m.put("licenseId", p.licenseId());
        m.put("allowedUsernames", p.allowedUsernames());
        m.put("priorityAreas", List.of());
        m.put("created", p.created());
        m.put("lastUpdated", p.lastUpdated());
        m.put("author", p.authorUsername());
        m.put("database", p.database());
        m.put("activeMappers", activeMappers);
        m.put("percentMapped", c.percentMapped());
        m.put("percentValidated", c.percentValidated());
        m.put("percentBadImagery", c.percentBadImagery());
        m.put("taskCreationMode", p.taskCreationMode());
        m.put("teams", List.of());
        m.put("mappingEditors", p.mappingEditors());
        m.put("validationEditors", p.validationEditors());
        m.put("customEditor", null);
        m.put("interests", List.of());
        return m;
    }

    /** ProjectSummary (the task-selection page, dashboards): keys in the reference's order. */
    public static Map<String, Object> summary(Project p, ProjectCounters c, Organisation org, String locale) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("projectId", p.id());
        m.put("defaultLocale", p.defaultLocale());
        m.put("author", p.authorUsername());
        m.put("created", p.created());
        m.put("dueDate", p.dueDate());
        m.put("lastUpdated", p.lastUpdated());
        m.put("projectPriority", p.projectPriority());
        m.put("campaigns", List.of());
        m.put("organisation", p.organisationId());
        m.put("organisationName", org == null ? null : org.name());
        m.put("organisationSlug", org == null ? null : org.slug());
        m.put("organisationLogo", org == null ? null : org.logo());
        m.put("countryTag", p.countryTag());
        m.put("osmchaFilterId", p.osmchaFilterId());
        m.put("mappingTypes", p.mappingTypes());
        m.put("changesetComment", p.changesetComment());
        m.put("percentMapped", c.percentMapped());
        m.put("percentValidated", c.percentValidated());
        m.put("percentBadImagery", c.percentBadImagery());
        double[] centroid = p.aoiCentroid();
        m.put("aoiCentroid", centroid == null ? null
                : Map.of("type", "Point", "coordinates", List.of(centroid[0], centroid[1])));
        m.put("difficulty", p.difficulty());
        m.put("mappingPermission", p.mappingPermission());
        m.put("validationPermission", p.validationPermission());
        m.put("database", p.database());
        m.put("allowedUsernames", p.allowedUsernames());
        m.put("enforceRandomTaskSelection", p.enforceRandomTaskSelection());
        m.put("private", p.isPrivate());
        m.put("sandbox", p.sandbox());
        m.put("teams", List.of());
        ProjectInfo info = p.info(locale);
        m.put("projectInfo", info);
        m.put("shortDescription", info == null ? null : info.shortDescription());
        m.put("status", p.status().name());
        m.put("imagery", p.imagery());
        m.put("licenseId", p.licenseId());
        m.put("idPresets", p.idPresets());
        m.put("extraIdParams", p.extraIdParams());
        m.put("rapidPowerUser", p.rapidPowerUser());
        m.put("mappingEditors", p.mappingEditors());
        m.put("validationEditors", p.validationEditors());
        m.put("customEditor", null);
        return m;
    }
}
