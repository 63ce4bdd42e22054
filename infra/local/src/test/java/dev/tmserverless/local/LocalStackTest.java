package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.core.catalogue.Cors;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack assembled: test functions from a jar, routed, polled, and everything stopped at the end. */
class LocalStackTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void servesRoutesFeedsQueueConsumersToleratesMissingJarsAndStopsEverything(@TempDir Path dir) throws Exception {
        Path functionsRoot = dir.resolve("functions");
        TestJars.functionJar(functionsRoot, "probe");
        TestJars.functionJar(functionsRoot, "probe-consumer");
        List<Resources.Function> functions = List.of(
                new Resources.Function("probe", "probe", "dev.tmserverless.local.testfn.ProbeFunction", 256, 5,
                        Set.of(), true),
                // stands in for the catalogue's consumer of the grid-jobs queue
                new Resources.Function(Resources.GRID_JOBS.consumer(), "probe-consumer",
                        "dev.tmserverless.local.testfn.ProbeConsumer", 256, 5, Set.of(), false),
                new Resources.Function("missing", "missing", "dev.tmserverless.fn.Missing", 256, 5, Set.of(), true));
        List<Resources.Route> routes = List.of(
                new Resources.Route("GET", "/probe/{id}", "probe"),
                new Resources.Route("GET", "/missing", "missing"));
        List<String> log = new CopyOnWriteArrayList<>();
        List<Long> pids;
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>web app</title>");
        WebEdge web = new WebEdge(Cors.parse("http://localhost:3000"), StaticSite.of(site));
        try (LocalStack stack = LocalStack.start(LocalStack.Config.defaults().withDataDir(null).withPort(0)
                .withFunctions(functionsRoot, functions, routes).withPolling(1, 1, 1).withLog(log::add), web)) {
            pids = stack.emulators().childPids();
            assertThat(stack.functions()).containsOnlyKeys("probe", Resources.GRID_JOBS.consumer());
            assertThat(stack.unavailable().get("missing"))
                    .contains("mvn -pl functions/missing -am package -DskipTests");
            assertThat(String.join("\n", log)).contains("ready in").contains(stack.apiUrl().toString())
                    .contains("NOT LOADED").contains("tm-grid-jobs")
                    .contains("Web frontend          " + stack.apiUrl() + "/   from " + site.toRealPath())
                    .contains("CORS origins          http://localhost:3000");

            HttpResponse<String> probe = get(stack.apiUrl() + "/probe/5/");
            assertThat(probe.statusCode()).isEqualTo(200);
            assertThat(probe.body()).contains("\"seesLocalStack\":false").contains("\"param\":\"5\"")
                    .contains("\"setting\":\"tm-main\"");
            assertThat(get(stack.apiUrl() + "/probe/fail").statusCode()).isEqualTo(500);
            assertThat(get(stack.apiUrl() + "/missing/").statusCode()).isEqualTo(500);
            assertThat(get(stack.apiUrl() + "/api/nowhere").statusCode()).isEqualTo(404);
            HttpResponse<String> app = get(stack.apiUrl() + "/nowhere");
            assertThat(app.statusCode()).isEqualTo(200);
            assertThat(app.body()).contains("web app");
            assertThat(get(stack.apiUrl() + "/_local/login?username=admin").statusCode()).isEqualTo(502);

            // the catalogue's lock sweep: its rule is named to the functions, answered over EventBridge's JSON
            // protocol, and the stack's Scheduler fires the schedule only while the rule is enabled
            String rule = System.getProperty(Resources.LOCK_SWEEP_RULE_ENV);
            assertThat(rule).isEqualTo(Emulators.DEFAULT_PREFIX + "-" + Resources.LOCK_SWEEP.id());
            String events = System.getProperty(Emulators.ENV_ENDPOINT_EVENTS);
            assertThat(events).isEqualTo(stack.emulators().rules().endpoint().toString());
            Scheduler.Schedule sweep = new Scheduler.Schedule(Resources.LOCK_SWEEP.id(), "probe", Duration.ofMinutes(1));
            assertThat(eventBridge(events, "DisableRule", rule).statusCode()).isEqualTo(200);
            assertThat(eventBridge(events, "DescribeRule", rule).body()).contains("\"State\":\"DISABLED\"");
            assertThat(stack.scheduler().tick(sweep)).isFalse();
            assertThat(eventBridge(events, "EnableRule", rule).statusCode()).isEqualTo(200);
            assertThat(stack.scheduler().tick(sweep)).isTrue();
            HttpResponse<String> unknown = eventBridge(events, "EnableRule", "no-such-rule");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("ResourceNotFoundException");

            String queueUrl = System.getProperty(Resources.GRID_JOBS.envVar());
            stack.emulators().sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("job-1"));
            Object consumer = stack.functions().get(Resources.GRID_JOBS.consumer()).handler();
            QueuePollerTest.await(() -> received(consumer).contains("job-1"), Duration.ofSeconds(10));
        }
        assertThat(pids).isNotEmpty().allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    }

    @SuppressWarnings("unchecked")
    private static List<String> received(Object consumer) {
        try {
            return (List<String>) consumer.getClass().getMethod("received").invoke(consumer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One EventBridge call as the SDK sends it (JSON 1.1, the operation in X-Amz-Target). */
    private static HttpResponse<String> eventBridge(String endpoint, String operation, String rule) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", "AWSEvents." + operation)
                .POST(HttpRequest.BodyPublishers.ofString("{\"Name\":\"" + rule + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
