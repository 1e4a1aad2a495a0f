package io.mosaik.spring.boot;

import io.mosaik.network.Network;
import io.mosaik.primitives.Tag;
import io.mosaik.streams.Consumer;
import io.mosaik.streams.ConsumerBuilder;
import io.mosaik.streams.Producer;
import io.mosaik.streams.ProducerBuilder;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Turns {@code mosaik.streams.producers.<name>} and {@code mosaik.streams.consumers.<name>} into beans
 * named {@code <name>}, typed {@code Producer<Type>} and {@code Consumer<Type>}, so they can be injected
 * by name or by generic type:
 *
 * <pre>
 * mosaik:
 *   streams:
 *     producers:
 *       quotes:
 *         type: com.example.Quote
 *         stream-id: quotes
 *         require-tags: [trader]
 *     consumers:
 *       quoteFeed:
 *         type: com.example.Quote
 *         stream-id: quotes
 * </pre>
 *
 * A declaration that cannot work (no type, a class that does not exist, a negative size) stops the
 * application with the property named.
 */
public class MosaikStreamBeans implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

    private Environment environment;
    private volatile BeanFactory beanFactory;

    /** Created by the auto-configuration. */
    public MosaikStreamBeans() {
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        MosaikProperties.Streams streams = Binder.get(environment)
                .bind("mosaik.streams", Bindable.of(MosaikProperties.Streams.class))
                .orElseGet(MosaikProperties.Streams::new);
        ClassLoader loader = ClassUtils.getDefaultClassLoader();
        streams.getProducers().forEach((name, spec) -> {
            String prefix = "mosaik.streams.producers." + name;
            Class<?> type = type(prefix, spec, loader);
            check(prefix, spec);
            if (spec.getMaxConsumers() != null && spec.getMaxConsumers() < 1) {
                throw new MosaikConfigurationException(prefix + ".max-consumers", spec.getMaxConsumers()
                        + " is below 1", "Set it to 1 or more, or remove it for no limit.");
            }
            register(registry, name, ResolvableType.forClassWithGenerics(Producer.class, type),
                    () -> producer(type, spec), false);
        });
        streams.getConsumers().forEach((name, spec) -> {
            String prefix = "mosaik.streams.consumers." + name;
            Class<?> type = type(prefix, spec, loader);
            check(prefix, spec);
            register(registry, name, ResolvableType.forClassWithGenerics(Consumer.class, type),
                    () -> consumer(type, spec), true);
        });
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory factory) {
        this.beanFactory = factory;
    }

    private void register(BeanDefinitionRegistry registry, String name, ResolvableType type, Supplier<?> supplier,
            boolean closeWithContext) {
        if (registry.containsBeanDefinition(name)) {
            throw new MosaikConfigurationException("mosaik.streams.*." + name, "a bean named '" + name
                    + "' already exists", "Give the stream declaration another name.");
        }
        RootBeanDefinition definition = new RootBeanDefinition();
        definition.setTargetType(type);
        definition.setInstanceSupplier(supplier);
        if (closeWithContext) {
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
        }
        registry.registerBeanDefinition(name, definition);
    }

    private Producer<?> producer(Class<?> type, MosaikProperties.ProducerSpec spec) {
        ProducerBuilder<?> builder = network().streams().producer(type).bufferSize(spec.getBufferSize())
                .disconnectLagging(spec.isDisconnectLagging())
                .onlineWhen(conditions -> conditions.minimumOf(spec.getOnlineMinimum()));
        if (spec.getStreamId() != null && !spec.getStreamId().isBlank()) {
            builder.streamId(spec.getStreamId().strip());
        }
        if (spec.getMaxConsumers() != null) {
            builder.maxConsumers(spec.getMaxConsumers());
        }
        Tag[] tags = tags(spec);
        if (tags.length > 0) {
            builder.require(peer -> peer.hasTags(tags));
        }
        return builder.build();
    }

    private Consumer<?> consumer(Class<?> type, MosaikProperties.ConsumerSpec spec) {
        ConsumerBuilder<?> builder = network().streams().consumer(type).bufferSize(spec.getBufferSize())
                .onlineWhen(conditions -> conditions.minimumOf(spec.getOnlineMinimum()));
        if (spec.getStreamId() != null && !spec.getStreamId().isBlank()) {
            builder.streamId(spec.getStreamId().strip());
        }
        Tag[] tags = tags(spec);
        if (tags.length > 0) {
            builder.require(peer -> peer.hasTags(tags));
        }
        return builder.build();
    }

    private Network network() {
        return beanFactory.getBean(Network.class);
    }

    private static Tag[] tags(MosaikProperties.StreamSpec spec) {
        List<String> names = spec.getRequireTags() == null ? List.of() : spec.getRequireTags();
        return names.stream().filter(name -> name != null && !name.isBlank()).map(name -> Tag.of(name.strip()))
                .toArray(Tag[]::new);
    }

    private static Class<?> type(String prefix, MosaikProperties.StreamSpec spec, ClassLoader loader) {
        if (spec.getType() == null || spec.getType().isBlank()) {
            throw new MosaikConfigurationException(prefix + ".type", "no datum type is set",
                    "Set it to the fully qualified name of the datum class, such as com.example.Quote.");
        }
        try {
            return ClassUtils.forName(spec.getType().strip(), loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new MosaikConfigurationException(prefix + ".type", "class " + spec.getType() + " was not found",
                    "Check the fully qualified class name and that the class is on the class path.", e);
        }
    }

    private static void check(String prefix, MosaikProperties.StreamSpec spec) {
        if (spec.getBufferSize() < 1) {
            throw new MosaikConfigurationException(prefix + ".buffer-size", spec.getBufferSize() + " is below 1",
                    "Set it to 1 or more (default 1024).");
        }
    }
}
