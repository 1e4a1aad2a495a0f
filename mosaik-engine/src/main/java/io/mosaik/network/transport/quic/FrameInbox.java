package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.Frames;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The frames a QUIC stream's reader thread has read and {@code receive()} has not yet taken.
 *
 * <p>It exists so that no caller of {@code receive()} ever blocks inside kwik: kwik interrupts the
 * thread it last saw blocked in a read when the stream is aborted, and it reads that thread without a
 * lock, so the interrupt can land after the read has returned and hit whatever the caller does next.
 * Only the stream's own reader thread reads from kwik, and interrupts are harmless to it.
 *
 * <p>Bounded by bytes: the reader waits while {@code limit} bytes are queued (a frame larger than the
 * limit is still admitted alone), so kwik's flow-control window keeps throttling the remote. The end of
 * the input (a clean end, or the failure that ended it) stays at the tail for every later take.
 */
final class FrameInbox {

    /** What {@link #take()} returns once the input has ended or the inbox was closed. */
    sealed interface Item permits Data, End, Closed {
    }

    /** A frame read from the stream. */
    record Data(Frames.Frame frame) implements Item {
    }

    /**
     * The input ended.
     *
     * @param failure why, or {@code null} for a clean end of stream between frames
     */
    record End(IOException failure) implements Item {
    }

    /** Closed from this side: {@code receive()} reports the stream's own end. */
    record Closed() implements Item {
    }

    private static final Closed CLOSED = new Closed();

    private final long limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Frames.Frame> frames = new ArrayDeque<>();
    private long bytes;
    private Item tail;

    /**
     * Creates an inbox.
     *
     * @param limit the queued bytes above which the reader waits
     */
    FrameInbox(long limit) {
        this.limit = limit;
    }

    /**
     * Queues a frame, waiting (uninterruptibly) while the inbox is full.
     *
     * @param frame the frame
     * @return {@code false} when the inbox has been closed or ended: stop reading
     */
    boolean put(Frames.Frame frame) {
        lock.lock();
        try {
            while (tail == null && bytes >= limit && !frames.isEmpty()) {
                changed.awaitUninterruptibly();
            }
            if (tail != null) {
                return false;
            }
            frames.addLast(frame);
            bytes += frame.body().length;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the end of the input, after the frames already queued.
     *
     * @param failure why it ended, or {@code null} for a clean end
     */
    void end(IOException failure) {
        lock.lock();
        try {
            if (tail == null) {
                tail = new End(failure);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the inbox from this side: queued frames are dropped, takers and the reader are woken. */
    void close() {
        lock.lock();
        try {
            frames.clear();
            bytes = 0;
            if (!(tail instanceof End)) {
                tail = CLOSED;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next frame, or the end once every frame has been taken.
     *
     * @return the next item; an end or close is returned again on every later call
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    Item take() throws InterruptedException {
        lock.lock();
        try {
            while (frames.isEmpty() && tail == null) {
                changed.await();
            }
            Frames.Frame frame = frames.pollFirst();
            if (frame == null) {
                return tail;
            }
            bytes -= frame.body().length;
            changed.signalAll();
            return new Data(frame);
        } finally {
            lock.unlock();
        }
    }
}
