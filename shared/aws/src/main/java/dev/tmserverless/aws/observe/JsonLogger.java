package dev.tmserverless.aws.observe;

import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One log event as one JSON line: {@code timestamp}, {@code level}, {@code logger}, {@code message}, the request's
 * fields from the MDC ({@code requestId}: the Lambda request id; {@code function}, {@code functionVersion},
 * {@code xrayTraceId}, which Micronaut's handler puts there for every invocation; {@code apiRequestId},
 * {@code route}, {@code status}, {@code ms} from our handlers), and for an exception {@code error} with its class,
 * message and stack. The level threshold is {@code TM_LOG_LEVEL} (default INFO).
 */
final class JsonLogger extends AbstractLogger {
    private static final Level THRESHOLD = threshold();
    /** MDC keys written under another name; other MDC keys keep theirs, these are dropped: too noisy per line. */
    private static final Map<String, String> RENAMED = Map.of("AWSRequestId", "requestId", "AWSFunctionName", "function",
            "AWSFunctionVersion", "functionVersion", "AWS-XRAY-TRACE-ID", "xrayTraceId");
    private static final java.util.Set<String> DROPPED = java.util.Set.of("AWSFunctionArn", "AWSFunctionMemoryLimit",
            "AWSFunctionRemainingTime");

    JsonLogger(String name) {
        this.name = name;
    }

    private static Level threshold() {
        String v = System.getenv("TM_LOG_LEVEL");
        if (v == null || v.isBlank()) v = System.getProperty("TM_LOG_LEVEL");
        try {
            return v == null || v.isBlank() ? Level.INFO : Level.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.INFO;
        }
    }

    /** Set while a test captures the lines ({@link Telemetry#capture}): INFO and above, whatever the threshold. */
    static volatile Level override;

    private static boolean on(Level l) {
        Level o = override;
        return l.toInt() >= (o != null ? o : THRESHOLD).toInt();
    }

    @Override public boolean isTraceEnabled() { return on(Level.TRACE); }
    @Override public boolean isTraceEnabled(Marker marker) { return on(Level.TRACE); }
    @Override public boolean isDebugEnabled() { return on(Level.DEBUG); }
    @Override public boolean isDebugEnabled(Marker marker) { return on(Level.DEBUG); }
    @Override public boolean isInfoEnabled() { return on(Level.INFO); }
    @Override public boolean isInfoEnabled(Marker marker) { return on(Level.INFO); }
    @Override public boolean isWarnEnabled() { return on(Level.WARN); }
    @Override public boolean isWarnEnabled(Marker marker) { return on(Level.WARN); }
    @Override public boolean isErrorEnabled() { return on(Level.ERROR); }
    @Override public boolean isErrorEnabled(Marker marker) { return on(Level.ERROR); }

    @Override protected String getFullyQualifiedCallerName() { return null; }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        var formatted = MessageFormatter.basicArrayFormat(pattern, args);
        Telemetry.emit(line(level, name, formatted, t, MDC.getCopyOfContextMap()));
    }

    static String line(Level level, String logger, String message, Throwable t, Map<String, String> mdc) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"timestamp\":");
        Telemetry.quote(b, Instant.now().toString());
        b.append(",\"level\":\"").append(level.name()).append("\",\"logger\":");
        Telemetry.quote(b, logger);
        b.append(",\"message\":");
        Telemetry.quote(b, message == null ? "" : message);
        if (mdc != null) {
            for (var e : new java.util.TreeMap<>(mdc).entrySet()) {
                if (DROPPED.contains(e.getKey()) || e.getValue() == null) continue;
                b.append(',');
                Telemetry.quote(b, RENAMED.getOrDefault(e.getKey(), e.getKey()));
                b.append(':');
                Telemetry.quote(b, e.getValue());
            }
        }
        if (t != null) {
            StringWriter stack = new StringWriter();
            t.printStackTrace(new PrintWriter(stack));
            b.append(",\"error\":{\"name\":");
            Telemetry.quote(b, t.getClass().getName());
            b.append(",\"message\":");
            Telemetry.quote(b, String.valueOf(t.getMessage()));
            b.append(",\"stack\":");
            Telemetry.quote(b, stack.toString());
            b.append('}');
        }
        return b.append('}').toString();
    }
}
