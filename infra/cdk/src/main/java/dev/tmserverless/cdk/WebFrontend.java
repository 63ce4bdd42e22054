package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CacheCookieBehavior;
import software.amazon.awscdk.services.cloudfront.CacheHeaderBehavior;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.CacheQueryStringBehavior;
import software.amazon.awscdk.services.cloudfront.CachedMethods;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.FunctionCode;
import software.amazon.awscdk.services.cloudfront.FunctionEventType;
import software.amazon.awscdk.services.cloudfront.FunctionAssociation;
import software.amazon.awscdk.services.cloudfront.FunctionRuntime;
import software.amazon.awscdk.services.cloudfront.HeadersFrameOption;
import software.amazon.awscdk.services.cloudfront.HeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.OriginProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.OriginRequestPolicy;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentSecurityPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersFrameOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.SecurityPolicyProtocol;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.HttpOrigin;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.s3.deployment.BucketDeployment;
import software.amazon.awscdk.services.s3.deployment.CacheControl;
import software.amazon.awscdk.services.s3.deployment.Source;
import software.amazon.awscdk.services.wafv2.CfnWebACL;
import software.constructs.Construct;
import software.constructs.Node;

/**
 * The reference web frontend, built by the operator ({@code scripts/build-frontend}), deployed beside the API on one
 * domain (optional: only when {@value #DIR} names the build's folder). A private S3 bucket serves the app through
 * CloudFront with origin access control; {@code /api/*} goes to the HTTP API on the same domain, so the browser needs
 * no CORS and the OSM login comes back to the same site. TEMPLATE_NOTES.md "Web frontend" has the runbook.
 *
 * <ul>
 *   <li>SPA fallback: a CloudFront Function sends every path of the app without a file extension to
 *       {@code /index.html}; the API's own 404s stay 404s (no distribution-wide error page).</li>
 *   <li>Caching: the app's hashed files ({@code static/}) are immutable for a year, everything else is revalidated
 *       ({@code no-cache}); API answers are cached only when they say so ({@code Cache-Control: public}, the
 *       public reads with an ETag) and at most {@link #API_MAX_TTL}; an answer without Cache-Control, or
 *       {@code private}, is never cached, and the caller's Authorization and Accept-Language are part of the key.</li>
 *   <li>Security headers on every answer (HSTS, nosniff, frame denial, referrer policy); compression for both.</li>
 *   <li>Optional custom domain ({@value #DOMAIN} with an ACM certificate in us-east-1, {@value #CERTIFICATE_ARN})
 *       and an AWS WAF web ACL with rate-based rules ({@value #WAF}: a new one, or the ARN of one to use).</li>
 *   <li>The login functions' default OSM redirect URI becomes {@code https://<domain>/authorized}.</li>
 * </ul>
 */
public final class WebFrontend extends Construct {
    /** Context: the folder of the frontend build (index.html at its root). Absent: no frontend in the stack. */
    public static final String DIR = "tm:frontendDir";
    /** Context: the site's own domain name (optional). */
    public static final String DOMAIN = "tm:frontendDomain";
    /** Context: the ACM certificate for {@value #DOMAIN}, issued in us-east-1 (CloudFront's region). */
    public static final String CERTIFICATE_ARN = "tm:frontendCertificateArn";
    /** Context: {@code true} creates a web ACL (the stack must be in us-east-1); an ARN uses an existing one. */
    public static final String WAF = "tm:frontendWaf";
    /** Context: requests one IP may make in five minutes before the web ACL blocks it (default 20,000). */
    public static final String WAF_RATE_LIMIT = "tm:frontendWafRateLimit";
    /** Context: login attempts one IP may make in five minutes (default 300). */
    public static final String WAF_LOGIN_RATE_LIMIT = "tm:frontendWafLoginRateLimit";

    /** Public API answers are cached at most this long, whatever their own max-age says. */
    public static final Duration API_MAX_TTL = Duration.seconds(60);
    public static final String API_PATH = "/api/*";
    /** The frontend's OAuth2 callback page. */
    public static final String AUTHORIZED_PATH = "/authorized";
    static final Duration LOG_EXPIRY = Duration.days(90);

    /** The choices of one stage, read from CDK context (a stage's own key wins, as in {@link StackSettings}). */
    public record Settings(Path dir, Optional<String> domain, Optional<String> certificateArn, Optional<String> waf,
                           int wafRateLimit, int wafLoginRateLimit) {
        public static Optional<Settings> fromContext(Node node, StackSettings.Stage stage) {
            Optional<String> dir = string(node, stage, DIR).filter(s -> !s.isBlank());
            if (dir.isEmpty()) return Optional.empty();
            Path path = Path.of(dir.get()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(path.resolve("index.html"))) {
                throw new IllegalArgumentException(DIR + ": " + path + " has no index.html (build the frontend first:"
                        + " scripts/build-frontend, TEMPLATE_NOTES.md \"Web frontend\")");
            }
            Optional<String> domain = string(node, stage, DOMAIN).filter(s -> !s.isBlank());
            Optional<String> cert = string(node, stage, CERTIFICATE_ARN).filter(s -> !s.isBlank());
            if (domain.isPresent() != cert.isPresent()) {
                throw new IllegalArgumentException(DOMAIN + " and " + CERTIFICATE_ARN + " go together (a custom domain"
                        + " needs its certificate, issued in us-east-1)");
            }
            Optional<String> waf = string(node, stage, WAF).filter(s -> !s.isBlank() && !s.equalsIgnoreCase("false"));
            return Optional.of(new Settings(path, domain, cert, waf,
                    string(node, stage, WAF_RATE_LIMIT).map(Integer::parseInt).orElse(20_000),
                    string(node, stage, WAF_LOGIN_RATE_LIMIT).map(Integer::parseInt).orElse(300)));
        }

        private static Optional<String> string(Node node, StackSettings.Stage stage, String key) {
            Object v = node.tryGetContext(StackSettings.scoped(stage, key));
            if (v == null) v = node.tryGetContext(key);
            return v == null ? Optional.empty() : Optional.of(String.valueOf(v).trim());
        }

        boolean createsWebAcl() { return waf.map(w -> w.equalsIgnoreCase("true")).orElse(false); }
    }

    private final Bucket siteBucket;
    private final Bucket logBucket;
    private final Distribution distribution;
    private final CachePolicy apiCachePolicy;
    private final CachePolicy appCachePolicy;
    private final ResponseHeadersPolicy headers;
    private final software.amazon.awscdk.services.cloudfront.Function spaFallback;
    private final CfnWebACL webAcl;
    private final List<BucketDeployment> deployments = new ArrayList<>();
    private final String siteDomain;

    public WebFrontend(TmStack stack, String id, Settings s) {
        super(stack, id);
        siteBucket = Bucket.Builder.create(this, "SiteBucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .serverAccessLogsBucket(stack.accessLogsBucket())
                .serverAccessLogsPrefix("frontend-site/")
                // the site is rebuilt from its sources: nothing to keep when the stack goes
                .removalPolicy(RemovalPolicy.DESTROY)
                .autoDeleteObjects(true)
                .build();
        // CloudFront's standard logs are written with ACLs, which the stack's other buckets turn off
        logBucket = Bucket.Builder.create(this, "CdnLogBucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.OBJECT_WRITER)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .lifecycleRules(List.of(LifecycleRule.builder().id("expire-cdn-logs").expiration(LOG_EXPIRY).build()))
                .removalPolicy(stack.settings().retainData() ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY)
                .autoDeleteObjects(!stack.settings().retainData())
                .build();

        appCachePolicy = CachePolicy.Builder.create(this, "AppCachePolicy")
                .comment("tm-serverless web app: the files' own Cache-Control (static/ immutable, the rest no-cache)")
                .minTtl(Duration.seconds(0)).defaultTtl(Duration.days(1)).maxTtl(Duration.days(365))
                .headerBehavior(CacheHeaderBehavior.none())
                .queryStringBehavior(CacheQueryStringBehavior.none())
                .cookieBehavior(CacheCookieBehavior.none())
                .enableAcceptEncodingGzip(true).enableAcceptEncodingBrotli(true)
                .build();
        apiCachePolicy = CachePolicy.Builder.create(this, "ApiCachePolicy")
                .comment("tm-serverless API: cached only when an answer says public, at most a minute, per caller and language")
                // no Cache-Control: not cached; private/no-store/no-cache: not cached
                .minTtl(Duration.seconds(0)).defaultTtl(Duration.seconds(0)).maxTtl(API_MAX_TTL)
                // Authorization in the key also forwards it; answers differ by caller and by language
                .headerBehavior(CacheHeaderBehavior.allowList("Authorization", "Accept-Language"))
                .queryStringBehavior(CacheQueryStringBehavior.all())
                .cookieBehavior(CacheCookieBehavior.none())
                .enableAcceptEncodingGzip(true).enableAcceptEncodingBrotli(true)
                .build();
        headers = ResponseHeadersPolicy.Builder.create(this, "SecurityHeaders")
                .comment("tm-serverless: security headers on every answer")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(365)).includeSubdomains(false).override(true).build())
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .frameOptions(ResponseHeadersFrameOptions.builder().frameOption(HeadersFrameOption.DENY).override(true).build())
                        .referrerPolicy(ResponseHeadersReferrerPolicy.builder()
                                .referrerPolicy(HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN).override(true).build())
                        // the app loads editors, imagery and tiles from many hosts: the policy forbids framing,
                        // plugins and base-URL changes, and leaves script and connect sources to the app
                        .contentSecurityPolicy(ResponseHeadersContentSecurityPolicy.builder()
                                .contentSecurityPolicy("frame-ancestors 'none'; object-src 'none'; base-uri 'self'")
                                .override(true).build())
                        .build())
                .build();
        spaFallback = software.amazon.awscdk.services.cloudfront.Function.Builder.create(this, "SpaFallback")
                .comment("tm-serverless: the app's routes (no file extension) are index.html")
                .runtime(FunctionRuntime.JS_2_0)
                .code(FunctionCode.fromInline(SPA_FALLBACK_JS))
                .build();

        webAcl = s.createsWebAcl() ? webAcl(s) : null;
        String webAclArn = webAcl != null ? webAcl.getAttrArn() : s.waf().orElse(null);

        String apiDomain = stack.api().getApiId() + ".execute-api." + Stack.of(this).getRegion() + "." + Stack.of(this).getUrlSuffix();
        Distribution.Builder d = Distribution.Builder.create(this, "Distribution")
                .comment("tm-serverless (" + stack.settings().stage().id() + "): web frontend and API on one domain")
                .defaultRootObject("index.html")
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .priceClass(PriceClass.PRICE_CLASS_ALL)
                .enableLogging(true).logBucket(logBucket).logFilePrefix("cdn/")
                .defaultBehavior(BehaviorOptions.builder()
                        .origin(S3BucketOrigin.withOriginAccessControl(siteBucket))
                        .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
                        .allowedMethods(AllowedMethods.ALLOW_GET_HEAD)
                        .cachedMethods(CachedMethods.CACHE_GET_HEAD)
                        .cachePolicy(appCachePolicy)
                        .responseHeadersPolicy(headers)
                        .compress(true)
                        .functionAssociations(List.of(FunctionAssociation.builder()
                                .function(spaFallback).eventType(FunctionEventType.VIEWER_REQUEST).build()))
                        .build())
                .additionalBehaviors(Map.of(API_PATH, BehaviorOptions.builder()
                        .origin(HttpOrigin.Builder.create(apiDomain).protocolPolicy(OriginProtocolPolicy.HTTPS_ONLY).build())
                        .viewerProtocolPolicy(ViewerProtocolPolicy.HTTPS_ONLY)
                        .allowedMethods(AllowedMethods.ALLOW_ALL)
                        .cachedMethods(CachedMethods.CACHE_GET_HEAD)
                        .cachePolicy(apiCachePolicy)
                        // every other header (Idempotency-Key, If-None-Match, Content-Type, ...) and the query reach
                        // the API; Host must be the API's own
                        .originRequestPolicy(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER)
                        .responseHeadersPolicy(headers)
                        .compress(true)
                        .build()));
        if (s.domain().isPresent()) {
            d.domainNames(List.of(s.domain().get()))
                    .certificate(Certificate.fromCertificateArn(this, "Certificate", s.certificateArn().get()))
                    .minimumProtocolVersion(SecurityPolicyProtocol.TLS_V1_2_2021);
        }
        if (webAclArn != null) d.webAclId(webAclArn);
        distribution = d.build();
        siteDomain = s.domain().orElse(distribution.getDistributionDomainName());

        // hashed bundles: immutable, and old ones are kept so that open tabs still load their chunks
        deployments.add(BucketDeployment.Builder.create(this, "DeployHashedFiles")
                .sources(List.of(Source.asset(s.dir().toString())))
                .destinationBucket(siteBucket)
                .exclude(List.of("*")).include(List.of("static/*"))
                .cacheControl(List.of(CacheControl.fromString("public, max-age=31536000, immutable")))
                .prune(false)
                .memoryLimit(512)
                .build());
        // index.html and the other unhashed files: revalidated at every use, then CloudFront's copy is dropped
        deployments.add(BucketDeployment.Builder.create(this, "DeployApp")
                .sources(List.of(Source.asset(s.dir().toString())))
                .destinationBucket(siteBucket)
                .exclude(List.of("static/*"))
                .cacheControl(List.of(CacheControl.fromString("no-cache")))
                .distribution(distribution)
                .distributionPaths(List.of("/index.html", "/"))
                .memoryLimit(512)
                .build());

        // the login functions send OSM back to the app's callback page on this domain
        String redirect = "https://" + siteDomain + AUTHORIZED_PATH;
        for (Resources.Function f : Resources.FUNCTIONS) {
            if (TmStack.servesLogin(f)) stack.functions().get(f.id()).addEnvironment(TmStack.ENV_REDIRECT_URI, redirect);
        }

        CfnOutput.Builder.create(stack, "FrontendUrl").value("https://" + siteDomain + "/")
                .description("The web frontend and, under /api/, the API on one domain").build();
        CfnOutput.Builder.create(stack, "OsmRedirectUri").value(redirect)
                .description("Register this as the redirect URI of the OSM OAuth2 application").build();
        CfnOutput.Builder.create(stack, "FrontendDistributionId").value(distribution.getDistributionId())
                .description("CloudFront distribution of the web frontend (invalidations)").build();
        if (s.domain().isPresent()) {
            CfnOutput.Builder.create(stack, "FrontendDnsTarget").value(distribution.getDistributionDomainName())
                    .description("Point " + s.domain().get() + " here (CNAME, or an alias record in Route 53)").build();
        }
        suppressFindings(stack, s);
    }

    /**
     * A CloudFront-scoped web ACL (created in us-east-1, CloudFront's region) with two rate-based rules per client
     * IP: everything, and the login routes more tightly. Mapathons put many mappers behind one address, so the
     * general limit is generous (each open tab polls its notifications twice a minute).
     */
    private CfnWebACL webAcl(Settings s) {
        String region = Stack.of(this).getRegion();
        if (!software.amazon.awscdk.Token.isUnresolved(region) && !region.equals("us-east-1")) {
            throw new IllegalArgumentException(WAF + "=true creates a CloudFront web ACL, which must live in us-east-1;"
                    + " this stack is in " + region + ": create the web ACL there and give its ARN as " + WAF);
        }
        List<Object> rules = List.of(
                rateRule("RateLimitPerIp", 0, s.wafRateLimit(), null),
                rateRule("LoginRateLimitPerIp", 1, s.wafLoginRateLimit(), CfnWebACL.StatementProperty.builder()
                        .byteMatchStatement(CfnWebACL.ByteMatchStatementProperty.builder()
                                .fieldToMatch(CfnWebACL.FieldToMatchProperty.builder().uriPath(Map.of()).build())
                                .positionalConstraint("STARTS_WITH")
                                .searchString(TmStack.AUTH_ROUTE_PREFIX)
                                .textTransformations(List.of(CfnWebACL.TextTransformationProperty.builder()
                                        .priority(0).type("LOWERCASE").build()))
                                .build())
                        .build()));
        return CfnWebACL.Builder.create(this, "WebAcl")
                .scope("CLOUDFRONT")
                .defaultAction(CfnWebACL.DefaultActionProperty.builder().allow(CfnWebACL.AllowActionProperty.builder().build()).build())
                .visibilityConfig(visibility("tm-frontend"))
                .rules(rules)
                .build();
    }

    private static CfnWebACL.RuleProperty rateRule(String name, int priority, int limit, CfnWebACL.StatementProperty scopeDown) {
        CfnWebACL.RateBasedStatementProperty.Builder rate = CfnWebACL.RateBasedStatementProperty.builder()
                .limit(limit).aggregateKeyType("IP").evaluationWindowSec(300);
        if (scopeDown != null) rate.scopeDownStatement(scopeDown);
        return CfnWebACL.RuleProperty.builder()
                .name(name).priority(priority)
                .action(CfnWebACL.RuleActionProperty.builder().block(CfnWebACL.BlockActionProperty.builder().build()).build())
                .statement(CfnWebACL.StatementProperty.builder().rateBasedStatement(rate.build()).build())
                .visibilityConfig(visibility(name))
                .build();
    }

    private static CfnWebACL.VisibilityConfigProperty visibility(String metric) {
        return CfnWebACL.VisibilityConfigProperty.builder()
                .cloudWatchMetricsEnabled(true).metricName(metric).sampledRequestsEnabled(true).build();
    }

    /**
     * Files of the build (under {@code /static/}, or ending in one of the build's file types) are served as they are;
     * any other path is one of the app's routes ({@code /projects/1}, {@code /users/jane.doe},
     * {@code /authorized?code=…}) and gets index.html, the app routing itself.
     */
    static final String SPA_FALLBACK_JS = """
            var FILE = /\\.(html|js|mjs|css|map|json|txt|ico|png|jpe?g|gif|svg|webp|avif|woff2?|ttf|eot|xml|webmanifest|wasm)$/i;
            function handler(event) {
              var request = event.request;
              if (request.uri.indexOf('/static/') !== 0 && !FILE.test(request.uri)) {
                request.uri = '/index.html';
              }
              return request;
            }
            """;

    static final String DEPLOYMENT_ROLE = "The S3 deployment's copy function (CDK BucketDeployment) is AWS-maintained:"
            + " its role uses AWSLambdaBasicExecutionRole for its own logs, and its S3 grants name the asset bucket's"
            + " objects and this site bucket's objects, whose keys are the app's file names (only known at deploy"
            + " time). It runs only during deployments.";
    static final String DEPLOYMENT_RUNTIME = "The copy function's runtime is chosen by the CDK version (BucketDeployment"
            + " bundles the AWS CLI for its Python runtime); it moves with CDK upgrades, and runs only at deploy time.";
    static final String LOG_BUCKET = "This bucket receives CloudFront's standard logs; logging its own accesses to"
            + " another bucket would only log the log deliveries. Objects expire after 90 days.";
    static final String DEFAULT_CERTIFICATE = "Without a custom domain (tm:frontendDomain) the distribution uses"
            + " CloudFront's own *.cloudfront.net certificate, which cannot set a minimum TLS version; with one, the"
            + " distribution requires TLS 1.2 (TLSv1.2_2021).";
    static final String NO_GEO_RESTRICTION = "Mappers contribute from every country, above all in disaster"
            + " activations: the site must not be restricted by geography.";
    static final String NO_WAF = "The web ACL is optional (tm:frontendWaf) because it is a fixed monthly charge and"
            + " the API already has per-stage throttling and per-application-key limits; TEMPLATE_NOTES.md says when"
            + " to turn it on.";

    private void suppressFindings(TmStack stack, Settings s) {
        List<NagPackSuppression> deployment = List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM4").reason(DEPLOYMENT_ROLE).build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason(DEPLOYMENT_ROLE).build(),
                NagPackSuppression.builder().id("AwsSolutions-L1").reason(DEPLOYMENT_RUNTIME).build());
        // the copy function is a singleton at the stack's root
        for (var child : stack.getNode().getChildren()) {
            if (child.getNode().getId().startsWith("Custom::CDKBucketDeployment")) {
                NagSuppressions.addResourceSuppressions(child, deployment, true);
            }
        }
        for (BucketDeployment dep : deployments) NagSuppressions.addResourceSuppressions(dep, deployment, true);
        NagSuppressions.addResourceSuppressions(logBucket,
                List.of(NagPackSuppression.builder().id("AwsSolutions-S1").reason(LOG_BUCKET).build()), true);
        List<NagPackSuppression> cdn = new ArrayList<>();
        cdn.add(NagPackSuppression.builder().id("AwsSolutions-CFR1").reason(NO_GEO_RESTRICTION).build());
        if (s.domain().isEmpty()) cdn.add(NagPackSuppression.builder().id("AwsSolutions-CFR4").reason(DEFAULT_CERTIFICATE).build());
        if (s.waf().isEmpty()) cdn.add(NagPackSuppression.builder().id("AwsSolutions-CFR2").reason(NO_WAF).build());
        NagSuppressions.addResourceSuppressions(distribution, cdn, true);
    }

    public Bucket siteBucket() { return siteBucket; }
    public Bucket logBucket() { return logBucket; }
    public Distribution distribution() { return distribution; }
    public CachePolicy apiCachePolicy() { return apiCachePolicy; }
    public CachePolicy appCachePolicy() { return appCachePolicy; }
    public ResponseHeadersPolicy securityHeaders() { return headers; }
    /** The web ACL this construct created, or null (none, or an existing one given by ARN). */
    public CfnWebACL webAcl() { return webAcl; }
    /** The site's domain: the custom one, or the distribution's (a token until deployed). */
    public String siteDomain() { return siteDomain; }
}
