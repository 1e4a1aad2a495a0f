package io.mosaik.network.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A way for nodes to reach each other: listens on one address, dials others, and yields TLS-secured
 * {@link TransportConnection}s that carry many {@link FrameStream}s.
 *
 * <p>Two implementations exist: {@code quic} (QUIC through kwik, one UDP port) and {@code tcp} (TLS 1.3
 * over TCP with the JDK's TLS, streams multiplexed on one connection). Peer authentication, network
 * checks and connection deduplication are done above this interface, identically for both.
 */
public interface Transport extends AutoCloseable {

    /** The transport's name as used in configuration: {@code quic} or {@code tcp}. */
    String name();

    /**
     * Binds the listening socket and starts accepting connections.
     *
     * @param address the address to bind; port 0 picks a free port
     * @return the address actually bound
     * @throws IOException if the address cannot be bound
     */
    InetSocketAddress bind(InetSocketAddress address) throws IOException;

    /**
     * Waits for the next connection a remote node dialed to this one (TLS established).
     *
     * @return the connection
     * @throws LinkClosedException  once the transport is closed
     * @throws InterruptedException if the waiting thread is interrupted
     */
    TransportConnection accept() throws IOException, InterruptedException;

    /**
     * Dials a remote node.
     *
     * @param address the remote address
     * @param timeout the longest time the TLS handshake may take
     * @return a future of the connection, failed with an {@link IOException} if it cannot be made in time
     */
    CompletableFuture<TransportConnection> dial(InetSocketAddress address, Duration timeout);

    /** Closes the listener and every connection; releases the port. Returns within a bounded time. */
    @Override
    void close();
}
