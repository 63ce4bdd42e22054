package dev.tmserverless.local;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tmserverless.emulators.Emulators;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * EventBridge rate schedules, locally: invokes a function at a fixed rate with a scheduled-event payload, shaped
 * for the handler's input type — {@link ScheduledEvent}, a {@code Map} (also for {@code Object}, as Lambda's
 * JSON deserialisation would give), or the JSON text for {@code String}. An invocation that throws is logged; the
 * schedule goes on. Unlike EventBridge, a slow invocation delays the next one instead of overlapping it. A schedule
 * whose rule is disabled does not fire; once enabled again it fires at its next tick (the local EventBridge,
 * {@code EventRules}, holds the rules' states; docs/locking.md "Expiry").
 */
public final class Scheduler implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param id           the rule name (appears in the event's {@code resources} ARN)
     * @param function     the function id to invoke
     * @param rate         the interval between invocations
     * @param initialDelay before the first one (EventBridge: about one interval after creation)
     */
    public record Schedule(String id, String function, Duration rate, Duration initialDelay) {
        public Schedule(String id, String function, Duration rate) {
            this(id, function, rate, rate);
        }
    }

    private final List<Schedule> schedules;
    private final Map<String, FunctionInvoker> functions;
    private final Consumer<String> log;
    private final ScheduledExecutorService executor;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    private final java.util.function.Predicate<String> enabled;

    public Scheduler(List<Schedule> schedules, Map<String, FunctionInvoker> functions, Consumer<String> log) {
        this(schedules, functions, log, id -> true);
    }

    /** @param enabled whether the rule of the schedule with this id is enabled now (asked at every tick) */
    public Scheduler(List<Schedule> schedules, Map<String, FunctionInvoker> functions, Consumer<String> log,
                     java.util.function.Predicate<String> enabled) {
        this.enabled = enabled;
        this.schedules = List.copyOf(schedules);
        this.functions = Map.copyOf(functions);
        this.log = log;
        this.executor = Executors.newScheduledThreadPool(Math.max(1, Math.min(4, schedules.size())),
                Thread.ofPlatform().daemon().name("schedule-", 0).factory());
    }

    /** Starts every schedule whose function is loaded; returns those started. */
    public List<Schedule> start() {
        return schedules.stream().filter(s -> {
            if (!functions.containsKey(s.function())) {
                log.accept("WARN schedule " + s.id() + " not started: function " + s.function() + " is not loaded");
                return false;
            }
            executor.scheduleAtFixedRate(() -> tick(s), s.initialDelay().toMillis(), s.rate().toMillis(),
                    TimeUnit.MILLISECONDS);
            return true;
        }).toList();
    }

    /** One tick of the schedule's rate: fires it if its rule is enabled. True if it fired. */
    public boolean tick(Schedule schedule) {
        if (!enabled.test(schedule.id())) {
            return false;
        }
        fire(schedule);
        return true;
    }

    /** Invokes the schedule's function once, now, enabled or not; returns what it returned (null if it failed). */
    public Object fire(Schedule schedule) {
        FunctionInvoker function = functions.get(schedule.function());
        if (function == null) {
            log.accept("WARN schedule " + schedule.id() + ": function " + schedule.function() + " is not loaded");
            return null;
        }
        counts.computeIfAbsent(schedule.id(), k -> new AtomicLong()).incrementAndGet();
        try {
            return function.invoke(payload(function.inputType(), schedule.id(), Instant.now()), function.newContext());
        } catch (Exception | Error e) {
            log.accept("ERROR schedule " + schedule.id() + ": " + function.id() + " threw: " + FrontDoor.stackTrace(e));
            return null;
        }
    }

    public long invocations(String scheduleId) {
        AtomicLong count = counts.get(scheduleId);
        return count == null ? 0 : count.get();
    }

    /** The scheduled-event payload for a handler taking {@code inputType}. */
    static Object payload(Class<?> inputType, String ruleName, Instant now) {
        Instant time = now.truncatedTo(ChronoUnit.SECONDS);
        String id = UUID.randomUUID().toString();
        String ruleArn = "arn:aws:events:" + Emulators.REGION + ":" + Emulators.ACCOUNT_ID + ":rule/" + ruleName;
        if (inputType.isAssignableFrom(ScheduledEvent.class) && inputType != Object.class) {
            return new ScheduledEvent().withVersion("0").withId(id).withDetailType("Scheduled Event")
                    .withSource("aws.events").withAccount(Emulators.ACCOUNT_ID).withRegion(Emulators.REGION)
                    .withTime(new org.joda.time.DateTime(time.toEpochMilli(), org.joda.time.DateTimeZone.UTC))
                    .withResources(List.of(ruleArn)).withDetail(new LinkedHashMap<>());
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("version", "0");
        map.put("id", id);
        map.put("detail-type", "Scheduled Event");
        map.put("source", "aws.events");
        map.put("account", Emulators.ACCOUNT_ID);
        map.put("time", time.toString());
        map.put("region", Emulators.REGION);
        map.put("resources", List.of(ruleArn));
        map.put("detail", new LinkedHashMap<>());
        if (inputType.isAssignableFrom(LinkedHashMap.class)) {
            return map;
        }
        if (inputType == String.class) {
            try {
                return JSON.writeValueAsString(map);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalArgumentException("a scheduled function must take ScheduledEvent, Map, Object or String, not "
                + inputType.getName());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Convenience for tests and tools: a schedule every {@code rate} starting at once. */
    public static Schedule immediate(String id, String function, Duration rate) {
        return new Schedule(id, function, rate, Duration.ZERO);
    }
}
