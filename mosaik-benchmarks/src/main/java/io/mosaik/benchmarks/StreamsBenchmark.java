package io.mosaik.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.TransportKind;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.streams.Consumer;
import io.mosaik.streams.Producer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Streams on loopback, every node in one JVM, and prints tables:
 * <ul>
 *   <li><b>throughput</b>: one producer to 1 and to 4 consumers (each on its own node), datums of about
 *       64 B and 1 KiB encoded, for each transport; the producer runs at most 4,096 datums ahead of the
 *       slowest consumer (so nobody is disconnected as too slow). The ceiling ("raw link") sends the same
 *       encoded bytes over plain links of the same transport, same framing, no streams layer, no codec,
 *       in the direction a producer sends: on streams the sinks opened over connections the sinks dialled
 *       (the direction matters to QUIC: kwik sends about a fifth slower from server to client). Each case
 *       runs {@code bench.pairs} times (default 1), streams then raw link, and the row shows the medians
 *       and every pair's ratio.</li>
 *   <li><b>latency</b>: 64 B datums at a fixed 10,000 datums/s to one consumer; send-to-receive time,
 *       measured after 5 s at that rate ({@code bench.latencyWarmupMillis}): after only 1 s the path is not
 *       yet compiled (on two cores tcp's p99 was 1.5–3.0 ms after 1 s, 0.3–1.5 ms after 5 s).</li>
 *   <li><b>memory</b> ({@code --memory [seconds]}): one consumer stops reading while the producer sends
 *       1 KiB datums as fast as it can to it and to a reading consumer; heap used after GC, sampled every
 *       second.</li>
 * </ul>
 * Run: {@code scripts/bench-streams.sh [seconds-per-phase]} or {@code scripts/bench-streams.sh --memory [seconds]}.
 *
 * <p>Diagnostics (system properties): {@code bench.only=tcp:44:1} runs one throughput case,
 * {@code bench.only=latency} runs only the latency table, {@code bench.noraw=true} skips the raw ceiling,
 * {@code bench.trace=true} prints where the datums in flight sit at the end (sent / written by the producer /
 * read by the consumer / taken by the application), {@code bench.raw=opener} makes the raw ceiling send on
 * streams the source opened (the direction of the tables before 2026-12-06 12:00 UTC),
 * {@code bench.pairs=3} repeats each case.
 */
public final class StreamsBenchmark {

    /** The datum: when it was sent, and padding to the wanted size. */
    public record Tick(long sentNanos, byte[] pad) {
    }

    private static final NetworkId NETWORK = NetworkId.of("mosaik-bench-streams");
    private static final int WINDOW = 4_096;
    /**
     * The window moves in steps of this many datums: a reader returns them at once and the sender takes
     * them at once, so pacing the sender costs a thread wake-up per step rather than per datum (the raw
     * link's flow control also moves in steps, of half its window).
     */
    private static final int STEP = 256;
    private static final String RAW = "bench/raw";

    private StreamsBenchmark() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code [seconds-per-phase]} (default 5), or {@code --memory [seconds]} (default 60)
     * @throws Exception if a node fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--memory")) {
            memory(Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 60));
            System.exit(0);
        }
        Duration phase = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 5);
        List<String> rows = new ArrayList<>();
        String only = System.getProperty("bench.only", ""); // e.g. tcp:44:1, to profile one case
        for (TransportKind kind : TransportKind.values()) {
            for (int pad : new int[] {44, 1_000}) {
                for (int consumers : new int[] {1, 4}) {
                    if (only.isEmpty() || only.equals(kind.configName() + ":" + pad + ":" + consumers)) {
                        rows.add(throughput(kind, pad, consumers, phase));
                    }
                }
            }
        }
        if (!only.isEmpty() && !only.equals("latency")) {
            rows.forEach(System.out::println);
            System.exit(0);
        }
        List<String> latency = new ArrayList<>();
        for (TransportKind kind : TransportKind.values()) {
            latency.add(latency(kind, phase));
        }
        System.out.println();
        System.out.printf("%-5s | %6s | %9s | %-22s | %-22s | %s%n", "trans", "datum", "consumers",
                "streams datums/s (MB/s)", "raw link datums/s (MB/s)", "streams / raw");
        System.out.println("-".repeat(100));
        rows.forEach(System.out::println);
        System.out.println();
        System.out.printf("%-5s | %-42s%n", "trans", "latency at 10,000 datums/s, 64 B, 1 consumer: p50 / p99 / max");
        System.out.println("-".repeat(70));
        latency.forEach(System.out::println);
        System.out.printf("%nJDK %s, %d cores, %s, %d s per phase%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), phase.toSeconds());
        System.exit(0);
    }

    private static Network node(TransportKind kind, Network bootstrap) throws Exception {
        Network.Builder builder = Network.builder(NETWORK).transport(kind);
        if (bootstrap != null) {
            builder.bootstrap(List.of(bootstrap.address()));
        }
        return builder.start();
    }

    private static String throughput(TransportKind kind, int pad, int consumerCount, Duration phase) throws Exception {
        int encoded = JacksonCodec.cbor().encode(new Tick(System.nanoTime(), new byte[pad])).length;
        int pairs = Integer.getInteger("bench.pairs", 1);
        List<Double> streamsRates = new ArrayList<>();
        List<Double> rawRates = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) { // streams and raw alternate, so a slow minute of the machine hits both
            double streams = streamsRate(kind, pad, consumerCount, phase);
            double raw = Boolean.getBoolean("bench.noraw") ? Double.NaN : rawRate(kind, encoded, consumerCount, phase);
            streamsRates.add(streams);
            rawRates.add(raw);
            ratios.add(String.format(Locale.ROOT, "%.0f", 100 * streams / raw));
        }
        double streams = median(streamsRates);
        double raw = median(rawRates);
        return String.format(Locale.ROOT, "%-5s | %4d B | %9d | %10.0f (%6.1f)    | %10.0f (%6.1f)    | %5.0f %%%s",
                kind.configName(), encoded, consumerCount, streams, streams * encoded / 1e6, raw, raw * encoded / 1e6,
                100 * streams / raw, pairs > 1 ? "  (pairs: " + String.join(", ", ratios) + " %)" : "");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Datums per second reaching every consumer. */
    private static double streamsRate(TransportKind kind, int pad, int consumerCount, Duration phase)
            throws Exception {
        List<Network> nodes = new ArrayList<>();
        try {
            Network exchange = node(kind, null);
            nodes.add(exchange);
            Producer<Tick> producer = exchange.streams().producer(Tick.class).bufferSize(2 * WINDOW).build();
            List<AtomicLong> received = new ArrayList<>();
            List<java.util.concurrent.Semaphore> windows = new ArrayList<>();
            List<Consumer<Tick>> consumers = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < consumerCount; i++) {
                Network node = node(kind, exchange);
                nodes.add(node);
                Consumer<Tick> consumer = node.streams().consume(Tick.class);
                consumers.add(consumer);
                AtomicLong count = new AtomicLong();
                received.add(count);
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
                windows.add(window);
                readers.add(Thread.ofPlatform().daemon().start(() -> {
                    long taken = 0;
                    for (Tick ignored : consumer) {
                        count.incrementAndGet();
                        if (++taken % STEP == 0) {
                            window.release(STEP);
                        }
                    }
                }));
            }
            producer.when().subscribed().minimumOf(consumerCount).future().get(60, TimeUnit.SECONDS);
            Tick datum = new Tick(0, new byte[pad]);
            Phase measured = new Phase(phase);
            long sent = 0;
            while (true) {
                java.util.OptionalDouble rate = measured.rate(min(received));
                if (rate.isPresent()) {
                    if (Boolean.getBoolean("bench.trace")) {
                        System.out.printf("sent %d, written %s, read %s, taken %s%n", sent,
                                producer.consumers().stream().map(c -> c.stats().datums()).toList(),
                                consumers.stream().map(c -> c.producers().get(0).stats().datums()).toList(),
                                consumers.stream().map(c -> c.stats().datums()).toList());
                    }
                    return rate.getAsDouble();
                }
                boolean acquired = true;
                for (java.util.concurrent.Semaphore window : windows) {
                    acquired &= window.tryAcquire(STEP, 10, TimeUnit.SECONDS); // at most WINDOW ahead of each
                }
                if (!acquired) {
                    throw new IllegalStateException("a consumer stopped reading for 10 s");
                }
                for (int i = 0; i < STEP; i++) {
                    producer.send(datum);
                }
                sent += STEP;
            }
        } finally {
            nodes.forEach(Network::close);
        }
    }

    /** Frames per second over plain links of the transport, to every sink. */
    private static double rawRate(TransportKind kind, int size, int sinks, Duration phase) throws Exception {
        List<Network> nodes = new ArrayList<>();
        try {
            Network source = node(kind, null);
            nodes.add(source);
            List<Link> links = new ArrayList<>();
            List<AtomicLong> received = new ArrayList<>();
            for (int i = 0; i < sinks; i++) {
                Network sink = node(kind, null);
                nodes.add(sink);
                AtomicLong count = new AtomicLong();
                received.add(count);
                sink.handle(RAW, link -> {
                    try {
                        while (true) {
                            link.receiveBytes();
                            count.incrementAndGet();
                        }
                    } catch (LinkClosedException closed) {
                        // done
                    }
                });
                if (!"opener".equals(System.getProperty("bench.raw"))) {
                    // the sink opens the link and the source sends on the stream it accepted, as a producer does
                    java.util.concurrent.CompletableFuture<Link> accepted = new java.util.concurrent.CompletableFuture<>();
                    String protocol = RAW + "/reversed-" + i;
                    source.handle(protocol, link -> {
                        accepted.complete(link);
                        while (true) {
                            link.receiveBytes(); // the opener's first frame, then nothing until it closes
                        }
                    });
                    Link opened = sink.openLink(source.address(), protocol).get(30, TimeUnit.SECONDS);
                    opened.sendBytes(new byte[0]);
                    Thread.ofVirtual().start(() -> {
                        try {
                            while (true) {
                                opened.receiveBytes();
                                count.incrementAndGet();
                            }
                        } catch (java.io.IOException closed) {
                            // done
                        }
                    });
                    links.add(accepted.get(30, TimeUnit.SECONDS));
                } else {
                    links.add(source.openLink(sink.address(), RAW).get(30, TimeUnit.SECONDS));
                }
            }
            byte[] frame = new byte[size];
            Phase measured = new Phase(phase);
            while (true) {
                java.util.OptionalDouble rate = measured.rate(min(received));
                if (rate.isPresent()) {
                    return rate.getAsDouble();
                }
                for (Link link : links) {
                    link.sendBytes(frame); // flow control of the transport paces this
                }
            }
        } finally {
            nodes.forEach(Network::close);
        }
    }

    private static String latency(TransportKind kind, Duration phase) throws Exception {
        List<Network> nodes = new ArrayList<>();
        try {
            Network exchange = node(kind, null);
            nodes.add(exchange);
            Network reader = node(kind, exchange);
            nodes.add(reader);
            Producer<Tick> producer = exchange.streams().produce(Tick.class);
            Consumer<Tick> consumer = reader.streams().consume(Tick.class);
            LatencyHistogram histogram = new LatencyHistogram();
            AtomicLong measuredFrom = new AtomicLong(Long.MAX_VALUE);
            Thread readerThread = Thread.ofPlatform().daemon().start(() -> {
                for (Tick tick : consumer) {
                    long now = System.nanoTime();
                    if (tick.sentNanos() >= measuredFrom.get()) {
                        synchronized (histogram) {
                            histogram.record(now - tick.sentNanos());
                        }
                    }
                }
            });
            producer.when().online().get(60, TimeUnit.SECONDS);
            byte[] pad = new byte[44];
            long interval = 100_000; // 10,000 per second
            long next = System.nanoTime();
            long first = next;
            long warmupEnd = next + Long.getLong("bench.latencyWarmupMillis", 5_000) * 1_000_000L;
            long end = warmupEnd + phase.toNanos();
            measuredFrom.set(warmupEnd);
            while (next < end) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                producer.send(new Tick(System.nanoTime(), pad));
                next += interval;
            }
            long drainUntil = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < drainUntil && consumer.stats().datums() < (end - first) / interval) {
                LockSupport.parkNanos(1_000_000);
            }
            consumer.close();
            readerThread.join(5_000);
            synchronized (histogram) {
                return String.format(Locale.ROOT, "%-5s | %8.0f us / %8.0f us / %8.0f us  (%d samples)",
                        kind.configName(), histogram.percentileMicros(50), histogram.percentileMicros(99),
                        histogram.percentileMicros(100), histogram.count());
            }
        } finally {
            nodes.forEach(Network::close);
        }
    }

    private static void memory(Duration duration) throws Exception {
        List<Network> nodes = new ArrayList<>();
        try {
            Network exchange = node(TransportKind.DEFAULT, null);
            nodes.add(exchange);
            Network stalledNode = node(TransportKind.DEFAULT, exchange);
            Network readingNode = node(TransportKind.DEFAULT, exchange);
            nodes.add(stalledNode);
            nodes.add(readingNode);
            Producer<Tick> producer = exchange.streams().produce(Tick.class);
            Consumer<Tick> stalled = stalledNode.streams().consume(Tick.class); // never read
            Consumer<Tick> reading = readingNode.streams().consume(Tick.class);
            AtomicLong read = new AtomicLong();
            Thread.ofPlatform().daemon().start(() -> {
                for (Tick ignored : reading) {
                    read.incrementAndGet();
                }
            });
            producer.when().subscribed().minimumOf(2).future().get(60, TimeUnit.SECONDS);
            Tick datum = new Tick(0, new byte[1_000]);
            long end = System.nanoTime() + duration.toNanos();
            long nextSample = System.nanoTime();
            long sent = 0;
            long maxHeap = 0;
            System.out.printf("%5s | %12s | %12s | %14s | %s%n", "s", "sent", "read", "heap after GC", "dropped");
            int second = 0;
            while (System.nanoTime() < end) {
                if (producer.trySend(datum) == io.mosaik.streams.SendStatus.SENT) {
                    sent++;
                }
                if (System.nanoTime() >= nextSample) {
                    System.gc();
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    maxHeap = Math.max(maxHeap, heap);
                    if (second % 5 == 0) {
                        System.out.printf("%5d | %,12d | %,12d | %,11d KB | %,.0f%n", second, sent, read.get(),
                                heap / 1024, dropped(exchange));
                    }
                    second++;
                    nextSample += 1_000_000_000L;
                }
            }
            System.out.printf("%nover %d s: sent %,d, read %,d by the reading consumer, %,d by the stalled one;"
                    + " most heap after GC %,d KB (all three nodes, one JVM); JDK %s, %d cores%n",
                    duration.toSeconds(), sent, read.get(), stalled.stats().datums(), maxHeap / 1024,
                    Runtime.version(), Runtime.getRuntime().availableProcessors());
        } finally {
            nodes.forEach(Network::close);
        }
    }

    /** One second of warm-up, then a measured phase: the rate of a growing count over the phase. */
    private static final class Phase {
        private final long length;
        private final long warmupEnd = System.nanoTime() + 1_000_000_000L;
        private long start;
        private long startCount = -1;
        private long end = Long.MAX_VALUE;

        Phase(Duration length) {
            this.length = length.toNanos();
        }

        /** The count per second over the phase once it is over, else empty; call it with the current count. */
        java.util.OptionalDouble rate(long count) {
            long now = System.nanoTime();
            if (startCount < 0 && now >= warmupEnd) {
                start = now;
                startCount = count;
                end = now + length;
            }
            return now >= end ? java.util.OptionalDouble.of((count - startCount) / ((now - start) / 1e9))
                    : java.util.OptionalDouble.empty();
        }
    }

    private static double dropped(Network node) {
        Counter counter = node.meterRegistry().find("mosaik.streams.producer.items.dropped").counter();
        return counter == null ? 0 : counter.count();
    }

    private static long min(List<AtomicLong> counts) {
        long min = Long.MAX_VALUE;
        for (AtomicLong count : counts) {
            min = Math.min(min, count.get());
        }
        return min;
    }
}
