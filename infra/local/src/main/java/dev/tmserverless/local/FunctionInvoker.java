package dev.tmserverless.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;

/** Something the front door, a queue poller or a schedule can invoke like Lambda invokes a function. */
public interface FunctionInvoker {
    /** The catalogue id, used as the function name in logs and in the {@link Context}. */
    String id();

    int memoryMb();

    int timeoutSeconds();

    /** The input type of the handler ({@code I} of {@code RequestHandler<I, O>}), {@code Object} if unknown. */
    Class<?> inputType();

    /** Calls the handler once; may be called from several threads at once. */
    Object invoke(Object event, Context context) throws Exception;

    default Context newContext() {
        return new LocalContext(id(), memoryMb(), timeoutSeconds());
    }

    /** An invoker for a handler already on this class path (tests, tools). */
    static FunctionInvoker of(String id, int memoryMb, int timeoutSeconds, RequestHandler<?, ?> handler) {
        Class<?> input = inputTypeOf(handler.getClass());
        return new FunctionInvoker() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public int memoryMb() {
                return memoryMb;
            }

            @Override
            public int timeoutSeconds() {
                return timeoutSeconds;
            }

            @Override
            public Class<?> inputType() {
                return input;
            }

            @Override
            @SuppressWarnings("unchecked")
            public Object invoke(Object event, Context context) {
                return ((RequestHandler<Object, Object>) handler).handleRequest(event, context);
            }
        };
    }

    /** Resolves {@code I} of {@code RequestHandler<I, O>} through the class hierarchy (generic base classes too). */
    static Class<?> inputTypeOf(Class<?> handlerClass) {
        Type found = find(handlerClass, new HashMap<>());
        return erase(found);
    }

    private static Type find(Type type, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw;
        if (type instanceof ParameterizedType parameterized) {
            raw = (Class<?>) parameterized.getRawType();
            TypeVariable<?>[] variables = raw.getTypeParameters();
            Type[] arguments = parameterized.getActualTypeArguments();
            for (int i = 0; i < variables.length; i++) {
                Type argument = arguments[i];
                bindings.put(variables[i], argument instanceof TypeVariable<?> v && bindings.containsKey(v)
                        ? bindings.get(v) : argument);
            }
            if (raw == RequestHandler.class) {
                return bindings.get(variables[0]);
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
            if (raw == RequestHandler.class) {
                return Object.class;
            }
        } else {
            return null;
        }
        for (Type parent : raw.getGenericInterfaces()) {
            Type result = find(parent, bindings);
            if (result != null) {
                return result;
            }
        }
        Type superclass = raw.getGenericSuperclass();
        return superclass == null ? null : find(superclass, bindings);
    }

    private static Class<?> erase(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }
}
