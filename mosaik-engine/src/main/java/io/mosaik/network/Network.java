package io.mosaik.network;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.codec.Codec;
import io.mosaik.discovery.Discovery;
import io.mosaik.discovery.DiscoveryConfig;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TlsIdentity;
import io.mosaik.network.transport.Transport;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.network.transport.TransportMetrics;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.SecretKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mosaik node: an identity on one network id, listening on one address, with authenticated
 * connections to other nodes and protocol links over them.
 *
 * <pre>{@code
 * try (Network network = Network.start(NetworkId.of("demo"))) {
 *     System.out.println(network.address()); // peerId@127.0.0.1:port
 * }
 * }</pre>
 *
 * <p>Every connection is authenticated before use: the remote proves the {@link PeerId} it claims and
 * must belong to the same {@link NetworkId}; otherwise it is refused with a close code and counted in
 * {@code mosaik.network.peers.rejected}. One connection is kept per peer pair: when two nodes dial each
 * other at once, both keep the connection dialed by the smaller peer id. Subsystems (discovery, streams,
 * groups) open {@link Link}s for their protocols with {@link #openLink(PeerAddress, String)} and serve
 * them with {@link #handle(String, LinkHandler)}.
 */
public final class Network implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Network.class);
    private static final Duration BOOTSTRAP_RETRY_MIN = Duration.ofMillis(250);
    private static final Duration BOOTSTRAP_RETRY_MAX = Duration.ofSeconds(5);
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(2);

    private final NetworkId networkId;
    private final SecretKey secretKey;
    private final Settings settings;
    /** Generated in the background from construction on (it takes a few hundred ms in a new JVM). */
    private final CompletableFuture<TlsIdentity> tlsIdentity;
    private final Codec codec;
    private final MeterRegistry registry;
    private final NetworkMetrics metrics;
    private final AtomicReference<NetworkState> state = new AtomicReference<>(NetworkState.CREATED);
    private final Map<PeerId, PeerSession> primary = new ConcurrentHashMap<>();
    private final Set<PeerSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<PeerId, CompletableFuture<PeerSession>> dials = new ConcurrentHashMap<>();
    private final Map<String, LinkHandler> handlers = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("mosaik-", 0).factory());
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mosaik-timers");
        thread.setDaemon(true);
        return thread;
    });
    private final Discovery discovery;
    private final io.mosaik.streams.Streams streams;
    private final io.mosaik.groups.Groups groups;
    private final io.mosaik.collections.ReplicatedCollections collections;
    private volatile Transport transport;
    private volatile PeerAddress address;
    private volatile Instant startedAt;

    private Network(Builder builder) {
        this.tlsIdentity = new CompletableFuture<>();
        Thread.ofVirtual().name("mosaik-tls-identity").start(() -> {
            try {
                tlsIdentity.complete(TlsIdentity.generate());
            } catch (RuntimeException | Error e) {
                tlsIdentity.completeExceptionally(e);
            }
        });
        this.networkId = builder.networkId;
        this.secretKey = builder.secretKey != null ? builder.secretKey : SecretKey.random();
        this.settings = new Settings(builder.transport, builder.bindAddress, builder.port, builder.maxFrameSize,
                builder.idleTimeout, builder.handshakeTimeout, List.copyOf(builder.bootstrap), builder.advertisedHost);
        this.codec = builder.codec != null ? builder.codec : JacksonCodec.cbor();
        this.registry = builder.meterRegistry != null ? builder.meterRegistry : new SimpleMeterRegistry();
        this.metrics = new NetworkMetrics(registry);
        this.discovery = new Discovery(this, secretKey, builder.discovery, registry);
        this.streams = new io.mosaik.streams.Streams(this, codec, builder.backoff, registry);
        this.groups = new io.mosaik.groups.Groups(this, settings.handshakeTimeout, registry);
        this.collections = new io.mosaik.collections.ReplicatedCollections(groups, codec, registry);
    }

    private TlsIdentity tlsIdentity() {
        try {
            return tlsIdentity.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /**
     * A builder for a network with this id.
     *
     * @param networkId the network to join
     * @return the builder
     */
    public static Builder builder(NetworkId networkId) {
        return new Builder(networkId);
    }

    /**
     * Starts a node on this network with every default: a random identity, the default transport, an
     * ephemeral port on 127.0.0.1.
     *
     * @param networkId the network to join
     * @return the running network
     * @throws IOException if the port cannot be bound
     */
    public static Network start(NetworkId networkId) throws IOException {
        return builder(networkId).build().start();
    }

    /**
     * Binds the port and starts accepting connections. Idempotent while running.
     *
     * @return this network
     * @throws IOException           if the address cannot be bound
     * @throws IllegalStateException if the network was closed
     */
    public Network start() throws IOException {
        if (!state.compareAndSet(NetworkState.CREATED, NetworkState.STARTING)) {
            if (state.get() == NetworkState.RUNNING || state.get() == NetworkState.STARTING) {
                return this;
            }
            throw new IllegalStateException("this network was closed; build a new one");
        }
        Transport created = null;
        InetSocketAddress bound;
        try {
            TransportConfig config = new TransportConfig(tlsIdentity(), settings.maxFrameSize,
                    settings.idleTimeout, new TransportMetrics(registry, settings.transport.configName()));
            created = settings.transport.create(config, settings.handshakeTimeout);
            bound = created.bind(new InetSocketAddress(settings.bindAddress, settings.port));
        } catch (IOException | RuntimeException e) {
            if (created != null) {
                created.close();
            }
            state.set(NetworkState.CLOSED);
            shutdownExecutors();
            String what = e instanceof IOException
                    ? "cannot bind " + settings.bindAddress.getHostAddress() + ":" + settings.port + " for the "
                            + settings.transport.configName() + " transport: " + e.getMessage()
                            + " (check mosaik.bind-address and mosaik.port)"
                    : "cannot start the " + settings.transport.configName() + " transport: " + e.getMessage();
            throw new IOException(what, e);
        }
        this.transport = created;
        this.address = PeerAddress.of(secretKey.peerId(), advertised(bound));
        this.startedAt = Instant.now();
        if (!state.compareAndSet(NetworkState.STARTING, NetworkState.RUNNING)) {
            // close() ran while we were binding: it could not see the transport, so close it here
            created.close();
            throw new IllegalStateException("the network was closed while it was starting");
        }
        workers.execute(this::acceptLoop);
        discovery.start();
        streams.start();
        groups.start();
        for (PeerAddress peer : settings.bootstrap) {
            if (!peer.peerId().equals(peerId())) {
                keepConnected(peer, BOOTSTRAP_RETRY_MIN);
            }
        }
        log.info("mosaik node {} on network {} listening at {} ({})", peerId().toShortString(),
                networkId.toShortString(), address, settings.transport.configName());
        return this;
    }

    /** Typed publish/subscribe with the other nodes: producers and consumers of streams. */
    public io.mosaik.streams.Streams streams() {
        return streams;
    }

    /** Replicated state machines kept by Raft among the members of each group this node joins. */
    public io.mosaik.groups.Groups groups() {
        return groups;
    }

    /**
     * Replicated collections (maps, vecs, sets, cells, once-cells, priority queues) shared with every
     * node that opens the same store.
     */
    public io.mosaik.collections.ReplicatedCollections collections() {
        return collections;
    }

    /** What this node knows about its network: the catalog of peers, kept up to date by discovery. */
    public Discovery discovery() {
        return discovery;
    }

    /** The network this node belongs to. */
    public NetworkId networkId() {
        return networkId;
    }

    /** This node's identity. */
    public PeerId peerId() {
        return secretKey.peerId();
    }

    /**
     * Where other nodes can dial this one, {@code peerId@host:port}.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public PeerAddress address() {
        PeerAddress current = address;
        if (current == null) {
            throw new IllegalStateException("the network is not started yet: call start()");
        }
        return current;
    }

    /** The life-cycle state. */
    public NetworkState state() {
        return state.get();
    }

    /** The transport in use. */
    public TransportKind transport() {
        return settings.transport;
    }

    /** How long the node has been running, zero before start. */
    public Duration uptime() {
        Instant started = startedAt;
        return started == null ? Duration.ZERO : Duration.between(started, Instant.now());
    }

    /** When the node started, or empty before {@link #start()}. */
    public java.util.Optional<Instant> startedAt() {
        return java.util.Optional.ofNullable(startedAt);
    }

    /** The peers this node keeps a connection to from start-up on (its bootstrap list). */
    public List<PeerAddress> bootstrapPeers() {
        return settings.bootstrap;
    }

    /** The codec used for messages on links. */
    public Codec codec() {
        return codec;
    }

    /** The registry the node's meters are in. */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** The authenticated connections open now, sorted by peer. */
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> infos = new ArrayList<>();
        for (PeerSession session : sessions) {
            if (session.isOpen()) {
                infos.add(session.info(settings.transport.configName(), primary.get(session.peer) == session));
            }
        }
        infos.sort(Comparator.comparing(ConnectionInfo::peer));
        return infos;
    }

    /**
     * Serves a protocol: every link a remote peer opens for it is handed to {@code handler}, on a
     * virtual thread of its own. A link for a protocol nobody serves is closed with
     * {@link CloseReason#INVALID_ALPN}.
     *
     * @param protocol the protocol name, such as {@code /mosaik/discovery/sync/1.0}
     * @param handler  the handler
     * @throws IllegalStateException if the protocol is already served
     */
    public void handle(String protocol, LinkHandler handler) {
        Objects.requireNonNull(handler, "handler");
        validateProtocol(protocol);
        if (handlers.putIfAbsent(protocol, handler) != null) {
            throw new IllegalStateException("protocol " + protocol + " is already served on this node");
        }
    }

    /**
     * Returns the authenticated connection to a peer, dialing it if there is none (one dial at a time
     * per peer).
     *
     * @param peer where the peer is and who it must be
     * @return a future completed once the peer proved its identity; failed with {@link PeerAuthException}
     *         if it could not, or with an {@link IOException} if it could not be reached
     */
    public CompletableFuture<ConnectionInfo> connect(PeerAddress peer) {
        return session(peer).thenApply(session -> session.info(settings.transport.configName(), true));
    }

    /**
     * Opens a link for a protocol to a peer, connecting first if needed.
     *
     * @param peer     where the peer is and who it must be
     * @param protocol the protocol the peer must serve
     * @return a future of the link; a peer that does not serve the protocol closes it at once with
     *         {@link CloseReason#INVALID_ALPN}, which the first receive reports
     */
    public CompletableFuture<Link> openLink(PeerAddress peer, String protocol) {
        validateProtocol(protocol);
        return session(peer).thenCompose(session -> openOn(session, protocol).exceptionallyCompose(error -> {
            // the connection may have lost a simultaneous-dial race or just died: one retry on a fresh one
            if (unwrap(error) instanceof LinkClosedException && state.get() == NetworkState.RUNNING) {
                return session(peer).thenCompose(fresh -> openOn(fresh, protocol));
            }
            return CompletableFuture.failedFuture(unwrap(error));
        }));
    }

    /**
     * Closes every connection, telling peers the node is shutting down, and releases the port. Returns
     * within a few seconds whatever the peers do.
     */
    @Override
    public void close() {
        NetworkState previous = state.getAndSet(NetworkState.CLOSING);
        if (previous == NetworkState.CLOSED || previous == NetworkState.CLOSING) {
            state.set(previous);
            return;
        }
        quietly("closing collections", collections::close);
        quietly("leaving groups", groups::close);
        quietly("stopping streams", streams::close);
        quietly("stopping discovery", discovery::close);
        for (PeerSession session : sessions) {
            quietly("closing the connection with " + session.peer.toShortString(),
                    () -> session.close(CloseReason.GRACEFUL_SHUTDOWN));
        }
        Transport current = transport;
        if (current != null) {
            // a transport library failing on its way down must not keep the node from closing
            quietly("closing the " + settings.transport.configName() + " transport", current::close);
        }
        dials.values().forEach(dial -> dial.completeExceptionally(
                new LinkClosedException(CloseReason.CANCELLED, false, "the network is closing")));
        shutdownExecutors();
        state.set(NetworkState.CLOSED);
        if (previous == NetworkState.RUNNING) {
            log.info("mosaik node {} closed", peerId().toShortString());
        }
    }

    private static void quietly(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            log.warn("{} failed, carrying on: {}", what, e.toString());
        }
    }

    private void shutdownExecutors() {
        workers.shutdownNow();
        timers.shutdownNow();
    }

    private InetSocketAddress advertised(InetSocketAddress bound) {
        if (settings.advertisedHost != null) {
            return InetSocketAddress.createUnresolved(settings.advertisedHost, bound.getPort());
        }
        if (bound.getAddress().isAnyLocalAddress()) {
            log.warn("bound to the wildcard address {}: other nodes cannot dial {}; set mosaik.advertised-host "
                    + "(Network.Builder.advertisedHost) to an address they can reach", bound.getAddress().getHostAddress(),
                    bound);
        }
        return bound;
    }

    // --- connections -----------------------------------------------------------------------------

    private CompletableFuture<PeerSession> session(PeerAddress peer) {
        if (state.get() != NetworkState.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "the network is " + state.get().name().toLowerCase() + ", not running"));
        }
        if (peer.peerId().equals(peerId())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a node cannot connect to itself"));
        }
        PeerSession existing = primary.get(peer.peerId());
        if (existing != null && existing.isOpen()) {
            return CompletableFuture.completedFuture(existing);
        }
        CompletableFuture<PeerSession> mine = new CompletableFuture<>();
        CompletableFuture<PeerSession> running = dials.putIfAbsent(peer.peerId(), mine);
        if (running != null) {
            return running;
        }
        mine.whenComplete((session, error) -> dials.remove(peer.peerId(), mine));
        transport.dial(peer.socketAddress(), settings.handshakeTimeout).whenComplete((connection, error) -> {
            if (error != null) {
                mine.completeExceptionally(new IOException("cannot reach " + peer + ": " + unwrap(error).getMessage(),
                        unwrap(error)));
                return;
            }
            workers.execute(() -> {
                try {
                    mine.complete(authenticateOutbound(connection, peer.peerId()));
                } catch (IOException | RuntimeException e) {
                    mine.completeExceptionally(e);
                }
            });
        });
        return mine;
    }

    private PeerSession authenticateOutbound(TransportConnection connection, PeerId expected) throws IOException {
        Deadline deadline = Deadline.start(timers, workers, settings.handshakeTimeout,
                () -> connection.close(CloseReason.TIMEOUT));
        FrameStream control;
        try {
            control = connection.openStream(settings.handshakeTimeout);
            PeerId remote = PeerAuth.dialer(control, connection, secretKey, networkId, expected);
            if (!deadline.disarm()) {
                throw new PeerAuthException(CloseReason.TIMEOUT, "peer authentication with "
                        + expected.toShortString() + " took longer than " + settings.handshakeTimeout);
            }
            return register(new PeerSession(remote, connection, control));
        } catch (PeerAuthException e) {
            metrics.peerRejected(e.reason());
            connection.close(e.reason());
            throw e;
        } catch (IOException | RuntimeException e) {
            connection.close(CloseReason.CANCELLED);
            throw new IOException("peer authentication with " + expected.toShortString() + " failed: "
                    + e.getMessage(), e);
        } finally {
            deadline.disarm();
        }
    }

    /**
     * Connects to a bootstrap peer and reconnects whenever the connection is lost, with a backoff that
     * doubles from 250 ms up to 5 s while the peer cannot be reached.
     */
    private void keepConnected(PeerAddress peer, Duration delay) {
        if (state.get() != NetworkState.RUNNING) {
            return;
        }
        session(peer).whenComplete((session, error) -> {
            if (state.get() != NetworkState.RUNNING) {
                return;
            }
            if (error != null) {
                Duration next = delay.multipliedBy(2).compareTo(BOOTSTRAP_RETRY_MAX) > 0
                        ? BOOTSTRAP_RETRY_MAX : delay.multipliedBy(2);
                log.debug("bootstrap peer {} not reachable, retrying in {}: {}", peer, delay, unwrap(error).getMessage());
                schedule(() -> keepConnected(peer, next), delay);
            } else {
                discovery.syncWith(peer).exceptionally(syncError -> {
                    log.debug("catalog sync with bootstrap peer {} failed: {}", peer, unwrap(syncError).toString());
                    return null;
                });
                session.connection.closed().thenRun(
                        () -> schedule(() -> keepConnected(peer, BOOTSTRAP_RETRY_MIN), BOOTSTRAP_RETRY_MIN));
            }
        });
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            timers.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the network is closing: nothing left to retry
        }
    }

    private void acceptLoop() {
        Transport current = transport;
        while (state.get() == NetworkState.RUNNING) {
            TransportConnection connection;
            try {
                connection = current.accept();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (state.get() == NetworkState.RUNNING) {
                    log.warn("accepting connections failed, the node stops accepting: {}", e.getMessage());
                }
                return;
            }
            workers.execute(() -> authenticateInbound(connection));
        }
    }

    private void authenticateInbound(TransportConnection connection) {
        Deadline deadline = Deadline.start(timers, workers, settings.handshakeTimeout, () -> {
            metrics.peerRejected(CloseReason.TIMEOUT);
            log.info("refused connection from {}: no peer authentication within {}", connection.remoteAddress(),
                    settings.handshakeTimeout);
            connection.close(CloseReason.TIMEOUT);
        });
        try {
            FrameStream control = connection.acceptStream();
            PeerId remote = PeerAuth.listener(control, connection, secretKey, networkId);
            if (!deadline.disarm()) {
                return;
            }
            register(new PeerSession(remote, connection, control));
        } catch (PeerAuthException e) {
            if (deadline.disarm()) { // else the deadline closed it and counted it
                metrics.peerRejected(e.reason());
                log.info("refused connection from {}: {}", connection.remoteAddress(), e.getMessage());
                connection.close(e.reason());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (deadline.disarm()) {
                metrics.peerRejected(CloseReason.PROTOCOL_VIOLATION);
                log.info("refused connection from {}: {}", connection.remoteAddress(), e.toString());
                connection.close(CloseReason.PROTOCOL_VIOLATION);
            }
        }
    }

    /** Adds an authenticated session, applying the one-connection-per-peer-pair rule. */
    private PeerSession register(PeerSession session) {
        PeerSession winner;
        PeerSession loser = null;
        synchronized (primary) {
            if (state.get() != NetworkState.RUNNING) {
                workers.execute(() -> session.close(CloseReason.GRACEFUL_SHUTDOWN));
                throw new CompletionException(new LinkClosedException(CloseReason.CANCELLED, false,
                        "the network is closing"));
            }
            sessions.add(session);
            PeerSession existing = primary.get(session.peer);
            if (existing == null || !existing.isOpen() || replaces(peerId(), session.peer,
                    session.connection.initiator(), existing.connection.initiator(),
                    Duration.between(existing.openedAt, session.openedAt), settings.handshakeTimeout)) {
                primary.put(session.peer, session);
                winner = session;
                loser = existing != null && existing.isOpen() ? existing : null;
            } else {
                winner = existing;
                loser = session;
            }
        }
        metrics.connectionOpened(!session.connection.initiator());
        session.connection.closed().thenAccept(reason -> onClosed(session, reason));
        workers.execute(() -> controlLoop(session));
        workers.execute(() -> streamLoop(session));
        if (loser != null) {
            retire(loser);
        }
        log.debug("{} connection with {} authenticated", session.connection.initiator() ? "outbound" : "inbound",
                session.peer.toShortString());
        return winner;
    }

    /**
     * Whether a newly authenticated connection replaces the open one to the same peer. Both ends of a
     * simultaneous dial must pick the same survivor without talking: the connection dialed by the
     * smaller peer id. Outside a simultaneous dial, the newer connection wins: a peer that dials again
     * while an old connection still looks open (it restarted, or lost the old one) must not be locked out
     * until the old one idles out.
     *
     * @param self            this node
     * @param peer            the remote peer
     * @param newInitiated    whether this node dialed the new connection
     * @param oldInitiated    whether this node dialed the open one
     * @param gap             how long after the open one the new one was authenticated
     * @param simultaneity    how close two connections must be to count as one simultaneous dial
     */
    static boolean replaces(PeerId self, PeerId peer, boolean newInitiated, boolean oldInitiated, Duration gap,
            Duration simultaneity) {
        if (newInitiated == oldInitiated || gap.compareTo(simultaneity) > 0) {
            return true;
        }
        PeerId dialer = newInitiated ? self : peer;
        PeerId smaller = self.compareTo(peer) < 0 ? self : peer;
        return dialer.equals(smaller);
    }

    /**
     * Stops new links from using a duplicate connection and closes it once it carries no link, but not
     * before a grace period: the remote may still be opening a link on it until it has seen the winner
     * too.
     */
    private void retire(PeerSession loser) {
        loser.retire();
        schedule(() -> workers.execute(() -> {
            loser.graceOver();
        }), RETIRE_GRACE);
    }

    private void controlLoop(PeerSession session) {
        try {
            while (true) {
                session.control.receive(); // nothing travels here yet but the closing notice
            }
        } catch (LinkClosedException e) {
            if (e.remote()) {
                session.closedBy(e.reason());
            } else {
                session.close(e.reason());
            }
        } catch (IOException e) {
            session.close(CloseReason.PROTOCOL_VIOLATION);
        }
    }

    private void onClosed(PeerSession session, CloseReason transportReason) {
        session.closedBy(transportReason);
        if (sessions.remove(session)) {
            primary.remove(session.peer, session);
            metrics.connectionClosed(session.closeReason());
            log.debug("connection with {} closed: {}", session.peer.toShortString(), session.closeReason());
        }
    }

    // --- links -----------------------------------------------------------------------------------

    private CompletableFuture<Link> openOn(PeerSession session, String protocol) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                FrameStream stream = session.connection.openStream(settings.handshakeTimeout);
                stream.send(protocol.getBytes(StandardCharsets.UTF_8));
                metrics.linkOpened(false);
                return newLink(session, protocol, stream);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, workers);
    }

    private void streamLoop(PeerSession session) {
        while (session.isOpen()) {
            FrameStream stream;
            try {
                stream = session.connection.acceptStream();
            } catch (IOException | InterruptedException e) {
                return;
            }
            workers.execute(() -> serve(session, stream));
        }
    }

    private void serve(PeerSession session, FrameStream stream) {
        Deadline deadline = Deadline.start(timers, workers, settings.handshakeTimeout,
                () -> stream.close(CloseReason.TIMEOUT));
        String protocol;
        try {
            byte[] header = stream.receive();
            if (!deadline.disarm()) {
                return;
            }
            protocol = new String(header, StandardCharsets.UTF_8);
        } catch (IOException e) {
            deadline.disarm();
            if (!(e instanceof LinkClosedException)) {
                metrics.frameRejected(e instanceof io.mosaik.network.transport.FrameTooLargeException
                        ? "oversized" : "malformed");
                stream.close(CloseReason.PROTOCOL_VIOLATION);
            }
            return;
        }
        LinkHandler handler = handlers.get(protocol);
        if (handler == null) {
            metrics.frameRejected("unknown-protocol");
            log.debug("peer {} opened a link for {}, which this node does not serve", session.peer.toShortString(),
                    abbreviate(protocol));
            stream.close(CloseReason.INVALID_ALPN);
            return;
        }
        metrics.linkOpened(true);
        Link link = newLink(session, protocol, stream);
        try {
            handler.accept(link);
            link.close(CloseReason.SUCCESS);
        } catch (Exception e) {
            if (link.isOpen()) {
                log.warn("handler for {} failed on a link from {}: {}", protocol, session.peer.toShortString(),
                        e.toString());
            }
            link.close(CloseReason.CANCELLED);
        }
    }

    private Link newLink(PeerSession session, String protocol, FrameStream stream) {
        session.linkOpened();
        AtomicBoolean counted = new AtomicBoolean(true);
        return new Link(session.peer, protocol, stream, codec, metrics, () -> {
            if (counted.getAndSet(false)) {
                session.linkClosed();
            }
        }, () -> discovery.unknownPeer(session.peer));
    }

    private static void validateProtocol(String protocol) {
        if (protocol == null || protocol.isBlank() || protocol.length() > 200) {
            throw new IllegalArgumentException("a protocol name is 1 to 200 characters, got '" + protocol + "'");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    private static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while (current instanceof CompletionException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private record Settings(TransportKind transport, InetAddress bindAddress, int port, int maxFrameSize,
            Duration idleTimeout, Duration handshakeTimeout, List<PeerAddress> bootstrap, String advertisedHost) {
    }

    /**
     * Options of a {@link Network}; every one has a default.
     */
    public static final class Builder {
        private final NetworkId networkId;
        private SecretKey secretKey;
        private TransportKind transport = TransportKind.DEFAULT;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int maxFrameSize = TransportConfig.DEFAULT_MAX_FRAME_SIZE;
        private Duration idleTimeout = TransportConfig.DEFAULT_IDLE_TIMEOUT;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Codec codec;
        private MeterRegistry meterRegistry;
        private final List<PeerAddress> bootstrap = new ArrayList<>();
        private String advertisedHost;
        private DiscoveryConfig discovery = DiscoveryConfig.defaults();
        private io.mosaik.streams.Backoff backoff = io.mosaik.streams.Backoff.defaults();

        private Builder(NetworkId networkId) {
            this.networkId = Objects.requireNonNull(networkId, "networkId (mosaik.network-id) is required");
        }

        /** The node's identity; default: a random key, so a new peer id every start. */
        public Builder secretKey(SecretKey secretKey) {
            this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
            return this;
        }

        /** The transport; default {@link TransportKind#DEFAULT}. */
        public Builder transport(TransportKind transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** The local address to bind; default the loopback address. */
        public Builder bindAddress(InetAddress bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** The port to bind, 0 (the default) for any free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535 (mosaik.port), was " + port);
            }
            this.port = port;
            return this;
        }

        /** The largest frame accepted from a peer, in bytes; default 4 MiB, at least 1 KiB. */
        public Builder maxFrameSize(int maxFrameSize) {
            if (maxFrameSize < 1024) {
                throw new IllegalArgumentException(
                        "max frame size must be at least 1024 bytes (mosaik.max-frame-size), was " + maxFrameSize);
            }
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /** How long a silent connection lives before it is declared dead; default 10 s, at least 1 s. */
        public Builder idleTimeout(Duration idleTimeout) {
            if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("idle timeout must be at least 1s, was " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** The longest a dial, a peer authentication or a link opening may take; default 10 s. */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new IllegalArgumentException("handshake timeout must be positive, was " + handshakeTimeout);
            }
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /** The codec for messages on links; default {@link JacksonCodec#cbor()}. */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Where meters are registered; default a private registry. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * Peers to connect to at start-up and to stay connected to (reconnecting with backoff). The
         * discovery subsystem learns the rest of the network from them. An entry naming this node itself
         * is ignored, so every node of a cluster can share one list.
         */
        public Builder bootstrap(java.util.Collection<PeerAddress> peers) {
            peers.forEach(peer -> bootstrap.add(Objects.requireNonNull(peer, "bootstrap peer")));
            return this;
        }

        /**
         * The host other nodes should dial, as published in {@link Network#address()}; default the bound
         * address. Needed when binding a wildcard address ({@code 0.0.0.0}) or behind port mapping.
         */
        public Builder advertisedHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("the advertised host must not be blank (mosaik.advertised-host)");
            }
            this.advertisedHost = host.strip();
            return this;
        }

        /**
         * How stream consumers wait between reconnection attempts; default
         * {@link io.mosaik.streams.Backoff#defaults()}.
         *
         * @param backoff the policy
         * @return this builder
         */
        public Builder streamsBackoff(io.mosaik.streams.Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Discovery settings: tags, purge and announce intervals; default {@link DiscoveryConfig#defaults()}. */
        public Builder discovery(DiscoveryConfig discovery) {
            this.discovery = Objects.requireNonNull(discovery, "discovery");
            return this;
        }

        /** Builds the network, not yet started: see {@link Network#start()}. */
        public Network build() {
            return new Network(this);
        }

        /** Builds and starts the network. */
        public Network start() throws IOException {
            return build().start();
        }
    }
}
