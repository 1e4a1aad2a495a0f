package io.mosaik.spring.boot;

import io.mosaik.collections.CollectionBuilder;
import io.mosaik.collections.CollectionConfig;
import io.mosaik.collections.CollectionKind;
import io.mosaik.collections.CollectionRole;
import io.mosaik.collections.ReplicatedCell;
import io.mosaik.collections.ReplicatedCellWriter;
import io.mosaik.collections.ReplicatedCollection;
import io.mosaik.collections.ReplicatedCollections;
import io.mosaik.collections.ReplicatedMap;
import io.mosaik.collections.ReplicatedMapWriter;
import io.mosaik.collections.ReplicatedOnce;
import io.mosaik.collections.ReplicatedOnceWriter;
import io.mosaik.collections.ReplicatedPriorityQueue;
import io.mosaik.collections.ReplicatedPriorityQueueWriter;
import io.mosaik.collections.ReplicatedSet;
import io.mosaik.collections.ReplicatedSetWriter;
import io.mosaik.collections.ReplicatedVec;
import io.mosaik.collections.ReplicatedVecWriter;
import io.mosaik.collections.StoreId;
import io.mosaik.groups.raft.SyncPolicy;
import io.mosaik.network.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Turns every {@code mosaik.collections.<name>} into a collection bean named {@code <name>}, typed after
 * its kind, role and element types ({@code ReplicatedMapWriter<String, Long>} for a map writer, its
 * reader interface for a reader), so it can be injected by generic type, by name, or with
 * {@link MosaikCollection}:
 *
 * <pre>
 * mosaik:
 *   collections:
 *     balances:
 *       kind: map
 *       key-type: java.lang.String
 *       value-type: java.lang.Long
 *     book:
 *       kind: priority-queue
 *       priority-type: java.lang.Long
 *       key-type: java.lang.String
 *       value-type: com.example.Order
 *       capacity: 1000
 *       role: reader
 * </pre>
 *
 * The collection is opened when its bean is created, after every {@link MosaikCollectionCustomizer}, and
 * its handle is closed with the context. A declaration that cannot work (no kind or an unknown one, a
 * missing or unknown type, a type the kind does not take, a capacity on something else than a priority
 * queue) stops the application with the property named, before any bean is created.
 *
 * <p>It also makes the bean factory answer {@link MosaikCollection} injection points: with the declared
 * bean of that name, or else with a collection opened from the injection point, closed when this bean is
 * destroyed with the context.
 */
public class MosaikCollectionBeans implements BeanDefinitionRegistryPostProcessor, EnvironmentAware, DisposableBean {

    /**
     * One checked collection, declared in the properties or taken from an injection point.
     *
     * @param name     its bean name, or the name on the injection point
     * @param origin   where it comes from, for messages: the property prefix or the injection point
     * @param capacity a priority queue's capacity ({@link Long#MAX_VALUE}: unbounded)
     */
    record Declaration(String name, String origin, CollectionKind kind, CollectionRole role, StoreId store,
                       List<Class<?>> types, long capacity, CollectionConfig config) {

        /** Whether both open the same collection (maybe in different roles). */
        boolean sameCollection(Declaration other) {
            return kind == other.kind && store.equals(other.store) && types.equals(other.types)
                    && capacity == other.capacity;
        }

        /** The same collection in another role. */
        Declaration as(CollectionRole role) {
            return new Declaration(name, origin, kind, role, store, types, capacity, config);
        }
    }

    private Environment environment;
    private volatile ConfigurableListableBeanFactory beanFactory;
    private final Map<String, Declaration> declarations = new ConcurrentHashMap<>();
    private volatile AnnotatedCollections annotated;

    /** Created by the auto-configuration. */
    public MosaikCollectionBeans() {
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Map<String, MosaikProperties.CollectionSpec> specs;
        try {
            specs = Binder.get(environment).bind("mosaik.collections",
                    Bindable.mapOf(String.class, MosaikProperties.CollectionSpec.class)).orElseGet(Map::of);
        } catch (BindException e) {
            String property = e.getProperty() != null ? e.getProperty().getName().toString() : e.getName().toString();
            throw new MosaikConfigurationException(property, "the value cannot be read",
                    "Write counts as whole numbers and paths as paths.", e);
        }
        Path dataDir = Binder.get(environment).bind("mosaik.data-dir", Bindable.of(Path.class)).orElse(null);
        ClassLoader loader = ClassUtils.getDefaultClassLoader();
        specs.forEach((name, spec) -> {
            Declaration declaration = declaration(name, spec, dataDir, loader);
            if (registry.containsBeanDefinition(name)) {
                throw new MosaikConfigurationException(declaration.origin(), "a bean named '" + name
                        + "' already exists", "Give the collection another name; its name is its bean name.");
            }
            RootBeanDefinition definition = new RootBeanDefinition();
            definition.setTargetType(beanType(declaration));
            definition.setInstanceSupplier(() -> open(declaration));
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
            registry.registerBeanDefinition(name, definition);
            declarations.put(name, declaration);
        });
    }

    /**
     * Keeps the factory, and makes it resolve {@link MosaikCollection} injection points: the declared
     * collection of that name, or one opened from the injection point.
     */
    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory factory) {
        this.beanFactory = factory;
        if (factory instanceof DefaultListableBeanFactory listable) {
            annotated = new AnnotatedCollections(this, factory);
            listable.setAutowireCandidateResolver(new MosaikCollectionResolver(
                    listable.getAutowireCandidateResolver(), annotated));
        }
    }

    /** Closes the collections opened from injection points; the declared ones close as beans. */
    @Override
    public void destroy() {
        AnnotatedCollections opened = annotated;
        if (opened != null) {
            opened.close();
        }
    }

    /** The collection declared under {@code mosaik.collections.<name>}, or {@code null}. */
    Declaration declared(String name) {
        return declarations.get(name);
    }

    private static Declaration declaration(String name, MosaikProperties.CollectionSpec spec, Path dataDir,
                                           ClassLoader loader) {
        String prefix = "mosaik.collections." + name;
        CollectionKind kind = kind(prefix, spec.getKind());
        CollectionRole role = switch (spec.getRole() == null ? "" : spec.getRole().strip().toLowerCase(Locale.ROOT)) {
            case "writer" -> CollectionRole.WRITER;
            case "reader" -> CollectionRole.READER;
            default -> throw new MosaikConfigurationException(prefix + ".role", "'" + spec.getRole()
                    + "' is not a role", "Set it to writer (writes and reads) or reader (reads only).");
        };
        List<Class<?>> types = new ArrayList<>();
        switch (kind) {
            case MAP -> {
                types.add(type(prefix + ".key-type", spec.getKeyType(), loader));
                types.add(type(prefix + ".value-type", spec.getValueType(), loader));
                unused(prefix + ".type", spec.getType(), kind);
                unused(prefix + ".priority-type", spec.getPriorityType(), kind);
            }
            case PRIORITY_QUEUE -> {
                Class<?> priority = type(prefix + ".priority-type", spec.getPriorityType(), loader);
                if (!Comparable.class.isAssignableFrom(priority)) {
                    throw new MosaikConfigurationException(prefix + ".priority-type", priority.getName()
                            + " is not Comparable", "Use a naturally ordered type, such as java.lang.Long.");
                }
                types.add(priority);
                types.add(type(prefix + ".key-type", spec.getKeyType(), loader));
                types.add(type(prefix + ".value-type", spec.getValueType(), loader));
                unused(prefix + ".type", spec.getType(), kind);
            }
            default -> {
                types.add(type(prefix + ".type", spec.getType(), loader));
                unused(prefix + ".key-type", spec.getKeyType(), kind);
                unused(prefix + ".value-type", spec.getValueType(), kind);
                unused(prefix + ".priority-type", spec.getPriorityType(), kind);
            }
        }
        long capacity = Long.MAX_VALUE;
        if (spec.getCapacity() != null) {
            if (kind != CollectionKind.PRIORITY_QUEUE) {
                throw new MosaikConfigurationException(prefix + ".capacity", "only a priority-queue has a capacity",
                        "Remove it, or make the collection a priority-queue.");
            }
            if (spec.getCapacity() < 1) {
                throw new MosaikConfigurationException(prefix + ".capacity", spec.getCapacity() + " is below 1",
                        "Set it to 1 or more, or remove it for an unbounded queue.");
            }
            capacity = spec.getCapacity();
        }
        CollectionConfig config = CollectionConfig.defaults();
        try {
            config = config.withSnapshots(spec.getSnapshotEvery(), spec.getSnapshotRetain());
        } catch (IllegalArgumentException e) {
            throw new MosaikConfigurationException(prefix + ".snapshot-every", e.getMessage(),
                    "Set snapshot-every to 1 or more and snapshot-retain to 0 or more.", e);
        }
        if (spec.getSecret() != null) {
            if (spec.getSecret().isBlank()) {
                throw new MosaikConfigurationException(prefix + ".secret", "the secret is blank",
                        "Set a long random secret, or remove the property for none.");
            }
            config = config.withSecret(spec.getSecret());
        }
        if (spec.getDataDir() != null) {
            Path directory = dataDir != null ? dataDir.resolve(spec.getDataDir()) : spec.getDataDir();
            config = config.withDataDirectory(directory, SyncPolicy.ALWAYS);
        }
        String store = spec.getStore() == null || spec.getStore().isBlank() ? name : spec.getStore().strip();
        return new Declaration(name, prefix, kind, role, StoreId.of(store), List.copyOf(types), capacity, config);
    }

    private static CollectionKind kind(String prefix, String kind) {
        String wanted = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
        for (CollectionKind candidate : CollectionKind.values()) {
            if (candidate.configName().equals(wanted)) {
                return candidate;
            }
        }
        throw new MosaikConfigurationException(prefix + ".kind", kind == null ? "no kind is set"
                : "'" + kind + "' is not a kind of collection", "Set it to one of: " + String.join(", ",
                Arrays.stream(CollectionKind.values()).map(CollectionKind::configName).toList()) + ".");
    }

    private static Class<?> type(String property, String name, ClassLoader loader) {
        if (name == null || name.isBlank()) {
            throw new MosaikConfigurationException(property, "no class is set",
                    "Set it to a fully qualified class name, such as java.lang.String or com.example.Order.");
        }
        try {
            return ClassUtils.forName(name.strip(), loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new MosaikConfigurationException(property, "class " + name + " was not found",
                    "Check the fully qualified class name and that the class is on the class path.", e);
        }
    }

    private static void unused(String property, String value, CollectionKind kind) {
        if (value != null && !value.isBlank()) {
            throw new MosaikConfigurationException(property, "a " + kind.configName() + " does not take it",
                    "Remove it: a map takes key-type and value-type; a priority-queue priority-type, key-type and"
                            + " value-type; a vec, set, cell or once takes type.");
        }
    }

    /** The interface a collection of that kind and role is injected as. */
    static Class<?> interfaceOf(CollectionKind kind, CollectionRole role) {
        boolean writer = role == CollectionRole.WRITER;
        return switch (kind) {
            case MAP -> writer ? ReplicatedMapWriter.class : ReplicatedMap.class;
            case VEC -> writer ? ReplicatedVecWriter.class : ReplicatedVec.class;
            case SET -> writer ? ReplicatedSetWriter.class : ReplicatedSet.class;
            case CELL -> writer ? ReplicatedCellWriter.class : ReplicatedCell.class;
            case ONCE -> writer ? ReplicatedOnceWriter.class : ReplicatedOnce.class;
            case PRIORITY_QUEUE -> writer ? ReplicatedPriorityQueueWriter.class : ReplicatedPriorityQueue.class;
        };
    }

    /** The bean type of a declaration: its interface with its element types. */
    static ResolvableType beanType(Declaration declaration) {
        return ResolvableType.forClassWithGenerics(interfaceOf(declaration.kind(), declaration.role()),
                declaration.types().toArray(Class<?>[]::new));
    }

    /** Opens a collection, after the customizers adjusted its configuration. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    ReplicatedCollection open(Declaration declaration) {
        ReplicatedCollections collections = beanFactory.getBean(Network.class).collections();
        List<Class<?>> types = declaration.types();
        StoreId store = declaration.store();
        CollectionBuilder<?, ?> builder = switch (declaration.kind()) {
            case MAP -> collections.map(store, types.get(0), types.get(1));
            case VEC -> collections.vec(store, types.get(0));
            case SET -> collections.set(store, types.get(0));
            case CELL -> collections.cell(store, types.get(0));
            case ONCE -> collections.once(store, types.get(0));
            case PRIORITY_QUEUE -> collections.priorityQueue(store, (Class) types.get(0), types.get(1), types.get(2),
                    declaration.capacity());
        };
        CollectionConfig config = declaration.config();
        for (MosaikCollectionCustomizer customizer : beanFactory.getBeanProvider(MosaikCollectionCustomizer.class)
                .orderedStream().toList()) {
            config = customizer.customize(declaration.name(), config);
        }
        return builder.config(config).open(declaration.role());
    }
}
