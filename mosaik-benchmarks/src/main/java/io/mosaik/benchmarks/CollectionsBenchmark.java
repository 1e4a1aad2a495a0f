package io.mosaik.benchmarks;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.collections.ReplicatedMap;
import io.mosaik.collections.ReplicatedMapWriter;
import io.mosaik.collections.Version;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collections benchmark: a replicated map of {@code Long} to {@code Long} written by three writer nodes
 * (the voters of its group) in this JVM on loopback (tcp), default collection settings (in memory,
 * snapshots every 10,000 writes).
 *
 * <ol>
 *   <li>{@code put} latency with 1 write in flight and throughput with 64 in flight, from the writer on
 *       the leader's node and from a writer on a follower's node (which forwards to the leader); a write
 *       completes when the writing node has applied it;</li>
 *   <li>the map is filled to {@code entries} keys (default 1,000,000) by {@code putAll} batches of 100;
 *       then a fourth node starts and opens a reader (a non-voting replica): the time until it reaches the
 *       last write's version, and how it got there (snapshot installs, chunks fetched from members other
 *       than the leader);</li>
 *   <li>{@code get} latency, timed one call at a time over random keys the map holds: on that reader and
 *       on the leader's writer (a million entries each), and on a reader of a second map of 10,000.</li>
 * </ol>
 * </ol>
 *
 * <pre>scripts/bench-collections.sh [seconds-per-phase, default 5] [entries, default 1000000]</pre>
 */
public final class CollectionsBenchmark {

    private static final NetworkId NETWORK = NetworkId.of("bench-collections");
    private static final String STORE = "bench";
    private static final String SMALL_STORE = "bench-small";
    private static final int SMALL_ENTRIES = 10_000;
    private static final int READS = 2_000_000;

    private CollectionsBenchmark() {
    }

    /**
     * Runs every phase and prints the tables.
     *
     * @param args the seconds per phase (default 5) and the entries of the catch-up map (default 1,000,000)
     */
    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 5);
        int entries = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        List<Network> nodes = new ArrayList<>();
        List<ReplicatedMapWriter<Long, Long>> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Network node = node(nodes);
            writers.add(node.collections().map(STORE, Long.class, Long.class).writer());
        }
        for (ReplicatedMapWriter<Long, Long> writer : writers) {
            writer.when().online().get(60, TimeUnit.SECONDS);
        }
        ReplicatedMapWriter<Long, Long> onLeader = writers.stream()
                .filter(w -> w.leader().orElseThrow().equals(w.status().self())).findFirst().orElseThrow();
        ReplicatedMapWriter<Long, Long> onFollower = writers.stream().filter(w -> w != onLeader).findFirst()
                .orElseThrow();

        Keys keys = new Keys(entries);
        throughput(onLeader, keys, 64, phase); // warm-up
        List<String> writeRows = new ArrayList<>();
        for (var writer : List.of(Map.entry("leader", onLeader), Map.entry("follower", onFollower))) {
            LatencyHistogram latencies = latency(writer.getValue(), keys, phase);
            double rate = throughput(writer.getValue(), keys, 64, phase);
            writeRows.add(String.format("%-8s | %8.0f | %8.0f | %10.0f | %,14.0f", writer.getKey(),
                    latencies.percentileMicros(50), latencies.percentileMicros(99),
                    latencies.count() / (double) phase.toSeconds(), rate));
        }

        long fillStarted = System.nanoTime();
        Version last = fill(onLeader, entries);
        double fillSeconds = (System.nanoTime() - fillStarted) / 1e9;
        for (ReplicatedMapWriter<Long, Long> writer : writers) {
            writer.when().reaches(last).get(120, TimeUnit.SECONDS);
        }
        long logEntries = onLeader.status().storage().lastIndex() - onLeader.status().storage().firstIndex() + 1;

        long started = System.nanoTime();
        Network late = node(nodes);
        long nodeStarted = System.nanoTime();
        ReplicatedMap<Long, Long> joiner = late.collections().map(STORE, Long.class, Long.class).reader();
        joiner.when().reaches(last).get(300, TimeUnit.SECONDS);
        long caughtUp = System.nanoTime();
        if (joiner.size() != onLeader.size()) {
            throw new IllegalStateException("the late reader holds " + joiner.size() + " entries, the writer "
                    + onLeader.size());
        }
        double installs = counter(late, "mosaik.collections.syncs", "store", STORE);
        double fetched = counter(late, "mosaik.groups.snapshot.chunks.fetched", null, null);

        ReplicatedMapWriter<Long, Long> smallWriter = nodes.getFirst().collections()
                .map(SMALL_STORE, Long.class, Long.class).writer();
        smallWriter.when().online().get(60, TimeUnit.SECONDS);
        Version smallLast = fill(smallWriter, SMALL_ENTRIES);
        ReplicatedMap<Long, Long> smallReader = late.collections().map(SMALL_STORE, Long.class, Long.class).reader();
        smallReader.when().reaches(smallLast).get(60, TimeUnit.SECONDS);
        List<String> readRows = new ArrayList<>();
        readRows.add(reads("reader", joiner));
        readRows.add(reads("writer", onLeader));
        readRows.add(reads("reader", smallReader));

        System.out.println();
        System.out.printf("Map<Long, Long> put, 3 writer nodes (%d s per phase)%n", phase.toSeconds());
        System.out.printf("%-8s | %8s | %8s | %10s | %14s%n", "writer", "p50 µs", "p99 µs", "1-in-fl/s",
                "64-in-fl puts/s");
        System.out.println("-".repeat(62));
        writeRows.forEach(System.out::println);
        System.out.println();
        System.out.printf("get, %,d calls timed one by one, random keys the map holds%n", READS);
        System.out.printf("%-8s | %9s | %8s | %8s | %8s%n", "replica", "entries", "p50 ns", "p99 ns", "p99.9 ns");
        System.out.println("-".repeat(54));
        readRows.forEach(System.out::println);
        System.out.println();
        System.out.printf("filled to %,d entries by putAll of 100 in %.1f s; leader's log holds %,d entries%n",
                onLeader.size(), fillSeconds, logEntries);
        System.out.printf("late reader caught up with %,d entries: %,d ms from node start (%,d ms from opening"
                        + " the reader), %.0f snapshot install(s), %.0f chunks fetched from members other than"
                        + " the leader%n", joiner.size(), (caughtUp - started) / 1_000_000,
                (caughtUp - nodeStarted) / 1_000_000, installs, fetched);
        nodes.forEach(Network::close);
        System.exit(0);
    }

    private static double counter(Network node, String name, String tag, String value) {
        var search = node.meterRegistry().find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        FunctionCounter function = search.functionCounter();
        if (function != null) {
            return function.count();
        }
        var counter = search.counter();
        return counter == null ? Double.NaN : counter.count();
    }

    private static Network node(List<Network> nodes) throws java.io.IOException {
        Network.Builder builder = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry());
        if (!nodes.isEmpty()) {
            builder.bootstrap(List.of(nodes.getFirst().address()));
        }
        Network node = builder.start();
        nodes.add(node);
        return node;
    }

    /** The keys {@code 0..entries-1}, boxed in advance: ascending for puts (wrapping), or at random. */
    private static final class Keys {
        private final Long[] boxed;
        private int next;

        Keys(int entries) {
            boxed = new Long[entries];
            for (int i = 0; i < entries; i++) {
                boxed[i] = (long) i;
            }
        }

        Long next() {
            Long key = boxed[next];
            next = next + 1 == boxed.length ? 0 : next + 1;
            return key;
        }

        Long random(SplittableRandom random) {
            return boxed[random.nextInt(boxed.length)];
        }
    }

    private static LatencyHistogram latency(ReplicatedMapWriter<Long, Long> writer, Keys keys, Duration phase)
            throws Exception {
        LatencyHistogram histogram = new LatencyHistogram();
        long end = System.nanoTime() + phase.toNanos();
        while (System.nanoTime() < end) {
            Long key = keys.next();
            long started = System.nanoTime();
            writer.put(key, key).get(30, TimeUnit.SECONDS);
            histogram.record(System.nanoTime() - started);
        }
        return histogram;
    }

    private static double throughput(ReplicatedMapWriter<Long, Long> writer, Keys keys, int inFlight,
                                     Duration phase) throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long started = System.nanoTime();
        long end = started + phase.toNanos();
        while (System.nanoTime() < end && failure.get() == null) {
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            Long key = keys.next();
            writer.put(key, key).whenComplete((version, error) -> {
                if (error == null) {
                    done.incrementAndGet();
                } else {
                    failure.compareAndSet(null, error);
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) { // let the last ones finish
            throw new IllegalStateException("writes still in flight after 60 s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a write failed", failure.get());
        }
        return done.get() / ((System.nanoTime() - started) / 1e9);
    }

    /** Times {@code get} one call at a time on keys the map holds, after as many untimed calls. */
    private static String reads(String name, ReplicatedMap<Long, Long> map) {
        Keys keys = new Keys((int) map.size()); // the map holds every key below its size
        SplittableRandom random = new SplittableRandom(42);
        long found = 0;
        for (int i = 0; i < READS; i++) {
            found += map.get(keys.random(random)).isPresent() ? 1 : 0;
        }
        long[] nanos = new long[READS];
        long touched = 0;
        for (int i = 0; i < READS; i++) {
            Long key = keys.random(random);
            touched += key; // the key as a caller has it: in the cache, not a miss inside the timed call
            long started = System.nanoTime();
            boolean present = map.get(key).isPresent();
            nanos[i] = System.nanoTime() - started;
            found += present ? 1 : 0;
        }
        if (found != 2L * READS || touched < 0) {
            throw new IllegalStateException(name + ": " + (2L * READS - found) + " keys were missing");
        }
        java.util.Arrays.sort(nanos);
        return String.format("%-8s | %,9d | %8d | %8d | %8d", name, map.size(), nanos[READS / 2],
                nanos[(int) (READS * 0.99)], nanos[(int) (READS * 0.999)]);
    }

    /** Writes every key of {@code 0..entries-1} by {@code putAll} batches of 100, 16 batches in flight. */
    private static Version fill(ReplicatedMapWriter<Long, Long> writer, int entries) throws Exception {
        Semaphore permits = new Semaphore(16);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Version> last = new AtomicReference<>(Version.ZERO);
        List<CompletableFuture<Version>> pending = new ArrayList<>();
        for (long first = 0; first < entries && failure.get() == null; first += 100) {
            Map<Long, Long> batch = new HashMap<>();
            for (long key = first; key < Math.min(entries, first + 100); key++) {
                batch.put(key, key);
            }
            if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a putAll took over 60 s");
            }
            CompletableFuture<Version> write = writer.putAll(batch).whenComplete((version, error) -> {
                if (error == null) {
                    last.accumulateAndGet(version, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                } else {
                    failure.compareAndSet(null, error);
                }
                permits.release();
            });
            pending.add(write);
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        return last.get();
    }
}
