package dev.tmserverless.emulators;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Lambda's event source mapping for a DynamoDB stream, over a {@link TableStream.Log}: one reader per stream (as
 * with one shard and a parallelization factor of 1), batches of up to {@code batchSize} records in stream order,
 * records the filter drops never delivered, and the deployed failure handling: a response that names failed
 * records ({@code ReportBatchItemFailures}) is retried from the first of them; a batch whose invocation throws
 * is split in two and each half retried on its own (bisect on error); after {@code maxRetries} retries of a
 * batch its records go to the on-failure destination and reading goes on.
 */
public final class StreamPoller implements AutoCloseable {
    private final TableStream.Log log;
    private final int batchSize;
    private final int maxRetries;
    private final Predicate<DynamodbEvent.DynamodbStreamRecord> filter;
    private final Function<DynamodbEvent, Object> handler;
    private final Consumer<List<DynamodbEvent.DynamodbStreamRecord>> onFailure;
    private final Consumer<String> logLine;
    private final Thread thread;
    private volatile boolean closed;
    private int position;
    private long invocations;

    /**
     * @param filter    records to deliver (the event source mapping's filter criteria)
     * @param handler   the function: takes the event, answers a {@link StreamsEventResponse} (or anything else:
     *                  no failures)
     * @param onFailure the on-failure destination: batches given up after their retries
     */
    public StreamPoller(TableStream.Log log, int batchSize, int maxRetries,
                        Predicate<DynamodbEvent.DynamodbStreamRecord> filter, Function<DynamodbEvent, Object> handler,
                        Consumer<List<DynamodbEvent.DynamodbStreamRecord>> onFailure, Consumer<String> logLine) {
        this.log = log;
        this.batchSize = batchSize;
        this.maxRetries = maxRetries;
        this.filter = filter;
        this.handler = handler;
        this.onFailure = onFailure;
        this.logLine = logLine;
        this.thread = Thread.ofPlatform().daemon().name("tm-stream-" + log.table).unstarted(this::run);
        log.register(this, 0);
    }

    public StreamPoller start() {
        thread.start();
        return this;
    }

    /** Records read so far (delivered, filtered out or given up). */
    public synchronized int position() {
        return position;
    }

    public synchronized long invocations() {
        return invocations;
    }

    /**
     * Waits until every record appended to the stream before this call has been handled (or given up), at most
     * {@code millis}; true if so.
     */
    public boolean awaitCaughtUp(long millis) throws InterruptedException {
        int target = log.size();
        long end = System.currentTimeMillis() + millis;
        synchronized (this) {
            while (position < target) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) return false;
                wait(left);
            }
        }
        return true;
    }

    private void run() {
        while (!closed) {
            int from;
            synchronized (this) {
                from = position;
            }
            try {
                if (!log.awaitBeyond(from, 200)) continue;
            } catch (InterruptedException e) {
                return;
            }
            List<DynamodbEvent.DynamodbStreamRecord> read;
            try {
                read = log.read(from, batchSize);
            } catch (TableStream.TrimmedException e) {
                // records expired unread, as after a stream's 24-hour retention: the reconciliation repairs them
                logLine.accept("stream " + log.table + ": " + (e.firstKept - from) + " record(s) expired before"
                        + " they were read");
                synchronized (this) {
                    position = e.firstKept;
                    notifyAll();
                }
                continue;
            }
            List<DynamodbEvent.DynamodbStreamRecord> batch = read.stream().filter(filter).toList();
            if (!batch.isEmpty()) deliver(batch, 0);
            log.advance(this, from + read.size());
            synchronized (this) {
                position = from + read.size();
                notifyAll();
            }
        }
    }

    /** Delivers a batch until it succeeds or its retries are spent. */
    private void deliver(List<DynamodbEvent.DynamodbStreamRecord> batch, int retriesSoFar) {
        List<DynamodbEvent.DynamodbStreamRecord> pending = batch;
        int retries = retriesSoFar;
        while (!pending.isEmpty() && !closed) {
            Object result;
            try {
                DynamodbEvent event = new DynamodbEvent();
                event.setRecords(new ArrayList<>(pending));
                synchronized (this) {
                    invocations++;
                }
                result = handler.apply(event);
            } catch (RuntimeException e) {
                logLine.accept("stream " + log.table + ": invocation failed (" + e + ")");
                if (pending.size() > 1) {
                    int half = pending.size() / 2;
                    deliver(pending.subList(0, half), retries + 1);
                    deliver(pending.subList(half, pending.size()), retries + 1);
                    return;
                }
                if (++retries > maxRetries) {
                    giveUp(pending);
                    return;
                }
                continue;
            }
            int firstFailed = firstFailed(pending, result);
            if (firstFailed < 0) return;
            if (++retries > maxRetries) {
                giveUp(pending.subList(firstFailed, pending.size()));
                return;
            }
            pending = pending.subList(firstFailed, pending.size());
        }
    }

    private static int firstFailed(List<DynamodbEvent.DynamodbStreamRecord> batch, Object result) {
        if (!(result instanceof StreamsEventResponse r) || r.getBatchItemFailures() == null) return -1;
        int first = -1;
        for (var f : r.getBatchItemFailures()) {
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).getDynamodb().getSequenceNumber().equals(f.getItemIdentifier())
                        && (first < 0 || i < first)) first = i;
            }
        }
        return first;
    }

    private void giveUp(List<DynamodbEvent.DynamodbStreamRecord> records) {
        logLine.accept("stream " + log.table + ": " + records.size() + " record(s) sent to the on-failure destination");
        onFailure.accept(List.copyOf(records));
    }

    @Override
    public void close() {
        closed = true;
        log.unregister(this);
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
