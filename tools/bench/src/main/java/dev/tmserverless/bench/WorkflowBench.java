package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.store.BulkJobStore;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.domain.BulkJob;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.fn.tasks.BulkWorkerFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The task workflow's figures from one run against the local emulators, through the handlers Lambda runs:
 * <ol>
 *   <li>a validation lock of 10 tasks beside a single-task mapping lock (p50/p99 and their ratio);</li>
 *   <li>a bulk reset of a large project, from the request to the job's DONE (the request, then the bulk worker on
 *       the queue's messages);</li>
 *   <li>one task driven through many transitions with 280-character comments: every answer checked, the task item's
 *       size and the read and write units of one lock and one stop (DynamoDB's accounting, {@link CapacityMeter}) at
 *       the start and at the end, and the whole history read back at the end.</li>
 * </ol>
 * Usage: ./bench workflow [locks=200] [bulkTasks=10000] [transitions=10000] (0 leaves a part out)
 */
public final class WorkflowBench {
    private WorkflowBench() {}

    static TasksFunction fn;

    public static void main(String[] args) throws Exception {
        int locks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int bulkTasks = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int transitions = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        Emulators emulators = Emulators.shared();
        Isolated.Applied env = emulators.isolated("workflow-bench").applyAsSystemProperties();
        fn = new TasksFunction();
        Fixture fx = new Fixture(fn.getApplicationContext());
        User pm = fx.user("pm");
        System.out.println("tm-serverless workflow bench — " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println();
        CapacityMeter.enabled = true;

        if (locks > 0) locks(fx, pm, locks);
        if (bulkTasks > 0) bulkReset(fx, pm, bulkTasks);
        if (transitions > 0) history(fx, pm, transitions);

        fn.close();
        env.close();
        emulators.close();
        System.exit(0);
    }

    // --- 1. validation lock of 10 tasks beside a single lock -------------------------------------------------

    static void locks(Fixture fx, User pm, int n) {
        User mapper = fx.user("mapper");
        User validator = fx.user("validator");
        fx.users.setLevel(validator.id(), MappingLevel.INTERMEDIATE);
        String mt = Api.token(mapper.id());
        String vt = Api.token(validator.id());
        Project single = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        Project ten = mappedProject(fx, pm, mapper, 10);
        String ids = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
        StringBuilder reset = new StringBuilder("{\"resetTasks\": [");
        for (int i = 1; i <= 10; i++) reset.append(i == 1 ? "" : ", ").append("{\"taskId\": ").append(i).append('}');
        String resetBody = reset.append("]}").toString();
        List<Double> one = new ArrayList<>();
        List<Double> set = new ArrayList<>();
        List<double[]> units = new ArrayList<>();
        for (int i = -20; i < n; i++) { // 20 warm-up rounds, not counted
            CapacityMeter.reset();
            long t0 = System.nanoTime();
            ok(call("POST", "/api/v2/projects/" + single.id() + "/tasks/actions/lock-for-mapping/1/", mt, null), "lock");
            long t1 = System.nanoTime();
            CapacityMeter.Reading r1 = CapacityMeter.read();
            ok(call("POST", "/api/v2/projects/" + single.id() + "/tasks/actions/stop-mapping/1/", mt, "{}"), "stop");
            CapacityMeter.reset();
            long t2 = System.nanoTime();
            JsonNode locked = ok(call("POST", "/api/v2/projects/" + ten.id() + "/tasks/actions/lock-for-validation/", vt,
                    "{\"taskIds\": " + ids + "}"), "validation lock");
            long t3 = System.nanoTime();
            CapacityMeter.Reading r2 = CapacityMeter.read();
            if (locked.path("tasks").size() != 10) throw new IllegalStateException("validation lock answered " + locked);
            ok(call("POST", "/api/v2/projects/" + ten.id() + "/tasks/actions/stop-validation/", vt, resetBody), "stop validation");
            if (i < 0) continue;
            one.add((t1 - t0) / 1e6);
            set.add((t3 - t2) / 1e6);
            units.add(new double[]{r1.readUnits(), r1.writeUnits(), r1.calls(), r2.readUnits(), r2.writeUnits(), r2.calls()});
        }
        System.out.printf(Locale.ROOT, "Warm locks through the tasks handler against dynalite (%d each, one client, same run)%n", n);
        System.out.printf(Locale.ROOT, "  lock-for-mapping, 1 task         p50 %7.2f ms   p99 %7.2f ms   %s%n", pct(one, 50), pct(one, 99),
                unitsOf(units, 0));
        System.out.printf(Locale.ROOT, "  lock-for-validation, 10 tasks    p50 %7.2f ms   p99 %7.2f ms   %s%n", pct(set, 50), pct(set, 99),
                unitsOf(units, 3));
        System.out.printf(Locale.ROOT, "    = %.1f× the single lock at p50, %.1f× at p99 (%.2f× per task)%n",
                pct(set, 50) / pct(one, 50), pct(set, 99) / pct(one, 99), pct(set, 50) / pct(one, 50) / 10);
        System.out.println();
    }

    private static String unitsOf(List<double[]> units, int from) {
        double r = units.stream().mapToDouble(u -> u[from]).average().orElse(0);
        double w = units.stream().mapToDouble(u -> u[from + 1]).average().orElse(0);
        double c = units.stream().mapToDouble(u -> u[from + 2]).average().orElse(0);
        return String.format(Locale.ROOT, "%5.1f RCU %5.1f WCU %5.1f calls", r, w, c);
    }

    // --- 2. bulk reset of a large project ---------------------------------------------------------------------

    static void bulkReset(Fixture fx, User pm, int n) {
        User mapper = fx.user("bulk-mapper");
        Project p = mappedProject(fx, pm, mapper, n);
        SqsClient sqs = fn.getApplicationContext().getBean(SqsClient.class);
        String queue = fn.getApplicationContext().getBean(TmConfig.class).queueUrl(Resources.BULK_JOBS);
        BulkJobStore jobs = fn.getApplicationContext().getBean(BulkJobStore.class);
        try (BulkWorkerFunction worker = new BulkWorkerFunction()) {
            long t0 = System.nanoTime();
            ok(call("POST", "/api/v2/projects/" + p.id() + "/tasks/actions/reset-all/", Api.token(pm.id()), null), "reset-all");
            long t1 = System.nanoTime();
            int slices = 0;
            BulkJob job = jobs.latest(p.id()).orElseThrow();
            while (job.state() != BulkJob.State.DONE && job.state() != BulkJob.State.FAILED) {
                List<Message> ms = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(1).waitTimeSeconds(1)).messages();
                if (ms.isEmpty()) throw new IllegalStateException("the job waits but its queue is empty: " + job);
                Message m = ms.get(0);
                SQSEvent.SQSMessage s = new SQSEvent.SQSMessage();
                s.setMessageId(m.messageId());
                s.setBody(m.body());
                s.setAttributes(Map.of("ApproximateReceiveCount", "1"));
                SQSEvent e = new SQSEvent();
                e.setRecords(List.of(s));
                worker.handleRequest(e, new Api.TestContext());
                sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle()));
                slices++;
                job = jobs.latest(p.id()).orElseThrow();
            }
            long t2 = System.nanoTime();
            var counters = fx.projects.get(p.id()).orElseThrow().counters();
            double seconds = (t2 - t0) / 1e9;
            System.out.printf(Locale.ROOT, "Bulk reset-all of %,d MAPPED tasks (request, then the bulk worker on the queue)%n", n);
            System.out.printf(Locale.ROOT, "  request answered            %8.0f ms   (job %s, %d tasks)%n", (t1 - t0) / 1e6, "queued", job.total());
            System.out.printf(Locale.ROOT, "  request to job DONE         %8.1f s    %,.0f tasks/s   (%d slice%s, %,d changed, state %s)%n",
                    seconds, n / seconds, slices, slices == 1 ? "" : "s", job.changed(), job.state());
            System.out.printf(Locale.ROOT, "  counters afterwards         mapped %d, validated %d, bad imagery %d%n",
                    counters.tasksMapped(), counters.tasksValidated(), counters.tasksBadImagery());
            System.out.println();
        }
    }

    // --- 3. one task through many transitions -----------------------------------------------------------------

    static void history(Fixture fx, User pm, int transitions) {
        User mapper = fx.user("busy-mapper");
        String token = Api.token(mapper.id());
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, 1);
        String comment = "Roads traced, buildings checked against the imagery; ".repeat(6).substring(0, 280);
        DynamoDbClient ddb = fn.getApplicationContext().getBean(DynamoDbClient.class);
        String table = fn.getApplicationContext().getBean(TmConfig.class).table();
        TaskStore tasks = fx.tasks;
        String lock = "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/1/";
        String stop = "/api/v2/projects/" + p.id() + "/tasks/actions/stop-mapping/1/";
        String stopBody = "{\"comment\": \"" + comment + "\"}";
        List<String> sample = new ArrayList<>();
        int rows = 0;
        long t0 = System.nanoTime();
        for (int i = 1; i <= transitions; i++) {
            boolean locking = i % 2 == 1;
            boolean measure = i <= 2 || i > transitions - 2 || i == 10 || i == 9;
            if (measure) CapacityMeter.reset();
            long s = System.nanoTime();
            Api.Answer a = call("POST", locking ? lock : stop, token, locking ? null : stopBody);
            double ms = (System.nanoTime() - s) / 1e6;
            CapacityMeter.Reading r = CapacityMeter.read();
            JsonNode dto = ok(a, "transition " + i);
            rows++; // a lock adds its row; a stop adds its comment and closes the lock row
            JsonNode h = dto.path("taskHistory");
            String status = dto.path("taskStatus").asText();
            boolean right = locking
                    ? "LOCKED_FOR_MAPPING".equals(status) && "LOCKED_FOR_MAPPING".equals(h.get(0).path("action").asText())
                            && h.get(0).path("actionText").isNull()
                    : "READY".equals(status) && "COMMENT".equals(h.get(0).path("action").asText())
                            && comment.equals(h.get(0).path("actionText").asText())
                            && "LOCKED_FOR_MAPPING".equals(h.get(1).path("action").asText()) && !h.get(1).path("actionText").isNull();
            // the answer shows the rows the item keeps, newest first and without a gap (docs/workflow.md)
            boolean window = h.size() <= 43 && h.size() >= Math.min(rows, 40);
            for (int k = 0; k < Math.min(rows, 40) && window; k++) window = h.get(k).path("historyId").asInt() == rows - k;
            if (!right || !window) {
                throw new IllegalStateException("transition " + i + " answered wrongly: " + status + " " + h.size() + " rows, newest "
                        + h.get(0));
            }
            if (measure && (i == 9 || i == 10 || i == transitions - 1 || i == transitions)) {
                var item = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of(
                        "pk", AttributeValue.fromS("PROJECT#" + p.id()), "sk", AttributeValue.fromS(String.format("TASK#%07d", 1))))).item();
                sample.add(String.format(Locale.ROOT, "  %-5s after %,6d transitions (%,6d rows)   item %,7d B   transition %5.1f RCU %5.1f WCU   answer's history %6.1f RCU   %3d calls   answer %,9d B   %6.1f ms",
                        locking ? "lock" : "stop", i, rows, CapacityMeter.itemBytes(item), r.readUnits() - r.historyReadUnits(),
                        r.writeUnits(), r.historyReadUnits(), r.calls(), a.body().length(), ms));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // the whole history read back: GET the task (every row), and the project's activity (every row but comments)
        CapacityMeter.reset();
        long g0 = System.nanoTime();
        JsonNode whole = ok(call("GET", "/api/v2/projects/" + p.id() + "/tasks/1/", null, null), "GET task");
        double getMs = (System.nanoTime() - g0) / 1e6;
        CapacityMeter.Reading gr = CapacityMeter.read();
        JsonNode hist = whole.path("taskHistory");
        for (int i = 0; i < hist.size(); i++) {
            JsonNode e = hist.get(i);
            int id = rows - i;
            boolean isLock = id % 2 == 1;
            if (e.path("historyId").asInt() != id || !(isLock ? "LOCKED_FOR_MAPPING" : "COMMENT").equals(e.path("action").asText())
                    || (!isLock && !comment.equals(e.path("actionText").asText())) || (isLock && e.path("actionText").isNull()
                    && i > 0)) {
                throw new IllegalStateException("history row " + i + " of the task read is wrong: " + e);
            }
        }
        if (hist.size() != rows) throw new IllegalStateException("the task read shows " + hist.size() + " of " + rows + " rows");
        JsonNode activity = ok(call("GET", "/api/v2/projects/" + p.id() + "/activities/", null, null), "activities");
        long listed = activity.path("pagination").path("total").asLong();
        if (listed != (rows + 1) / 2) throw new IllegalStateException("activities list " + listed + " rows, expected " + (rows + 1) / 2);
        var archive = ddb.query(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :h)").select("COUNT")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("PROJECT#" + p.id()), ":h", AttributeValue.fromS("TASKHIST#"))));
        Task stored = tasks.get(p.id(), 1).orElseThrow();
        System.out.printf(Locale.ROOT, "One task through %,d transitions (lock, stop with a 280-character comment), every answer checked (%.0f s)%n",
                transitions, seconds);
        sample.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "  the task item keeps %d rows; %,d archive items hold the rest%n", stored.history().size(), archive.count());
        System.out.printf(Locale.ROOT, "  GET the task: all %,d rows, newest first, checked one by one   %,.0f ms   %.1f RCU in %d calls   answer %,d B%n",
                hist.size(), getMs, gr.readUnits(), gr.calls(), whole.toString().length());
        System.out.printf(Locale.ROOT, "  GET activities: %,d rows listed (every row but comments)%n", listed);
        System.out.println();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** A published project of {@code n} tasks MAPPED by {@code mapper}, each with the STATE_CHANGE row that says so. */
    static Project mappedProject(Fixture fx, User pm, User mapper, int n) {
        List<TaskStore.NewTask> ts = new ArrayList<>();
        Instant at = Instant.now().minusSeconds(60);
        for (int i = 1; i <= n; i++) {
            Task t = Task.ready(0, i, 100_000 + i % 1000, 100_000 + i / 1000, 18, true).withStatus(TaskStatus.MAPPED)
                    .withMappedBy(mapper.id())
                    .withHistory(List.of(new HistoryEntry(1, TaskAction.STATE_CHANGE, "MAPPED", at, mapper.id(), mapper.username())));
            ts.add(new TaskStore.NewTask(t, null));
        }
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, ts, "");
        fx.projects.addCounters(p.id(), new dev.tmserverless.core.domain.CounterDelta(n, 0, 0));
        return p;
    }

    static Api.Answer call(String method, String path, String token, String body) {
        return Api.call(fn, method, path, token, body);
    }

    static JsonNode ok(Api.Answer a, String what) {
        if (a.status() != 200) throw new IllegalStateException(what + " answered " + a.status() + ": " + a.body());
        return a.json();
    }

    static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
