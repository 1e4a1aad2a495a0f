package io.mosaik.spring.boot;

import io.mosaik.collections.CollectionConfig;
import io.mosaik.collections.CollectionKind;
import io.mosaik.collections.CollectionRole;
import io.mosaik.collections.ReplicatedCollection;
import io.mosaik.collections.StoreId;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;

/**
 * Answers {@link MosaikCollection} injection points: the bean of a collection declared under that name,
 * or else a collection opened from the injection point (kind and role from its interface, element types
 * from its type arguments), one handle per name and role, closed with the context.
 */
final class AnnotatedCollections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AnnotatedCollections.class);

    /** A handle opened from injection points. */
    private record Key(String name, CollectionRole role) {
    }

    private final MosaikCollectionBeans beans;
    private final ConfigurableListableBeanFactory beanFactory;
    /** The first injection point of each name, which the others must agree with. */
    private final Map<String, MosaikCollectionBeans.Declaration> firsts = new HashMap<>();
    private final Map<Key, ReplicatedCollection> handles = new LinkedHashMap<>();
    private Set<String> writers;

    AnnotatedCollections(MosaikCollectionBeans beans, ConfigurableListableBeanFactory beanFactory) {
        this.beans = beans;
        this.beanFactory = beanFactory;
    }

    /** The annotation on an injection point, or {@code null}. */
    static MosaikCollection annotationOf(DependencyDescriptor descriptor) {
        MethodParameter parameter = descriptor.getMethodParameter();
        return annotationOf(descriptor.getAnnotations(), parameter != null ? parameter.getExecutable() : null);
    }

    /**
     * The annotation among those of a field or parameter, or else on the parameter's constructor or void
     * method (a setter), as Spring reads qualifiers; composed annotations count.
     */
    static MosaikCollection annotationOf(Annotation[] own, Executable executable) {
        MergedAnnotation<MosaikCollection> found = MergedAnnotations.from(own).get(MosaikCollection.class);
        if (!found.isPresent() && (executable instanceof Constructor<?>
                || executable instanceof Method method && method.getReturnType() == void.class)) {
            found = MergedAnnotations.from(executable.getAnnotations()).get(MosaikCollection.class);
        }
        return found.isPresent() ? found.synthesize() : null;
    }

    /**
     * The value for an annotated injection point.
     *
     * @throws MosaikInjectionException if it cannot take the declared collection or describe one
     */
    Object resolve(MosaikCollection annotation, DependencyDescriptor descriptor) {
        String name = annotation.value().strip();
        String point = describe(descriptor);
        ResolvableType wanted = descriptor.getResolvableType();
        if (name.isEmpty()) {
            throw new MosaikInjectionException(point, "@MosaikCollection has no name",
                    "Name the collection: @MosaikCollection(\"balances\").");
        }
        MosaikCollectionBeans.Declaration declared = beans.declared(name);
        if (declared != null) {
            return declaredBean(annotation, declared, wanted, point);
        }
        if (beanFactory.containsBean(name)) {
            if (!beanFactory.isTypeMatch(name, wanted)) {
                Class<?> actual = beanFactory.getType(name);
                throw new MosaikInjectionException(point, "it takes " + display(wanted) + ", but the bean '" + name
                        + "' is " + (actual != null ? "a " + actual.getName() : "of another type"),
                        "Take the bean's type, or another name.");
            }
            return beanFactory.getBean(name);
        }
        return open(declaration(name, annotation, wanted, point));
    }

    private Object declaredBean(MosaikCollection annotation, MosaikCollectionBeans.Declaration declared,
                                ResolvableType wanted, String point) {
        ResolvableType type = MosaikCollectionBeans.beanType(declared);
        if (!wanted.isAssignableFrom(type)) {
            ResolvableType reader = ResolvableType.forClassWithGenerics(
                    MosaikCollectionBeans.interfaceOf(declared.kind(), CollectionRole.READER),
                    declared.types().toArray(Class<?>[]::new));
            String role = declared.role().name().toLowerCase(Locale.ROOT);
            throw new MosaikInjectionException(point, "it takes " + display(wanted) + ", but " + declared.origin()
                    + " declares a " + declared.kind().configName() + " " + role + ", " + display(type),
                    "Take " + display(type) + (declared.role() == CollectionRole.WRITER ? " or " + display(reader)
                            : "") + ", or change the declaration.");
        }
        if (!annotation.store().isBlank() || annotation.capacity() != 0) {
            throw new MosaikInjectionException(point, "@MosaikCollection sets " + (annotation.store().isBlank()
                    ? "capacity" : "store") + ", but " + declared.origin() + " declares the collection",
                    "Remove it from the annotation; set it in the declaration.");
        }
        return beanFactory.getBean(declared.name());
    }

    /** What an injection point describes, checked. */
    private static MosaikCollectionBeans.Declaration declaration(String name, MosaikCollection annotation,
                                                                 ResolvableType wanted, String point) {
        Class<?> raw = wanted.resolve();
        for (CollectionKind kind : CollectionKind.values()) {
            for (CollectionRole role : CollectionRole.values()) {
                if (MosaikCollectionBeans.interfaceOf(kind, role) == raw) {
                    return declaration(name, annotation, wanted, point, kind, role);
                }
            }
        }
        throw new MosaikInjectionException(point, "it takes " + display(wanted) + ", which is not a collection,"
                + " and no collection or bean is named '" + name + "'", "Take one of " + Arrays.stream(
                CollectionKind.values()).map(kind -> MosaikCollectionBeans.interfaceOf(kind, CollectionRole.READER)
                .getSimpleName()).collect(Collectors.joining(", ")) + " (to read) or its ...Writer interface, with"
                + " its type arguments, or declare the collection under mosaik.collections." + name + ".");
    }

    private static MosaikCollectionBeans.Declaration declaration(String name, MosaikCollection annotation,
                                                                 ResolvableType wanted, String point,
                                                                 CollectionKind kind, CollectionRole role) {
        String typeArguments = "Give every type argument as a class, such as " + example(kind)
                + ": the element types decode what the collection holds and are part of its identity.";
        if (wanted.getType() instanceof Class<?>) {
            throw new MosaikInjectionException(point, "it takes " + display(wanted) + " without type arguments",
                    typeArguments);
        }
        List<Class<?>> types = new ArrayList<>();
        ResolvableType[] generics = wanted.getGenerics();
        for (int i = 0; i < generics.length; i++) {
            ResolvableType generic = generics[i];
            String argument = "type argument " + (i + 1) + " of " + display(wanted);
            if (generic.getType() instanceof WildcardType) {
                throw new MosaikInjectionException(point, argument + " is a wildcard", typeArguments);
            }
            if (unbound(generic)) {
                throw new MosaikInjectionException(point, argument + " is the type variable "
                        + generic.getType().getTypeName() + ", which nothing binds here", typeArguments);
            }
            types.add(generic.resolve());
        }
        long capacity = Long.MAX_VALUE;
        if (annotation.capacity() != 0) {
            if (kind != CollectionKind.PRIORITY_QUEUE) {
                throw new MosaikInjectionException(point, "@MosaikCollection sets a capacity, but only a priority"
                        + " queue has one", "Remove it, or take a ReplicatedPriorityQueue.");
            }
            if (annotation.capacity() < 0) {
                throw new MosaikInjectionException(point, "@MosaikCollection sets capacity " + annotation.capacity(),
                        "Set it to 1 or more, or leave it out for an unbounded queue.");
            }
            capacity = annotation.capacity();
        }
        String store = annotation.store().isBlank() ? name : annotation.store().strip();
        return new MosaikCollectionBeans.Declaration(name, point, kind, role, StoreId.of(store), List.copyOf(types),
                capacity, CollectionConfig.defaults());
    }

    private static String example(CollectionKind kind) {
        return switch (kind) {
            case MAP -> "ReplicatedMap<String, Long>";
            case PRIORITY_QUEUE -> "ReplicatedPriorityQueue<Long, String, Order>";
            default -> MosaikCollectionBeans.interfaceOf(kind, CollectionRole.READER).getSimpleName() + "<Order>";
        };
    }

    /**
     * The handle for a checked injection point: the name's handle in that role, opened at the first
     * request. A reader of a name some bean takes as a writer opens the writer first, so the node joins
     * the collection's group as a voting member whichever bean comes first.
     */
    private synchronized ReplicatedCollection open(MosaikCollectionBeans.Declaration declaration) {
        MosaikCollectionBeans.Declaration first = firsts.putIfAbsent(declaration.name(), declaration);
        if (first != null && !first.sameCollection(declaration)) {
            throw new MosaikInjectionException(declaration.origin(), "it takes "
                    + display(MosaikCollectionBeans.beanType(declaration)) + " as '" + declaration.name() + "', but "
                    + first.origin() + " takes " + display(MosaikCollectionBeans.beanType(first))
                    + (first.store().equals(declaration.store()) ? "" : " from another store")
                    + (first.capacity() == declaration.capacity() ? "" : " with another capacity")
                    + " under that name", "Make them agree, or give one of them another name.");
        }
        if (declaration.role() == CollectionRole.READER && writers().contains(declaration.name())) {
            handle(declaration.as(CollectionRole.WRITER));
        }
        return handle(declaration);
    }

    private ReplicatedCollection handle(MosaikCollectionBeans.Declaration declaration) {
        return handles.computeIfAbsent(new Key(declaration.name(), declaration.role()), key -> {
            log.debug("opening {} '{}' as a {} for {}", declaration.kind().configName(), declaration.name(),
                    declaration.role().name().toLowerCase(Locale.ROOT), declaration.origin());
            return beans.open(declaration);
        });
    }

    private Set<String> writers() {
        if (writers == null) {
            writers = WriterInjectionPoints.names(beanFactory);
        }
        return writers;
    }

    /** Closes every handle opened here, the last opened first. */
    @Override
    public synchronized void close() {
        List<ReplicatedCollection> opened = new ArrayList<>(handles.values());
        handles.clear();
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (RuntimeException e) {
                log.warn("closing a collection failed", e);
            }
        }
    }

    /** An injection point as a user finds it in the code. */
    static String describe(DependencyDescriptor descriptor) {
        Field field = descriptor.getField();
        if (field != null) {
            return "field '" + field.getName() + "' of " + field.getDeclaringClass().getName();
        }
        MethodParameter parameter = descriptor.getMethodParameter();
        String name = descriptor.getDependencyName();
        String which = "parameter " + (name != null ? "'" + name + "'" : String.valueOf(parameter.getParameterIndex()));
        Executable executable = parameter.getExecutable();
        return executable instanceof Constructor<?> ? which + " of the constructor of "
                + executable.getDeclaringClass().getName()
                : which + " of method " + executable.getDeclaringClass().getName() + "." + executable.getName();
    }

    /**
     * Whether a type is a type variable that nothing binds here: one the bean's class binds (a field of a
     * generic superclass) resolves.
     */
    private static boolean unbound(ResolvableType type) {
        return type.resolve() == null || type.getType() instanceof TypeVariable<?>
                && ResolvableType.forClassWithGenerics(Optional.class, type).hasUnresolvableGenerics();
    }

    /** A type the way it is written in code, with simple class names. */
    static String display(ResolvableType type) {
        if (type.getType() instanceof WildcardType || unbound(type)) {
            return type.getType().getTypeName();
        }
        String raw = type.resolve().getSimpleName();
        if (type.getType() instanceof Class<?> || !type.hasGenerics()) {
            return raw;
        }
        return raw + Arrays.stream(type.getGenerics()).map(AnnotatedCollections::display)
                .collect(Collectors.joining(", ", "<", ">"));
    }
}
