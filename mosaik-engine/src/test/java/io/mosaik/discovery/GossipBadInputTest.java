package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.discovery.gossip.GossipCodec;
import io.mosaik.discovery.gossip.GossipMessage;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer of the same network (it authenticated, so it may open gossip links) sends what an honest node
 * never would. Whatever cannot be relayed safely closes its link with {@code ProtocolViolation};
 * announcements that are well signed but not for us are dropped and counted; the node keeps working.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GossipBadInputTest {

    private static final NetworkId NETWORK = NetworkId.of("gossip-bad-input");
    private final List<Network> nodes = new ArrayList<>();
    private Network victim;
    private Network attacker;

    @BeforeEach
    void start() throws Exception {
        victim = node(List.of());
        attacker = node(List.of());
    }

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node(List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap).build();
        nodes.add(node);
        return node.start();
    }

    private Link link() throws Exception {
        return attacker.openLink(victim.address(), GossipShell.PROTOCOL).get(10, TimeUnit.SECONDS);
    }

    private static byte[] gossip(byte[] payload) {
        return GossipCodec.encode(new GossipMessage.Gossip(Digest.hash(payload), 1, payload));
    }

    private static byte[] announce(SignedPeerEntry entry) {
        return new AnnounceMessage.EntryUpdate(entry).toBytes();
    }

    private static SignedPeerEntry entry(SecretKey key, NetworkId network, String tag, long at) {
        return SignedPeerEntry.sign(PeerEntry.create(network, new PeerAddress(key.peerId(), "127.0.0.1", 9),
                List.of(Tag.of(tag)), at), key);
    }

    /** Sends one frame and expects the victim to close the link with ProtocolViolation. */
    private void expectClosed(byte[] frame) throws Exception {
        Link link = link();
        link.sendBytes(frame);
        assertThatThrownBy(link::receiveBytes).isInstanceOfSatisfying(LinkClosedException.class, closed -> {
            assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
            assertThat(closed.remote()).isTrue();
        });
    }

    private double rejected(String reason) {
        Counter counter = victim.meterRegistry().find("mosaik.discovery.entries.rejected").tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double closedLinks() {
        Counter counter = victim.meterRegistry().find("mosaik.discovery.gossip.rejected").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void garbageForgeriesAndMismatchedIdsCloseTheLink() throws Exception {
        expectClosed(new byte[] {42, 1, 2, 3});
        expectClosed(new byte[0]);

        // an entry whose signature was made by another key: relaying it would spread a forgery
        SecretKey someone = SecretKey.random();
        SignedPeerEntry genuine = entry(someone, NETWORK, "x", System.currentTimeMillis());
        SignedPeerEntry forged = new SignedPeerEntry(genuine.entry().withTags(List.of(Tag.of("admin")),
                System.currentTimeMillis()), genuine.signature());
        expectClosed(gossip(announce(forged)));

        // a genuine payload under an id that is not its hash (would poison the message cache)
        byte[] payload = announce(entry(SecretKey.random(), NETWORK, "y", System.currentTimeMillis()));
        expectClosed(GossipCodec.encode(new GossipMessage.Gossip(Digest.of("not the hash"), 1, payload)));

        // a departure of the victim signed by the attacker's key
        var victimKeyless = new AnnounceMessage.Departure(victim.peerId(), NETWORK,
                victim.discovery().me().entry().version(), System.currentTimeMillis(), new byte[64]);
        expectClosed(gossip(victimKeyless.toBytes()));

        assertThat(closedLinks()).isEqualTo(5);
        assertThat(victim.discovery().catalog().peersCount(System.currentTimeMillis())).isZero();
        assertStillWorking();
    }

    @Test
    void foreignAndDriftedAnnouncementsAreDroppedAndCountedButTheLinkStays() throws Exception {
        Link link = link();
        long now = System.currentTimeMillis();
        link.sendBytes(gossip(announce(entry(SecretKey.random(), NetworkId.of("elsewhere"), "a", now))));
        link.sendBytes(gossip(announce(entry(SecretKey.random(), NETWORK, "past", now - 120_000))));
        link.sendBytes(gossip(announce(entry(SecretKey.random(), NETWORK, "future", now + 120_000))));
        SignedPeerEntry honest = entry(SecretKey.random(), NETWORK, "honest", now);
        link.sendBytes(gossip(announce(honest)));
        // a replay of the same announcement is a duplicate, nothing more
        link.sendBytes(gossip(announce(honest)));

        victim.discovery().when().peerWithTags(Tag.of("honest")).get(10, TimeUnit.SECONDS);
        assertThat(rejected("different-network")).isEqualTo(1);
        assertThat(rejected("time-drift")).isEqualTo(2);
        assertThat(closedLinks()).isZero();
        assertThat(link.isOpen()).isTrue();
        assertThat(victim.discovery().catalog().peersCount(System.currentTimeMillis())).isEqualTo(1);
        link.close();
    }

    @Test
    void anOversizedCatalogSnapshotIsRefused() throws Exception {
        Link link = attacker.openLink(victim.address(), CatalogSync.PROTOCOL).get(10, TimeUnit.SECONDS);
        byte[] snapshot = java.nio.ByteBuffer.allocate(8).putInt(CatalogSync.MAX_ENTRIES + 1).putInt(0).array();
        link.sendBytes(snapshot);
        assertThatThrownBy(link::receiveBytes).isInstanceOfSatisfying(LinkClosedException.class,
                closed -> assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        // the refusing side counts after it closed the link: wait for the count, not just the close
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> rejected("malformed") == 1);
        assertStillWorking();
    }

    private void assertStillWorking() throws Exception {
        Network newcomer = node(List.of(victim.address()));
        victim.discovery().when().matching(catalog -> catalog.getSigned(newcomer.peerId(),
                System.currentTimeMillis()).isPresent()).get(20, TimeUnit.SECONDS);
        newcomer.discovery().when().matching(catalog -> catalog.getSigned(victim.peerId(),
                System.currentTimeMillis()).isPresent()).get(20, TimeUnit.SECONDS);
    }
}
