package dev.tmserverless.aws.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two DynamoDB idioms every store shares: a conditional write whose lost condition is an expected outcome
 * (somebody else wrote first), and batch calls retried with backoff until DynamoDB has processed every item.
 */
final class Dynamo {
    private Dynamo() {}

    /** Runs a conditional write: true if it was written, false if its condition did not hold. */
    static boolean conditionally(Runnable write) {
        try {
            write.run();
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    static WriteRequest put(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    static WriteRequest delete(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(software.amazon.awssdk.services.dynamodb.model.DeleteRequest.builder()
                .key(key).build()).build();
    }

    /** BatchWriteItem in calls of 25, re-sending what comes back unprocessed. */
    static void batchWrite(DynamoDbClient ddb, String table, List<WriteRequest> writes) {
        batchWrite(ddb, table, writes, null);
    }

    /**
     * The time left to a writer whose unconditional writes must all have landed by a deadline; {@link #batchWrite}
     * starts no call once it is zero or less, and gives every call at most the time left.
     */
    @FunctionalInterface
    interface Deadline {
        java.time.Duration left();
    }

    /** A batch write stopped because its writer's deadline passed: some of its items may be unwritten. */
    static final class DeadlinePassed extends RuntimeException {
        DeadlinePassed() { super("the batch writer's deadline passed", null, false, false); }
    }

    /** As {@link #batchWrite(DynamoDbClient, String, List)}, every call started and ended before {@code deadline} (null: none). */
    static void batchWrite(DynamoDbClient ddb, String table, List<WriteRequest> writes, Deadline deadline) {
        for (int i = 0; i < writes.size(); i += 25) {
            Map<String, List<WriteRequest>> pending = Map.of(table, writes.subList(i, Math.min(writes.size(), i + 25)));
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                backoff(attempt, "BatchWriteItem kept leaving items unprocessed");
                var req = pending;
                java.time.Duration left = deadline == null ? null : deadline.left();
                if (left != null && left.toMillis() <= 0) throw new DeadlinePassed();
                var res = ddb.batchWriteItem(b -> {
                    b.requestItems(req);
                    // the client gives up (and does not retry) when the deadline comes during the call
                    if (left != null) b.overrideConfiguration(o -> o.apiCallTimeout(left));
                });
                pending = res.hasUnprocessedItems() ? res.unprocessedItems() : Map.of();
            }
        }
    }

    /**
     * {@link #batchWrite} with up to {@code parallelism} calls of 25 in flight at once (virtual threads; the sync
     * client is thread-safe). Returns when every item is written; the first failure is thrown after the others end.
     */
    static void batchWrite(DynamoDbClient ddb, String table, List<WriteRequest> writes, int parallelism) {
        batchWrite(ddb, table, writes, parallelism, null);
    }

    /** As {@link #batchWrite(DynamoDbClient, String, List, int)} within {@code deadline} (null: none). */
    static void batchWrite(DynamoDbClient ddb, String table, List<WriteRequest> writes, int parallelism, Deadline deadline) {
        if (parallelism <= 1 || writes.size() <= 25) {
            batchWrite(ddb, table, writes, deadline);
            return;
        }
        int calls25 = (writes.size() + 24) / 25;
        int chunk = 25 * ((calls25 + parallelism - 1) / parallelism); // whole calls of 25, spread over the threads
        List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writes.size(); i += chunk) {
                List<WriteRequest> part = writes.subList(i, Math.min(writes.size(), i + chunk));
                calls.add(pool.submit(() -> batchWrite(ddb, table, part, deadline)));
            }
        }
        waitForAll(calls);
    }

    /**
     * Puts each group of items unless its items exist ({@code attribute_not_exists(pk)}), up to {@code parallelism}
     * groups at once; a group's items are put in order and each one whose condition fails is left as it is.
     * Returns how many items were written.
     */
    static int putAllIfAbsent(DynamoDbClient ddb, String table, List<List<Map<String, AttributeValue>>> groups, int parallelism) {
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(Math.max(1, parallelism));
        List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (var group : groups) {
                inFlight.acquireUninterruptibly();
                calls.add(pool.submit(() -> {
                    try {
                        for (var item : group) {
                            // false: the item exists (written before, and perhaps changed since): it stays as it is
                            if (conditionally(() -> ddb.putItem(b -> b.tableName(table).item(item)
                                    .conditionExpression("attribute_not_exists(pk)")))) written.incrementAndGet();
                        }
                    } finally {
                        inFlight.release();
                    }
                }));
            }
        }
        waitForAll(calls);
        return written.get();
    }

    /** Waits for every call; the first failure is thrown after the others end. */
    private static void waitForAll(List<java.util.concurrent.Future<?>> calls) {
        for (var c : calls) {
            try {
                c.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Consistent BatchGetItem in calls of 100, re-asking for what comes back unprocessed; missing items are left out. */
    static List<Map<String, AttributeValue>> batchGet(DynamoDbClient ddb, String table, List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 100) {
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(i, Math.min(keys.size(), i + 100))).consistentRead(true).build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                backoff(attempt, "BatchGetItem kept leaving keys unprocessed");
                var req = pending;
                var res = ddb.batchGetItem(b -> b.requestItems(req));
                out.addAll(res.responses().getOrDefault(table, List.of()));
                pending = res.hasUnprocessedKeys() ? res.unprocessedKeys() : Map.of();
            }
        }
        return out;
    }

    /** Before retry {@code attempt}: 50 ms doubling to 1 s; gives up after 12 retries (about 8 s). */
    private static void backoff(int attempt, String givingUp) {
        if (attempt == 0) return;
        if (attempt > 12) throw new IllegalStateException(givingUp);
        try {
            Thread.sleep(Math.min(1000, 25L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
