package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.Transport;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tcp} transport: TLS 1.3 over TCP with the JDK's TLS, mutual certificates, and one TLS
 * connection per peer pair carrying many flow-controlled streams (see {@link MuxFrame}).
 *
 * <p>Blocking sockets: an accept loop hands each new socket to its own (virtual) handshake thread
 * (bounded by {@link #DEFAULT_HANDSHAKE_TIMEOUT}, so a peer that connects and sends nothing holds
 * nothing for long, and by {@link #MAX_PENDING_HANDSHAKES}); every established connection then has one
 * reader and one writer platform thread. A single platform timer thread runs keep-alives and deadlines.
 */
public final class TcpTransport implements Transport {

    /** The transport's name in configuration. */
    public static final String NAME = "tcp";
    /** How long an incoming connection may take to complete the TLS handshake. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Incoming handshakes in progress at once; sockets beyond that are closed at once. */
    static final int MAX_PENDING_HANDSHAKES = 256;
    /** Established connections waiting for {@link #accept()}; beyond that new ones are closed. */
    static final int MAX_ACCEPT_BACKLOG = 1024;
    /** How long {@link #close()} waits for connections to finish their closing exchange. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(TcpTransport.class);
    private static final Object CLOSED = new Object();

    private final TransportConfig config;
    private final Duration handshakeTimeout;
    private final ScheduledExecutorService timer;
    private final TcpTls tls;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final int maxPendingHandshakes;
    /** Incoming sockets in their handshake: counted against {@link #MAX_PENDING_HANDSHAKES}. */
    private final Set<Socket> inboundHandshakes = ConcurrentHashMap.newKeySet();
    /** Dials in progress: not counted (this node chose them), only cut by {@link #close()}. */
    private final Set<Socket> outboundHandshakes = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<Object> ready = new LinkedBlockingQueue<>();
    private final Object bindLock = new Object();
    private volatile ServerSocket server;
    private volatile boolean closed;

    /**
     * Creates the transport; nothing is bound until {@link #bind(InetSocketAddress)}.
     *
     * @param config the TLS identity, frame size limit, idle timeout and metrics
     */
    public TcpTransport(TransportConfig config) {
        this(config, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * Creates the transport with a specific handshake timeout for incoming connections.
     *
     * @param config           the TLS identity, frame size limit, idle timeout and metrics
     * @param handshakeTimeout how long an incoming connection may take to complete the TLS handshake
     */
    public TcpTransport(TransportConfig config, Duration handshakeTimeout) {
        this(config, handshakeTimeout, MAX_PENDING_HANDSHAKES);
    }

    /**
     * Creates the transport with a specific limit of incoming handshakes in progress (for tests).
     *
     * @param config               the TLS identity, frame size limit, idle timeout and metrics
     * @param handshakeTimeout     how long an incoming connection may take to complete the TLS handshake
     * @param maxPendingHandshakes incoming handshakes in progress at once
     */
    TcpTransport(TransportConfig config, Duration handshakeTimeout, int maxPendingHandshakes) {
        this.maxPendingHandshakes = maxPendingHandshakes;
        this.config = Objects.requireNonNull(config, "config");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.timer = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("mosaik-tcp-timer").unstarted(task));
        this.tls = new TcpTls(config.tls(), timer);
    }

    /** {@value #NAME}. */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * Binds the listening socket and starts the accept loop.
     *
     * @throws IllegalStateException if already bound
     * @throws LinkClosedException   if the transport is closed
     */
    @Override
    public InetSocketAddress bind(InetSocketAddress address) throws IOException {
        synchronized (bindLock) {
            if (closed) {
                throw new LinkClosedException(CloseReason.CANCELLED, false, "transport closed");
            }
            if (server != null) {
                throw new IllegalStateException("already bound to " + server.getLocalSocketAddress());
            }
            ServerSocket socket = new ServerSocket();
            try {
                socket.setReuseAddress(true);
                socket.bind(address, MAX_PENDING_HANDSHAKES);
            } catch (IOException e) {
                TcpTls.closeQuietly(socket);
                throw e;
            }
            server = socket;
            Thread.ofVirtual().name("mosaik-tcp-accept-" + socket.getLocalPort()).start(() -> acceptLoop(socket));
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }
    }

    /**
     * Takes the next connection whose TLS handshake completed.
     *
     * @throws LinkClosedException with {@link CloseReason#CANCELLED} once the transport is closed
     */
    @Override
    public TransportConnection accept() throws IOException, InterruptedException {
        if (closed) {
            throw transportClosed();
        }
        Object next = ready.take();
        if (next == CLOSED) {
            ready.offer(CLOSED);
            throw transportClosed();
        }
        return (TransportConnection) next;
    }

    /**
     * Connects and runs the TLS handshake on a virtual thread; {@code timeout} bounds both together.
     * Cancelling the future closes a connection that completes afterwards.
     */
    @Override
    public CompletableFuture<TransportConnection> dial(InetSocketAddress address, Duration timeout) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<TransportConnection> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(transportClosed());
            return result;
        }
        Thread.ofVirtual().name("mosaik-tcp-dial-" + address).start(() -> dialNow(address, timeout, result));
        return result;
    }

    /**
     * Closes the listener, then every connection with {@link CloseReason#GRACEFUL_SHUTDOWN}, waiting up
     * to {@link #CLOSE_GRACE} for their closing exchange before cutting the rest; idempotent.
     */
    @Override
    public void close() {
        synchronized (bindLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ServerSocket socket = server;
        if (socket != null) {
            TcpTls.closeQuietly(socket);
        }
        ready.clear();
        ready.offer(CLOSED);
        inboundHandshakes.forEach(TcpTls::closeQuietly);
        outboundHandshakes.forEach(TcpTls::closeQuietly);
        List<TcpConnection> open = List.copyOf(connections);
        open.forEach(connection -> connection.close(CloseReason.GRACEFUL_SHUTDOWN));
        try {
            CompletableFuture.allOf(open.stream().map(TcpConnection::terminated).toArray(CompletableFuture[]::new))
                    .get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            // cut below
        }
        List.copyOf(connections).forEach(TcpConnection::abort);
        timer.shutdownNow();
    }

    /** Incoming handshakes in progress (for tests). */
    int pendingInboundHandshakes() {
        return inboundHandshakes.size();
    }

    @Override
    public String toString() {
        ServerSocket socket = server;
        return "TcpTransport(" + (socket == null ? "unbound" : socket.getLocalSocketAddress()) + ")";
    }

    private void acceptLoop(ServerSocket socket) {
        while (!closed) {
            Socket incoming;
            try {
                incoming = socket.accept();
            } catch (IOException e) {
                if (closed || socket.isClosed()) {
                    return;
                }
                // Out of file descriptors and the like: back off briefly rather than spin.
                log.warn("accept failed on {}: {}", socket.getLocalSocketAddress(), e.toString());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                continue;
            }
            if (inboundHandshakes.size() >= maxPendingHandshakes) {
                log.debug("dropping {}: {} incoming handshakes in progress", incoming.getRemoteSocketAddress(),
                        maxPendingHandshakes);
                config.metrics().handshakeRefusedBusy();
                TcpTls.closeQuietly(incoming);
                continue;
            }
            inboundHandshakes.add(incoming);
            Thread.ofVirtual().name("mosaik-tcp-handshake-" + incoming.getRemoteSocketAddress())
                    .start(() -> handshakeIncoming(incoming));
        }
    }

    private void handshakeIncoming(Socket plain) {
        try {
            if (closed) {
                throw transportClosed();
            }
            plain.setTcpNoDelay(true);
            SSLSocket socket = tls.server(plain);
            TcpTls.Keys keys = tls.handshake(plain, socket, handshakeTimeout);
            // From here on close() must end it as a connection (GOAWAY), not cut it as a handshake.
            inboundHandshakes.remove(plain);
            TcpConnection connection = establish(plain, socket, false, keys);
            if (connection == null) {
                return;
            }
            if (ready.size() >= MAX_ACCEPT_BACKLOG) {
                log.debug("{}: refused, {} connections wait for accept()", connection, MAX_ACCEPT_BACKLOG);
                config.metrics().handshakeRefusedBusy();
                connection.close(CloseReason.CANCELLED);
                return;
            }
            ready.offer(connection);
            if (closed) {
                // close() may have drained the queue before this offer: make sure nothing is left in it.
                ready.remove(connection);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("incoming connection from {} failed: {}", plain.getRemoteSocketAddress(), e.toString());
            if (!closed) {
                config.metrics().handshakeFailed();
            }
            TcpTls.closeQuietly(plain);
        } finally {
            inboundHandshakes.remove(plain);
        }
    }

    private void dialNow(InetSocketAddress address, Duration timeout, CompletableFuture<TransportConnection> result) {
        Socket plain = new Socket();
        outboundHandshakes.add(plain);
        try {
            if (closed) {
                throw transportClosed();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            plain.setTcpNoDelay(true);
            plain.connect(address, (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("TCP connect to " + address + " took longer than " + timeout);
            }
            SSLSocket socket = tls.client(plain, address);
            TcpTls.Keys keys = tls.handshake(plain, socket, Duration.ofNanos(left));
            outboundHandshakes.remove(plain);
            TcpConnection connection = establish(plain, socket, true, keys);
            if (connection == null) {
                throw transportClosed();
            }
            if (!result.complete(connection)) {
                // The caller gave up (cancelled the future) in the meantime.
                connection.close(CloseReason.CANCELLED);
            }
        } catch (IOException | RuntimeException e) {
            TcpTls.closeQuietly(plain);
            IOException failure = e instanceof IOException io ? io
                    : new IOException("dial to " + address + " failed: " + e, e);
            result.completeExceptionally(closed && !(failure instanceof LinkClosedException) ? transportClosed()
                    : failure);
        } finally {
            outboundHandshakes.remove(plain);
        }
    }

    /**
     * Wraps a handshaken socket into a running connection, or closes it if the transport closed:
     * registering before checking {@link #closed} means {@link #close()} either sees the connection or
     * this sees the close.
     */
    private TcpConnection establish(Socket plain, SSLSocket socket, boolean initiator, TcpTls.Keys keys)
            throws IOException {
        TcpConnection connection = new TcpConnection(plain, socket, initiator, keys, config, timer);
        connections.add(connection);
        connection.terminated().whenComplete((ignored, error) -> connections.remove(connection));
        if (closed) {
            connections.remove(connection);
            TcpTls.closeQuietly(plain);
            return null;
        }
        connection.start();
        log.debug("{}: established", connection);
        return connection;
    }

    private static LinkClosedException transportClosed() {
        return new LinkClosedException(CloseReason.CANCELLED, false, "transport closed");
    }
}
