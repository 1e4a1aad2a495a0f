package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.Digest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

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
 * cold-started nodes hold full catalogs within 30 rounds. Asserted: the first broadcast over a fresh
 * overlay and an entry change (an origin's third broadcast, over the tree of its own that its earlier
 * ones shaped) within 15 rounds at constant latency, the messages per node, and a cold start of 1,000
 * nodes within 30 rounds with the catalog syncs a node does (gossip alone is printed too). Cold starts of 100
 * and 1,000 nodes run by default, larger ones on request ({@link #coldStartOfLargerNetworks}).
 * Messages per node stay flat in N.
 */
class GossipScaleTest {

    private static final String[] PLUMTREE = {"Gossip", "IHave", "Graft", "GraftLinkOnly", "Prune"};
    private static final GossipConfig CONFIG = GossipConfig.defaults();
    private static final GossipSimulator.Options RANDOM = GossipSimulator.Options.defaults();
    private static final GossipSimulator.Options CONSTANT = new GossipSimulator.Options(10, 10, 0.0, 500, 100);
    private static final int LATER = 4;
    /** Announcements of an origin before the change measured (its tree is shaped by them). */
    private static final int WARM = 2;

    record Row(int nodes, String latency, int firstHops, double firstMessages, int newOriginHops, int changeHops,
            double changeMessages, double delivered, long wallMillis) {
    }

    record ColdStart(int nodes, String latency, long lastEntrySentMillis, long millis, long syncedMillis, int maxHops,
            double messagesPerNode,
            double plumtreePerNodePerEntry, double delivered, long duplicates, long wallMillis) {
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void oneChangeOverLargeOverlaysAndAColdStart() {
        List<Row> rows = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format(
                "%n%7s %-9s %11s %11s %11s %12s %12s %10s %8s%n", "N", "latency", "first hops", "first msgs",
                "new origin", "change hops", "change msgs", "delivered", "wall ms"));
        for (int nodes : new int[] {100, 1_000, 10_000}) {
            for (boolean constant : new boolean[] {true, false}) {
                Row row = broadcasts(nodes, constant, 7);
                rows.add(row);
                table.append(String.format("%7d %-9s %11d %11.2f %11d %12d %12.2f %10.5f %8d%n", row.nodes(),
                        row.latency(), row.firstHops(), row.firstMessages(), row.newOriginHops(), row.changeHops(),
                        row.changeMessages(), row.delivered(), row.wallMillis()));
            }
        }
        List<ColdStart> colds = List.of(coldStart(100, 7), coldStart(1_000, 7));
        table.append(coldStartTable(colds));
        System.out.println(table);

        for (Row row : rows) {
            assertThat(row.delivered()).as("%s", row).isEqualTo(1.0);
            // O(1) per node: a first broadcast sends each message once over every link (about the active
            // view size per node), a later one one GOSSIP and a few IHAVEs per node
            assertThat(row.firstMessages()).as("%s", row).isLessThan(2.0 * CONFIG.activeViewSize());
            assertThat(row.changeMessages()).as("%s", row).isLessThan(CONFIG.activeViewSize() + 1.0);
            if (row.latency().equals("constant")) {
                assertThat(row.firstHops()).as("%s: rounds of a first broadcast", row).isLessThanOrEqualTo(15);
                assertThat(row.changeHops()).as("%s: rounds of an entry change", row).isLessThanOrEqualTo(15);
            }
        }
        for (ColdStart cold : colds) {
            assertThat(cold.delivered()).as("%s", cold).isEqualTo(1.0);
            // each entry is its origin's first message, which floods: at most a first broadcast's cost
            assertThat(cold.plumtreePerNodePerEntry()).as("%s", cold).isLessThan(2.0 * CONFIG.activeViewSize());
        }
        ColdStart thousand = colds.get(1);
        assertThat(thousand.plumtreePerNodePerEntry()).as("%s", thousand).isLessThan(CONFIG.activeViewSize());
        assertThat(thousand.syncedMillis() / CONSTANT.minLatency()).as("%s: rounds until every catalog is full",
                thousand).isGreaterThan(0).isLessThanOrEqualTo(30);
    }

    /**
     * Cold starts of more nodes, which take minutes and gigabytes: every node's entry floods the overlay
     * once (its origin's first message), all at once, and every core caches thousands of them and keeps a
     * tree and a seen id per origin, so the work and the simulator's heap grow with N². Run with
     * {@code -Dmosaik.gossip.coldStart=2000,5000} (node counts, comma separated); 10,000 nodes take 25
     * minutes and a 16 GB heap ({@code -Dtest.argLine=-Xmx16g}). docs/benchmarks.md has the numbers.
     */
    @Test
    @EnabledIfSystemProperty(named = "mosaik.gossip.coldStart", matches = "[0-9_]+(,[0-9_]+)*")
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void coldStartOfLargerNetworks() {
        List<ColdStart> colds = new ArrayList<>();
        for (String nodes : System.getProperty("mosaik.gossip.coldStart").split(",")) {
            colds.add(coldStart(Integer.parseInt(nodes.replace("_", "")), 7));
        }
        System.out.println(coldStartTable(colds));
        for (ColdStart cold : colds) {
            assertThat(cold.delivered()).as("%s", cold).isEqualTo(1.0);
            assertThat(cold.syncedMillis()).as("%s: every catalog got full", cold).isPositive();
        }
    }

    /**
     * Rounds are counted from the start, when every node starts at once; "last entry out" is when the last
     * node got its first neighbour and sent its entry, and "rounds after" count from then: the time a
     * catalog needs once every node is linked, apart from the time the overlay takes to take everyone in.
     */
    private static String coldStartTable(List<ColdStart> colds) {
        StringBuilder table = new StringBuilder(String.format(
                "%n%7s %14s %12s %7s %12s %7s %13s %8s %14s %19s %10s %10s %8s%n", "N", "last entry out",
                "gossip only", "rounds", "with syncs", "rounds", "rounds after", "max hops", "msgs per node",
                "plumtree/node/entry", "delivered", "duplicates", "wall ms"));
        for (ColdStart cold : colds) {
            long rounds = CONSTANT.minLatency();
            table.append(String.format("%7d %11d ms %9d ms %7d %9d ms %7d %13d %8d %14.0f %19.2f %10.5f %10d %8d%n",
                    cold.nodes(), cold.lastEntrySentMillis(), cold.millis(), cold.millis() / rounds,
                    cold.syncedMillis(), cold.syncedMillis() / rounds,
                    (cold.syncedMillis() - cold.lastEntrySentMillis()) / rounds, cold.maxHops(),
                    cold.messagesPerNode(), cold.plumtreePerNodePerEntry(), cold.delivered(), cold.duplicates(),
                    cold.wallMillis()));
        }
        return table.toString();
    }

    /**
     * An overlay grown through node 0; one first broadcast; then {@value #LATER} random origins each
     * broadcast their entry ({@code new origin}: their tree starts with every link, so it floods) and,
     * {@value #WARM} announcements later, a change of it ({@code change}: over the tree their earlier
     * messages shaped). In a running network every node has announced its entry before it changes it.
     */
    private static Row broadcasts(int nodes, boolean constant, long seed) {
        long started = System.nanoTime();
        GossipSimulator sim = GossipSimulationTest.joinedThroughNodeZero(seed, nodes, 1,
                constant ? CONSTANT : RANDOM, 25_000);
        SplittableRandom random = new SplittableRandom(seed);
        sim.resetCounters();
        Digest first = sim.broadcast(random.nextInt(nodes), new byte[64]);
        sim.runUntil(sim.now() + 3_000); // past the last hop, IHAVE batch, and any graft
        int firstHops = sim.maxRound.getOrDefault(first, 0);
        double firstMessages = (double) sim.totalSent(PLUMTREE) / nodes;
        long delivered = Arrays.stream(sim.deliveries.get(first)).filter(c -> c > 0).count();
        int newOriginHops = 0;
        int changeHops = 0;
        double changeMessages = 0;
        for (int b = 0; b < LATER; b++) {
            int origin = random.nextInt(nodes);
            for (int announcement = 0; announcement <= WARM; announcement++) {
                sim.resetCounters();
                Digest id = sim.broadcast(origin, new byte[64]);
                sim.runUntil(sim.now() + 3_000);
                int hops = sim.maxRound.getOrDefault(id, 0);
                delivered += Arrays.stream(sim.deliveries.get(id)).filter(c -> c > 0).count();
                if (announcement == 0) {
                    newOriginHops = Math.max(newOriginHops, hops);
                } else if (announcement == WARM) {
                    changeHops = Math.max(changeHops, hops);
                    changeMessages += (double) sim.totalSent(PLUMTREE) / nodes / LATER;
                }
            }
        }
        return new Row(nodes, constant ? "constant" : "1-20 ms", firstHops, firstMessages, newOriginHops, changeHops,
                changeMessages, (double) delivered / nodes / (1 + LATER * (WARM + 1)),
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * All nodes start at once and join through node 0; each broadcasts its own entry when it gets its
     * first neighbour, as the discovery shell does. Runs until every node has every other node's entry,
     * by gossip alone ({@code millis}), and as a real node also fills its catalog ({@code syncedMillis}):
     * it syncs catalogs (a push-pull exchange, one round trip) with its bootstrap peer when it connects
     * and with each new gossip neighbour it did not know, and learns what the exchange carries.
     */
    private static ColdStart coldStart(int nodes, long seed) {
        long started = System.nanoTime();
        GossipSimulator sim = new GossipSimulator(seed, nodes, CONFIG, CONSTANT);
        boolean[] announced = new boolean[nodes];
        long[] delivered = new long[1];
        long[] lastDelivery = new long[1];
        long[] lastEntrySent = new long[1];
        Map<Digest, Integer> originOf = new HashMap<>();
        BitSet[] catalogs = new BitSet[nodes];
        long[] known = {nodes};
        long[] syncedAt = {-1};
        for (int i = 0; i < nodes; i++) {
            catalogs[i] = new BitSet(nodes);
            catalogs[i].set(i);
        }
        long all = (long) nodes * (nodes - 1);
        Runnable checkFull = () -> {
            if (syncedAt[0] < 0 && known[0] == (long) nodes * nodes) {
                syncedAt[0] = sim.now();
            }
        };
        java.util.function.BiConsumer<Integer, Integer> learn = (node, origin) -> {
            if (!catalogs[node].get(origin)) {
                catalogs[node].set(origin);
                known[0]++;
            }
        };
        java.util.function.BiConsumer<Integer, Integer> sync = (a, b) -> {
            // the exchange takes a round trip: both sides learn what the other held when it was asked
            BitSet ofA = (BitSet) catalogs[a].clone();
            BitSet ofB = (BitSet) catalogs[b].clone();
            sim.at(sim.now() + 2 * CONSTANT.minLatency(), () -> {
                ofB.stream().forEach(origin -> learn.accept(a, origin));
                ofA.stream().forEach(origin -> learn.accept(b, origin));
                checkFull.run();
            });
        };
        sim.onNeighborEvent = (node, event) -> {
            if (event instanceof GossipOutput.NeighborUp up) {
                int peer = sim.indexOf(up.address().peerId());
                if (peer >= 0 && !catalogs[node].get(peer)) {
                    sync.accept(node, peer);
                }
                if (!announced[node]) {
                    announced[node] = true;
                    lastEntrySent[0] = sim.now();
                    sim.at(sim.now(), () -> originOf.put(sim.broadcast(node, new byte[64]), node));
                }
            }
        };
        sim.onDelivery = (node, delivery) -> {
            delivered[0]++;
            lastDelivery[0] = sim.now();
            Integer origin = originOf.get(delivery.id());
            if (origin != null) {
                learn.accept(node, origin);
                checkFull.run();
            }
        };
        for (int i = 1; i < nodes; i++) {
            int node = i;
            sim.at(0, () -> {
                sim.join(node, 0);
                sync.accept(node, 0); // the bootstrap peer, as soon as the connection is up
            });
        }
        while ((delivered[0] < all || syncedAt[0] < 0) && sim.now() < 30_000) {
            sim.runUntil(sim.now() + 100);
        }
        long reached = 0;
        long duplicates = 0;
        for (int[] counts : sim.deliveries.values()) {
            reached += Arrays.stream(counts).filter(c -> c == 1).count() - 1; // the originator counts as 1
            duplicates += Arrays.stream(counts).filter(c -> c > 1).map(c -> c - 1).sum();
        }
        int maxHops = sim.maxRound.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        long total = sim.sent.values().stream().mapToLong(Long::longValue).sum();
        return new ColdStart(nodes, "constant", lastEntrySent[0], lastDelivery[0], syncedAt[0], maxHops, (double) total / nodes,
                (double) sim.totalSent(PLUMTREE) / nodes / nodes, (double) reached / all, duplicates,
                (System.nanoTime() - started) / 1_000_000);
    }
}
