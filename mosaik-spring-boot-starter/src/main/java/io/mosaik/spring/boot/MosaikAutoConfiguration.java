package io.mosaik.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.codec.Codec;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.network.Network;
import io.mosaik.streams.Streams;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Runs a mosaik node in a Spring Boot application: a {@link Network} built from the
 * {@link MosaikProperties mosaik.* properties}, started with the context and closed with it.
 *
 * <p>Ordered after Boot's Micrometer auto-configurations (named as strings, so this module needs no
 * dependency on them), so that the application's {@link MeterRegistry} exists and the engine's
 * {@code mosaik.network.*} meters show in {@code /actuator/metrics}. Set {@code mosaik.enabled=false}
 * to turn it all off, or define a {@link Network} bean of your own to replace the auto-configured one;
 * it is still started and closed with the context.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(Network.class)
@ConditionalOnBooleanProperty(name = "mosaik.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MosaikProperties.class)
public class MosaikAutoConfiguration {

    /** Created by Spring. */
    public MosaikAutoConfiguration() {
    }

    /**
     * The codec for messages on links: CBOR through Jackson, unless the application defines one.
     *
     * @return the codec
     */
    @Bean
    @ConditionalOnMissingBean
    public Codec mosaikCodec() {
        return JacksonCodec.cbor();
    }

    /**
     * The node, built from the properties and not started yet: {@link MosaikNetworkLifecycle} starts it
     * with the context. Its meters go to the application's registry when there is exactly one (or a
     * primary one); otherwise they stay in a private registry.
     *
     * @param properties  the {@code mosaik.*} properties
     * @param codec       the codec for messages
     * @param registry    the application's meter registry, if any
     * @param customizers adjustments applied after the properties
     * @return the network
     * @throws MosaikConfigurationException if a property has a value the node cannot run with
     */
    @Bean
    @ConditionalOnMissingBean
    public Network mosaikNetwork(MosaikProperties properties, Codec codec, ObjectProvider<MeterRegistry> registry,
            ObjectProvider<MosaikNetworkCustomizer> customizers) {
        Network.Builder builder = NetworkSettings.of(properties).toBuilder().codec(codec);
        MeterRegistry meterRegistry = registry.getIfUnique();
        if (meterRegistry != null) {
            builder.meterRegistry(meterRegistry);
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /**
     * Starts and closes the context's networks, the auto-configured one or the application's own.
     *
     * @param networks the networks
     * @return the life cycle
     */
    @Bean
    @ConditionalOnMissingBean
    public MosaikNetworkLifecycle mosaikNetworkLifecycle(ObjectProvider<Network> networks) {
        return new MosaikNetworkLifecycle(networks);
    }

    /**
     * The node's streams, for injection ({@code network.streams()}).
     *
     * @param network the node
     * @return its streams
     */
    @Bean
    @ConditionalOnMissingBean
    public Streams mosaikStreams(Network network) {
        return network.streams();
    }

    /**
     * The node's replicated collections, for opening collections in code ({@code network.collections()}).
     *
     * @param network the node
     * @return its collections
     */
    @Bean
    @ConditionalOnMissingBean
    public io.mosaik.collections.ReplicatedCollections mosaikCollections(Network network) {
        return network.collections();
    }

    /**
     * Beans for the producers and consumers declared under {@code mosaik.streams}.
     *
     * @return the registrar
     */
    @Bean
    public static MosaikStreamBeans mosaikStreamBeans() {
        return new MosaikStreamBeans();
    }

    /**
     * Beans for the groups declared under {@code mosaik.groups}.
     *
     * @return the registrar
     */
    @Bean
    public static MosaikGroupBeans mosaikGroupBeans() {
        return new MosaikGroupBeans();
    }

    /**
     * Beans for the collections declared under {@code mosaik.collections}.
     *
     * @return the registrar
     */
    @Bean
    public static MosaikCollectionBeans mosaikCollectionBeans() {
        return new MosaikCollectionBeans();
    }

    /**
     * Runs {@link MosaikConsumer} methods.
     *
     * @param network the node
     * @return the processor
     */
    @Bean
    public static MosaikConsumerProcessor mosaikConsumerProcessor(ObjectProvider<Network> network) {
        return new MosaikConsumerProcessor(network);
    }
}
