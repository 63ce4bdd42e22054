package dev.tmserverless.aws.config;

import com.amazonaws.services.lambda.runtime.Context;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.function.aws.DefaultLambdaContextFactory;
import io.micronaut.function.aws.LambdaContextFactory;
import jakarta.inject.Singleton;

/**
 * Keeps the Lambda context of an invocation out of the application context. Micronaut's handler
 * ({@code MicronautRequestHandler.handleRequest}, which is final) asks this factory on every invocation to register
 * the invocation's {@link Context} and its logger, client context and identity as singletons; each registration adds
 * a bean definition that is never removed, so a warm container grows its heap with every request and every later
 * bean lookup of those types walks a longer list (docs/operations.md). No code of ours injects these types: a
 * function that needs the Lambda context must take it as a parameter, never as a bean.
 *
 * <p>The log fields that come from the context ({@code requestId}, {@code function}, {@code functionVersion},
 * {@code xrayTraceId}) are unaffected: the handler puts them in the MDC through its {@code DiagnosticInfoPopulator},
 * not through this factory.
 */
@Singleton
@Replaces(DefaultLambdaContextFactory.class)
public class LambdaContextNotRegistered implements LambdaContextFactory {
    @Override
    public void registerSingletons(Context context) {
        // deliberately nothing: see the class comment
    }
}
