package dev.tmserverless.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.aws.store.TeamStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.Team;
import dev.tmserverless.core.domain.TeamRole;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContext;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The authorisation matrix: every route of {@link Routes#ALL} × every kind of caller ({@link Actor}) × every kind
 * of project ({@link Kind}, for routes about a project), each cell asserted against the route's expected
 * {@link Policy}. The rows are in {@link AuthRows}, one line per route; a route without its row fails the test of
 * every function.
 *
 * <p>How a cell runs: the route's {@link Call} builds a valid request for the caller and project (path parameters
 * filled from the {@link World}, a body, per-cell resources where the request consumes something); the answer
 * must be what the policy says the caller sees: allowed (any status below 400), or the refusal's status and
 * SubCode. Reads share one world per kind of project; a route that writes gets a world of its own per kind, so
 * cells never see each other's writes. Routes run concurrently; the cells of one route and kind run in order.
 */
public final class AuthMatrix {
    private AuthMatrix() {}

    /** The kinds of caller. Private projects allow MAPPER and BLOCKED; teams belong to the project's organisation. */
    public enum Actor {
        ANONYMOUS,
        /** A signed-in mapper (beginner), on the private project's allow-list. */
        MAPPER,
        /** A read-only (blocked) user, also on the allow-list: the block must win. */
        BLOCKED,
        /** A manager of another organisation: no power here, not on the allow-list. */
        OTHER_ORG,
        /** A mapper of another organisation: an active member of its team, which maps that organisation's projects. */
        OTHER_ORG_MAPPER,
        /** Active members of the teams with each role on the project. */
        TEAM_READ_ONLY, TEAM_MAPPER, TEAM_VALIDATOR, TEAM_PROJECT_MANAGER,
        /** The active manager of the mapping team (the team the team routes act on). */
        TEAM_MANAGER,
        /** The project's author, a plain mapper otherwise. */
        AUTHOR,
        /** A manager of the project's organisation. */
        ORG_MANAGER,
        ADMIN
    }

    /**
     * The kind of project a route acts on; NONE for routes that do not name a project. PUBLIC, PRIVATE (allowing
     * MAPPER and BLOCKED) and DRAFT map and validate with permission ANY; TEAMS is public and published, mapped and
     * validated by teams only (at the beginner level, so that the team roles decide).
     */
    public enum Kind { NONE, PUBLIC, PRIVATE, DRAFT, TEAMS }

    /** What one caller sees: allowed (status below 400), or refused with an error's status and SubCode. */
    public record Expect(ErrorCode refusal) {
        public static final Expect ALLOWED = new Expect(null);

        public boolean allowed() { return refusal == null; }

        @Override
        public String toString() {
            return allowed() ? "allowed" : refusal.status + " " + refusal.subCode + " (" + refusal.name() + ")";
        }
    }

    /** The expected answer of a route for each caller and project kind. */
    @FunctionalInterface
    public interface Policy {
        Expect expect(Actor a, Kind k);

        /** This policy's refusal if it refuses, else {@code next}'s: the first check that fails wins. */
        default Policy then(Policy next) {
            return (a, k) -> {
                Expect e = expect(a, k);
                return e.allowed() ? next.expect(a, k) : e;
            };
        }

        /** Those this policy allows are allowed; everybody it refuses gets {@code code} instead. */
        default Policy orElse(ErrorCode code) {
            return (a, k) -> expect(a, k).allowed() ? Expect.ALLOWED : new Expect(code);
        }
    }

    // ---- the vocabulary of policies ----

    /** Project managers: admin, author, organisation manager, PROJECT_MANAGER team. */
    public static final Set<Actor> PM = EnumSet.of(Actor.ADMIN, Actor.AUTHOR, Actor.ORG_MANAGER, Actor.TEAM_PROJECT_MANAGER);
    /** On the private project's allow-list. */
    public static final Set<Actor> ALLOW_LIST = EnumSet.of(Actor.MAPPER, Actor.BLOCKED);
    /** Active members of a team with a mapping role (MAPPER, VALIDATOR, PROJECT_MANAGER) on the project. */
    public static final Set<Actor> MAPPING_TEAM = EnumSet.of(Actor.TEAM_MAPPER, Actor.TEAM_VALIDATOR,
            Actor.TEAM_PROJECT_MANAGER, Actor.TEAM_MANAGER);
    /** Who manages the mapping team: admin, its manager, managers of its organisation. */
    /** Active members of a team with a validation role (VALIDATOR, PROJECT_MANAGER) on the project. */
    public static final Set<Actor> VALIDATION_TEAM = EnumSet.of(Actor.TEAM_VALIDATOR, Actor.TEAM_PROJECT_MANAGER);
    public static final Set<Actor> TEAM_MANAGERS = EnumSet.of(Actor.ADMIN, Actor.TEAM_MANAGER, Actor.ORG_MANAGER);

    public static Policy allow() { return (a, k) -> Expect.ALLOWED; }

    /** Everybody, signed in or not. */
    public static final Policy ANYONE = allow();

    /** Signed-in callers: anonymous ones get 401. */
    public static final Policy SIGNED_IN = (a, k) -> a == Actor.ANONYMOUS ? new Expect(ErrorCode.NOT_AUTHENTICATED) : Expect.ALLOWED;

    /** Only these actors; others get {@code code}. */
    public static Policy only(Set<Actor> who, ErrorCode code) {
        return (a, k) -> who.contains(a) ? Expect.ALLOWED : new Expect(code);
    }

    /** Signed in, then only these actors. */
    public static Policy signedIn(Set<Actor> who, ErrorCode code) { return SIGNED_IN.then(only(who, code)); }

    /** Signed in, then administrators only. */
    public static Policy admin(ErrorCode code) { return signedIn(EnumSet.of(Actor.ADMIN), code); }

    /** Signed in, then not blocked. */
    public static Policy notBlocked(ErrorCode code) { return SIGNED_IN.then((a, k) -> a == Actor.BLOCKED ? new Expect(code) : Expect.ALLOWED); }

    /** Only when the project is of kind {@code k}; allowed otherwise. */
    public static Policy on(Kind kind, Policy p) { return (a, k) -> k == kind ? p.expect(a, k) : Expect.ALLOWED; }

    /**
     * Who sees a project (docs/api-differences.md D8): PMs always; a private one also its allow-list and its
     * mapping-role teams (others 403 PrivateProject); a draft only its PMs (anonymous 403 PrivateProject, others
     * 403 ProjectNotFetched).
     */
    public static final Policy VISIBLE = (a, k) -> {
        if (PM.contains(a)) return Expect.ALLOWED;
        if (k == Kind.PRIVATE && !ALLOW_LIST.contains(a) && !MAPPING_TEAM.contains(a)) return new Expect(ErrorCode.PRIVATE_PROJECT);
        if (k == Kind.DRAFT) return new Expect(a == Actor.ANONYMOUS ? ErrorCode.PRIVATE_PROJECT : ErrorCode.PROJECT_NOT_FETCHED);
        return Expect.ALLOWED;
    };

    /** Task actions: signed in, then a private project only for PMs, its allow-list and its mapping-role teams. */
    public static final Policy ACTIONABLE = SIGNED_IN.then(on(Kind.PRIVATE, only(union(PM, ALLOW_LIST, MAPPING_TEAM), ErrorCode.PRIVATE_PROJECT)));

    /**
     * Mapping on a project whose mapping permission is ANY: actionable, not blocked (UserNotAllowed), a draft only
     * for PMs (ProjectNotPublished).
     */
    public static final Policy MAP = ACTIONABLE
            .then((a, k) -> a == Actor.BLOCKED ? new Expect(ErrorCode.USER_NOT_ALLOWED) : Expect.ALLOWED)
            .then(on(Kind.DRAFT, only(PM, ErrorCode.PROJECT_NOT_PUBLISHED)))
            .then(on(Kind.TEAMS, only(union(PM, MAPPING_TEAM), ErrorCode.USER_NOT_TEAM_MEMBER)));

    /**
     * Validating: actionable, not blocked, a draft only for PMs; then on a TEAMS project PMs and validation-role
     * teams; elsewhere the permission is ANY at the INTERMEDIATE level (a new project's default) and every caller
     * is a beginner, so PMs only (ValidtionNotAllowed).
     */
    public static final Policy VALIDATE = ACTIONABLE
            .then((a, k) -> a == Actor.BLOCKED ? new Expect(ErrorCode.USER_NOT_ALLOWED) : Expect.ALLOWED)
            .then(on(Kind.DRAFT, only(PM, ErrorCode.PROJECT_NOT_PUBLISHED)))
            .then((a, k) -> only(k == Kind.TEAMS ? union(PM, VALIDATION_TEAM) : PM, ErrorCode.VALIDATION_NOT_ALLOWED).expect(a, k));

    /** Signed in, visible, then project managers only. */
    public static Policy manager(ErrorCode code) { return SIGNED_IN.then(only(PM, code)); }

    @SafeVarargs
    public static Set<Actor> union(Set<Actor>... sets) {
        Set<Actor> out = EnumSet.noneOf(Actor.class);
        for (Set<Actor> s : sets) out.addAll(s);
        return out;
    }

    // ---- requests ----

    /** A request: path (with query), body (null for none), extra headers. */
    public record Request(String path, String body, Map<String, String> headers) {
        public static Request of(String path, String body) { return new Request(path, body, Map.of()); }
    }

    /** Builds a valid request of a route for one cell. */
    @FunctionalInterface
    public interface Call {
        Request build(Cell c);
    }

    /**
     * How much of a world a row's cells share with other rows: reads share one world per kind; a route that writes
     * gets its own project per kind (the cast is shared); a route whose cells hold something per person (a task
     * lock: one per user) gets its own cast too.
     */
    public enum Sharing { SHARED, OWN_PROJECT, OWN_CAST }

    /** One route's row: its policy, how to build a valid request, whether it names a project, what it shares. */
    public record Row(Resources.Route route, Policy policy, Call call, boolean aboutProject, Sharing world) {
        /** This row's cells get their own project (a read that prepares state). */
        public Row ownProject() { return new Row(route, policy, call, aboutProject, Sharing.OWN_PROJECT); }

        /** This row's cells get their own people too (they lock tasks: one lock per user). */
        public Row ownCast() { return new Row(route, policy, call, aboutProject, Sharing.OWN_CAST); }
    }

    /** A row whose request is the route's path with the world's ids, {@code ?query} and {@code body}. */
    public static Row row(Resources.Route r, Policy p) { return row(r, p, "", null); }

    public static Row row(Resources.Route r, Policy p, String query, String body) {
        return row(r, p, c -> Request.of(c.path(r) + "/" + query, body));
    }

    public static Row row(Resources.Route r, Policy p, Call call) {
        return new Row(r, p, call, r.path().contains("{projectId}"), r.method().equals("GET") ? Sharing.SHARED : Sharing.OWN_PROJECT);
    }

    // ---- a cell and its world ----

    /** One cell: the caller, the kind of project, the world both live in. */
    public record Cell(Actor actor, Kind kind, World world) {
        /** The caller, null for ANONYMOUS. */
        public User user() { return world.users.get(actor); }

        public User user(Actor a) { return world.users.get(a); }

        public long projectId() { return world.project.id(); }

        /** A READY task of this caller's own (each caller acts on a different task). */
        public int readyTask() { return actor.ordinal() + 1; }

        /** A task MAPPED by somebody else, this caller's own to validate. */
        public int mappedTask() { return Actor.values().length + actor.ordinal() + 1; }

        /** The mapping team: managed by TEAM_MANAGER, TEAM_MAPPER is a member, MAPPER role on the project. */
        public long teamId() { return world.teams.get(TeamRole.MAPPER).id(); }

        public long organisationId() { return world.org.id(); }

        public Fixture fx() { return world.fx; }

        public <T> T bean(Class<T> type) { return world.ctx.getBean(type); }

        /** The route's path with the world's ids: project, task (the caller's READY one), team, organisation, username. */
        public String path(Resources.Route r) {
            return r.path().replace("{projectId}", Long.toString(projectId()))
                    .replace("{taskId}", Integer.toString(readyTask()))
                    .replace("{teamId}", Long.toString(teamId()))
                    .replace("{organisationId}", Long.toString(organisationId()))
                    .replace("{username}", user(Actor.MAPPER).username());
        }

        /** Calls a route as this cell's caller (for a row that prepares state through the API). */
        public Api.Answer call(String method, String path, String body) {
            return Api.call(world.fn, method, path, token(), body);
        }

        public String token() { return actor == Actor.ANONYMOUS ? null : Api.token(user().id()); }
    }

    /**
     * The people, their organisations and the project's teams: one cast serves many worlds, except for rows whose
     * cells hold something per person (a lock), which get a cast of their own. A bystander mapped the MAPPED tasks
     * and posts what others may act on.
     */
    public static final class Cast {
        public final Map<Actor, User> users = new EnumMap<>(Actor.class);
        public final User bystander;
        public final Organisation org;
        public final Organisation otherOrg;
        public final Map<TeamRole, Team> teams = new EnumMap<>(TeamRole.class);

        Cast(ApplicationContext ctx, Fixture fx) {
            Instant now = Instant.now();
            for (Actor a : Actor.values()) {
                if (a == Actor.ANONYMOUS) continue;
                User u = fx.user(a.name().toLowerCase(java.util.Locale.ROOT).replace("_", ""));
                if (a == Actor.ADMIN) fx.users.setRole(u.id(), UserRole.ADMIN);
                if (a == Actor.BLOCKED) fx.users.setRole(u.id(), UserRole.READ_ONLY);
                users.put(a, fx.users.get(u.id()).orElseThrow());
            }
            bystander = fx.user("bystander");
            String unique = java.util.UUID.randomUUID().toString();
            org = fx.orgs.create("Matrix " + unique, "matrix-" + unique, null, null, null, null,
                    List.of(users.get(Actor.ORG_MANAGER).id()));
            otherOrg = fx.orgs.create("Other " + unique, "other-" + unique, null, null, null, null,
                    List.of(users.get(Actor.OTHER_ORG).id()));
            TeamStore ts = ctx.getBean(TeamStore.class);
            Team otherTeam = ts.create(otherOrg.id(), "Other mappers " + unique, null, null, Team.JoinMethod.ANY,
                    Team.Visibility.PUBLIC, users.get(Actor.OTHER_ORG).id(), now);
            ts.set(otherTeam.id(), users.get(Actor.OTHER_ORG_MAPPER).id(), Team.Function.MEMBER, true, now);
            Map<TeamRole, Actor> members = Map.of(TeamRole.READ_ONLY, Actor.TEAM_READ_ONLY, TeamRole.MAPPER, Actor.TEAM_MAPPER,
                    TeamRole.VALIDATOR, Actor.TEAM_VALIDATOR, TeamRole.PROJECT_MANAGER, Actor.TEAM_PROJECT_MANAGER);
            for (TeamRole role : TeamRole.values()) {
                // the mapping team is the one TEAM_MANAGER manages; the others are managed by the bystander
                long creator = role == TeamRole.MAPPER ? users.get(Actor.TEAM_MANAGER).id() : bystander.id();
                Team t = ts.create(org.id(), "Matrix " + role + " " + unique, null, null, Team.JoinMethod.BY_REQUEST,
                        Team.Visibility.PUBLIC, creator, now);
                ts.set(t.id(), users.get(members.get(role)).id(), Team.Function.MEMBER, true, now);
                teams.put(role, t);
            }
        }
    }

    /**
     * A cast and one project of a kind (authored by AUTHOR in the cast's organisation, each team with its role on
     * it, a private one allowing MAPPER and BLOCKED): what the cells of a route and kind see. Tasks 1..n are
     * READY, n+1..2n MAPPED by the bystander (n actors: one of each per caller).
     */
    public static final class World {
        final io.micronaut.function.aws.MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn;
        final ApplicationContext ctx;
        final Fixture fx;
        public final Cast cast;
        public final Map<Actor, User> users;
        public final User bystander;
        public final Organisation org;
        public final Map<TeamRole, Team> teams;
        public final Project project;
        /** Set by a row that started a bulk job in this world. */
        public volatile boolean bulkDone;

        public RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn() { return fn; }

        World(io.micronaut.function.aws.MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn,
              Cast cast, Kind kind) {
            this.fn = fn;
            this.ctx = fn.getApplicationContext();
            this.fx = new Fixture(ctx);
            this.cast = cast;
            this.users = cast.users;
            this.bystander = cast.bystander;
            this.org = cast.org;
            this.teams = cast.teams;
            Instant now = Instant.now();
            TeamStore ts = ctx.getBean(TeamStore.class);
            Project p = project(kind, now);
            for (TeamRole role : TeamRole.values()) ts.assign(p.id(), teams.get(role).id(), role);
            project = p;
            ctx.getBean(dev.tmserverless.aws.blob.BlobStore.class).put(dev.tmserverless.aws.blob.BlobStore.aoiKey(p.id()),
                    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-4.1,56.0],[-4.0,56.0],[-4.0,56.1],[-4.1,56.1],[-4.1,56.0]]]]}");
        }

        private Project project(Kind kind, Instant now) {
            int n = Actor.values().length;
            List<TaskStore.NewTask> tasks = new ArrayList<>();
            for (int i = 1; i <= n; i++) tasks.add(new TaskStore.NewTask(Task.ready(0, i, 1010 + i, 1399, 11, true), null));
            for (int i = n + 1; i <= 2 * n; i++) {
                HistoryEntry mapped = new HistoryEntry(1, TaskAction.STATE_CHANGE, TaskStatus.MAPPED.name(), now.minusSeconds(60),
                        bystander.id(), bystander.username(), List.of());
                tasks.add(new TaskStore.NewTask(new Task(0, i, 1010 + i, 1399, 11, true, TaskStatus.MAPPED, null, null,
                        bystander.id(), null, 1, List.of(mapped)), null));
            }
            ProjectStatus status = kind == Kind.DRAFT ? ProjectStatus.DRAFT : ProjectStatus.PUBLISHED;
            boolean isPrivate = kind == Kind.PRIVATE;
            List<User> allowed = isPrivate ? List.of(users.get(Actor.MAPPER), users.get(Actor.BLOCKED)) : List.of();
            Project p = fx.project(users.get(Actor.AUTHOR), status, tasks, "", org.id(), isPrivate, allowed);
            if (kind != Kind.TEAMS) return p;
            com.fasterxml.jackson.databind.node.ObjectNode doc = dev.tmserverless.aws.http.Json.MAPPER.valueToTree(p);
            doc.put("mappingPermission", "TEAMS");
            doc.put("validationPermission", "TEAMS");
            doc.put("validationPermissionLevelId", dev.tmserverless.core.domain.MappingLevel.BEGINNER.id);
            try {
                Project teams = dev.tmserverless.aws.http.Json.MAPPER.treeToValue(doc, Project.class);
                if (!fx.projects.update(teams, fx.projects.get(p.id()).orElseThrow().version())) throw new IllegalStateException("update lost");
                return teams;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---- running ----

    /** The name of each route's constant in {@link Routes}. */
    public static final Map<Resources.Route, String> NAMES = names();

    private static Map<Resources.Route, String> names() {
        Map<Resources.Route, String> out = new LinkedHashMap<>();
        for (Field f : Routes.class.getFields()) {
            if (f.getType() != Resources.Route.class || !Modifier.isStatic(f.getModifiers())) continue;
            try {
                out.put((Resources.Route) f.get(null), f.getName());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Routes of the catalogue without a row, and rows for routes not in the catalogue or given twice. */
    public static List<String> missingRows() {
        List<String> out = new ArrayList<>();
        Map<Resources.Route, Integer> count = new LinkedHashMap<>();
        for (Row r : AuthRows.ALL) count.merge(r.route(), 1, Integer::sum);
        for (Resources.Route r : Routes.ALL) {
            if (!count.containsKey(r) && !AuthRows.PENDING.contains(r)) {
                out.add("no row for " + NAMES.get(r) + " " + r.method() + " " + r.path() + " (add it to AuthRows)");
            }
            if (count.containsKey(r) && AuthRows.PENDING.contains(r)) {
                out.add(NAMES.get(r) + " has its row: take it out of AuthRows.PENDING");
            }
        }
        count.forEach((r, n) -> {
            if (!Routes.ALL.contains(r)) out.add("row for a route not in Routes.ALL: " + r);
            if (n > 1) out.add(n + " rows for " + NAMES.get(r));
        });
        return out;
    }

    /**
     * Runs every cell of the function's routes; returns one line per cell whose answer differs from its policy
     * (and the rows missing for any route of the catalogue).
     */
    public static List<String> mismatches(
            io.micronaut.function.aws.MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn,
            String functionId) {
        List<String> out = Collections.synchronizedList(new ArrayList<>(missingRows()));
        Map<Kind, World> shared = new ConcurrentHashMap<>();
        List<String> timings = Collections.synchronizedList(new ArrayList<>());
        Fixture fx = new Fixture(fn.getApplicationContext());
        long c0 = System.nanoTime();
        Cast cast = new Cast(fn.getApplicationContext(), fx);
        timings.add(String.format(java.util.Locale.ROOT, "%6d ms cast", (System.nanoTime() - c0) / 1_000_000));
        List<Row> rows = AuthRows.ALL.stream().filter(r -> r.route().function().equals(functionId)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Row row : rows) {
                List<Kind> kinds = row.aboutProject() ? List.of(Kind.PUBLIC, Kind.PRIVATE, Kind.DRAFT, Kind.TEAMS) : List.of(Kind.NONE);
                for (Kind kind : kinds) {
                    jobs.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        Kind projectKind = kind == Kind.NONE ? Kind.PUBLIC : kind;
                        World w = switch (row.world()) {
                            case SHARED -> shared.computeIfAbsent(kind, k -> new World(fn, cast, projectKind));
                            // a route that names no project writes nothing of the project's: the shared one will do
                            case OWN_PROJECT -> kind == Kind.NONE ? shared.computeIfAbsent(kind, k -> new World(fn, cast, projectKind))
                                    : new World(fn, cast, projectKind);
                            case OWN_CAST -> new World(fn, new Cast(fn.getApplicationContext(), fx), projectKind);
                        };
                        long t1 = System.nanoTime();
                        for (Actor a : Actor.values()) out.addAll(runCell(fn, row, new Cell(a, kind, w)));
                        timings.add(String.format(java.util.Locale.ROOT, "%6d ms world %6d ms cells  %s %s",
                                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, NAMES.get(row.route()), kind));
                    }));
                }
            }
            for (Future<?> j : jobs) j.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
        timings.sort(Collections.reverseOrder());
        long pending = AuthRows.PENDING.stream().filter(r -> r.function().equals(functionId)).count();
        if (pending > 0) System.out.println("authorisation matrix of " + functionId + ": " + pending + " routes still without a row (AuthRows.PENDING)");
        System.out.println("authorisation matrix of " + functionId + ": slowest routes\n  " + String.join("\n  ", timings.subList(0, Math.min(10, timings.size()))));
        List<String> sorted = new ArrayList<>(out);
        Collections.sort(sorted);
        return sorted;
    }

    private static List<String> runCell(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, Row row, Cell c) {
        Expect want = row.policy().expect(c.actor(), c.kind());
        Request req;
        try {
            req = row.call().build(c);
        } catch (RuntimeException e) {
            return List.of(where(row, c) + ": preparing the request failed: " + e);
        }
        Api.Answer a = Api.call(fn, row.route().method(), req.path(), c.token(), req.body(), req.headers());
        String got = a.status() < 400 ? "allowed (" + a.status() + ")" : a.status() + " " + subCode(a);
        boolean ok = want.allowed() ? a.status() < 400
                : a.status() == want.refusal().status && java.util.Objects.equals(subCode(a), want.refusal().subCode);
        if (ok) return List.of();
        String body = a.body() == null ? "" : a.body().length() > 160 ? a.body().substring(0, 160) + "…" : a.body();
        return List.of(where(row, c) + ": expected " + want + ", got " + got + " " + body);
    }

    private static String where(Row row, Cell c) {
        return NAMES.get(row.route()) + " [" + c.kind() + ", " + c.actor() + "]";
    }

    /** The SubCode in whichever of the reference's error shapes the answer has. */
    static String subCode(Api.Answer a) {
        if (a.json() == null) return null;
        if (a.json().has("SubCode")) return a.json().get("SubCode").asText();
        if (a.json().path("error").has("sub_code")) return a.json().path("error").path("sub_code").asText();
        if (a.json().has("detail")) return "";
        return null;
    }
}
