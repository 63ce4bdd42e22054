package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.ProjectSearchIndex;
import dev.tmserverless.aws.store.ProjectSearchIndex.Row;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import dev.tmserverless.core.search.ProjectSummary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** The rules of the project lists other than search: bounding boxes, active projects, similar projects. */
final class ProjectLists {
    private ProjectLists() {}

    /** {@code minx,miny,maxx,maxy} in EPSG:4326 or 3857 ({@code srid}), as degrees; 400 InvalidData otherwise. */
    static double[] bbox(String raw, String srid) {
        double[] b = new double[4];
        String[] parts = raw == null ? new String[0] : raw.split(",", -1);
        try {
            if (parts.length != 4) throw new NumberFormatException();
            for (int i = 0; i < 4; i++) {
                b[i] = Double.parseDouble(parts[i].trim());
                if (!Double.isFinite(b[i])) throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Error validating request: bbox must be four numbers minx,miny,maxx,maxy");
        }
        int s;
        try {
            s = Integer.parseInt(srid.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Error validating request: srid must be an integer");
        }
        if (s == 3857) {
            return new double[]{lon(b[0]), lat(b[1]), lon(b[2]), lat(b[3])};
        }
        if (s != 4326) throw new ApiException(ErrorCode.INVALID_DATA, "Error validating request: srid must be 4326 or 3857");
        if (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3]) {
            throw new ApiException(ErrorCode.INVALID_DATA, "Error validating request: bbox out of range");
        }
        return b;
    }

    private static final double R = 6378137.0;

    private static double lon(double x) { return Math.toDegrees(x / R); }

    private static double lat(double y) { return Math.toDegrees(2 * Math.atan(Math.exp(y / R)) - Math.PI / 2); }

    /** The box's area in square metres of Web Mercator (EPSG:3857), as the reference measures it. */
    static double mercatorArea(double[] b) {
        return Math.abs(x(b[2]) - x(b[0])) * Math.abs(y(b[3]) - y(b[1]));
    }

    private static double x(double lon) { return R * Math.toRadians(lon); }

    private static double y(double lat) {
        double l = Math.max(-85.05112878, Math.min(85.05112878, lat));
        return R * Math.log(Math.tan(Math.PI / 4 + Math.toRadians(l) / 2));
    }

    /** Whether the project's AOI bounding box (its centroid, for a summary without one) meets the box. */
    static boolean meets(ProjectSummary s, double[] box) {
        double[] b = s.bbox() != null ? s.bbox()
                : s.centroid() != null ? new double[]{s.centroid()[0], s.centroid()[1], s.centroid()[0], s.centroid()[1]} : null;
        return b != null && b[0] <= box[2] && b[2] >= box[0] && b[1] <= box[3] && b[3] >= box[1];
    }

    /** A FeatureCollection of the projects' AOIs (read from the bucket side by side) with the given properties. */
    static Map<String, Object> aoiFeatures(List<Row> rows, BlobStore blobs, Function<Row, Map<String, Object>> props) {
        List<Map<String, Object>> features = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> aois = new ArrayList<>();
            for (Row r : rows) aois.add(pool.submit(() -> blobs.get(BlobStore.aoiKey(r.id())).map(Json::parse).orElse(null)));
            for (int i = 0; i < rows.size(); i++) {
                JsonNode g = aois.get(i).get();
                if (g == null) continue; // its objects are being removed with it
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("type", "Feature");
                f.put("geometry", g);
                f.put("properties", props.apply(rows.get(i)));
                features.add(f);
            }
        } catch (Exception e) {
            throw new IllegalStateException("reading project AOIs failed", e);
        }
        Map<String, Object> fc = new LinkedHashMap<>();
        fc.put("type", "FeatureCollection");
        fc.put("features", features);
        return fc;
    }

    /** {@code interval} hours of {@code queries/active}: 1 to 24, 24 when absent; the reference's 400 otherwise. */
    static int interval(String raw) {
        if (raw == null) return 24;
        int h;
        try {
            h = raw.chars().allMatch(Character::isDigit) && !raw.isEmpty() && raw.length() < 4 ? Integer.parseInt(raw) : -1;
        } catch (NumberFormatException e) {
            h = -1;
        }
        if (h <= 0 || h > 24) {
            throw new ApiException(ErrorCode.SEARCH_INTERVAL, ErrorCode.SEARCH_INTERVAL.message);
        }
        return h;
    }

    /** {@code limit} of similar projects: 4 when absent, 1 to 100. */
    static int limit(String raw) {
        if (raw == null || raw.isEmpty()) return 4;
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= 1 && n <= 100) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ApiException(ErrorCode.SCHEMA_INVALID, "Input should be a valid integer between 1 and 100");
    }

    static boolean bool(String v) {
        return v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on");
    }

    /**
     * The published projects the caller may see that are most like {@code of}: the cosine of the two projects'
     * features (default locale, difficulty, first country, each mapping type, each interest), the reference's
     * measure; ties broken by id, newest first. The project itself must be published (404 otherwise).
     */
    static List<Row> similar(ProjectSearchIndex.Snapshot snap, Row of, User user, int limit) {
        ProjectSummary t = of.summary();
        if (t.status() != ProjectStatus.PUBLISHED) {
            throw new ApiException(ErrorCode.PROJECT_NOT_FOUND, ErrorCode.PROJECT_NOT_FOUND.message, Map.of("project_id", t.id()));
        }
        List<String> target = features(t);
        record Scored(Row row, double score) {}
        List<Scored> scored = new ArrayList<>();
        boolean admin = Permissions.managesEverything(user);
        for (Row r : snap.rows()) {
            ProjectSummary s = r.summary();
            if (s.id() == t.id() || s.status() != ProjectStatus.PUBLISHED || s.centroid() == null) continue;
            if (!admin && !Permissions.listable(user, s, r.org())) continue;
            List<String> f = features(s);
            long shared = f.stream().filter(target::contains).count();
            double score = f.isEmpty() || target.isEmpty() ? 0 : shared / Math.sqrt((double) f.size() * target.size());
            scored.add(new Scored(r, score));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(x -> -x.row().id()));
        return scored.stream().limit(limit).map(Scored::row).toList();
    }

    private static List<String> features(ProjectSummary s) {
        List<String> f = new ArrayList<>();
        f.add("locale=" + s.defaultLocale());
        f.add("difficulty=" + s.difficulty());
        if (!s.countries().isEmpty()) f.add("country=" + s.countries().get(0));
        for (String m : s.mappingTypes()) f.add("type=" + m);
        for (Long i : s.interests()) f.add("interest=" + i);
        f.removeIf(Objects::isNull);
        return f;
    }
}
