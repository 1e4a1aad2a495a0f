package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.Frames;
import io.mosaik.network.transport.TransportMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending half of one kwik stream: whole-frame writes serialized by a lock, the re-arm write the
 * {@link StallWatchdog} uses to rescue a stranded stream, and an end of output (FIN) that the re-arm
 * writes cannot break.
 *
 * <h2>What goes wrong in kwik 0.10.9, and what a write can do about it</h2>
 *
 * <p>{@code StreamOutputStreamImpl.write} copies the bytes into a {@code SendBuffer} (a queue of
 * byte arrays, at most 50 KiB) and then calls {@code scheduleSendStreamFrameRequest}, which queues a
 * send request only when its counter {@code sendRequestsQueued} reads 0, and increments the counter
 * <em>after</em> queueing. The sender thread decrements the counter when it runs the request, sends
 * one STREAM frame and, if bytes remain, schedules itself again through the same method. When the
 * sender runs the request before the writer's increment, it sees -1, skips the reschedule, and the
 * writer then brings the counter back to 0: bytes stay in the buffer with no request queued, forever
 * (the "lost wake-up", research notes §5.1.1). The same race exists for every caller of that method
 * that is not the sender thread: writes, {@code close()}, retransmissions of lost frames and flow
 * control credit arriving ({@code streamNotBlocked}).
 *
 * <p>In that stuck state the counter is 0, so <em>any</em> later {@code write} queues a request again
 * and the sender drains the buffer. That is the only public lever we have. Which write to use:
 *
 * <ul>
 *   <li>A write only reaches the scheduling call once its bytes fit in the buffer. If the buffer is
 *       full (a bulk writer is blocked inside {@code write}, which is exactly when this bites hardest),
 *       a NOOP frame of 5 bytes would block behind it, and rescue nothing.</li>
 *   <li>A write of more than 50 KiB is split by kwik into 25 KiB chunks, each waiting for room. A
 *       second writer's bytes could land between two chunks of one frame, so a NOOP frame written
 *       concurrently with a frame write could corrupt the frame stream.</li>
 *   <li>A <strong>zero-length</strong> write has neither problem: {@code SendBuffer.write} only waits
 *       when {@code len > free space}, which is never true for 0 (our single writer never overfills the
 *       buffer, so free space is never negative); it queues an empty array, which adds no byte to the
 *       stream, and then schedules the sender. It is therefore safe to do from another thread at any
 *       time, even while a frame write is blocked halfway, and this is the re-arm write used here
 *       ({@link #rearm()}).</li>
 * </ul>
 *
 * <p>One trap remains: kwik's frame builder only looks for the end-of-stream marker right after the
 * last data bytes, and never consumes an empty array when no data follows it. An empty array that sits
 * between the last data bytes and the marker would keep the FIN from ever being sent. So the output is
 * ended ({@link #end(byte[])}) by writing a last frame and closing right after it, under the re-arm
 * lock, but only if no re-arm happened while that frame was being written; otherwise one more NOOP
 * frame is written to cover the empty array, and the check repeats.
 *
 * <p>Frames up to kwik's send-buffer size go out in one {@code write} (one STREAM frame per write,
 * as kwik sends each write at once). Larger frames are written in 25 KiB pieces, exactly as kwik
 * would split them itself, so that the watchdog sees each piece complete and can tell a slow bulk
 * transfer from a stuck one.
 */
final class RearmableOutput {

    /** kwik 0.10.9's per-stream send buffer (fixed, not configurable through its API). */
    static final int KWIK_SEND_BUFFER = 50 * 1024;
    /** The piece size for frames larger than the send buffer: kwik's own split size. */
    static final int PIECE = KWIK_SEND_BUFFER / 2;
    /** The value of a timestamp that was never set. */
    static final long NEVER = Long.MIN_VALUE;

    private static final byte[] NOTHING = new byte[0];

    private final OutputStream out;
    private final TransportMetrics metrics;
    private final ReentrantLock sendLock = new ReentrantLock();
    // Orders re-arm writes against the end of output; never held across a write that can block.
    private final Object rearmLock = new Object();
    // guarded by rearmLock
    private long rearms;
    // written under rearmLock, read lock-free by the watchdog
    private volatile boolean ended;
    private volatile long pieceStartedNanos = NEVER;
    private volatile long lastWriteNanos = NEVER;
    private volatile long lastInboundNanos = NEVER;

    /**
     * Wraps a kwik stream's output.
     *
     * @param out     the kwik stream's output stream, unwrapped (a buffer would merge or split writes)
     * @param metrics where written bytes are counted
     */
    RearmableOutput(OutputStream out, TransportMetrics metrics) {
        this.out = out;
        this.metrics = metrics;
    }

    /** The lock that serializes frame writes; hold it around {@link #write} and {@link #end}. */
    ReentrantLock sendLock() {
        return sendLock;
    }

    /**
     * Writes one frame whole. The caller holds {@link #sendLock()}.
     *
     * @param frame the encoded frame
     * @throws IOException when kwik refuses the write (stream reset, connection gone, interrupted)
     */
    void write(byte[] frame) throws IOException {
        if (frame.length <= KWIK_SEND_BUFFER) {
            writePiece(frame, 0, frame.length);
        } else {
            for (int offset = 0; offset < frame.length; offset += PIECE) {
                writePiece(frame, offset, Math.min(PIECE, frame.length - offset));
            }
        }
        metrics.sent(frame.length);
    }

    private void writePiece(byte[] frame, int offset, int length) throws IOException {
        pieceStartedNanos = System.nanoTime();
        try {
            out.write(frame, offset, length);
        } finally {
            lastWriteNanos = System.nanoTime();
            pieceStartedNanos = NEVER;
        }
    }

    /**
     * Re-arms kwik's sender for this stream with a zero-length write (see the class comment for why
     * that is safe from any thread and never blocks).
     *
     * @return whether the write was done; {@code false} once the output has ended or kwik refused it
     */
    boolean rearm() {
        synchronized (rearmLock) {
            if (ended) {
                return false;
            }
            try {
                out.write(NOTHING, 0, 0);
                rearms++;
                return true;
            } catch (IOException e) {
                // Reset by the peer or aborted with the connection: nothing left to rescue.
                ended = true;
                return false;
            }
        }
    }

    /**
     * Writes {@code lastFrame} and ends the output (FIN), making sure no re-arm write sits between the
     * last bytes and the end marker. The caller holds {@link #sendLock()}.
     *
     * @param lastFrame the last frame to send (a CLOSE or NOOP frame)
     * @throws IOException when kwik refuses a write
     */
    void end(byte[] lastFrame) throws IOException {
        byte[] frame = lastFrame;
        while (true) {
            long rearmsBefore;
            synchronized (rearmLock) {
                if (ended) {
                    return;
                }
                rearmsBefore = rearms;
            }
            write(frame);
            synchronized (rearmLock) {
                if (ended) {
                    return;
                }
                if (rearms == rearmsBefore) {
                    ended = true;
                    // Never blocks: queues the end marker and schedules the sender.
                    out.close();
                    return;
                }
            }
            // A re-arm may have queued an empty array after our last bytes: cover it with real bytes.
            frame = Frames.noop();
        }
    }

    /**
     * Gives the output up without a FIN (the stream is being reset or the connection is gone).
     *
     * @return whether this call ended it (false if it had ended already)
     */
    boolean abandon() {
        synchronized (rearmLock) {
            boolean was = ended;
            ended = true;
            return !was;
        }
    }

    /** Whether the output was ended or given up; the watchdog then forgets it. */
    boolean ended() {
        return ended;
    }

    /** When the piece being written started, or {@link #NEVER} when no write is in progress. */
    long pieceStartedNanos() {
        return pieceStartedNanos;
    }

    /** When the last piece write returned, or {@link #NEVER}. */
    long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Records that bytes arrived on the stream's input (used to tell suspected stalls in metrics). */
    void noteInbound() {
        lastInboundNanos = System.nanoTime();
    }

    /** When bytes last arrived on the stream's input, or {@link #NEVER}. */
    long lastInboundNanos() {
        return lastInboundNanos;
    }
}
