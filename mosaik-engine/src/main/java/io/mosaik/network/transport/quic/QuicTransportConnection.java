package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;

/**
 * A {@link TransportConnection} over one kwik QUIC connection, either dialed ({@link #initiator()}) or
 * accepted.
 *
 * <p>kwik calls {@link #peerStream(QuicStream)} and {@link #terminated(ConnectionTerminatedEvent)}
 * on its per-connection callback thread; both only enqueue or flip state and return at once.
 */
final class QuicTransportConnection implements TransportConnection {

    private static final Logger log = LoggerFactory.getLogger(QuicTransportConnection.class);
    // Put into the stream queue once the connection ended; every taker puts it back for the next.
    private static final Object NO_MORE_STREAMS = new Object();

    private final QuicConnection quic;
    private final boolean initiator;
    private final InetSocketAddress remoteAddress;
    private final TransportConfig config;
    private final StallWatchdog watchdog;
    private final Consumer<QuicTransportConnection> onEnd;
    private final BlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
    private final Set<QuicFrameStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<Thread> opening = ConcurrentHashMap.newKeySet();
    private final AtomicReference<ConnectionEnd> end = new AtomicReference<>();
    private final CompletableFuture<ConnectionEnd> ended = new CompletableFuture<>();
    private final CompletableFuture<CloseReason> closed = ended.thenApply(ConnectionEnd::reason);
    private volatile byte[] serverTlsKey = new byte[0];

    /**
     * Wraps a kwik connection. Register {@link #peerStream} and {@link #terminated} with kwik.
     *
     * @param quic          the kwik connection
     * @param initiator     whether this side dialed
     * @param remoteAddress the remote socket address
     * @param config        the transport's configuration
     * @param watchdog      the transport's stall watchdog
     * @param onEnd         called once when the connection ended
     */
    QuicTransportConnection(QuicConnection quic, boolean initiator, InetSocketAddress remoteAddress,
            TransportConfig config, StallWatchdog watchdog, Consumer<QuicTransportConnection> onEnd) {
        this.quic = quic;
        this.initiator = initiator;
        this.remoteAddress = remoteAddress;
        this.config = config;
        this.watchdog = watchdog;
        this.onEnd = onEnd;
    }

    /** Sets the server's certificate key (SubjectPublicKeyInfo) once the handshake told it. */
    void serverTlsKey(byte[] key) {
        this.serverTlsKey = key.clone();
    }

    /** {@inheritDoc} */
    @Override
    public boolean initiator() {
        return initiator;
    }

    /** {@inheritDoc} */
    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** {@inheritDoc} */
    @Override
    public byte[] serverTlsKey() {
        return serverTlsKey.clone();
    }

    /** Always empty: a kwik server cannot ask for client certificates. */
    @Override
    public byte[] clientTlsKey() {
        return new byte[0];
    }

    /**
     * {@inheritDoc}
     *
     * <p>kwik's {@code createStream} blocks while the peer grants no stream credit and does not wake up
     * when the connection closes, so it runs on a virtual thread that is interrupted on timeout or on
     * the connection's end. A stream kwik still creates after we gave up is closed with
     * {@link CloseReason#CANCELLED}; the remote then accepts a stream that is already closed.
     */
    @Override
    public FrameStream openStream(Duration timeout) throws IOException {
        failIfEnded();
        CompletableFuture<QuicStream> created = new CompletableFuture<>();
        Thread opener = Thread.ofVirtual().name("mosaik-quic-open-stream").unstarted(() -> {
            try {
                created.complete(quic.createStream(true));
            } catch (Throwable e) {
                created.completeExceptionally(e);
            } finally {
                opening.remove(Thread.currentThread());
            }
        });
        opening.add(opener);
        opener.start();
        if (end.get() != null) {
            // The end may have missed the opener registered just now.
            opener.interrupt();
        }
        QuicStream stream;
        try {
            stream = created.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandonOpen(opener, created);
            failIfEnded();
            throw new IOException("the peer granted no stream within " + timeout);
        } catch (InterruptedException e) {
            abandonOpen(opener, created);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening a stream");
        } catch (ExecutionException e) {
            failIfEnded();
            ConnectionEnd connectionEnd = awaitEnd(QuicFrameStream.CONNECTION_END_GRACE);
            if (connectionEnd != null) {
                throw connectionEnd.exception();
            }
            throw new IOException("cannot open a stream: " + e.getCause(), e.getCause());
        }
        QuicFrameStream frameStream = adopt(stream);
        frameStream.announce();
        return frameStream;
    }

    /** {@inheritDoc} */
    @Override
    public FrameStream acceptStream() throws IOException, InterruptedException {
        Object next = incoming.take();
        if (next == NO_MORE_STREAMS) {
            incoming.add(NO_MORE_STREAMS);
            throw endException();
        }
        return adopt((QuicStream) next);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends QUIC's CONNECTION_CLOSE with {@code reason}'s code as the application error code; kwik
     * does not wait for anything, so this returns at once.
     */
    @Override
    public void close(CloseReason reason) {
        close(reason, null);
    }

    /**
     * Closes like {@link #close(CloseReason)}, telling the remote {@code detail} as QUIC's reason phrase.
     *
     * @param reason the reason
     * @param detail words for the remote and for local exception messages, or {@code null}
     */
    void close(CloseReason reason, String detail) {
        if (!end(new ConnectionEnd(reason, false, detail))) {
            return;
        }
        closeQuic(reason, detail);
    }

    /** {@inheritDoc} */
    @Override
    public CompletableFuture<CloseReason> closed() {
        return closed;
    }

    /** Called by kwik (callback thread) for every stream the peer opens. */
    void peerStream(QuicStream stream) {
        incoming.add(stream);
        if (end.get() != null) {
            // Ended meanwhile: the end drained the queue before this stream arrived.
            drainIncoming();
        }
    }

    /** Called by kwik (callback thread) once the connection is terminated, by any side. */
    void terminated(ConnectionTerminatedEvent event) {
        ConnectionEnd connectionEnd = ConnectionEnd.of(event);
        if (end(connectionEnd) && initiator) {
            // A dialed connection's keep-alive thread is only stopped by a local close.
            closeQuic(connectionEnd.reason(), null);
        }
    }

    /**
     * Waits up to {@code grace} for the connection's end.
     *
     * @return the end, or {@code null} if the connection is still up
     */
    ConnectionEnd awaitEnd(Duration grace) {
        ConnectionEnd known = end.get();
        if (known != null) {
            return known;
        }
        try {
            return ended.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return end.get();
        } catch (ExecutionException | TimeoutException e) {
            return end.get();
        }
    }

    /** Forgets a stream that finished closing. */
    void forget(QuicFrameStream stream) {
        streams.remove(stream);
    }

    /** How many streams are open or closing (for tests). */
    int streamCount() {
        return streams.size();
    }

    private QuicFrameStream adopt(QuicStream stream) {
        QuicFrameStream frameStream = new QuicFrameStream(this, stream, config.maxFrameSize(), config.metrics(),
                watchdog);
        streams.add(frameStream);
        frameStream.startReading();
        ConnectionEnd connectionEnd = end.get();
        if (connectionEnd != null) {
            frameStream.connectionEnded(connectionEnd);
            streams.remove(frameStream);
        }
        return frameStream;
    }

    private void abandonOpen(Thread opener, CompletableFuture<QuicStream> created) {
        opener.interrupt();
        created.thenAccept(late -> adopt(late).close(CloseReason.CANCELLED));
    }

    private boolean end(ConnectionEnd connectionEnd) {
        if (!end.compareAndSet(null, connectionEnd)) {
            return false;
        }
        opening.forEach(Thread::interrupt);
        drainIncoming();
        incoming.add(NO_MORE_STREAMS);
        for (QuicFrameStream stream : streams) {
            stream.connectionEnded(connectionEnd);
        }
        streams.clear();
        ended.complete(connectionEnd);
        try {
            onEnd.accept(this);
        } catch (RuntimeException e) {
            log.warn("connection end listener failed", e);
        }
        return true;
    }

    private void drainIncoming() {
        incoming.removeIf(item -> {
            if (item instanceof QuicStream stream) {
                // kwik aborts it with the connection; nobody will ever read it.
                stream.abortReading(CloseReason.CANCELLED.code());
                return true;
            }
            return false;
        });
    }

    private void closeQuic(CloseReason reason, String detail) {
        try {
            quic.close(reason.code(), detail != null ? detail : reason.name());
        } catch (RuntimeException e) {
            log.debug("kwik close failed", e);
        }
    }

    private void failIfEnded() throws LinkClosedException {
        ConnectionEnd connectionEnd = end.get();
        if (connectionEnd != null) {
            throw connectionEnd.exception();
        }
    }

    private LinkClosedException endException() {
        ConnectionEnd connectionEnd = end.get();
        return connectionEnd != null ? connectionEnd.exception()
                : new LinkClosedException(CloseReason.UNEXPECTED_CLOSE, false, "connection ended");
    }
}
