package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
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
 * Usage: ./bench [coldRuns] [warmLocks] [gridZoom]
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
        int coldRuns = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmLocks = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int gridZoom = args.length > 2 ? Integer.parseInt(args[2]) : 18;
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
        int coldTasks = coldRuns * 3 + 2;
        Project cold = fx.project(pm, ProjectStatus.PUBLISHED, coldTasks);
        String classpath = String.join(File.pathSeparator, lambdaJar.toString(), classesOf(Bench.class), classesOf(Api.class));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> sysProps = new ArrayList<>();
        iso.env().forEach((k, v) -> sysProps.add("-D" + k + "=" + v));
        sysProps.add("-Daws.region=us-east-1");
        int[] nextTask = {1};
        System.out.printf("Cold start, JVM launch to first answered request (median of %d; min–max)%n", coldRuns);
        double floor = report("hello-world java (floor)", coldRuns, () -> launch(List.of(java, "-cp", classesOf(Bench.class), Hello.class.getName())));
        List<String[]> variants = List.of(
                new String[]{"tasks function, default JVM flags"},
                new String[]{"tasks function, -XX:TieredStopAtLevel=1 (shipped)", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"});
        double shipped = 0;
        for (String[] v : variants) {
            List<String> flags = Arrays.asList(v).subList(1, v.length);
            double median = report(v[0], coldRuns, () -> launch(probe(java, classpath, sysProps, flags, cold.id(), nextTask, fx, pm,
                    ColdStartProbe.class)));
            System.out.printf("    = %.1f× the floor%n", median / floor);
            shipped = median;
        }
        // the same with Powertools' logging (log4j2, JSON layout) and metrics in front, shipped flags (docs/operations.md)
        Path ptList = root.resolve("tools/bench/target/powertools.txt");
        if (Files.exists(ptList)) {
            String pt = Files.readString(ptList).trim();
            long ptBytes = 0;
            for (String jar : pt.split(File.pathSeparator)) ptBytes += Files.size(Path.of(jar));
            List<String> flags = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
            double median = report("  + Powertools logging (log4j2) and metrics", coldRuns, () -> launch(probe(java,
                    pt + File.pathSeparator + classpath, sysProps, flags, cold.id(), nextTask, fx, pm, PowertoolsColdStartProbe.class)));
            System.out.printf("    = %+.0f ms over the shipped start (%.2f×); its jars add %.1f MB to the %.1f MB function jar%n",
                    median - shipped, median / shipped, ptBytes / 1e6, Files.size(lambdaJar) / 1e6);
        }
        System.out.println();

        // --- warm lock latency ---------------------------------------------------------------------
        Project warm = fx.project(pm, ProjectStatus.PUBLISHED, warmLocks);
        User mapper = fx.user("mapper");
        String token = Api.token(mapper.id());
        for (int i = 1; i <= Math.min(50, warmLocks); i++) lockAndMap(tasksFn, warm.id(), i, token); // warm-up
        Project measured = fx.project(pm, ProjectStatus.PUBLISHED, warmLocks);
        List<Double> lockMs = new ArrayList<>();
        List<Double> unlockMs = new ArrayList<>();
        for (int i = 1; i <= warmLocks; i++) {
            double[] t = lockAndMap(tasksFn, measured.id(), i, token);
            lockMs.add(t[0]);
            unlockMs.add(t[1]);
        }
        System.out.printf("Warm requests through the tasks handler against dynalite (%d each, one client)%n", warmLocks);
        System.out.printf("  lock-for-mapping       p50 %6.2f ms   p99 %6.2f ms%n", pct(lockMs, 50), pct(lockMs, 99));
        System.out.printf("  unlock-after-mapping   p50 %6.2f ms   p99 %6.2f ms%n", pct(unlockMs, 50), pct(unlockMs, 99));
        System.out.println();

        // --- grid worker throughput -----------------------------------------------------------------
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
        tasksFn.close();
        env.close();
        emulators.close();
        System.exit(0);
    }

    private static List<String> probe(String java, String cp, List<String> sysProps, List<String> flags, long projectId,
                                      int[] nextTask, Fixture fx, User pm, Class<?> probe) {
        // every launch locks a fresh task as a fresh user, so each one does the full lock path
        User u = fx.user("cold");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(flags);
        cmd.addAll(sysProps);
        cmd.addAll(List.of("-cp", cp, probe.getName(), Long.toString(projectId),
                Integer.toString(nextTask[0]++), Api.token(u.id())));
        return cmd;
    }

    /** Wall time from process launch to the probe's answer line, in ms. */
    private static double launch(List<String> cmd) {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            double ms = -1;
            StringBuilder out = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (ms < 0 && line.startsWith("answered ")) ms = (System.nanoTime() - t0) / 1e6;
                    out.append(line).append('\n');
                }
            }
            if (p.waitFor() != 0 || ms < 0 || !out.toString().contains("answered 200")) {
                throw new IllegalStateException("cold start probe failed:\n" + out);
            }
            return ms;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    interface Run { double ms(); }

    private static double report(String label, int runs, Run run) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) ms.add(run.ms());
        Collections.sort(ms);
        double median = ms.get(ms.size() / 2);
        System.out.printf("  %-48s %7.0f ms   (%.0f–%.0f)%n", label, median, ms.get(0), ms.get(ms.size() - 1));
        return median;
    }

    private static double[] lockAndMap(TasksFunction fn, long projectId, int taskId, String token) {
        long t0 = System.nanoTime();
        var lock = Api.call(fn, "POST", "/api/v2/projects/" + projectId + "/tasks/actions/lock-for-mapping/" + taskId + "/", token, null);
        long t1 = System.nanoTime();
        var unlock = Api.call(fn, "POST", "/api/v2/projects/" + projectId + "/tasks/actions/unlock-after-mapping/" + taskId + "/",
                token, "{\"status\": \"MAPPED\"}");
        long t2 = System.nanoTime();
        if (lock.status() != 200 || unlock.status() != 200) {
            throw new IllegalStateException("bench request failed: " + lock.json() + " / " + unlock.json());
        }
        return new double[]{(t1 - t0) / 1e6, (t2 - t1) / 1e6};
    }

    private static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    private static String classesOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
