package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.ConnectionInfo;
import io.mosaik.network.Network;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Two applications on one machine: the second, given the first's address, connects to it. */
@Timeout(90)
class BootstrapTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=bootstrap-test");

    @Test
    void nodeConfiguredWithAnotherNodesAddressConnectsToIt() {
        runner.run(first -> {
            Network a = first.getBean(Network.class);
            runner.withPropertyValues("mosaik.discovery.bootstrap=" + a.address()).run(second -> {
                Network b = second.getBean(Network.class);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(a.connections()).extracting(ConnectionInfo::peer).contains(b.peerId());
                    assertThat(b.connections()).extracting(ConnectionInfo::peer).contains(a.peerId());
                });
            });
        });
    }
}
