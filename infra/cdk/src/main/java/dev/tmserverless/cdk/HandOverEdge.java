package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.CachedMethods;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.FunctionAssociation;
import software.amazon.awscdk.services.cloudfront.FunctionCode;
import software.amazon.awscdk.services.cloudfront.FunctionEventType;
import software.amazon.awscdk.services.cloudfront.FunctionRuntime;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOriginWithOACProps;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

import java.util.List;

/**
 * Where oversized answers are handed over (docs/performance.md "Response size"): a CloudFront distribution with
 * origin access control in front of the bucket's {@link Resources#LARGE_RESPONSES_PREFIX} prefix. A signed S3 link
 * fails for clients that resend their {@code Authorization} header on a redirect (S3 answers 400 "Only one auth
 * mechanism allowed"); CloudFront does not pass the viewer's header to the origin (the viewer-request function
 * also drops it) and signs its own origin request.
 *
 * <p>The link is {@code https://<distribution>/<expiry>/<name>}: the name is an HMAC (under a key derived from the
 * token secret) of the answer and the expiry, so it cannot be guessed, and the function refuses a path of any other
 * form, a method other than GET/HEAD, or a link past its expiry. Nothing else in the bucket (task-map snapshots
 * under the same prefix included) has a path of that form.
 */
public final class HandOverEdge extends Construct {
    /** The viewer-request function: only {@code /<expiry>/<64 hex>}, before the expiry, without Authorization. */
    static final String CHECK_JS = """
            function handler(event) {
              var r = event.request;
              var m = /^\\/([0-9]{1,12})\\/([0-9a-f]{64})$/.exec(r.uri);
              if (!m || (r.method !== 'GET' && r.method !== 'HEAD') || Number(m[1]) * 1000 < Date.now()) {
                return { statusCode: 403, statusDescription: 'Forbidden' };
              }
              delete r.headers['authorization'];
              r.querystring = {};
              return r;
            }
            """;
    static final String NO_LOGS = "The hand-over links are bearer capabilities: standard logs would keep every link"
            + " for as long as the logs live. The API's access logs already record each request that handed one out.";
    static final String NO_WAF = "The distribution serves only existing objects under unguessable names, refusing"
            + " anything else in a CloudFront Function before any origin request; the API that hands the links out"
            + " is throttled.";

    private final Distribution distribution;

    public HandOverEdge(Construct scope, String id, IBucket bucket, String stage) {
        super(scope, id);
        var check = software.amazon.awscdk.services.cloudfront.Function.Builder.create(this, "CheckLink")
                .comment("tm-serverless: hand-over links only, before their expiry, without Authorization")
                .runtime(FunctionRuntime.JS_2_0)
                .code(FunctionCode.fromInline(CHECK_JS))
                .build();
        String originPath = "/" + Resources.LARGE_RESPONSES_PREFIX.replaceAll("/$", "");
        distribution = Distribution.Builder.create(this, "Distribution")
                .comment("tm-serverless (" + stage + "): hand-over of answers too big for Lambda")
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .priceClass(PriceClass.PRICE_CLASS_ALL)
                .defaultBehavior(BehaviorOptions.builder()
                        .origin(S3BucketOrigin.withOriginAccessControl(bucket,
                                S3BucketOriginWithOACProps.builder().originPath(originPath).build()))
                        .viewerProtocolPolicy(ViewerProtocolPolicy.HTTPS_ONLY)
                        .allowedMethods(AllowedMethods.ALLOW_GET_HEAD)
                        .cachedMethods(CachedMethods.CACHE_GET_HEAD)
                        // objects never change under a name: cache them; headers and query are not part of the key
                        .cachePolicy(CachePolicy.CACHING_OPTIMIZED)
                        // a gzip answer is stored compressed already
                        .compress(false)
                        // the web app fetches these after the API's redirect: any origin (the link is the capability,
                        // no cookies), as the bucket's own CORS rule allowed for signed links
                        .responseHeadersPolicy(ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS)
                        .functionAssociations(List.of(FunctionAssociation.builder()
                                .function(check).eventType(FunctionEventType.VIEWER_REQUEST).build()))
                        .build())
                .build();
        NagSuppressions.addResourceSuppressions(distribution, List.of(
                NagPackSuppression.builder().id("AwsSolutions-CFR1").reason(WebFrontend.NO_GEO_RESTRICTION).build(),
                NagPackSuppression.builder().id("AwsSolutions-CFR2").reason(NO_WAF).build(),
                NagPackSuppression.builder().id("AwsSolutions-CFR3").reason(NO_LOGS).build(),
                NagPackSuppression.builder().id("AwsSolutions-CFR4").reason(WebFrontend.DEFAULT_CERTIFICATE).build()), true);
    }

    public Distribution distribution() { return distribution; }

    /** The base of the links ({@code TM_RESPONSES_URL}). */
    public String baseUrl() { return "https://" + distribution.getDistributionDomainName(); }
}
