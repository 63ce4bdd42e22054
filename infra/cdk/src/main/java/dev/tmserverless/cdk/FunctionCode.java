package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.services.lambda.Code;

/**
 * Where each function's deployment package comes from: the jar its Maven module builds,
 * {@code functions/<module>/target/<module>-lambda.jar} below the repo root (CDK uploads a .jar as-is, as a zip).
 */
public final class FunctionCode {
    /** What to do when a function's jar has not been built. */
    public enum MissingJar {
        /** Refuse to synthesize (deploys): a stack without real code must never reach AWS by accident. */
        FAIL,
        /** Use a tiny placeholder package instead (template tests, or {@code cdk synth -c tm:allowMissingJars=true}
         *  on a checkout whose functions are not built). The placeholder cannot serve requests. */
        PLACEHOLDER
    }

    private final Path repoRoot;
    private final MissingJar whenMissing;

    public FunctionCode(Path repoRoot, MissingJar whenMissing) {
        this.repoRoot = repoRoot.toAbsolutePath().normalize();
        this.whenMissing = whenMissing;
    }

    public Path repoRoot() { return repoRoot; }

    /** The jar the function's module builds (it may not exist yet). */
    public Path jarOf(Resources.Function f) {
        return repoRoot.resolve("functions").resolve(f.module()).resolve("target").resolve(f.jarName());
    }

    public boolean isBuilt(Resources.Function f) {
        return Files.isRegularFile(jarOf(f));
    }

    public Code codeFor(Resources.Function f) {
        Path jar = jarOf(f);
        if (Files.isRegularFile(jar)) return Code.fromAsset(jar.toString());
        if (whenMissing == MissingJar.FAIL) {
            throw new IllegalStateException("function '" + f.id() + "': " + repoRoot.relativize(jar)
                    + " is not built. Build the function jars first (./run-tests, or mvn -B package -DskipTests at"
                    + " the repo root), or pass -c tm:allowMissingJars=true to synthesize with placeholders.");
        }
        return Code.fromAsset(placeholderFor(f).toString());
    }

    /** A one-file folder under {@code infra/cdk/target/}, so a missing jar never breaks synthesis in tests. */
    Path placeholderFor(Resources.Function f) {
        Path dir = repoRoot.resolve(Path.of("infra", "cdk", "target", "placeholder-code", f.module()));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("PLACEHOLDER.txt"),
                    "Placeholder for " + f.jarName() + ", which was not built when this template was synthesized.\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
