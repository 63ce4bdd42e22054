package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.GridJob;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.geo.Aoi;
import dev.tmserverless.core.geo.GeoJson;
import dev.tmserverless.core.geo.TaskGrid;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.TableStream;
import dev.tmserverless.fn.grid.GridWorkerFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.locationtech.jts.geom.MultiPolygon;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A grid job of about {@code tasks} tasks (zoom 18, clipped, Kathmandu) from its queue message to DONE, as the local
 * stack runs it: the real ElasticMQ queue drained by pollers that invoke the grid worker like Lambda's event source
 * mapping (one message per invocation, deleted unless reported failed), every DynamoDB call through the stream
 * emulation in front of dynalite. Side by side in one run: the whole job written by one invocation (one slice)
 * and the job fanned out into slices written by concurrent invocations (docs/grid-jobs.md), then the same fan-out
 * with every slice written as a redelivery writes it (conditional puts that leave existing tasks alone); then, as
 * the floor under the batch rows, the same number of bare task-sized items batch-written with nothing else.
 *
 * <p>Usage: {@code ./bench gridjob [tasks=100000] [sliceTasks=5000] [invocations=8]}
 */
public final class GridJobBench {
    private GridJobBench() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int sliceTasks = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int invocations = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Emulators emulators = Emulators.shared();
        // nobody reads the bench's stream: it keeps the newest records only, as a stream's retention would
        TableStream stream = TableStream.start(emulators.dynamoDbEndpoint(), emulators.dynamoDb(), (pk, sk) -> true,
                new TableStream.Retention(false, 20_000));
        Isolated iso = emulators.isolated("gridjob-bench");
        Isolated.Applied env = iso.applyAsSystemProperties();
        System.setProperty(Emulators.ENV_ENDPOINT_DYNAMODB, stream.endpoint().toString());
        System.setProperty("TM_MAX_TASKS", Integer.toString(Math.max(tasks * 2, 100_000)));

        double side = Math.ceil(Math.sqrt(tasks));
        double tile = 360.0 / (1 << 18);
        double w = side * tile;
        double h = side * tile * Math.cos(Math.toRadians(27.7));
        MultiPolygon aoi = Aoi.normalise(Json.parse("""
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
                 "coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}]}""".formatted(85.3001, 27.6001,
                85.3001 + w, 27.6001, 85.3001 + w, 27.6001 + h, 85.3001, 27.6001 + h, 85.3001, 27.6001)));
        long n = TaskGrid.count(aoi, 18);
        System.out.printf("tm-serverless grid-job bench — %d cores, %s %s%n%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("Grid job of %d clipped tasks at zoom 18 (%.1f km²), queue message to DONE through ElasticMQ,%n"
                + "the grid worker and the stream emulation in front of dynalite%n", n, Aoi.geodesicAreaKm2(aoi));
        double[] seconds = new double[3];
        String[] labels = {
                "one invocation writes the whole job (1 slice)            ",
                String.format("fanned out: slices of %,d, %d invocations at once  ", sliceTasks, invocations),
                "fanned out, each slice as a redelivery (conditional puts) "};
        int[][] settings = {{(int) Math.max(n, 1), 1}, {sliceTasks, invocations}, {sliceTasks, invocations}};
        for (int k = 0; k < 3; k++) {
            System.setProperty("TM_GRID_SLICE_TASKS", Integer.toString(settings[k][0]));
            GridWorkerFunction worker = new GridWorkerFunction();
            Fixture fx = new Fixture(worker.getApplicationContext());
            User pm = fx.user("bench-pm");
            BlobStore blobs = worker.getApplicationContext().getBean(BlobStore.class);
            SqsClient sqs = worker.getApplicationContext().getBean(SqsClient.class);
            String url = iso.queueUrl(Resources.GRID_JOBS);
            long id = fx.counters.next("PROJECT");
            fx.projects.create(Project.draft(id, "bench", pm, 1, "GRID", false, "OSM", new double[4], new double[2], 1, Instant.now()));
            blobs.put(BlobStore.aoiKey(id), Json.write(GeoJson.write(aoi)));
            fx.jobs.put(new GridJob(id, GridJob.State.QUEUED, "GRID", 18, true, null, 0, null, Instant.now()));
            if (k == 2) {
                // every slice marked as started by an earlier delivery whose claim has lapsed (docs/grid-jobs.md
                // "Who may overwrite a task"): each is written as a redelivery writes it, one conditional put per item
                var ddb = worker.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
                String table = worker.getApplicationContext().getBean(dev.tmserverless.aws.config.TmConfig.class).table();
                for (long slice = 0; slice < (n + sliceTasks - 1) / sliceTasks; slice++) {
                    String attr = "claim" + slice;
                    ddb.updateItem(b -> b.tableName(table).key(java.util.Map.of("pk", AttributeValue.fromS("PROJECT#" + id),
                                    "sk", AttributeValue.fromS("JOB#GRID")))
                            .updateExpression("SET #c = :c").expressionAttributeNames(java.util.Map.of("#c", attr))
                            .expressionAttributeValues(java.util.Map.of(":c", AttributeValue.fromM(java.util.Map.of(
                                    "t", AttributeValue.fromS("lapsed"), "u", AttributeValue.fromN("0"))))));
                }
            }

            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> pollers = new ArrayList<>();
            long t0 = System.nanoTime();
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"projectId\":" + id + "}"));
            for (int p = 0; p < settings[k][1]; p++) {
                pollers.add(Thread.ofVirtual().start(() -> poll(worker, sqs, url, running)));
            }
            GridJob job;
            while (true) {
                job = fx.jobs.get(id).orElseThrow();
                if (job.state() == GridJob.State.DONE || job.state() == GridJob.State.FAILED) break;
                Thread.sleep(50);
            }
            seconds[k] = (System.nanoTime() - t0) / 1e9;
            running.set(false);
            for (Thread t : pollers) t.join();
            System.out.printf("  %s %6.1f s   %7.0f tasks/s   (state %s, %d tasks recorded)%n", labels[k], seconds[k],
                    n / seconds[k], job.state(), job.written());
            worker.close();
        }
        System.out.printf("    = fan-out %.2f× the single invocation; a job written as redeliveries takes %.2f× the fan-out%n",
                seconds[0] / seconds[1], seconds[2] / seconds[1]);
        // the floor under both: the same number of task-sized items and nothing else (no worker, no geometry, no job
        // reads), BatchWriteItem calls of 25 with 8 in flight, into dynalite through the stream emulation as the
        // local stack writes, then straight into dynalite
        String table = iso.table();
        var streamed = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                .endpointOverride(stream.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build();
        double rawStream = rawWrites(streamed, table, "RAWSTREAM", (int) n);
        double rawDirect = rawWrites(emulators.dynamoDb(), table, "RAWDIRECT", (int) n);
        System.out.printf("  %,d task-sized items alone, 8 BatchWriteItem calls in flight, through the stream emulation %6.1f s   %7.0f items/s%n",
                n, rawStream, n / rawStream);
        System.out.printf("  the same straight into dynalite                                                %6.1f s   %7.0f items/s%n",
                rawDirect, n / rawDirect);
        System.out.printf("    = the fanned-out job takes %.2f× the bare writes through the stream emulation%n", seconds[1] / rawStream);
        streamed.close();
        env.close();
        stream.close();
    }

    /** One poller of the event source mapping: one message per invocation, deleted unless reported failed. */
    private static void poll(GridWorkerFunction worker, SqsClient sqs, String url, AtomicBoolean running) {
        while (running.get()) {
            var messages = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            for (var msg : messages) {
                SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
                m.setMessageId(msg.messageId());
                m.setReceiptHandle(msg.receiptHandle());
                m.setBody(msg.body());
                m.setAttributes(msg.attributesAsStrings());
                SQSEvent e = new SQSEvent();
                e.setRecords(List.of(m));
                SQSBatchResponse r = worker.handleRequest(e, new Api.TestContext());
                if (r.getBatchItemFailures().isEmpty()) {
                    sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(msg.receiptHandle()));
                }
            }
        }
    }

    /** Seconds to write {@code n} items of about a task item's size (700 bytes) under {@code pk}, 8 batch calls in flight. */
    private static double rawWrites(software.amazon.awssdk.services.dynamodb.DynamoDbClient ddb, String table, String pk, int n)
            throws Exception {
        String filler = "x".repeat(600);
        long t0 = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(8);
            for (int from = 1; from <= n; from += 25) {
                int start = from;
                inFlight.acquire();
                calls.add(pool.submit(() -> {
                    try {
                        List<software.amazon.awssdk.services.dynamodb.model.WriteRequest> puts = new ArrayList<>();
                        for (int i = start; i < Math.min(n + 1, start + 25); i++) {
                            var item = java.util.Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(pk),
                                    "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(String.format("TASK#%07d", i)),
                                    "status", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("READY"),
                                    "shape", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(filler));
                            puts.add(software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder().putRequest(r -> r.item(item)).build());
                        }
                        var left = java.util.Map.of(table, puts);
                        while (!left.isEmpty() && !left.getOrDefault(table, List.of()).isEmpty()) {
                            var req = left;
                            left = ddb.batchWriteItem(b -> b.requestItems(req)).unprocessedItems();
                        }
                    } finally {
                        inFlight.release();
                    }
                    return null;
                }));
            }
            for (var c : calls) c.get();
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
