package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.aws.config.AwsClients;
import dev.tmserverless.aws.config.TmConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.geo.Aoi;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TaskGrid;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.fn.grid.GridWorkerFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.locationtech.jts.geom.MultiPolygon;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Prints, side by side from one run: cold start of the tasks function (fresh JVM on its deployment jar to
 * the first answered lock request) next to a hello-world JVM; warm lock latency through the handler; grid
 * worker throughput next to the bare grid generation it is built on. Everything runs against the local
 * emulators, so absolute numbers are this machine's; the ratios are the point.
 *
 * Usage: ./bench [coldRuns] [warmLocks] [gridZoom]; 0 leaves a section out.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // the emulators' threads would keep a failed bench running forever
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        boolean profile = args.length > 0 && args[0].equals("coldprofile");
        if (profile) args = Arrays.copyOfRange(args, 1, args.length);
        int coldRuns = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmLocks = profile ? 0 : args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int gridZoom = profile ? 0 : args.length > 2 ? Integer.parseInt(args[2]) : 18;
        Path root = Path.of(System.getProperty("tm.repo.root", "."));
        Path lambdaJar = root.resolve("functions/tasks/target/tasks-lambda.jar");
        if (!Files.exists(lambdaJar)) throw new IllegalStateException("build first: " + lambdaJar + " is missing");

        Emulators emulators = Emulators.shared();
        Isolated iso = emulators.isolated("bench");
        Isolated.Applied env = iso.applyAsSystemProperties();
        TasksFunction tasksFn = new TasksFunction();
        Fixture fx = new Fixture(tasksFn.getApplicationContext());
        User pm = fx.user("pm");

        System.out.println("tm-serverless bench — " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println();

        // --- cold start ---------------------------------------------------------------------------
        if (profile) {
            ColdProfile.run(root, lambdaJar, iso, fx, pm, coldRuns, Arrays.asList(args).subList(Math.min(1, args.length), args.length));
            coldRuns = 0;
        }
        if (coldRuns > 0) coldStart(root, lambdaJar, iso, fx, pm, coldRuns);
        // --- warm lock latency ---------------------------------------------------------------------
        if (warmLocks > 0) warmLocks(tasksFn, fx, pm, warmLocks);
        // --- grid worker throughput -----------------------------------------------------------------
        if (gridZoom > 0) grid(fx, pm, gridZoom);

        tasksFn.close();
        env.close();
        emulators.close();
        System.exit(0);
    }

    private static void coldStart(Path root, Path lambdaJar, Isolated iso, Fixture fx, User pm, int coldRuns) throws Exception {
        int coldTasks = coldRuns * 12 + 2 * ColdStartProbe.TRAINING_TASKS + 8;
        Project cold = fx.project(pm, ProjectStatus.PUBLISHED, coldTasks);
        Launcher l = Launcher.of(root, lambdaJar, iso);
        String java = l.java();
        String classpath = l.classpath();
        List<String> sysProps = l.sysProps();
        int[] nextTask = {1};
        List<String> c1 = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
        // JDK 25 AOT caches (JEP 483/514/515): a training run of the probe writes one at exit, later launches map it.
        // One trained by a mapper's session (the local configuration, as run-local trains its own: docs/performance.md),
        // one trained by a single lock (the earlier training), for the difference the training makes.
        Path sessionCache = train(root.resolve("tools/bench/target/tasks-session.aot"), java, classpath, sysProps, c1,
                cold.id(), nextTask, ColdStartProbe.TRAINING_TASKS, fx, pm);
        Path lockCache = train(root.resolve("tools/bench/target/tasks-lock.aot"), java, classpath, sysProps, c1,
                cold.id(), nextTask, 1, fx, pm);
        List<String> withSession = withCache(c1, sessionCache);
        List<String> notAhead = new ArrayList<>(withSession);
        notAhead.add("-D" + AwsClients.BUILD_AHEAD + "=false");
        // the configurations take turns, round after round, so that each sees the same machine load
        Map<String, Run> rows = new java.util.LinkedHashMap<>();
        rows.put("hello-world java (floor)", () -> launch(List.of(java, "-cp", classesOf(Bench.class), Hello.class.getName()))[0]);
        rows.put("tasks function, default JVM flags",
                () -> launch(probe(java, classpath, sysProps, List.of(), cold.id(), nextTask, fx, pm, ColdStartProbe.class))[0]);
        rows.put(SHIPPED, () -> launch(probe(java, classpath, sysProps, c1, cold.id(), nextTask, fx, pm, ColdStartProbe.class))[0]);
        rows.put(LOCAL, () -> launch(probe(java, classpath, sysProps, withSession, cold.id(), nextTask, fx, pm, ColdStartProbe.class))[0]);
        rows.put("  the same, DynamoDB client not built ahead",
                () -> launch(probe(java, classpath, sysProps, notAhead, cold.id(), nextTask, fx, pm, ColdStartProbe.class))[0]);
        rows.put("  the same, AOT cache trained by one lock",
                () -> launch(probe(java, classpath, sysProps, withCache(c1, lockCache), cold.id(), nextTask, fx, pm, ColdStartProbe.class))[0]);
        Map<String, List<Double>> samples = new java.util.LinkedHashMap<>();
        rows.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        for (int i = 0; i < coldRuns; i++) rows.forEach((k, run) -> samples.get(k).add(run.ms()));
        System.out.printf("Cold start, JVM launch to first answered lock (median of %d, the rows taking turns; min–max)%n", coldRuns);
        double floor = median(samples.get("hello-world java (floor)"));
        double shipped = median(samples.get(SHIPPED));
        samples.forEach((k, ms) -> {
            double m = median(ms);
            System.out.printf("  %-48s %7.0f ms   (%.0f–%.0f)   %5.2f× the shipped start, %5.1f× the floor%n",
                    k, m, Collections.min(ms), Collections.max(ms), m / shipped, m / floor);
        });
        System.out.printf("    AOT caches: %.0f MB (session), %.0f MB (one lock); a training run takes a cold start and the writing%n",
                Files.size(sessionCache) / 1e6, Files.size(lockCache) / 1e6);
        // SnapStart priming: in one JVM, the first lock after the handler is built, without and with ApiFunction.prime()
        // first (a restored snapshot starts from the primed state; restoring it is Lambda's and not measured here)
        double unprimedRequest = report("first lock's own time, handler just built", coldRuns,
                () -> launch(probe(java, classpath, sysProps, c1, cold.id(), nextTask, fx, pm, ColdStartProbe.class))[1]);
        List<String> primedFlags = new ArrayList<>(c1);
        primedFlags.add("-Dtm.bench.prime=true");
        double primedRequest = report("first lock's own time, after priming", coldRuns,
                () -> launch(probe(java, classpath, sysProps, primedFlags, cold.id(), nextTask, fx, pm, ColdStartProbe.class))[1]);
        System.out.printf("    = priming takes %.0f%% off the first request (%.1f× faster)%n",
                100 * (1 - primedRequest / unprimedRequest), unprimedRequest / primedRequest);
        // the same with Powertools' logging (log4j2, JSON layout) and metrics in front, shipped flags (docs/operations.md)
        Path ptList = root.resolve("tools/bench/target/powertools.txt");
        if (Files.exists(ptList)) {
            String pt = Files.readString(ptList).trim();
            long ptBytes = 0;
            for (String jar : pt.split(File.pathSeparator)) ptBytes += Files.size(Path.of(jar));
            List<String> flags = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
            double median = report("  + Powertools logging (log4j2) and metrics", coldRuns, () -> launch(probe(java,
                    pt + File.pathSeparator + classpath, sysProps, flags, cold.id(), nextTask, fx, pm, PowertoolsColdStartProbe.class))[0]);
            System.out.printf("    = %+.0f ms over the shipped start (%.2f×); its jars add %.1f MB to the %.1f MB function jar%n",
                    median - shipped, median / shipped, ptBytes / 1e6, Files.size(lambdaJar) / 1e6);
        }
        System.out.println();
    }

    private static void grid(Fixture fx, User pm, int gridZoom) {
        MultiPolygon aoi = Aoi.normalise(Json.parse("""
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
                 "coordinates":[[[85.30,27.68],[85.345,27.685],[85.35,27.72],[85.31,27.725],[85.30,27.68]]]}}]}"""));
        long n = TaskGrid.count(aoi, gridZoom);
        long g0 = System.nanoTime();
        long[] generated = {0};
        TaskGrid.generate(aoi, gridZoom, true, 0, s -> generated[0]++);
        double genSeconds = (System.nanoTime() - g0) / 1e9;
        System.out.printf("Grid worker, %d clipped tasks at zoom %d (%.1f km² AOI in Kathmandu)%n", n, gridZoom, Aoi.geodesicAreaKm2(aoi));
        System.out.printf("  generate + clip only                 %9.0f tasks/s%n", generated[0] / genSeconds);
        GridWorkerFunction worker = null;
        double[] rate = new double[2];
        int[] parallelism = {1, 8};
        for (int k = 0; k < parallelism.length; k++) {
            if (worker != null) worker.close();
            // one worker per setting: the writer reads TM_GRID_WRITE_PARALLELISM when it is built
            System.setProperty("TM_GRID_WRITE_PARALLELISM", Integer.toString(parallelism[k]));
            worker = new GridWorkerFunction();
            BlobStore blobs = worker.getApplicationContext().getBean(BlobStore.class);
            long id = fx.counters.next("PROJECT");
            fx.projects.create(Project.draft(id, "bench", pm, 1, "GRID", false, "OSM", new double[4], new double[2], 1, Instant.now()));
            blobs.put(BlobStore.aoiKey(id), Json.write(GeoJson.write(aoi)));
            fx.jobs.put(new GridJob(id, GridJob.State.QUEUED, "GRID", gridZoom, true, null, 0, null, Instant.now()));
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("bench-" + k);
            m.setBody("{\"projectId\":" + id + "}");
            m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
            SQSEvent e = new SQSEvent();
            e.setRecords(List.of(m));
            long w0 = System.nanoTime();
            worker.handleRequest(e, new Api.TestContext());
            double workSeconds = (System.nanoTime() - w0) / 1e9;
            rate[k] = n / workSeconds;
            System.out.printf("  worker into dynalite, %d call(s) in flight %7.0f tasks/s   (%.1f s; state %s, %d tasks stored)%n",
                    parallelism[k], rate[k], workSeconds, fx.jobs.get(id).orElseThrow().state(), fx.tasks.list(id).size());
        }
        System.out.printf("    = parallel batches %.1f× the sequential ones; generation is %.0f× faster than storing%n",
                rate[1] / rate[0], (generated[0] / genSeconds) / rate[1]);

        worker.close();
    }

    /**
     * Warm lock and unlock through the handler, each beside a raw conditional UpdateItem of a task-sized item on the
     * same dynalite through the function's own client (the floor of any conditional write), interleaved so that
     * the three see the same machine; and the DynamoDB round trips of each action, counted by {@link RoundTrips}.
     */
    private static void warmLocks(TasksFunction tasksFn, Fixture fx, User pm, int warmLocks) {
        Project warm = fx.project(pm, ProjectStatus.PUBLISHED, warmLocks);
        User mapper = fx.user("mapper");
        String token = Api.token(mapper.id());
        DynamoDbClient ddb = tasksFn.getApplicationContext().getBean(DynamoDbClient.class);
        String table = tasksFn.getApplicationContext().getBean(TmConfig.class).table();
        RawUpdate raw = new RawUpdate(ddb, table, fx.tasks.get(warm.id(), 1).orElseThrow());
        for (int i = 1; i <= Math.min(50, warmLocks); i++) { // warm-up
            lockAndMap(tasksFn, warm.id(), i, token);
            raw.ms();
        }
        // one more task than measured: the last lock names its calls, on the project the container has seen
        Project measured = fx.project(pm, ProjectStatus.PUBLISHED, warmLocks + 1);
        List<Double> lockMs = new ArrayList<>();
        List<Double> unlockMs = new ArrayList<>();
        List<Double> rawMs = new ArrayList<>();
        long lockCalls = 0, unlockCalls = 0;
        for (int i = 1; i <= warmLocks; i++) {
            double[] t = lockAndMap(tasksFn, measured.id(), i, token);
            lockMs.add(t[0]);
            unlockMs.add(t[1]);
            lockCalls += (long) t[2];
            unlockCalls += (long) t[3];
            rawMs.add(raw.ms());
        }
        // one more pair, naming its calls
        String named = "/api/v2/projects/" + measured.id() + "/tasks/actions/";
        RoundTrips.record();
        Api.call(tasksFn, "POST", named + "lock-for-mapping/" + (warmLocks + 1) + "/", token, null);
        List<String> lockNames = RoundTrips.recorded();
        RoundTrips.record();
        Api.call(tasksFn, "POST", named + "unlock-after-mapping/" + (warmLocks + 1) + "/", token,
                "{\"status\": \"MAPPED\"}");
        List<String> unlockNames = RoundTrips.recorded();

        System.out.printf("Warm requests through the tasks handler against dynalite (%d each, one client, interleaved)%n", warmLocks);
        System.out.printf("  raw conditional UpdateItem  p50 %6.2f ms   p99 %6.2f ms    1 round trip%n", pct(rawMs, 50), pct(rawMs, 99));
        System.out.printf("  lock-for-mapping            p50 %6.2f ms   p99 %6.2f ms   %4.1f round trips   = %.1f× the raw UpdateItem at p50%n",
                pct(lockMs, 50), pct(lockMs, 99), lockCalls / (double) warmLocks, pct(lockMs, 50) / pct(rawMs, 50));
        System.out.printf("  unlock-after-mapping        p50 %6.2f ms   p99 %6.2f ms   %4.1f round trips   = %.1f× the raw UpdateItem at p50%n",
                pct(unlockMs, 50), pct(unlockMs, 99), unlockCalls / (double) warmLocks, pct(unlockMs, 50) / pct(rawMs, 50));
        System.out.println("  a lock's calls:   " + String.join("; ", lockNames));
        System.out.println("  an unlock's calls: " + String.join("; ", unlockNames));
        System.out.println();
    }

    /** A conditional UpdateItem of a task item's shape ({@code SET … v = :nv IF v = :v}), timed alone. */
    private static final class RawUpdate {
        private final DynamoDbClient ddb;
        private final String table;
        private final Map<String, AttributeValue> key;
        private long version;

        RawUpdate(DynamoDbClient ddb, String table, Task like) {
            this.ddb = ddb;
            this.table = table;
            // a copy of a real task item under a key of its own, so the update writes an item of the real size
            Map<String, AttributeValue> item = new java.util.HashMap<>(ddb.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("PROJECT#" + like.projectId()), "sk", AttributeValue.fromS(
                            ddb.query(q -> q.tableName(table).keyConditionExpression("pk = :p")
                                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("PROJECT#" + like.projectId())))
                                    .limit(1)).items().get(0).get("sk").s())))).item());
            item.put("pk", AttributeValue.fromS("BENCH#raw"));
            item.put("sk", AttributeValue.fromS("UPDATE"));
            item.put("v", AttributeValue.fromN("0"));
            ddb.putItem(b -> b.tableName(table).item(item));
            this.key = Map.of("pk", item.get("pk"), "sk", item.get("sk"));
        }

        double ms() {
            long t0 = System.nanoTime();
            long v = version;
            ddb.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET lockedBy = :lb, lockExp = :le, v = :nv").conditionExpression("v = :v")
                    .expressionAttributeValues(Map.of(":lb", AttributeValue.fromN("1"),
                            ":le", AttributeValue.fromN(Long.toString(System.currentTimeMillis())),
                            ":nv", AttributeValue.fromN(Long.toString(v + 1)), ":v", AttributeValue.fromN(Long.toString(v)))));
            version = v + 1;
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    static List<String> probe(String java, String cp, List<String> sysProps, List<String> flags, long projectId,
                                      int[] nextTask, Fixture fx, User pm, Class<?> probe) {
        return probe(java, cp, sysProps, flags, projectId, nextTask, 1, fx, pm, probe);
    }

    /** A probe's command; with {@code tasks} over 1, a {@link ColdStartProbe} training run on that many fresh tasks. */
    static List<String> probe(String java, String cp, List<String> sysProps, List<String> flags, long projectId,
                              int[] nextTask, int tasks, Fixture fx, User pm, Class<?> probe) {
        // every launch locks a fresh task as a fresh user, so each one does the full lock path
        User u = fx.user("cold");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(flags);
        cmd.addAll(sysProps);
        cmd.addAll(List.of("-cp", cp, probe.getName(), Long.toString(projectId),
                taskIds(nextTask, tasks), Api.token(u.id())));
        return cmd;
    }

    private static String taskIds(int[] nextTask, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(Integer.toString(nextTask[0]++));
        return String.join(",", ids);
    }

    /** A jar of the given class folders, for a class path of jars only. */
    /** How a cold-start probe JVM is launched: the java binary, its class path (jars only) and system properties. */
    record Launcher(String java, String classpath, List<String> sysProps) {
        static Launcher of(Path root, Path lambdaJar, Isolated iso) throws java.io.IOException {
            // jars only: an AOT cache refuses a class path with a non-empty directory on it
            List<String> entries = new ArrayList<>(List.of(lambdaJar.toString()));
            List<Path> dirs = new ArrayList<>();
            for (String e : List.of(classesOf(Bench.class), classesOf(Api.class))) {
                if (Files.isDirectory(Path.of(e))) dirs.add(Path.of(e));
                else entries.add(e);
            }
            entries.add(probeJar(root.resolve("tools/bench/target/cold-probe.jar"), dirs.toArray(Path[]::new)).toString());
            List<String> sysProps = new ArrayList<>();
            iso.env().forEach((k, v) -> sysProps.add("-D" + k + "=" + v));
            sysProps.add("-Daws.region=us-east-1");
            return new Launcher(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    String.join(File.pathSeparator, entries), List.copyOf(sysProps));
        }
    }

    static Path probeJar(Path out, Path... dirs) throws java.io.IOException {
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(out))) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Path dir : dirs) {
                try (var files = Files.walk(dir)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = dir.relativize(f).toString().replace(File.separatorChar, '/');
                        if (!seen.add(name)) continue;
                        jar.putNextEntry(new java.util.jar.JarEntry(name));
                        Files.copy(f, jar);
                        jar.closeEntry();
                    }
                }
            }
        }
        return out;
    }

    /**
     * Wall time from process launch to the probe's answer line, and the probe's own time for its request (its
     * "request-ms" line; -1 without one) and its handler construction time ("init-ms"), in ms.
     */
    static double[] launch(List<String> cmd) {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            double ms = -1;
            double requestMs = -1;
            double initMs = -1;
            StringBuilder out = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (ms < 0 && line.startsWith("answered ")) ms = (System.nanoTime() - t0) / 1e6;
                    if (line.startsWith("request-ms ")) requestMs = Double.parseDouble(line.substring(11).trim());
                    if (line.startsWith("init-ms ")) initMs = Double.parseDouble(line.substring(8).trim());
                    out.append(line).append('\n');
                }
            }
            if (p.waitFor() != 0 || ms < 0 || !out.toString().contains("answered 200")) {
                throw new IllegalStateException("cold start probe failed:\n" + out);
            }
            return new double[]{ms, requestMs, initMs};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    interface Run { double ms(); }

    static final String SHIPPED = "tasks function, shipped flags (plain start)";
    static final String LOCAL = "tasks function, shipped flags + AOT cache (local)";

    /** Writes an AOT cache by one training run of the probe on {@code tasks} fresh tasks. */
    private static Path train(Path cache, String java, String classpath, List<String> sysProps, List<String> flags,
                              long projectId, int[] nextTask, int tasks, Fixture fx, User pm) throws java.io.IOException {
        Files.deleteIfExists(cache);
        List<String> train = new ArrayList<>(flags);
        train.add("-XX:AOTCacheOutput=" + cache);
        launch(probe(java, classpath, sysProps, train, projectId, nextTask, tasks, fx, pm, ColdStartProbe.class));
        if (!Files.exists(cache)) throw new IllegalStateException("the training run wrote no AOT cache " + cache);
        return cache;
    }

    private static List<String> withCache(List<String> flags, Path cache) {
        List<String> use = new ArrayList<>(flags);
        use.add("-XX:AOTCache=" + cache);
        use.add("-XX:AOTMode=on"); // fail rather than silently start without the cache
        return use;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static double report(String label, int runs, Run run) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) ms.add(run.ms());
        Collections.sort(ms);
        double median = ms.get(ms.size() / 2);
        System.out.printf("  %-48s %7.0f ms   (%.0f–%.0f)%n", label, median, ms.get(0), ms.get(ms.size() - 1));
        return median;
    }

    private static double[] lockAndMap(TasksFunction fn, long projectId, int taskId, String token) {
        long c0 = RoundTrips.count();
        long t0 = System.nanoTime();
        var lock = Api.call(fn, "POST", "/api/v2/projects/" + projectId + "/tasks/actions/lock-for-mapping/" + taskId + "/", token, null);
        long t1 = System.nanoTime();
        long c1 = RoundTrips.count();
        var unlock = Api.call(fn, "POST", "/api/v2/projects/" + projectId + "/tasks/actions/unlock-after-mapping/" + taskId + "/",
                token, "{\"status\": \"MAPPED\"}");
        long t2 = System.nanoTime();
        long c2 = RoundTrips.count();
        if (lock.status() != 200 || unlock.status() != 200) {
            throw new IllegalStateException("bench request failed: " + lock.json() + " / " + unlock.json());
        }
        return new double[]{(t1 - t0) / 1e6, (t2 - t1) / 1e6, c1 - c0, c2 - c1};
    }

    private static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    static String classesOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
