package dev.tmserverless.core.domain;

import java.time.Duration;

/** Lock periods are written as the reference does: {@code HH:MM:SS} or {@code HH:MM:SS.ffffff}. */
public final class Durations {
    private Durations() {}

    public static String format(Duration d) {
        if (d.isNegative()) d = Duration.ZERO;
        long total = d.getSeconds();
        // Hours are not wrapped at 24 (the reference's time-of-day format wraps; a 26 h lock reads 26:00:00 here).
        String base = String.format("%02d:%02d:%02d", total / 3600, (total % 3600) / 60, total % 60);
        int micros = d.getNano() / 1000;
        return micros == 0 ? base : base + String.format(".%06d", micros);
    }

    public static Duration parse(String text) {
        String[] hms = text.split(":");
        String[] secs = hms[2].split("\\.");
        Duration d = Duration.ofHours(Long.parseLong(hms[0])).plusMinutes(Long.parseLong(hms[1]))
                .plusSeconds(Long.parseLong(secs[0]));
        if (secs.length > 1) {
            String frac = (secs[1] + "000000").substring(0, 6);
            d = d.plusNanos(Long.parseLong(frac) * 1000);
        }
        return d;
    }
}
