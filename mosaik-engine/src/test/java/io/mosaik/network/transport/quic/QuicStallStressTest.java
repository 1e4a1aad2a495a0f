package io.mosaik.network.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.TransportMetrics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load that strands streams in stock kwik 0.10.9 within seconds (research notes §4): long-lived
 * ping-pong streams and bulk streams on one connection. With the watchdog, no stream may go
 * {@link #MAX_GAP} without progress.
 *
 * <p>Only a stall of the transport may fail the test, not a slow machine: every stream must first make
 * progress ({@link #WARM_UP}, which absorbs JIT and kwik's slow first round trips), and time during which
 * the whole JVM did not run (GC pauses, a CPU taken by other processes; measured by a {@link PauseMeter})
 * is not counted in a stream's gap. A stranded stream while the JVM runs still counts in full.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class QuicStallStressTest {

    static final Duration RUN = Duration.ofSeconds(15);
    static final Duration WARM_UP = Duration.ofSeconds(30);
    static final int WARM_UP_MESSAGES = 3;
    static final Duration MAX_GAP = Duration.ofSeconds(3);
    static final int PING_PONG_STREAMS = 8;
    static final int BULK_STREAMS = 2;
    static final int MESSAGE = 1024;

    /**
     * Time the JVM did not run: a platform thread ticks every {@link #PERIOD_NANOS}; whatever a tick comes
     * later than that plus a tolerance, the process was paused or starved of CPU.
     */
    static final class PauseMeter implements AutoCloseable {
        static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
        static final long TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
        private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("stress-pause-meter").factory());
        private final AtomicLong pausedNanos = new AtomicLong();
        private volatile long lastTick = System.nanoTime();

        PauseMeter() {
            ticker.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                long late = now - lastTick - PERIOD_NANOS - TOLERANCE_NANOS;
                lastTick = now;
                if (late > 0) {
                    pausedNanos.addAndGet(late);
                }
            }, PERIOD_NANOS, PERIOD_NANOS, TimeUnit.NANOSECONDS);
        }

        /** Paused time so far; a pause still in progress shows up as time since the last tick. */
        long pausedNanos(long now) {
            return pausedNanos.get() + Math.max(0, now - lastTick - PERIOD_NANOS - TOLERANCE_NANOS);
        }

        @Override
        public void close() {
            ticker.shutdownNow();
        }
    }

    /** Progress of one stream: completed messages and the longest gap between two, paused time excluded. */
    static final class Progress {
        final String name;
        final PauseMeter pauses;
        final AtomicLong messages = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        private long lastNanos = System.nanoTime();
        private long pausedAtLast;
        private long worstGapNanos;

        Progress(String name, PauseMeter pauses) {
            this.name = name;
            this.pauses = pauses;
            this.pausedAtLast = pauses.pausedNanos(lastNanos);
        }

        synchronized void advance(int size) {
            long now = System.nanoTime();
            worstGapNanos = Math.max(worstGapNanos, gap(now));
            lastNanos = now;
            pausedAtLast = pauses.pausedNanos(now);
            messages.incrementAndGet();
            bytes.addAndGet(size);
        }

        /** Starts measuring afresh (after the warm-up). */
        synchronized void restart() {
            lastNanos = System.nanoTime();
            pausedAtLast = pauses.pausedNanos(lastNanos);
            worstGapNanos = 0;
        }

        synchronized long currentGapNanos(long now) {
            return Math.max(worstGapNanos, gap(now));
        }

        private long gap(long now) {
            return (now - lastNanos) - (pauses.pausedNanos(now) - pausedAtLast);
        }
    }

    @Test
    void noStreamStallsUnderPingPongAndBulkLoad() throws Exception {
        try (QuicPair pair = QuicPair.start(); PauseMeter pauses = new PauseMeter()) {
            AtomicBoolean running = new AtomicBoolean(true);
            Map<String, Throwable> failures = new ConcurrentHashMap<>();
            List<Progress> progress = new ArrayList<>();
            List<Progress> bulkProgress = new ArrayList<>();
            for (int i = 0; i < BULK_STREAMS; i++) {
                // One bulk stream below kwik's 50 KiB send buffer (one write per frame), one above (pieces).
                bulkProgress.add(new Progress("bulk-" + i + "-" + bulkFrameSize(i) / 1024 + "KiB", pauses));
            }

            // Server: echo what the ping-pong streams send, swallow the bulk streams.
            Thread.ofVirtual().name("stress-accept").start(() -> {
                try {
                    while (true) {
                        FrameStream stream = pair.server.acceptStream();
                        Thread.ofVirtual().name("stress-server-stream").start(() -> serve(stream, bulkProgress, running, failures));
                    }
                } catch (Exception e) {
                    // connection closed at the end
                }
            });

            List<FrameStream> clientStreams = new ArrayList<>();
            for (int i = 0; i < PING_PONG_STREAMS; i++) {
                FrameStream stream = pair.client.openStream(Duration.ofSeconds(5));
                clientStreams.add(stream);
                Progress p = new Progress("ping-pong-" + i, pauses);
                progress.add(p);
                Thread.ofVirtual().name(p.name).start(() -> pingPong(stream, p, running, failures));
            }
            for (int i = 0; i < BULK_STREAMS; i++) {
                FrameStream stream = pair.client.openStream(Duration.ofSeconds(5));
                clientStreams.add(stream);
                int index = i;
                progress.add(bulkProgress.get(i));
                Thread.ofVirtual().name("bulk-writer-" + i)
                        .start(() -> bulk(stream, index, bulkFrameSize(index), running, failures));
            }

            long started = System.nanoTime();
            try {
                await("every stream under way").atMost(WARM_UP).pollInterval(Duration.ofMillis(50))
                        .until(() -> !failures.isEmpty()
                                || progress.stream().allMatch(p -> p.messages.get() >= WARM_UP_MESSAGES));
                progress.forEach(Progress::restart);
                started = System.nanoTime();
                await().during(RUN).atMost(RUN.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                        .until(() -> failures.isEmpty() && progress.stream()
                                .allMatch(p -> p.currentGapNanos(System.nanoTime()) < MAX_GAP.toNanos()));
            } finally {
                running.set(false);
                report(pair, progress, System.nanoTime() - started);
            }
            clientStreams.forEach(FrameStream::close);
            assertThat(failures).isEmpty();
            assertThat(progress).allSatisfy(p -> assertThat(p.messages.get()).isPositive());
        }
    }

    private static int bulkFrameSize(int index) {
        return index == 0 ? 16 * 1024 : 100 * 1024;
    }

    private static void pingPong(FrameStream stream, Progress progress, AtomicBoolean running,
            Map<String, Throwable> failures) {
        byte[] message = new byte[MESSAGE];
        try {
            for (long round = 0; running.get(); round++) {
                ByteBuffer.wrap(message).putLong(round);
                stream.send(message);
                byte[] echo = stream.receive();
                if (ByteBuffer.wrap(echo).getLong() != round) {
                    throw new AssertionError(progress.name + ": echo of the wrong round");
                }
                progress.advance(echo.length);
            }
        } catch (Throwable e) {
            if (running.get()) {
                failures.put(progress.name, e);
            }
        }
    }

    private static void bulk(FrameStream stream, int index, int frameSize, AtomicBoolean running,
            Map<String, Throwable> failures) {
        byte[] frame = new byte[frameSize];
        frame[0] = 1;
        frame[1] = (byte) index;
        try {
            while (running.get()) {
                stream.send(frame);
            }
        } catch (Throwable e) {
            if (running.get()) {
                failures.put("bulk-writer-" + index, e);
            }
        }
    }

    /**
     * Echoes ping-pong messages; counts bulk frames (larger than a ping, first byte 1, second byte the
     * bulk stream's index) as that stream's progress, at the receiver.
     */
    private static void serve(FrameStream stream, List<Progress> bulkProgress, AtomicBoolean running,
            Map<String, Throwable> failures) {
        try {
            while (true) {
                byte[] message = stream.receive();
                if (message.length > MESSAGE) {
                    bulkProgress.get(message[1]).advance(message.length);
                } else {
                    stream.send(message);
                }
            }
        } catch (Throwable e) {
            if (running.get()) {
                failures.put("server-" + Thread.currentThread().getName(), e);
            }
        }
    }

    private static void report(QuicPair pair, List<Progress> progress, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        long pingPongs = progress.stream().filter(p -> p.name.startsWith("ping")).mapToLong(p -> p.messages.get()).sum();
        long bulkBytes = progress.stream().filter(p -> p.name.startsWith("bulk")).mapToLong(p -> p.bytes.get()).sum();
        StringBuilder out = new StringBuilder();
        out.append(String.format("QUIC stall stress: %.1f s, ping-pong %d round trips (%.0f/s over %d streams), bulk %.1f MB/s%n",
                seconds, pingPongs, pingPongs / seconds, PING_PONG_STREAMS, bulkBytes / seconds / 1e6));
        for (Progress p : progress) {
            out.append(String.format("  %-22s %8d msgs  worst gap %5d ms%n", p.name, p.messages.get(),
                    TimeUnit.NANOSECONDS.toMillis(p.currentGapNanos(System.nanoTime()))));
        }
        TransportMetrics client = pair.clientConfig.metrics();
        TransportMetrics server = pair.serverConfig.metrics();
        out.append(String.format("  watchdog: client stalls detected %d, re-armed %d; server stalls detected %d, re-armed %d%n",
                client.stallsDetected(), client.stallsRearmed(), server.stallsDetected(), server.stallsRearmed()));
        System.out.print(out);
    }
}
