package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tmserverless.core.geo.Aoi;
import dev.tmserverless.core.geo.TaskGrid;
import dev.tmserverless.emulators.Emulators;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A whole local stack (its JVM and its emulator processes) killed with SIGKILL while a grid job writes, then
 * started again on the same data directory: the queue kept its messages, the dead worker's slices come back after
 * their lease, and the job ends DONE with exactly its tasks, ids 1..N, each once. Uses the real function jars
 * (built earlier in the reactor). {@code -Dtm.crash.tasks=100000} runs it at the product's largest job.
 */
class CrashRecoveryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int ZOOM = 18;

    /** A square of about {@code tasks} zoom-18 tiles in Kathmandu. */
    static String aoi(int tasks) {
        double side = Math.ceil(Math.sqrt(tasks));
        double tile = 360.0 / (1 << ZOOM);
        double w = side * tile;
        double h = side * tile * Math.cos(Math.toRadians(27.7));
        double x = 85.3001;
        double y = 27.6001;
        return """
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
                 "coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}]}""".formatted(x, y, x + w, y, x + w, y + h,
                x, y + h, x, y);
    }

    record Running(Process process, List<String> output, String base) {}

    static Running start(Path data, int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1",
                "-Dtm.repo.root=" + Emulators.repoRoot(),
                // a dead worker's message comes back after 5 s; slices small enough that some finish before the kill
                "-DTM_GRID_LEASE_SECONDS=5", "-DTM_GRID_SLICE_TASKS=2000",
                "-cp", System.getProperty("java.class.path"),
                LocalStack.class.getName(), "--port", Integer.toString(port), "--data-dir", data.toString());
        Process stack = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        stack.onExit().thenRun(ready::countDown);
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stack.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    if (line.contains("Press Ctrl-C to stop.")) ready.countDown();
                }
            } catch (Exception ignored) {
                // the process ended
            }
        });
        assertThat(ready.await(120, TimeUnit.SECONDS) && stack.isAlive())
                .as("ready; output:%n%s", String.join("\n", output)).isTrue();
        return new Running(stack, output, "http://127.0.0.1:" + port);
    }

    static JsonNode send(String base, String method, String path, String auth, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + " -> " + r.body()).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    /** SIGKILL to the stack and every process it started: nothing gets to clean up. */
    static void killHard(Process stack) throws Exception {
        List<ProcessHandle> all = new ArrayList<>(stack.descendants().toList());
        assertThat(all).as("emulator processes").hasSizeGreaterThanOrEqualTo(2);
        all.add(0, stack.toHandle());
        for (ProcessHandle p : all) p.destroyForcibly();
        for (ProcessHandle p : all) p.onExit().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aStackKilledWhileAGridJobRunsFinishesTheJobExactlyAfterARestart(@TempDir Path dir) throws Exception {
        int target = Integer.getInteger("tm.crash.tasks", 20_000);
        String aoi = aoi(target);
        long expected = TaskGrid.count(Aoi.normalise(JSON.readTree(aoi)), ZOOM);
        assertThat(expected).isGreaterThan(4 * 2000L);
        Path data = dir.resolve("data");
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }

        Running first = start(data, port);
        long project;
        String admin;
        try {
            admin = send(first.base(), "GET", "/_local/login?username=admin", null, null, 200).path("authorization").asText();
            long org = send(first.base(), "POST", "/api/v2/organisations/", admin,
                    "{\"name\": \"Crash Test Org\", \"managers\": [\"admin\"]}", 201).path("organisationId").asLong();
            project = send(first.base(), "POST", "/api/v2/projects/", admin, """
                    {"projectName": "Big grid", "organisation": %d, "grid": {"zoom": %d, "clipToAoi": true},
                     "areaOfInterest": %s}""".formatted(org, ZOOM, aoi), 201).path("projectId").asLong();
            // wait until some slices are written and the job is far from done, then kill everything
            JsonNode job = null;
            for (int i = 0; i < 1200; i++) {
                job = send(first.base(), "GET", "/api/v2/projects/" + project + "/queries/grid-job", admin, null, 200);
                if (job.path("tasksWritten").asLong() >= 2000 || !job.path("state").asText().matches("QUEUED|RUNNING")) break;
                Thread.sleep(100);
            }
            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("RUNNING");
            assertThat(job.path("tasksWritten").asLong()).isBetween(2000L, expected - 2000);
        } finally {
            killHard(first.process());
        }
        Running second = start(data, port);
        try {
            // the queue kept the job's slice messages through the crash (ElasticMQ's store under the data
            // directory): the restarted stack has them before anything could send them again (only a status read
            // re-sends a job, and none has happened since the restart)
            String sqsUrl = second.output().stream().filter(l -> l.contains("SQS (ElasticMQ)")).findFirst().orElseThrow()
                    .replaceAll(".*SQS \\(ElasticMQ\\)\\s+", "").trim();
            try (var sqs = software.amazon.awssdk.services.sqs.SqsClient.builder().endpointOverride(URI.create(sqsUrl))
                    .region(software.amazon.awssdk.regions.Region.of(Emulators.REGION))
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(Emulators.ACCESS_KEY_ID,
                                    Emulators.SECRET_ACCESS_KEY)))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
                String queue = sqs.getQueueUrl(b -> b.queueName(Emulators.DEFAULT_PREFIX + "-"
                        + dev.tmserverless.core.catalogue.Resources.GRID_JOBS.id())).queueUrl();
                var counts = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                        software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                        .attributesAsStrings();
                assertThat(counts.values().stream().mapToInt(Integer::parseInt).sum()).as("slice messages kept: %s", counts)
                        .isPositive();
            }
            JsonNode job = null;
            long t0 = System.nanoTime();
            for (int i = 0; i < 3000; i++) {
                job = send(second.base(), "GET", "/api/v2/projects/" + project + "/queries/grid-job", admin, null, 200);
                if (!job.path("state").asText().matches("QUEUED|RUNNING")) break;
                Thread.sleep(100);
            }
            assertThat(job.path("state").asText()).as("%s; output:%n%s", job, String.join("\n", second.output()))
                    .isEqualTo("DONE");
            assertThat(job.path("total").asLong()).isEqualTo(expected);
            assertThat(job.path("tasksWritten").asLong()).isEqualTo(expected);
            // resumed from the kept messages and leases, far within the queue's half-hour visibility timeout
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(600);
        } finally {
            second.process().destroy(); // SIGTERM: a clean stop, so the emulators below can open the same data
            assertThat(second.process().waitFor(90, TimeUnit.SECONDS)).isTrue();
            second.process().descendants().forEach(ProcessHandle::destroyForcibly);
        }

        // the stored task items, read straight from the table: ids 1..N, none missing, none extra
        try (Emulators emulators = Emulators.start(Emulators.Options.persistent(data))) {
            String table = emulators.createResources().table();
            TreeSet<Integer> ids = new TreeSet<>();
            int items = 0;
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                var page = emulators.dynamoDb().query(b -> b.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :p AND begins_with(sk, :t)")
                        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("PROJECT#" + project),
                                ":t", AttributeValue.fromS("TASK#")))
                        .projectionExpression("sk").exclusiveStartKey(from));
                for (var item : page.items()) {
                    items++;
                    ids.add(Integer.parseInt(item.get("sk").s().substring("TASK#".length())));
                }
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? new HashMap<>(page.lastEvaluatedKey()) : null;
            } while (start != null);
            var jobItem = emulators.dynamoDb().getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("PROJECT#" + project), "sk", AttributeValue.fromS("JOB#GRID")))).item();
            assertThat(jobItem.get("state").s()).isEqualTo("DONE");
            assertThat(items).isEqualTo((int) expected);
            assertThat(ids).hasSize((int) expected);
            assertThat(ids.first()).isEqualTo(1);
            assertThat(ids.last()).isEqualTo((int) expected);
        }
    }
}
