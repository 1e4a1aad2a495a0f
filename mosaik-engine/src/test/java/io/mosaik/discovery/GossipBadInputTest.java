package io.mosaik.discovery;

import static io.mosaik.discovery.AttackedNode.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.mosaik.discovery.gossip.GossipCodec;
import io.mosaik.discovery.gossip.GossipMessage;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
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
    private AttackedNode nodes;
    private Network victim;

    @BeforeEach
    void start() throws Exception {
        nodes = new AttackedNode(NETWORK);
        victim = nodes.victim;
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    private Link link() throws Exception {
        return nodes.link(GossipShell.PROTOCOL);
    }

    private static byte[] gossip(byte[] payload) {
        return GossipCodec.encode(new GossipMessage.Gossip(Digest.hash(payload), 1, payload));
    }

    private static byte[] announce(SignedPeerEntry entry) {
        return new AnnounceMessage.EntryUpdate(entry).toBytes();
    }

    /** Sends one frame and expects the victim to close the link with ProtocolViolation. */
    private void expectClosed(byte[] frame) throws Exception {
        Link link = link();
        link.sendBytes(frame);
        AttackedNode.expectViolation(link);
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
        EntryVersion version = victim.discovery().me().entry().version();
        long now = System.currentTimeMillis();
        byte[] signature = nodes.attackerKey.sign(
                AnnounceMessage.Departure.digest(victim.peerId(), NETWORK, version, now).toBytes());
        expectClosed(gossip(new AnnounceMessage.Departure(victim.peerId(), NETWORK, version, now, signature)
                .toBytes()));

        assertThat(closedLinks()).isEqualTo(5);
        assertThat(victim.discovery().catalog().peersCount(System.currentTimeMillis())).isZero();
        nodes.assertStillWorking();
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
        assertThat(nodes.rejected("different-network")).isEqualTo(1);
        assertThat(nodes.rejected("time-drift")).isEqualTo(2);
        assertThat(nodes.rejected("older-version")).isZero();
        assertThat(closedLinks()).isZero();
        assertThat(link.isOpen()).isTrue();
        assertThat(victim.discovery().catalog().peersCount(System.currentTimeMillis())).isEqualTo(1);
        link.close();
    }

    @Test
    void aReplayedOlderVersionIsRefusedAndCounted() throws Exception {
        // two genuine versions of another peer's entry, both within the clock drift allowed
        SecretKey someone = SecretKey.random();
        long now = System.currentTimeMillis();
        SignedPeerEntry older = entry(someone, NETWORK, "before", now - 2_000);
        SignedPeerEntry newer = SignedPeerEntry.sign(older.entry().withTags(List.of(Tag.of("after")), now), someone);
        Link link = link();
        link.sendBytes(gossip(announce(newer)));
        victim.discovery().when().peerWithTags(Tag.of("after")).get(10, TimeUnit.SECONDS);

        link.sendBytes(gossip(announce(older)));
        nodes.awaitRejected("older-version", 1);
        assertThat(victim.discovery().catalog().getSigned(someone.peerId(), System.currentTimeMillis()))
                .contains(newer);
        assertThat(closedLinks()).isZero();

        // the same older version in a catalog sync snapshot is refused too, but is no sign of a replay:
        // a peer that has not caught up sends such copies honestly
        Link sync = nodes.link(CatalogSync.PROTOCOL);
        sync.sendBytes(CatalogSync.encode(List.of(older)));
        assertThat(CatalogSync.decode(sync.receiveBytes())).isNotEmpty();
        assertThat(nodes.rejected("older-version")).isEqualTo(1);
        assertThat(victim.discovery().catalog().getSigned(someone.peerId(), System.currentTimeMillis()))
                .contains(newer);
        nodes.assertStillWorking();
    }

    @Test
    void anOversizedCatalogSnapshotIsRefused() throws Exception {
        Link link = nodes.link(CatalogSync.PROTOCOL);
        byte[] snapshot = java.nio.ByteBuffer.allocate(8).putInt(CatalogSync.MAX_ENTRIES + 1).putInt(0).array();
        link.sendBytes(snapshot);
        assertThatThrownBy(link::receiveBytes).isInstanceOfSatisfying(LinkClosedException.class,
                closed -> assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        // the refusing side counts after it closed the link: wait for the count, not just the close
        nodes.awaitRejected("malformed", 1);
        nodes.assertStillWorking();
    }
}
