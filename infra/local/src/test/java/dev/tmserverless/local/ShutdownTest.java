package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tmserverless.emulators.Emulators;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The local stack as a process: Ctrl-C (SIGINT) or SIGTERM ends it and every process it started. */
class ShutdownTest {

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalStopsTheStackAndLeavesNoChildProcess(String signal, @TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--sun-misc-unsafe-memory-access=allow",
                "-Dtm.repo.root=" + Emulators.repoRoot(), "-cp", System.getProperty("java.class.path"),
                LocalStack.class.getName(), "--port", "0", "--data-dir", dir.resolve("data").toString(),
                "--functions-dir", dir.resolve("no-functions").toString());
        Process stack = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        stack.onExit().thenRun(ready::countDown); // fail fast if it ends before it is ready
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stack.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    if (line.contains("Press Ctrl-C to stop.")) {
                        ready.countDown();
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        List<ProcessHandle> children = new ArrayList<>();
        try {
            assertThat(ready.await(60, TimeUnit.SECONDS) && stack.isAlive())
                    .as("ready; output:%n%s", String.join("\n", output)).isTrue();
            children.addAll(stack.descendants().toList());
            assertThat(children).as("node emulators").hasSizeGreaterThanOrEqualTo(2);
            int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(stack.pid())).start().waitFor();
            assertThat(rc).isZero();
            // close() gives the queue pollers up to 15 s to end a long poll and the stream pollers 5 s, then stops
            // the emulators: on a loaded 2-core machine that can pass 30 s; a stack that hangs still fails here
            assertThat(stack.waitFor(60, TimeUnit.SECONDS)).as("stack exited").isTrue();
            reader.join(5000);
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
                assertThat(child.isAlive()).as("child %s", child.pid()).isFalse();
            }
            assertThat(String.join("\n", output)).contains("stopped.");
        } finally {
            stack.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
