package dev.tmserverless.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/**
 * cdk-nag's AwsSolutions pack over both deployment modes (data retained, the default; and the throwaway mode
 * with tm:retainData=false). Every finding must be fixed or suppressed with a reason (see NagFindings).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsSolutionsNagTest {
    TmStack retained;
    TmStack throwaway;
    /** With the web frontend: prod on the distribution's domain, dev with a custom domain and a web ACL. */
    TmStack withFrontend;
    TmStack withFrontendDomainAndWaf;

    @BeforeAll
    void synthWithNag() {
        // With this flag (cdk.json turns it on) an error annotation aborts synthesis with a "see the validation
        // report" message; off here, so that a finding fails the assertions below with its rule id and text.
        // Both stages from one app: prod retains its data, dev (the throwaway mode) deletes it with the stack.
        App app = TestStacks.app(Map.of("@aws-cdk/core:annotationsInValidationReport", false,
                StackSettings.STAGES, "prod,dev"));
        List<TmStack> stacks = TmCdkApp.buildAll(app, TestStacks.root());
        retained = stacks.get(0);
        throwaway = stacks.get(1);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        app.synth(); // the aspects run

        App frontend = TestStacks.app(Map.of("@aws-cdk/core:annotationsInValidationReport", false,
                StackSettings.STAGES, "prod,dev",
                WebFrontend.DIR, WebFrontendTemplateTest.fakeBuild().toString(),
                StackSettings.scoped(StackSettings.Stage.DEV, WebFrontend.DOMAIN), "tm.example.org",
                StackSettings.scoped(StackSettings.Stage.DEV, WebFrontend.CERTIFICATE_ARN), WebFrontendTemplateTest.CERT,
                StackSettings.scoped(StackSettings.Stage.DEV, WebFrontend.WAF), "true"));
        List<TmStack> frontendStacks = TmCdkApp.buildAll(frontend, TestStacks.root());
        withFrontend = frontendStacks.get(0);
        withFrontendDomainAndWaf = frontendStacks.get(1);
        Aspects.of(frontend).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        frontend.synth();
    }

    @Test
    void noUnsuppressedAwsSolutionsErrors() {
        assertThat(findings(retained, true)).isEmpty();
        assertThat(findings(throwaway, true)).isEmpty();
        assertThat(findings(withFrontend, true)).isEmpty();
        assertThat(findings(withFrontendDomainAndWaf, true)).isEmpty();
    }

    @Test
    void noUnsuppressedAwsSolutionsWarnings() {
        assertThat(findings(retained, false)).isEmpty();
        assertThat(findings(throwaway, false)).isEmpty();
        assertThat(findings(withFrontend, false)).isEmpty();
        assertThat(findings(withFrontendDomainAndWaf, false)).isEmpty();
    }

    @Test
    void everySuppressionCarriesAReason() {
        for (TmStack stack : List.of(retained, throwaway)) {
            String metadata = String.valueOf(Template.fromStack(stack).toJSON());
            assertThat(metadata).contains("AwsSolutions-APIG4", "AwsSolutions-SMG4", "AwsSolutions-IAM5");
            // cdk-nag itself refuses reasons shorter than 10 characters; ours explain the decision.
            assertThat(metadata).contains("AwsSolutions-SNS2", "AwsSolutions-IAM4");
            for (String reason : List.of(NagFindings.TOKEN_SECRET_ROTATION, NagFindings.OSM_SECRET_ROTATION,
                    NagFindings.TABLE_INDEXES, NagFindings.BUCKET_OBJECTS, NagFindings.API_AUTHORIZATION,
                    NagFindings.XRAY, NagFindings.ALARM_TOPIC_ENCRYPTION, NagFindings.CODEDEPLOY_ROLE)) {
                assertThat(reason).hasSizeGreaterThan(80);
            }
        }
    }

    private static List<String> findings(TmStack stack, boolean errors) {
        Annotations a = Annotations.fromStack(stack);
        Object pattern = Match.stringLikeRegexp("AwsSolutions-.*");
        List<SynthesisMessage> found = errors ? a.findError("*", pattern) : a.findWarning("*", pattern);
        return found.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
    }
}
