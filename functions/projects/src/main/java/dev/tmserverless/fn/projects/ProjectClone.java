package dev.tmserverless.fn.projects;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;

/**
 * A new draft's settings copied from another project (POST /projects/ with {@code cloneFromProjectId},
 * docs/projects.md "Cloning"): everything the reference copies except its id, allow-list, counters and
 * tasks; a new draft by the caller, with the new AOI, the body's sandbox and database, and the changeset comment
 * moved from the source's default prefix to the clone's.
 */
final class ProjectClone {
    private ProjectClone() {}

    /** {@code fresh}: the draft creation made from the body (id, author, AOI, dates, sandbox, database). */
    static Project of(Project src, Project fresh) {
        String oldPrefix = Project.CHANGESET_PREFIX + "-" + src.id();
        String rest = src.changesetComment() == null ? "" : src.changesetComment().replace(oldPrefix, "").strip();
        String comment = fresh.changesetComment() + (rest.isEmpty() ? "" : " " + rest);
        return new Project(fresh.id(), ProjectStatus.DRAFT, src.projectPriority(), src.difficulty(), src.defaultLocale(),
                fresh.authorId(), fresh.authorUsername(), src.organisationId(), src.mappingPermission(),
                src.mappingPermissionLevelId(), src.validationPermission(), src.validationPermissionLevelId(),
                src.enforceRandomTaskSelection(), src.isPrivate(), comment, src.osmchaFilterId(), src.dueDate(),
                src.imagery(), src.josmPreset(), src.idPresets(), src.extraIdParams(), src.rapidPowerUser(),
                fresh.sandbox(), fresh.database(), src.mappingTypes(), src.licenseId(),
                java.util.List.of(), java.util.List.of(), fresh.created(), fresh.lastUpdated(),
                fresh.taskCreationMode(), src.mappingEditors(), src.validationEditors(), src.projectInfoLocales(),
                fresh.aoiBbox(), fresh.aoiCentroid(), fresh.areaKm2(), src.countryTag());
    }
}
