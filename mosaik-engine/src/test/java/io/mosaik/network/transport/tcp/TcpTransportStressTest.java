package io.mosaik.network.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eight ping-pong streams of 1 KiB frames and two bulk streams (one each way) share one connection for
 * ten seconds; no stream may go three seconds without progress.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpTransportStressTest {

    private static final int PING_PONG_STREAMS = 8;
    private static final int PING_SIZE = 1024;
    private static final int BULK_SIZE = 64 * 1024;
    private static final Duration RUN = Duration.ofSeconds(10);
    private static final Duration MAX_STALL = Duration.ofSeconds(3);

    private final TcpTestPeers peers = new TcpTestPeers();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    /** Progress of the streams whose receiving end is the acceptor, by role. */
    private final Map<String, Progress> sinks = new ConcurrentHashMap<>();

    @AfterEach
    void closePeers() {
        watchdog.shutdownNow();
        peers.close();
    }

    @Test
    void pingPongAndBulkStreamsAllProgress() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        List<Progress> progress = new ArrayList<>();
        Thread.ofVirtual().start(() -> serve(pair));

        AtomicLong roundTrips = new AtomicLong();
        for (int i = 0; i < PING_PONG_STREAMS; i++) {
            Progress p = new Progress("ping-pong-" + i);
            progress.add(p);
            FrameStream stream = open(pair, "echo");
            worker(() -> {
                byte[] ping = new byte[PING_SIZE];
                while (true) {
                    stream.send(ping);
                    byte[] pong = stream.receive();
                    if (pong.length != PING_SIZE) {
                        throw new IllegalStateException("echo of " + pong.length + " bytes");
                    }
                    roundTrips.incrementAndGet();
                    p.advance(1);
                }
            });
        }
        // Bulk towards the acceptor: progress is counted there.
        Progress upload = new Progress("bulk-upload");
        progress.add(upload);
        sinks.put("sink", upload);
        FrameStream up = open(pair, "sink");
        worker(() -> {
            byte[] chunk = new byte[BULK_SIZE];
            while (true) {
                up.send(chunk);
            }
        });
        // Bulk towards the dialer.
        Progress download = new Progress("bulk-download");
        progress.add(download);
        FrameStream down = open(pair, "source");
        worker(() -> {
            while (true) {
                download.advance(down.receive().length);
            }
        });

        CompletableFuture<String> stall = new CompletableFuture<>();
        long started = System.nanoTime();
        watchdog.scheduleAtFixedRate(() -> {
            for (Progress p : progress) {
                Duration quiet = p.quietFor();
                p.recordGap(quiet);
                if (quiet.compareTo(MAX_STALL) > 0) {
                    stall.complete(p.name + " made no progress for " + quiet.toMillis() + " ms");
                }
            }
        }, 50, 50, TimeUnit.MILLISECONDS);

        try {
            fail(stall.get(RUN.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException expected) {
            // ran the whole time without a stall
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long committedUp = ((TcpConnection) pair.accepted()).committedWindow();
        long committedDown = ((TcpConnection) pair.dialed()).committedWindow();
        pair.dialed().close(CloseReason.SUCCESS);
        System.out.printf("tcp stress: receive windows granted: %,d bytes (acceptor), %,d bytes (dialer)%n",
                committedUp, committedDown);
        assertThat(committedUp).isLessThanOrEqualTo(TcpConnection.RECEIVE_BUDGET);
        assertThat(committedDown).isLessThanOrEqualTo(TcpConnection.RECEIVE_BUDGET);

        long bulkBytes = upload.total.get() + download.total.get();
        System.out.printf("tcp stress: %d ping-pong streams: %.0f round trips/s (%.0f msgs/s); "
                        + "2 bulk streams: %.1f MB/s up, %.1f MB/s down, %.1f MB/s total%n",
                PING_PONG_STREAMS, roundTrips.get() / seconds, 2 * roundTrips.get() / seconds,
                upload.total.get() / seconds / 1e6, download.total.get() / seconds / 1e6, bulkBytes / seconds / 1e6);
        for (Progress p : progress) {
            System.out.printf("  %-15s total %,d, longest gap %d ms%n", p.name, p.total.get(), p.longestGap.get());
            assertThat(p.total.get()).as(p.name).isPositive();
        }
        assertThat(roundTrips.get()).isGreaterThan(1000);
    }

    /** The acceptor: echoes, swallows or produces according to the first frame of each stream. */
    private void serve(TcpTestPeers.Pair pair) {
        try {
            while (true) {
                FrameStream stream = pair.accepted().acceptStream();
                worker(() -> {
                    String role = new String(stream.receive(), StandardCharsets.US_ASCII);
                    switch (role) {
                        case "echo" -> {
                            while (true) {
                                stream.send(stream.receive());
                            }
                        }
                        case "sink" -> {
                            Progress p = sinks.get("sink");
                            while (true) {
                                p.advance(stream.receive().length);
                            }
                        }
                        case "source" -> {
                            byte[] chunk = new byte[BULK_SIZE];
                            while (true) {
                                stream.send(chunk);
                            }
                        }
                        default -> throw new IllegalStateException(role);
                    }
                });
            }
        } catch (IOException | InterruptedException e) {
            // connection closed at the end of the test
        }
    }

    private static FrameStream open(TcpTestPeers.Pair pair, String role) throws IOException {
        FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1));
        stream.send(role.getBytes(StandardCharsets.US_ASCII));
        return stream;
    }

    private interface Loop {
        void run() throws IOException;
    }

    private static void worker(Loop loop) {
        Thread.ofVirtual().start(() -> {
            try {
                loop.run();
            } catch (IOException e) {
                // the connection closed at the end of the test
            }
        });
    }

    /** Progress of one stream, as seen by its receiving side. */
    private static final class Progress {
        final String name;
        final AtomicLong total = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong(System.nanoTime());
        final AtomicLong longestGap = new AtomicLong();

        Progress(String name) {
            this.name = name;
        }

        void advance(long amount) {
            total.addAndGet(amount);
            lastNanos.set(System.nanoTime());
        }

        Duration quietFor() {
            return Duration.ofNanos(System.nanoTime() - lastNanos.get());
        }

        void recordGap(Duration gap) {
            longestGap.accumulateAndGet(gap.toMillis(), Math::max);
        }
    }
}
