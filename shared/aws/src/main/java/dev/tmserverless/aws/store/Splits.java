package dev.tmserverless.aws.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.Geo;
import dev.tmserverless.core.geo.Split;
import dev.tmserverless.core.geo.TaskShape;
import dev.tmserverless.core.geo.TileMath;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Finishes committed splits (docs/locking.md, "Split"). Everything after the commit follows from the split
 * mark alone, so the request that committed it and any later reader that finds it left open produce the
 * same children (only the first write of each stands); exactly one of them closes the mark and counts the
 * three new tasks.
 */
@Singleton
public class Splits {
    private static final Logger LOG = LoggerFactory.getLogger(Splits.class);

    private final TaskStore tasks;
    private final TaskShapes shapes;
    private final ProjectStore projects;
    private final LockClaims claims;

    public Splits(TaskStore tasks, TaskShapes shapes, ProjectStore projects, LockClaims claims) {
        this.shapes = shapes;
        this.tasks = tasks;
        this.projects = projects;
        this.claims = claims;
    }

    /** The task's shape as the split rules see it: stored geometry, or the tile it names. */
    public TaskShape shapeOf(Task t) {
        TaskShapes.Shape stored = shapes.shape(t.projectId(), t.taskId()).orElse(new TaskShapes.Shape(null, null));
        JsonNode extra = stored.extraJson() == null ? null : Json.parse(stored.extraJson());
        if (stored.geometryJson() != null) {
            var g = Geo.polygonal(GeoJson.read(Json.parse(stored.geometryJson())));
            return new TaskShape(t.x(), t.y(), t.zoom(), t.isSquare(), g, extra);
        }
        if (t.x() == null || t.y() == null || t.zoom() == null) {
            throw new IllegalStateException("task " + t.projectId() + "/" + t.taskId() + " has no geometry");
        }
        return new TaskShape(t.x(), t.y(), t.zoom(), t.isSquare(), TileMath.square(t.x(), t.y(), t.zoom()), extra);
    }

    /** Writes the children of a committed split (idempotently), then closes the mark; returns the children. */
    public List<Task> finish(TaskStore.SplitMark mark) {
        Task parent = mark.parent();
        TaskShape shape = shapeOf(parent);
        List<TaskShape> shapes = Split.children(shape);
        List<Task> children = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            TaskShape s = shapes.get(i);
            Task child = TaskMachine.splitChild(parent, mark.childIds().get(i), s, mark.by(), mark.at());
            tasks.putChild(new TaskStore.NewTask(child, s.isTile() ? null : Json.write(GeoJson.write(s.geometry())),
                    s.extraProperties() == null ? null : Json.write(s.extraProperties())));
            children.add(child);
        }
        if (tasks.closeSplitMark(parent.projectId(), parent.taskId())) {
            projects.addTotalTasks(parent.projectId(), shapes.size() - 1);
            claims.release(mark.by().userId(), parent.projectId(), parent.taskId(), parent.lockExpiresAt());
        }
        return children;
    }

    /**
     * The project's tasks, after finishing any split a crash left open, so a reader never sees a hole where
     * a committed split's children belong.
     */
    public List<Task> listTasks(long projectId) {
        List<TaskStore.SplitMark> marks = new ArrayList<>();
        List<Task> all = tasks.list(projectId, marks::add);
        if (marks.isEmpty()) return all;
        finishAll(marks);
        return tasks.list(projectId);
    }

    /** As {@link #listTasks}, with strongly consistent reads (task-map snapshots are built from these). */
    public List<Task> listTasksConsistently(long projectId) {
        List<TaskStore.SplitMark> marks = new ArrayList<>();
        List<Task> all = tasks.list(projectId, marks::add, true);
        if (marks.isEmpty()) return all;
        finishAll(marks);
        return tasks.list(projectId, m -> {}, true);
    }

    /** Finishes splits a reader came across; one that cannot be finished is logged and left for the next. */
    public void finishAll(List<TaskStore.SplitMark> marks) {
        for (TaskStore.SplitMark m : marks) {
            try {
                finish(m);
            } catch (RuntimeException e) {
                LOG.error("could not finish the split of task {} in project {}", m.parent().taskId(),
                        m.parent().projectId(), e);
            }
        }
    }
}
