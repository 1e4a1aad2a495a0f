package io.mosaik.network.transport.tcp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much one connection lets its peer make this side buffer: the sum of the receive windows of its
 * streams, held under a fixed limit.
 *
 * <p>Every stream starts with {@link MuxFrame#INITIAL_WINDOW} (implicit in the protocol, so it cannot be
 * refused once a stream is admitted). The limit keeps room for the initial windows of every stream the
 * peer may still open ({@code maxRemoteStreams}), so growing a window (see {@link StreamInbox}) never
 * takes what a new stream is owed: a peer alone can never make this side hold more than {@code limit}
 * bytes. Streams this side opens add their initial window too (the application decides how many).
 *
 * <p>A window is counted from the stream's creation until the application is done with it (read it to
 * its end or closed it): a stream the peer closed while its bytes still wait here keeps counting them,
 * and keeps its slot among the {@code maxRemoteStreams}.
 *
 * <p>Thread-safe; a leaf lock (nothing is called while it is held).
 */
final class ReceiveBudget {

    private final long limit;
    private final int maxRemoteStreams;
    private final AtomicLong buffered = new AtomicLong();
    // guarded by this
    private long committed;
    private int remoteHeld;

    /**
     * Creates a budget.
     *
     * @param limit            the most bytes the peer's streams may have granted at once
     * @param maxRemoteStreams the most streams opened by the peer held at once
     */
    ReceiveBudget(long limit, int maxRemoteStreams) {
        if (limit < (long) maxRemoteStreams * MuxFrame.INITIAL_WINDOW) {
            throw new IllegalArgumentException("a budget of " + limit + " bytes cannot hold the initial windows of "
                    + maxRemoteStreams + " streams");
        }
        this.limit = limit;
        this.maxRemoteStreams = maxRemoteStreams;
    }

    /**
     * Admits a stream the peer opened, with its initial window.
     *
     * @return false if {@code maxRemoteStreams} peer streams are still held here
     */
    synchronized boolean admitRemote() {
        if (remoteHeld >= maxRemoteStreams) {
            return false;
        }
        remoteHeld++;
        committed += MuxFrame.INITIAL_WINDOW;
        return true;
    }

    /** Admits a stream this side opened, with its initial window. */
    synchronized void admitLocal() {
        committed += MuxFrame.INITIAL_WINDOW;
    }

    /**
     * Asks for {@code wanted} more bytes of window for one stream.
     *
     * @return {@code wanted} if it fits under the limit (keeping the peer's unopened streams' initial
     *         windows free), else 0
     */
    synchronized int tryGrow(int wanted) {
        long reserve = (long) (maxRemoteStreams - remoteHeld) * MuxFrame.INITIAL_WINDOW;
        if (committed + reserve + wanted > limit) {
            return 0;
        }
        committed += wanted;
        return wanted;
    }

    /**
     * Gives window back.
     *
     * @param amount     bytes no longer granted nor buffered
     * @param remoteSlot whether a peer stream is done with, freeing its slot
     */
    synchronized void release(long amount, boolean remoteSlot) {
        committed -= amount;
        if (remoteSlot) {
            remoteHeld--;
        }
    }

    /** Counts bytes received into (positive) or taken out of (negative) stream inboxes. */
    void buffered(long delta) {
        buffered.addAndGet(delta);
    }

    /** Bytes received and not yet read or dropped, over all streams. */
    long buffered() {
        return buffered.get();
    }

    /** The sum of the windows granted to the peer (in flight, buffered or not yet used). */
    synchronized long committed() {
        return committed;
    }

    /** The limit. */
    long limit() {
        return limit;
    }
}
