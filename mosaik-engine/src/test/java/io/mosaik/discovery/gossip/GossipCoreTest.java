package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.discovery.gossip.GossipMessage.Announcement;
import io.mosaik.discovery.gossip.GossipMessage.Disconnect;
import io.mosaik.discovery.gossip.GossipMessage.ForwardJoin;
import io.mosaik.discovery.gossip.GossipMessage.Gossip;
import io.mosaik.discovery.gossip.GossipMessage.Graft;
import io.mosaik.discovery.gossip.GossipMessage.IHave;
import io.mosaik.discovery.gossip.GossipMessage.Join;
import io.mosaik.discovery.gossip.GossipMessage.Neighbor;
import io.mosaik.discovery.gossip.GossipMessage.NeighborReply;
import io.mosaik.discovery.gossip.GossipMessage.Prune;
import io.mosaik.discovery.gossip.GossipMessage.Shuffle;
import io.mosaik.discovery.gossip.GossipMessage.ShuffleReply;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GossipCoreTest {

    private static final GossipConfig CONFIG = GossipConfig.defaults();

    static PeerAddress address(int i) {
        PeerId id = PeerId.fromBytes(Digest.hash(ByteBuffer.allocate(4).putInt(i).array()).toBytes());
        return new PeerAddress(id, "127.0.0.1", 7400 + i);
    }

    static PeerId id(int i) {
        return address(i).peerId();
    }

    static GossipCore core(int i) {
        return new GossipCore(address(i), CONFIG, new SplittableRandom(i));
    }

    /** Makes {@code a} and {@code b} active neighbours through a JOIN and its reply. */
    static void link(GossipCore a, GossipCore b) {
        GossipOutput join = a.join(List.of(b.self()), 0);
        GossipOutput accepted = b.receive(a.self().peerId(), join.sends().getFirst().message(), 0);
        a.receive(b.self().peerId(), new NeighborReply(true), 0);
        assertThat(accepted.sends()).anyMatch(s -> s.message().equals(new NeighborReply(true)));
    }

    static List<GossipMessage> messagesTo(GossipOutput out, PeerId to) {
        return out.sends().stream().filter(s -> s.to().equals(to)).map(GossipOutput.Send::message).toList();
    }

    @Test
    void joinMakesASymmetricLinkAndPublishesNeighborUp() {
        GossipCore a = core(1);
        GossipCore b = core(2);
        GossipOutput join = a.join(List.of(b.self(), a.self(), b.self()), 0); // self and duplicate skipped
        assertThat(join.sends()).containsExactly(new GossipOutput.Send(id(2), b.self(), new Join(a.self())));

        GossipOutput atB = b.receive(id(1), new Join(a.self()), 5);
        assertThat(messagesTo(atB, id(1))).containsExactly(new NeighborReply(true));
        assertThat(atB.events()).containsExactly(new GossipOutput.NeighborUp(a.self()));

        GossipOutput atA = a.receive(id(2), new NeighborReply(true), 10);
        assertThat(atA.events()).containsExactly(new GossipOutput.NeighborUp(b.self()));
        assertThat(a.activeView()).containsExactly(id(2));
        assertThat(b.activeView()).containsExactly(id(1));
        assertThat(a.eagerPeers()).containsExactly(id(2));

        // a repeated JOIN only repeats the confirmation: no second walk, no second event
        GossipOutput again = b.receive(id(1), new Join(a.self()), 20);
        assertThat(again.sends()).containsExactly(new GossipOutput.Send(id(1), a.self(), new NeighborReply(true)));
        assertThat(again.events()).isEmpty();
    }

    @Test
    void contactForwardsTheJoinAlongRandomWalksAndStaysBounded() {
        GossipCore contact = core(0);
        for (int i = 1; i <= 12; i++) {
            GossipOutput out = contact.receive(id(i), new Join(address(i)), i);
            assertThat(contact.activeView()).hasSizeLessThanOrEqualTo(CONFIG.activeViewSize());
            long walks = out.sends().stream().filter(s -> s.message() instanceof ForwardJoin).count();
            assertThat(walks).isEqualTo(contact.activeView().size() - 1);
            if (i > CONFIG.activeViewSize()) {
                // full: one old neighbour is dropped politely and kept as a candidate
                assertThat(out.sends()).anyMatch(s -> s.message().equals(new Disconnect(true)));
            }
        }
        assertThat(contact.activeView()).hasSize(CONFIG.activeViewSize()).contains(id(12));
        assertThat(contact.passiveView()).hasSize(12 - CONFIG.activeViewSize());
    }

    @Test
    void forwardJoinAtTtlZeroAcceptsWithAHighPriorityNeighbor() {
        GossipCore a = core(1);
        GossipCore b = core(2);
        link(a, b);
        GossipOutput out = a.receive(id(2), new ForwardJoin(address(9), 0), 1);
        assertThat(a.activeView()).contains(id(9));
        assertThat(messagesTo(out, id(9))).containsExactly(new Neighbor(a.self(), true));

        // the joiner must accept a high-priority request even when full
        GossipCore joiner = core(9);
        for (int i = 20; i < 20 + CONFIG.activeViewSize(); i++) {
            joiner.receive(id(i), new Neighbor(address(i), false), 1);
        }
        assertThat(joiner.activeView()).hasSize(CONFIG.activeViewSize());
        GossipOutput low = joiner.receive(id(30), new Neighbor(address(30), false), 2);
        assertThat(low.sends()).containsExactly(new GossipOutput.Send(id(30), address(30), new NeighborReply(false)));
        assertThat(joiner.passiveView()).contains(id(30));
        GossipOutput high = joiner.receive(id(1), new Neighbor(a.self(), true), 2);
        assertThat(messagesTo(high, id(1))).contains(new NeighborReply(true));
        assertThat(joiner.activeView()).hasSize(CONFIG.activeViewSize()).contains(id(1));
    }

    @Test
    void lostActivePeerIsReplacedFromThePassiveView() {
        GossipCore a = core(1);
        GossipCore b = core(2);
        link(a, b);
        a.receive(id(2), new ShuffleReply(List.of(address(3), address(4), address(5))), 1);
        assertThat(a.passiveView()).containsExactlyInAnyOrder(id(3), id(4), id(5));

        GossipOutput out = a.peerDown(id(2), 2);
        assertThat(out.events()).containsExactly(new GossipOutput.NeighborDown(id(2)));
        assertThat(a.activeView()).isEmpty();
        // active view empty: the request is high priority, so the candidate must take us
        assertThat(out.sends()).singleElement().satisfies(send -> {
            assertThat(send.to()).isIn(id(3), id(4), id(5));
            assertThat(send.message()).isEqualTo(new Neighbor(a.self(), true));
        });
        PeerId asked = out.sends().getFirst().to();

        // a request nobody answers expires and the candidate is forgotten; the repair tick asks another
        GossipOutput later = a.tick(2 + CONFIG.neighborTimeoutMillis());
        assertThat(a.passiveView()).doesNotContain(asked).hasSize(2);
        assertThat(later.sends()).singleElement().satisfies(send -> {
            assertThat(send.to()).isNotEqualTo(asked);
            assertThat(send.message()).isInstanceOf(Neighbor.class);
        });
        a.receive(later.sends().getFirst().to(), new NeighborReply(true), 3 + CONFIG.neighborTimeoutMillis());
        assertThat(a.activeView()).containsExactly(later.sends().getFirst().to());
    }

    @Test
    void duplicateGossipPrunesTheSenderAndIsDeliveredOnce() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        Digest msg = Digest.hash(new byte[] {1});
        GossipOutput first = a.receive(id(2), new Gossip(msg, 1, new byte[] {42}), 10);
        assertThat(first.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.payload()).containsExactly(42);
            assertThat(d.round()).isEqualTo(1);
        });
        assertThat(messagesTo(first, id(3))).singleElement().isInstanceOfSatisfying(Gossip.class,
                g -> assertThat(g.round()).isEqualTo(2));

        GossipOutput dup = a.receive(id(3), new Gossip(msg, 3, new byte[] {42}), 11);
        assertThat(dup.deliveries()).isEmpty();
        assertThat(dup.sends()).containsExactly(new GossipOutput.Send(id(3), address(3), new Prune()));
        assertThat(a.lazyPeers()).containsExactly(id(3));
        assertThat(a.eagerPeers()).containsExactly(id(2));

        // the next message goes eagerly to 2 only, and lazily (on the next tick) to 3
        GossipOutput own = a.broadcast(Digest.hash(new byte[] {2}), new byte[] {7}, 12);
        assertThat(own.sends()).extracting(GossipOutput.Send::to).containsExactly(id(2));
        GossipOutput tick = a.tick(13);
        assertThat(messagesTo(tick, id(3))).containsExactly(
                new IHave(List.of(new Announcement(Digest.hash(new byte[] {2}), 1))));

        // a prune from a peer moves it to lazy
        a.receive(id(2), new Prune(), 14);
        assertThat(a.eagerPeers()).isEmpty();
    }

    @Test
    void missingAnnouncedMessageIsGraftedAfterTheTimeout() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        Digest msg = Digest.hash(new byte[] {5});
        a.receive(id(2), new Prune(), 0);
        a.receive(id(2), new IHave(List.of(new Announcement(msg, 2))), 100);
        a.receive(id(3), new IHave(List.of(new Announcement(msg, 4))), 150);
        assertThat(a.tick(100 + CONFIG.graftTimeoutMillis() - 1).sends()).isEmpty();

        GossipOutput graft = a.tick(100 + CONFIG.graftTimeoutMillis());
        assertThat(graft.sends()).containsExactly(new GossipOutput.Send(id(2), address(2), new Graft(msg)));
        assertThat(a.eagerPeers()).contains(id(2)); // the tree edge is back

        // no answer: the next announcer is asked after the retry delay
        GossipOutput retry = a.tick(100 + CONFIG.graftTimeoutMillis() + CONFIG.graftRetryMillis());
        assertThat(retry.sends()).containsExactly(new GossipOutput.Send(id(3), address(3), new Graft(msg)));

        GossipOutput arrived = a.receive(id(3), new Gossip(msg, 5, new byte[] {1}), 2_000);
        assertThat(arrived.deliveries()).hasSize(1);
        assertThat(a.tick(10_000).sends()).noneMatch(s -> s.message() instanceof Graft);
    }

    @Test
    void messageArrivingBeforeTheTimeoutCancelsTheGraft() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        Digest msg = Digest.hash(new byte[] {6});
        a.receive(id(2), new IHave(List.of(new Announcement(msg, 1))), 0);
        a.receive(id(3), new Gossip(msg, 1, new byte[0]), 10);
        assertThat(a.tick(5_000).sends()).noneMatch(s -> s.message() instanceof Graft);
    }

    @Test
    void graftIsAnsweredFromTheCache() {
        GossipCore a = core(1);
        link(a, core(2));
        Digest msg = Digest.hash(new byte[] {8});
        a.broadcast(msg, new byte[] {9}, 0);
        a.receive(id(2), new Prune(), 1);
        GossipOutput out = a.receive(id(2), new Graft(msg), 2);
        assertThat(out.sends()).singleElement().satisfies(s -> {
            assertThat(s.to()).isEqualTo(id(2));
            assertThat(((Gossip) s.message()).payload()).containsExactly(9);
        });
        assertThat(a.eagerPeers()).contains(id(2));

        // once expired, the id is forgotten: a graft finds nothing and a copy would be new again
        a.tick(CONFIG.messageCacheTtlMillis() + 1);
        assertThat(a.hasMessage(msg)).isFalse();
        assertThat(a.receive(id(2), new Graft(msg), CONFIG.messageCacheTtlMillis() + 2).sends()).isEmpty();
    }

    @Test
    void shuffleWalksAndIsAnsweredWithAPassiveSample() {
        GossipCore a = core(1);
        link(a, core(2));
        a.receive(id(2), new ShuffleReply(List.of(address(4), address(5))), 0);
        // a shuffle at ttl 0 is accepted: reply straight to the origin, sample goes into the passive view
        GossipOutput out = a.receive(id(2), new Shuffle(address(7), 0, List.of(address(8), address(1))), 1);
        assertThat(out.sends()).singleElement().satisfies(s -> {
            assertThat(s.address()).isEqualTo(address(7));
            assertThat(s.message()).isInstanceOf(ShuffleReply.class);
        });
        assertThat(a.passiveView()).contains(id(7), id(8)).doesNotContain(id(1));

        // the periodic shuffle carries our address and goes to an active peer
        GossipOutput tick = a.tick(CONFIG.shuffleIntervalMillis() * 2);
        assertThat(tick.sends()).anySatisfy(s -> {
            assertThat(s.to()).isEqualTo(id(2));
            assertThat(s.message()).isInstanceOfSatisfying(Shuffle.class, sh -> {
                assertThat(sh.origin()).isEqualTo(a.self());
                assertThat(sh.sample().size()).isLessThan(CONFIG.maxSampleSize());
            });
        });
    }

    @Test
    void badInputIsIgnored() {
        GossipCore a = core(1);
        link(a, core(2));
        var active = a.activeView();
        var passive = a.passiveView();

        // a JOIN or NEIGHBOR naming someone else than the sender
        assertThat(a.receive(id(3), new Join(address(4)), 1).isEmpty()).isTrue();
        assertThat(a.receive(id(3), new Neighbor(address(4), true), 1).isEmpty()).isTrue();
        // a walk about ourselves, or from a stranger
        assertThat(a.receive(id(2), new ForwardJoin(address(1), 3), 1).isEmpty()).isTrue();
        assertThat(a.receive(id(3), new ForwardJoin(address(5), 3), 1).isEmpty()).isTrue();
        // a message "from" ourselves
        assertThat(a.receive(id(1), new Join(address(1)), 1).isEmpty()).isTrue();
        // plumtree messages from strangers and unknown ids
        assertThat(a.receive(id(3), new Graft(Digest.hash(new byte[] {1})), 1).isEmpty()).isTrue();
        assertThat(a.receive(id(2), new Graft(Digest.hash(new byte[] {1})), 1).sends()).isEmpty();
        assertThat(a.receive(id(3), new IHave(List.of(new Announcement(Digest.zero(), 1))), 1).isEmpty()).isTrue();
        assertThat(a.receive(id(3), new Prune(), 1).isEmpty()).isTrue();
        assertThat(a.receive(id(3), new Disconnect(false), 1).isEmpty()).isTrue();
        assertThat(a.receive(id(3), new NeighborReply(false), 1).isEmpty()).isTrue();
        // a shuffle from a stranger, a peer down for a stranger or for ourselves
        assertThat(a.receive(id(3), new Shuffle(address(3), 2, List.of(address(6))), 1).isEmpty()).isTrue();
        assertThat(a.peerDown(id(3), 1).isEmpty()).isTrue();
        assertThat(a.peerDown(id(1), 1).isEmpty()).isTrue();
        assertThat(a.activeView()).isEqualTo(active);
        assertThat(a.passiveView()).isEqualTo(passive);

        // an oversized sample is clamped to what we would send ourselves
        List<PeerAddress> huge = new ArrayList<>();
        for (int i = 100; i < 1_100; i++) {
            huge.add(address(i));
        }
        a.receive(id(2), new ShuffleReply(huge), 1);
        assertThat(a.passiveView()).hasSize(CONFIG.maxSampleSize());

        // a flood of made-up announcements stays bounded by the cache capacity
        List<Announcement> flood = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            flood.add(new Announcement(Digest.fromLong(i), 1));
        }
        assertThat(a.receive(id(2), new IHave(flood), 1).isEmpty()).isTrue();
        assertThat(a.tick(1 + CONFIG.graftTimeoutMillis()).sends())
                .filteredOn(s -> s.message() instanceof Graft).hasSize(CONFIG.maxIHaveBatch());

        // an acceptance we never asked for is answered with a disconnect, so no one-sided link remains
        GossipOutput stale = a.receive(id(9), new NeighborReply(true), 2);
        assertThat(stale.sends()).containsExactly(new GossipOutput.Send(id(9), null, new Disconnect(true)));
    }

    @Test
    void malformedMessagesAndConfigsAreRejectedAtConstruction() {
        assertThatThrownBy(() -> new ForwardJoin(address(1), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Gossip(Digest.zero(), 0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Shuffle(address(1), 0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> GossipConfig.defaults().withViewSizes(0, 30))
                .hasMessageContaining("activeViewSize");
        assertThatThrownBy(() -> new GossipConfig(5, 30, 2, 3, 10_000, 3, 4, 5_000, 1_000, 1_000, 500, 4_096, 60_000, 256))
                .hasMessageContaining("passiveRandomWalkLength");
        assertThatThrownBy(() -> new GossipConfig(5, 30, 6, 3, 10_000, 3, 4, 5_000, 1_000, 1_000, 500, 4_096, 1_000, 256))
                .hasMessageContaining("messageCacheTtlMillis");
    }
}
