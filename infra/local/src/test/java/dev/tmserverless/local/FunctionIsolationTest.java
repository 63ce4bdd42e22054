package dev.tmserverless.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.tmserverless.core.catalogue.Resources;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionIsolationTest {
    @TempDir
    static Path dir;
    static Path jar;

    static Resources.Function spec(String id, String handler) {
        return new Resources.Function(id, "probe", handler, 256, 5, Set.of(), true);
    }

    @BeforeAll
    static void packageTheTestFunctions() throws Exception {
        jar = TestJars.functionJar(dir.resolve("functions"), "probe");
    }

    static LoadedFunction load(String id, String handler) {
        return LoadedFunction.load(spec(id, handler), jar, dir.resolve("work"), FunctionIsolationTest.class.getClassLoader());
    }

    static APIGatewayV2HTTPEvent event(String path) {
        return APIGatewayV2HTTPEvent.builder().withRawPath(path).withRouteKey("GET /probe/{id}")
                .withPathParameters(Map.of("id", "9")).build();
    }

    @Test
    void aFunctionSeesOnlyItsJarTheJdkAndTheLambdaTypes() throws Exception {
        try (LoadedFunction function = load("probe", "dev.tmserverless.local.testfn.ProbeFunction")) {
            Class<?> handlerClass = function.handler().getClass();
            assertThat(handlerClass.getClassLoader()).isSameAs(function.classLoader()).isInstanceOf(FunctionClassLoader.class);
            assertThat(handlerClass).isNotSameAs(dev.tmserverless.local.testfn.ProbeFunction.class);
            assertThat(function.inputType()).isSameAs(APIGatewayV2HTTPEvent.class);

            Object result = function.invoke(event("/probe/9"), function.newContext());
            assertThat(result).isInstanceOf(APIGatewayV2HTTPResponse.class); // the host's class: no copy crossed
            String body = ((APIGatewayV2HTTPResponse) result).getBody();
            assertThat(body).contains("\"seesLocalStack\":false").contains("\"seesEmulators\":false")
                    .contains("\"seesAwsSdk\":false").contains("\"loader\":\"function-probe\"")
                    .contains("\"contextLoader\":\"function-probe\"").contains("\"param\":\"9\"")
                    .contains("\"function\":\"probe\"");
            assertThat(function.classLoader().loadClass(APIGatewayV2HTTPEvent.class.getName()))
                    .isSameAs(APIGatewayV2HTTPEvent.class);
            assertThatThrownBy(() -> function.classLoader().loadClass(LocalStack.class.getName()))
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void twoFunctionsFromTheSameJarShareNoStaticState() throws Exception {
        try (LoadedFunction first = load("one", "dev.tmserverless.local.testfn.ProbeFunction");
             LoadedFunction second = load("two", "dev.tmserverless.local.testfn.ProbeFunction")) {
            assertThat(first.handler().getClass()).isNotSameAs(second.handler().getClass());
            String a = ((APIGatewayV2HTTPResponse) first.invoke(event("/x"), first.newContext())).getBody();
            String b = ((APIGatewayV2HTTPResponse) second.invoke(event("/x"), second.newContext())).getBody();
            assertThat(a).contains("\"instance\":1");
            assertThat(b).contains("\"instance\":1");
        }
    }

    @Test
    void queueAndScheduledFunctionsReceiveHostEventObjects() throws Exception {
        try (LoadedFunction consumer = load("consumer", "dev.tmserverless.local.testfn.ProbeConsumer");
             LoadedFunction scheduled = load("scheduled", "dev.tmserverless.local.testfn.ProbeScheduled")) {
            assertThat(consumer.inputType()).isSameAs(SQSEvent.class);
            assertThat(scheduled.inputType()).isSameAs(ScheduledEvent.class);
            Object payload = Scheduler.payload(scheduled.inputType(), "sweep", java.time.Instant.parse("2031-05-06T07:08:09Z"));
            assertThat(scheduled.invoke(payload, scheduled.newContext()))
                    .isEqualTo("Scheduled Event 2031 arn:aws:events:us-east-1:000000000000:rule/sweep");
        }
    }

    @Test
    void aMissingHandlerClassOrWrongTypeIsAClearError() {
        assertThatThrownBy(() -> load("nope", "dev.tmserverless.local.testfn.Missing"))
                .hasMessageContaining("dev.tmserverless.local.testfn.Missing");
        assertThatThrownBy(() -> load("bad", "dev.tmserverless.local.testfn.NotAHandler"))
                .hasMessageContaining("does not implement com.amazonaws.services.lambda.runtime.RequestHandler");
    }
}
