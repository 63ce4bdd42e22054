package dev.tmserverless.aws.store;

import dev.tmserverless.core.domain.Membership;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Loads a project with what every permission decision about it needs: its organisation, the caller's
 * {@link Membership} (the roles on the project of the teams in which the caller is an active member) and
 * PM(u, p), which a team with the PROJECT_MANAGER role also grants.
 */
@Singleton
public class ProjectAccess {
    public record View(ProjectStore.Stored stored, Organisation org, Membership membership, boolean pm) {
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
    private final TeamStore teams;
    private final software.amazon.awssdk.services.dynamodb.DynamoDbClient ddb;
    private final String table;
    /**
     * What this container last saw of a project: its organisation and the teams linked to it. Only a guess of which
     * keys to ask for in {@link #forAction}'s batch; every answer is checked against the fresh reads of the same
     * request, and a wrong guess costs one more call, never a stale decision.
     */
    private final Map<Long, Guess> guesses = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Guess> eldest) { return size() > 1024; }
    });

    private record Guess(long orgId, java.util.Set<Long> teamIds) {}

    public ProjectAccess(ProjectStore projects, OrgStore orgs, TeamStore teams,
                         software.amazon.awssdk.services.dynamodb.DynamoDbClient ddb, dev.tmserverless.aws.config.TmConfig config) {
        this.projects = projects;
        this.orgs = orgs;
        this.teams = teams;
        this.ddb = ddb;
        this.table = config.table();
    }

    /**
     * What a task action reads before it decides, in one round: one consistent BatchGetItem of the caller's user
     * record, the project, its grid job, the tasks and (when this container has seen the project before) its
     * organisation and the caller's member items in its teams, beside one Query of the project's team links
     * (which no guess can replace: a team just unlinked must not grant anything). A guess that turns out wrong
     * is made good with the reads {@link #load} would have made. Every read is as fresh as {@link #load}'s.
     */
    public ActionReads forAction(long projectId, long userId, java.util.Collection<Integer> taskIds) {
        Guess guess = guesses.get(projectId);
        java.util.List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> keys = new java.util.ArrayList<>();
        keys.add(Attr.key(Keys.user(userId), Keys.PROFILE));
        keys.add(Attr.key(Keys.project(projectId), Keys.META));
        keys.add(Attr.key(Keys.project(projectId), Keys.GRID_JOB));
        for (int id : new java.util.TreeSet<>(taskIds)) keys.add(Attr.key(Keys.project(projectId), Keys.task(id)));
        if (guess != null) {
            keys.add(Attr.key(Keys.org(guess.orgId()), Keys.META));
            for (long t : guess.teamIds()) keys.add(TeamStore.memberKey(t, userId));
        }
        var links = java.util.concurrent.CompletableFuture.supplyAsync(() -> teams.teamsOfProject(projectId), SIDE);
        Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> byKey = new java.util.HashMap<>();
        for (var item : Dynamo.batchGet(ddb, table, keys)) byKey.put(Attr.str(item, "pk") + "|" + Attr.str(item, "sk"), item);
        java.util.List<TeamStore.ProjectTeam> teamLinks;
        try {
            teamLinks = links.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
        return new ActionReads(projectId, userId, byKey, teamLinks, guess);
    }

    /** Runs the team-links Query beside the batch: a virtual thread per request, nothing pooled. */
    private static final java.util.concurrent.Executor SIDE = r -> Thread.ofVirtual().name("tm-side-read").start(r);

    /** The answers of {@link #forAction}. */
    public final class ActionReads {
        private final long projectId;
        private final long userId;
        private final Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items;
        private final java.util.List<TeamStore.ProjectTeam> teamLinks;
        private final Guess guess;

        private ActionReads(long projectId, long userId,
                            Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items,
                            java.util.List<TeamStore.ProjectTeam> teamLinks, Guess guess) {
            this.projectId = projectId;
            this.userId = userId;
            this.items = items;
            this.teamLinks = teamLinks;
            this.guess = guess;
        }

        private Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item(String pk, String sk) {
            return items.get(pk + "|" + sk);
        }

        /** The caller's user record, as {@code UserStore.get} answers it. */
        public java.util.Optional<User> user() {
            return java.util.Optional.ofNullable(item(Keys.user(userId), Keys.PROFILE)).map(UserStore::read);
        }

        /**
         * As {@link ProjectAccess#load} answers for {@code user} (the user whose id the reads were made for): 404
         * PROJECT_NOT_FOUND, or the project with its organisation, the caller's team roles and PM(u, p).
         */
        public View view(User user) {
            if (user.id() != userId) throw new IllegalArgumentException("read for user " + userId + ", asked for " + user.id());
            var p = item(Keys.project(projectId), Keys.META);
            if (p == null) throw new ApiException(ErrorCode.PROJECT_NOT_FOUND, ErrorCode.PROJECT_NOT_FOUND.message,
                    Map.of("project_id", projectId));
            ProjectStore.Stored s = ProjectStore.read(projectId, p);
            long orgId = s.project().organisationId();
            Organisation org = guess != null && guess.orgId() == orgId
                    ? java.util.Optional.ofNullable(item(Keys.org(orgId), Keys.META)).map(OrgStore::read).orElse(null)
                    : orgs.get(orgId).orElse(null);
            java.util.List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> members = new java.util.ArrayList<>();
            java.util.List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> missing = new java.util.ArrayList<>();
            for (var link : teamLinks) {
                if (guess != null && guess.teamIds().contains(link.teamId())) {
                    var m = item(Keys.team(link.teamId()), Keys.member(userId));
                    if (m != null) members.add(m);
                } else {
                    missing.add(TeamStore.memberKey(link.teamId(), userId));
                }
            }
            if (!missing.isEmpty()) members.addAll(Dynamo.batchGet(ddb, table, missing.stream().distinct().toList()));
            Membership m = new Membership(java.util.Set.copyOf(TeamStore.activeRoles(teamLinks, members)));
            guesses.put(projectId, new Guess(orgId, java.util.Set.copyOf(teamLinks.stream().map(TeamStore.ProjectTeam::teamId).toList())));
            return new View(s, org, m, Permissions.isProjectManager(user, s.project(), org, m));
        }

        /** The project's grid job, as {@code GridJobStore.get} answers it. */
        public java.util.Optional<dev.tmserverless.core.domain.GridJob> job() {
            return java.util.Optional.ofNullable(item(Keys.project(projectId), Keys.GRID_JOB)).map(i -> GridJobStore.read(projectId, i));
        }

        /** A task that was asked for, as {@code TaskStore.get} answers it. */
        public java.util.Optional<dev.tmserverless.core.domain.Task> task(int taskId) {
            return TaskStore.read(projectId, item(Keys.project(projectId), Keys.task(taskId)));
        }
    }

    /** The project or 404 PROJECT_NOT_FOUND; {@code user} may be null (anonymous). */
    public View load(long projectId, User user) {
        ProjectStore.Stored s = projects.get(projectId).orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND,
                ErrorCode.PROJECT_NOT_FOUND.message, Map.of("project_id", projectId)));
        Organisation org = orgs.get(s.project().organisationId()).orElse(null);
        Membership m = user == null ? Membership.NONE : new Membership(java.util.Set.copyOf(teams.activeRoles(projectId, user.id())));
        return new View(s, org, m, Permissions.isProjectManager(user, s.project(), org, m));
    }

    /**
     * The project's teams as the project DTO and {@code GET /projects/{id}/teams/} show them:
     * {@code [{teamId, name, role}]} (one Query of the project's team links, one BatchGetItem of the teams).
     */
    public java.util.List<Map<String, Object>> teams(long projectId) {
        var links = teams.teamsOfProject(projectId);
        Map<Long, dev.tmserverless.core.domain.Team> byId = new java.util.HashMap<>();
        teams.getAll(links.stream().map(TeamStore.ProjectTeam::teamId).toList()).forEach(t -> byId.put(t.id(), t));
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (var l : links) {
            var t = byId.get(l.teamId());
            if (t == null) continue;
            Map<String, Object> dto = new java.util.LinkedHashMap<>();
            dto.put("teamId", t.id());
            dto.put("name", t.name());
            dto.put("role", l.role().name());
            out.add(dto);
        }
        return out;
    }

    /**
     * {@code read}'s answer when {@code user} may see the project (else the refusal {@link #visible} gives). The
     * read runs beside the check, and a project open to everybody costs the check only its own item, so a read of
     * aggregates answers in about one key lookup's time (docs/statistics.md).
     */
    public <T> T whenVisible(long projectId, User user, java.util.function.Supplier<T> read) {
        var answer = java.util.concurrent.CompletableFuture.supplyAsync(read, SIDE);
        ProjectStore.Stored s = projects.get(projectId).orElseThrow(() -> new ApiException(ErrorCode.PROJECT_NOT_FOUND,
                ErrorCode.PROJECT_NOT_FOUND.message, Map.of("project_id", projectId)));
        if (!Permissions.visibleToAll(s.project())) visible(projectId, user);
        try {
            return answer.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** As {@link #load}, then the visibility rules (docs/api-differences.md D8, D18). */
    public View visible(long projectId, User user) {
        View v = load(projectId, user);
        Permissions.checkVisible(user, v.project(), v.pm(), v.membership());
        return v;
    }
}
