package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.TransportMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The only writer of a connection's TLS output: a thread of its own that drains two queues of mux frames,
 * writes them through a buffer and flushes whenever the queues run empty, so that many small frames
 * share one TLS record and one system call.
 *
 * <p>Why a dedicated thread rather than a lock on the output: the reader thread must answer PINGs and
 * nobody may block in {@code close()}. If either wrote to the socket itself, two peers whose TCP send
 * buffers are both full would each wait for the other to read, forever.
 *
 * <p>Bounds, so that a peer that does not read cannot make the queues grow without end:
 * <ul>
 *   <li>DATA chunks: a sender waits ({@link #chunk}) while {@link #MAX_QUEUED_BYTES} wait to be written;
 *       only application threads send DATA, and they may block;</li>
 *   <li>frames the peer makes this side send (PONGs, refusals of its streams, credit it earned): PONGs
 *       beyond {@link #MAX_CONTROL}/2 queued control frames are dropped; refusals beyond
 *       {@link #MAX_QUEUED_FRAMES} queued stream frames and control frames beyond {@link #MAX_CONTROL}
 *       overflow: the queues are dropped and the connection is told to close ({@code onOverflow});</li>
 *   <li>OPEN and CLOSE of the application's streams never wait (close must not block), as many as the
 *       application opens and closes streams.</li>
 * </ul>
 *
 * <p>Control frames (WINDOW_UPDATE, PING, PONG) overtake queued data so that credit returns quickly;
 * OPEN, DATA and CLOSE keep their order, which the peer relies on.
 */
final class MuxWriter implements Runnable {

    /** Control frames queued at most; droppable ones (PINGs, PONGs) are dropped beyond half of it. */
    static final int MAX_CONTROL = 4096;
    /** Stream frames queued at most when the peer caused them (refusals of its OPENs). */
    static final int MAX_QUEUED_FRAMES = 4096;
    /** DATA bytes queued beyond which senders wait for the writer. */
    static final int MAX_QUEUED_BYTES = 4 * 1024 * 1024;

    /**
     * One DATA chunk: a head (mux header, possibly with part of the stream frame header) and a slice of
     * the caller's payload, written without copying the payload.
     *
     * @param head        the bytes written first
     * @param body        the payload the slice comes from, or {@code null}
     * @param offset      the slice's start
     * @param length      the slice's length
     * @param streamBytes the stream bytes carried (DATA body length), for the egress metric
     */
    record Chunk(byte[] head, byte[] body, int offset, int length, int streamBytes) {
    }

    private final OutputStream out;
    private final Runnable endOutput;
    private final TransportMetrics metrics;
    private final Consumer<IOException> onFailure;
    private final Consumer<String> onOverflow;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    // guarded by lock
    private ArrayDeque<byte[]> control = new ArrayDeque<>();
    private ArrayDeque<Object> data = new ArrayDeque<>();
    private long queuedBytes;
    private boolean finishing;
    private boolean stopped;
    private boolean overflowed;
    private byte[] lastFrame;

    /**
     * Creates a writer; {@link #run()} it on its own thread.
     *
     * @param out        the buffered TLS output
     * @param endOutput  ends the TLS output (close_notify and TCP FIN) after the last frame
     * @param metrics    where stream bytes are counted
     * @param onFailure  told once if a write fails
     * @param onOverflow told once, with the reason, if a bounded queue overflowed; called without locks
     *                   held, by the thread that tried to queue
     */
    MuxWriter(OutputStream out, Runnable endOutput, TransportMetrics metrics, Consumer<IOException> onFailure,
            Consumer<String> onOverflow) {
        this.out = out;
        this.endOutput = endOutput;
        this.metrics = metrics;
        this.onFailure = onFailure;
        this.onOverflow = onOverflow;
    }

    /**
     * Queues a control frame ahead of data.
     *
     * @param frame     the whole frame
     * @param droppable whether it may be dropped when many control frames wait (PINGs and PONGs)
     * @return whether the frame was queued (false once the writer finishes, or if dropped)
     */
    boolean control(byte[] frame, boolean droppable) {
        String overflow = null;
        lock.lock();
        try {
            if (closedForQueueing() || (droppable && control.size() >= MAX_CONTROL / 2)) {
                return false;
            }
            if (control.size() >= MAX_CONTROL) {
                overflow = overflow(MAX_CONTROL + " control frames wait to be written");
                return false;
            }
            control.add(frame);
            ready.signal();
            return true;
        } finally {
            lock.unlock();
            if (overflow != null) {
                onOverflow.accept(overflow);
            }
        }
    }

    /**
     * Queues a whole stream frame (OPEN or CLOSE) behind earlier ones, never waiting.
     *
     * @param frame     the frame
     * @param fromPeer  whether the peer caused it (then {@link #MAX_QUEUED_FRAMES} bounds the queue)
     * @return whether it was queued (false once the writer finishes or overflowed)
     */
    boolean frame(byte[] frame, boolean fromPeer) {
        String overflow = null;
        lock.lock();
        try {
            if (closedForQueueing()) {
                return false;
            }
            if (fromPeer && data.size() >= MAX_QUEUED_FRAMES) {
                overflow = overflow(MAX_QUEUED_FRAMES + " stream frames wait to be written");
                return false;
            }
            data.add(frame);
            ready.signal();
            return true;
        } finally {
            lock.unlock();
            if (overflow != null) {
                onOverflow.accept(overflow);
            }
        }
    }

    /**
     * Queues a DATA chunk behind earlier stream frames, first waiting while {@link #MAX_QUEUED_BYTES}
     * or more wait to be written.
     *
     * @param chunk     the chunk
     * @param abandoned tells whether the sender gave up (its stream closed); checked on {@link #wake()}
     * @return whether it was queued (false once the writer finishes, or if abandoned)
     * @throws InterruptedException if interrupted while waiting (nothing was queued)
     */
    boolean chunk(Chunk chunk, BooleanSupplier abandoned) throws InterruptedException {
        lock.lock(); // not lockInterruptibly: its interrupt check is costly on virtual threads; waits are
        // interruptible
        try {
            while (queuedBytes >= MAX_QUEUED_BYTES && !closedForQueueing() && !abandoned.getAsBoolean()) {
                drained.await();
            }
            if (closedForQueueing() || abandoned.getAsBoolean()) {
                return false;
            }
            enqueue(chunk);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a DATA chunk behind earlier stream frames if that needs no waiting: fewer than
     * {@link #MAX_QUEUED_BYTES} wait to be written.
     *
     * @return whether it was queued
     */
    boolean tryChunk(Chunk chunk) {
        lock.lock();
        try {
            if (queuedBytes >= MAX_QUEUED_BYTES || closedForQueueing()) {
                return false;
            }
            enqueue(chunk);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a DATA chunk and wakes the writer (lock held). */
    private void enqueue(Chunk chunk) {
        data.add(chunk);
        queuedBytes += chunk.head().length + chunk.length();
        ready.signal();
    }

    /** Wakes senders waiting in {@link #chunk} so they check whether they were abandoned. */
    void wake() {
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** DATA bytes waiting to be written (for tests). */
    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting frames; writes those already queued (so what a stream sent before the connection
     * closed still reaches the peer, ahead of the GOAWAY), then {@code last} if given, flushes and ends
     * the output. Returns at once.
     *
     * @param last the final frame (a GOAWAY), or {@code null}
     */
    void finish(byte[] last) {
        lock.lock();
        try {
            if (finishing) {
                return;
            }
            finishing = true;
            lastFrame = last;
            ready.signal();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Completes when the writer thread has ended (finished, failed or interrupted). */
    CompletableFuture<Void> done() {
        return done;
    }

    /** The write loop. */
    @Override
    public void run() {
        boolean unflushed = false;
        try {
            while (true) {
                ArrayDeque<byte[]> controls = null;
                ArrayDeque<Object> datas = null;
                byte[] last = null;
                boolean finish;
                lock.lock();
                try {
                    while (control.isEmpty() && data.isEmpty() && !finishing && !unflushed) {
                        ready.await();
                    }
                    // Take whole queues: enqueuers never wait for the socket, only for this lock.
                    if (!control.isEmpty()) {
                        controls = control;
                        control = new ArrayDeque<>();
                    }
                    if (!data.isEmpty()) {
                        datas = data;
                        data = new ArrayDeque<>();
                        queuedBytes = 0;
                        drained.signalAll();
                    }
                    // Nothing can be queued once finishing, so these are the last frames.
                    finish = finishing;
                    last = lastFrame;
                } finally {
                    lock.unlock();
                }
                if (controls == null && datas == null && !finish) {
                    out.flush();
                    unflushed = false;
                    continue;
                }
                if (controls != null) {
                    for (byte[] frame : controls) {
                        out.write(frame);
                    }
                }
                if (datas != null) {
                    writeData(datas);
                }
                unflushed = true;
                if (finish) {
                    if (last != null) {
                        out.write(last);
                    }
                    out.flush();
                    endOutput.run();
                    return;
                }
            }
        } catch (IOException e) {
            onFailure.accept(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.lock();
            try {
                stopped = true;
                control.clear();
                data.clear();
                queuedBytes = 0;
                drained.signalAll();
            } finally {
                lock.unlock();
            }
            done.complete(null);
        }
    }

    private boolean closedForQueueing() {
        return finishing || stopped || overflowed;
    }

    /** Drops what is queued (the peer does not read it) and returns the reason; called with the lock held. */
    private String overflow(String what) {
        overflowed = true;
        control.clear();
        data.clear();
        queuedBytes = 0;
        drained.signalAll();
        return "write queue overflow: " + what + " (the peer does not read)";
    }

    private void writeData(ArrayDeque<Object> items) throws IOException {
        long streamBytes = 0;
        for (Object item : items) {
            if (item instanceof Chunk chunk) {
                out.write(chunk.head());
                if (chunk.length() > 0) {
                    out.write(chunk.body(), chunk.offset(), chunk.length());
                }
                streamBytes += chunk.streamBytes();
            } else {
                out.write((byte[]) item);
            }
        }
        if (streamBytes > 0) {
            metrics.sent(streamBytes);
        }
    }
}
