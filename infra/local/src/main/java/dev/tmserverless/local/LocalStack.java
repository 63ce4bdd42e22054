package dev.tmserverless.local;

import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.ResourceSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The whole system on localhost, with no AWS account: the emulators (data kept under {@code <repo>/.local-data}),
 * the catalogue's table, queues and bucket, every function loaded from its deployment jar into its own class
 * loader, the API behind a local API Gateway ({@link FrontDoor}), a {@link QueuePoller} per consumed queue, and
 * the {@link Scheduler}.
 *
 * <p>Run: {@code java -jar infra/local/target/tm-local.jar} from the repository (after {@code mvn package}).
 * Options: {@code --port N} (or env {@code TM_LOCAL_PORT}, default 8080), {@code --data-dir DIR},
 * {@code --in-memory}, {@code --functions-dir DIR}, {@code --reset} (delete the data first), {@code --frontend DIR}
 * (or env {@code TM_FRONTEND_DIR}: a built web frontend served on the API's origin, see {@link WebEdge}); env
 * {@code TM_CORS_ALLOWED_ORIGINS} lists other origins that may call the API. Ctrl-C stops everything.
 *
 * <p>Functions read their settings from JVM system properties of the same names as their Lambda environment
 * variables (set here from {@link Emulators#env()}); unlike Lambda, all functions share one JVM and so see every
 * setting.
 */
public final class LocalStack implements AutoCloseable {
    public static final int DEFAULT_PORT = 8080;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /**
     * @param repoRoot          the repository (emulators' npm folder; default location of function jars and data)
     * @param dataDir           persistent data folder, or null to keep everything in memory
     * @param port              front door port (0 = any free port)
     * @param functionsRoot     where {@code <module>/target/<module>-lambda.jar} are looked up
     * @param functions         the functions to load (the catalogue's by default)
     * @param routes            the HTTP API's routes (by default two per catalogue mount: the function dispatches)
     * @param schedules         rate schedules
     * @param pollerConcurrency parallel pollers per queue
     * @param pollWaitSeconds   long-poll wait of the pollers
     * @param visibilityTimeout overrides every queue's visibility timeout when not null (tests)
     * @param log               where the stack prints (access log, errors, the ready banner)
     */
    public record Config(Path repoRoot, Path dataDir, int port, Path functionsRoot, List<Resources.Function> functions,
                         List<Resources.Route> routes, List<Scheduler.Schedule> schedules, int pollerConcurrency,
                         int pollWaitSeconds, Integer visibilityTimeout, Consumer<String> log) {

        /** The catalogue on port {@code TM_LOCAL_PORT} (default 8080), data under {@code <repo>/.local-data}. */
        public static Config defaults() {
            Path repo = Emulators.repoRoot();
            String port = System.getenv("TM_LOCAL_PORT");
            return new Config(repo, repo.resolve(".local-data"),
                    port == null || port.isBlank() ? DEFAULT_PORT : Integer.parseInt(port.trim()),
                    repo.resolve("functions"), Resources.FUNCTIONS, Resources.gatewayRoutes(), schedulesFromCatalogue(), 2, 2,
                    null, LocalStack::print);
        }

        public Config withPort(int port) {
            return new Config(repoRoot, dataDir, port, functionsRoot, functions, routes, schedules, pollerConcurrency,
                    pollWaitSeconds, visibilityTimeout, log);
        }

        public Config withDataDir(Path dataDir) {
            return new Config(repoRoot, dataDir, port, functionsRoot, functions, routes, schedules, pollerConcurrency,
                    pollWaitSeconds, visibilityTimeout, log);
        }

        public Config withFunctions(Path functionsRoot, List<Resources.Function> functions, List<Resources.Route> routes) {
            return new Config(repoRoot, dataDir, port, functionsRoot, functions, routes, schedules, pollerConcurrency,
                    pollWaitSeconds, visibilityTimeout, log);
        }

        public Config withSchedules(List<Scheduler.Schedule> schedules) {
            return new Config(repoRoot, dataDir, port, functionsRoot, functions, routes, schedules, pollerConcurrency,
                    pollWaitSeconds, visibilityTimeout, log);
        }

        public Config withPolling(int concurrency, int waitSeconds, Integer visibilityTimeout) {
            return new Config(repoRoot, dataDir, port, functionsRoot, functions, routes, schedules, concurrency,
                    waitSeconds, visibilityTimeout, log);
        }

        public Config withLog(Consumer<String> log) {
            return new Config(repoRoot, dataDir, port, functionsRoot, functions, routes, schedules, pollerConcurrency,
                    pollWaitSeconds, visibilityTimeout, log);
        }

        public Path jarOf(Resources.Function function) {
            return functionsRoot.resolve(function.module()).resolve("target").resolve(function.jarName());
        }
    }

    /** The catalogue's schedules, so the local stack runs what the CDK app deploys. */
    static List<Scheduler.Schedule> schedulesFromCatalogue() {
        return Resources.SCHEDULES.stream().map(s -> new Scheduler.Schedule(s.id(), s.function(),
                java.time.Duration.ofMinutes(s.everyMinutes()))).toList();
    }

    private final Config config;
    private final WebEdge web;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, LoadedFunction> functions = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    private final List<QueuePoller> pollers = new ArrayList<>();
    private final Map<String, String> queueNotes = new LinkedHashMap<>();
    private Emulators emulators;
    private dev.tmserverless.emulators.TableStream stream;
    private final List<dev.tmserverless.emulators.StreamPoller> streamPollers = new ArrayList<>();
    private FrontDoor frontDoor;
    private Scheduler scheduler;
    private List<Scheduler.Schedule> startedSchedules = List.of();
    private Path workDir;
    private FileChannel dataLockChannel;
    private FileLock dataLock;
    private long readyMillis;
    private long emulatorsMillis;

    private LocalStack(Config config, WebEdge web) {
        this.config = config;
        this.web = web;
    }

    /** Starts with the web frontend and CORS origins of the environment ({@link WebEdge#fromEnvironment}). */
    public static LocalStack start(Config config) {
        return start(config, WebEdge.fromEnvironment(null));
    }

    public static LocalStack start(Config config, WebEdge web) {
        LocalStack stack = new LocalStack(config, web);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        long t0 = System.nanoTime();
        Emulators.Options options = Emulators.Options.inMemory();
        if (config.dataDir() != null) {
            lockDataDir(config.dataDir());
            options = Emulators.Options.persistent(config.dataDir());
        }
        if (config.visibilityTimeout() != null) {
            options = options.withVisibilityTimeout(config.visibilityTimeout());
        }
        emulators = Emulators.start(options);
        ResourceSet resources = emulators.createResources();
        Map<String, String> env = emulators.env();
        // every function reaches the table through the stream emulation (docs/statistics.md "The change feed"),
        // which records the keys some feed delivers and keeps each record until every feed has read it
        stream = dev.tmserverless.emulators.TableStream.start(emulators.dynamoDbEndpoint(), emulators.dynamoDb(),
                (pk, sk) -> Resources.FEEDS.stream().anyMatch(f -> f.delivers(pk, sk)),
                dev.tmserverless.emulators.TableStream.Retention.UNTIL_READ);
        env.put(Emulators.ENV_ENDPOINT_DYNAMODB, stream.endpoint().toString());
        env.forEach(System::setProperty);
        setIfAbsent("AWS_REGION", Emulators.REGION);
        setIfAbsent("aws.region", Emulators.REGION);
        setIfAbsent("aws.accessKeyId", Emulators.ACCESS_KEY_ID);
        setIfAbsent("aws.secretAccessKey", Emulators.SECRET_ACCESS_KEY);
        setIfAbsent("aws.disableEc2Metadata", "true");

        emulatorsMillis = (System.nanoTime() - t0) / 1_000_000;
        loadFunctions();

        Map<String, FunctionInvoker> invokers = new LinkedHashMap<>(functions);
        frontDoor = new FrontDoor(config.port(), config.routes(), invokers, unavailable, config.log());
        LoginHelper.register(frontDoor);
        frontDoor.web(web);
        frontDoor.start();

        for (Resources.Queue queue : Resources.QUEUES) {
            ResourceSet.QueuePair pair = resources.queue(queue);
            LoadedFunction consumer = functions.get(queue.consumer());
            if (consumer == null) {
                queueNotes.put(queue.id(), "not polled: consumer " + queue.consumer() + " is not loaded");
                continue;
            }
            pollers.add(new QueuePoller(emulators.sqs(), new QueuePoller.Settings(pair.name(), pair.url(), pair.arn(),
                    queue.batchSize(), Math.max(config.pollerConcurrency(), queue.maxConcurrency()), config.pollWaitSeconds()),
                    consumer, config.log())
                    .start());
            queueNotes.put(queue.id(), "-> " + queue.consumer());
        }

        for (Resources.TableFeed feed : Resources.FEEDS) {
            LoadedFunction consumer = functions.get(feed.function());
            if (consumer == null) {
                queueNotes.put("table feed", "not fed: " + feed.function() + " is not loaded");
                continue;
            }
            String pk = Resources.TABLE.partitionKey();
            String sk = Resources.TABLE.sortKey();
            streamPollers.add(new dev.tmserverless.emulators.StreamPoller(stream.log(resources.table()), feed.batchSize(),
                    feed.maxRetries(), r -> feed.delivers(r.getDynamodb().getKeys().get(pk).getS(),
                            r.getDynamodb().getKeys().get(sk).getS()),
                    event -> {
                        try {
                            return consumer.invoke(event, consumer.newContext());
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    failed -> config.log().accept("table feed: " + failed.size() + " record(s) given up (on-failure"
                            + " destination " + feed.failureQueueId() + "); the reconciliation repairs them"),
                    config.log()).start());
        }

        // a catalogue schedule fires only while its rule is enabled (the lock sweep is armed by changes)
        Map<String, String> rules = new LinkedHashMap<>();
        Resources.SCHEDULES.forEach(s -> rules.put(s.id(), resources.rule(s)));
        scheduler = new Scheduler(config.schedules(), new LinkedHashMap<>(functions), config.log(),
                id -> emulators.rules().enabled(rules.getOrDefault(id, id)));
        startedSchedules = scheduler.start();
        readyMillis = (System.nanoTime() - t0) / 1_000_000;
        config.log().accept(banner(resources));
    }

    private void loadFunctions() {
        List<Resources.Function> toLoad = new ArrayList<>();
        for (Resources.Function function : config.functions()) {
            Path jar = config.jarOf(function);
            if (Files.isRegularFile(jar)) {
                toLoad.add(function);
            } else {
                unavailable.put(function.id(), "not built (" + config.repoRoot().relativize(jar.toAbsolutePath())
                        + " is missing); build it with: mvn -pl functions/" + function.module() + " -am package -DskipTests");
            }
        }
        if (toLoad.isEmpty()) {
            return;
        }
        try {
            workDir = Files.createTempDirectory("tm-local-functions-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClassLoader host = LocalStack.class.getClassLoader();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(toLoad.size(), 4))) {
            Map<Resources.Function, Future<LoadedFunction>> futures = new LinkedHashMap<>();
            for (Resources.Function function : toLoad) {
                futures.put(function, pool.submit(() -> LoadedFunction.load(function, config.jarOf(function), workDir,
                        host)));
            }
            futures.forEach((function, future) -> {
                try {
                    functions.put(function.id(), future.get());
                } catch (Exception e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    unavailable.put(function.id(), "failed to load: " + cause);
                    config.log().accept("ERROR loading function " + function.id() + ": "
                            + FrontDoor.stackTrace(cause));
                }
            });
        }
    }

    private void lockDataDir(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            dataLockChannel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            dataLock = dataLockChannel.tryLock();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (dataLock == null) {
            throw new IllegalStateException("another local stack is using " + dataDir + "; stop it first");
        }
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    private String banner(ResourceSet resources) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%ntm-serverless local stack ready in %.1f s (emulators and resources %.1f s)%n",
                readyMillis / 1000.0, emulatorsMillis / 1000.0));
        b.append(String.format("  API (API Gateway v2)  %s%s/...%n", frontDoor.url(), Resources.V2));
        b.append(String.format("  DynamoDB (dynalite)   %s   table %s%n", emulators.dynamoDbEndpoint(), resources.table()));
        b.append(String.format("  SQS (ElasticMQ)       %s%n", emulators.sqsEndpoint()));
        b.append(String.format("  S3 (s3rver)           %s   bucket %s%n", emulators.s3Endpoint(), resources.bucket()));
        b.append(String.format("  OSM stand-in          %s   client %s%n", emulators.osmUrl(), Emulators.OSM_CLIENT_ID));
        b.append(String.format("  Mail (SES stand-in)   %s/messages%n", emulators.mail().baseUrl()));
        b.append(String.format("  EventBridge rules     %s   (schedules armed and disarmed)%n", emulators.rules().endpoint()));
        b.append(String.format("  ohsome stand-in       %s/stats/user%n", emulators.ohsome().baseUrl()));
        b.append(String.format("  MapSwipe stand-in     %s   group %s%n", emulators.mapswipe().graphqlUrl(), Emulators.MAPSWIPE_DEMO_GROUP));
        b.append(String.format("  Data                  %s%n",
                config.dataDir() == null ? "in memory (lost on exit)" : config.dataDir()));
        b.append("  Functions\n");
        for (Resources.Function function : config.functions()) {
            long routes = Resources.routesOf(function.id()).size();
            LoadedFunction loaded = functions.get(function.id());
            b.append(String.format("    %-12s %s%n", function.id(), loaded != null
                    ? String.format("loaded in %.1f s, %d route(s)%s", loaded.initMillis() / 1000.0, routes,
                            function.http() ? "" : ", queue consumer")
                    : "NOT LOADED: " + unavailable.get(function.id())));
        }
        b.append("  Queues\n");
        for (Resources.Queue queue : Resources.QUEUES) {
            ResourceSet.QueuePair pair = resources.queue(queue);
            b.append(String.format("    %-12s %s %s (batch %d, visibility %d s, DLQ %s after %d receives)%n",
                    queue.id(), pair.name(), queueNotes.get(queue.id()), queue.batchSize(),
                    config.visibilityTimeout() != null ? config.visibilityTimeout() : queue.visibilityTimeoutSeconds(),
                    pair.dlqName(), queue.maxReceiveCount()));
        }
        b.append("  Schedules            ");
        b.append(startedSchedules.isEmpty() ? "none" : startedSchedules.stream()
                .map(s -> s.id() + " -> " + s.function() + " every " + s.rate()).toList().toString());
        b.append('\n');
        b.append(String.format("  Web frontend          %s%n", web.site().root() == null
                ? "none (see " + frontDoor.url() + "/ for how to serve one)"
                : frontDoor.url() + "/   from " + web.site().root()));
        b.append(String.format("  CORS origins          %s%n", web.cors()));
        b.append(String.format("  Log in                %s/_local/login?username=admin   (any username; admin is an admin)%n",
                frontDoor.url()));
        b.append("Press Ctrl-C to stop.\n");
        return b.toString();
    }

    public URI apiUrl() {
        return frontDoor.url();
    }

    public Emulators emulators() {
        return emulators;
    }

    public FrontDoor frontDoor() {
        return frontDoor;
    }

    public Map<String, LoadedFunction> functions() {
        return Map.copyOf(functions);
    }

    /** Function id ⇒ why it is not loaded. */
    public Map<String, String> unavailable() {
        return Map.copyOf(unavailable);
    }

    public List<QueuePoller> pollers() {
        return List.copyOf(pollers);
    }

    /** The table's change stream and its consumers (the stats function). */
    public dev.tmserverless.emulators.TableStream stream() {
        return stream;
    }

    public List<dev.tmserverless.emulators.StreamPoller> streamPollers() {
        return List.copyOf(streamPollers);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public long readyMillis() {
        return readyMillis;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClose() throws InterruptedException {
        stopped.await();
    }

    /** Stops the front door, pollers and schedules, unloads the functions, and stops the emulators. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (frontDoor != null) {
                frontDoor.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            List<Thread> stopping = pollers.stream()
                    .map(p -> Thread.ofPlatform().daemon().start(p::close)).toList();
            for (Thread thread : stopping) {
                try {
                    thread.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            streamPollers.forEach(dev.tmserverless.emulators.StreamPoller::close);
            functions.values().forEach(LoadedFunction::close);
            if (stream != null) {
                stream.close();
            }
            if (emulators != null) {
                emulators.close();
            }
            if (workDir != null) {
                Emulators.deleteRecursively(workDir);
            }
            if (dataLock != null) {
                try {
                    dataLock.release();
                    dataLockChannel.close();
                } catch (IOException ignored) {
                    // the process is ending
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    static void print(String line) {
        System.out.println(line.startsWith("\n") ? line : LocalTime.now().format(CLOCK) + " " + line);
    }

    // ---------------------------------------------------------------------------------------------- command line

    public static void main(String[] args) throws Exception {
        Config config = Config.defaults();
        boolean reset = false;
        Path frontend = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> config = config.withPort(Integer.parseInt(args[++i]));
                case "--data-dir" -> config = config.withDataDir(Path.of(args[++i]).toAbsolutePath().normalize());
                case "--in-memory" -> config = config.withDataDir(null);
                case "--functions-dir" -> config = config.withFunctions(Path.of(args[++i]).toAbsolutePath().normalize(),
                        config.functions(), config.routes());
                case "--reset" -> reset = true;
                case "--frontend" -> frontend = Path.of(args[++i]).toAbsolutePath().normalize();
                case "-h", "--help" -> {
                    System.out.println("""
                            Usage: java -jar infra/local/target/tm-local.jar [options]
                              --port N             front door port (default: env TM_LOCAL_PORT, else 8080)
                              --data-dir DIR       where DynamoDB, S3 and SQS data persist (default: <repo>/.local-data)
                              --in-memory          keep no data
                              --reset              delete the data folder first
                              --functions-dir DIR  where <module>/target/<module>-lambda.jar are (default: <repo>/functions)
                              --frontend DIR       serve this built web frontend on the API's origin (default: env
                                                   TM_FRONTEND_DIR; build one with scripts/build-frontend)
                            Env TM_CORS_ALLOWED_ORIGINS: other origins allowed to call the API (comma-separated, or *).
                            Functions are loaded from functions/<module>/target/<module>-lambda.jar (mvn package).""");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        if (reset && config.dataDir() != null && Files.isDirectory(config.dataDir())) {
            Emulators.deleteRecursively(config.dataDir());
        }
        LocalStack stack;
        try {
            stack = start(config, WebEdge.fromEnvironment(frontend));
        } catch (RuntimeException e) {
            System.err.println("The local stack could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            print("stopping...");
            stack.close();
            print("stopped.");
        }, "tm-local-shutdown"));
        stack.awaitClose();
    }
}
