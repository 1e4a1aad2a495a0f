package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.Digest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measures how far and at what cost one change travels, and how long a cold start takes, in the
 * simulator, and prints tables (docs/benchmarks.md keeps a copy). Every node joins through node 0 only,
 * the realistic deployment where each node is configured with one bootstrap peer.
 *
 * <p>A <em>round</em> is one hop. With a constant per-hop latency (10 ms) all hops take the same time, so
 * the largest hop count of a broadcast is the number of synchronous rounds it needed; with random latency
 * (1–20 ms) the hop count is printed too, and is larger, because the first copy to arrive has often come
 * along many fast hops rather than along the fewest.
 *
 * <p>Issue targets: a change reaches all 10,000 nodes within 15 rounds, at O(1) messages per node; 1,000
 * cold-started nodes hold full catalogs within 30 rounds. What is asserted is what the core reaches; the
 * rest is printed:
 * <ul>
 *   <li>the first broadcast over a fresh overlay floods every link and prunes the duplicates: it takes as
 *       many rounds as the overlay's eccentricity (about 8 at 10,000 nodes), within the target;</li>
 *   <li>later broadcasts travel the one tree that all origins share (Plumtree has no per-origin trees,
 *       and a GOSSIP message carries no origin that could select one). From a random origin the path
 *       through that tree can be twice its depth: about 20 rounds at 10,000 nodes, so this misses the
 *       target; the tree optimisation keeps it from growing further;</li>
 *   <li>a cold start misses the 30-round target by a wide margin. Its time is not hops: the broadcasts of
 *       the first nodes run over an overlay of a few nodes, the others learn of them only from the
 *       history a new neighbour announces, and concurrent floods over a fresh overlay prune the tree into
 *       pieces that are re-joined by grafts after the 1 s graft timeout. In the real node, catalog sync
 *       fills catalogs as well.</li>
 * </ul>
 * Messages per node stay flat in N.
 */
class GossipScaleTest {

    private static final String[] PLUMTREE = {"Gossip", "IHave", "Graft", "GraftLinkOnly", "Prune"};
    private static final GossipConfig CONFIG = GossipConfig.defaults();
    private static final GossipSimulator.Options RANDOM = GossipSimulator.Options.defaults();
    private static final GossipSimulator.Options CONSTANT = new GossipSimulator.Options(10, 10, 0.0, 500, 100);
    private static final int LATER = 4;

    record Row(int nodes, String latency, int firstHops, double firstMessages, int laterHops,
            double laterMessages, double delivered, long wallMillis) {
    }

    record ColdStart(int nodes, String latency, long millis, int maxHops, double messagesPerNode,
            double plumtreePerNodePerEntry, double delivered, long wallMillis) {
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void oneChangeOverLargeOverlaysAndAColdStart() {
        List<Row> rows = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format(
                "%n%7s %-9s %11s %11s %11s %11s %10s %8s%n", "N", "latency", "first hops", "first msgs",
                "later hops", "later msgs", "delivered", "wall ms"));
        for (int nodes : new int[] {100, 1_000, 10_000}) {
            for (boolean constant : new boolean[] {true, false}) {
                Row row = broadcasts(nodes, constant, 7);
                rows.add(row);
                table.append(String.format("%7d %-9s %11d %11.2f %11d %11.2f %10.5f %8d%n", row.nodes(),
                        row.latency(), row.firstHops(), row.firstMessages(), row.laterHops(), row.laterMessages(),
                        row.delivered(), row.wallMillis()));
            }
        }
        ColdStart cold = coldStart(1_000, 7);
        table.append(String.format("%n%7s %-9s %12s %8s %8s %14s %19s %10s %8s%n", "N", "latency", "full after",
                "rounds", "max hops", "msgs per node", "plumtree/node/entry", "delivered", "wall ms"));
        table.append(String.format("%7d %-9s %9d ms %8d %8d %14.0f %19.2f %10.5f %8d%n", cold.nodes(),
                cold.latency(), cold.millis(), cold.millis() / CONSTANT.minLatency(), cold.maxHops(),
                cold.messagesPerNode(), cold.plumtreePerNodePerEntry(), cold.delivered(), cold.wallMillis()));
        System.out.println(table);

        for (Row row : rows) {
            assertThat(row.delivered()).as("%s", row).isEqualTo(1.0);
            // O(1) per node: a first broadcast sends each message once over every link (about the active
            // view size per node), a later one one GOSSIP and a few IHAVEs per node
            assertThat(row.firstMessages()).as("%s", row).isLessThan(2.0 * CONFIG.activeViewSize());
            assertThat(row.laterMessages()).as("%s", row).isLessThan(CONFIG.activeViewSize() + 1.0);
            if (row.latency().equals("constant")) {
                assertThat(row.firstHops()).as("%s: rounds of a first broadcast", row).isLessThanOrEqualTo(15);
            }
        }
        // printed, not asserted: the later-broadcast rounds and the cold-start rounds (see the class comment)
        assertThat(cold.delivered()).as("%s", cold).isEqualTo(1.0);
        assertThat(cold.plumtreePerNodePerEntry()).as("%s", cold).isLessThan(CONFIG.activeViewSize());
    }

    /** An overlay grown through node 0; one first broadcast, then {@value #LATER} more from random nodes. */
    private static Row broadcasts(int nodes, boolean constant, long seed) {
        long started = System.nanoTime();
        GossipSimulator sim = GossipSimulationTest.joinedThroughNodeZero(seed, nodes, 1,
                constant ? CONSTANT : RANDOM, 25_000);
        SplittableRandom random = new SplittableRandom(seed);
        int firstHops = 0;
        double firstMessages = 0;
        int laterHops = 0;
        double laterMessages = 0;
        long delivered = 0;
        for (int b = 0; b <= LATER; b++) {
            sim.resetCounters();
            Digest id = sim.broadcast(random.nextInt(nodes), new byte[64]);
            sim.runUntil(sim.now() + 3_000); // past the last hop, IHAVE batch, and any graft
            int hops = sim.maxRound.getOrDefault(id, 0);
            double messages = (double) sim.totalSent(PLUMTREE) / nodes;
            delivered += Arrays.stream(sim.deliveries.get(id)).filter(c -> c > 0).count();
            if (b == 0) {
                firstHops = hops;
                firstMessages = messages;
            } else {
                laterHops = Math.max(laterHops, hops);
                laterMessages += messages / LATER;
            }
        }
        return new Row(nodes, constant ? "constant" : "1-20 ms", firstHops, firstMessages, laterHops, laterMessages,
                (double) delivered / nodes / (LATER + 1), (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * All nodes start at once and join through node 0; each broadcasts its own entry when it gets its
     * first neighbour, as the discovery shell does. Runs until every node has every other node's entry.
     */
    private static ColdStart coldStart(int nodes, long seed) {
        long started = System.nanoTime();
        GossipSimulator sim = new GossipSimulator(seed, nodes, CONFIG, CONSTANT);
        boolean[] announced = new boolean[nodes];
        long[] delivered = new long[1];
        long[] lastDelivery = new long[1];
        sim.onNeighborEvent = (node, event) -> {
            if (event instanceof GossipOutput.NeighborUp && !announced[node]) {
                announced[node] = true;
                sim.at(sim.now(), () -> sim.broadcast(node, new byte[64]));
            }
        };
        sim.onDelivery = (node, delivery) -> {
            delivered[0]++;
            lastDelivery[0] = sim.now();
        };
        for (int i = 1; i < nodes; i++) {
            int node = i;
            sim.at(0, () -> sim.join(node, 0));
        }
        long all = (long) nodes * (nodes - 1);
        while (delivered[0] < all && sim.now() < 30_000) {
            sim.runUntil(sim.now() + 100);
        }
        long reached = 0;
        for (int[] counts : sim.deliveries.values()) {
            reached += Arrays.stream(counts).filter(c -> c == 1).count() - 1; // the originator counts as 1
        }
        int maxHops = sim.maxRound.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        long total = sim.sent.values().stream().mapToLong(Long::longValue).sum();
        return new ColdStart(nodes, "constant", lastDelivery[0], maxHops, (double) total / nodes,
                (double) sim.totalSent(PLUMTREE) / nodes / nodes, (double) reached / all,
                (System.nanoTime() - started) / 1_000_000);
    }
}
