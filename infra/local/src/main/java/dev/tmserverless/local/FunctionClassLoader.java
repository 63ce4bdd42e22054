package dev.tmserverless.local;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * The class loader of one function: it sees the JDK and its own jar, like the function does in Lambda, and
 * nothing of the local stack, except the Lambda API types, which it takes from the stack so that events and
 * {@code Context} cross as plain objects:
 * <ul>
 *   <li>{@code com.amazonaws.services.lambda.runtime.} — aws-lambda-java-core and aws-lambda-java-events;</li>
 *   <li>{@code org.joda.time.} — part of the events' API ({@code ScheduledEvent.getTime()} is a joda
 *       {@code DateTime}), so it must be the same class on both sides.</li>
 * </ul>
 * Those are taken from the stack when it has them, else from the jar (e.g. aws-lambda-java-serialization, which
 * shares the package prefix). Everything else is child-only: the parent is the platform class loader, so a
 * function cannot see tm-local, the emulators, or another function.
 */
public final class FunctionClassLoader extends URLClassLoader {
    /** Package prefixes shared with the host (see the class comment). */
    public static final List<String> SHARED_PREFIXES = List.of("com.amazonaws.services.lambda.runtime.",
            "org.joda.time.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader host;

    public FunctionClassLoader(String name, URL[] jars, ClassLoader host) {
        super(name, jars, ClassLoader.getPlatformClassLoader());
        this.host = host;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) {
            try {
                return host.loadClass(name);
            } catch (ClassNotFoundException notInHost) {
                // fall through: the function's own copy
            }
        }
        return super.loadClass(name, resolve);
    }

    static boolean shared(String className) {
        for (String prefix : SHARED_PREFIXES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
