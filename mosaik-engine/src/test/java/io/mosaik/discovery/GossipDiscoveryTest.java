package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Discovery over gossip between real nodes on loopback. The announce interval stays at its default
 * (45 s ± 50 %, so at least 22.5 s), far longer than these tests wait: what they see arrives over
 * gossip or the start-up syncs, not over the periodic anti-entropy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GossipDiscoveryTest {

    private static final NetworkId NETWORK = NetworkId.of("gossip-it");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network start(SecretKey key, DiscoveryConfig config, List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).secretKey(key).meterRegistry(new SimpleMeterRegistry())
                .bootstrap(bootstrap).discovery(config).build();
        nodes.add(node);
        return node.start();
    }

    private Network start(String tag, List<PeerAddress> bootstrap) throws Exception {
        return start(SecretKey.random(), DiscoveryConfig.defaults().withTags(List.of(Tag.of(tag))), bootstrap);
    }

    private List<Network> cluster(int size) throws Exception {
        Network seed = start("node-0", List.of());
        List<Network> all = new ArrayList<>(List.of(seed));
        for (int i = 1; i < size; i++) {
            all.add(start("node-" + i, List.of(seed.address())));
        }
        for (Network node : all) {
            node.discovery().when().peers(size - 1).get(60, TimeUnit.SECONDS);
        }
        return all;
    }

    @Test
    void aTagChangeReachesEveryNodeOverGossip() throws Exception {
        List<Network> all = cluster(8);
        Network changed = all.get(5);
        double[] receivedBefore = all.stream().mapToDouble(n -> count(n, "mosaik.discovery.announcements.received"))
                .toArray();

        changed.discovery().addTags(List.of(Tag.of("eu-west")));

        for (Network node : all) {
            if (node != changed) {
                node.discovery().when().matching(catalog -> catalog.getSigned(changed.peerId(),
                        System.currentTimeMillis()).map(e -> e.entry().hasTag(Tag.of("eu-west"))).orElse(false))
                        .get(20, TimeUnit.SECONDS);
            }
        }
        assertThat(count(changed, "mosaik.discovery.announcements.sent")).isPositive();
        assertThat(all).allSatisfy(node -> assertThat(node.discovery().gossipNeighbors()).isPositive());
        // every other node received an announcement since the change: the change travelled over gossip
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) != changed) {
                Network node = all.get(i);
                double before = receivedBefore[i];
                await().atMost(Duration.ofSeconds(10)).alias("node " + i)
                        .until(() -> count(node, "mosaik.discovery.announcements.received") > before);
            }
        }
    }

    @Test
    void aNodeThatClosesDepartsAtOnceAndARestartReplacesIt() throws Exception {
        List<Network> all = cluster(4);
        Network observer = all.get(1);
        List<DiscoveryEvent> events = new CopyOnWriteArrayList<>();
        observer.discovery().subscribe(events::add);

        SecretKey key = SecretKey.random();
        Network leaving = start(key, DiscoveryConfig.defaults().withTags(List.of(Tag.of("leaving"))),
                List.of(all.get(0).address()));
        PeerId leaver = leaving.peerId();
        observer.discovery().when().peerWithTags(Tag.of("leaving")).get(30, TimeUnit.SECONDS);

        leaving.close(); // purge-after is 300 s: only the departure can remove it this soon
        for (Network node : all) {
            node.discovery().when().matching(catalog -> !catalog.getSigned(leaver, System.currentTimeMillis())
                    .isPresent()).get(20, TimeUnit.SECONDS);
        }
        assertThat(events).contains(new DiscoveryEvent.PeerDeparted(leaver));
        assertThat(count(observer, "mosaik.discovery.peers.departed")).isPositive();

        // the same key starts again (a new run): every node takes the new entry
        Network restarted = start(key, DiscoveryConfig.defaults().withTags(List.of(Tag.of("back"))),
                List.of(all.get(0).address()));
        for (Network node : all) {
            node.discovery().when().peerWithTags(Tag.of("back")).get(30, TimeUnit.SECONDS);
        }
        assertThat(observer.discovery().catalog().getSigned(leaver, System.currentTimeMillis()).orElseThrow()
                .entry().version().start()).isGreaterThan(0).isEqualTo(restarted.discovery().me().entry()
                .version().start());
    }

    @Test
    void thePeriodicSyncAlsoGoesToEveryBootstrapPeerTheCatalogDoesNotHold() {
        long now = System.currentTimeMillis();
        SecretKey self = SecretKey.random();
        SecretKey known = SecretKey.random();
        SecretKey forgotten = SecretKey.random();
        Catalog catalog = Catalog.of(signed(self, now), Duration.ofMinutes(5)).upsert(signed(known, now), now)
                .catalog();
        PeerAddress knownAddress = signed(known, now).entry().address();
        PeerAddress forgottenAddress = signed(forgotten, now).entry().address();

        // after a partition longer than purge-after each side forgot the other; a bootstrap peer across
        // the cut is the one address that still leads there
        assertThat(Discovery.periodicSyncTargets(catalog, List.of(knownAddress, forgottenAddress,
                signed(self, now).entry().address()), now, new SplittableRandom(1)))
                .containsExactly(knownAddress, forgottenAddress);
        assertThat(Discovery.periodicSyncTargets(Catalog.of(signed(self, now), Duration.ofMinutes(5)), List.of(),
                now, new SplittableRandom(1))).isEmpty();
    }

    private static SignedPeerEntry signed(SecretKey key, long at) {
        return SignedPeerEntry.sign(PeerEntry.create(NETWORK, new PeerAddress(key.peerId(), "127.0.0.1", 7400),
                List.of(), at), key);
    }

    @Test
    void aNodeThatClosesRightAfterAnsweringAPingStillDepartsAtOnce() throws Exception {
        List<Network> all = cluster(3);
        Network leaving = all.get(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> leaving.discovery().gossipNeighbors() > 0);
        // a ping's answer is an entry signed for it, one version ahead of what the node broadcast: the other
        // nodes then hold a version its departure must cover, or they keep it until purge-after (300 s)
        for (Network node : all.subList(0, 2)) {
            node.discovery().ping(leaving.address()).get(10, TimeUnit.SECONDS);
            assertThat(node.discovery().catalog().getSigned(leaving.peerId(), System.currentTimeMillis())
                    .orElseThrow().entry().version().isNewerThan(leaving.discovery().me().entry().version()))
                    .isTrue();
        }

        leaving.discovery().close(); // departs; the network still serves until it closes too
        for (Network node : all.subList(0, 2)) {
            node.discovery().when().matching(catalog -> catalog.getSigned(leaving.peerId(),
                    System.currentTimeMillis()).isEmpty()).get(20, TimeUnit.SECONDS);
        }
        // ... but no longer answers pings: an answer would be a version after the departure, and bring it back
        assertThatThrownBy(() -> all.get(0).discovery().ping(leaving.address()).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LinkClosedException.class);
        assertThat(all.get(0).discovery().catalog().getSigned(leaving.peerId(), System.currentTimeMillis())).isEmpty();
    }

    @Test
    void aPeerNeverHeardOfAgainIsPurgedWithADepartedEvent() throws Exception {
        Network node = start(SecretKey.random(), DiscoveryConfig.defaults().withPurgeAfter(Duration.ofSeconds(2)),
                List.of());
        List<DiscoveryEvent> events = new CopyOnWriteArrayList<>();
        node.discovery().subscribe(events::add);
        // the entry of a node that crashed right after announcing itself
        SecretKey ghost = SecretKey.random();
        PeerEntry entry = PeerEntry.create(NETWORK, new PeerAddress(ghost.peerId(), "127.0.0.1", 9),
                List.of(Tag.of("ghost")), System.currentTimeMillis());
        assertThat(node.discovery().feed(SignedPeerEntry.sign(entry, ghost))).isTrue();
        assertThat(node.discovery().catalog().peersCount(System.currentTimeMillis())).isEqualTo(1);

        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(new DiscoveryEvent.PeerDeparted(ghost.peerId())));
        assertThat(node.discovery().catalog().signedPeers(System.currentTimeMillis())).isEmpty();
    }

    @Test
    void aPeerThatAnswersUnknownPeerGetsOurEntryBySync() throws Exception {
        Network asking = start("asking", List.of());
        Network strict = start("strict", List.of());
        // a protocol that only serves peers in its catalog, like streams and groups will
        strict.handle("test/members-only", link -> {
            if (strict.discovery().catalog().getSigned(link.peer(), System.currentTimeMillis()).isEmpty()) {
                link.close(io.mosaik.network.transport.CloseReason.UNKNOWN_PEER);
            } else {
                link.sendBytes(new byte[] {1});
            }
        });
        // asking knows strict, not back; fed, not pinged: a ping's answer would make strict a gossip candidate,
        // and the overlay could link the two (and sync their catalogs) before the first link below
        assertThat(asking.discovery().feed(strict.discovery().me())).isTrue();
        assertThat(strict.discovery().catalog().getSigned(asking.peerId(), System.currentTimeMillis())).isEmpty();

        var first = asking.openLink(strict.address(), "test/members-only").get(10, TimeUnit.SECONDS);
        org.assertj.core.api.Assertions.assertThatThrownBy(first::receiveBytes)
                .isInstanceOfSatisfying(io.mosaik.network.transport.LinkClosedException.class, closed ->
                        assertThat(closed.reason()).isEqualTo(io.mosaik.network.transport.CloseReason.UNKNOWN_PEER));

        strict.discovery().when().matching(catalog -> catalog.getSigned(asking.peerId(),
                System.currentTimeMillis()).isPresent()).get(10, TimeUnit.SECONDS);
        try (var retry = asking.openLink(strict.address(), "test/members-only").get(10, TimeUnit.SECONDS)) {
            assertThat(retry.receiveBytes()).containsExactly(1);
        }
    }

    private static double count(Network node, String meter) {
        return node.meterRegistry().get(meter).counter().count();
    }
}
