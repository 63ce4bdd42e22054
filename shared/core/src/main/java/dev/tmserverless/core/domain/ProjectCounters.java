package dev.tmserverless.core.domain;

/** Task counters of a project and the percentages derived from them (spec §3.4: truncated, 0 on /0). */
public record ProjectCounters(long totalTasks, long tasksMapped, long tasksValidated, long tasksBadImagery) {
    public int percentMapped() { return pct(tasksMapped + tasksValidated, totalTasks - tasksBadImagery); }

    public int percentValidated() { return pct(tasksValidated, totalTasks - tasksBadImagery); }

    public int percentBadImagery() { return pct(tasksBadImagery, totalTasks); }

    private static int pct(long n, long d) { return d <= 0 ? 0 : (int) (n * 100 / d); }
}
