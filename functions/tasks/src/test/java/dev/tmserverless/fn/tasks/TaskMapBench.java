package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskShapes;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.dto.TaskFeatureCollection;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * {@code ./bench taskmap [tasks=10000] [reads=50]}: warm read of a big project's task map through the tasks handler
 * (snapshot) side by side with the per-request Query the handler made before snapshots, and the read units of each
 * against dynalite (docs/performance.md, "Task-map snapshots").
 */
public final class TaskMapBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int reads = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        try (Isolated.Applied env = Emulators.shared().isolated("bench-taskmap").applyAsSystemProperties()) {
            TasksFunction fn = new TasksFunction();
            var ctx = fn.getApplicationContext();
            Fixture fx = new Fixture(ctx);
            int side = (int) Math.ceil(Math.sqrt(n));
            List<TaskStore.NewTask> ts = new ArrayList<>();
            int x0 = 1011 * 128, y0 = 1399 * 128;
            for (int i = 0; i < n; i++) ts.add(new TaskStore.NewTask(Task.ready(0, i + 1, x0 + i % side, y0 + i / side, 18, true), null));
            Project p = fx.project(fx.user("pm"), ProjectStatus.PUBLISHED, ts, "");
            String path = "/api/v2/projects/" + p.id() + "/tasks/";
            Map<String, String> gzip = Map.of("accept-encoding", "gzip");
            Splits splits = ctx.getBean(Splits.class);
            TaskShapes shapes = ctx.getBean(TaskShapes.class);

            // before: what GET …/tasks/ did on every request (Query of tasks and shapes, build, serialise, gzip)
            Supplier<Object> old = () -> {
                Instant now = Instant.now();
                List<Task> all = new ArrayList<>(splits.listTasks(p.id()));
                all.replaceAll(t -> t.effective(now));
                return gzip(Json.write(TaskFeatureCollection.of(all, shapes.geometries(p.id()), true)));
            };
            // the handler's own time: the event in, the Lambda response out (no client-side decoding or parsing)
            Supplier<Object> handler = () -> raw(fn, path, gzip, 200);
            Supplier<Object> plain = () -> raw(fn, path, Map.of(), 200);
            String etag = Api.call(fn, "GET", path, null, null, gzip).headers().get("etag");
            Supplier<Object> revalidate = () -> raw(fn, path, Map.of("if-none-match", etag), 304);

            System.out.printf(Locale.ROOT, "Task map of %,d tasks, warm, %d reads each (p50 / p90 ms)%n", n, reads);
            System.out.printf(Locale.ROOT, "  before: Query tasks + shapes, build, gzip      %s%n", time(old, reads));
            System.out.printf(Locale.ROOT, "  after:  GET …/tasks/ through the handler, gzip  %s%n", time(handler, reads));
            System.out.printf(Locale.ROOT, "  after:  the same without Accept-Encoding        %s%n", time(plain, reads));
            System.out.printf(Locale.ROOT, "  after:  conditional GET answered 304            %s%n", time(revalidate, reads));

            DynamoDbClient ddb = ctx.getBean(DynamoDbClient.class);
            String table = ctx.getBean(TmConfig.class).table();
            double before = queryUnits(ddb, table, p.id(), "TASK#") + queryUnits(ddb, table, p.id(), "TASKGEOM#");
            double pointer = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("PROJECT#" + p.id()), "sk", AttributeValue.fromS("TASKMAP")))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits();
            System.out.printf(Locale.ROOT, "Read units per request for the map (dynalite's accounting)%n");
            System.out.printf(Locale.ROOT, "  before: Query of task and shape items        %.1f%n", before);
            System.out.printf(Locale.ROOT, "  after:  task-map pointer GetItem (consistent) %.1f  (+1 S3 GET unless cached in the container)%n", pointer);

            // GET …/activities/latest/: before, a Query of every task item and a row per task; after, the
            // snapshot's activity rows (the same pointer read)
            String latest = "/api/v2/projects/" + p.id() + "/activities/latest/";
            Supplier<Object> oldLatest = () -> {
                Instant now = Instant.now();
                List<Task> all = new ArrayList<>(splits.listTasks(p.id()));
                all.replaceAll(t -> t.effective(now));
                return Json.write(java.util.Map.of("activity", dev.tmserverless.core.dto.ProjectActivity.of(all).latest()));
            };
            Supplier<Object> newLatest = () -> raw(fn, latest, gzip, 200);
            System.out.printf(Locale.ROOT, "Latest activity of %,d tasks, warm, %d reads each (p50 / p90 ms)%n", n, reads);
            System.out.printf(Locale.ROOT, "  before: Query tasks, a row each               %s%n", time(oldLatest, reads));
            System.out.printf(Locale.ROOT, "  after:  GET …/activities/latest/ (handler)     %s%n", time(newLatest, reads));
            System.out.printf(Locale.ROOT, "Read units per request for activities/latest and contributions%n");
            System.out.printf(Locale.ROOT, "  before: Query of task items                  %.1f%n", queryUnits(ddb, table, p.id(), "TASK#"));
            System.out.printf(Locale.ROOT, "  after:  task-map pointer GetItem (consistent) %.1f  (contributions adds one BatchGetItem per 100 contributors)%n", pointer);
            fn.close();
        }
        System.exit(0);
    }

    static double queryUnits(DynamoDbClient ddb, String table, long projectId, String prefix) {
        double units = 0;
        for (var page : ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("PROJECT#" + projectId), ":t", AttributeValue.fromS(prefix)))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))) {
            if (page.consumedCapacity() != null) units += page.consumedCapacity().capacityUnits();
        }
        return units;
    }

    static Object raw(TasksFunction fn, String path, Map<String, String> headers, int status) {
        var e = Api.event("GET", path, null, null);
        var h = new java.util.HashMap<>(e.getHeaders());
        h.putAll(headers);
        e.setHeaders(h);
        var r = fn.handleRequest(e, new Api.TestContext());
        if (r.getStatusCode() != status) throw new IllegalStateException("answered " + r.getStatusCode());
        return r;
    }

    static Object check(Api.Answer a, int status) {
        if (a.status() != status) throw new IllegalStateException("answered " + a.status());
        return a;
    }

    static byte[] gzip(String s) {
        var out = new ByteArrayOutputStream();
        try (var z = new GZIPOutputStream(out)) {
            z.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String time(Supplier<Object> op, int reads) {
        for (int i = 0; i < Math.max(3, reads / 5); i++) op.get();
        double[] ms = new double[reads];
        for (int i = 0; i < reads; i++) {
            long t0 = System.nanoTime();
            op.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return String.format(Locale.ROOT, "p50 %8.2f   p90 %8.2f", ms[reads / 2], ms[(int) (reads * 0.9)]);
    }
}
