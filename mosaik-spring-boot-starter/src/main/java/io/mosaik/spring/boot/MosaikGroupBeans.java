package io.mosaik.spring.boot;

import io.mosaik.groups.Group;
import io.mosaik.groups.GroupBuilder;
import io.mosaik.groups.StateMachine;
import io.mosaik.network.Network;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Turns every {@code mosaik.groups.<name>} into a {@link Group} bean named {@code <name>}, typed
 * {@code Group<C, Q, R>} after its state machine, so it can be injected by name or by generic type:
 *
 * <pre>
 * mosaik:
 *   groups:
 *     counter:
 *       key: ${COUNTER_GROUP_SECRET}
 *       state-machine: counterMachine     # a bean implementing StateMachine&lt;Add, Read, Long&gt;
 *
 * &#64;Autowired Group&lt;Add, Read, Long&gt; counter;
 * </pre>
 *
 * The group is joined when its bean is created, after every {@link MosaikGroupCustomizer} has adjusted
 * its builder, and the handle is closed with the context. A declaration that cannot work (no key, no
 * state machine, a bean that does not exist or is not a state machine, consensus settings the engine
 * refuses, storage settings that contradict each other) stops the application with the property named,
 * before any bean is created. A data directory the engine refuses when the group is joined (another
 * group's data, a directory another process uses) stops it with {@code mosaik.groups.<name>.data-dir}
 * named and the engine's reason; one this node wrote under another peer id, with {@code mosaik.key-file}
 * named.
 */
public class MosaikGroupBeans implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

    private static final Logger log = LoggerFactory.getLogger(MosaikGroupBeans.class);

    private final Map<String, GroupSettings> declared = new LinkedHashMap<>();
    private final Map<String, RootBeanDefinition> definitions = new LinkedHashMap<>();
    private Environment environment;
    private volatile ConfigurableListableBeanFactory beanFactory;

    /** Created by the auto-configuration. */
    public MosaikGroupBeans() {
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    /** Checks every declaration and registers a bean definition for it, typed {@code Group} for now. */
    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Path dataDir = bind("mosaik.data-dir", Bindable.of(Path.class)).orElse(null);
        Map<String, MosaikProperties.GroupSpec> declarations = bind("mosaik.groups",
                Bindable.mapOf(String.class, MosaikProperties.GroupSpec.class)).orElseGet(Map::of);
        declarations.forEach((name, spec) -> {
            GroupSettings settings = GroupSettings.of(name, spec, dataDir);
            if (registry.containsBeanDefinition(name)) {
                throw new MosaikConfigurationException(settings.prefix(), "a bean named '" + name
                        + "' already exists", "Give the group another name; the group's name is its bean name, "
                        + "so it cannot be the name of its state machine bean either.");
            }
            RootBeanDefinition definition = new RootBeanDefinition();
            definition.setTargetType(Group.class);
            definition.setInstanceSupplier(() -> join(name, settings));
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
            registry.registerBeanDefinition(name, definition);
            declared.put(name, settings);
            definitions.put(name, definition);
        });
        warnIfIdentityIsNotLasting();
    }

    /**
     * A disk-backed member is refused its own data directory once its node's peer id changes, which a
     * node without a key file or secret key does on every start. A customizer or a Network bean of the
     * application's may still give it a lasting key, so this warns rather than fails.
     */
    private void warnIfIdentityIsNotLasting() {
        List<String> durable = declared.entrySet().stream()
                .filter(entry -> entry.getValue().storage().directory() != null).map(Map.Entry::getKey).toList();
        boolean lasting = bind("mosaik.key-file", Bindable.of(String.class)).isBound()
                || bind("mosaik.secret-key", Bindable.of(String.class)).isBound();
        if (!durable.isEmpty() && !lasting) {
            log.warn("groups {} keep their data on disk, but neither mosaik.key-file nor mosaik.secret-key is set: "
                    + "unless the node's key is set in code, it gets a new peer id on every start and its group "
                    + "data directories are refused after a restart. Set mosaik.key-file so that it keeps its "
                    + "peer id", durable);
        }
    }

    /**
     * Checks that every named state machine bean exists and is a state machine, and types each group bean
     * {@code Group<C, Q, R>} after it, now that every bean definition is known.
     */
    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory factory) {
        this.beanFactory = factory;
        Map<String, String> groupByMachine = new HashMap<>();
        definitions.forEach((name, definition) -> {
            GroupSettings settings = declared.get(name);
            definition.setTargetType(groupType(factory, settings));
            String other = groupByMachine.putIfAbsent(settings.stateMachine(), name);
            if (other != null && factory.isSingleton(settings.stateMachine())) {
                throw new MosaikConfigurationException(settings.prefix() + ".state-machine", "the bean '"
                        + settings.stateMachine() + "' already runs group '" + other + "'; one instance in two "
                        + "groups would apply the commands of both", "Give each group a state machine bean of its "
                        + "own, or make the bean prototype-scoped (@Scope(\"prototype\")) so each group gets a new "
                        + "instance.");
            }
        });
        factory.clearMetadataCache(); // merged definitions cached before the target types were set are stale
    }

    /** Binds properties; a value that does not convert is reported with its property. */
    private <T> BindResult<T> bind(String name, Bindable<T> target) {
        try {
            return Binder.get(environment).bind(name, target);
        } catch (BindException e) {
            String property = e.getProperty() != null ? e.getProperty().getName().toString() : e.getName().toString();
            Object value = e.getProperty() != null ? e.getProperty().getValue() : null;
            Class<?> type = e.getTarget().getType().resolve(Object.class);
            throw new MosaikConfigurationException(property, "'" + value + "' cannot be read as a "
                    + type.getSimpleName(), "Write durations with a unit, such as 500ms or 2s, and counts as "
                    + "whole numbers.", e);
        }
    }

    private static ResolvableType groupType(ConfigurableListableBeanFactory factory, GroupSettings settings) {
        String bean = settings.stateMachine();
        if (!factory.containsBean(bean)) {
            String[] machines = factory.getBeanNamesForType(StateMachine.class, true, false);
            throw new MosaikConfigurationException(settings.prefix() + ".state-machine",
                    "there is no bean named '" + bean + "'", "Define a bean of that name implementing "
                            + "io.mosaik.groups.StateMachine, or name one that exists ("
                            + (machines.length == 0 ? "this application has no StateMachine bean"
                                    : "StateMachine beans: " + String.join(", ", Arrays.asList(machines)))
                            + ").");
        }
        Class<?> type = factory.getType(bean, false);
        if (type != null && !type.isAssignableFrom(StateMachine.class) && !StateMachine.class.isAssignableFrom(type)) {
            throw notAStateMachine(settings, type);
        }
        ResolvableType machine = ResolvableType.NONE;
        try {
            // the declared type, generics included (a @Bean method may return StateMachine<A, B, C>)
            machine = factory.getMergedBeanDefinition(bean).getResolvableType().as(StateMachine.class);
        } catch (NoSuchBeanDefinitionException registeredAsObject) {
            // a singleton registered as an object has no definition: its class says it all
        }
        if ((!machine.hasGenerics() || machine.hasUnresolvableGenerics()) && type != null) {
            machine = ResolvableType.forClass(type).as(StateMachine.class);
        }
        if (!machine.hasGenerics() || machine.hasUnresolvableGenerics()) {
            return ResolvableType.forClass(Group.class); // still injectable by name
        }
        return ResolvableType.forClassWithGenerics(Group.class, machine.getGenerics());
    }

    private Group<?, ?, ?> join(String name, GroupSettings settings) {
        Object bean = beanFactory.getBean(settings.stateMachine());
        if (!(bean instanceof StateMachine<?, ?, ?> machine)) {
            throw notAStateMachine(settings, bean.getClass());
        }
        // Joined now, while the network starts with the context: the member bonds once it runs.
        Network network = beanFactory.getBean(Network.class);
        GroupBuilder<?, ?, ?> builder = network.groups().builder(settings.key(), machine)
                .consensus(settings.consensus());
        if (settings.preference() != null) {
            builder.leadershipPreference(settings.preference());
        }
        settings.storage().applyTo(builder);
        beanFactory.getBeanProvider(MosaikGroupCustomizer.class).orderedStream()
                .forEach(customizer -> customizer.customize(name, builder));
        try {
            return builder.join();
        } catch (RuntimeException e) {
            throw settings.storage().explain(settings.prefix(), e);
        }
    }

    private static MosaikConfigurationException notAStateMachine(GroupSettings settings, Class<?> type) {
        return new MosaikConfigurationException(settings.prefix() + ".state-machine", "the bean '"
                + settings.stateMachine() + "' is a " + type.getName() + ", not an io.mosaik.groups.StateMachine",
                "Name a bean that implements io.mosaik.groups.StateMachine.");
    }
}
