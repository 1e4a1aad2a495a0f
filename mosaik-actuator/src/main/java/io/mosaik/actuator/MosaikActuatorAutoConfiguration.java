package io.mosaik.actuator;

import io.mosaik.network.Network;
import io.mosaik.spring.boot.MosaikAutoConfiguration;
import io.mosaik.spring.boot.MosaikConfigurationException;
import java.time.Duration;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support for the mosaik node: the {@code mosaik} endpoint and the {@code mosaik} health
 * contributor. The engine's meters need nothing here: the node registers them in the application's
 * registry (see {@link MosaikAutoConfiguration}), so they show under {@code /actuator/metrics/mosaik.*}.
 */
@AutoConfiguration(after = MosaikAutoConfiguration.class)
@ConditionalOnClass(Network.class)
@ConditionalOnBean(Network.class)
public class MosaikActuatorAutoConfiguration {

    /** Created by Spring. */
    public MosaikActuatorAutoConfiguration() {
    }

    /**
     * The endpoint; it exists only when enabled and exposed, such as with
     * {@code management.endpoints.web.exposure.include=health,mosaik}.
     *
     * @param network the node
     * @param beans   where the names of groups come from: the bean names of {@code Group} beans
     * @return the endpoint
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public MosaikEndpoint mosaikEndpoint(Network network, ListableBeanFactory beans) {
        return new MosaikEndpoint(network, new GroupBeanNames(beans));
    }

    /** The health contributor, in its own class so the module works without spring-boot-health. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @EnableConfigurationProperties(MosaikHealthProperties.class)
    static class HealthConfiguration {

        /**
         * The {@code mosaik} health contributor (the bean name without its suffix);
         * {@code management.health.mosaik.enabled=false} turns it off.
         *
         * @param network    the node
         * @param beans      where the names of groups come from
         * @param properties the {@code mosaik.health.*} settings
         * @return the indicator
         * @throws MosaikConfigurationException if the leaderless timeout is negative
         */
        @Bean
        @ConditionalOnMissingBean(name = "mosaikHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("mosaik")
        MosaikHealthIndicator mosaikHealthIndicator(Network network, ListableBeanFactory beans,
                MosaikHealthProperties properties) {
            Duration timeout = properties.getGroupLeaderlessTimeout();
            if (timeout == null || timeout.isNegative()) {
                throw new MosaikConfigurationException("mosaik.health.group-leaderless-timeout",
                        timeout + " is not a duration of 0 or more",
                        "Set it to how long a group may go without a leader before the node reports DOWN, "
                                + "such as 30s (the default).");
            }
            return new MosaikHealthIndicator(network, new GroupBeanNames(beans), timeout);
        }
    }
}
