package io.mosaik.spring.boot;

import io.mosaik.network.Network;

/**
 * Adjusts the {@link Network.Builder} of the auto-configured node after the {@code mosaik.*} properties
 * were applied and before the node is built, for settings that have no property or that come from
 * code. Every bean of this type is applied, in {@link org.springframework.core.annotation.Order} order.
 *
 * <pre>{@code
 * @Bean
 * MosaikNetworkCustomizer fasterDeadPeerDetection() {
 *     return builder -> builder.idleTimeout(Duration.ofSeconds(3));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MosaikNetworkCustomizer {

    /**
     * Customizes the builder.
     *
     * @param builder the builder, already configured from the properties
     */
    void customize(Network.Builder builder);
}
