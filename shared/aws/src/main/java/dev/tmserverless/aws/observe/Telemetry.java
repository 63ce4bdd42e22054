package dev.tmserverless.aws.observe;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * Where the functions' structured output goes: JSON log lines ({@link JsonLogger}) and CloudWatch embedded metric
 * format documents ({@link Metrics}), one per line on standard output, which Lambda sends to the function's log
 * group (CloudWatch extracts the metrics from the EMF lines). Tests capture the lines instead (docs/operations.md).
 */
public final class Telemetry {
    private Telemetry() {}

    private static final Consumer<String> STDOUT = line -> {
        PrintStream out = System.out;
        out.println(line);
    };
    private static volatile Consumer<String> sink = STDOUT;

    /** Writes one complete line (a JSON document). */
    static void emit(String line) {
        sink.accept(line);
    }

    /**
     * Sends every line to {@code capture}, log lines from INFO up whatever {@code TM_LOG_LEVEL} says, until the
     * returned handle is closed (tests).
     */
    public static AutoCloseable capture(Consumer<String> capture) {
        sink = capture;
        JsonLogger.override = org.slf4j.event.Level.INFO;
        return () -> {
            JsonLogger.override = null;
            sink = STDOUT;
        };
    }

    /**
     * The end of an invocation: writes the metrics counted since the last flush. Every handler calls it in a
     * {@code finally} of its {@code execute}.
     */
    public static void endInvocation(String function) {
        Metrics.flush(function);
    }

    /** Appends {@code s} to {@code b} as a JSON string literal. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
