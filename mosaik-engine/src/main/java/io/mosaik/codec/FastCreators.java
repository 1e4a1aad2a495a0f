package io.mosaik.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import tools.jackson.core.JacksonException;
import tools.jackson.core.Version;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.ValueInstantiators;
import tools.jackson.databind.deser.std.StdValueInstantiator;
import tools.jackson.databind.introspect.AnnotatedConstructor;

/**
 * Calls the constructors that Jackson builds records and other creator-built values with through a
 * method handle prepared once, instead of Jackson 3.1's {@code MethodHandle.invokeWithArguments}, which
 * builds an argument spreader on every call: for small records that call was a fifth of decoding. What
 * Jackson does around the call (argument collection, defaults, error reporting) is unchanged; a
 * constructor this module cannot reach is left to Jackson.
 */
final class FastCreators extends JacksonModule {

    @Override
    public String getModuleName() {
        return "mosaik-fast-creators";
    }

    @Override
    public Version version() {
        return Version.unknownVersion();
    }

    @Override
    public void setupModule(SetupContext context) {
        context.addValueInstantiators(new ValueInstantiators.Base() {
            @Override
            public ValueInstantiator modifyValueInstantiator(DeserializationConfig config,
                    BeanDescription.Supplier description, ValueInstantiator standard) {
                if (standard.getClass() == StdValueInstantiator.class
                        && standard.getWithArgsCreator() instanceof AnnotatedConstructor creator) {
                    MethodHandle handle = spreader(creator.getAnnotated());
                    if (handle != null) {
                        return new Instantiator((StdValueInstantiator) standard, handle);
                    }
                }
                return standard;
            }
        });
    }

    /** {@code (Object[]) -> Object} calling the constructor, or {@code null} if it cannot be reached. */
    static MethodHandle spreader(Constructor<?> constructor) {
        try {
            return reach(constructor).asFixedArity().asSpreader(Object[].class, constructor.getParameterCount())
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (IllegalAccessException | RuntimeException unreachable) {
            return null; // Jackson's own path handles (or reports) it
        }
    }

    /** A handle to a constructor or method, made accessible first when it is not (as Jackson does, by default). */
    static MethodHandle reach(Executable target) throws IllegalAccessException {
        try {
            return unreflect(target);
        } catch (IllegalAccessException notPublic) {
            target.setAccessible(true);
            return unreflect(target);
        }
    }

    private static MethodHandle unreflect(Executable target) throws IllegalAccessException {
        return target instanceof Constructor<?> constructor ? MethodHandles.lookup().unreflectConstructor(constructor)
                : MethodHandles.lookup().unreflect((Method) target);
    }

    /** Jackson's instantiator with the constructor call replaced. */
    private static final class Instantiator extends StdValueInstantiator {
        private final transient MethodHandle constructor;

        Instantiator(StdValueInstantiator standard, MethodHandle constructor) {
            super(standard);
            this.constructor = constructor;
        }

        @Override
        public Object createFromObjectWith(DeserializationContext context, Object[] arguments) throws JacksonException {
            try {
                return constructor.invokeExact(arguments);
            } catch (Error e) {
                throw e;
            } catch (Throwable e) {
                // reported exactly as Jackson reports a constructor's exception
                return context.handleInstantiationProblem(_valueClass, arguments, rewrapCtorProblem(context, e));
            }
        }
    }
}
