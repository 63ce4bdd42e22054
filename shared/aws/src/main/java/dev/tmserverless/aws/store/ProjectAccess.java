package dev.tmserverless.aws.store;

import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.Map;

/** Loads a project with what every permission decision about it needs: its organisation and PM(u, p). */
@Singleton
public class ProjectAccess {
    public record View(ProjectStore.Stored stored, Organisation org, boolean pm) {
        public Project project() { return stored.project(); }

        /**
         * Cache-Control of an answer about this project that is the same for every caller: shared caches may keep
         * it only when anybody may read it (published and not private).
         */
        public String cacheControl() {
            Project p = project();
            return p.status() == dev.tmserverless.core.domain.ProjectStatus.PUBLISHED && !p.isPrivate()
                    ? dev.tmserverless.aws.http.Response.PUBLIC_CACHE : dev.tmserverless.aws.http.Response.PRIVATE_CACHE;
        }
    }

    private final ProjectStore projects;
    private final OrgStore orgs;

    public ProjectAccess(ProjectStore projects, OrgStore orgs) {
        this.projects = projects;
        this.orgs = orgs;
    }

    /** The project or 404 PROJECT_NOT_FOUND; {@code user} may be null (anonymous). */
    public View load(long projectId, User user) {
        ProjectStore.Stored s = projects.get(projectId).orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND,
                ErrorCode.PROJECT_NOT_FOUND.message, Map.of("project_id", projectId)));
        Organisation org = orgs.get(s.project().organisationId()).orElse(null);
        return new View(s, org, Permissions.isProjectManager(user, s.project(), org));
    }

    /** As {@link #load}, then the visibility rules (spec §3.6, §8 D8, D18). */
    public View visible(long projectId, User user) {
        View v = load(projectId, user);
        Permissions.checkVisible(user, v.project(), v.pm());
        return v;
    }
}
