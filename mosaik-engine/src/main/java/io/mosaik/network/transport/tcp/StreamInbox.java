package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.Frames;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The receive side of one stream: the DATA chunks the reader thread handed over, read back as one
 * continuous byte stream by the stream's receiver, with the stream's receive window.
 *
 * <p>Flow control: the peer may have at most the stream's window in flight or buffered here. The window
 * starts at {@link MuxFrame#INITIAL_WINDOW}; once the receiver has consumed half of it, the consumed
 * amount is granted back with a WINDOW_UPDATE, so a stream whose receiver stops reading holds at most
 * one window in memory and stalls only its own sender. A peer that sends beyond its credit breaks the
 * protocol.
 *
 * <p>Auto-tuning: when a grant is due and, since the previous one, the peer used up its credit (it is
 * held back by the window) while the receiver found nothing to read (it keeps up), the window doubles, up
 * to {@link MuxFrame#MAX_WINDOW} and as far as the connection's {@link ReceiveBudget} allows. A stream
 * nobody reads never grows, and nor does one not yet accepted by the application ({@link #allowGrowth()}).
 *
 * <p>When the stream ends, chunks already here are still readable if the end came from the remote
 * (what it sent before closing is delivered), and dropped if it came from this side; once drained,
 * reads throw the end's {@link io.mosaik.network.transport.LinkClosedException}. The window goes back
 * to the budget when the peer can send no more (all but what is buffered) and when the application is
 * done with the stream (the rest).
 */
final class StreamInbox extends InputStream {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final IntConsumer grant;
    private final ReceiveBudget budget;
    private final boolean remote;
    // guarded by lock
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int position;
    private long held;
    private long window = MuxFrame.INITIAL_WINDOW;
    private long credit = MuxFrame.INITIAL_WINDOW;
    private long consumed;
    /** What this stream counts in the budget: its window, then what is left buffered once it ended. */
    private long reserved = MuxFrame.INITIAL_WINDOW;
    private boolean growable;
    private boolean starved;
    private boolean exhausted;
    private boolean released;
    private Closure end;

    /**
     * Creates an inbox whose initial window the caller already took from {@code budget}.
     *
     * @param grant    sends a WINDOW_UPDATE of the given size; called without the lock held, must not block
     * @param budget   the connection's receive budget
     * @param remote   whether the peer opened the stream (it then holds one of the peer's stream slots)
     * @param growable whether the window may grow from the start (streams this side opened)
     */
    StreamInbox(IntConsumer grant, ReceiveBudget budget, boolean remote, boolean growable) {
        this.grant = grant;
        this.budget = budget;
        this.remote = remote;
        this.growable = growable;
    }

    /** Lets the window grow: the application accepted the stream. */
    void allowGrowth() {
        lock.lock();
        try {
            growable = true;
        } finally {
            lock.unlock();
        }
    }

    /** The current receive window. */
    long window() {
        lock.lock();
        try {
            return window;
        } finally {
            lock.unlock();
        }
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
            if (end != null || chunk.length == 0) {
                return true; // an empty chunk carries nothing (and a reader must never see one)
            }
            if (chunk.length > credit) {
                return false;
            }
            credit -= chunk.length;
            if (credit < MuxFrame.CHUNK) {
                exhausted = true;
            }
            chunks.add(chunk);
            held += chunk.length;
            budget.buffered(chunk.length);
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
     * @param discard whether to drop the chunks not read yet (the application is done with the stream)
     */
    void end(Closure closure, boolean discard) {
        lock.lock();
        try {
            if (end == null) {
                end = closure;
                // The peer can send no more: only what is buffered still counts.
                if (!released) {
                    budget.release(reserved - held, false);
                    reserved = held;
                }
            }
            if (discard) {
                chunks.clear();
                current = null;
                budget.buffered(-held);
                held = 0;
                releaseAll();
            }
            arrived.signalAll();
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
        long granted = 0;
        lock.lock();
        try {
            awaitChunk("interrupted while reading a frame");
            copied = Math.min(length, current.length - position);
            System.arraycopy(current, position, target, offset, copied);
            granted = consume(copied);
        } finally {
            lock.unlock();
        }
        if (granted > 0) {
            grant.accept((int) granted);
        }
        return copied;
    }

    /**
     * Waits until a byte can be read (so that an interrupt while no frame has started leaves the stream
     * usable), then takes the next frame of
     * the {@link Frames} format whole if the chunk at hand holds all of it, under one lock: the usual
     * case, since a sender writes a frame as one chunk when its window allows. Otherwise, or if the
     * header is not one to accept here, it consumes nothing and returns {@code null}: the caller then
     * parses the frame from the stream, which also reports what is wrong with it.
     *
     * @param maxFrameSize the largest body taken here
     * @return the frame, or {@code null}
     * @throws InterruptedIOException if interrupted while waiting (nothing consumed)
     * @throws IOException            the end's exception if the inbox ended and is drained
     */
    Frames.Frame pollFrame(int maxFrameSize) throws IOException {
        Frames.Frame frame = null;
        long granted = 0;
        lock.lock();
        try {
            awaitChunk("interrupted while waiting for a frame");
            int available = current.length - position;
            if (available >= Frames.HEADER) {
                long size = Integer.toUnsignedLong(MuxFrame.readInt(current, position));
                if (size >= 1 && size - 1 <= maxFrameSize && 4 + size <= available) {
                    int start = position + Frames.HEADER;
                    frame = new Frames.Frame(current[position + 4],
                            Arrays.copyOfRange(current, start, start + (int) size - 1));
                    granted = consume(4 + (int) size);
                }
            }
        } finally {
            lock.unlock();
        }
        if (granted > 0) {
            grant.accept((int) granted);
        }
        return frame;
    }

    /**
     * Takes the whole DATA frames that sit in the chunks already here, without waiting, under one lock, up
     * to {@code max}: their payloads go to {@code into}. Stops at the first frame that is not a DATA frame,
     * not whole in its chunk or over {@code maxFrameSize}, consuming nothing of it: {@link #pollFrame} and
     * the stream's parser deal with it.
     *
     * @return how many payloads were added
     */
    int pollDataFrames(int maxFrameSize, java.util.List<byte[]> into, int max) {
        int taken = 0;
        long granted = 0;
        lock.lock();
        try {
            while (taken < max) {
                if (current == null || position == current.length) {
                    current = chunks.poll();
                    position = 0;
                    if (current == null) {
                        break;
                    }
                }
                int available = current.length - position;
                if (available < Frames.HEADER || current[position + 4] != Frames.DATA) {
                    break;
                }
                long size = Integer.toUnsignedLong(MuxFrame.readInt(current, position));
                if (size < 1 || size - 1 > maxFrameSize || 4 + size > available) {
                    break;
                }
                int start = position + Frames.HEADER;
                into.add(Arrays.copyOfRange(current, start, start + (int) size - 1));
                granted += consume(4 + (int) size);
                taken++;
            }
        } finally {
            lock.unlock();
        }
        if (granted > 0) {
            grant.accept((int) granted); // at most what was buffered: within one window
        }
        return taken;
    }

    /** The bytes here now: a {@link #read} of at most this many does not wait. */
    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, held);
        } finally {
            lock.unlock();
        }
    }

    /**
     * If the inbox ended and nothing is left to read, what a read would throw (the application is then
     * done with the stream, as after such a read); otherwise {@code null}. Never waits.
     */
    IOException drainedEnd() {
        lock.lock();
        try {
            if (end == null || hasBytes()) {
                return null;
            }
            releaseAll();
            return end.exception();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for bytes and makes {@link #current} the chunk to read them from (lock held). */
    private void awaitChunk(String interrupted) throws IOException {
        try {
            awaitBytes();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(interrupted);
        }
        if (current == null || position == current.length) {
            current = chunks.poll();
            position = 0;
        }
    }

    /** Takes {@code count} bytes of {@link #current} as read; the credit to grant back (lock held). */
    private long consume(int count) {
        position += count;
        if (position == current.length) {
            current = null;
        }
        held -= count;
        budget.buffered(-count);
        consumed += count;
        long granted = 0;
        if (consumed >= window / 2 && end == null) {
            granted = consumed + grow();
            credit += granted;
            consumed = 0;
            starved = false;
            exhausted = false;
        }
        return granted;
    }

    /** Doubles the window if the peer is held back by it while the reader keeps up; the growth granted. */
    private long grow() {
        if (!growable || !starved || !exhausted || window >= MuxFrame.MAX_WINDOW) {
            return 0;
        }
        int more = budget.tryGrow((int) Math.min(window, MuxFrame.MAX_WINDOW - window));
        window += more;
        reserved += more;
        return more;
    }

    private void awaitBytes() throws IOException, InterruptedException {
        while (!hasBytes()) {
            if (end != null) {
                // Drained after the end: the application is done with the stream.
                releaseAll();
                throw end.exception();
            }
            starved = true;
            arrived.await();
        }
    }

    private void releaseAll() {
        if (!released) {
            released = true;
            budget.release(reserved, remote);
            reserved = 0;
        }
    }

    private boolean hasBytes() {
        return (current != null && position < current.length) || !chunks.isEmpty();
    }
}
