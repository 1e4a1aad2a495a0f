package io.mosaik.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Discovery between real nodes in one JVM on loopback, with default settings, and prints a table. For
 * 3, 10 and 30 nodes that all have the same single bootstrap peer and start together:
 * <ul>
 *   <li>the time until every node's catalog holds every other node, and what each node sent to get
 *       there (gossip messages, catalog syncs, bytes on the wire);</li>
 *   <li>the time until a change of one node's tags is in every other node's catalog (several changes,
 *       from different nodes; the target is 2 s at 30 nodes).</li>
 * </ul>
 * Every wait is bounded (120 s); a run that does not converge prints "timeout".
 *
 * <p>Run: {@code scripts/bench-discovery.sh [sizes...]}, default {@code 3 10 30}.
 */
public final class DiscoveryBenchmark {

    private static final int TAG_CHANGES = 5;
    private static final long TIMEOUT_SECONDS = 120;

    private DiscoveryBenchmark() {
    }

    /**
     * Runs the sizes given (default 3, 10, 30) and prints the table.
     *
     * @param args cluster sizes
     * @throws Exception if a node cannot start
     */
    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {3, 10, 30} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        List<String> rows = new ArrayList<>();
        for (int size : sizes) {
            rows.add(run(size));
        }
        System.out.println();
        System.out.printf("%5s | %14s | %13s | %9s | %10s | %s%n", "nodes", "full catalogs", "gossip msgs/n",
                "syncs/n", "KiB sent/n", "tag change seen by all: median / max (ms)");
        System.out.println("-".repeat(100));
        rows.forEach(System.out::println);
        System.out.printf("%nJDK %s, %d cores, %s; default discovery settings, tcp transport%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"));
        System.exit(0);
    }

    private static String run(int size) throws Exception {
        NetworkId network = NetworkId.of("mosaik-bench-discovery-" + size + "-" + System.nanoTime());
        List<Network> nodes = new ArrayList<>();
        try {
            long started = System.nanoTime();
            Network seed = Network.builder(network).meterRegistry(new SimpleMeterRegistry())
                    .discovery(io.mosaik.discovery.DiscoveryConfig.defaults().withTags(List.of(Tag.of("node-0"))))
                    .start();
            nodes.add(seed);
            for (int i = 1; i < size; i++) {
                nodes.add(Network.builder(network).meterRegistry(new SimpleMeterRegistry()).bootstrap(List.of(seed.address()))
                        .discovery(io.mosaik.discovery.DiscoveryConfig.defaults().withTags(List.of(Tag.of("node-" + i))))
                        .start());
            }
            String full;
            try {
                CompletableFuture.allOf(nodes.stream().map(node -> node.discovery().when().peers(size - 1))
                        .toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                full = String.format("%,d ms", (System.nanoTime() - started) / 1_000_000);
            } catch (java.util.concurrent.TimeoutException e) {
                full = "timeout";
            }
            double messages = nodes.stream().mapToDouble(node -> count(node.meterRegistry(),
                    "mosaik.discovery.gossip.messages.sent")).sum() / size;
            double syncs = nodes.stream().mapToDouble(node -> count(node.meterRegistry(),
                    "mosaik.discovery.catalog.syncs")).sum() / size;
            double kib = nodes.stream().mapToDouble(node -> node.meterRegistry().find("mosaik.network.egress.bytes")
                    .counters().stream().mapToDouble(Counter::count).sum()).sum() / size / 1024;

            long[] millis = new long[TAG_CHANGES];
            for (int change = 0; change < TAG_CHANGES; change++) {
                Network changed = nodes.get((change * 7 + 1) % size);
                Tag tag = Tag.of("change-" + change);
                long begin = System.nanoTime();
                List<CompletableFuture<?>> seen = new ArrayList<>();
                for (Network node : nodes) {
                    if (node != changed) {
                        seen.add(node.discovery().when().matching(catalog -> catalog.getSigned(changed.peerId(),
                                System.currentTimeMillis()).map(entry -> entry.entry().hasTag(tag)).orElse(false)));
                    }
                }
                changed.discovery().addTags(List.of(tag));
                try {
                    CompletableFuture.allOf(seen.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    millis[change] = (System.nanoTime() - begin) / 1_000_000;
                } catch (java.util.concurrent.TimeoutException e) {
                    millis[change] = -1;
                }
            }
            long[] sorted = millis.clone();
            Arrays.sort(sorted);
            String tags = sorted[0] < 0 ? "timeout" : sorted[TAG_CHANGES / 2] + " / " + sorted[TAG_CHANGES - 1];
            return String.format("%5d | %14s | %13.1f | %9.1f | %10.1f | %s", size, full, messages, syncs, kib, tags);
        } finally {
            nodes.parallelStream().forEach(Network::close);
        }
    }

    private static double count(MeterRegistry registry, String name) {
        Counter counter = registry.find(name).counter();
        return counter == null ? 0 : counter.count();
    }
}
