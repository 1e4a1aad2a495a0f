package io.mosaik.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.groups.Consistency;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupBuilder;
import io.mosaik.groups.GroupKey;
import io.mosaik.groups.raft.SyncPolicy;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of the "counter" group in a JVM of its own, driven by {@link GroupProcessBenchmark} over
 * standard input and output (one line per request and answer). The load loops run inside the member,
 * as an application embedding the group would call it.
 *
 * <pre>
 * args: &lt;memory|disk&gt; &lt;data dir&gt; &lt;identity&gt; &lt;snapshot every&gt; [&lt;bootstrap,...&gt;]
 * out:  ready &lt;address&gt;, then serving &lt;nanoTime&gt; once a strong query went through
 * in:   role | voters | lat &lt;warm s&gt; &lt;s&gt; | tput &lt;warm s&gt; &lt;s&gt; &lt;outstanding&gt; | fill &lt;n&gt; &lt;outstanding&gt;
 *       | probe | killed &lt;nanoTime&gt;
 * </pre>
 *
 * It exits when its standard input closes and after 30 minutes in any case.
 */
public final class BenchMember {

    static final NetworkId NETWORK = NetworkId.of("bench-groups-processes");
    static final GroupKey KEY = GroupKey.fromSecret("bench-groups-processes-secret");

    private BenchMember() {
    }

    /**
     * Runs the member.
     *
     * @param args storage, data directory, identity passphrase, snapshot interval, bootstrap peers
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        CompletableFuture.delayedExecutor(30, TimeUnit.MINUTES).execute(() -> Runtime.getRuntime().halt(3));
        List<PeerAddress> bootstrap = args.length > 4 && !args[4].isBlank()
                ? Arrays.stream(args[4].split(",")).map(PeerAddress::parse).toList() : List.of();
        long main = System.nanoTime();
        long jvmMillis = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        Network network = Network.builder(NETWORK).secretKey(SecretKey.fromPassphrase(args[2]))
                .meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap).start();
        long every = Long.parseLong(args[3]);
        GroupBuilder<Long, Long, Long> builder = network.groups().builder(KEY, new GroupsBenchmark.Counter())
                .snapshots(every, Math.min(every, 1_000));
        if (args[0].equals("disk")) {
            // -Dbench.sync=always|never|<millis> (in BENCH_MEMBER_JVM_ARGS) compares fsync policies
            String sync = System.getProperty("bench.sync", "always");
            builder.dataDirectory(Path.of(args[1]), switch (sync) {
                case "always" -> SyncPolicy.ALWAYS;
                case "never" -> SyncPolicy.NEVER;
                default -> SyncPolicy.batched(Duration.ofMillis(Long.parseLong(sync)));
            });
        }
        long networkStarted = System.nanoTime();
        Group<Long, Long, Long> group = builder.join();
        long joined = System.nanoTime();
        CompletableFuture<Long> online = group.when().online().thenApply(ignored -> System.nanoTime());
        out.println("ready " + network.address());
        while (true) {
            try {
                group.query(0L, Consistency.STRONG).get(10, TimeUnit.SECONDS);
                break;
            } catch (Exception notYet) {
                // no leader yet: ask again
            }
        }
        long serving = System.nanoTime();
        System.err.printf("startup: JVM to main %d ms, network %.0f ms, join %.0f ms, online %.0f ms later, "
                + "first strong query %.0f ms after the join%n", jvmMillis, (networkStarted - main) / 1e6,
                (joined - networkStarted) / 1e6, (online.getNow(serving) - joined) / 1e6, (serving - joined) / 1e6);
        out.println("serving " + serving);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Probe probe = null;
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "role" -> out.println("role " + group.status().role());
                case "voters" -> out.println("voters " + group.status().voters().size());
                case "lat" -> out.println("lat " + latency(group, seconds(w[1]), seconds(w[2])));
                case "tput" -> out.println("tput " + throughput(group, seconds(w[1]), seconds(w[2]),
                        Integer.parseInt(w[3])));
                case "fill" -> out.println("filled " + fill(group, Long.parseLong(w[1]), Integer.parseInt(w[2])));
                case "probe" -> {
                    probe = new Probe(group);
                    out.println("probing");
                }
                case "killed" -> out.println("failover " + probe.after(Long.parseLong(w[1])));
                default -> System.err.println("unknown request: " + line);
            }
        }
        network.close();
        System.exit(0);
    }

    private static long seconds(String text) {
        return TimeUnit.SECONDS.toNanos(Long.parseLong(text));
    }

    /** p50, p99, p99.9 in µs and ops/s with one command outstanding. */
    private static String latency(Group<Long, Long, Long> group, long warm, long measure) throws Exception {
        long end = System.nanoTime() + warm;
        while (System.nanoTime() < end) {
            group.execute(1L).get(30, TimeUnit.SECONDS);
        }
        LatencyHistogram histogram = new LatencyHistogram();
        long start = System.nanoTime();
        end = start + measure;
        long now = start;
        while (now < end) {
            long sent = now;
            group.execute(1L).get(30, TimeUnit.SECONDS);
            now = System.nanoTime();
            histogram.record(now - sent);
        }
        return String.format("%.0f %.0f %.0f %.0f", histogram.percentileMicros(50), histogram.percentileMicros(99),
                histogram.percentileMicros(99.9), histogram.count() * 1e9 / (now - start));
    }

    /** Committed commands per second with {@code outstanding} in flight. */
    private static String throughput(Group<Long, Long, Long> group, long warm, long measure, int outstanding)
            throws Exception {
        Semaphore permits = new Semaphore(outstanding);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long counting = start + warm;
        long end = counting + measure;
        long counted = -1;
        while (true) {
            long now = System.nanoTime();
            if (counted < 0 && now >= counting) {
                counted = done.get();
            }
            if (now >= end) {
                break;
            }
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            group.execute(1L).whenComplete((ok, failure) -> {
                if (failure == null) {
                    done.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                permits.release();
            });
        }
        long total = done.get() - Math.max(0, counted);
        permits.acquire(outstanding); // drain
        return String.format("%.0f %d", total * 1e9 / measure, failed.get());
    }

    private static String fill(Group<Long, Long, Long> group, long count, int outstanding) throws Exception {
        Semaphore permits = new Semaphore(outstanding);
        AtomicLong last = new AtomicLong();
        for (long i = 0; i < count; i++) {
            permits.acquire();
            group.execute(1L).whenComplete((ok, failure) -> {
                if (ok != null) {
                    last.accumulateAndGet(ok.index(), Math::max);
                }
                permits.release();
            });
        }
        permits.acquire(outstanding);
        return count + " " + last.get();
    }

    /**
     * The failover probe: a loop of single writes that records when each was sent and completed, and
     * when the member first saw another leader.
     */
    private static final class Probe {
        private final java.util.concurrent.ConcurrentLinkedQueue<long[]> completions =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final CompletableFuture<Long> leaderChanged = new CompletableFuture<>();
        private final CompletableFuture<long[]> firstAfterKill = new CompletableFuture<>();
        private volatile long killedAt;

        Probe(Group<Long, Long, Long> group) {
            group.when().leaderChanged().thenRun(() -> leaderChanged.complete(System.nanoTime()));
            Thread.ofPlatform().daemon().name("failover-probe").start(() -> {
                while (true) {
                    long sent = System.nanoTime();
                    try {
                        group.execute(1L).get(30, TimeUnit.SECONDS);
                        long[] completion = {sent, System.nanoTime()};
                        long killed = killedAt;
                        if (killed == 0) {
                            completions.add(completion);
                        } else if (sent > killed) {
                            firstAfterKill.complete(completion);
                        }
                    } catch (Exception failedAcrossTheKill) {
                        // resubmitted at once
                    }
                }
            });
        }

        /** Write-after-kill and new-leader times in ms, from the kill at {@code killed}. */
        String after(long killed) throws Exception {
            killedAt = killed;
            for (long[] c : completions) { // completed between the kill and this request
                if (c[0] > killed) {
                    firstAfterKill.complete(c);
                }
            }
            long[] first = firstAfterKill.get(60, TimeUnit.SECONDS);
            long leader = leaderChanged.getNow(0L);
            return String.format("%.1f %.1f", (first[1] - killed) / 1e6, leader == 0 ? -1.0 : (leader - killed) / 1e6);
        }
    }
}
