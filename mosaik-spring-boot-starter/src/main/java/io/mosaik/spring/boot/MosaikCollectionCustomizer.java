package io.mosaik.spring.boot;

import io.mosaik.collections.CollectionConfig;

/**
 * Adjusts the {@link CollectionConfig} of a collection declared under {@code mosaik.collections.<name>}
 * or opened from a {@link MosaikCollection} injection point, after the properties were applied and
 * before it is opened: consensus timings, a secret from a vault, a data directory computed at start-up.
 * Every bean of this type is applied to every such collection, in
 * {@link org.springframework.core.annotation.Order} order; look at the name to adjust one.
 *
 * <pre>{@code
 * @Bean
 * MosaikCollectionCustomizer balancesSecret(Vault vault) {
 *     return (name, config) -> name.equals("balances") ? config.withSecret(vault.read("balances")) : config;
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MosaikCollectionCustomizer {

    /**
     * Customizes the configuration of one collection.
     *
     * @param name   the collection's bean name, or the name on the injection point
     * @param config the configuration from the properties (the defaults for an injection point)
     * @return the configuration to open it with
     */
    CollectionConfig customize(String name, CollectionConfig config);
}
