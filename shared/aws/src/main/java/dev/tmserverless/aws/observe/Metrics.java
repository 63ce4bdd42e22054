package dev.tmserverless.aws.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters written as CloudWatch embedded metric format (EMF): the handlers count what happens
 * ({@link #count}), and the end of each invocation writes one EMF document per dimension set
 * ({@link Telemetry#endInvocation}). CloudWatch turns the log lines into metrics in the namespace
 * {@code TM_METRICS_NAMESPACE} (the CDK stack sets its stack name; default {@code TmServerless}); every metric has
 * the dimension {@code Function} (the catalogue id), some one more (docs/operations.md lists them). No API call,
 * no extra permission: the function's log group is the transport.
 */
public final class Metrics {
    private Metrics() {}

    /** A task went from not locked to locked (mapping or validation), one per task. */
    public static final String TASKS_LOCKED = "TasksLocked";
    /** A task write lost its version condition: somebody wrote the task first, the request decides again. */
    public static final String WRITE_CONFLICTS = "TaskWriteConflicts";
    /** Tasks a grid job stored. */
    public static final String GRID_TASKS_WRITTEN = "GridTasksWritten";
    /** An error answer, with the dimension {@code SubCode} (the error table's sub code). */
    public static final String ERRORS = "Errors";
    /** Answers handed over through a signed S3 link because they were too big for Lambda. */
    public static final String LARGE_RESPONSES = "LargeResponseHandOvers";

    private record Key(String name, Map<String, String> dimensions) {}

    private static final ConcurrentHashMap<Key, LongAdder> COUNTS = new ConcurrentHashMap<>();

    public static void count(String name) {
        count(name, 1);
    }

    public static void count(String name, long n) {
        if (n != 0) COUNTS.computeIfAbsent(new Key(name, Map.of()), k -> new LongAdder()).add(n);
    }

    /** Counts {@code name} under one more dimension than {@code Function}. */
    public static void count(String name, String dimension, String value) {
        COUNTS.computeIfAbsent(new Key(name, Map.of(dimension, value)), k -> new LongAdder()).increment();
    }

    static String namespace() {
        String ns = System.getenv("TM_METRICS_NAMESPACE");
        if (ns == null || ns.isBlank()) ns = System.getProperty("TM_METRICS_NAMESPACE");
        return ns == null || ns.isBlank() ? "TmServerless" : ns;
    }

    /** Writes and resets every count: one EMF line per dimension set, all its metrics in it. */
    static void flush(String function) {
        if (COUNTS.isEmpty()) return;
        Map<Map<String, String>, Map<String, Long>> byDimensions = new java.util.LinkedHashMap<>();
        for (Key k : List.copyOf(COUNTS.keySet())) {
            LongAdder a = COUNTS.remove(k);
            long n = a == null ? 0 : a.sumThenReset();
            if (n == 0) continue;
            Map<String, String> dims = new TreeMap<>(k.dimensions());
            dims.put("Function", function);
            byDimensions.computeIfAbsent(dims, d -> new TreeMap<>()).merge(k.name(), n, Long::sum);
        }
        long now = System.currentTimeMillis();
        String ns = namespace();
        byDimensions.forEach((dims, metrics) -> Telemetry.emit(document(ns, now, dims, metrics)));
    }

    static String document(String namespace, long timestamp, Map<String, String> dims, Map<String, Long> metrics) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"_aws\":{\"Timestamp\":").append(timestamp).append(",\"CloudWatchMetrics\":[{\"Namespace\":");
        Telemetry.quote(b, namespace);
        b.append(",\"Dimensions\":[[");
        List<String> names = new ArrayList<>(dims.keySet());
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) b.append(',');
            Telemetry.quote(b, names.get(i));
        }
        b.append("]],\"Metrics\":[");
        boolean first = true;
        for (String m : metrics.keySet()) {
            if (!first) b.append(',');
            first = false;
            b.append("{\"Name\":");
            Telemetry.quote(b, m);
            b.append(",\"Unit\":\"Count\"}");
        }
        b.append("]}]}");
        dims.forEach((k, v) -> {
            b.append(',');
            Telemetry.quote(b, k);
            b.append(':');
            Telemetry.quote(b, v);
        });
        metrics.forEach((k, v) -> {
            b.append(',');
            Telemetry.quote(b, k);
            b.append(':').append(v);
        });
        return b.append('}').toString();
    }
}
