package dev.tmserverless.cdk;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;

/** Builds the stack the way {@code cdk synth} does (cdk.json context), for tests. */
final class TestStacks {
    private TestStacks() {}

    /**
     * A fresh App with the given context. Function jars that are not built yet (a clean clone running
     * {@code mvn -pl infra/cdk verify}) are replaced by placeholder folders under infra/cdk/target/, so the
     * template tests never depend on the function modules having been packaged first.
     */
    static App app(Map<String, Object> context) {
        Map<String, Object> ctx = new HashMap<>(context);
        ctx.putIfAbsent(StackSettings.ALLOW_MISSING_JARS, "true");
        // Built jars are ~23 MB each: hash them where they are instead of copying them into every test's
        // temporary cloud assembly (the template is the same; only the asset's staging path differs).
        ctx.putIfAbsent("aws:cdk:disable-asset-staging", true);
        return TmCdkApp.appWithCdkJsonContext(root(), ctx);
    }

    static TmStack stack(App app) {
        return TmCdkApp.build(app, root());
    }

    static Path root() {
        return RepoRoot.find();
    }
}
