package dev.tmserverless.fn.stats;

import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.fn.users.UsersFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;

/**
 * {@code ./bench stats}: on the local stack's pieces (dynalite behind the stream emulation, the stats function fed
 * by the stream poller, the HTTP handlers): aggregation lag from a committed transition to the project statistics
 * route showing it; warm statistics reads beside a single-GetItem route through the same handler; records per
 * second one aggregator invocation sustains in a burst. Usage: {@code ./bench stats [lagSamples=100] [burst=1000]}.
 */
public final class StatsBench {
    public static void main(String[] args) throws Exception {
        int lagSamples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int burst = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        FeedHarness h = FeedHarness.start("stats-bench");
        StatsFunction stats = new StatsFunction();
        ProjectsFunction projects = new ProjectsFunction();
        UsersFunction users = new UsersFunction();
        Fixture fx = new Fixture(stats.getApplicationContext());
        AtomicLong busyNanos = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        AtomicLong invocations = new AtomicLong();
        h.feed(e -> {
            long t0 = System.nanoTime();
            var r = stats.handleRequest(e, new Api.TestContext());
            busyNanos.addAndGet(System.nanoTime() - t0);
            delivered.addAndGet(e.getRecords().size());
            invocations.incrementAndGet();
            return r;
        });
        User pm = fx.user("pm-bench");
        List<User> mappers = new ArrayList<>();
        for (int i = 0; i < 20; i++) mappers.add(fx.user("mapper-bench-" + i));
        Project p = fx.project(pm, ProjectStatus.PUBLISHED, Math.max(lagSamples, 50) + burst);
        h.caughtUp();
        String statsPath = "/api/v2/projects/" + p.id() + "/statistics/";

        // 1. lag: commit an unlock that adds 7 s of mapping, then read the route until it shows them
        List<Long> lags = new ArrayList<>();
        Instant base = Instant.now().minus(Duration.ofDays(1));
        long expected = 0;
        for (int i = 1; i <= lagSamples; i++) {
            User u = mappers.get(i % mappers.size());
            Task t = fx.tasks.get(p.id(), i).orElseThrow();
            Instant at = base.plusSeconds(60L * i);
            fx.tasks.apply(TaskMachine.lockForMapping(t, u.actor(), at, Duration.ofHours(2)));
            Task locked = fx.tasks.get(p.id(), i).orElseThrow();
            long t0 = System.nanoTime();
            fx.tasks.apply(TaskMachine.unlockAfterMapping(locked, u.actor(), at.plusSeconds(7), "MAPPED", null));
            expected += 7;
            while (call(projects, "GET", statsPath, null, null).json().get("totalMappingTime").asLong() < expected) {
                Thread.onSpinWait();
            }
            lags.add(System.nanoTime() - t0);
        }

        // 2. warm reads beside a route that is one GetItem through the same handler
        List<Long> projectReads = time(200, () -> call(projects, "GET", statsPath, null, null));
        List<Long> userReads = time(200, () -> call(users, "GET", "/api/v2/users/" + mappers.get(1).username()
                + "/statistics/", token(pm.id()), null));
        List<Long> homeReads = time(200, () -> call(users, "GET", "/api/v2/system/statistics/", null, null));
        List<Long> oneGetItem = time(200, () -> call(users, "GET", "/api/v2/system/banner/", null, null));

        // 3. a burst of transitions from 4 threads; records per second of aggregator time
        busyNanos.set(0);
        delivered.set(0);
        invocations.set(0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        int first = lagSamples + 1;
        for (int w = 0; w < 4; w++) {
            int worker = w;
            work.add(pool.submit(() -> {
                for (int i = first + worker; i < first + burst; i += 4) {
                    User u = mappers.get(i % mappers.size());
                    Instant at = base.plusSeconds(60L * i);
                    fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(p.id(), i).orElseThrow(), u.actor(), at, Duration.ofHours(2)));
                    fx.tasks.apply(TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), i).orElseThrow(), u.actor(),
                            at.plusSeconds(5), "MAPPED", null));
                }
                return null;
            }));
        }
        for (Future<?> f : work) f.get();
        pool.shutdown();
        h.caughtUp();

        System.out.printf("%nstatistics (local stack: dynalite behind the stream emulation, %d mappers)%n", mappers.size());
        System.out.printf("  aggregation lag commit -> visible in GET project statistics (%d samples)   p50 %.0f ms   p99 %.0f ms%n",
                lags.size(), pct(lags, 50), pct(lags, 99));
        System.out.printf("  warm reads p50: project statistics %.2f ms | user statistics %.2f ms | home page %.2f ms"
                        + " | one GetItem (GET /system/banner) %.2f ms%n",
                pct(projectReads, 50), pct(userReads, 50), pct(homeReads, 50), pct(oneGetItem, 50));
        System.out.printf("  as multiples of one GetItem: project statistics %.2fx | user statistics %.2fx | home page %.2fx%n",
                pct(projectReads, 50) / pct(oneGetItem, 50), pct(userReads, 50) / pct(oneGetItem, 50),
                pct(homeReads, 50) / pct(oneGetItem, 50));
        System.out.printf("  burst of %d transitions (4 writers): %d records in %d invocations (%.1f per invocation),"
                        + " %.0f records/s of aggregator time%n", 2 * (burst - 1), delivered.get(), invocations.get(),
                delivered.get() / (double) Math.max(1, invocations.get()), delivered.get() / (busyNanos.get() / 1e9));
        h.close();
        stats.close();
        projects.close();
        users.close();
        System.exit(0);
    }

    private static List<Long> time(int n, Runnable r) {
        for (int i = 0; i < 20; i++) r.run();
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            r.run();
            out.add(System.nanoTime() - t0);
        }
        return out;
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1)) / 1e6;
    }
}
