package dev.tmserverless.core.domain;

/** Task counters of a project and the percentages derived from them (truncated, 0 on /0). */
public record ProjectCounters(long totalTasks, long tasksMapped, long tasksValidated, long tasksBadImagery) {
    /**
     * The counters as the tasks themselves say: a task counts in the status it rests in, a locked one
     * in the status it was locked from. {@code tasks} must be the effective view at read time.
     */
    public static ProjectCounters of(java.util.Collection<Task> tasks) {
        long mapped = 0, validated = 0, bad = 0;
        for (Task t : tasks) {
            switch (t.restingStatus()) {
                case MAPPED -> mapped++;
                case VALIDATED -> validated++;
                case BADIMAGERY -> bad++;
                default -> { }
            }
        }
        return new ProjectCounters(tasks.size(), mapped, validated, bad);
    }

    public int percentMapped() { return pct(tasksMapped + tasksValidated, totalTasks - tasksBadImagery); }

    public int percentValidated() { return pct(tasksValidated, totalTasks - tasksBadImagery); }

    public int percentBadImagery() { return pct(tasksBadImagery, totalTasks); }

    private static int pct(long n, long d) { return d <= 0 ? 0 : (int) (n * 100 / d); }
}
