package dev.tmserverless.cdk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the root of the checkout, so that asset paths ({@code functions/<module>/target/<module>-lambda.jar})
 * resolve the same whether the app runs from the repo root (Maven reactor), from {@code infra/cdk} (the CDK
 * CLI reading cdk.json, or {@code mvn -pl infra/cdk} tests), or anywhere else below the checkout.
 */
public final class RepoRoot {
    /** The file that marks the checkout root: this module's cdk.json, at a fixed place below it. */
    static final Path MARKER = Path.of("infra", "cdk", "cdk.json");

    /** Explicit override, for unusual layouts: environment variable or system property. */
    public static final String ENV = "TM_REPO_ROOT";
    public static final String PROPERTY = "tm.repo.root";

    private RepoRoot() {}

    /** The repo root: {@code TM_REPO_ROOT} / {@code -Dtm.repo.root} if set, else the nearest ancestor of the
     *  working directory that holds {@code infra/cdk/cdk.json}. */
    public static Path find() {
        for (String explicit : new String[] {System.getenv(ENV), System.getProperty(PROPERTY)}) {
            if (explicit != null && !explicit.isBlank()) {
                Path p = Path.of(explicit).toAbsolutePath().normalize();
                if (Files.isRegularFile(p.resolve(MARKER))) return p;
            }
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        return searchUpFrom(cwd).orElseThrow(() -> new IllegalStateException(
                "cannot find the repository root (a folder holding " + MARKER + ") above " + cwd
                        + "; run from inside the checkout or set " + ENV));
    }

    static Optional<Path> searchUpFrom(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(MARKER))) return Optional.of(p);
        }
        return Optional.empty();
    }
}
