package dev.tmserverless.core.geo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;

/**
 * Task exports of the reference: OSM XML for JOSM ({@code tasks/queries/xml/}) and GPX 1.1
 * ({@code tasks/queries/gpx/}). Only exterior rings are exported, as in the reference. Callers answer an empty
 * task list with 404 TASKS_NOT_FOUND before calling.
 */
public final class Exports {
    private Exports() {}

    public static final String CREATOR = "HOT Tasking Manager";

    /** One task to export: its id and geometry. */
    public record ExportTask(int taskId, Geometry geometry) {
        public static ExportTask of(int taskId, TaskShape shape) {
            return new ExportTask(taskId, shape.geometry());
        }
    }

    public static String osmFileName(long projectId) {
        return "HOT-project-" + projectId + ".osm";
    }

    public static String gpxFileName(long projectId) {
        return "HOT-project-" + projectId + ".gpx";
    }

    /** OSM XML as a string; see {@link #writeOsmXml}. */
    public static String osmXml(List<ExportTask> tasks) {
        StringBuilder sb = new StringBuilder();
        try {
            writeOsmXml(tasks, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /**
     * OSM XML 0.6 with {@code upload="never"} so the file is refused if uploaded by mistake: one {@code way} per
     * task with id −taskId, nodes with ids −1, −2, … in document order. Each node precedes the way that uses it
     * (the OSM file convention). Each exterior ring is closed by referencing its first node again, so JOSM
     * shows the task as an area.
     */
    public static void writeOsmXml(List<ExportTask> tasks, Appendable out) throws IOException {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.append("<osm version=\"0.6\" upload=\"never\" creator=\"").append(CREATOR).append("\">\n");
        long nextNode = -1;
        StringBuilder way = new StringBuilder();
        for (ExportTask t : tasks) {
            way.setLength(0);
            way.append("  <way id=\"").append(-(long) t.taskId()).append("\" action=\"modify\" visible=\"true\">\n");
            for (int p = 0; p < t.geometry().getNumGeometries(); p++) {
                if (!(t.geometry().getGeometryN(p) instanceof Polygon poly) || poly.isEmpty()) continue;
                Coordinate[] ring = poly.getExteriorRing().getCoordinates();
                long first = nextNode;
                for (int i = 0; i < ring.length - 1; i++) {
                    long id = nextNode--;
                    out.append("  <node id=\"").append(Long.toString(id)).append("\" action=\"modify\" visible=\"true\" lon=\"")
                            .append(number(ring[i].x)).append("\" lat=\"").append(number(ring[i].y)).append("\"/>\n");
                    way.append("    <nd ref=\"").append(id).append("\"/>\n");
                }
                way.append("    <nd ref=\"").append(first).append("\"/>\n");
            }
            way.append("  </way>\n");
            out.append(way);
        }
        out.append("</osm>\n");
    }

    /** GPX 1.1 as a string; see {@link #writeGpx}. */
    public static String gpx(long projectId, List<ExportTask> tasks, Instant timestamp) {
        StringBuilder sb = new StringBuilder();
        try {
            writeGpx(projectId, tasks, timestamp, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /**
     * GPX 1.1: metadata (link to the Tasking Manager, time), one {@code wpt} per exterior-ring vertex, then one
     * {@code trk} named "Task for project {id}. Do not edit outside of this area!" with one {@code trkseg} per
     * polygon (its closed exterior ring). Waypoints come before the track because the GPX 1.1 schema orders
     * them so (the reference appends them after it).
     */
    public static void writeGpx(long projectId, List<ExportTask> tasks, Instant timestamp, Appendable out) throws IOException {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.append("<gpx xmlns=\"http://www.topografix.com/GPX/1/1\" version=\"1.1\" creator=\"").append(CREATOR).append("\">\n");
        out.append("  <metadata><link href=\"https://github.com/hotosm/tasking-manager\"><text>").append(CREATOR)
                .append("</text></link><time>").append(timestamp.toString()).append("</time></metadata>\n");
        for (ExportTask t : tasks) {
            for (Coordinate[] ring : exteriorRings(t.geometry())) {
                for (int i = 0; i < ring.length - 1; i++) {
                    out.append("  <wpt lon=\"").append(number(ring[i].x)).append("\" lat=\"").append(number(ring[i].y)).append("\"/>\n");
                }
            }
        }
        out.append("  <trk>\n    <name>Task for project ").append(Long.toString(projectId))
                .append(". Do not edit outside of this area!</name>\n");
        for (ExportTask t : tasks) {
            for (Coordinate[] ring : exteriorRings(t.geometry())) {
                out.append("    <trkseg>\n");
                for (Coordinate c : ring) {
                    out.append("      <trkpt lon=\"").append(number(c.x)).append("\" lat=\"").append(number(c.y)).append("\"/>\n");
                }
                out.append("    </trkseg>\n");
            }
        }
        out.append("  </trk>\n</gpx>\n");
    }

    private static List<Coordinate[]> exteriorRings(Geometry g) {
        java.util.ArrayList<Coordinate[]> rings = new java.util.ArrayList<>();
        for (int p = 0; p < g.getNumGeometries(); p++) {
            if (g.getGeometryN(p) instanceof Polygon poly && !poly.isEmpty()) rings.add(poly.getExteriorRing().getCoordinates());
        }
        return rings;
    }

    /** Shortest round-trip decimal, never in exponent form (what Python's str() gives, minus its exponents). */
    static String number(double d) {
        String s = Double.toString(d);
        if (s.indexOf('E') < 0) return s;
        String plain = new BigDecimal(s).stripTrailingZeros().toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
}
