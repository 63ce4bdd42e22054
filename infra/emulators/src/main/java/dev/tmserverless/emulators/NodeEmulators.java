package dev.tmserverless.emulators;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The npm side of the emulators: finds {@code infra/emulators/node}, installs its locked packages when they are
 * missing, and runs {@code launch.js} as child processes that print their port once ready.
 */
final class NodeEmulators {
    static final String NODE_FOLDER = "infra/emulators/node";
    private static final String READY = "TM-EMULATOR-READY ";
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase().startsWith("win");

    private NodeEmulators() {}

    /**
     * The repository root: system property {@code tm.repo.root} (surefire sets it), else environment variable
     * {@code TM_REPO_ROOT}, else the nearest folder above the working directory that holds {@value #NODE_FOLDER}.
     */
    static Path repoRoot() {
        for (String candidate : new String[] {System.getProperty("tm.repo.root"), System.getenv("TM_REPO_ROOT")}) {
            if (candidate != null && !candidate.isBlank()) {
                Path root = Path.of(candidate).toAbsolutePath().normalize();
                if (Files.isRegularFile(root.resolve(NODE_FOLDER).resolve("package.json"))) {
                    return root;
                }
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(NODE_FOLDER).resolve("package.json"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find the repository root (a folder containing " + NODE_FOLDER
                + "/package.json) above " + Path.of("").toAbsolutePath()
                + "; run from inside the repository or set -Dtm.repo.root=<repository root>");
    }

    static Path nodeFolder() {
        return repoRoot().resolve(NODE_FOLDER);
    }

    /** Runs {@code npm ci} in the node folder unless its node_modules matches package-lock.json already. */
    static void ensureInstalled(Path folder) {
        if (installed(folder)) {
            return;
        }
        // One installer at a time, across JVMs too (parallel builds, forked test JVMs).
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"),
                "tm-emulators-npm-" + Integer.toHexString(folder.toAbsolutePath().toString().hashCode()) + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (installed(folder)) {
                return;
            }
            System.err.println("[tm-emulators] installing the npm emulators (npm ci) in " + folder);
            List<String> command = List.of(WINDOWS ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund",
                    "--loglevel=error");
            Process npm;
            try {
                npm = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("Cannot run npm (Node.js 20 or newer with npm must be on PATH)", e);
            }
            npm.getOutputStream().close();
            String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!npm.waitFor(10, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm ci did not finish within 10 minutes in " + folder);
            }
            if (npm.exitValue() != 0 || !installed(folder)) {
                throw new IllegalStateException("npm ci failed in " + folder + " (exit " + npm.exitValue() + "):\n"
                        + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing the npm emulators", e);
        }
    }

    private static boolean installed(Path folder) {
        Path modules = folder.resolve("node_modules");
        Path hidden = modules.resolve(".package-lock.json");
        if (!Files.isRegularFile(modules.resolve("dynalite/package.json"))
                || !Files.isRegularFile(modules.resolve("s3rver/package.json")) || !Files.isRegularFile(hidden)) {
            return false;
        }
        try {
            FileTime lock = Files.getLastModifiedTime(folder.resolve("package-lock.json"));
            return Files.getLastModifiedTime(hidden).compareTo(lock) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A started {@code launch.js} child process. */
    static final class Child implements AutoCloseable {
        final String name;
        final Process process;
        final CompletableFuture<Integer> port = new CompletableFuture<>();
        private final Deque<String> tail = new ArrayDeque<>();
        private final boolean echo;
        private volatile boolean stopping;

        private Child(String name, Process process, boolean echo) {
            this.name = name;
            this.process = process;
            this.echo = echo;
            Thread reader = new Thread(this::read, "tm-emulators-" + name + "-output");
            reader.setDaemon(true);
            reader.start();
            process.onExit().thenRun(() -> {
                String last = tail();
                port.completeExceptionally(new IllegalStateException(
                        name + " exited (code " + process.exitValue() + ") before it was ready:\n" + last));
                // An emulator that ends while its owner still runs takes every later test with it ("connection
                // refused"): say so where the build log shows it, with the emulator's last words.
                if (!stopping) {
                    System.err.println("[" + name + "] exited on its own (code " + process.exitValue()
                            + "); its last output:\n" + last);
                }
            });
        }

        static Child start(Path folder, String name, List<String> args, boolean echo) {
            List<String> command = new ArrayList<>();
            command.add(WINDOWS ? "node.exe" : "node");
            command.add(folder.resolve("launch.js").toString());
            command.add(name);
            command.addAll(args);
            try {
                // stdin stays an open pipe: the launcher exits when it closes, i.e. when this JVM dies.
                Process process = new ProcessBuilder(command).directory(folder.toFile())
                        .redirectErrorStream(true).start();
                return new Child(name, process, echo);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot start node (Node.js 20 or newer must be on PATH)", e);
            }
        }

        int awaitPort(Duration timeout) {
            try {
                return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + name, e);
            }
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!port.isDone() && line.startsWith(READY)) {
                        port.complete(Integer.parseInt(line.substring(READY.length()).trim()));
                        continue;
                    }
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > 50) {
                            tail.removeFirst();
                        }
                    }
                    if (echo) {
                        System.err.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // the process is gone
            }
        }

        private String tail() {
            synchronized (tail) {
                return String.join("\n", tail);
            }
        }

        long pid() {
            return process.pid();
        }

        /** Ends the process and anything it started: SIGTERM and stdin EOF first, SIGKILL after a grace period. */
        @Override
        public void close() {
            stopping = true;
            List<ProcessHandle> descendants = process.descendants().toList();
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already closed
            }
            process.destroy();
            descendants.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }
}
