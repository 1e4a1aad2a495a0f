package io.mosaik.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.groups.ApplyContext;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupKey;
import io.mosaik.groups.StateMachine;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Groups benchmark, workload "counter" (8-byte commands, the reply is the new value): a 3-member group
 * with every member in this JVM on loopback (tcp), in-memory log. Latency with 1 command outstanding,
 * committed commands per second with 64 outstanding, each from the leader and from a follower (which
 * forwards to the leader), then the time from the leader's graceful close to the first write that
 * commits after it.
 *
 * <pre>scripts/bench-groups.sh [seconds-per-phase, default 5]</pre>
 */
public final class GroupsBenchmark {

    private static final NetworkId NETWORK = NetworkId.of("bench-groups");

    /** The counter: a command adds its delta and answers the new value. */
    static final class Counter implements StateMachine<Long, Long, Long> {
        private long value;

        @Override
        public Class<Long> commandType() {
            return Long.class;
        }

        @Override
        public Class<Long> queryType() {
            return Long.class;
        }

        @Override
        public Class<Long> resultType() {
            return Long.class;
        }

        @Override
        public Long apply(Long delta, ApplyContext context) {
            value += delta;
            return value;
        }

        @Override
        public Long query(Long ignored) {
            return value;
        }

        @Override
        public byte[] snapshot() {
            return java.nio.ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            value = java.nio.ByteBuffer.wrap(snapshot).getLong();
        }
    }

    private GroupsBenchmark() {
    }

    /**
     * Runs every phase and prints a table.
     *
     * @param args the seconds per phase (default 5)
     */
    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 5);
        List<Network> nodes = new ArrayList<>();
        List<Group<Long, Long, Long>> groups = new ArrayList<>();
        GroupKey key = GroupKey.random();
        for (int i = 0; i < 3; i++) {
            Network.Builder builder = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry());
            if (i > 0) {
                builder.bootstrap(List.of(nodes.getFirst().address()));
            }
            Network node = builder.start();
            nodes.add(node);
            groups.add(node.groups().join(key, new Counter()));
        }
        groups.getFirst().when().leaderElected().get(60, TimeUnit.SECONDS);
        while (groups.stream().anyMatch(g -> g.status().voters().size() < 3 || g.leader().isEmpty())) {
            groups.getFirst().when().committed(groups.getFirst().status().commitIndex() + 1)
                    .completeOnTimeout(null, 200, TimeUnit.MILLISECONDS).get();
        }
        Group<Long, Long, Long> leader = groups.stream().filter(Group::isLeader).findFirst().orElseThrow();
        Group<Long, Long, Long> follower = groups.stream().filter(g -> !g.isLeader()).findFirst().orElseThrow();

        throughput(leader, 64, phase); // warm-up
        List<String> rows = new ArrayList<>();
        for (var entry : List.of(java.util.Map.entry("leader", leader), java.util.Map.entry("follower", follower))) {
            LatencyHistogram latencies = latency(entry.getValue(), phase);
            double rate = throughput(entry.getValue(), 64, phase);
            rows.add(String.format("%-8s | %8.0f | %8.0f | %10.0f | %,14.0f", entry.getKey(),
                    latencies.percentileMicros(50), latencies.percentileMicros(99),
                    latencies.count() / (double) phase.toSeconds(), rate));
        }
        long handover = handover(nodes, groups);

        System.out.println();
        System.out.printf("%-8s | %8s | %8s | %10s | %14s%n", "caller", "p50 µs", "p99 µs", "1-outst/s", "64-outst ops/s");
        System.out.println("-".repeat(62));
        rows.forEach(System.out::println);
        System.out.println();
        System.out.printf("leader closed gracefully -> next write committed: %d ms%n", handover);
        nodes.forEach(Network::close);
        System.exit(0);
    }

    private static LatencyHistogram latency(Group<Long, Long, Long> group, Duration phase) throws Exception {
        LatencyHistogram histogram = new LatencyHistogram();
        long end = System.nanoTime() + phase.toNanos();
        while (System.nanoTime() < end) {
            long started = System.nanoTime();
            group.execute(1L).get(30, TimeUnit.SECONDS);
            histogram.record(System.nanoTime() - started);
        }
        return histogram;
    }

    private static double throughput(Group<Long, Long, Long> group, int outstanding, Duration phase) throws Exception {
        Semaphore permits = new Semaphore(outstanding);
        AtomicLong done = new AtomicLong();
        long started = System.nanoTime();
        long end = started + phase.toNanos();
        while (System.nanoTime() < end) {
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            group.execute(1L).whenComplete((ok, error) -> {
                if (error == null) {
                    done.incrementAndGet();
                }
                permits.release();
            });
        }
        permits.acquire(outstanding); // let the last ones finish
        return done.get() / ((System.nanoTime() - started) / 1e9);
    }

    /** Closes the leader's node and times the first write (from another member) that commits after. */
    private static long handover(List<Network> nodes, List<Group<Long, Long, Long>> groups) throws Exception {
        int leader = 0;
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).isLeader()) {
                leader = i;
            }
        }
        Group<Long, Long, Long> other = groups.get((leader + 1) % groups.size());
        long started = System.nanoTime();
        nodes.get(leader).close();
        while (true) {
            try {
                other.execute(1L).get(30, TimeUnit.SECONDS);
                return (System.nanoTime() - started) / 1_000_000;
            } catch (java.util.concurrent.ExecutionException retry) {
                // no leader yet: the next attempt goes to whoever leads by then
            }
        }
    }
}
