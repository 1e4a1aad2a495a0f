package io.mosaik.network;

import io.mosaik.network.transport.LinkClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded soak of the whole stack (transport, authentication, links) between two nodes in one JVM:
 * long-lived streams ping-ponging 1 KiB frames and bulk streams pushing 64 KiB frames, all at once,
 * while a watchdog checks that no stream goes longer than the stall limit without progress.
 *
 * <p>Short form in CI ({@code TransportSoakTest}); the long form is the same test with
 * {@code -Dmosaik.soak.seconds=900}.
 */
final class TransportSoak {

    static final String PING = "soak/ping";
    static final String BULK = "soak/bulk";

    /**
     * What a soak run saw.
     *
     * @param transport        the transport
     * @param seconds          how long it ran
     * @param roundTrips       ping-pong round trips completed, all streams together
     * @param bulkBytes        bytes the bulk receivers read
     * @param worstSilence     the longest any stream went without progress
     * @param stalledStream    the first stream that went silent past the limit, or null
     * @param stallsDetected   stalls the transport's watchdog saw
     * @param stallsRearmed    stalls the transport's watchdog re-armed
     */
    record Result(TransportKind transport, double seconds, long roundTrips, long bulkBytes, Duration worstSilence,
            String stalledStream, long stallsDetected, long stallsRearmed) {

        String summary() {
            return String.format("%-4s %6.0f s  ping-pong %9.0f msg/s  bulk %8.1f MB/s  worst silence %5d ms  "
                            + "stalls detected %d, re-armed %d%s", transport.configName(), seconds,
                    roundTrips / seconds, bulkBytes / seconds / 1e6, worstSilence.toMillis(), stallsDetected,
                    stallsRearmed, stalledStream == null ? "" : "  STALLED: " + stalledStream);
        }
    }

    private final Map<String, AtomicLong> lastProgress = new ConcurrentHashMap<>();
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong bulkBytes = new AtomicLong();
    private volatile boolean running = true;

    Result run(TransportKind transport, int pingStreams, int bulkStreams, Duration duration, Duration stallLimit)
            throws Exception {
        try (TestNodes nodes = new TestNodes(transport)) {
            Network server = nodes.start();
            Network client = nodes.start();
            server.handle(PING, link -> {
                try {
                    while (true) {
                        link.sendBytes(link.receiveBytes());
                    }
                } catch (LinkClosedException done) {
                    // the soak is over
                }
            });
            server.handle(BULK, link -> {
                try {
                    while (true) {
                        bulkBytes.addAndGet(link.receiveBytes().length);
                    }
                } catch (LinkClosedException done) {
                    // the soak is over
                }
            });

            List<Thread> workers = new ArrayList<>();
            List<Link> links = new ArrayList<>();
            for (int i = 0; i < pingStreams; i++) {
                Link link = client.openLink(server.address(), PING).get(30, TimeUnit.SECONDS);
                links.add(link);
                workers.add(Thread.ofVirtual().name("soak-ping-" + i).start(pingLoop("ping-" + i, link)));
            }
            for (int i = 0; i < bulkStreams; i++) {
                Link link = client.openLink(server.address(), BULK).get(30, TimeUnit.SECONDS);
                links.add(link);
                workers.add(Thread.ofVirtual().name("soak-bulk-" + i).start(bulkLoop("bulk-" + i, link)));
            }

            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long worstSilence = 0;
            String stalled = null;
            Object tick = new Object();
            while (System.nanoTime() < end && stalled == null) {
                synchronized (tick) {
                    tick.wait(200); // the watchdog's period, not a condition wait
                }
                long now = System.nanoTime();
                for (Map.Entry<String, AtomicLong> stream : lastProgress.entrySet()) {
                    long silence = now - stream.getValue().get();
                    worstSilence = Math.max(worstSilence, silence);
                    if (silence > stallLimit.toNanos()) {
                        stalled = stream.getKey() + " silent for " + TimeUnit.NANOSECONDS.toMillis(silence) + " ms";
                    }
                }
            }
            running = false;
            double seconds = (System.nanoTime() - start) / 1e9;
            links.forEach(Link::close);
            for (Thread worker : workers) {
                worker.join(Duration.ofSeconds(10));
            }
            var detected = client.meterRegistry().find("mosaik.network.streams.stalls.detected").counter();
            var rearmed = client.meterRegistry().find("mosaik.network.streams.stalls.rearmed").counter();
            var serverDetected = server.meterRegistry().find("mosaik.network.streams.stalls.detected").counter();
            var serverRearmed = server.meterRegistry().find("mosaik.network.streams.stalls.rearmed").counter();
            long stallsDetected = (long) ((detected == null ? 0 : detected.count())
                    + (serverDetected == null ? 0 : serverDetected.count()));
            long stallsRearmed = (long) ((rearmed == null ? 0 : rearmed.count())
                    + (serverRearmed == null ? 0 : serverRearmed.count()));
            return new Result(transport, seconds, roundTrips.get(), bulkBytes.get(),
                    Duration.ofNanos(worstSilence), stalled, stallsDetected, stallsRearmed);
        }
    }

    private Runnable pingLoop(String name, Link link) {
        AtomicLong progress = track(name);
        byte[] payload = new byte[1024];
        return () -> {
            try {
                while (running) {
                    link.sendBytes(payload);
                    link.receiveBytes();
                    roundTrips.incrementAndGet();
                    progress.set(System.nanoTime());
                }
            } catch (Exception e) {
                if (running) {
                    progress.set(Long.MIN_VALUE / 2); // a broken stream counts as stalled
                }
            }
        };
    }

    private Runnable bulkLoop(String name, Link link) {
        AtomicLong progress = track(name);
        byte[] payload = new byte[64 * 1024];
        return () -> {
            try {
                while (running) {
                    link.sendBytes(payload);
                    progress.set(System.nanoTime());
                }
            } catch (Exception e) {
                if (running) {
                    progress.set(Long.MIN_VALUE / 2);
                }
            }
        };
    }

    private AtomicLong track(String name) {
        AtomicLong progress = new AtomicLong(System.nanoTime());
        lastProgress.put(name, progress);
        return progress;
    }
}
