package io.mosaik.discovery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A receiver of discovery events (spec §2.11), from {@link Discovery#events()}: every change of the
 * catalog after it was opened, in order, read at the receiver's own pace.
 *
 * <p>It holds at most {@link DiscoveryConfig#eventsBacklog()} events that were not read yet. Discovery
 * never waits for a slow reader: when an event arrives and the backlog is full, the oldest unread one is
 * dropped. The next {@link #poll} then throws a {@link LaggedException} saying how many were lost, and
 * the calls after it go on with the oldest event kept. A reader that lagged should treat its view as
 * incomplete and read {@link Discovery#catalog()} again.
 *
 * <p>Close it when done: an open receiver keeps receiving (up to its backlog) until discovery closes.
 */
public final class DiscoveryEvents implements AutoCloseable {

    /** The reader fell further behind than the backlog: the oldest events were dropped. */
    public static final class LaggedException extends Exception {

        private static final long serialVersionUID = 1L;

        private final long missed;

        LaggedException(long missed) {
            super(missed + " discovery events were dropped: the receiver fell more than its backlog behind");
            this.missed = missed;
        }

        /** How many events were dropped since the previous read. */
        public long missed() {
            return missed;
        }
    }

    private final ArrayDeque<DiscoveryEvent> unread = new ArrayDeque<>();
    private final int backlog;
    private final Runnable onClose;
    private long missed;
    private boolean closed;

    DiscoveryEvents(int backlog, Runnable onClose) {
        this.backlog = backlog;
        this.onClose = Objects.requireNonNull(onClose, "onClose");
    }

    /** Queues an event, dropping the oldest unread one if the backlog is full; never waits. */
    synchronized void offer(DiscoveryEvent event) {
        if (closed) {
            return;
        }
        if (unread.size() >= backlog) {
            unread.pollFirst();
            missed++;
        }
        unread.addLast(event);
        notifyAll();
    }

    /**
     * The next event, waiting up to {@code timeout} for one.
     *
     * @param timeout how long to wait if there is none yet
     * @return the event, or {@code null} if none came in time or the receiver is closed and read empty
     * @throws LaggedException      if events were dropped since the previous read (once per gap; the
     *                              next call returns the oldest event kept)
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public synchronized DiscoveryEvent poll(Duration timeout) throws LaggedException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (missed > 0) {
                long gap = missed;
                missed = 0;
                throw new LaggedException(gap);
            }
            DiscoveryEvent next = unread.pollFirst();
            if (next != null || closed) {
                return next;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Whether it was closed, by {@link #close()} or because discovery closed. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Stops receiving; events not read yet are dropped, and a waiting {@link #poll} returns. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            unread.clear();
            missed = 0;
            notifyAll();
        }
        onClose.run();
    }
}
