package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    static final class Sweeper implements RequestHandler<ScheduledEvent, String> {
        final List<ScheduledEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public String handleRequest(ScheduledEvent event, Context context) {
            events.add(event);
            if (events.size() == 2) {
                throw new IllegalStateException("one bad run must not stop the schedule");
            }
            return "swept";
        }
    }

    static final class MapSweeper implements RequestHandler<Map<String, Object>, Void> {
        final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();

        @Override
        public Void handleRequest(Map<String, Object> event, Context context) {
            events.add(event);
            return null;
        }
    }

    @Test
    void invokesAtAFixedRateWithAScheduledEventAndSurvivesFailures() {
        Sweeper sweeper = new Sweeper();
        MapSweeper mapSweeper = new MapSweeper();
        List<String> log = new CopyOnWriteArrayList<>();
        Instant start = Instant.now();
        try (Scheduler scheduler = new Scheduler(List.of(
                Scheduler.immediate("sweep", "sweeper", Duration.ofMillis(100)),
                Scheduler.immediate("sweep-map", "map-sweeper", Duration.ofMillis(100)),
                Scheduler.immediate("orphan", "not-loaded", Duration.ofMillis(100))),
                Map.of("sweeper", FunctionInvoker.of("sweeper", 256, 60, sweeper),
                        "map-sweeper", FunctionInvoker.of("map-sweeper", 256, 60, mapSweeper)), log::add)) {
            assertThat(scheduler.start()).extracting(Scheduler.Schedule::id).containsExactly("sweep", "sweep-map");
            QueuePollerTest.await(() -> sweeper.events.size() >= 4 && mapSweeper.events.size() >= 4,
                    Duration.ofSeconds(5));
            assertThat(scheduler.invocations("sweep")).isGreaterThanOrEqualTo(4);
        }
        ScheduledEvent event = sweeper.events.getFirst();
        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(event.getResources()).containsExactly("arn:aws:events:us-east-1:000000000000:rule/sweep");
        assertThat(event.getTime().getMillis()).isBetween(start.toEpochMilli() - 1000, Instant.now().toEpochMilli());
        assertThat(event.getId()).isNotBlank();
        assertThat(mapSweeper.events.getFirst()).containsEntry("detail-type", "Scheduled Event")
                .containsEntry("source", "aws.events").containsKey("time");
        assertThat(String.join("\n", log)).contains("one bad run").contains("orphan");
    }

    /** A schedule whose rule is disabled does not fire; enabled again, it fires at its next tick. */
    @Test
    void aDisabledRuleStopsItsScheduleUntilEnabled() {
        MapSweeper handler = new MapSweeper();
        java.util.Set<String> disabled = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Scheduler.Schedule sweep = Scheduler.immediate("sweep", "sweeper", Duration.ofMinutes(1));
        try (Scheduler scheduler = new Scheduler(List.of(sweep),
                Map.of("sweeper", FunctionInvoker.of("sweeper", 256, 60, handler)), line -> { },
                id -> !disabled.contains(id))) {
            assertThat(scheduler.tick(sweep)).isTrue();
            disabled.add("sweep");
            assertThat(scheduler.tick(sweep)).isFalse();
            assertThat(scheduler.tick(sweep)).isFalse();
            assertThat(scheduler.invocations("sweep")).isEqualTo(1);
            disabled.remove("sweep");
            assertThat(scheduler.tick(sweep)).isTrue();
            assertThat(handler.events).hasSize(2);
        }
    }

    @Test
    void payloadFollowsTheHandlerInputType() {
        Instant now = Instant.parse("2030-01-02T03:04:05.678Z");
        assertThat(Scheduler.payload(ScheduledEvent.class, "r", now)).isInstanceOf(ScheduledEvent.class);
        assertThat(Scheduler.payload(Object.class, "r", now)).isInstanceOf(Map.class);
        assertThat((String) Scheduler.payload(String.class, "r", now)).contains("\"time\":\"2030-01-02T03:04:05Z\"");
    }
}
