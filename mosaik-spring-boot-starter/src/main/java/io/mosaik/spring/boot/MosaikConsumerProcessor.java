package io.mosaik.spring.boot;

import io.micrometer.core.instrument.Counter;
import io.mosaik.network.Network;
import io.mosaik.primitives.Tag;
import io.mosaik.streams.Consumer;
import io.mosaik.streams.ConsumerBuilder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds {@link MosaikConsumer} methods on beans and runs one stream consumer for each while the context
 * runs: consumers are created and their dispatch threads started right after the node starts, and closed
 * before it stops.
 */
public class MosaikConsumerProcessor implements BeanPostProcessor, SmartLifecycle {

    /** Right after the node ({@link MosaikNetworkLifecycle#PHASE}), so consumers stop before it. */
    public static final int PHASE = MosaikNetworkLifecycle.PHASE + 1;

    private static final Logger log = LoggerFactory.getLogger(MosaikConsumerProcessor.class);

    private final ObjectProvider<Network> network;
    private final List<Handler> handlers = new CopyOnWriteArrayList<>();
    private final List<Running> running = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    /**
     * Created by the auto-configuration.
     *
     * @param network the node whose streams the consumers use
     */
    public MosaikConsumerProcessor(ObjectProvider<Network> network) {
        this.network = network;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> target = AopUtils.getTargetClass(bean);
        Map<Method, MosaikConsumer> annotated = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<MosaikConsumer>) method ->
                        AnnotatedElementUtils.findMergedAnnotation(method, MosaikConsumer.class));
        annotated.forEach((method, annotation) -> {
            if (method.getParameterCount() != 1) {
                throw new MosaikConfigurationException("@MosaikConsumer " + target.getSimpleName() + "."
                        + method.getName(), "the method takes " + method.getParameterCount() + " parameters",
                        "Give it exactly one parameter: the datum, whose type is the stream's datum type.");
            }
            Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
            invocable.setAccessible(true);
            handlers.add(new Handler(bean, beanName, invocable, annotation, method.getParameterTypes()[0]));
        });
        return bean;
    }

    @Override
    public synchronized void start() {
        Network node = network.getIfAvailable();
        if (node == null) {
            started = true;
            return;
        }
        for (Handler handler : handlers) {
            running.add(handler.start(node));
        }
        started = true;
    }

    @Override
    public synchronized void stop() {
        running.forEach(Running::close);
        running.clear();
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The consumers started for annotated methods, for diagnostics. */
    public List<Consumer<?>> consumers() {
        return running.stream().<Consumer<?>>map(Running::consumer).toList();
    }

    private record Handler(Object bean, String beanName, Method method, MosaikConsumer annotation, Class<?> type) {

        Running start(Network node) {
            ConsumerBuilder<?> builder = node.streams().consumer(type).bufferSize(annotation.bufferSize());
            if (!annotation.stream().isBlank()) {
                builder.streamId(annotation.stream().strip());
            }
            List<Tag> tags = Arrays.stream(annotation.requireTags()).filter(tag -> !tag.isBlank())
                    .map(tag -> Tag.of(tag.strip())).toList();
            if (!tags.isEmpty()) {
                builder.require(peer -> peer.hasTags(tags.toArray(Tag[]::new)));
            }
            Consumer<?> consumer = builder.build();
            Counter errors = Counter.builder("mosaik.streams.consumer.handler.errors")
                    .description("@MosaikConsumer method calls that threw").tag("stream",
                            consumer.streamId().shortName()).register(node.meterRegistry());
            String where = beanName + "." + method.getName();
            Thread thread = Thread.ofVirtual().name("mosaik-consumer-" + where).start(() -> {
                for (Object datum : consumer) {
                    try {
                        method.invoke(bean, datum);
                    } catch (InvocationTargetException e) {
                        errors.increment();
                        log.warn("@MosaikConsumer {} failed on a datum of '{}'; continuing with the next one",
                                where, consumer.streamId(), e.getCause());
                    } catch (IllegalAccessException | RuntimeException e) {
                        errors.increment();
                        log.warn("@MosaikConsumer {} could not be called", where, e);
                    }
                }
            });
            log.info("@MosaikConsumer {} consumes stream '{}'", where, consumer.streamId());
            return new Running(consumer, thread);
        }
    }

    private record Running(Consumer<?> consumer, Thread thread) {
        void close() {
            consumer.close(); // ends the thread's iteration after the datum in hand
        }
    }
}
