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

    /** The default settings with a message cache of {@code capacity} messages. */
    static GossipConfig withCacheCapacity(int capacity) {
        return new GossipConfig(CONFIG.activeViewSize(), CONFIG.passiveViewSize(), CONFIG.activeRandomWalkLength(),
                CONFIG.passiveRandomWalkLength(), CONFIG.shuffleIntervalMillis(), CONFIG.shuffleActiveCount(),
                CONFIG.shufflePassiveCount(), CONFIG.neighborTimeoutMillis(), CONFIG.repairIntervalMillis(),
                CONFIG.graftTimeoutMillis(), CONFIG.graftRetryMillis(), capacity, CONFIG.messageCacheTtlMillis(),
                CONFIG.maxIHaveBatch(), CONFIG.treeOptimizationThreshold());
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
    void contactForwardsTheJoinAlongRandomWalksAndRefusesJoinersWhenFull() {
        GossipCore contact = core(0);
        for (int i = 1; i <= 12; i++) {
            boolean room = contact.activeView().size() < CONFIG.activeViewSize();
            GossipOutput out = contact.receive(id(i), new Join(address(i)), i);
            assertThat(contact.activeView()).hasSizeLessThanOrEqualTo(CONFIG.activeViewSize());
            // a neighbour is never dropped for a joiner: the contact's view would hold only the latest
            // joiners, and their walks would end next to each other
            assertThat(out.sends()).noneMatch(s -> s.message() instanceof Disconnect);
            long walks = out.sends().stream().filter(s -> s.message() instanceof ForwardJoin).count();
            List<GossipMessage> toJoiner = messagesTo(out, id(i));
            if (room) {
                assertThat(toJoiner).containsExactly(new NeighborReply(true));
                assertThat(walks).isEqualTo(contact.activeView().size() - 1);
            } else {
                // full: walked from every neighbour, and refused, after a sample of other candidates
                // (the first refused joiner is the only candidate yet, and is not sent itself)
                assertThat(walks).isEqualTo(CONFIG.activeViewSize());
                assertThat(toJoiner.getLast()).isEqualTo(new NeighborReply(false));
                if (i > CONFIG.activeViewSize() + 1) {
                    assertThat(toJoiner).hasSize(2);
                    PeerAddress joiner = address(i);
                    assertThat(toJoiner.getFirst()).isInstanceOfSatisfying(ShuffleReply.class, reply -> assertThat(
                            reply.sample()).isNotEmpty().doesNotContain(joiner, contact.self()));
                }
            }
        }
        assertThat(contact.activeView()).containsExactly(id(1), id(2), id(3), id(4), id(5));
        assertThat(contact.passiveView()).hasSize(12 - CONFIG.activeViewSize());
    }

    @Test
    void refusedJoinerAsksAnotherCandidateAtOnce() {
        GossipCore joiner = core(1);
        joiner.join(List.of(address(0)), 0);
        assertThat(joiner.receive(id(0), new ShuffleReply(List.of(address(7), address(8))), 5).sends()).isEmpty();
        GossipOutput refused = joiner.receive(id(0), new NeighborReply(false), 5);
        // with no neighbour the request has high priority, so it cannot be refused in turn
        assertThat(refused.sends()).singleElement().satisfies(send -> {
            assertThat(send.to()).isIn(id(7), id(8));
            assertThat(send.message()).isEqualTo(new Neighbor(joiner.self(), true));
        });
        assertThat(joiner.passiveView()).containsExactlyInAnyOrder(id(0), id(7), id(8));
    }

    @Test
    void contactThatNeverAnswersStaysACandidate() {
        GossipCore a = core(1);
        link(a, core(2));
        a.join(List.of(address(9)), 10);
        a.tick(10 + CONFIG.neighborTimeoutMillis());
        // other peers that do not answer are forgotten (see lostActivePeerIsReplacedFromThePassiveView);
        // a contact is kept: it may be our only way out of an island of nodes that joined through us
        assertThat(a.passiveView()).contains(id(9));
    }

    @Test
    void aNodeWithOneNeighbourAsksWithHighPriority() {
        GossipCore a = core(1);
        link(a, core(2));
        a.receive(id(2), new ShuffleReply(List.of(address(5))), 1);
        // one neighbour: one failure from isolation, and maybe half of an island that full nodes refuse
        assertThat(a.tick(CONFIG.repairIntervalMillis()).sends()).filteredOn(s -> s.to().equals(id(5)))
                .containsExactly(new GossipOutput.Send(id(5), address(5), new Neighbor(a.self(), true)));

        GossipCore b = core(11);
        link(b, core(12));
        link(b, core(13));
        b.receive(id(12), new ShuffleReply(List.of(address(15))), 1);
        assertThat(b.tick(CONFIG.repairIntervalMillis()).sends()).filteredOn(s -> s.to().equals(id(15)))
                .containsExactly(new GossipOutput.Send(id(15), address(15), new Neighbor(b.self(), false)));
    }

    @Test
    void aPeerIsNeverAskedTwiceBeforeItAnswers() {
        GossipCore a = core(1);
        link(a, core(2));
        // a walk ends here: we take joiner 9 in and ask it (high priority) to take us
        GossipOutput accepted = a.receive(id(2), new ForwardJoin(address(9), 0), 1);
        assertThat(messagesTo(accepted, id(9))).containsExactly(new Neighbor(a.self(), true));
        // 9 drops us before its answer comes; it is a candidate again, but not one to ask yet
        a.receive(id(9), new Disconnect(true), 2);
        assertThat(a.passiveView()).containsExactly(id(9));
        assertThat(a.tick(CONFIG.repairIntervalMillis()).sends()).noneMatch(s -> s.to().equals(id(9)));
        // the late answer is not taken for a link: 9 has dropped it, so we close our side as well
        GossipOutput late = a.receive(id(9), new NeighborReply(true), CONFIG.repairIntervalMillis() + 1);
        assertThat(late.sends()).containsExactly(new GossipOutput.Send(id(9), address(9), new Disconnect(true)));
        assertThat(a.activeView()).containsExactly(id(2));
        // answered: 9 may be asked again
        assertThat(a.tick(2 * CONFIG.repairIntervalMillis()).sends()).filteredOn(s -> s.to().equals(id(9)))
                .singleElement().extracting(GossipOutput.Send::message).isInstanceOf(Neighbor.class);
    }

    @Test
    void aMessageFromAPeerWeAreAskingDoesNotCancelTheLink() {
        GossipCore a = core(1);
        link(a, core(2));
        a.receive(id(2), new ShuffleReply(List.of(address(5))), 1);
        a.tick(CONFIG.repairIntervalMillis()); // asks 5
        // 5 took us in already and pushes to us before its reply comes: no DISCONNECT, or it would drop
        // the link it has just made while we make ours
        GossipOutput early = a.receive(id(5), new Gossip(Digest.hash(new byte[] {3}), 1, new byte[0]), 1_001);
        assertThat(early.deliveries()).hasSize(1);
        assertThat(early.sends()).noneMatch(s -> s.message() instanceof Disconnect);
        a.receive(id(5), new NeighborReply(true), 1_002);
        assertThat(a.activeView()).contains(id(5));
        // a stranger that pushes to us is told we are not linked
        assertThat(a.receive(id(6), new Gossip(Digest.hash(new byte[] {4}), 1, new byte[0]), 1_003).sends())
                .contains(new GossipOutput.Send(id(6), null, new Disconnect(true)));
    }

    @Test
    void brokenTreeEdgeIsReplacedByALazyOne() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        link(a, core(4));
        a.receive(id(3), new Prune(), 1);
        a.receive(id(4), new Prune(), 1);
        // a lazy link breaks: the tree is whole, nothing to do
        assertThat(a.peerDown(id(4), 2).sends()).noneMatch(s -> s.message() instanceof Graft);
        // the tree edge breaks: the remaining lazy neighbour becomes one at once, asking for no message
        GossipOutput out = a.receive(id(2), new Disconnect(true), 3);
        assertThat(out.sends()).contains(new GossipOutput.Send(id(3), address(3), new Graft(GossipCore.LINK_ONLY)));
        assertThat(a.eagerPeers()).containsExactly(id(3));
    }

    @Test
    void fullNodeRotatesALazyNeighbourForAPassivePeerOnTheShuffleTick() {
        GossipCore a = core(1);
        for (int i = 2; i <= 1 + CONFIG.activeViewSize(); i++) {
            link(a, core(i));
        }
        a.receive(id(2), new Prune(), 1); // 2 is the only lazy neighbour
        a.receive(id(3), new ShuffleReply(List.of(address(20))), 1);
        // a full node rotates on one shuffle tick in four (at random): within a few ticks it asks
        long tick = 2 * CONFIG.shuffleIntervalMillis();
        GossipOutput ask = a.tick(tick);
        for (int ticks = 0; messagesTo(ask, id(20)).isEmpty() && ticks < 64; ticks++) {
            tick += CONFIG.shuffleIntervalMillis();
            ask = a.tick(tick);
        }
        assertThat(messagesTo(ask, id(20))).containsExactly(new Neighbor(a.self(), false));
        assertThat(ask.events()).isEmpty();

        // refused (the candidate is full): nothing changes, and a later shuffle tick asks again
        GossipOutput refused = a.receive(id(20), new NeighborReply(false), tick + 10);
        assertThat(refused.sends()).isEmpty();
        assertThat(a.activeView()).hasSize(CONFIG.activeViewSize()).doesNotContain(id(20));
        tick += CONFIG.shuffleIntervalMillis();
        GossipOutput again = a.tick(tick);
        for (int ticks = 0; messagesTo(again, id(20)).isEmpty() && ticks < 64; ticks++) {
            tick += CONFIG.shuffleIntervalMillis();
            again = a.tick(tick);
        }
        assertThat(messagesTo(again, id(20))).containsExactly(new Neighbor(a.self(), false));

        // accepted: the lazy neighbour makes room (a tree edge would cut a subtree off) and stays a candidate
        GossipOutput accepted = a.receive(id(20), new NeighborReply(true), tick + 10);
        assertThat(accepted.sends()).containsExactly(new GossipOutput.Send(id(2), address(2), new Disconnect(true)));
        assertThat(accepted.events()).containsExactly(new GossipOutput.NeighborDown(id(2)),
                new GossipOutput.NeighborUp(address(20)));
        assertThat(a.activeView()).hasSize(CONFIG.activeViewSize()).contains(id(20)).doesNotContain(id(2));
        assertThat(a.passiveView()).contains(id(2));
    }

    @Test
    void observedPeersBecomeCandidatesAndALoneNodeAsksOne() {
        GossipCore lone = core(1);
        GossipOutput out = lone.observe(List.of(address(5), address(1), address(6), address(5)), 0);
        assertThat(lone.passiveView()).containsExactlyInAnyOrder(id(5), id(6));
        assertThat(out.sends()).singleElement().satisfies(send -> {
            assertThat(send.to()).isIn(id(5), id(6));
            assertThat(send.message()).isEqualTo(new Neighbor(lone.self(), true));
        });

        // with a neighbour, observing only adds candidates: at most a shuffle sample per call
        GossipCore linked = core(2);
        link(linked, core(3));
        List<PeerAddress> catalog = new ArrayList<>();
        for (int i = 100; i < 200; i++) {
            catalog.add(address(i));
        }
        catalog.add(address(3));
        assertThat(linked.observe(catalog, 1).isEmpty()).isTrue();
        assertThat(linked.passiveView()).hasSize(CONFIG.maxSampleSize()).doesNotContain(id(3));
        for (int call = 0; call < 10; call++) {
            linked.observe(catalog, 2 + call);
        }
        assertThat(linked.passiveView()).hasSize(CONFIG.passiveViewSize());
        assertThat(linked.activeView()).containsExactly(id(3));
    }

    @Test
    void bridgeLinksTwoFullNodesOfSeparateOverlays() {
        // two nodes whose active views are full, each with neighbours of its own side only
        GossipCore a = core(1);
        GossipCore b = core(2);
        for (int i = 0; i < CONFIG.activeViewSize(); i++) {
            link(a, core(100 + i));
            link(b, core(200 + i));
        }
        GossipOutput asked = a.bridge(b.self(), 10);
        assertThat(messagesTo(asked, id(2))).containsExactly(new Neighbor(a.self(), true));
        assertThat(a.bridge(b.self(), 11).isEmpty()).as("no second request while one is under way").isTrue();

        GossipOutput atB = b.receive(id(1), new Neighbor(a.self(), true), 20);
        assertThat(messagesTo(atB, id(1))).containsExactly(new NeighborReply(true));
        assertThat(atB.sends()).as("b drops a neighbour of its own side to make room")
                .anyMatch(send -> send.message().equals(new Disconnect(true)) && !send.to().equals(id(1)));
        GossipOutput atA = a.receive(id(2), new NeighborReply(true), 30);
        assertThat(atA.events()).contains(new GossipOutput.NeighborUp(b.self()));
        assertThat(a.activeView()).contains(id(2)).hasSize(CONFIG.activeViewSize());
        assertThat(b.activeView()).contains(id(1)).hasSize(CONFIG.activeViewSize());

        assertThat(a.bridge(b.self(), 40).isEmpty()).as("already linked").isTrue();
        assertThat(a.bridge(a.self(), 40).isEmpty()).as("never ourselves").isTrue();
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

        // the next message of the shared tree goes eagerly to 2 only, and lazily (on the next tick) to 3
        GossipOutput next = a.receive(id(4), new Gossip(Digest.hash(new byte[] {2}), 1, new byte[] {7}), 12);
        assertThat(next.sends()).extracting(GossipOutput.Send::to).contains(id(2)).doesNotContain(id(3));
        GossipOutput tick = a.tick(13);
        assertThat(messagesTo(tick, id(3))).containsExactly(
                new IHave(List.of(new Announcement(Digest.hash(new byte[] {2}), 2))));

        // a prune from a peer moves it to lazy
        a.receive(id(2), new Prune(), 14);
        assertThat(a.eagerPeers()).isEmpty();
    }

    @Test
    void eachOriginHasATreeOfItsOwnThatStartsWithEveryLinkAndIsPrunedByItsDuplicates() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        link(a, core(4));
        PeerId origin = id(9);
        PeerId other = id(8);
        // the first message of an origin goes over every link (a flood: its tree is not known yet)
        GossipOutput first = a.receive(id(2), new Gossip(Digest.hash(new byte[] {1}), origin, 3, new byte[] {1}), 10);
        assertThat(first.sends()).extracting(GossipOutput.Send::to).containsExactlyInAnyOrder(id(3), id(4));
        assertThat(first.sends()).allSatisfy(send -> assertThat(((Gossip) send.message()).origin()).isEqualTo(origin));
        // a duplicate prunes its sender in that origin's tree only
        GossipOutput dup = a.receive(id(3), new Gossip(Digest.hash(new byte[] {1}), origin, 3, new byte[] {1}), 11);
        assertThat(dup.sends()).containsExactly(new GossipOutput.Send(id(3), address(3), new Prune(origin)));
        assertThat(a.eagerPeers(origin)).containsExactlyInAnyOrder(id(2), id(4));
        // the next message of that origin is pushed along its tree, announced to the pruned link
        GossipOutput second = a.receive(id(2), new Gossip(Digest.hash(new byte[] {2}), origin, 3, new byte[] {2}), 20);
        assertThat(second.sends()).extracting(GossipOutput.Send::to).containsExactly(id(4));
        assertThat(messagesTo(a.tick(21), id(3))).containsExactly(
                new IHave(List.of(new Announcement(Digest.hash(new byte[] {2}), 4))));
        // another origin's first message still floods
        GossipOutput another = a.receive(id(2), new Gossip(Digest.hash(new byte[] {3}), other, 1, new byte[] {3}), 30);
        assertThat(another.sends()).extracting(GossipOutput.Send::to).containsExactlyInAnyOrder(id(3), id(4));
        // a prune names the tree it cuts
        a.receive(id(4), new Prune(other), 31);
        assertThat(a.eagerPeers(other)).containsExactlyInAnyOrder(id(2), id(3));
        assertThat(a.eagerPeers(origin)).containsExactlyInAnyOrder(id(2), id(4));
        assertThat(a.trees()).isEqualTo(2);
        // this node's own broadcasts carry it as their origin
        GossipOutput own = a.broadcast(Digest.hash(new byte[] {4}), new byte[] {4}, 40);
        assertThat(own.sends()).allSatisfy(send -> assertThat(((Gossip) send.message()).origin()).isEqualTo(id(1)));
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
    void aLastBroadcastIsPushedToTheLazyNeighboursToo() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        a.receive(id(2), new Prune(id(1)), 10); // node 2 only hears of our messages lazily
        Digest entry = Digest.hash(new byte[] {7});
        assertThat(messagesTo(a.broadcast(entry, new byte[] {7}, 20), id(2))).isEmpty();

        // a departure: node 2 could not graft it from us once we are gone, so it gets a copy too
        Digest departure = Digest.hash(new byte[] {8});
        GossipOutput last = a.broadcastLast(departure, new byte[] {8}, 30);
        for (int peer : new int[] {2, 3}) {
            assertThat(messagesTo(last, id(peer))).singleElement().isInstanceOfSatisfying(Gossip.class,
                    gossip -> assertThat(gossip.id()).isEqualTo(departure));
        }
        assertThat(a.tick(1_000).sends()).filteredOn(s -> s.message() instanceof IHave)
                .noneMatch(s -> ((IHave) s.message()).announcements().contains(new Announcement(departure, 1)));
    }

    @Test
    void aGraftWhoseNeighbourLeavesIsAskedOfTheNextAnnouncerOnTheNextTick() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        Digest msg = Digest.hash(new byte[] {6});
        // history from a new link: grafted at once; a later announcer is only remembered
        assertThat(a.receive(id(2), new IHave(List.of(new Announcement(msg, 2)), true), 100).sends())
                .containsExactly(new GossipOutput.Send(id(2), address(2), new Graft(msg)));
        a.receive(id(3), new IHave(List.of(new Announcement(msg, 3)), true), 110);

        // the neighbour we asked drops the link before answering: it never will, so the next tick asks
        // the other announcer rather than waiting out the retry interval
        a.receive(id(2), new Disconnect(true), 120);
        GossipOutput retry = a.tick(200);
        assertThat(retry.sends()).filteredOn(s -> s.message() instanceof Graft)
                .containsExactly(new GossipOutput.Send(id(3), address(3), new Graft(msg)));
        assertThat(100 + CONFIG.graftRetryMillis()).isGreaterThan(200);
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
    void muchShorterAnnouncedPathBecomesTheTreeEdge() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        a.receive(id(3), new Prune(), 0); // 3 is lazy, 2 the tree edge
        Digest msg = Digest.hash(new byte[] {11});
        a.receive(id(2), new Gossip(msg, 8, new byte[] {1}), 100);

        // only two hops shorter: below the threshold (3), not worth a switch
        assertThat(a.receive(id(3), new IHave(List.of(new Announcement(msg, 6))), 150).isEmpty()).isTrue();
        // three hops shorter: the announcer becomes the tree edge (asking for no message), the parent lazy
        GossipOutput out = a.receive(id(3), new IHave(List.of(new Announcement(msg, 5))), 160);
        assertThat(out.sends()).containsExactly(
                new GossipOutput.Send(id(3), address(3), new Graft(GossipCore.LINK_ONLY)),
                new GossipOutput.Send(id(2), address(2), new Prune()));
        assertThat(a.eagerPeers()).containsExactly(id(3));
        assertThat(a.lazyPeers()).containsExactly(id(2));
        // the path now counts as 5 hops: 3 is not enough to switch back, 2 is
        assertThat(a.receive(id(2), new IHave(List.of(new Announcement(msg, 3))), 170).isEmpty()).isTrue();
        assertThat(a.receive(id(2), new IHave(List.of(new Announcement(msg, 2))), 180).sends()).containsExactly(
                new GossipOutput.Send(id(2), address(2), new Graft(GossipCore.LINK_ONLY)),
                new GossipOutput.Send(id(3), address(3), new Prune()));
        // an announcement later than a graft would wait is history for a new link: not acted on
        assertThat(a.receive(id(3), new IHave(List.of(new Announcement(msg, 1))),
                100 + CONFIG.graftTimeoutMillis() + 1).isEmpty()).isTrue();

        // the other side: a GRAFT for LINK_ONLY makes the link a tree edge and is answered with nothing
        GossipCore b = core(4);
        link(b, core(5));
        b.broadcast(Digest.hash(new byte[] {12}), new byte[] {2}, 0);
        b.receive(id(5), new Prune(), 1);
        assertThat(b.receive(id(5), new Graft(GossipCore.LINK_ONLY), 2).isEmpty()).isTrue();
        assertThat(b.eagerPeers()).containsExactly(id(5));
    }

    @Test
    void announcementBeforeTheMessageAlsoSwitchesTheTree() {
        GossipCore a = core(1);
        link(a, core(2));
        link(a, core(3));
        link(a, core(4));
        a.receive(id(3), new Prune(), 0);
        Digest msg = Digest.hash(new byte[] {13});
        a.receive(id(3), new IHave(List.of(new Announcement(msg, 2))), 100);
        GossipOutput out = a.receive(id(2), new Gossip(msg, 7, new byte[] {1}), 110);
        assertThat(out.deliveries()).hasSize(1);
        // pushed on first (to the other eager neighbour, 4; the announcer hears of it lazily), then switched
        assertThat(out.sends()).hasSize(3);
        assertThat(out.sends().getFirst().to()).isEqualTo(id(4));
        assertThat(out.sends().getFirst().message()).isInstanceOfSatisfying(Gossip.class,
                gossip -> assertThat(gossip.round()).isEqualTo(8));
        assertThat(out.sends().subList(1, 3)).containsExactly(
                new GossipOutput.Send(id(3), address(3), new Graft(GossipCore.LINK_ONLY)),
                new GossipOutput.Send(id(2), address(2), new Prune()));
        assertThat(a.eagerPeers()).containsExactlyInAnyOrder(id(3), id(4));
        // the message came: nothing is grafted later
        assertThat(a.tick(110 + 2 * CONFIG.graftTimeoutMillis()).sends()).noneMatch(s -> s.message() instanceof Graft);
    }

    @Test
    void newNeighbourHearsOfRecentMessagesAndGraftsWhatItMissesAtOnce() {
        GossipCore a = core(1);
        link(a, core(2));
        Digest old = Digest.hash(new byte[] {1});
        Digest recent = Digest.hash(new byte[] {2});
        long half = CONFIG.messageCacheTtlMillis() / 2;
        a.broadcast(old, new byte[] {1}, 0);
        a.broadcast(recent, new byte[] {2}, half);
        long t = half + 100;
        GossipCore c = core(3);
        GossipOutput join = c.join(List.of(a.self()), t);

        // the accepted link brings, at once and after the reply, the news of what is younger than half the
        // cache lifetime: an older message may be forgotten there already, and would be delivered twice
        GossipOutput accepted = a.receive(id(3), join.sends().getFirst().message(), t);
        assertThat(accepted.sends()).filteredOn(s -> s.to().equals(id(3))).last()
                .satisfies(s -> assertThat(s.message()).isInstanceOf(IHave.class));
        assertThat(accepted.sends()).filteredOn(s -> s.message() instanceof IHave).containsExactly(
                new GossipOutput.Send(id(3), address(3), new IHave(List.of(new Announcement(recent, 1)), true)));
        c.receive(id(1), new NeighborReply(true), t + 10);
        // history: no copy of it is on its way, so it is grafted at once
        GossipOutput graft = c.receive(id(1), new IHave(List.of(new Announcement(recent, 1)), true), t + 110);
        assertThat(graft.sends()).containsExactly(new GossipOutput.Send(id(1), address(1), new Graft(recent)));
        GossipOutput answer = a.receive(id(3), new Graft(recent), t + 120);
        assertThat(messagesTo(answer, id(3))).singleElement().isInstanceOfSatisfying(Gossip.class, gossip -> {
            assertThat(gossip.id()).isEqualTo(recent);
            assertThat(c.receive(id(1), gossip, t + 130).deliveries()).hasSize(1);
        });
    }

    @Test
    void aFullCacheAnnouncesToANewNeighbourOnlyTheYoungerHalfOfWhatItSpans() {
        GossipCore a = new GossipCore(address(1), withCacheCapacity(8), new SplittableRandom(1));
        link(a, core(2));
        List<Digest> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // one a second: the cache is full after 7 s, far within its lifetime
            Digest id = Digest.hash(new byte[] {(byte) (20 + i)});
            a.broadcast(id, new byte[] {(byte) i}, i * 1_000L);
            sent.add(id);
        }
        GossipCore c = core(3);
        long t = 8_000;
        GossipOutput accepted = a.receive(id(3), c.join(List.of(a.self()), t).sends().getFirst().message(), t);

        // the neighbour, under the same load, forgets after about 8 s too: what is older than 4 s might be
        // news to it, and spread a second time
        assertThat(accepted.sends()).filteredOn(s -> s.message() instanceof IHave)
                .flatMap(s -> ((IHave) s.message()).announcements()).extracting(Announcement::id)
                .containsExactlyElementsOf(sent.subList(4, 8));
    }

    @Test
    void aLateCopyOfAMessageThatLeftTheFullCacheIsNotTakenForNew() {
        GossipCore a = new GossipCore(address(1), withCacheCapacity(8), new SplittableRandom(1));
        link(a, core(2));
        link(a, core(3));
        Digest first = Digest.hash(new byte[] {40});
        assertThat(a.receive(id(2), new Gossip(first, id(9), 3, new byte[] {40}), 100).deliveries()).hasSize(1);
        for (int i = 0; i < 8; i++) { // a burst: the cache (8 messages) forgets the first one's payload
            a.receive(id(2), new Gossip(Digest.hash(new byte[] {(byte) (50 + i)}), id(9), 3, new byte[] {1}), 110 + i);
        }

        // a copy along a longer path arrives late: still a duplicate, neither delivered nor pushed again
        GossipOutput late = a.receive(id(3), new Gossip(first, id(9), 5, new byte[] {40}), 200);
        assertThat(late.deliveries()).isEmpty();
        assertThat(late.sends()).containsExactly(new GossipOutput.Send(id(3), address(3), new Prune(id(9))));
        assertThat(a.receive(id(3), new IHave(List.of(new Announcement(first, 4))), 210).sends()).isEmpty();
        assertThat(a.tick(2_000).sends()).noneMatch(s -> s.message() instanceof Graft);
        assertThat(a.hasMessage(first)).isTrue();
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

        // a node that knows no one else offers an empty sample: it still gets candidates back
        GossipOutput empty = a.receive(id(2), new Shuffle(address(9), 0, List.of()), 2);
        assertThat(empty.sends()).singleElement().satisfies(s -> {
            assertThat(s.to()).isEqualTo(id(9));
            assertThat(s.message()).isInstanceOfSatisfying(ShuffleReply.class,
                    reply -> assertThat(reply.sample()).hasSize(CONFIG.shufflePassiveCount()));
        });

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

        // a flood of made-up announcements stays bounded: as history (grafted at once) and as news
        // (grafted after the timeout), at most one batch is taken
        List<Announcement> flood = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            flood.add(new Announcement(Digest.fromLong(i + 1), 1));
        }
        assertThat(a.receive(id(2), new IHave(flood, true), 1).sends()).hasSize(CONFIG.maxIHaveBatch())
                .allMatch(s -> s.message() instanceof Graft);
        a.receive(id(2), new Prune(), 1);
        List<Announcement> lazyFlood = flood.subList(CONFIG.maxIHaveBatch(), flood.size());
        assertThat(a.receive(id(2), new IHave(lazyFlood), 1).isEmpty()).isTrue();
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
        assertThatThrownBy(() -> new GossipConfig(5, 30, 2, 3, 10_000, 3, 4, 5_000, 1_000, 1_000, 500, 4_096, 60_000, 256, 3))
                .hasMessageContaining("passiveRandomWalkLength");
        assertThatThrownBy(() -> new GossipConfig(5, 30, 6, 3, 10_000, 3, 4, 5_000, 1_000, 1_000, 500, 4_096, 1_000, 256, 3))
                .hasMessageContaining("messageCacheTtlMillis");
        assertThatThrownBy(() -> GossipConfig.defaults().withTreeOptimizationThreshold(0))
                .hasMessageContaining("treeOptimizationThreshold");
        assertThat(GossipConfig.defaults().withViewSizes(8, 40).treeOptimizationThreshold())
                .isEqualTo(GossipConfig.defaults().treeOptimizationThreshold());
        // the zero digest is what a GRAFT that asks for no message carries
        assertThatThrownBy(() -> core(1).broadcast(GossipCore.LINK_ONLY, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
