package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.codec.Codec;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import io.mosaik.network.TransportKind;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The auto-configured node: defaults, property binding, backing off, customizing. */
@Timeout(60)
class MosaikAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=starter-test");

    @Test
    void startsANodeOnLoopbackWithDefaults() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Network.class).hasSingleBean(Codec.class)
                    .hasSingleBean(MosaikNetworkLifecycle.class);
            Network network = context.getBean(Network.class);
            assertThat(network.state()).isEqualTo(NetworkState.RUNNING);
            assertThat(network.networkId()).isEqualTo(NetworkId.of("starter-test"));
            assertThat(network.peerId()).isNotNull();
            assertThat(network.address().peerId()).isEqualTo(network.peerId());
            assertThat(network.address().host()).isEqualTo("127.0.0.1");
            assertThat(network.address().port()).isPositive();
            assertThat(network.transport()).isEqualTo(TransportKind.DEFAULT);
            assertThat(network.codec()).isInstanceOf(JacksonCodec.class).isSameAs(context.getBean(Codec.class));
            assertThat(context.getBean(MosaikNetworkLifecycle.class).isRunning()).isTrue();
        });
    }

    @Test
    void closesTheNodeWithTheContext() {
        AtomicReference<Network> network = new AtomicReference<>();
        runner.run(context -> network.set(context.getBean(Network.class)));
        assertThat(network.get().state()).isEqualTo(NetworkState.CLOSED);
    }

    @Test
    void bindsEveryProperty() throws Exception {
        int port = FreePorts.tcp();
        String peer = SecretKey.random().peerId().toHex();
        runner.withPropertyValues("mosaik.transport=TCP", "mosaik.port=" + port, "mosaik.max-frame-size=64KB",
                "mosaik.idle-timeout=3s", "mosaik.handshake-timeout=1500ms", "mosaik.bind-address=127.0.0.1",
                // two peers nobody listens for: the node keeps retrying in the background, harmlessly
                "mosaik.discovery.bootstrap=" + peer + "@127.0.0.1:1, " + peer + "@[::1]:2").run(context -> {
                    MosaikProperties properties = context.getBean(MosaikProperties.class);
                    assertThat(properties.getMaxFrameSize()).isEqualTo(DataSize.ofKilobytes(64));
                    assertThat(properties.getIdleTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(properties.getHandshakeTimeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(properties.getDiscovery().getBootstrap()).hasSize(2);

                    Network network = context.getBean(Network.class);
                    assertThat(network.transport()).isEqualTo(TransportKind.TCP);
                    assertThat(network.address().port()).isEqualTo(port);
                    assertThat(network.bootstrapPeers()).extracting(Object::toString)
                            .containsExactly(peer + "@127.0.0.1:1", peer + "@[::1]:2");
                });
    }

    @Test
    void discoveryTagsAndIntervalsReachTheNode() {
        runner.withPropertyValues("mosaik.discovery.tags=matcher, eu-west", "mosaik.discovery.purge-after=60s",
                "mosaik.discovery.announce-interval=2s", "mosaik.discovery.announce-jitter=0.25").run(context -> {
                    var me = context.getBean(Network.class).discovery().me().entry();
                    assertThat(me.hasTag(io.mosaik.primitives.Tag.of("matcher"))).isTrue();
                    assertThat(me.hasTag(io.mosaik.primitives.Tag.of("eu-west"))).isTrue();
                    assertThat(context.getBean(MosaikProperties.class).getDiscovery().getAnnounceInterval())
                            .isEqualTo(Duration.ofSeconds(2));
                });
    }

    @Test
    void advertisedHostIsWhatTheAddressPublishes() {
        runner.withPropertyValues("mosaik.advertised-host=localhost")
                .run(context -> assertThat(context.getBean(Network.class).address().host()).isEqualTo("localhost"));
    }

    @Test
    void secretKeyFixesThePeerId() {
        SecretKey key = SecretKey.random();
        runner.withPropertyValues("mosaik.secret-key=" + key.toHex())
                .run(context -> assertThat(context.getBean(Network.class).peerId()).isEqualTo(key.peerId()));
    }

    @Test
    void userNetworkWinsAndIsStillStartedAndClosed() {
        AtomicReference<Network> network = new AtomicReference<>();
        runner.withUserConfiguration(UserNetworkConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(Network.class);
            network.set(context.getBean(Network.class));
            assertThat(network.get().networkId()).isEqualTo(NetworkId.of("user-network"));
            assertThat(network.get().state()).isEqualTo(NetworkState.RUNNING);
        });
        assertThat(network.get().state()).isEqualTo(NetworkState.CLOSED);
    }

    @Test
    void userNetworkNeedsNoNetworkIdProperty() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
                .withUserConfiguration(UserNetworkConfiguration.class)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Network.class));
    }

    @Test
    void disabledMeansNoNode() {
        runner.withPropertyValues("mosaik.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Network.class).doesNotHaveBean(MosaikNetworkLifecycle.class)
                .doesNotHaveBean(MosaikProperties.class));
    }

    @Test
    void usesTheApplicationMeterRegistry() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(context.getBean(Network.class).meterRegistry()).isSameAs(registry);
            assertThat(registry.find("mosaik.network.connections.current").gauge()).isNotNull();
        });
    }

    @Test
    void customizersAdjustTheBuilder() {
        SecretKey key = SecretKey.random();
        runner.withBean(MosaikNetworkCustomizer.class, () -> builder -> builder.secretKey(key))
                .run(context -> assertThat(context.getBean(Network.class).peerId()).isEqualTo(key.peerId()));
    }

    @Test
    void userCodecWins() {
        Codec codec = new JacksonCodec(JacksonCodec.cbor().mapper());
        runner.withBean(Codec.class, () -> codec)
                .run(context -> assertThat(context.getBean(Network.class).codec()).isSameAs(codec));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserNetworkConfiguration {

        @Bean
        Network userNetwork() {
            return Network.builder(NetworkId.of("user-network")).bootstrap(List.of()).build();
        }
    }
}
