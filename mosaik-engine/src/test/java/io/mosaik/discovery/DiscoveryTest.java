package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

        // a tag added on one node reaches the others: its new version is broadcast over gossip at once
        List<DiscoveryEvent> seenByGateway = new CopyOnWriteArrayList<>();
        gateway.discovery().subscribe(seenByGateway::add);
        matcher.discovery().addTags(List.of(Tag.of("eu-west")));
        gateway.discovery().when().peerWithTags(Tag.of("matcher"), Tag.of("eu-west")).get(30, TimeUnit.SECONDS);
        assertThat(seed.meterRegistry().get("mosaik.discovery.catalog.syncs").counter().count()).isPositive();
        // ... and a subscriber hears of it as an update of that peer, carrying the new entry
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seenByGateway)
                .filteredOn(DiscoveryEvent.PeerUpdated.class::isInstance).map(DiscoveryEvent.PeerUpdated.class::cast)
                .anySatisfy(updated -> {
                    assertThat(updated.peer()).isEqualTo(matcher.peerId());
                    assertThat(updated.entry().entry().hasTag(Tag.of("eu-west"))).isTrue();
                }));

        // removing a tag at run time reaches the others too
        matcher.discovery().removeTags(List.of(Tag.of("eu-west")));
        assertThat(matcher.discovery().me().entry().hasTag(Tag.of("eu-west"))).isFalse();
        gateway.discovery().when().matching(catalog -> catalog.getSigned(matcher.peerId(), System.currentTimeMillis())
                .map(entry -> entry.entry().hasTag(Tag.of("matcher")) && !entry.entry().hasTag(Tag.of("eu-west")))
                .orElse(false)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void theCatalogSizeAndNeighbourGaugesCountTheOtherNodes() throws Exception {
        Network seed = start("seed", List.of());
        Network a = start("a", List.of(seed.address()));
        Network b = start("b", List.of(seed.address()));
        List<Network> all = List.of(seed, a, b);
        for (Network node : all) {
            node.discovery().when().peers(2).get(30, TimeUnit.SECONDS);
            assertThat(gauge(node, "mosaik.discovery.catalog.size")).isEqualTo(2);
        }
        // both joined through the seed, so it links with both; the others link with the seed at least
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(seed, "mosaik.discovery.gossip.neighbors") == 2);
        for (Network node : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge(node, "mosaik.discovery.gossip.neighbors") >= 1);
            assertThat(gauge(node, "mosaik.discovery.gossip.neighbors")).isLessThanOrEqualTo(2);
        }

        // a node that leaves is counted out of both at once: its departure removes it (purge-after is 300 s)
        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(seed, "mosaik.discovery.catalog.size") == 1
                && gauge(a, "mosaik.discovery.catalog.size") == 1 && gauge(seed, "mosaik.discovery.gossip.neighbors") == 1);
    }

    private static double gauge(Network node, String name) {
        return node.meterRegistry().get(name).gauge().value();
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
