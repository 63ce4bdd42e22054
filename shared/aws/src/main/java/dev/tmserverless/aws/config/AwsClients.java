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

/**
 * SDK clients, built lazily (a function only pays for the clients it injects). url-connection-client keeps
 * the jar and the cold start small; credentials come from the Lambda environment, or are dummies when an
 * emulator endpoint is configured.
 */
@Factory
public class AwsClients {
    private final TmConfig config;

    public AwsClients(TmConfig config) { this.config = config; }

    @Singleton
    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "dynamodb").build();
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
