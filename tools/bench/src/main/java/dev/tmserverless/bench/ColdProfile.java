package dev.tmserverless.bench;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./bench coldprofile [runs] [config…]}: where a cold start's time goes. Launches, the configurations taking
 * turns, the {@link ColdStartProbe}
 * like the bench does, with the JVM's class-load log (uptime of each load), and prints per configuration the
 * medians of launch → answer, the handler's construction and the lock's own time, then from the last run's log the
 * time line: when main ran, when the handler's construction and the lock began, and per library the classes loaded
 * and the span of their loading. Configurations: {@code shipped} (C1 only) or {@code aot} (shipped + an AOT cache
 * trained by a mapper's session; {@code aot1}: trained by one lock), each optionally followed by extra JVM flags, all separated by commas
 * ({@code aot,-XX:+UseSerialGC}).
 */
final class ColdProfile {
    private ColdProfile() {}

    static void run(Path root, Path lambdaJar, Isolated iso, Fixture fx, User pm, int runs, List<String> configs) throws Exception {
        if (configs.isEmpty()) configs = List.of("shipped", "aot");
        Project cold = fx.project(pm, ProjectStatus.PUBLISHED, (runs + ColdStartProbe.TRAINING_TASKS) * configs.size() + 8);
        Bench.Launcher l = Bench.Launcher.of(root, lambdaJar, iso);
        String java = l.java();
        String classpath = l.classpath();
        List<String> sysProps = l.sysProps();
        int[] nextTask = {1};
        List<String> c1 = new ArrayList<>(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"));
        Path jfr = root.resolve("tools/bench/target/cold.jfr");
        boolean sample = System.getenv("TM_BENCH_JFR") != null;
        // an AOT cache is refused by a JVM whose modules differ from the training run's: train with JFR too
        if (sample) c1.add("-XX:StartFlightRecording:filename=" + jfr + ",settings=profile");
        Path log = root.resolve("tools/bench/target/cold-classload.log");
        // every configuration's flags (an AOT cache each, trained first), then the runs taking turns, round after round
        Map<String, List<String>> flagsOf = new LinkedHashMap<>();
        for (String config : configs) {
            List<String> flags = new ArrayList<>(c1);
            List<String> parts = List.of(config.split(","));
            flags.addAll(parts.subList(1, parts.size()));
            if (parts.get(0).startsWith("aot")) {
                Path cache = root.resolve("tools/bench/target/profile-" + flagsOf.size() + ".aot");
                Files.deleteIfExists(cache);
                List<String> train = new ArrayList<>(flags);
                train.add("-XX:AOTCacheOutput=" + cache);
                int trainingTasks = parts.get(0).equals("aot1") ? 1 : ColdStartProbe.TRAINING_TASKS;
                Bench.launch(Bench.probe(java, classpath, sysProps, train, cold.id(), nextTask, trainingTasks, fx, pm, ColdStartProbe.class));
                flags.add("-XX:AOTCache=" + cache);
                flags.add("-XX:AOTMode=on");
            }
            flags.add("-Xlog:class+load:file=" + log.resolveSibling("cold-classload-" + flagsOf.size() + ".log") + ":uptime");
            flagsOf.put(config, flags);
        }
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        configs.forEach(c -> samples.put(c, new ArrayList<>()));
        for (int i = 0; i < runs; i++) {
            for (String config : configs) {
                samples.get(config).add(Bench.launch(Bench.probe(java, classpath, sysProps, flagsOf.get(config), cold.id(),
                        nextTask, fx, pm, ColdStartProbe.class)));
            }
        }
        int k = 0;
        for (String config : configs) {
            List<double[]> s = samples.get(config);
            System.out.printf("%s: launch → answer %.0f ms, handler construction %.0f ms, the lock's own time %.0f ms (medians of %d)%n",
                    config, median(s, 0), median(s, 2), median(s, 1), runs);
            timeline(Files.readAllLines(log.resolveSibling("cold-classload-" + k++ + ".log")));
            if (sample && configs.size() == 1) samples(jfr);
            System.out.println();
        }
    }

    /** Execution and native samples of the last run: self samples per library, and the methods most often on the stack. */
    private static void samples(Path jfr) throws Exception {
        Map<String, Integer> self = new TreeMap<>();
        Map<String, Integer> inclusive = new java.util.HashMap<>();
        int total = 0;
        for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) continue;
            var st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) continue;
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            total++;
            var top = st.getFrames().get(0).getMethod();
            self.merge((type.endsWith("NativeMethodSample") ? "native " : "") + library(top.getType().getName()), 1, Integer::sum);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (var f : st.getFrames()) {
                String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                if (seen.add(m)) inclusive.merge(thread + " " + m, 1, Integer::sum);
            }
        }
        System.out.println("  JFR samples: " + total + "; self by library " + self);
        inclusive.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .filter(en -> !en.getKey().contains(" java.") && !en.getKey().contains(" jdk.") && !en.getKey().contains(" sun."))
                .limit(70).forEach(en -> System.out.printf("    %4d  %s%n", en.getValue(), en.getKey()));
    }

    private static double median(List<double[]> samples, int k) {
        List<Double> xs = new ArrayList<>();
        for (double[] s : samples) xs.add(s[k]);
        xs.sort(null);
        return xs.get(xs.size() / 2);
    }

    private static final Pattern LINE = Pattern.compile("^\\[(\\d+\\.\\d+)s\\] (\\S+) source: (.*)$");

    private static void timeline(List<String> lines) {
        Map<String, double[]> libs = new LinkedHashMap<>(); // count, first, last, from the AOT cache
        Map<String, Double> marks = new LinkedHashMap<>();
        TreeMap<Integer, Map<String, Integer>> windows = new TreeMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            double t = Double.parseDouble(m.group(1)) * 1000;
            String cls = m.group(2);
            String lib = library(cls);
            double[] a = libs.computeIfAbsent(lib, k -> new double[]{0, t, t, 0});
            a[0]++;
            a[2] = t;
            if (m.group(3).contains("shared objects file")) a[3]++;
            windows.computeIfAbsent((int) (t / 100), k -> new TreeMap<>()).merge(lib, 1, Integer::sum);
            if (cls.equals(ColdStartProbe.class.getName())) marks.putIfAbsent("main", t);
            if (cls.equals("dev.tmserverless.fn.tasks.TasksFunction")) marks.putIfAbsent("handler construction", t);
            if (cls.startsWith("io.micronaut.context.DefaultApplicationContext")) marks.putIfAbsent("Micronaut context", t);
            if (cls.equals("software.amazon.awssdk.services.dynamodb.DynamoDbClient")) marks.putIfAbsent("DynamoDbClient", t);
            if (cls.equals(Api.class.getName())) marks.putIfAbsent("the lock request", t);
        }
        marks.forEach((k, v) -> System.out.printf("  %-24s from %6.0f ms%n", k, v));
        System.out.printf("  %-24s %7s %7s %9s %9s%n", "classes loaded", "count", "cached", "first ms", "last ms");
        libs.forEach((k, a) -> System.out.printf("  %-24s %7.0f %7.0f %9.0f %9.0f%n", k, a[0], a[3], a[1], a[2]));
        System.out.println("  per 100 ms: classes by library");
        windows.forEach((w, counts) -> System.out.printf("    %5d  %s%n", w * 100, counts));
    }

    private static String library(String cls) {
        if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("com.sun.")) return "jdk";
        if (cls.startsWith("io.micronaut.")) return "micronaut";
        if (cls.startsWith("com.fasterxml.jackson.")) return "jackson";
        if (cls.startsWith("software.amazon.awssdk.")) return "aws-sdk";
        if (cls.startsWith("dev.tmserverless.")) return "tm";
        if (cls.startsWith("org.slf4j.") || cls.startsWith("ch.qos.")) return "logging";
        if (cls.startsWith("org.locationtech.")) return "jts";
        if (cls.startsWith("com.amazonaws.")) return "lambda-events";
        int dot = cls.indexOf('.', cls.indexOf('.') + 1);
        return "other:" + (dot > 0 ? cls.substring(0, dot) : cls);
    }
}
