package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties of many nodes over many seeds. A failing seed is printed in the assertion message and
 * reproduces exactly.
 */
class GossipSimulationTest {

    private static final int SEEDS = 50;
    private static final int NODES = 60;
    private static final GossipConfig CONFIG = GossipConfig.defaults();

    /** Builds an overlay: node i joins at time 10·i through one or two random earlier nodes, then settles. */
    static GossipSimulator settled(long seed, int nodes, GossipSimulator.Options options, long settleMillis) {
        GossipSimulator sim = new GossipSimulator(seed, nodes, CONFIG, options);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 1; i < nodes; i++) {
            int node = i;
            int[] contacts = random.nextInt(3) == 0 && i > 1
                    ? new int[] {random.nextInt(i), random.nextInt(i)}
                    : new int[] {random.nextInt(i)};
            sim.at(10L * i, () -> sim.join(node, contacts));
        }
        sim.runUntil(10L * nodes + settleMillis);
        return sim;
    }

    /** The live nodes reachable from {@code start} over active links (in either direction). */
    static Set<Integer> reachable(GossipSimulator sim, int start) {
        Set<Integer> seen = new HashSet<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(start));
        seen.add(start);
        while (!todo.isEmpty()) {
            int node = todo.poll();
            for (PeerId peer : sim.cores[node].activeView()) {
                int next = sim.indexOf(peer);
                if (!sim.isCrashed(next) && seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        return seen;
    }

    static void assertViews(GossipSimulator sim, long seed, boolean symmetric) {
        sim.forEachLive(i -> {
            GossipCore core = sim.cores[i];
            assertThat(core.activeView()).as("seed %d node %d", seed, i)
                    .hasSizeLessThanOrEqualTo(CONFIG.activeViewSize())
                    .doesNotContain(core.self().peerId());
            assertThat(core.passiveView()).as("seed %d node %d", seed, i)
                    .hasSizeLessThanOrEqualTo(CONFIG.passiveViewSize())
                    .doesNotContainAnyElementsOf(core.activeView());
            assertThat(core.activeView()).as("seed %d node %d has neighbours", seed, i).isNotEmpty();
            Set<PeerId> tree = new HashSet<>(core.eagerPeers());
            tree.addAll(core.lazyPeers());
            assertThat(tree).as("eager ∪ lazy = active").isEqualTo(core.activeView());
            if (symmetric) {
                for (PeerId peer : core.activeView()) {
                    int other = sim.indexOf(peer);
                    if (!sim.isCrashed(other)) {
                        assertThat(sim.cores[other].activeView()).as("seed %d: link %d-%d symmetric", seed, i, other)
                                .contains(core.self().peerId());
                    }
                }
            }
        });
    }

    /** Every live node gets the message exactly once (the originator counted as having it). */
    static void assertDeliveredOnceToAll(GossipSimulator sim, Digest id, long seed) {
        int[] counts = sim.deliveries.get(id);
        sim.forEachLive(i -> assertThat(counts[i]).as("seed %d: node %d deliveries", seed, i).isEqualTo(1));
        for (int count : counts) {
            assertThat(count).as("seed %d: never delivered twice", seed).isLessThanOrEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void broadcastsReachEveryNodeExactlyOnceAndViewsStaySymmetric() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            GossipSimulator sim = settled(seed, NODES, GossipSimulator.Options.defaults(), 30_000);
            assertViews(sim, seed, true);
            assertThat(reachable(sim, 0)).as("seed %d connected", seed).hasSize(NODES);
            SplittableRandom random = new SplittableRandom(seed);
            for (int b = 0; b < 3; b++) {
                Digest id = sim.broadcast(random.nextInt(NODES), new byte[] {(byte) b});
                sim.runUntilQuiet(10_000);
                sim.runUntil(sim.now() + 3_000); // graft timers and IHAVE batches settle
                assertDeliveredOnceToAll(sim, id, seed);
            }
            assertViews(sim, seed, true);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void crashedNodesAreReplacedAndBroadcastsStillReachEveryLiveNode() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            GossipSimulator sim = settled(seed, NODES, GossipSimulator.Options.defaults(), 20_000);
            SplittableRandom random = new SplittableRandom(seed);
            // first a broadcast that builds the tree, so that the crash cuts tree edges
            sim.broadcast(0, new byte[] {1});
            sim.runUntil(sim.now() + 2_000);
            IntStream.range(0, 6).forEach(k -> sim.crash(1 + random.nextInt(NODES - 1)));
            sim.runUntil(sim.now() + 15_000); // detection, promotion, repair ticks
            assertViews(sim, seed, true);
            assertThat(reachable(sim, 0)).as("seed %d connected after crashes", seed)
                    .hasSize((int) IntStream.range(0, NODES).filter(i -> !sim.isCrashed(i)).count());
            Digest id = sim.broadcast(0, new byte[] {2});
            sim.runUntil(sim.now() + 5_000);
            assertDeliveredOnceToAll(sim, id, seed);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void crashDuringABroadcastIsRepairedByGrafts() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            GossipSimulator sim = settled(seed, NODES, GossipSimulator.Options.defaults(), 20_000);
            sim.broadcast(0, new byte[] {1}); // builds the tree
            sim.runUntil(sim.now() + 3_000);
            SplittableRandom random = new SplittableRandom(seed);
            Digest id = sim.broadcast(0, new byte[] {2});
            // crash inner nodes while the message is under way: their subtrees must graft around them
            sim.runUntil(sim.now() + 15);
            IntStream.range(0, 4).forEach(k -> sim.crash(1 + random.nextInt(NODES - 1)));
            sim.runUntil(sim.now() + 20_000);
            int[] counts = sim.deliveries.get(id);
            Set<Integer> connected = reachable(sim, 0);
            for (int node : connected) {
                assertThat(counts[node]).as("seed %d node %d", seed, node).isEqualTo(1);
            }
            assertThat(connected).as("seed %d stays connected", seed)
                    .hasSize((int) IntStream.range(0, NODES).filter(i -> !sim.isCrashed(i)).count());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void afterAPartitionHealsBroadcastsReachEveryoneAgain() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            GossipSimulator sim = settled(seed, NODES, GossipSimulator.Options.defaults(), 20_000);
            SplittableRandom random = new SplittableRandom(seed);
            Set<Integer> minority = new HashSet<>();
            while (minority.size() < NODES / 4) {
                minority.add(random.nextInt(NODES));
            }
            sim.partition(minority);
            sim.runUntil(sim.now() + 30_000);
            // each side lives on by itself: a broadcast inside the majority reaches all of it
            int majorityNode = IntStream.range(0, NODES).filter(i -> !minority.contains(i)).findFirst().orElseThrow();
            Digest during = sim.broadcast(majorityNode, new byte[] {1});
            sim.runUntil(sim.now() + 5_000);
            int[] counts = sim.deliveries.get(during);
            for (int i = 0; i < NODES; i++) {
                assertThat(counts[i]).as("seed %d node %d during partition", seed, i)
                        .isEqualTo(minority.contains(i) ? 0 : 1);
            }

            sim.heal();
            // the discovery layer re-dials a peer it knows from its catalog (spec §2.4 observe / rejoin):
            // one node on each side joins through one node of the other
            int minorityNode = minority.iterator().next();
            sim.join(minorityNode, majorityNode);
            sim.runUntil(sim.now() + 2 * CONFIG.shuffleIntervalMillis());
            assertViews(sim, seed, true);
            assertThat(reachable(sim, 0)).as("seed %d merged", seed).hasSize(NODES);
            Digest after = sim.broadcast(majorityNode, new byte[] {2});
            sim.runUntil(sim.now() + 5_000);
            assertDeliveredOnceToAll(sim, after, seed);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void lossyLinksNeverDuplicateAndLazyPushRecoversMostLosses() {
        long delivered = 0;
        long expected = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            GossipSimulator sim = settled(seed, NODES, GossipSimulator.Options.defaults().withLoss(0.01), 30_000);
            for (int b = 0; b < 3; b++) {
                Digest id = sim.broadcast(b, new byte[] {(byte) b});
                sim.runUntil(sim.now() + 5_000);
                int[] counts = sim.deliveries.get(id);
                for (int i = 0; i < NODES; i++) {
                    assertThat(counts[i]).as("seed %d: at most once", seed).isLessThanOrEqualTo(1);
                    delivered += counts[i];
                }
                expected += NODES;
            }
        }
        double fraction = (double) delivered / expected;
        System.out.printf("1%% loss: delivered %.5f of %d expected deliveries%n", fraction, expected);
        assertThat(fraction).isGreaterThan(0.995);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void sameSeedSameRun() {
        GossipSimulator a = settled(42, 40, GossipSimulator.Options.defaults().withLoss(0.02), 15_000);
        GossipSimulator b = settled(42, 40, GossipSimulator.Options.defaults().withLoss(0.02), 15_000);
        for (int i = 0; i < 40; i++) {
            assertThat(a.cores[i].activeView()).isEqualTo(b.cores[i].activeView());
            assertThat(a.cores[i].passiveView()).isEqualTo(b.cores[i].passiveView());
        }
        assertThat(a.sent).isEqualTo(b.sent);
    }
}
