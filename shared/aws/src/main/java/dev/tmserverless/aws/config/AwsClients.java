package dev.tmserverless.aws.config;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SDK clients, built lazily (a function only pays for the clients it injects). url-connection-client keeps
 * the jar and the cold start small; credentials come from the Lambda environment, or are dummies when an
 * emulator endpoint is configured.
 *
 * <p>The DynamoDB client of a cold start is built ahead ({@link #buildAhead()}): the first function constructed in
 * a JVM starts building it, and sends one GetItem of a key no item has, on a thread of its own while Micronaut's
 * context starts on the caller's, and the context's factory takes that client (docs/performance.md "Cold start").
 */
@Factory
public class AwsClients {
    private final TmConfig config;

    public AwsClients(TmConfig config) { this.config = config; }

    @Singleton
    public DynamoDbClient dynamoDb() {
        DynamoDbClient ahead = takeAhead(config);
        return ahead != null ? ahead : buildDynamoDb(config);
    }

    private static DynamoDbClient buildDynamoDb(TmConfig config) {
        return new AwsClients(config).configure(DynamoDbClient.builder(), "dynamodb").build();
    }

    /** What a DynamoDB client is built from: a client built ahead is taken only by a context with the same. */
    private record DynamoDbSettings(String region, Optional<String> endpoint) {
        static DynamoDbSettings of(TmConfig config) {
            return new DynamoDbSettings(config.region(), config.endpoint("dynamodb"));
        }
    }

    private record Ahead(DynamoDbSettings settings, CompletableFuture<DynamoDbClient> client) {}

    private static final AtomicBoolean AHEAD_STARTED = new AtomicBoolean();
    private static final AtomicReference<Ahead> AHEAD = new AtomicReference<>();

    /** Setting that turns {@link #buildAhead()} off when "false" (the bench compares both). */
    public static final String BUILD_AHEAD = "TM_DYNAMODB_BUILD_AHEAD";

    /**
     * Once per JVM (per class loader): builds the DynamoDB client of the process's settings on a daemon thread, then
     * sends a GetItem of a key no item has through it (the SDK's marshalling, signing and HTTP code run once, the
     * connection to the endpoint is opened), while the caller goes on building its context. The first context whose
     * settings match takes the client; a failure only means the context builds its own.
     */
    public static void buildAhead() {
        TmConfig config = new TmConfig();
        if (config.get(BUILD_AHEAD).map("false"::equals).orElse(false)) return;
        if (AHEAD_STARTED.compareAndSet(false, true)) buildAhead(config);
    }

    /** {@link #buildAhead()} with the given settings, each time it is called (tests). */
    static CompletableFuture<DynamoDbClient> buildAhead(TmConfig config) {
        CompletableFuture<DynamoDbClient> client = new CompletableFuture<>();
        AHEAD.set(new Ahead(DynamoDbSettings.of(config), client));
        Thread.ofPlatform().daemon().name("tm-dynamodb-ahead").start(() -> {
            DynamoDbClient built;
            try {
                built = buildDynamoDb(config);
            } catch (Throwable e) {
                client.completeExceptionally(e);
                return;
            }
            client.complete(built);
            Optional<String> table = config.get(dev.tmserverless.core.catalogue.Resources.TABLE.envVar());
            if (table.isEmpty()) return;
            try {
                var missing = software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(WARM_UP_KEY);
                built.getItem(b -> b.tableName(table.get()).key(Map.of("pk", missing, "sk", missing)));
            } catch (RuntimeException e) {
                // only a warm-up: the first request pays for what it would have done
            }
        });
        return client;
    }

    /** The key of the ahead thread's GetItem: no item has it. */
    static final String WARM_UP_KEY = "WARMUP#";

    /** The client built ahead, when its settings are the context's; null otherwise (or when building it failed). */
    private static DynamoDbClient takeAhead(TmConfig config) {
        Ahead ahead = AHEAD.get();
        if (ahead == null || !ahead.settings().equals(DynamoDbSettings.of(config)) || !AHEAD.compareAndSet(ahead, null)) return null;
        try {
            return ahead.client().join();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Singleton
    public SqsClient sqs() {
        return configure(SqsClient.builder(), "sqs").build();
    }

    @Singleton
    public S3Client s3() {
        var b = configure(S3Client.builder(), "s3");
        if (config.endpoint("s3").isPresent()) {
            // s3rver needs path-style addressing and no aws-chunked uploads.
            b.serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true)
                    .chunkedEncodingEnabled(false).build());
        }
        return b.build();
    }

    /**
     * EventBridge, for arming and disarming the lock sweep's rule (SweepSchedule). Only the functions that do so
     * carry the SDK module; in the others this client does not exist.
     */
    @Singleton
    @io.micronaut.context.annotation.Requires(classes = software.amazon.awssdk.services.eventbridge.EventBridgeClient.class)
    public software.amazon.awssdk.services.eventbridge.EventBridgeClient eventBridge() {
        return configure(software.amazon.awssdk.services.eventbridge.EventBridgeClient.builder(), "events").build();
    }

    /** Signs download links for responses handed over through the bucket; signing needs no network. */
    @Singleton
    public S3Presigner s3Presigner() {
        var b = S3Presigner.builder().region(Region.of(config.region())).credentialsProvider(credentials("s3"));
        config.endpoint("s3").ifPresent(e -> b.endpointOverride(URI.create(e))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return b.build();
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(Region.of(config.region()));
        if (builder instanceof software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(UrlConnectionHttpClient.builder());
        }
        builder.credentialsProvider(credentials(service));
        config.endpoint(service).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        return builder;
    }

    private AwsCredentialsProvider credentials(String service) {
        return config.endpoint(service).isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))
                : DefaultCredentialsProvider.builder().build(); // SnapStart functions get container credentials, not key variables
    }
}
