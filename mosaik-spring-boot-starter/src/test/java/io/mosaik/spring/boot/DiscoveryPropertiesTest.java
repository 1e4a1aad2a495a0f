package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.discovery.DiscoveryConfig;
import io.mosaik.network.Network;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code mosaik.discovery.*} reaches the running node's discovery: the defaults, and every knob set. */
@Timeout(60)
class DiscoveryPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=discovery-properties-test");

    @Test
    void theDefaultsAreTheEngines() {
        runner.run(context -> assertThat(context.getBean(Network.class).discovery().config())
                .isEqualTo(DiscoveryConfig.defaults()));
    }

    @Test
    void everyPropertySetReachesTheEngine() {
        runner.withPropertyValues("mosaik.discovery.tags=matcher,eu-west", "mosaik.discovery.purge-after=120s",
                "mosaik.discovery.announce-interval=10s", "mosaik.discovery.announce-jitter=0.25",
                "mosaik.discovery.max-time-drift=20s", "mosaik.discovery.rtt-probe-interval=5s",
                "mosaik.discovery.max-rtt=250ms", "mosaik.discovery.events-backlog=16").run(context -> {
                    DiscoveryConfig config = context.getBean(Network.class).discovery().config();
                    assertThat(config).isEqualTo(new DiscoveryConfig(List.of(Tag.of("matcher"), Tag.of("eu-west")),
                            Duration.ofSeconds(120), Duration.ofSeconds(10), 0.25, Duration.ofSeconds(20),
                            Duration.ofSeconds(5), Optional.of(Duration.ofMillis(250)), 16));
                    assertThat(context.getBean(Network.class).discovery().me().entry().hasTag(Tag.of("eu-west")))
                            .isTrue();
                });
    }
}
