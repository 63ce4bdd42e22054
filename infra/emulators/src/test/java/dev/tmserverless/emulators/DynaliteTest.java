package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

class DynaliteTest {
    static DynamoDbClient dynamo;
    static String table;

    @BeforeAll
    static void start() {
        dynamo = Emulators.shared().dynamoDb();
        table = Emulators.shared().isolated("DynaliteTest").table();
    }

    @Test
    void exactlyOneOfManyConcurrentConditionalWritesWins() throws Exception {
        Map<String, AttributeValue> key = Map.of("pk", s("TASK#1"), "sk", s("TASK"));
        dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("TASK#1"), "sk", s("TASK"),
                "status", s("READY"), "version", n(1))));
        int contenders = 16;
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            String user = "user" + i;
            attempts.add(() -> {
                go.await();
                try {
                    dynamo.updateItem(b -> b.tableName(table).key(key)
                            .updateExpression("SET #s = :locked, lockedBy = :u, version = version + :one")
                            .conditionExpression("#s = :ready AND version = :v")
                            .expressionAttributeNames(Map.of("#s", "status"))
                            .expressionAttributeValues(Map.of(":locked", s("LOCKED_FOR_MAPPING"), ":u", s(user),
                                    ":one", n(1), ":ready", s("READY"), ":v", n(1))));
                    return true;
                } catch (ConditionalCheckFailedException lost) {
                    return false;
                }
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(contenders)) {
            List<Future<Boolean>> results = attempts.stream().map(pool::submit).toList();
            go.countDown();
            long winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        assertThat(item.get("status").s()).isEqualTo("LOCKED_FOR_MAPPING");
        assertThat(item.get("version").n()).isEqualTo("2");
    }

    @Test
    void gsiIsQueryable() {
        dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("USER#7"), "sk", s("LOCK"),
                "gsi1pk", s("LOCKS"), "gsi1sk", s("USER#7"))));
        var items = dynamo.query(b -> b.tableName(table).indexName("gsi1")
                .keyConditionExpression("gsi1pk = :p").expressionAttributeValues(Map.of(":p", s("LOCKS")))).items();
        assertThat(items).extracting(i -> i.get("pk").s()).containsExactly("USER#7");
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    /**
     * A client that gives up on a request half-way through its body (an attempt timeout, an interrupted thread)
     * does not take the emulator down for everyone else: DynamoDB answers the next caller, and so must dynalite.
     */
    @Test
    void aRequestAbandonedHalfWayLeavesDynaliteAnswering() throws Exception {
        var endpoint = Emulators.shared().dynamoDbEndpoint();
        for (int round = 0; round < 3; round++) {
            try (var socket = new java.net.Socket(endpoint.getHost(), endpoint.getPort())) {
                var out = socket.getOutputStream();
                out.write(("POST / HTTP/1.1\r\nHost: " + endpoint.getAuthority() + "\r\n"
                        + "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"Limit\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
            }
            assertThat(dynamo.listTables().tableNames()).contains(table);
        }
        assertThat(Emulators.shared().childPids()).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true));
    }
}
