package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.streams.Consumer;
import io.mosaik.streams.Producer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Round-trip times (spec §2.10): a new peer is measured within seconds; {@code maxRtt} hides slow peers. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DiscoveryRttTest {

    record Tick(int n) {
    }

    private static final NetworkId NETWORK = NetworkId.of("discovery-rtt-test");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network start(DiscoveryConfig config) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).discovery(config).build();
        nodes.add(node);
        return node.start();
    }

    @Test
    void aNewlyDiscoveredPeerIsMeasuredWithinSecondsWithTheDefaultProbeInterval() throws Exception {
        Network a = start(DiscoveryConfig.defaults());
        Network b = start(DiscoveryConfig.defaults());
        a.discovery().syncWith(b.address()).get(30, TimeUnit.SECONDS); // both know each other, neither pinged
        // the periodic probe's next round is 15-45 s away; the new-peer probe comes within 2 s
        await().atMost(Duration.ofSeconds(6)).until(() -> a.discovery().rtt(b.peerId()).isPresent()
                && b.discovery().rtt(a.peerId()).isPresent());
        assertThat(a.discovery().peers()).singleElement().satisfies(peer -> {
            assertThat(peer.peerId()).isEqualTo(b.peerId());
            assertThat(peer.rtt()).isEqualTo(a.discovery().rtt(b.peerId()));
        });
    }

    @Test
    void maxRttLetsAPeerNotMeasuredYetThroughAndOneMeasuredAboveIt() {
        DiscoveryConfig config = DiscoveryConfig.defaults().withMaxRtt(Duration.ofMillis(50));
        PeerEntry entry = PeerEntry.create(NETWORK, new io.mosaik.network.PeerAddress(SecretKey.random().peerId(),
                "127.0.0.1", 1), List.of(), System.currentTimeMillis());
        assertThat(config.withinMaxRtt(new PeerInfo(entry, Optional.empty()))).isTrue();
        assertThat(config.withinMaxRtt(new PeerInfo(entry, Optional.of(Duration.ofMillis(50))))).isTrue();
        assertThat(config.withinMaxRtt(new PeerInfo(entry, Optional.of(Duration.ofMillis(51))))).isFalse();
        assertThat(DiscoveryConfig.defaults().withinMaxRtt(new PeerInfo(entry, Optional.of(Duration.ofHours(1)))))
                .isTrue();
        assertThatThrownBy(() -> DiscoveryConfig.defaults().withMaxRtt(Duration.ZERO))
                .hasMessageContaining("max-rtt");
        assertThatThrownBy(() -> DiscoveryConfig.defaults().withMaxRtt(Duration.ofMillis(-1)))
                .hasMessageContaining("max-rtt");
        assertThatThrownBy(() -> DiscoveryConfig.defaults().withEventsBacklog(0))
                .hasMessageContaining("events-backlog");
    }

    @Test
    void aPeerMeasuredAboveMaxRttIsHiddenFromPeersAndFromStreamConsumersButNotFromSignedPeers() throws Exception {
        Network exchange = start(DiscoveryConfig.defaults());
        // every measured round trip is above a nanosecond: exchange is hidden from picky once it is pinged
        Network picky = start(DiscoveryConfig.defaults().withMaxRtt(Duration.ofNanos(1)));
        Network relaxed = start(DiscoveryConfig.defaults());
        Producer<Tick> ticks = exchange.streams().produce(Tick.class);
        picky.discovery().syncWith(exchange.address()).get(30, TimeUnit.SECONDS);
        relaxed.discovery().syncWith(exchange.address()).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> picky.discovery().rtt(exchange.peerId()).isPresent());

        long now = System.currentTimeMillis();
        assertThat(picky.discovery().peers()).extracting(PeerInfo::peerId).doesNotContain(exchange.peerId());
        assertThat(picky.discovery().peer(exchange.peerId())).isEmpty();
        assertThat(picky.discovery().catalog().getSigned(exchange.peerId(), now)).isPresent();
        assertThat(picky.discovery().catalog().signedPeers(now)).extracting(signed -> signed.entry().peerId())
                .contains(exchange.peerId());
        assertThat(picky.meterRegistry().get("mosaik.discovery.catalog.size").gauge().value())
                .isEqualTo(picky.discovery().peersCount());

        Consumer<Tick> hidden = picky.streams().consume(Tick.class);
        Consumer<Tick> seen = relaxed.streams().consume(Tick.class);
        ticks.when().subscribed().minimumOf(1).future().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.producers().isEmpty());
        // the producer is not in picky's view: its consumer never subscribes
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> hidden.producers().isEmpty() && ticks.consumers().size() == 1);
    }
}
