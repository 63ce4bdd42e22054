package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.testing.Api;

/**
 * Runs in a fresh JVM on the tasks function's own deployment jar: constructs the handler as the Lambda
 * runtime would and answers one lock request. Arguments: project id, task ids (comma-separated; the first is
 * locked), Authorization header. Prints the handler's construction time ("init-ms") and the lock's own time
 * ("request-ms").
 *
 * <p>With more than one task id it is an AOT cache's training run: after the answer it goes on as a mapper's
 * session would (priming, a read of the task, unlock, a second lock refused, lock, stop, a missing task, unlock),
 * so that the cache holds the classes and method profiles of the function's usual work, not only of one lock.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    /** Tasks a training run works on: the answered lock, then four pairs. */
    static final int TRAINING_TASKS = 9;

    public static void main(String[] args) {
        String[] tasks = args[1].split(",");
        long t0 = System.nanoTime();
        TasksFunction fn = new TasksFunction();
        // what SnapStart's beforeCheckpoint runs, when asked (the bench's "after priming" rows)
        if (Boolean.getBoolean("tm.bench.prime")) fn.prime();
        long t1 = System.nanoTime();
        APIGatewayV2HTTPResponse r = fn.handleRequest(Api.event("POST",
                "/api/v2/projects/" + args[0] + "/tasks/actions/lock-for-mapping/" + tasks[0] + "/", args[2], null),
                new Api.TestContext());
        long t2 = System.nanoTime();
        System.out.println("answered " + r.getStatusCode());
        System.out.println("init-ms " + (t1 - t0) / 1e6);
        System.out.println("request-ms " + (t2 - t1) / 1e6);
        if (tasks.length > 1) train(fn, args[0], tasks, args[2]);
        System.exit(r.getStatusCode() == 200 ? 0 : 1);
    }

    private static void train(TasksFunction fn, String project, String[] tasks, String token) {
        fn.prime();
        String base = "/api/v2/projects/" + project + "/tasks/";
        for (int i = 0; i + 1 < tasks.length; i += 2) {
            String a = tasks[i], b = tasks[i + 1];
            if (i > 0) expect(fn, 200, "POST", base + "actions/lock-for-mapping/" + a + "/", token, null);
            expect(fn, 200, "GET", base + a + "/", token, null);
            expect(fn, 200, "GET", base + a + "/", null, null);
            expect(fn, 403, "POST", base + "actions/lock-for-mapping/" + b + "/", token, null);
            expect(fn, 200, "POST", base + "actions/stop-mapping/" + a + "/", token, "{\"comment\": \"later\"}");
            expect(fn, 200, "POST", base + "actions/lock-for-mapping/" + b + "/", token, null);
            expect(fn, 404, "GET", base + "999999/", token, null);
            expect(fn, 200, "POST", base + "actions/unlock-after-mapping/" + b + "/", token, "{\"status\": \"MAPPED\"}");
        }
    }

    private static void expect(TasksFunction fn, int status, String method, String path, String token, String body) {
        int got = fn.handleRequest(Api.event(method, path, token, body), new Api.TestContext()).getStatusCode();
        if (got != status) throw new IllegalStateException(method + " " + path + " answered " + got + ", not " + status);
    }
}
