package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.core.catalogue.Resources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class LifecycleTest {

    @Test
    void persistentDataAndQueueMessagesSurviveARestartAndNoChildProcessRemainsAfterClose(@TempDir Path data) {
        List<Long> pids;
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("PROJECT#1"), "sk", AttributeValue.fromS("P"));
        try (Emulators first = Emulators.start(Emulators.Options.persistent(data))) {
            pids = first.childPids();
            assertThat(pids).hasSize(2).allSatisfy(pid -> assertThat(alive(pid)).isTrue());
            assertThat(ProcessHandle.current().children().map(ProcessHandle::pid).toList()).containsAll(pids);
            ResourceSet resources = first.createResources();
            first.dynamoDb().putItem(b -> b.tableName(resources.table()).item(Map.of("pk", key.get("pk"),
                    "sk", key.get("sk"), "name", AttributeValue.fromS("kept"))));
            first.s3().putObject(b -> b.bucket(resources.bucket()).key("kept.txt"), RequestBody.fromString("kept"));
            // queue messages too, as SQS keeps them (docs/grid-jobs.md "Crash of the whole local stack")
            String url = resources.queue(Resources.GRID_JOBS).url();
            first.sqs().sendMessage(b -> b.queueUrl(url).messageBody("kept-1"));
            first.sqs().sendMessage(b -> b.queueUrl(url).messageBody("kept-2"));
            assertThat(first.env()).containsEntry("TM_TABLE", "tm-main").containsEntry("TM_BUCKET", "tm-data")
                    .containsEntry(Resources.GRID_JOBS.envVar(), resources.queue(Resources.GRID_JOBS).url());
        }
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).as("pid %s", pid).isFalse());
        assertThat(ProcessHandle.current().children().map(ProcessHandle::pid).toList()).doesNotContainAnyElementsOf(pids);

        try (Emulators second = Emulators.start(Emulators.Options.persistent(data))) {
            ResourceSet resources = second.createResources();
            assertThat(second.dynamoDb().getItem(b -> b.tableName(resources.table()).key(key)).item().get("name").s())
                    .isEqualTo("kept");
            assertThat(second.s3().getObjectAsBytes(b -> b.bucket(resources.bucket()).key("kept.txt"))
                    .asString(StandardCharsets.UTF_8)).isEqualTo("kept");
            String url = resources.queue(Resources.GRID_JOBS).url();
            List<String> bodies = new java.util.ArrayList<>();
            for (int i = 0; i < 5 && bodies.size() < 2; i++) {
                second.sqs().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()
                        .forEach(m -> bodies.add(m.body()));
            }
            assertThat(bodies).containsExactlyInAnyOrder("kept-1", "kept-2");
            pids = second.childPids();
        }
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).isFalse());
    }

    @Test
    void inMemoryEmulatorsLeaveNothingBehind() {
        Emulators emulators = Emulators.start();
        List<Long> pids = emulators.childPids();
        emulators.close();
        emulators.close(); // idempotent
        assertThat(emulators.isClosed()).isTrue();
        assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).isFalse());
    }

    @Test
    void anEmulatorEndsOnItsOwnWhenItsParentGoesAway() throws Exception {
        // What happens when this JVM is killed with -9: the kernel closes the stdin pipe of each child.
        NodeEmulators.Child child = NodeEmulators.Child.start(NodeEmulators.nodeFolder(), "dynalite", List.of(), false);
        try {
            assertThat(child.awaitPort(java.time.Duration.ofSeconds(20))).isPositive();
            child.process.getOutputStream().close();
            assertThat(child.process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            child.close();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
