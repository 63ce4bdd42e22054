package dev.tmserverless.core.geo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How big one task's shape may be (docs/geometry.md "Task shape budget"). A task that is not a plain tile keeps its
 * geometry (GeoJSON text, as {@link GeoJson#write} gives it) and an arbitrary task its extra properties (JSON text) in
 * its shape item, one DynamoDB item beside the task item; the task item itself holds no geometry, so its history
 * window takes nothing from this budget. DynamoDB refuses an item over 400 KB (attribute names and values, UTF-8),
 * so the budget is that limit less a reserve for the shape item's keys, its task id and the attribute names.
 *
 * <p>One rule for every writer: the projects function checks a project's task shapes before it writes anything,
 * and the grid worker checks each task again before its batch (a job written before this rule, or a grid cell the
 * creation could not check, fails at once with the task named instead of being retried into FAILED).
 */
public final class TaskShapeBudget {
    private TaskShapeBudget() {}

    /** DynamoDB's item size limit: names and values of every attribute. */
    public static final int ITEM_LIMIT_BYTES = 400 * 1024;
    /**
     * Room kept for the rest of the shape item: {@code pk} "PROJECT#" and up to 19 digits, {@code sk} "TASKGEOM#" and
     * 7 digits, {@code taskId}, and the names {@code g} and {@code ep}: under 100 bytes; the rest is margin.
     */
    public static final int RESERVED_BYTES = 1_024;
    /** Bytes of geometry text plus extra-properties text one task may have. */
    public static final int MAX_BYTES = ITEM_LIMIT_BYTES - RESERVED_BYTES;

    /**
     * An upper bound on the text of one vertex as {@link GeoJson#write} gives it: two numbers of at most 24
     * characters each ({@code Double.toString}, e.g. "-1.2345678901234567E-100"), the brackets, the comma between
     * them and the one after, and a share of its ring's and polygon's brackets and commas (at most six characters
     * over a ring's at least four positions).
     */
    static final int MAX_VERTEX_BYTES = 2 * 24 + 6;
    /** {"type":"MultiPolygon","coordinates":[...]} around the polygons. */
    static final int GEOMETRY_FRAME_BYTES = 64;
    /** A geometry of at most this many vertices fits whatever its numbers; larger ones are measured. */
    public static final int SAFE_VERTICES = (MAX_BYTES - GEOMETRY_FRAME_BYTES) / MAX_VERTEX_BYTES;

    /** The text a shape item stores for {@code g}. */
    public static String encode(Geometry g) {
        return GeoJson.write(g).toString();
    }

    /** UTF-8 bytes of the stored texts (either may be null). */
    public static int bytes(String geometryJson, String extraJson) {
        return utf8(geometryJson) + utf8(extraJson);
    }

    /** True when the stored texts are within the budget; cheap for the common small ones (no encoding). */
    public static boolean fits(String geometryJson, String extraJson) {
        long chars = (geometryJson == null ? 0 : geometryJson.length()) + (extraJson == null ? 0 : extraJson.length());
        // a UTF-16 char is at most 3 bytes in UTF-8 (a surrogate pair, two chars, is 4)
        return chars * 3 <= MAX_BYTES || bytes(geometryJson, extraJson) <= MAX_BYTES;
    }

    /**
     * Refuses a task whose stored texts pass the budget: 400 TaskShapeTooLarge naming the task.
     *
     * @param taskId the task's id (1..N in the project's order)
     * @param what   how the client knows the task, e.g. "feature 3 of tasks"
     */
    public static void require(int taskId, String geometryJson, String extraJson, String what) {
        int bytes = bytes(geometryJson, extraJson);
        if (bytes > MAX_BYTES) throw tooLarge(taskId, bytes, what);
    }

    /**
     * Checks supplied task shapes (task features, or arbitrary tasks from the AOI's features), task ids 1..N in
     * list order. {@code what} names the input, e.g. "feature %d of tasks" with the 0-based feature index.
     * Geometries of at most {@link #SAFE_VERTICES} vertices with small extra properties are not encoded.
     */
    public static void requireAll(List<TaskShape> shapes, String what) {
        for (int i = 0; i < shapes.size(); i++) {
            TaskShape s = shapes.get(i);
            String extra = s.extraProperties() == null ? null : s.extraProperties().toString();
            int extraBytes = utf8(extra);
            int bound = GEOMETRY_FRAME_BYTES + s.geometry().getNumPoints() * MAX_VERTEX_BYTES;
            if ((long) bound + extraBytes <= MAX_BYTES) continue;
            require(i + 1, encode(s.geometry()), extra, what.formatted(i));
        }
    }

    /**
     * Checks the children a split would write (before it commits): each keeps the parent's extra properties, and a
     * child that is not a tile stores its geometry, whose cut vertices carry full double precision, so a child can
     * be larger than a parent that fitted.
     */
    public static void requireChildren(int parentId, List<TaskShape> children) {
        for (int k = 0; k < children.size(); k++) {
            TaskShape c = children.get(k);
            String extra = encodeExtra(c.extraProperties());
            long bound = (c.isTile() ? 0 : GEOMETRY_FRAME_BYTES + (long) c.geometry().getNumPoints() * MAX_VERTEX_BYTES) + utf8(extra);
            if (bound <= MAX_BYTES) continue;
            String geometry = c.isTile() ? null : encode(c.geometry());
            int bytes = bytes(geometry, extra);
            if (bytes > MAX_BYTES) {
                throw new ApiException(ErrorCode.TASK_SHAPE_TOO_LARGE, String.format(java.util.Locale.ROOT,
                        "Splitting task %d would give a task (child %d of %d) of %,d bytes of geometry and extra properties;"
                                + " a task holds at most %,d", parentId, k + 1, children.size(), bytes, MAX_BYTES),
                        Map.of("task_id", parentId, "bytes", bytes, "max_bytes", MAX_BYTES));
            }
        }
    }

    /**
     * True when no task of a clipped grid over {@code aoi} can pass the budget, without making the grid: a task is
     * the AOI cut to a square, whose vertices are the AOI's vertices inside the square, at most two crossings of the
     * square's sides per AOI edge, the square's four corners and one closing vertex per ring, fewer than
     * {@code 4·V + 8} for an AOI of V vertices.
     */
    public static boolean clippedGridFits(MultiPolygon aoi) {
        return 4L * aoi.getNumPoints() + 8 <= SAFE_VERTICES;
    }

    /**
     * Checks every task of a grid as the grid worker will write it (task ids in generation order): squares store no
     * geometry; a clipped cell stores its geometry. Makes the grid only when {@link #clippedGridFits} cannot
     * answer; each cell is then measured only if its vertex count leaves any doubt.
     */
    public static void requireGrid(MultiPolygon aoi, int zoom, boolean clip) {
        if (!clip || clippedGridFits(aoi)) return;
        long[] id = {0};
        TaskGrid.generate(aoi, zoom, true, 0, s -> {
            id[0]++;
            if (s.isSquare()) return;
            if (GEOMETRY_FRAME_BYTES + (long) s.geometry().getNumPoints() * MAX_VERTEX_BYTES <= MAX_BYTES) return;
            require((int) id[0], encode(s.geometry()), null,
                    "the tile " + s.x() + "/" + s.y() + "/" + s.zoom() + " clipped to the Area of Interest");
        });
    }

    private static ApiException tooLarge(int taskId, int bytes, String what) {
        return new ApiException(ErrorCode.TASK_SHAPE_TOO_LARGE, String.format(java.util.Locale.ROOT,
                "Task %d (%s) would store %,d bytes of geometry and extra properties; a task holds at most %,d."
                        + " Cut it into smaller tasks or simplify its outline", taskId, what, bytes, MAX_BYTES),
                Map.of("task_id", taskId, "bytes", bytes, "max_bytes", MAX_BYTES));
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Extra properties as a shape item stores them (null when none). */
    public static String encodeExtra(JsonNode extra) {
        return extra == null ? null : extra.toString();
    }
}
