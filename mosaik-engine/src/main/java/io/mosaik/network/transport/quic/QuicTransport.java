package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TlsIdentity;
import io.mosaik.network.transport.Transport;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnection;
import tech.kwik.core.server.ServerConnector;

/**
 * The {@code quic} transport: QUIC through kwik 0.10.9 on one UDP port, one ALPN ({@value KwikSettings#ALPN}),
 * every link a stream of one connection per peer pair.
 *
 * <p>kwik is used as published. Its known defects are worked around by how it is used: streams are
 * re-armed by a {@link StallWatchdog} when kwik's lost wake-up strands their data, {@code createStream}
 * is time-boxed, and a dialed connection sends keep-alives so that the idle timeout is the failure
 * detector (a dead peer is noticed after about the idle timeout, on both sides).
 *
 * <p>Idle timeouts under 2 s are raised to 2 s (see {@link KwikSettings#MIN_IDLE_TIMEOUT}).
 *
 * <p>Every connection costs kwik four to six platform threads per side, so what remote nodes can make
 * this node hold is bounded ({@link Limits#DEFAULT}): handshakes in flight (by the {@link HandshakeGate}
 * in front of kwik), connections waiting for {@link #accept()}, and accepted connections still open.
 * A connection over a limit is closed as soon as its handshake is done, with
 * {@link CloseReason#CANCELLED} and a reason phrase saying which limit it hit.
 *
 * <p>Needs Java 24 or newer: kwik blocks readers with {@code synchronized} and {@code Object.wait},
 * which before JDK 24 (JEP 491) pins the carrier of the virtual thread every link runs on.
 */
public final class QuicTransport implements Transport {

    /** The transport's configuration name. */
    public static final String NAME = "quic";
    /** How long {@link #close()} waits for kwik's server connector to wind down before dropping its socket. */
    static final Duration CONNECTOR_CLOSE_WAIT = Duration.ofSeconds(3);

    /** The oldest Java feature release on which kwik's blocking reads do not pin virtual threads (JEP 491). */
    static final int MIN_JAVA_FEATURE = 24;

    /**
     * How much remote nodes can make this transport hold.
     *
     * @param maxHandshakes  sources in a QUIC handshake at once (see {@link HandshakeGate})
     * @param maxPending     connections handshaken but not yet taken by {@link #accept()}
     * @param maxInbound     accepted (server-side) connections open at once, taken or not
     * @param handshakeSlack how much longer than the idle timeout a silent source keeps its handshake
     *                       slot; kwik drops a handshake that gets no answer after about the idle timeout
     */
    record Limits(int maxHandshakes, int maxPending, int maxInbound, Duration handshakeSlack) {

        /** 256 handshakes, 256 waiting for {@code accept()}, 1024 open: at most some 8k kwik threads. */
        static final Limits DEFAULT = new Limits(256, 256, 1024, Duration.ofSeconds(5));

        Limits {
            if (maxHandshakes < 1 || maxPending < 1 || maxInbound < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
            Objects.requireNonNull(handshakeSlack, "handshakeSlack");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(QuicTransport.class);
    private static final String NO_SECURITY_WARNINGS = "tech.kwik.core.no-security-warnings";
    // Put into the accept queue once closed; every taker puts it back for the next.
    private static final Object CLOSED = new Object();

    static {
        // Dialing without a certificate check is by design (the layer above authenticates the peer over
        // the connection); kwik would otherwise print a warning to stdout on every dial. kwik reads only
        // this property: the alternative, a trust-all customTrustManager, silences it but brings back
        // agent15's server-name check, which TlsIdentity promises peers do not make. A value set by the
        // operator is left alone.
        if (System.getProperty(NO_SECURITY_WARNINGS) == null) {
            System.setProperty(NO_SECURITY_WARNINGS, "true");
        }
        // kwik 0.10.9 asserts that its loss delay (9/8 of the RTT, in whole milliseconds) is positive,
        // which a sub-millisecond RTT on loopback or a LAN breaks (fixed upstream in 2026-08, not
        // released). Without -ea kwik then only declares a packet lost early; with -ea the AssertionError
        // aborts the connection, which then drops every packet until both ends idle out. Keep kwik's
        // assertions off even in a JVM started with -ea (test runners start them so): a class's status
        // is fixed when it is initialised, and none of kwik's connection classes is yet.
        ClassLoader kwik = ServerConnector.class.getClassLoader();
        if (kwik != null) {
            kwik.setPackageAssertionStatus("tech.kwik", false);
        }
    }

    private final TransportConfig config;
    private final Limits limits;
    private final StallWatchdog watchdog;
    private final BlockingQueue<Object> accepted = new LinkedBlockingQueue<>();
    private final Set<QuicTransportConnection> connections = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    // guarded by lifecycle
    private HandshakeGate socket;
    private ServerConnector connector;
    private boolean closed;
    private int inbound;

    /**
     * Creates the transport; nothing is bound before {@link #bind}.
     *
     * @param config the TLS identity, frame limit, idle timeout and metrics
     * @throws IllegalStateException on a Java runtime older than 24 (see {@link #requireJavaFeature})
     */
    public QuicTransport(TransportConfig config) {
        this(config, Limits.DEFAULT);
    }

    /** A transport with other limits (for tests). */
    QuicTransport(TransportConfig config, Limits limits) {
        requireJavaFeature(Runtime.version().feature());
        this.config = Objects.requireNonNull(config, "config");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.watchdog = new StallWatchdog("mosaik-quic-watchdog", config.metrics());
    }

    /**
     * Refuses Java runtimes on which kwik would pin virtual-thread carriers.
     *
     * @param feature the feature release of the running JDK ({@code Runtime.version().feature()})
     * @throws IllegalStateException if {@code feature} is below {@value #MIN_JAVA_FEATURE}
     */
    static void requireJavaFeature(int feature) {
        if (feature < MIN_JAVA_FEATURE) {
            throw new IllegalStateException("the quic transport needs Java " + MIN_JAVA_FEATURE
                    + " or newer, but this is Java " + feature + ": kwik blocks stream readers with synchronized"
                    + " and Object.wait, which before Java 24 (JEP 491) pins the carrier thread of every virtual"
                    + " thread that waits, so a few hundred idle links would stall all virtual threads of the node;"
                    + " use mosaik.transport=tcp or run on a newer JDK");
        }
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the transport is already bound
     */
    @Override
    public InetSocketAddress bind(InetSocketAddress address) throws IOException {
        synchronized (lifecycle) {
            if (closed) {
                throw new LinkClosedException(CloseReason.CANCELLED, false, "the transport is closed");
            }
            if (socket != null) {
                throw new IllegalStateException("already bound to " + socket.getLocalSocketAddress());
            }
            HandshakeGate bound = new HandshakeGate(address, limits.maxHandshakes(),
                    KwikSettings.idleTimeout(config).plus(limits.handshakeSlack()));
            try {
                ServerConnector server = ServerConnector.builder()
                        .withSocket(bound)
                        .withKeyStore(config.tls().keyStore(), TlsIdentity.ALIAS, TlsIdentity.PASSWORD)
                        .withConfiguration(KwikSettings.server(config))
                        .withLogger(new NullLogger())
                        .build();
                server.registerApplicationProtocol(KwikSettings.ALPN, new Acceptor());
                server.start();
                socket = bound;
                connector = server;
            } catch (CertificateException e) {
                bound.release();
                throw new IOException("kwik refuses the TLS certificate: " + e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                bound.release();
                throw e;
            }
            return new InetSocketAddress(address.getAddress(), bound.getLocalPort());
        }
    }

    /** {@inheritDoc} */
    @Override
    public TransportConnection accept() throws IOException, InterruptedException {
        Object next = accepted.take();
        if (next == CLOSED) {
            accepted.add(CLOSED);
            throw new LinkClosedException(CloseReason.CANCELLED, false, "the transport is closed");
        }
        return (TransportConnection) next;
    }

    /**
     * {@inheritDoc}
     *
     * <p>kwik's blocking {@code connect} runs on a virtual thread; the future fails with a
     * {@link SocketTimeoutException} when {@code timeout} passes first (a connection kwik completes
     * later is closed). The first connection after JVM start can take seconds (kwik warms up slowly).
     */
    @Override
    public CompletableFuture<TransportConnection> dial(InetSocketAddress address, Duration timeout) {
        CompletableFuture<TransportConnection> result = new CompletableFuture<>();
        if (isClosed()) {
            result.completeExceptionally(new LinkClosedException(CloseReason.CANCELLED, false, "the transport is closed"));
            return result;
        }
        try {
            ScheduledFuture<?> timer = watchdog.scheduler().schedule(
                    () -> result.completeExceptionally(new SocketTimeoutException(
                            "no QUIC connection to " + address + " within " + timeout)),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
            result.whenComplete((connection, failure) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new LinkClosedException(CloseReason.CANCELLED, false, "the transport is closed"));
            return result;
        }
        Thread.ofVirtual().name("mosaik-quic-dial-" + address).start(() -> connect(address, timeout, result));
        return result;
    }

    /** The stall watchdog, whose thread also runs the transport's timers (for tests). */
    StallWatchdog watchdog() {
        return watchdog;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Connections are closed with {@link CloseReason#GRACEFUL_SHUTDOWN}; kwik's server connector gets
     * {@link #CONNECTOR_CLOSE_WAIT} to wind down, then the UDP socket is closed regardless.
     */
    @Override
    public void close() {
        HandshakeGate boundSocket;
        ServerConnector server;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            boundSocket = socket;
            server = connector;
        }
        accepted.removeIf(item -> item instanceof QuicTransportConnection);
        accepted.add(CLOSED);
        for (QuicTransportConnection connection : connections) {
            connection.close(CloseReason.GRACEFUL_SHUTDOWN);
        }
        if (server != null) {
            Thread closer = Thread.ofVirtual().name("mosaik-quic-connector-close").start(server::close);
            try {
                if (!closer.join(CONNECTOR_CLOSE_WAIT)) {
                    log.debug("kwik server connector still closing after {}", CONNECTOR_CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (boundSocket != null) {
            // not close(): kwik may still be waiting for connections, with its receiver running
            boundSocket.release();
        }
        watchdog.close();
    }

    /** The gate in front of kwik's server, or {@code null} before {@link #bind} (for tests). */
    HandshakeGate handshakeGate() {
        synchronized (lifecycle) {
            return socket;
        }
    }

    /** How many accepted connections are open, taken by {@link #accept()} or not (for tests). */
    int inboundCount() {
        synchronized (lifecycle) {
            return inbound;
        }
    }

    private boolean isClosed() {
        synchronized (lifecycle) {
            return closed;
        }
    }

    private void connect(InetSocketAddress address, Duration timeout, CompletableFuture<TransportConnection> result) {
        QuicClientConnection quic;
        try {
            quic = KwikSettings.client(config, address, timeout).build();
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(asIoException(e));
            return;
        }
        QuicTransportConnection connection =
                new QuicTransportConnection(quic, true, address, config, watchdog, this::ended);
        // Before connect(): the server may open streams right after the handshake.
        quic.setPeerInitiatedStreamCallback(connection::peerStream);
        quic.setConnectionListener(connection::terminated);
        try {
            quic.connect();
        } catch (IOException | RuntimeException e) {
            // A refusal that arrives while kwik (0.10.9) completes its handshake fails connect() with an
            // empty "Handshake error"; the connection's end, reported to its listener, says why.
            ConnectionEnd end = e instanceof java.net.ConnectException && String.valueOf(e.getMessage())
                    .startsWith("Handshake error") ? connection.awaitEnd(QuicFrameStream.CONNECTION_END_GRACE) : null;
            connection.close(CloseReason.CANCELLED);
            result.completeExceptionally(end != null && end.remote() ? end.exception() : asIoException(e));
            return;
        }
        try {
            List<X509Certificate> chain = quic.getServerCertificateChain();
            connection.serverTlsKey(chain.get(0).getPublicKey().getEncoded());
            quic.keepAlive(KwikSettings.KEEP_ALIVE_SECONDS);
        } catch (RuntimeException e) {
            // Typically the remote closed right after the handshake (it refused the connection): say why.
            ConnectionEnd end = connection.awaitEnd(QuicFrameStream.CONNECTION_END_GRACE);
            connection.close(CloseReason.CANCELLED);
            result.completeExceptionally(end != null ? end.exception() : asIoException(e));
            return;
        }
        if (!register(connection)) {
            connection.close(CloseReason.CANCELLED);
            result.completeExceptionally(new LinkClosedException(CloseReason.CANCELLED, false, "the transport is closed"));
            return;
        }
        if (!result.complete(connection)) {
            // Timed out or cancelled while kwik was still connecting.
            connection.close(CloseReason.CANCELLED);
        }
    }

    private boolean register(QuicTransportConnection connection) {
        synchronized (lifecycle) {
            if (closed) {
                return false;
            }
            connections.add(connection);
        }
        if (!connection.isOpen()) {
            unregister(connection);
        }
        return true;
    }

    /**
     * Registers an accepted connection and queues it for {@link #accept()}.
     *
     * @return {@code null} if done, else why the connection is refused
     */
    private String admit(QuicTransportConnection connection) {
        synchronized (lifecycle) {
            if (closed) {
                return "the transport is closed";
            }
            if (accepted.size() >= limits.maxPending()) {
                return "too many connections waiting to be accepted (" + limits.maxPending() + ")";
            }
            if (inbound >= limits.maxInbound()) {
                return "too many open connections (" + limits.maxInbound() + ")";
            }
            connections.add(connection);
            inbound++;
            accepted.add(connection);
        }
        if (!connection.isOpen()) {
            // Ended while being admitted: its end may have run before it was registered.
            unregister(connection);
        }
        return null;
    }

    private void unregister(QuicTransportConnection connection) {
        synchronized (lifecycle) {
            if (connections.remove(connection) && !connection.initiator()) {
                inbound--;
            }
            accepted.remove(connection);
        }
    }

    private void ended(QuicTransportConnection connection) {
        unregister(connection);
    }

    private static IOException asIoException(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }

    /** Hands the connections kwik accepts on our ALPN to {@link #accept()}. */
    private final class Acceptor implements ApplicationProtocolConnectionFactory {

        @Override
        public ApplicationProtocolConnection createConnection(String protocol, QuicConnection quic) {
            InetSocketAddress remote = quic instanceof ServerConnection server ? server.getInitialRemoteAddress() : null;
            HandshakeGate gate = handshakeGate();
            if (gate != null) {
                gate.release(remote);
            }
            QuicTransportConnection connection =
                    new QuicTransportConnection(quic, false, remote, config, watchdog, QuicTransport.this::ended);
            // The same source as the dialing side's: the key encoded in the certificate presented.
            connection.serverTlsKey(config.tls().certificate().getPublicKey().getEncoded());
            quic.setConnectionListener(connection::terminated);
            String refusal = admit(connection);
            if (refusal != null) {
                log.debug("refusing a QUIC connection from {}: {}", remote, refusal);
                config.metrics().handshakeRefusedBusy();
                connection.close(CloseReason.CANCELLED, refusal);
            }
            return new ApplicationProtocolConnection() {
                @Override
                public void acceptPeerInitiatedStream(QuicStream stream) {
                    connection.peerStream(stream);
                }
            };
        }

        @Override
        public int maxConcurrentPeerInitiatedBidirectionalStreams() {
            return KwikSettings.MAX_PEER_STREAMS;
        }

        @Override
        public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
            return 0;
        }
    }
}
