package io.mosaik.network;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.primitives.PeerId;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** One authenticated connection to a peer, with its control stream and its link count. */
final class PeerSession {

    final PeerId peer;
    final TransportConnection connection;
    final FrameStream control;
    final Instant openedAt = Instant.now();
    private final AtomicInteger links = new AtomicInteger();
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private volatile boolean retired;
    private volatile boolean graceOver;

    PeerSession(PeerId peer, TransportConnection connection, FrameStream control) {
        this.peer = peer;
        this.connection = connection;
        this.control = control;
    }

    boolean isOpen() {
        return closeReason.get() == null && connection.isOpen();
    }

    void linkOpened() {
        links.incrementAndGet();
    }

    void linkClosed() {
        if (links.decrementAndGet() <= 0 && retired && graceOver) {
            close(CloseReason.DUPLICATE_CONNECTION);
        }
    }

    /** Stops new links from using this connection; see {@link #graceOver()}. */
    void retire() {
        retired = true;
    }

    /** The retirement grace is over: close now if no link is open, else when the last one closes. */
    void graceOver() {
        graceOver = true;
        if (links.get() <= 0) {
            close(CloseReason.DUPLICATE_CONNECTION);
        }
    }

    /**
     * Records the reason (first one wins), tells the remote on the control stream, closes the connection.
     *
     * @return whether this call was the one that closed it
     */
    boolean close(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return false;
        }
        control.close(reason);
        connection.close(reason);
        return true;
    }

    /** Records a reason that came from elsewhere (the remote, the transport). */
    boolean closedBy(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return false;
        }
        connection.close(reason);
        return true;
    }

    CloseReason closeReason() {
        return closeReason.get();
    }

    ConnectionInfo info(String transport, boolean primary) {
        return new ConnectionInfo(peer, connection.remoteAddress().getAddress().getHostAddress() + ":"
                + connection.remoteAddress().getPort(), connection.initiator() ? "outbound" : "inbound",
                transport, openedAt, links.get(), primary);
    }
}
