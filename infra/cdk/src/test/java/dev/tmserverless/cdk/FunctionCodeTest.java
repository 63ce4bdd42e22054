package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tmserverless.core.catalogue.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the app finds the repo root and each function's jar. */
class FunctionCodeTest {

    @Test
    void repoRootIsFoundFromInfraCdkAndFromBelowIt(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("checkout");
        Files.createDirectories(root.resolve("infra/cdk/src/main"));
        Files.writeString(root.resolve("infra/cdk/cdk.json"), "{}");
        assertThat(RepoRoot.searchUpFrom(root.resolve("infra/cdk"))).contains(root);
        assertThat(RepoRoot.searchUpFrom(root.resolve("infra/cdk/src/main"))).contains(root);
        assertThat(RepoRoot.searchUpFrom(root)).contains(root);
        assertThat(RepoRoot.searchUpFrom(tmp)).isEmpty();
    }

    @Test
    void theRealCheckoutIsFound() {
        Path root = RepoRoot.find();
        assertThat(root.resolve("pom.xml")).isRegularFile();
        assertThat(root.resolve("shared/core")).isDirectory();
    }

    @Test
    void jarPathFollowsTheCatalogueModule() {
        FunctionCode code = new FunctionCode(Path.of("/repo"), FunctionCode.MissingJar.FAIL);
        for (Resources.Function f : Resources.FUNCTIONS) {
            assertThat(code.jarOf(f)).isEqualTo(Path.of("/repo/functions", f.module(), "target", f.module() + "-lambda.jar"));
        }
    }

    @Test
    void aMissingJarFailsADeployButNotATest(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("infra/cdk"));
        Resources.Function f = Resources.FUNCTIONS.get(0);
        FunctionCode strict = new FunctionCode(tmp, FunctionCode.MissingJar.FAIL);
        assertThat(strict.isBuilt(f)).isFalse();
        assertThatThrownBy(() -> strict.codeFor(f)).hasMessageContaining("is not built")
                .hasMessageContaining(f.jarName());
        Path placeholder = new FunctionCode(tmp, FunctionCode.MissingJar.PLACEHOLDER).placeholderFor(f);
        assertThat(placeholder).startsWith(tmp.resolve("infra/cdk/target"));
        assertThat(placeholder.resolve("PLACEHOLDER.txt")).isRegularFile();
    }
}
