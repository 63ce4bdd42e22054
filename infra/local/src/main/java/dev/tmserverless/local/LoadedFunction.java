package dev.tmserverless.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.tmserverless.core.catalogue.Resources;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/**
 * A function loaded from its deployment jar into its own {@link FunctionClassLoader} and instantiated with its
 * no-arg constructor, as the Lambda Java runtime does. Unlike Lambda, one instance may serve several invocations
 * at the same time (the local front door is multi-threaded); handlers are written to be thread-safe.
 */
public final class LoadedFunction implements FunctionInvoker, AutoCloseable {
    private final Resources.Function spec;
    private final FunctionClassLoader loader;
    private final Object handler;
    private final Class<?> inputType;
    private final long initMillis;

    private LoadedFunction(Resources.Function spec, FunctionClassLoader loader, Object handler, long initMillis) {
        this.spec = spec;
        this.loader = loader;
        this.handler = handler;
        this.inputType = FunctionInvoker.inputTypeOf(handler.getClass());
        this.initMillis = initMillis;
    }

    /**
     * Loads {@code spec.handler()} from {@code jar}. The jar is first copied into {@code workDir}, so rebuilding
     * the function while the stack runs does not pull the classes from under it.
     */
    public static LoadedFunction load(Resources.Function spec, Path jar, Path workDir, ClassLoader host) {
        long start = System.nanoTime();
        Path copy;
        try {
            Files.createDirectories(workDir);
            copy = workDir.resolve(spec.id() + "-" + System.nanoTime() + ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + jar + ": " + e.getMessage(), e);
        }
        URL url;
        try {
            url = copy.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        FunctionClassLoader loader = new FunctionClassLoader("function-" + spec.id(), new URL[] {url}, host);
        String className = spec.handler().contains("::") ? spec.handler().substring(0, spec.handler().indexOf("::"))
                : spec.handler();
        try {
            Object handler = withContextLoader(loader, () -> {
                Class<?> type = Class.forName(className, true, loader);
                return type.getDeclaredConstructor().newInstance();
            });
            if (!(handler instanceof RequestHandler<?, ?>)) {
                throw new IllegalStateException(className + " does not implement "
                        + RequestHandler.class.getName() + " (the local stack calls RequestHandler functions only)");
            }
            return new LoadedFunction(spec, loader, handler, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException | Error e) {
            closeQuietly(loader);
            throw e;
        } catch (InvocationTargetException e) {
            closeQuietly(loader);
            throw new IllegalStateException("the constructor of " + className + " failed: " + e.getCause(),
                    e.getCause());
        } catch (Exception e) {
            closeQuietly(loader);
            throw new IllegalStateException("cannot instantiate " + className + " from " + jar + ": " + e, e);
        }
    }

    public Resources.Function spec() {
        return spec;
    }

    public ClassLoader classLoader() {
        return loader;
    }

    public Object handler() {
        return handler;
    }

    /** Milliseconds from loading the jar to a constructed handler (the local "init" phase). */
    public long initMillis() {
        return initMillis;
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public int memoryMb() {
        return spec.memoryMb();
    }

    @Override
    public int timeoutSeconds() {
        return spec.timeoutSeconds();
    }

    @Override
    public Class<?> inputType() {
        return inputType;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object event, Context context) throws Exception {
        return withContextLoader(loader, () -> ((RequestHandler<Object, Object>) handler).handleRequest(event, context));
    }

    @Override
    public void close() {
        if (handler instanceof AutoCloseable closeable) {
            try {
                withContextLoader(loader, () -> {
                    closeable.close();
                    return null;
                });
            } catch (Exception ignored) {
                // shutting down
            }
        }
        closeQuietly(loader);
    }

    static <T> T withContextLoader(ClassLoader loader, Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return action.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void closeQuietly(FunctionClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
