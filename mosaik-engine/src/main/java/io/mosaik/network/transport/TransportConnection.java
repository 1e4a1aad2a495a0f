package io.mosaik.network.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A TLS-secured connection between this node and one remote node, carrying many {@link FrameStream}s.
 *
 * <p>A transport connection is not yet authenticated: the peer proves its {@code PeerId} afterwards on
 * the first stream (see {@code io.mosaik.network.PeerAuth}), binding its proof to the TLS keys exposed
 * here. Only the dialing side opens the first stream.
 */
public interface TransportConnection {

    /** Whether this side dialed the connection. */
    boolean initiator();

    /** The remote socket address. */
    InetSocketAddress remoteAddress();

    /**
     * The SubjectPublicKeyInfo encoding of the TLS server's certificate key, as both ends see it (the
     * dialing side read it from the handshake; the accepting side knows its own).
     */
    byte[] serverTlsKey();

    /**
     * The SubjectPublicKeyInfo encoding of the TLS client's certificate key, as both ends see it, or an
     * empty array when the transport has no client certificates (QUIC through kwik).
     */
    byte[] clientTlsKey();

    /**
     * Opens a new stream to the remote.
     *
     * @param timeout how long to wait for the remote's stream credit before giving up
     * @return the stream
     * @throws LinkClosedException if the connection is closed
     * @throws IOException         if the stream cannot be opened in time
     */
    FrameStream openStream(Duration timeout) throws IOException;

    /**
     * Waits for the next stream the remote opens.
     *
     * @return the stream
     * @throws LinkClosedException  once the connection is closed
     * @throws InterruptedException if the waiting thread is interrupted
     */
    FrameStream acceptStream() throws IOException, InterruptedException;

    /**
     * Closes the connection and every stream on it. Idempotent; returns within a short bounded time.
     *
     * @param reason the reason given to the remote where the transport can carry one
     */
    void close(CloseReason reason);

    /** Completes (never exceptionally) once the connection is closed, by either side or by a timeout. */
    CompletableFuture<CloseReason> closed();

    /** Whether the connection is still open. */
    default boolean isOpen() {
        return !closed().isDone();
    }
}
