package dev.tmserverless.cdk;

import static dev.tmserverless.cdk.TemplateView.list;
import static dev.tmserverless.cdk.TemplateView.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tmserverless.core.catalogue.Resources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.App;

/**
 * The optional web frontend ({@code tm:frontendDir}): prod with the distribution's own domain, dev with a custom
 * domain, its certificate and a new web ACL, both synthesized from one app as {@code cdk deploy} would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebFrontendTemplateTest {
    static final String CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100";
    Path build;
    TmStack prod;
    TmStack dev;
    TemplateView p;
    TemplateView d;

    static Path fakeBuild() {
        try {
            Path dir = Files.createTempDirectory("tm-frontend-build");
            Files.writeString(dir.resolve("index.html"), "<!doctype html><div id=root></div>");
            Files.createDirectories(dir.resolve("static/js"));
            Files.writeString(dir.resolve("static/js/main.0123abcd.js"), "console.log(1)");
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    void synth() {
        build = fakeBuild();
        App app = TestStacks.app(Map.of(StackSettings.STAGES, "prod,dev",
                WebFrontend.DIR, build.toString(),
                StackSettings.scoped(StackSettings.Stage.DEV, WebFrontend.DOMAIN), "tm.example.org",
                StackSettings.scoped(StackSettings.Stage.DEV, WebFrontend.CERTIFICATE_ARN), CERT,
                StackSettings.scoped(StackSettings.Stage.DEV, WebFrontend.WAF), "true"));
        List<TmStack> stacks = TmCdkApp.buildAll(app, TestStacks.root());
        prod = stacks.get(0);
        dev = stacks.get(1);
        p = new TemplateView(prod);
        d = new TemplateView(dev);
    }

    Map<String, Object> distribution(TemplateView t) {
        return map(t.props(t.logicalId(t == p ? prod.frontend().distribution() : dev.frontend().distribution()))
                .get("DistributionConfig"));
    }

    @Test
    void withoutTheContextValueThereIsNoFrontend() {
        App app = TestStacks.app(Map.of());
        assertThat(WebFrontend.Settings.fromContext(app.getNode(), StackSettings.Stage.PROD)).isEmpty();
    }

    @Test
    void theAppIsServedFromAPrivateBucketThroughOriginAccessControl() {
        String bucket = p.logicalId(prod.frontend().siteBucket());
        assertThat(String.valueOf(p.props(bucket).get("PublicAccessBlockConfiguration")))
                .contains("BlockPublicAcls=true", "BlockPublicPolicy=true", "IgnorePublicAcls=true", "RestrictPublicBuckets=true");
        // the site's and the hand-over distribution's (HandOverEdge)
        assertThat(p.ofType("AWS::CloudFront::OriginAccessControl")).hasSize(2);
        Map<String, Object> s3Origin = origins(distribution(p)).stream()
                .filter(o -> o.containsKey("S3OriginConfig")).findFirst().orElseThrow();
        assertThat(s3Origin.get("OriginAccessControlId")).isNotNull();
        assertThat(String.valueOf(map(s3Origin.get("S3OriginConfig")).get("OriginAccessIdentity"))).isEmpty();
        // only CloudFront, and only this distribution, may read the objects
        String policy = String.valueOf(p.ofType("AWS::S3::BucketPolicy").values().stream()
                .filter(r -> String.valueOf(r).contains(bucket)).toList());
        assertThat(policy).contains("cloudfront.amazonaws.com", "s3:GetObject", "AWS:SourceArn");
        Map<String, Object> def = map(distribution(p).get("DefaultCacheBehavior"));
        assertThat(def.get("ViewerProtocolPolicy")).isEqualTo("redirect-to-https");
        assertThat(def.get("Compress")).isEqualTo(true);
        assertThat(distribution(p).get("DefaultRootObject")).isEqualTo("index.html");
        // the SPA fallback runs on viewer requests for the app, not for the API
        assertThat(String.valueOf(def.get("FunctionAssociations"))).contains("viewer-request");
    }

    @Test
    void apiPathsGoToTheHttpApiOnTheSameDomainWithEveryMethod() {
        Map<String, Object> api = apiBehavior(distribution(p));
        assertThat(list(api.get("AllowedMethods"))).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE");
        assertThat(list(api.get("CachedMethods"))).containsExactlyInAnyOrder("GET", "HEAD");
        assertThat(api.get("ViewerProtocolPolicy")).isEqualTo("https-only");
        assertThat(api.get("Compress")).isEqualTo(true);
        // the managed AllViewerExceptHostHeader origin request policy: API Gateway needs its own Host
        assertThat(api.get("OriginRequestPolicyId")).isEqualTo("b689b0a8-53d0-40ab-baf2-68738e2966ac");
        Map<String, Object> origin = origins(distribution(p)).stream()
                .filter(o -> o.get("Id").equals(api.get("TargetOriginId"))).findFirst().orElseThrow();
        assertThat(String.valueOf(origin.get("DomainName"))).contains(p.logicalId(prod.api()), "execute-api");
        assertThat(String.valueOf(origin.get("CustomOriginConfig"))).contains("OriginProtocolPolicy=https-only");
        // no distribution-wide error page: the API's 404s and 403s reach the client as they are
        assertThat(distribution(p).get("CustomErrorResponses")).isNull();
    }

    @Test
    void apiAnswersAreCachedOnlyWhenTheySayPublicBrieflyAndPerCaller() {
        Map<String, Object> policy = map(p.props(p.logicalId(prod.frontend().apiCachePolicy())).get("CachePolicyConfig"));
        assertThat(policy.get("DefaultTTL")).isEqualTo(0);
        assertThat(policy.get("MinTTL")).isEqualTo(0);
        assertThat(policy.get("MaxTTL")).isEqualTo(60);
        String key = String.valueOf(policy.get("ParametersInCacheKeyAndForwardedToOrigin"));
        assertThat(key).contains("Authorization", "Accept-Language", "QueryStringBehavior=all", "EnableAcceptEncodingGzip=true");
        assertThat(String.valueOf(apiBehavior(distribution(p)).get("CachePolicyId"))).contains(p.logicalId(prod.frontend().apiCachePolicy()));
    }

    @Test
    void hashedFilesAreImmutableAndTheRestIsRevalidated() {
        List<String> deployments = p.ofType("Custom::CDKBucketDeployment").values().stream()
                .map(r -> String.valueOf(map(r.get("Properties")))).toList();
        assertThat(deployments).hasSize(2);
        assertThat(deployments).anySatisfy(s -> assertThat(s).contains("public, max-age=31536000, immutable", "static/*", "Prune=false"));
        assertThat(deployments).anySatisfy(s -> assertThat(s).contains("no-cache", "DistributionPaths=[/index.html, /]"));
    }

    @Test
    void everyAnswerCarriesSecurityHeaders() {
        String headers = String.valueOf(p.props(p.logicalId(prod.frontend().securityHeaders())));
        assertThat(headers).contains("StrictTransportSecurity", "AccessControlMaxAgeSec=31536000", "ContentTypeOptions",
                "FrameOption=DENY", "strict-origin-when-cross-origin", "frame-ancestors 'none'");
        String id = p.logicalId(prod.frontend().securityHeaders());
        assertThat(String.valueOf(map(distribution(p).get("DefaultCacheBehavior")).get("ResponseHeadersPolicyId"))).contains(id);
        assertThat(String.valueOf(apiBehavior(distribution(p)).get("ResponseHeadersPolicyId"))).contains(id);
    }

    @Test
    void theLoginRedirectsToTheDistributionsOwnDomain() {
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (!TmStack.servesLogin(f)) continue;
            Map<String, Object> env = map(map(p.props(p.logicalId(prod.functions().get(f.id()))).get("Environment")).get("Variables"));
            String redirect = String.valueOf(env.get(TmStack.ENV_REDIRECT_URI));
            assertThat(redirect).contains("https://", p.logicalId(prod.frontend().distribution()), "DomainName", "/authorized");
            assertThat(String.valueOf(map(p.json.get("Outputs")).get("OsmRedirectUri"))).contains(redirect);
        }
    }

    @Test
    void aCustomDomainUsesItsCertificateWithTls12AndTheLoginFollowsIt() {
        Map<String, Object> dist = distribution(d);
        assertThat(list(dist.get("Aliases"))).containsExactly("tm.example.org");
        Map<String, Object> cert = map(dist.get("ViewerCertificate"));
        assertThat(cert.get("AcmCertificateArn")).isEqualTo(CERT);
        assertThat(cert.get("MinimumProtocolVersion")).isEqualTo("TLSv1.2_2021");
        assertThat(cert.get("SslSupportMethod")).isEqualTo("sni-only");
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (!TmStack.servesLogin(f)) continue;
            Map<String, Object> env = map(map(d.props(d.logicalId(dev.functions().get(f.id()))).get("Environment")).get("Variables"));
            assertThat(env.get(TmStack.ENV_REDIRECT_URI)).isEqualTo("https://tm.example.org/authorized");
        }
    }

    @Test
    void theWebAclBlocksClientsOverTheirRateAndLoginsMoreTightly() {
        assertThat(p.ofType("AWS::WAFv2::WebACL")).isEmpty();
        Map<String, Object> acl = d.props(d.logicalId(dev.frontend().webAcl()));
        assertThat(acl.get("Scope")).isEqualTo("CLOUDFRONT");
        assertThat(String.valueOf(acl.get("DefaultAction"))).contains("Allow");
        List<Object> rules = list(acl.get("Rules"));
        assertThat(rules).hasSize(2);
        String all = String.valueOf(rules.get(0));
        assertThat(all).contains("Limit=20000", "AggregateKeyType=IP", "Block");
        String login = String.valueOf(rules.get(1));
        assertThat(login).contains("Limit=300", "STARTS_WITH", TmStack.AUTH_ROUTE_PREFIX);
        assertThat(String.valueOf(distribution(d).get("WebACLId"))).contains(d.logicalId(dev.frontend().webAcl()), "Arn");
    }

    @Test
    void badSettingsAreRefusedAtSynth() {
        App halfDomain = TestStacks.app(Map.of(WebFrontend.DIR, build.toString(), WebFrontend.DOMAIN, "tm.example.org"));
        assertThatThrownBy(() -> WebFrontend.Settings.fromContext(halfDomain.getNode(), StackSettings.Stage.PROD))
                .hasMessageContaining(WebFrontend.CERTIFICATE_ARN);
        App noBuild = TestStacks.app(Map.of(WebFrontend.DIR, build.resolve("static").toString()));
        assertThatThrownBy(() -> WebFrontend.Settings.fromContext(noBuild.getNode(), StackSettings.Stage.PROD))
                .hasMessageContaining("index.html");
    }

    /** The fallback function, run by Node as CloudFront runs it: app routes become index.html, files stay. */
    @Test
    void theSpaFallbackSendsAppRoutesToIndexAndLeavesFilesAlone() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("/", "/index.html");
        cases.put("/projects/12", "/index.html");
        cases.put("/authorized", "/index.html");
        cases.put("/users/jane.doe", "/index.html");
        cases.put("/static/js/main.0123abcd.js", "/static/js/main.0123abcd.js");
        cases.put("/static/media/missing", "/static/media/missing");
        cases.put("/favicon.ico", "/favicon.ico");
        cases.put("/manifest.json", "/manifest.json");
        StringBuilder js = new StringBuilder(WebFrontend.SPA_FALLBACK_JS);
        for (String uri : cases.keySet()) {
            js.append("console.log(handler({request: {uri: '").append(uri).append("'}}).uri);\n");
        }
        Process node = new ProcessBuilder("node", "-e", js.toString()).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor()).as(out).isZero();
        assertThat(out.strip().split("\n")).containsExactlyElementsOf(new ArrayList<>(cases.values()));
    }

    static List<Map<String, Object>> origins(Map<String, Object> dist) {
        return list(dist.get("Origins")).stream().map(TemplateView::map).toList();
    }

    static Map<String, Object> apiBehavior(Map<String, Object> dist) {
        return list(dist.get("CacheBehaviors")).stream().map(TemplateView::map)
                .filter(b -> WebFrontend.API_PATH.equals(b.get("PathPattern"))).findFirst().orElseThrow();
    }
}
