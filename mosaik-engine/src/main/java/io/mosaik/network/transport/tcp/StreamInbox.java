package io.mosaik.network.transport.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The receive side of one stream: the DATA chunks the reader thread handed over, read back as one
 * continuous byte stream by the stream's receiver, with the stream's receive window.
 *
 * <p>Flow control: the peer may have at most {@link MuxFrame#INITIAL_WINDOW} bytes in flight or
 * buffered here. Once the receiver has consumed half of that, the consumed amount is granted back
 * with a WINDOW_UPDATE, so a stream whose receiver stops reading holds at most one window in memory
 * and stalls only its own sender. A peer that sends beyond its credit breaks the protocol.
 *
 * <p>When the stream ends, chunks already here are still readable if the end came from the remote
 * (what it sent before closing is delivered), and dropped if it came from this side; once drained,
 * reads throw the end's {@link io.mosaik.network.transport.LinkClosedException}.
 */
final class StreamInbox extends InputStream {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final IntConsumer grant;
    // guarded by lock
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int position;
    private long credit = MuxFrame.INITIAL_WINDOW;
    private int consumed;
    private Closure end;

    /**
     * Creates an inbox.
     *
     * @param grant sends a WINDOW_UPDATE of the given size; called without the lock held, must not block
     */
    StreamInbox(IntConsumer grant) {
        this.grant = grant;
    }

    /**
     * Adds a chunk from the wire (reader thread).
     *
     * @param chunk the DATA body
     * @return false if the peer exceeded the window (a protocol violation); true otherwise, including
     *         when the chunk was dropped because the stream already ended here
     */
    boolean offer(byte[] chunk) {
        lock.lock();
        try {
            if (end != null && !end.remote()) {
                return true;
            }
            if (chunk.length > credit) {
                return false;
            }
            credit -= chunk.length;
            chunks.add(chunk);
            arrived.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the inbox. The first end wins; a later local end still drops what is buffered.
     *
     * @param closure why it ended
     * @param discard whether to drop the chunks not read yet
     */
    void end(Closure closure, boolean discard) {
        lock.lock();
        try {
            if (end == null) {
                end = closure;
            }
            if (discard) {
                chunks.clear();
                current = null;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least one byte can be read, so that an interrupt while no frame has started
     * leaves the stream usable.
     *
     * @throws InterruptedIOException if interrupted
     * @throws IOException            the end's exception if the inbox ended and is drained
     */
    void awaitReadable() throws IOException {
        lock.lock();
        try {
            while (!hasBytes()) {
                if (end != null) {
                    throw end.exception();
                }
                arrived.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a frame");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        read(one, 0, 1);
        return one[0] & 0xFF;
    }

    /**
     * Reads at least one byte, blocking until one arrives; never returns -1: the end of the stream
     * throws the end's exception instead.
     *
     * @throws InterruptedIOException if interrupted while waiting
     */
    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int copied;
        int granted = 0;
        lock.lock();
        try {
            while (!hasBytes()) {
                if (end != null) {
                    throw end.exception();
                }
                try {
                    arrived.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading a frame");
                }
            }
            if (current == null || position == current.length) {
                current = chunks.poll();
                position = 0;
            }
            copied = Math.min(length, current.length - position);
            System.arraycopy(current, position, target, offset, copied);
            position += copied;
            if (position == current.length) {
                current = null;
            }
            consumed += copied;
            if (consumed >= MuxFrame.INITIAL_WINDOW / 2 && end == null) {
                granted = consumed;
                credit += granted;
                consumed = 0;
            }
        } finally {
            lock.unlock();
        }
        if (granted > 0) {
            grant.accept(granted);
        }
        return copied;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            int buffered = current == null ? 0 : current.length - position;
            for (byte[] chunk : chunks) {
                buffered += chunk.length;
            }
            return buffered;
        } finally {
            lock.unlock();
        }
    }

    private boolean hasBytes() {
        return (current != null && position < current.length) || !chunks.isEmpty();
    }
}
