package dev.tmserverless.cdk;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;

/**
 * The CDK app: {@code cdk synth} / {@code cdk deploy} run this (see cdk.json). Builds one {@link TmStack} per stage
 * ({@code -c tm:stages=dev,prod}; default prod).
 */
public final class TmCdkApp {
    private TmCdkApp() {}

    public static void main(String[] args) {
        Path root = RepoRoot.find();
        // cdk.json's context (feature flags) also when the class is run without the CDK CLI; the CLI's own
        // context (cdk.json, cdk.context.json, -c) takes precedence over these defaults.
        App app = appWithCdkJsonContext(root, Map.of());
        buildAll(app, root);
        app.synth();
    }

    /** Adds one stack per stage named in the app's context ({@value StackSettings#STAGES}, default prod). */
    public static List<TmStack> buildAll(App app, Path repoRoot) {
        List<TmStack> stacks = new ArrayList<>();
        for (StackSettings.Stage stage : StackSettings.stages(app.getNode())) {
            StackSettings settings = StackSettings.fromContext(app.getNode(), stage);
            FunctionCode code = new FunctionCode(repoRoot,
                    settings.allowMissingJars() ? FunctionCode.MissingJar.PLACEHOLDER : FunctionCode.MissingJar.FAIL);
            stacks.add(build(app, settings, code));
        }
        return stacks;
    }

    /** The app's one stack (the context names one stage). */
    public static TmStack build(App app, Path repoRoot) {
        List<TmStack> stacks = buildAll(app, repoRoot);
        if (stacks.size() != 1) throw new IllegalStateException("expected one stage, got " + stacks.size());
        return stacks.get(0);
    }

    public static TmStack build(App app, StackSettings settings, FunctionCode code) {
        TmStack stack = new TmStack(app, settings.stackName(), StackProps.builder()
                .env(environment())
                .description("tm-serverless (" + settings.stage().id()
                        + "): Tasking Manager API v2 on Lambda, DynamoDB, SQS and S3")
                .build(), settings, code);
        // Cost-allocation tags on every taggable resource (activate them once in Billing to see costs by them).
        Tags.of(stack).add(TAG_PROJECT, PROJECT);
        Tags.of(stack).add(TAG_STAGE, settings.stage().id());
        Tags.of(stack).add("app", PROJECT); // the tag earlier versions set; kept so existing cost reports continue
        return stack;
    }

    public static final String TAG_PROJECT = "project";
    public static final String TAG_STAGE = "stage";
    public static final String PROJECT = "tm-serverless";

    /** The account and region the CLI resolved from the caller's AWS profile, if any (else env-agnostic). */
    private static Environment environment() {
        String account = System.getenv("CDK_DEFAULT_ACCOUNT");
        String region = System.getenv("CDK_DEFAULT_REGION");
        if (account == null || region == null) return null;
        return Environment.builder().account(account).region(region).build();
    }

    /**
     * An App with the context (feature flags) of cdk.json plus {@code extra}, as default context values: what the
     * tests synthesize is what {@code cdk deploy} synthesizes.
     */
    public static App appWithCdkJsonContext(Path repoRoot, Map<String, Object> extra) {
        Map<String, Object> context = new LinkedHashMap<>(cdkJsonContext(repoRoot));
        context.putAll(extra);
        return new App(AppProps.builder().context(context).build());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cdkJsonContext(Path repoRoot) {
        try {
            Map<String, Object> cdkJson = new ObjectMapper().readValue(repoRoot.resolve(RepoRoot.MARKER).toFile(), Map.class);
            Object context = cdkJson.get("context");
            return context instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
