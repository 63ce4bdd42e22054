package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tmserverless.core.catalogue.Resources;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class CatalogueResourcesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Emulators emulators;
    static Isolated isolated;

    @BeforeAll
    static void start() {
        emulators = Emulators.shared();
        isolated = emulators.isolated("CatalogueResourcesTest");
    }

    @Test
    void tableHasTheCatalogueKeySchemaAndIndexes() {
        TableDescription table = emulators.dynamoDb().describeTable(b -> b.tableName(isolated.table())).table();
        assertThat(table.keySchema()).containsExactly(
                key(Resources.TABLE.partitionKey(), KeyType.HASH), key(Resources.TABLE.sortKey(), KeyType.RANGE));
        assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
        assertThat(table.globalSecondaryIndexes()).hasSize(Resources.TABLE.indexes().size());
        for (Resources.Index index : Resources.TABLE.indexes()) {
            GlobalSecondaryIndexDescription gsi = table.globalSecondaryIndexes().stream()
                    .filter(g -> g.indexName().equals(index.name())).findFirst().orElseThrow();
            assertThat(gsi.keySchema()).containsExactly(
                    key(index.partitionKey(), KeyType.HASH), key(index.sortKey(), KeyType.RANGE));
            assertThat(gsi.projection().projectionType()).isEqualTo(ProjectionType.ALL);
        }
    }

    @Test
    void eachQueueHasItsDlqRedrivePolicyAndVisibilityTimeout() throws Exception {
        for (Resources.Queue queue : Resources.QUEUES) {
            ResourceSet.QueuePair pair = isolated.resources().queue(queue);
            Map<QueueAttributeName, String> attributes = emulators.sqs().getQueueAttributes(
                    b -> b.queueUrl(pair.url()).attributeNames(QueueAttributeName.ALL)).attributes();
            assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT))
                    .isEqualTo(Integer.toString(queue.visibilityTimeoutSeconds()));
            JsonNode redrive = JSON.readTree(attributes.get(QueueAttributeName.REDRIVE_POLICY));
            assertThat(redrive.get("deadLetterTargetArn").asText()).isEqualTo(pair.dlqArn());
            assertThat(redrive.get("maxReceiveCount").asInt()).isEqualTo(queue.maxReceiveCount());
            assertThat(pair.dlqName()).endsWith(queue.dlqId());
            assertThat(emulators.sqs().getQueueUrl(b -> b.queueName(pair.dlqName())).queueUrl())
                    .isEqualTo(pair.dlqUrl());
        }
    }

    @Test
    void bucketExists() {
        emulators.s3().headBucket(b -> b.bucket(isolated.bucket()));
    }

    @Test
    void createResourcesIsIdempotent() {
        ResourceSet first = emulators.createResources("idempotent", 5);
        ResourceSet second = emulators.createResources("idempotent", 7);
        assertThat(second).isEqualTo(first);
        String visibility = emulators.sqs().getQueueAttributes(b -> b.queueUrl(second.queue(Resources.GRID_JOBS).url())
                .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT)).attributes()
                .get(QueueAttributeName.VISIBILITY_TIMEOUT);
        assertThat(visibility).isEqualTo("7");
    }

    @Test
    void envNamesEveryResourceEndpointAndLoginSetting() {
        Map<String, String> env = isolated.env();
        assertThat(env).containsEntry("TM_TABLE", isolated.table())
                .containsEntry("TM_BUCKET", isolated.bucket())
                .containsEntry(Resources.GRID_JOBS.envVar(), isolated.queueUrl(Resources.GRID_JOBS))
                .containsEntry("TM_AWS_ENDPOINT_DYNAMODB", emulators.dynamoDbEndpoint().toString())
                .containsEntry("TM_AWS_ENDPOINT_SQS", emulators.sqsEndpoint().toString())
                .containsEntry("TM_AWS_ENDPOINT_S3", emulators.s3Endpoint().toString())
                .containsEntry("TM_OSM_URL", emulators.osmUrl().toString())
                .containsEntry("TM_OSM_CLIENT_ID", isolated.osm().id())
                .containsEntry("TM_OSM_CLIENT_SECRET", isolated.osm().secret())
                .containsEntry("TM_BOOTSTRAP_ADMINS", Integer.toString(OsmStandIn.userId("admin")))
                .containsEntry("TM_AWS_ENDPOINT_SES", emulators.mail().baseUrl().toString())
                .containsEntry("TM_MAIL_FROM", Emulators.MAIL_FROM)
                .containsEntry("TM_EMAIL_CONTACT_ADDRESS", Emulators.CONTACT_ADDRESS)
                .containsKey("TM_TOKEN_SECRET");
        assertThat(env.values()).allSatisfy(v -> assertThat(v).doesNotContain("localhost"));
    }

    @Test
    void isolatedCopiesDoNotShareData() {
        Isolated other = emulators.isolated("CatalogueResourcesTest");
        assertThat(other.table()).isNotEqualTo(isolated.table());
        assertThat(other.bucket()).isNotEqualTo(isolated.bucket());
        assertThat(other.queueUrl(Resources.GRID_JOBS)).isNotEqualTo(isolated.queueUrl(Resources.GRID_JOBS));
        assertThat(other.osm().id()).isNotEqualTo(isolated.osm().id());
        emulators.sqs().sendMessage(b -> b.queueUrl(other.queueUrl(Resources.GRID_JOBS)).messageBody("x"));
        assertThat(emulators.sqs().receiveMessage(b -> b.queueUrl(isolated.queueUrl(Resources.GRID_JOBS)))
                .messages()).isEmpty();
    }

    @Test
    void namesAreValidForEveryService() {
        assertThat(Emulators.sanitize("My Test_Class!!With A Very Long Name Indeed")).matches("[a-z0-9-]{1,24}")
                .doesNotEndWith("-");
        assertThat(Emulators.sanitize("--")).isEqualTo("t");
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
