package dev.tmserverless.core.domain;

/** Movement of a project's task counters (only MAPPED, VALIDATED and BADIMAGERY are counted). */
public record CounterDelta(int mapped, int validated, int badImagery) {
    public static final CounterDelta NONE = new CounterDelta(0, 0, 0);

    /** The counter movement of a task going from {@code from} to {@code to}. */
    public static CounterDelta between(TaskStatus from, TaskStatus to) {
        if (from == to) return NONE;
        return of(to, 1).plus(of(from, -1));
    }

    private static CounterDelta of(TaskStatus s, int n) {
        return switch (s) {
            case MAPPED -> new CounterDelta(n, 0, 0);
            case VALIDATED -> new CounterDelta(0, n, 0);
            case BADIMAGERY -> new CounterDelta(0, 0, n);
            default -> NONE;
        };
    }

    public CounterDelta plus(CounterDelta o) {
        return new CounterDelta(mapped + o.mapped, validated + o.validated, badImagery + o.badImagery);
    }

    public boolean isZero() { return mapped == 0 && validated == 0 && badImagery == 0; }
}
