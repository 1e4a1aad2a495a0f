package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nodes given one seed find each other through catalog syncs. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DiscoveryTest {

    private static final NetworkId NETWORK = NetworkId.of("discovery-it");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network start(String tag, List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap)
                .discovery(DiscoveryConfig.defaults().withTags(List.of(Tag.of(tag)))
                        .withAnnounceInterval(Duration.ofMillis(500), 0.5))
                .build();
        nodes.add(node);
        return node.start();
    }

    @Test
    void nodesGivenOneSeedKnowEachOtherAndSeeTagChanges() throws Exception {
        Network seed = start("seed", List.of());
        List<DiscoveryEvent> seen = new CopyOnWriteArrayList<>();
        seed.discovery().subscribe(seen::add);
        Network matcher = start("matcher", List.of(seed.address()));
        Network gateway = start("gateway", List.of(seed.address()));

        for (Network node : List.of(seed, matcher, gateway)) {
            node.discovery().when().peers(2).get(30, TimeUnit.SECONDS);
        }
        gateway.discovery().when().peerWithTags(Tag.of("matcher")).get(30, TimeUnit.SECONDS);
        assertThat(matcher.discovery().catalog().signedPeers(System.currentTimeMillis()))
                .extracting(entry -> entry.entry().address()).contains(gateway.address(), seed.address());
        assertThat(seen).filteredOn(event -> event instanceof DiscoveryEvent.PeerDiscovered)
                .extracting(DiscoveryEvent::peer).contains(matcher.peerId(), gateway.peerId());

        // a tag added on one node reaches another through the periodic syncs
        matcher.discovery().addTags(List.of(Tag.of("eu-west")));
        gateway.discovery().when().peerWithTags(Tag.of("matcher"), Tag.of("eu-west")).get(30, TimeUnit.SECONDS);
        assertThat(seed.meterRegistry().get("mosaik.discovery.catalog.syncs").counter().count()).isPositive();
    }

    @Test
    void aPingMeasuresTheRoundTripAndBringsAFreshEntry() throws Exception {
        Network a = start("a", List.of());
        Network b = start("b", List.of());
        Duration sample = a.discovery().ping(b.address()).get(30, TimeUnit.SECONDS);
        assertThat(sample).isPositive().isLessThan(Duration.ofSeconds(30));
        assertThat(a.discovery().rtt(b.peerId())).contains(sample);
        // the answer is b's signed entry, so a now knows b
        assertThat(a.discovery().catalog().getSigned(b.peerId(), System.currentTimeMillis())).isPresent();
        assertThat(b.discovery().rtt(a.peerId())).isEmpty();
    }

    @Test
    void aConditionAlreadyTrueCompletesAtOnce() throws Exception {
        Network alone = start("alone", List.of());
        assertThat(alone.discovery().when().peers(0).getNow(null)).isNotNull();
        assertThat(alone.discovery().when().peers(1).isDone()).isFalse();
        assertThat(alone.discovery().me().entry().hasTag(Tag.of("alone"))).isTrue();
        SignedPeerEntry before = alone.discovery().me();
        alone.discovery().start(); // the network started it; a second start changes nothing
        assertThat(alone.discovery().me()).isSameAs(before);
    }
}
