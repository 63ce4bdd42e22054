package dev.tmserverless.testing;

import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectInfo;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.User;
import io.micronaut.context.ApplicationContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Seeds users, organisations and projects straight into the stores a function uses. */
public final class Fixture {
    private static final AtomicLong IDS = new AtomicLong(500_000);
    public final UserStore users;
    public final OrgStore orgs;
    public final ProjectStore projects;
    public final dev.tmserverless.aws.store.GridJobStore jobs;
    public final TaskStore tasks;
    public final dev.tmserverless.aws.store.TaskShapes shapes;
    public final dev.tmserverless.aws.store.Counters counters;
    private final ApplicationContext ctx;

    public Fixture(ApplicationContext ctx) {
        this.ctx = ctx;
        users = ctx.getBean(UserStore.class);
        orgs = ctx.getBean(OrgStore.class);
        projects = ctx.getBean(ProjectStore.class);
        jobs = ctx.getBean(dev.tmserverless.aws.store.GridJobStore.class);
        tasks = ctx.getBean(TaskStore.class);
        shapes = ctx.getBean(dev.tmserverless.aws.store.TaskShapes.class);
        counters = ctx.getBean(dev.tmserverless.aws.store.Counters.class);
    }

    /**
     * How many items the function's table holds, counted the slow way (a test may; the functions never scan): a
     * test that something wrote nothing compares it before and after.
     */
    public long itemCount() {
        var ddb = ctx.getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = ctx.getBean(dev.tmserverless.aws.config.TmConfig.class).table();
        long n = 0;
        java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> start = null;
        do {
            var from = start;
            var res = ddb.scan(b -> { b.tableName(table).select("COUNT"); if (from != null) b.exclusiveStartKey(from); });
            n += res.count();
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
        } while (start != null);
        return n;
    }

    public User user(String name) {
        return users.upsertOnLogin(IDS.incrementAndGet(), name + IDS.get(), null, null, false, Instant.now());
    }

    /** A project of {@code n} READY square tasks whose grid job is done, authored by {@code author}. */
    public Project project(User author, ProjectStatus status, int n) {
        List<TaskStore.NewTask> ts = new ArrayList<>();
        for (int i = 1; i <= n; i++) ts.add(new TaskStore.NewTask(Task.ready(0, i, 1010 + i, 1399, 11, true), null));
        return project(author, status, ts, "");
    }

    /**
     * A project with the given tasks (their project id is replaced by the new project's) whose grid job is
     * done, and the given per-task instructions in its default locale.
     */
    public Project project(User author, ProjectStatus status, List<TaskStore.NewTask> tasks, String perTaskInstructions) {
        // organisation names and slugs are unique
        String unique = java.util.UUID.randomUUID().toString();
        long orgId = orgs.create("Org " + unique, "org-" + unique, null, null, null, null, List.of()).id();
        return project(author, status, tasks, perTaskInstructions, orgId, false, List.of());
    }

    /** As above, in organisation {@code orgId}, private with the given allow-list if {@code isPrivate}. */
    public Project project(User author, ProjectStatus status, List<TaskStore.NewTask> tasks, String perTaskInstructions,
                           long orgId, boolean isPrivate, List<User> allowed) {
        long id = counters.next("PROJECT");
        Project draft = Project.draft(id, "Test", author, orgId, "GRID", false, "OSM",
                new double[]{-4.1, 56.0, -4.0, 56.1}, new double[]{-4.05, 56.05}, 10, Instant.now());
        List<ProjectInfo> info = List.of(new ProjectInfo(draft.defaultLocale(), "Test", "", "", "", perTaskInstructions));
        Project p = new Project(id, status, draft.projectPriority(), draft.difficulty(), draft.defaultLocale(),
                draft.authorId(), draft.authorUsername(), orgId, draft.mappingPermission(),
                draft.mappingPermissionLevelId(), draft.validationPermission(), draft.validationPermissionLevelId(),
                false, isPrivate, draft.changesetComment(), null, null, null, null, List.of(), null, false, false, "OSM",
                List.of(), null, allowed.stream().map(User::username).toList(), allowed.stream().map(User::id).toList(), draft.created(), draft.lastUpdated(), "GRID", draft.mappingEditors(),
                draft.validationEditors(), info, draft.aoiBbox(), draft.aoiCentroid(), 10);
        int n = tasks.size();
        jobs.put(new GridJob(id, GridJob.State.DONE, "GRID", 11, false, (long) n, n, null, Instant.now()));
        projects.create(p);
        this.tasks.putAll(tasks.stream().map(nt -> {
            Task t = nt.task();
            return new TaskStore.NewTask(new Task(id, t.taskId(), t.x(), t.y(), t.zoom(), t.isSquare(), t.status(),
                    t.lockedBy(), t.lockExpiresAt(), t.mappedBy(), t.validatedBy(), t.version(), t.history()),
                    nt.geometryJson(), nt.extraJson());
        }).toList());
        projects.gridWritten(id, n);
        return p;
    }

    /**
     * Gives {@code u} an address of its own, verified or not, and these notification settings (the rest as they
     * are); answers the address, which the mail stand-in files mail under.
     */
    public String mailboxWrite(User u, boolean verified, java.util.Map<String, Boolean> settings) {
        String address = "u" + u.id() + "-" + System.nanoTime() + "@example.org";
        users.updateProfileWrite(u.id(), new UserStore.ProfileChanges(java.util.Map.of(), settings, null, null, null, null, address));
        if (verified && !users.verifyEmailWrite(u.id(), address)) {
            throw new IllegalStateException("the address of user " + u.id() + " was not verified");
        }
        return address;
    }
}
