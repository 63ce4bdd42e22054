package dev.tmserverless.fn.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Real concurrency for the contention tests: requests held at a gate and released at the same instant. */
final class Race implements AutoCloseable {
    private final ExecutorService pool;

    Race(int threads) {
        pool = Executors.newFixedThreadPool(threads);
    }

    /** Runs {@code n} requests released together and returns their answers in request order. */
    <T> List<T> run(int n, IntFunction<T> request) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            futures.add(pool.submit(() -> {
                go.await();
                return request.apply(k);
            }));
        }
        go.countDown();
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) out.add(f.get());
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
