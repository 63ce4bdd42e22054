package dev.tmserverless.core.geo;

/** Server-side AOI limits (docs/api-differences.md D17), configurable per deployment. */
public record AoiLimits(double maxAreaKm2, long maxTasks) {
    public static final double DEFAULT_MAX_AREA_KM2 = 5000;
    public static final long DEFAULT_MAX_TASKS = 100_000;

    public AoiLimits {
        if (!(maxAreaKm2 > 0) || maxTasks <= 0) {
            throw new IllegalArgumentException("AOI limits must be positive: " + maxAreaKm2 + " km², " + maxTasks + " tasks");
        }
    }

    public static AoiLimits defaults() {
        return new AoiLimits(DEFAULT_MAX_AREA_KM2, DEFAULT_MAX_TASKS);
    }
}
