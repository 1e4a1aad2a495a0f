package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.util.ArrayDeque;
import java.util.Arrays;
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

    /** Node i joins at time gap·i through node 0 only: every node is configured with one bootstrap peer. */
    static GossipSimulator joinedThroughNodeZero(long seed, int nodes, long gap, GossipSimulator.Options options,
            long settleMillis) {
        GossipSimulator sim = new GossipSimulator(seed, nodes, CONFIG, options);
        for (int i = 1; i < nodes; i++) {
            int node = i;
            sim.at(gap * i, () -> sim.join(node, 0));
        }
        sim.runUntil(gap * nodes + settleMillis);
        return sim;
    }

    /** The most hops from {@code start} to any live node over active links, or -1 if some are unreachable. */
    static int eccentricity(GossipSimulator sim, int start) {
        int[] distance = new int[sim.size];
        Arrays.fill(distance, -1);
        distance[start] = 0;
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(start));
        int max = 0;
        int seen = 1;
        while (!todo.isEmpty()) {
            int node = todo.poll();
            for (PeerId peer : sim.cores[node].activeView()) {
                int next = sim.indexOf(peer);
                if (!sim.isCrashed(next) && distance[next] < 0) {
                    distance[next] = distance[node] + 1;
                    max = Math.max(max, distance[next]);
                    seen++;
                    todo.add(next);
                }
            }
        }
        long live = IntStream.range(0, sim.size).filter(i -> !sim.isCrashed(i)).count();
        return seen == live ? max : -1;
    }

    /** The nodes an origin's next message reaches along its tree's edges alone (no grafts). */
    static int treeOf(GossipSimulator sim, int origin) {
        PeerId root = sim.addresses[origin].peerId();
        Set<Integer> seen = new HashSet<>(List.of(origin));
        ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(origin));
        while (!todo.isEmpty()) {
            int node = todo.poll();
            for (PeerId peer : sim.cores[node].eagerPeers(root)) {
                int next = sim.indexOf(peer);
                if (next >= 0 && seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        return seen.size();
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
        if (symmetric) {
            // nodes whose views are not full ask for a link on every tick (repair), so a link may be
            // half made at any tick; between ticks every such exchange is over
            sim.runToBeforeNextTick();
        }
        sim.forEachLive(i -> {
            GossipCore core = sim.cores[i];
            assertThat(core.activeView()).as("seed %d node %d has neighbours", seed, i).isNotEmpty();
            assertThat(core.activeView()).as("seed %d node %d", seed, i)
                    .hasSizeLessThanOrEqualTo(CONFIG.activeViewSize())
                    .doesNotContain(core.self().peerId());
            assertThat(core.passiveView()).as("seed %d node %d", seed, i)
                    .hasSizeLessThanOrEqualTo(CONFIG.passiveViewSize())
                    .doesNotContainAnyElementsOf(core.activeView());
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

    /**
     * A quarter of the nodes is cut off for 90 s, while the nodes announce and sync catalogs as discovery
     * does ({@link SimulatedCatalogs}); then the partition heals, and nothing else is done. Each side
     * refilled its views from its own side, so the overlay stays two overlays unless a catalog sync across
     * the former cut (the catalogs still list the other side) finds that the peer missed our broadcasts,
     * and the core bridges to it.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void afterAPartitionHealsTheOverlayMergesAndCatalogsConverge() {
        long bridges = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            GossipSimulator sim = settled(seed, NODES, GossipSimulator.Options.defaults(), 20_000);
            SimulatedCatalogs catalogs = new SimulatedCatalogs(sim, seed);
            catalogs.start();
            SplittableRandom random = new SplittableRandom(seed);
            Set<Integer> minority = new HashSet<>();
            while (minority.size() < NODES / 4) {
                minority.add(random.nextInt(NODES));
            }
            int minorityNode = minority.iterator().next();
            int majorityNode = IntStream.range(0, NODES).filter(i -> !minority.contains(i)).findFirst().orElseThrow();
            sim.partition(minority);
            sim.runUntil(sim.now() + 45_000);
            // each side lives on by itself: a broadcast inside the majority reaches all of it
            Digest during = sim.broadcast(majorityNode, new byte[] {1});
            long changed = catalogs.change(minorityNode); // a tag added on the minority side, say
            sim.runUntil(sim.now() + 45_000);
            int[] counts = sim.deliveries.get(during);
            for (int i = 0; i < NODES; i++) {
                assertThat(counts[i]).as("seed %d node %d during partition", seed, i)
                        .isEqualTo(minority.contains(i) ? 0 : 1);
                assertThat(catalogs.version(i, minorityNode) >= changed).as("seed %d node %d has the change", seed, i)
                        .isEqualTo(minority.contains(i));
            }

            sim.heal();
            long[] atHeal = IntStream.range(0, NODES).mapToLong(i -> catalogs.version(i, i)).toArray();
            sim.runUntil(sim.now() + 120_000);
            // every catalog holds every node's entry as it was when the partition healed, or newer
            for (int i = 0; i < NODES; i++) {
                for (int origin = 0; origin < NODES; origin++) {
                    if (origin != i) {
                        assertThat(catalogs.version(i, origin)).as("seed %d: node %d's copy of %d", seed, i, origin)
                                .isGreaterThanOrEqualTo(atHeal[origin]);
                    }
                }
            }
            assertThat(reachable(sim, 0)).as("seed %d: one overlay again", seed).hasSize(NODES);
            Digest after = sim.broadcast(minorityNode, new byte[] {2});
            sim.runUntil(sim.now() + 5_000);
            assertDeliveredOnceToAll(sim, after, seed);
            // checked after a broadcast: a link one side kept through the partition (the other dropped it)
            // is closed by the first message over it, which the other side answers with a DISCONNECT
            assertViews(sim, seed, true);
            bridges += catalogs.bridges;
        }
        System.out.printf("partition heal: %.1f bridges per run%n", (double) bridges / SEEDS);
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
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void overlayGrownThroughOneBootstrapPeerIsWellMixed() {
        // HyParView as in the paper grows a chain here (the contact's neighbours are always the latest
        // joiners): eccentricities of 13 to 22 hops at 300 nodes, growing linearly with N
        for (long seed = 1; seed <= 10; seed++) {
            GossipSimulator sim = joinedThroughNodeZero(seed, 300, 1, GossipSimulator.Options.defaults(), 20_000);
            assertViews(sim, seed, true);
            for (int node = 0; node < sim.size; node += 15) {
                // a random 5-regular graph of 300 nodes: about log4(300) ≈ 4 hops, rarely more than 7
                assertThat(eccentricity(sim, node)).as("seed %d node %d", seed, node).isBetween(1, 8);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void treeOptimisationKeepsTheTreeWhole() {
        long detached = 0;
        long timeoutGrafts = 0;
        long broadcasts = 0;
        for (long seed = 1; seed <= 20; seed++) {
            GossipSimulator sim = settled(seed, 200, GossipSimulator.Options.defaults(), 20_000);
            SplittableRandom random = new SplittableRandom(seed);
            int[] origins = {random.nextInt(200), random.nextInt(200)};
            for (int b = 0; b < 8; b++) {
                sim.resetCounters();
                int origin = origins[b % 2]; // two origins, four broadcasts each: their trees get shaped
                Digest id = sim.broadcast(origin, new byte[] {(byte) b});
                sim.runUntil(sim.now() + 3_000);
                assertDeliveredOnceToAll(sim, id, seed);
                detached += sim.size - treeOf(sim, origin);
                timeoutGrafts += sim.totalSent("Graft");
                broadcasts++;
            }
        }
        // every switch grafts the shorter path before it prunes the longer one, so the tree stays whole;
        // only membership changes cut it now and then (a node that loses its last lazy neighbour with a
        // tree edge), and the next message grafts across the cut
        System.out.printf("tree optimisation: %.2f nodes detached from the tree, %.2f timeout grafts per broadcast%n",
                (double) detached / broadcasts, (double) timeoutGrafts / broadcasts);
        assertThat((double) detached / broadcasts).isLessThan(1.0);
        assertThat((double) timeoutGrafts / broadcasts).isLessThan(1.0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void coldStartThroughOneBootstrapPeerSpreadsEveryEntryToEveryone() {
        for (long seed = 1; seed <= 10; seed++) {
            // everyone starts at once and broadcasts its own entry on its first neighbour (as the
            // discovery shell does): early broadcasts run over a tiny overlay, so the late joiners learn
            // of them only from the history a new neighbour announces
            int nodes = 100;
            GossipSimulator sim = new GossipSimulator(seed, nodes, CONFIG, GossipSimulator.Options.defaults());
            Digest[] entries = new Digest[nodes];
            sim.onNeighborEvent = (node, event) -> {
                if (event instanceof GossipOutput.NeighborUp && entries[node] == null) {
                    entries[node] = Digest.zero(); // claimed; the broadcast runs after this output is applied
                    sim.at(sim.now(), () -> entries[node] = sim.broadcast(node, new byte[] {node.byteValue()}));
                }
            };
            for (int i = 1; i < nodes; i++) {
                int node = i;
                sim.at(0, () -> sim.join(node, 0));
            }
            sim.runUntil(10_000);
            assertViews(sim, seed, true);
            for (Digest entry : entries) {
                assertThat(entry).as("seed %d: every node had a neighbour", seed).isNotEqualTo(Digest.zero());
                assertDeliveredOnceToAll(sim, entry, seed);
            }
        }
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
