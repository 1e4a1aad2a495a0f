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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load that strands streams in stock kwik 0.10.9 within seconds (research notes §4): long-lived
 * ping-pong streams and bulk streams on one connection. With the watchdog, no stream may go
 * {@link #MAX_GAP} without progress.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuicStallStressTest {

    static final Duration RUN = Duration.ofSeconds(20);
    static final Duration MAX_GAP = Duration.ofSeconds(3);
    static final int PING_PONG_STREAMS = 8;
    static final int BULK_STREAMS = 2;
    static final int MESSAGE = 1024;

    /** Progress of one stream: completed messages and when the last one completed. */
    static final class Progress {
        final String name;
        final AtomicLong messages = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile long lastNanos = System.nanoTime();
        volatile long worstGapNanos;

        Progress(String name) {
            this.name = name;
        }

        void advance(int size) {
            long now = System.nanoTime();
            worstGapNanos = Math.max(worstGapNanos, now - lastNanos);
            lastNanos = now;
            messages.incrementAndGet();
            bytes.addAndGet(size);
        }

        long currentGapNanos(long now) {
            return Math.max(worstGapNanos, now - lastNanos);
        }
    }

    @Test
    void noStreamStallsUnderPingPongAndBulkLoad() throws Exception {
        try (QuicPair pair = QuicPair.start()) {
            AtomicBoolean running = new AtomicBoolean(true);
            Map<String, Throwable> failures = new ConcurrentHashMap<>();
            List<Progress> progress = new ArrayList<>();
            List<Progress> bulkProgress = new ArrayList<>();
            for (int i = 0; i < BULK_STREAMS; i++) {
                // One bulk stream below kwik's 50 KiB send buffer (one write per frame), one above (pieces).
                bulkProgress.add(new Progress("bulk-" + i + "-" + bulkFrameSize(i) / 1024 + "KiB"));
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
                Progress p = new Progress("ping-pong-" + i);
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
