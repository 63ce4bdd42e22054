package dev.tmserverless.core.domain;

import java.time.Instant;
import java.util.List;

/**
 * A project's settings as PATCH replaces them. Task counters live beside it in storage (they move with
 * every transition) and the grid's progress in {@link GridJob}. Enumerations are kept as their wire names.
 */
public record Project(long id, ProjectStatus status, String projectPriority, String difficulty,
                      String defaultLocale, long authorId, String authorUsername, long organisationId,
                      String mappingPermission, int mappingPermissionLevelId, String validationPermission,
                      int validationPermissionLevelId, boolean enforceRandomTaskSelection, boolean isPrivate,
                      String changesetComment, String osmchaFilterId, String dueDate, String imagery,
                      String josmPreset, List<String> idPresets, String extraIdParams, boolean rapidPowerUser,
                      boolean sandbox, String database, List<String> mappingTypes, Integer licenseId,
                      List<String> allowedUsernames, List<Long> allowedUserIds, Instant created, Instant lastUpdated,
                      String taskCreationMode, List<String> mappingEditors, List<String> validationEditors,
                      List<ProjectInfo> projectInfoLocales, double[] aoiBbox, double[] aoiCentroid,
                      double areaKm2, List<String> countryTag) {

    public static final String CHANGESET_PREFIX = "#hot-tm-stage-project";

    public Project {
        idPresets = idPresets == null ? List.of() : List.copyOf(idPresets);
        mappingTypes = mappingTypes == null ? List.of() : List.copyOf(mappingTypes);
        allowedUsernames = allowedUsernames == null ? List.of() : List.copyOf(allowedUsernames);
        allowedUserIds = allowedUserIds == null ? List.of() : List.copyOf(allowedUserIds);
        mappingEditors = mappingEditors == null ? List.of() : List.copyOf(mappingEditors);
        validationEditors = validationEditors == null ? List.of() : List.copyOf(validationEditors);
        projectInfoLocales = projectInfoLocales == null ? List.of() : List.copyOf(projectInfoLocales);
        countryTag = countryTag == null ? List.of() : List.copyOf(countryTag);
    }

    /** Settings without a country tag (the countries are set by PATCH, docs/projects.md). */
    public Project(long id, ProjectStatus status, String projectPriority, String difficulty,
                   String defaultLocale, long authorId, String authorUsername, long organisationId,
                   String mappingPermission, int mappingPermissionLevelId, String validationPermission,
                   int validationPermissionLevelId, boolean enforceRandomTaskSelection, boolean isPrivate,
                   String changesetComment, String osmchaFilterId, String dueDate, String imagery,
                   String josmPreset, List<String> idPresets, String extraIdParams, boolean rapidPowerUser,
                   boolean sandbox, String database, List<String> mappingTypes, Integer licenseId,
                   List<String> allowedUsernames, List<Long> allowedUserIds, Instant created, Instant lastUpdated,
                   String taskCreationMode, List<String> mappingEditors, List<String> validationEditors,
                   List<ProjectInfo> projectInfoLocales, double[] aoiBbox, double[] aoiCentroid, double areaKm2) {
        this(id, status, projectPriority, difficulty, defaultLocale, authorId, authorUsername, organisationId,
                mappingPermission, mappingPermissionLevelId, validationPermission, validationPermissionLevelId,
                enforceRandomTaskSelection, isPrivate, changesetComment, osmchaFilterId, dueDate, imagery, josmPreset,
                idPresets, extraIdParams, rapidPowerUser, sandbox, database, mappingTypes, licenseId, allowedUsernames,
                allowedUserIds, created, lastUpdated, taskCreationMode, mappingEditors, validationEditors,
                projectInfoLocales, aoiBbox, aoiCentroid, areaKm2, List.of());
    }

    /** A new draft as creation makes it (the reference's defaults). */
    public static Project draft(long id, String name, User author, long organisationId, String taskCreationMode,
                                boolean sandbox, String database, double[] bbox, double[] centroid, double areaKm2,
                                Instant now) {
        return new Project(id, ProjectStatus.DRAFT, "MEDIUM", "MODERATE", "en", author.id(), author.username(),
                organisationId, "ANY", MappingLevel.BEGINNER.id, "ANY", MappingLevel.INTERMEDIATE.id, false, false,
                CHANGESET_PREFIX + "-" + id, null, null, null, null, List.of(), null, false, sandbox,
                database == null ? "OSM" : database, List.of(), null, List.of(), List.of(), now, now, taskCreationMode,
                sandbox ? List.of("ID") : List.of("ID", "JOSM", "CUSTOM"),
                sandbox ? List.of("ID") : List.of("ID", "JOSM", "CUSTOM"),
                List.of(ProjectInfo.named("en", name)), bbox, centroid, areaKm2);
    }

    /** The same settings with another author (transfer of ownership). */
    public Project withAuthor(long id, String username) {
        return new Project(this.id, status, projectPriority, difficulty, defaultLocale, id, username, organisationId,
                mappingPermission, mappingPermissionLevelId, validationPermission, validationPermissionLevelId,
                enforceRandomTaskSelection, isPrivate, changesetComment, osmchaFilterId, dueDate, imagery, josmPreset,
                idPresets, extraIdParams, rapidPowerUser, sandbox, database, mappingTypes, licenseId, allowedUsernames,
                allowedUserIds, created, lastUpdated, taskCreationMode, mappingEditors, validationEditors,
                projectInfoLocales, aoiBbox, aoiCentroid, areaKm2, countryTag);
    }

    /**
     * On the private project's allow-list. The list is kept by OSM user id: a display name can change hands, an
     * id cannot ({@code allowedUsernames} are the names as they were when the list was set).
     */
    public boolean allows(User u) {
        return u != null && allowedUserIds.contains(u.id());
    }

    /** The info row for {@code locale}, each empty field filled from the default locale's row. */
    public ProjectInfo info(String locale) {
        ProjectInfo def = projectInfoLocales.stream().filter(i -> i.locale().equals(defaultLocale)).findFirst()
                .orElse(ProjectInfo.named(defaultLocale, ""));
        ProjectInfo want = locale == null ? null : projectInfoLocales.stream()
                .filter(i -> i.locale().equalsIgnoreCase(locale)).findFirst().orElse(null);
        if (want == null) return def;
        return new ProjectInfo(want.locale(), or(want.name(), def.name()),
                or(want.shortDescription(), def.shortDescription()), or(want.description(), def.description()),
                or(want.instructions(), def.instructions()), or(want.perTaskInstructions(), def.perTaskInstructions()));
    }

    private static String or(String a, String b) { return a == null || a.isEmpty() ? b : a; }
}
