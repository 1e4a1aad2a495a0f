package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.TransportMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rescues kwik streams stranded by the lost wake-up of kwik 0.10.9 (see {@link RearmableOutput}) by
 * re-arming every stream that looks stuck, and runs the transport's few timers.
 *
 * <p>kwik shows nothing of a stream's send buffer, so "stuck" is judged from our own writes only:
 *
 * <ul>
 *   <li><b>blocked</b>: a piece write has been inside kwik for {@link #FIRST_REARM_NANOS}. A piece is
 *       at most 50 KiB, which a healthy connection moves in a few milliseconds; a writer that waits
 *       longer waits for the sender to drain a buffer nobody scheduled, or for the peer's flow-control
 *       credit. Re-arms repeat while the same piece stays blocked, with the interval doubling up to
 *       {@link #MAX_REARM_INTERVAL_NANOS} (a peer that does not read keeps a writer blocked for ever,
 *       and each re-arm leaves an empty array in kwik's queue until data moves again).</li>
 *   <li><b>quiet</b>: the last write returned {@link #FIRST_REARM_NANOS} ago and nothing was written
 *       since; the bytes of that write may be stranded in the buffer. Re-armed
 *       {@link #QUIET_REARMS} times with the same doubling backoff (over about 25 s), because a
 *       retransmission or flow-control credit arriving later can strand the tail again.</li>
 * </ul>
 *
 * <p>The first threshold is the latency a stranded message pays: under load (8 ping-pong streams and 2
 * bulk streams on one connection, 2 cores) kwik strands a stream about four times a second per side,
 * so it is kept short; a false alarm only costs a re-arm.
 *
 * <p>A re-arm is a zero-length write: it cannot block, cannot disturb the frame stream and costs one
 * send request, so re-arming a healthy stream is harmless. Every write or completed piece starts a new
 * episode. In the metrics, an episode counts as a detected stall when the writer is blocked, or when
 * the stream is quiet and nothing has arrived on it since the write (a request that got its answer
 * was evidently delivered, so its precautionary re-arms are not counted); it counts as re-armed when
 * the re-arm write went through. kwik gives no way to tell which of those were real stalls, so the
 * counters are an upper bound.
 *
 * <p>The watchdog runs on one platform daemon thread so that it keeps running when the virtual-thread
 * carriers are all busy; everything it does is non-blocking.
 */
final class StallWatchdog implements AutoCloseable {

    /** How often streams are inspected. */
    static final long TICK_MILLIS = 25;
    /** How long a write may block, or a stream stay quiet after a write, before the first re-arm. */
    static final long FIRST_REARM_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The longest interval between two re-arms of one episode. */
    static final long MAX_REARM_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How many times a quiet stream is re-armed after its last write. */
    static final int QUIET_REARMS = 10;

    private static final Logger log = LoggerFactory.getLogger(StallWatchdog.class);

    private final TransportMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Map<RearmableOutput, Episode> watched = new ConcurrentHashMap<>();

    /**
     * Starts the watchdog.
     *
     * @param threadName the name of its thread
     * @param metrics    where stalls are counted
     */
    StallWatchdog(String threadName, TransportMetrics metrics) {
        this.metrics = metrics;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(threadName).factory());
        scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts watching an output. */
    void watch(RearmableOutput output) {
        watched.putIfAbsent(output, new Episode());
    }

    /** Stops watching an output. */
    void forget(RearmableOutput output) {
        watched.remove(output);
    }

    /** The watchdog's scheduler, for the transport's other short, non-blocking timers. */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Stops the thread. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        watched.clear();
    }

    private void tick() {
        long now = System.nanoTime();
        for (Map.Entry<RearmableOutput, Episode> entry : watched.entrySet()) {
            try {
                inspect(now, entry.getKey(), entry.getValue());
            } catch (RuntimeException e) {
                // One odd stream must not stop the watchdog for all others.
                log.warn("stall watchdog failed on a stream", e);
            }
        }
    }

    private void inspect(long now, RearmableOutput output, Episode episode) {
        if (output.ended()) {
            watched.remove(output);
            return;
        }
        long pieceStarted = output.pieceStartedNanos();
        boolean blocked = pieceStarted != RearmableOutput.NEVER;
        long mark = blocked ? pieceStarted : output.lastWriteNanos();
        if (mark == RearmableOutput.NEVER) {
            return;
        }
        if (mark != episode.mark) {
            episode.begin(mark);
        }
        if (!blocked && episode.rearms >= QUIET_REARMS) {
            return;
        }
        if (now - episode.due < 0) {
            return;
        }
        boolean suspected = blocked || output.lastInboundNanos() == RearmableOutput.NEVER
                || output.lastInboundNanos() - mark < 0;
        if (suspected && !episode.counted) {
            episode.counted = true;
            metrics.stallDetected();
            if (output.rearm()) {
                metrics.stallRearmed();
            }
        } else {
            output.rearm();
        }
        episode.rearms++;
        episode.due = now + Math.min(FIRST_REARM_NANOS << Math.min(episode.rearms, 20), MAX_REARM_INTERVAL_NANOS);
    }

    /** The watchdog's view of one output since its last progress; touched only by the watchdog thread. */
    private static final class Episode {
        private long mark = RearmableOutput.NEVER;
        private long due;
        private int rearms;
        private boolean counted;

        private void begin(long newMark) {
            mark = newMark;
            due = newMark + FIRST_REARM_NANOS;
            rearms = 0;
            counted = false;
        }
    }
}
