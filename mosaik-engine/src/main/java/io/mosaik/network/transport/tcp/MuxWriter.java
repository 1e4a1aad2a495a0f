package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.TransportMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The only writer of a connection's TLS output: a virtual thread that drains two queues of mux frames,
 * writes them through a buffer and flushes whenever the queues run empty, so that many small frames
 * share one TLS record and one system call.
 *
 * <p>Why a dedicated thread rather than a lock on the output: the reader thread must answer PINGs and
 * nobody may block in {@code close()}. If either wrote to the socket itself, two peers whose TCP send
 * buffers are both full would each wait for the other to read, forever. Enqueuing never blocks; the
 * memory it can take is bounded by the streams' flow-control windows (data) and by
 * {@link #MAX_CONTROL} (control frames).
 *
 * <p>Control frames (WINDOW_UPDATE, PING, PONG) overtake queued data so that credit returns quickly;
 * OPEN, DATA and CLOSE keep their order, which the peer relies on.
 */
final class MuxWriter implements Runnable {

    /** Control frames queued beyond this many are dropped when droppable (PONGs to a PING flood). */
    static final int MAX_CONTROL = 4096;

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
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    // guarded by lock
    private ArrayDeque<byte[]> control = new ArrayDeque<>();
    private ArrayDeque<Object> data = new ArrayDeque<>();
    private boolean finishing;
    private boolean stopped;
    private byte[] lastFrame;

    /**
     * Creates a writer; {@link #run()} it on its own thread.
     *
     * @param out       the buffered TLS output
     * @param endOutput ends the TLS output (close_notify and TCP FIN) after the last frame
     * @param metrics   where stream bytes are counted
     * @param onFailure told once if a write fails
     */
    MuxWriter(OutputStream out, Runnable endOutput, TransportMetrics metrics, Consumer<IOException> onFailure) {
        this.out = out;
        this.endOutput = endOutput;
        this.metrics = metrics;
        this.onFailure = onFailure;
    }

    /**
     * Queues a control frame ahead of data.
     *
     * @param frame     the whole frame
     * @param droppable whether it may be dropped when too many control frames wait
     * @return whether the frame was queued (false once the writer finishes)
     */
    boolean control(byte[] frame, boolean droppable) {
        lock.lock();
        try {
            if (finishing || stopped || (droppable && control.size() >= MAX_CONTROL)) {
                return false;
            }
            control.add(frame);
            ready.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a stream frame (a whole frame as {@code byte[]} or a {@link Chunk}) behind earlier ones.
     *
     * @param item the frame
     * @return whether it was queued (false once the writer finishes)
     */
    boolean data(Object item) {
        lock.lock();
        try {
            if (finishing || stopped) {
                return false;
            }
            data.add(item);
            ready.signal();
            return true;
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
            } finally {
                lock.unlock();
            }
            done.complete(null);
        }
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
