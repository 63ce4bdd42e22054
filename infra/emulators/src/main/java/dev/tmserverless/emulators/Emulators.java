package dev.tmserverless.emulators;

import dev.tmserverless.core.catalogue.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.waiters.S3Waiter;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The local AWS: DynamoDB (dynalite), SQS (ElasticMQ, embedded), S3 (s3rver), and stand-ins for OpenStreetMap
 * OAuth2, SES, the ohsomeNow statistics API and MapSwipe's GraphQL API, each on 127.0.0.1 and a free port. The npm emulators run as
 * child processes of this JVM and end
 * with it ({@link #close()}, a shutdown hook, and their own watch on the stdin pipe).
 *
 * <p>Tests use {@link #shared()} (one set per JVM) and {@link #isolated(String)} (a fresh copy of the catalogue's
 * resources per test class). The local stack uses {@link #start(Options)} with {@link Options#persistent(Path)},
 * then {@link #createResources()} and {@link #env()}.
 */
public final class Emulators implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";
    public static final String ACCESS_KEY_ID = "local";
    public static final String SECRET_ACCESS_KEY = "local";
    /** Physical names of the default resource copy are {@code <DEFAULT_PREFIX>-<catalogue id>}. */
    public static final String DEFAULT_PREFIX = "tm";
    public static final String OSM_CLIENT_ID = "tm-local";
    public static final String OSM_CLIENT_SECRET = "tm-local-client-secret";
    /** The session-token signing secret used locally; never a production value. */
    public static final String TOKEN_SECRET = "tm-local-token-secret-not-for-production";
    /** The local stack's administrator: the stand-in's account {@code admin}, named by its OSM id as a deployment must. */
    public static final String BOOTSTRAP_ADMINS = Integer.toString(OsmStandIn.userId("admin"));

    public static final String ENV_ENDPOINT_DYNAMODB = "TM_AWS_ENDPOINT_DYNAMODB";
    public static final String ENV_ENDPOINT_SQS = "TM_AWS_ENDPOINT_SQS";
    public static final String ENV_ENDPOINT_S3 = "TM_AWS_ENDPOINT_S3";
    public static final String ENV_RESPONSES_URL = "TM_RESPONSES_URL";
    public static final String ENV_OSM_URL = "TM_OSM_URL";
    public static final String ENV_OSM_CLIENT_ID = "TM_OSM_CLIENT_ID";
    public static final String ENV_OSM_CLIENT_SECRET = "TM_OSM_CLIENT_SECRET";
    public static final String ENV_TOKEN_SECRET = "TM_TOKEN_SECRET";
    public static final String ENV_BOOTSTRAP_ADMINS = "TM_BOOTSTRAP_ADMINS";
    public static final String ENV_ENDPOINT_SES = "TM_AWS_ENDPOINT_SES";
    public static final String ENV_MAIL_FROM = "TM_MAIL_FROM";
    public static final String ENV_CONTACT_ADDRESS = "TM_EMAIL_CONTACT_ADDRESS";
    public static final String ENV_IMAGE_BASE_URL = "TM_IMAGE_BASE_URL";
    public static final String ENV_OHSOME_URL = "TM_OHSOME_STATS_API_URL";
    public static final String ENV_OHSOME_TOKEN = "TM_OHSOME_STATS_TOKEN";
    public static final String ENV_MAPSWIPE_URL = "TM_MAPSWIPE_API_URL";
    public static final String ENV_ENDPOINT_EVENTS = "TM_AWS_ENDPOINT_EVENTS";
    /** A MapSwipe user group the stand-in knows from the start (a partner's {@code mapswipe_group_id} locally). */
    public static final String MAPSWIPE_DEMO_GROUP = "local-demo-group";
    /** The ohsome stand-in's token of the default resource copy (the local stack). */
    public static final String OHSOME_TOKEN = "tm-local-ohsome-token";
    /**
     * The sender and the administrators' contact address of the local stack and tests: the reserved {@code .test}
     * domain (RFC 6761, never delivered). Not {@code .localhost}: no local setting names "localhost", every local
     * endpoint is the numeric loopback 127.0.0.1 the emulators bind (a "localhost" may resolve to ::1 and miss them).
     */
    public static final String MAIL_FROM = "tasks@tm.test";
    public static final String CONTACT_ADDRESS = "admins@tm.test";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger ISOLATED_COUNTER = new AtomicInteger();
    private static Emulators shared;

    /**
     * How to start the emulators.
     *
     * @param dataDir                  where dynalite, s3rver and ElasticMQ keep their data ({@code dynamodb/}, {@code s3/},
     *                                 {@code sqs/});
     *                                 {@code null} keeps everything in memory (s3rver in a temporary folder that
     *                                 {@link #close()} deletes)
     * @param visibilityTimeoutSeconds if not null, every queue this instance creates gets this visibility timeout
     *                                 instead of the catalogue's (tests use a short one to see redelivery)
     * @param echoOutput               copy the emulators' console output to stderr
     */
    public record Options(Path dataDir, Integer visibilityTimeoutSeconds, boolean echoOutput) {
        public static Options inMemory() {
            return new Options(null, null, false);
        }

        public static Options persistent(Path dataDir) {
            return new Options(dataDir.toAbsolutePath().normalize(), null, false);
        }

        public Options withVisibilityTimeout(int seconds) {
            return new Options(dataDir, seconds, echoOutput);
        }

        public Options withEchoOutput(boolean echo) {
            return new Options(dataDir, visibilityTimeoutSeconds, echo);
        }

        public boolean isPersistent() {
            return dataDir != null;
        }
    }

    private final Options options;
    private final List<NodeEmulators.Child> children = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "tm-emulators-shutdown");
    private Path tempS3Dir;
    private SQSRestServer sqsServer;
    /** Only when persistent: ElasticMQ's actors, its message store and queue manager (ours to stop). */
    private org.apache.pekko.actor.ActorSystem sqsActors;
    private org.apache.pekko.actor.ActorRef sqsStore;
    private org.apache.pekko.actor.ActorRef sqsManager;
    private OsmStandIn osm;
    private MailStandIn mail;
    private EventRules rules;
    private OhsomeStandIn ohsome;
    private ResponsesEdge responsesEdge;
    private MapSwipeStandIn mapswipe;
    private URI dynamoDbEndpoint;
    private URI sqsEndpoint;
    private URI s3Endpoint;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private S3Client s3;
    private volatile ResourceSet defaultResources;

    private Emulators(Options options) {
        this.options = options;
    }

    /** Starts everything in memory. */
    public static Emulators start() {
        return start(Options.inMemory());
    }

    /** Starts dynalite, s3rver, ElasticMQ and the OSM stand-in, and returns once each one answers. */
    public static Emulators start(Options options) {
        Emulators emulators = new Emulators(options);
        Runtime.getRuntime().addShutdownHook(emulators.shutdownHook);
        try {
            emulators.startAll();
            return emulators;
        } catch (RuntimeException | Error e) {
            emulators.close();
            throw e;
        }
    }

    /**
     * The in-memory emulators of this JVM, started on first use and stopped when the JVM exits. Tests share them
     * and take their own resources with {@link #isolated(String)}; do not close them.
     */
    public static synchronized Emulators shared() {
        if (shared == null || shared.closed.get()) {
            shared = start(Options.inMemory());
        }
        return shared;
    }

    private void startAll() {
        osm = OsmStandIn.start();
        osm.registerClient(OSM_CLIENT_ID, OSM_CLIENT_SECRET);
        mail = MailStandIn.start();
        rules = EventRules.start();
        ohsome = OhsomeStandIn.start();
        ohsome.registerToken(OHSOME_TOKEN);
        mapswipe = MapSwipeStandIn.start();
        mapswipe.seedDemoGroup(MAPSWIPE_DEMO_GROUP);

        Path folder = NodeEmulators.nodeFolder();
        NodeEmulators.ensureInstalled(folder);
        List<String> dynaliteArgs = new ArrayList<>();
        Path s3Dir;
        try {
            if (options.isPersistent()) {
                Path dynamoDir = Files.createDirectories(options.dataDir().resolve("dynamodb"));
                dynaliteArgs.addAll(List.of("--path", dynamoDir.toString()));
                s3Dir = Files.createDirectories(options.dataDir().resolve("s3"));
            } else {
                tempS3Dir = Files.createTempDirectory("tm-s3rver-");
                s3Dir = tempS3Dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NodeEmulators.Child dynalite = start(folder, "dynalite", dynaliteArgs);
        NodeEmulators.Child s3rver = start(folder, "s3rver", List.of("--directory", s3Dir.toString()));

        // This class stops ElasticMQ itself (close() and its own shutdown hook); Pekko's JVM hook would only race it.
        if (System.getProperty("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook") == null) {
            System.setProperty("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
        }
        if (options.isPersistent()) {
            startPersistentSqs(options.dataDir().resolve("sqs"));
        } else {
            sqsServer = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                    .withAWSRegion(REGION).withAWSAccountId(ACCOUNT_ID).start();
        }
        int sqsPort = sqsServer.waitUntilStarted().localAddress().getPort();
        sqsEndpoint = URI.create("http://127.0.0.1:" + sqsPort);
        if (sqsStore != null) restoreSqs();

        dynamoDbEndpoint = URI.create("http://127.0.0.1:" + dynalite.awaitPort(READY_TIMEOUT));
        s3Endpoint = URI.create("http://127.0.0.1:" + s3rver.awaitPort(READY_TIMEOUT));

        dynamoDb = configure(DynamoDbClient.builder(), dynamoDbEndpoint).build();
        sqs = configure(SqsClient.builder(), sqsEndpoint).build();
        responsesEdge = ResponsesEdge.start(s3Endpoint);
        s3 = configure(S3Client.builder(), s3Endpoint)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .forcePathStyle(true)
                .build();
    }

    /**
     * ElasticMQ keeping its queues and messages in an H2 database under {@code dir}, as SQS keeps them across a
     * crash: every send, receive and delete is committed before it is answered ({@code WRITE_DELAY=0}), so a
     * {@code kill -9} of the stack loses no message; on the next start the queues and their messages are restored.
     */
    private void startPersistentSqs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sqsActors = org.apache.pekko.actor.ActorSystem.create("tm-elasticmq");
        var persistence = new org.elasticmq.persistence.sql.SqlQueuePersistenceConfig(true, "org.h2.Driver",
                "jdbc:h2:file:" + dir.resolve("messages").toAbsolutePath() + ";WRITE_DELAY=0", "", "", false);
        sqsStore = sqsActors.actorOf(org.apache.pekko.actor.Props.create(
                org.elasticmq.persistence.sql.SqlQueuePersistenceActor.class, persistence,
                scala.collection.immutable.Nil$.MODULE$));
        sqsManager = sqsActors.actorOf(org.apache.pekko.actor.Props.create(org.elasticmq.actor.QueueManagerActor.class,
                new org.elasticmq.util.NowProvider(), org.elasticmq.StrictSQSLimits$.MODULE$, scala.Option.apply(sqsStore)));
        sqsServer = SQSRestServerBuilder.withActorSystem(sqsActors).withQueueManagerActor(sqsManager)
                .withQueueEventListener(sqsStore).withInterface("127.0.0.1").withDynamicPort()
                .withAWSRegion(REGION).withAWSAccountId(ACCOUNT_ID).start();
    }

    /** Puts the stored queues and messages back into ElasticMQ (before anything uses it). */
    private void restoreSqs() {
        try {
            Object result = org.apache.pekko.pattern.Patterns.ask(sqsStore,
                    new org.elasticmq.actor.queue.QueueEvent.Restore(sqsManager), READY_TIMEOUT)
                    .toCompletableFuture().get(READY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (result instanceof scala.util.Left<?, ?> errors) {
                throw new IllegalStateException("ElasticMQ could not restore its queues: " + errors.value());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restoring the queues", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("ElasticMQ could not restore its queues", e);
        }
    }

    private NodeEmulators.Child start(Path folder, String name, List<String> args) {
        NodeEmulators.Child child = NodeEmulators.Child.start(folder, name, args, options.echoOutput());
        synchronized (children) {
            children.add(child);
        }
        return child;
    }

    private static <B extends AwsClientBuilder<B, ?>> B configure(B builder, URI endpoint) {
        builder.endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)));
        if (builder instanceof software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(UrlConnectionHttpClient.builder());
        }
        return builder;
    }

    // ---------------------------------------------------------------------------------------------- accessors

    /**
     * The repository root: system property {@code tm.repo.root} (surefire sets it), else environment variable
     * {@code TM_REPO_ROOT}, else the nearest folder above the working directory that holds
     * {@code infra/emulators/node}.
     */
    public static Path repoRoot() {
        return NodeEmulators.repoRoot();
    }

    public Options options() {
        return options;
    }

    public URI dynamoDbEndpoint() {
        return dynamoDbEndpoint;
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public URI s3Endpoint() {
        return s3Endpoint;
    }

    public URI osmUrl() {
        return osm.baseUrl();
    }

    /** A DynamoDB client for dynalite (us-east-1, static dummy credentials, url-connection client). */
    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    /** An SQS client for ElasticMQ. */
    public SqsClient sqs() {
        return sqs;
    }

    /** An S3 client for s3rver: path-style addressing, chunked encoding off. */
    public S3Client s3() {
        return s3;
    }

    public OsmStandIn osm() {
        return osm;
    }

    /** The MapSwipe GraphQL stand-in (partner statistics). */
    public MapSwipeStandIn mapswipe() {
        return mapswipe;
    }

    /** The ohsomeNow statistics stand-in ({@code /stats/user}). */
    public OhsomeStandIn ohsome() {
        return ohsome;
    }

    /** The local EventBridge: the schedules' rules, enabled or disabled ({@link ResourceSet#rule}). */
    public EventRules rules() {
        return rules;
    }

    /** The Amazon SES stand-in: the mail the functions sent, readable over HTTP at {@code <url>/messages}. */
    public MailStandIn mail() {
        return mail;
    }

    /** Process ids of the npm emulators (dynalite, s3rver). */
    public List<Long> childPids() {
        synchronized (children) {
            return children.stream().map(NodeEmulators.Child::pid).toList();
        }
    }

    // ---------------------------------------------------------------------------------------------- resources

    /**
     * Creates the catalogue's table (with its GSIs), queues (each with its DLQ and redrive policy) and bucket
     * under their default names ({@code tm-<id>}), or brings existing ones up to date. Idempotent.
     */
    public synchronized ResourceSet createResources() {
        defaultResources = createResources(DEFAULT_PREFIX, options.visibilityTimeoutSeconds());
        return defaultResources;
    }

    /**
     * Creates (idempotently) a copy of the catalogue's resources named {@code <prefix>-<catalogue id>}.
     *
     * @param visibilityTimeoutSeconds overrides every queue's visibility timeout when not null
     */
    public ResourceSet createResources(String prefix, Integer visibilityTimeoutSeconds) {
        String table = prefix + "-" + Resources.TABLE.id();
        String bucket = prefix + "-" + Resources.BUCKET.id();
        createTable(table, Resources.TABLE);
        Map<String, ResourceSet.QueuePair> queues = new LinkedHashMap<>();
        for (Resources.Queue queue : Resources.QUEUES) {
            queues.put(queue.id(), createQueue(prefix, queue, visibilityTimeoutSeconds));
        }
        createBucket(bucket);
        ResourceSet set = new ResourceSet(table, bucket, queues);
        for (Resources.Schedule schedule : Resources.SCHEDULES) {
            rules.register(set.rule(schedule));
        }
        return set;
    }

    /**
     * A fresh copy of the catalogue's resources with unique names starting with {@code prefix}, its own OSM
     * client, and the env map pointing at them. Queues keep the catalogue's visibility timeouts unless this
     * instance was started with {@link Options#withVisibilityTimeout(int)}.
     */
    public Isolated isolated(String prefix) {
        return isolated(prefix, options.visibilityTimeoutSeconds());
    }

    /** Like {@link #isolated(String)}, with every queue's visibility timeout set to the given seconds. */
    public Isolated isolated(String prefix, Integer visibilityTimeoutSeconds) {
        String unique = sanitize(prefix) + "-" + ISOLATED_COUNTER.incrementAndGet()
                + Integer.toString(RANDOM.nextInt(36 * 36 * 36), 36);
        ResourceSet resources = createResources(unique, visibilityTimeoutSeconds);
        OsmStandIn.Client client = osm.registerClient(unique + "-client",
                Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36));
        OhsomeStandIn.Client ohsomeClient = ohsome.registerToken(unique + "-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36));
        Map<String, String> env = env(resources);
        env.put(ENV_OSM_CLIENT_ID, client.id());
        env.put(ENV_OSM_CLIENT_SECRET, client.secret());
        env.put(ENV_OHSOME_TOKEN, ohsomeClient.token());
        return new Isolated(resources, env, client, ohsomeClient);
    }

    static String sanitize(String prefix) {
        String s = prefix == null ? "" : prefix.toLowerCase().replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (s.length() > 24) {
            s = s.substring(0, 24).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "t" : s;
    }

    /**
     * The environment a function needs locally for the default resources ({@link #createResources()} must have
     * run): {@code TM_TABLE}, {@code TM_BUCKET}, each queue's env var ⇒ its URL, {@code TM_AWS_ENDPOINT_DYNAMODB},
     * {@code TM_AWS_ENDPOINT_SQS}, {@code TM_AWS_ENDPOINT_S3}, {@code TM_OSM_URL}, {@code TM_OSM_CLIENT_ID},
     * {@code TM_OSM_CLIENT_SECRET}, {@code TM_TOKEN_SECRET}, {@code TM_BOOTSTRAP_ADMINS}, {@code TM_AWS_ENDPOINT_SES},
     * {@code TM_MAIL_FROM}, {@code TM_EMAIL_CONTACT_ADDRESS}, {@code TM_IMAGE_BASE_URL},
     * {@code TM_OHSOME_STATS_API_URL}, {@code TM_OHSOME_STATS_TOKEN}, {@code TM_MAPSWIPE_API_URL},
     * {@code TM_AWS_ENDPOINT_EVENTS}, {@code TM_LOCK_SWEEP_RULE}.
     */
    public Map<String, String> env() {
        ResourceSet resources = defaultResources;
        if (resources == null) {
            throw new IllegalStateException("createResources() has not run on these emulators");
        }
        return env(resources);
    }

    /** The default resource copy, once {@link #createResources()} has run (else null). */
    public ResourceSet resources() {
        return defaultResources;
    }

    /** The environment for the given resource copy (a new mutable map). */
    public Map<String, String> env(ResourceSet resources) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Resources.TABLE.envVar(), resources.table());
        env.put(Resources.BUCKET.envVar(), resources.bucket());
        for (Resources.Queue queue : Resources.QUEUES) {
            env.put(queue.envVar(), resources.queue(queue).url());
        }
        env.put(ENV_ENDPOINT_DYNAMODB, dynamoDbEndpoint.toString());
        env.put(ENV_ENDPOINT_SQS, sqsEndpoint.toString());
        env.put(ENV_ENDPOINT_S3, s3Endpoint.toString());
        // oversized answers are handed over through the edge, as deployed (docs/performance.md)
        env.put(ENV_RESPONSES_URL, responsesEdge.baseUrl(resources.bucket()).toString());
        env.put(ENV_OSM_URL, osm.baseUrl().toString());
        env.put(ENV_OSM_CLIENT_ID, OSM_CLIENT_ID);
        env.put(ENV_OSM_CLIENT_SECRET, OSM_CLIENT_SECRET);
        env.put(ENV_TOKEN_SECRET, TOKEN_SECRET);
        env.put(ENV_BOOTSTRAP_ADMINS, BOOTSTRAP_ADMINS);
        env.put(ENV_ENDPOINT_SES, mail.baseUrl().toString());
        env.put(ENV_MAIL_FROM, MAIL_FROM);
        env.put(ENV_CONTACT_ADDRESS, CONTACT_ADDRESS);
        // s3rver serves objects without signatures: the bucket's URL is the public image URL locally
        env.put(ENV_IMAGE_BASE_URL, s3Endpoint + "/" + resources.bucket() + "/");
        env.put(ENV_OHSOME_URL, ohsome.baseUrl().toString());
        env.put(ENV_OHSOME_TOKEN, OHSOME_TOKEN);
        env.put(ENV_MAPSWIPE_URL, mapswipe.graphqlUrl().toString());
        env.put(ENV_ENDPOINT_EVENTS, rules.endpoint().toString());
        env.put(Resources.LOCK_SWEEP_RULE_ENV, resources.rule(Resources.LOCK_SWEEP));
        return env;
    }

    private void createTable(String name, Resources.Table spec) {
        Map<String, AttributeDefinition> attributes = new LinkedHashMap<>();
        attributes.put(spec.partitionKey(), string(spec.partitionKey()));
        if (spec.sortKey() != null) {
            attributes.put(spec.sortKey(), string(spec.sortKey()));
        }
        for (Resources.Index index : spec.indexes()) {
            attributes.put(index.partitionKey(), string(index.partitionKey()));
            if (index.sortKey() != null) {
                attributes.put(index.sortKey(), string(index.sortKey()));
            }
        }
        TableDescription existing = describe(name);
        if (existing == null) {
            try {
                dynamoDb.createTable(b -> b.tableName(name)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(attributes.values())
                        .keySchema(keySchema(spec.partitionKey(), spec.sortKey()))
                        .globalSecondaryIndexes(spec.indexes().isEmpty() ? null : spec.indexes().stream()
                                .map(i -> GlobalSecondaryIndex.builder().indexName(i.name())
                                        .keySchema(keySchema(i.partitionKey(), i.sortKey()))
                                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                                        .build())
                                .toList()));
            } catch (ResourceInUseException raced) {
                // created concurrently: fine
            }
        }
        try (DynamoDbWaiter waiter = DynamoDbWaiter.builder().client(dynamoDb).overrideConfiguration(fastWaiter())
                .build()) {
            waiter.waitUntilTableExists(b -> b.tableName(name)).matched().exception().ifPresent(e -> {
                throw new IllegalStateException("table " + name + " did not become active", e);
            });
        }
        // A table kept from an older catalogue: add the indexes it lacks, one at a time as DynamoDB requires.
        Set<String> present = indexNames(describe(name));
        for (Resources.Index index : spec.indexes()) {
            if (present.contains(index.name())) {
                continue;
            }
            dynamoDb.updateTable(b -> b.tableName(name)
                    .attributeDefinitions(attributes.values())
                    .globalSecondaryIndexUpdates(u -> u.create(CreateGlobalSecondaryIndexAction.builder()
                            .indexName(index.name())
                            .keySchema(keySchema(index.partitionKey(), index.sortKey()))
                            .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                            .build())));
            awaitIndexActive(name, index.name());
        }
    }

    private TableDescription describe(String table) {
        try {
            return dynamoDb.describeTable(b -> b.tableName(table)).table();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private static Set<String> indexNames(TableDescription table) {
        return table == null || !table.hasGlobalSecondaryIndexes() ? Set.of()
                : table.globalSecondaryIndexes().stream().map(GlobalSecondaryIndexDescription::indexName)
                        .collect(Collectors.toSet());
    }

    private void awaitIndexActive(String table, String index) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            TableDescription description = describe(table);
            if (description != null && description.hasGlobalSecondaryIndexes()
                    && description.globalSecondaryIndexes().stream().anyMatch(
                            i -> i.indexName().equals(index) && i.indexStatus() == IndexStatus.ACTIVE)) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("index " + index + " of " + table + " did not become active");
    }

    private static AttributeDefinition string(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static List<KeySchemaElement> keySchema(String partitionKey, String sortKey) {
        List<KeySchemaElement> keys = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(partitionKey).keyType(KeyType.HASH).build());
        if (sortKey != null) {
            keys.add(KeySchemaElement.builder().attributeName(sortKey).keyType(KeyType.RANGE).build());
        }
        return keys;
    }

    private ResourceSet.QueuePair createQueue(String prefix, Resources.Queue spec, Integer visibilityOverride) {
        String name = prefix + "-" + spec.id();
        String dlqName = prefix + "-" + spec.dlqId();
        String dlqUrl = ensureQueue(dlqName, Map.of());
        String dlqArn = arn(dlqUrl);
        int visibility = visibilityOverride != null ? visibilityOverride : spec.visibilityTimeoutSeconds();
        Map<QueueAttributeName, String> attributes = new HashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibility));
        attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                + "\",\"maxReceiveCount\":\"" + spec.maxReceiveCount() + "\"}");
        String url = ensureQueue(name, attributes);
        return new ResourceSet.QueuePair(name, url, arn(url), dlqName, dlqUrl, dlqArn);
    }

    private String ensureQueue(String name, Map<QueueAttributeName, String> attributes) {
        String url;
        try {
            url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            url = sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
            return url;
        }
        if (!attributes.isEmpty()) {
            String existing = url;
            sqs.setQueueAttributes(b -> b.queueUrl(existing).attributes(attributes));
        }
        return url;
    }

    private String arn(String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private void createBucket(String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return;
        } catch (NoSuchBucketException e) {
            // create it below
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException raced) {
            // created concurrently: fine
        }
        try (S3Waiter waiter = S3Waiter.builder().client(s3).overrideConfiguration(fastWaiter()).build()) {
            waiter.waitUntilBucketExists(b -> b.bucket(bucket)).matched().exception().ifPresent(e -> {
                throw new IllegalStateException("bucket " + bucket + " was not created", e);
            });
        }
    }

    private static WaiterOverrideConfiguration fastWaiter() {
        return WaiterOverrideConfiguration.builder()
                .backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(50)))
                .maxAttempts(600)
                .waitTimeout(READY_TIMEOUT)
                .build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- shutdown

    /** Stops everything: closes the clients, stops ElasticMQ and the stand-in, ends the node processes. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook runs or has run
            }
        }
        List<NodeEmulators.Child> toStop;
        synchronized (children) {
            toStop = List.copyOf(children);
        }
        // End the node processes in parallel: each may wait for its store to close.
        List<Thread> stoppers = toStop.stream()
                .map(child -> Thread.ofPlatform().daemon().name("tm-emulators-stop-" + child.name).start(child::close))
                .toList();
        for (AutoCloseable c : new AutoCloseable[] {dynamoDb, sqs, s3}) {
            closeQuietly(c);
        }
        if (osm != null) {
            closeQuietly(osm);
        }
        if (mail != null) {
            closeQuietly(mail);
        }
        if (rules != null) {
            closeQuietly(rules);
        }
        if (responsesEdge != null) {
            closeQuietly(responsesEdge);
        }
        if (ohsome != null) {
            closeQuietly(ohsome);
        }
        if (mapswipe != null) {
            closeQuietly(mapswipe);
        }
        if (sqsServer != null) {
            try {
                sqsServer.stopAndWait();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        if (sqsActors != null) {
            try {
                sqsActors.terminate();
                scala.concurrent.Await.ready(sqsActors.whenTerminated(), scala.concurrent.duration.Duration.create(10, "s"));
            } catch (Exception ignored) {
                // best effort
            }
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (tempS3Dir != null) {
            deleteRecursively(tempS3Dir);
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** Deletes a folder tree, best effort (temporary data of the emulators and the local stack). */
    public static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // temporary data: best effort
        }
    }
}
