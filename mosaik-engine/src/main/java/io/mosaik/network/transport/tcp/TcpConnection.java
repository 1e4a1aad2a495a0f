package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TLS connection to a peer carrying many {@link MuxStream}s (see {@link MuxFrame} for the wire
 * format).
 *
 * <p>Threads: one reader platform thread demultiplexes incoming frames and never blocks on anything but
 * the socket (handing data to stream inboxes and frames to the {@link MuxWriter} never waits; streams'
 * push sinks must not block either); one writer platform thread owns the output. Platform, not virtual:
 * both wake for nearly every message, and a virtual thread's wake-up adds the poller and a carrier
 * hand-off. A timer sends a PING every third of the idle timeout; the socket read timeout is the idle
 * timeout, so a peer from which nothing at all arrives for that long
 * (not even its PINGs) is dead and the connection closes with {@link CloseReason#TIMEOUT}.
 *
 * <p>Closing: the closing side sends GOAWAY with its reason and ends its TLS output; the other side
 * ends its own output in turn; each side closes the socket when it reads the end of the input, or after
 * {@link #LINGER} if the peer never answers. Every stream and waiting caller fails at once with a
 * {@link LinkClosedException}.
 *
 * <p>Memory a peer can make this side hold, authenticated or not: at most {@link #MAX_STREAMS} streams
 * of its own open (an OPEN beyond is a protocol violation), their receive windows together within
 * {@link #RECEIVE_BUDGET} (see {@link ReceiveBudget}; a stream the peer closed keeps its share until
 * the application is done with it, and a new stream that finds no share is refused with a CLOSE), and
 * the {@link MuxWriter}'s bounded queues for what it makes this side send.
 */
final class TcpConnection implements TransportConnection {

    /**
     * Streams either side may have open towards the other at once: an OPEN beyond that from the peer is a
     * protocol violation, and {@link #openStream} refuses to open more.
     */
    static final int MAX_STREAMS = 256;
    /** The most bytes the peer's streams may have granted at once (see {@link ReceiveBudget}). */
    static final long RECEIVE_BUDGET = 16L * 1024 * 1024;
    /** How long a closing connection waits for the peer to end its side before the socket is closed. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(TcpConnection.class);
    private static final int IO_BUFFER = 64 * 1024;
    private static final Object NO_MORE_STREAMS = new Object();

    private final Socket plain;
    private final SSLSocket tls;
    private final boolean initiator;
    private final InetSocketAddress remoteAddress;
    private final TcpTls.Keys keys;
    private final TransportConfig config;
    private final ScheduledExecutorService timer;
    private final MuxWriter writer;
    private final MuxReader reader;
    private final ReceiveBudget budget = new ReceiveBudget(RECEIVE_BUDGET, MAX_STREAMS);
    private final Map<Integer, MuxStream> streams = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicBoolean socketClosed = new AtomicBoolean();
    /** Guards stream registration against closing, so no stream escapes the final failure. */
    private final ReentrantLock registry = new ReentrantLock();
    // guarded by registry
    private int nextLocalId;
    private int localOpen;
    private int remoteOpen;
    // written under registry, read anywhere
    private volatile Closure closure;
    // reader thread only
    private int highestRemoteId;
    private volatile long pongs;
    private volatile ScheduledFuture<?> pinger;
    private volatile ScheduledFuture<?> lingerGuard;

    /**
     * Wraps an established TLS connection; {@link #start()} it.
     *
     * @param plain     the TCP socket under {@code tls}
     * @param tls       the TLS socket, handshake done
     * @param initiator whether this side dialed
     * @param keys      both ends' TLS keys
     * @param config    the transport configuration
     * @param timer     where pings and deadlines are scheduled
     * @throws IOException if the socket is already unusable
     */
    TcpConnection(Socket plain, SSLSocket tls, boolean initiator, TcpTls.Keys keys, TransportConfig config,
            ScheduledExecutorService timer) throws IOException {
        this.plain = plain;
        this.tls = tls;
        this.initiator = initiator;
        this.remoteAddress = (InetSocketAddress) plain.getRemoteSocketAddress();
        this.keys = keys;
        this.config = config;
        this.timer = timer;
        this.nextLocalId = initiator ? 1 : 2;
        tls.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()));
        this.writer = new MuxWriter(new BufferedOutputStream(tls.getOutputStream(), IO_BUFFER), this::endOutput,
                config.metrics(), this::writeFailed, reason -> close(CloseReason.PROTOCOL_VIOLATION, reason));
        this.reader = new MuxReader(new BufferedInputStream(tls.getInputStream(), IO_BUFFER));
    }

    /** Starts the reader, the writer and the keep-alive. */
    void start() {
        String name = "mosaik-tcp-" + (initiator ? "to-" : "from-") + remoteAddress;
        Thread.ofPlatform().daemon().name(name + "-writer").start(writer);
        Thread.ofPlatform().daemon().name(name + "-reader").start(this::readLoop);
        long period = Math.max(1, config.idleTimeout().toMillis() / 3);
        try {
            pinger = timer.scheduleAtFixedRate(() -> writer.control(MuxFrame.ping(System.nanoTime()), true),
                    period, period, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            terminate(new Closure(CloseReason.CANCELLED, false, "transport closed"), null);
        }
        if (closure != null && pinger != null) {
            pinger.cancel(false);
        }
    }

    @Override
    public boolean initiator() {
        return initiator;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public byte[] serverTlsKey() {
        return keys.serverKey().clone();
    }

    @Override
    public byte[] clientTlsKey() {
        return keys.clientKey().clone();
    }

    /**
     * Opens a stream at once: streams need no round trip, the peer learns of it from the OPEN frame
     * that precedes its first bytes, and every stream starts with a full window. So {@code timeout}
     * is not waited on.
     *
     * @throws IOException if {@link #MAX_STREAMS} streams this side opened are still open
     */
    @Override
    public FrameStream openStream(Duration timeout) throws IOException {
        registry.lock();
        try {
            Closure ended = closure;
            if (ended != null) {
                throw ended.exception();
            }
            if (nextLocalId <= 0) {
                throw new IOException("no stream ids left on " + this);
            }
            if (localOpen >= MAX_STREAMS) {
                throw new IOException(MAX_STREAMS + " streams already open on " + this);
            }
            int id = nextLocalId;
            nextLocalId += 2;
            budget.admitLocal();
            MuxStream stream = new MuxStream(id, this, budget, false);
            streams.put(id, stream);
            localOpen++;
            // Queued under the registry lock: the peer requires OPENs in increasing id order.
            writer.frame(MuxFrame.open(id), false);
            return stream;
        } finally {
            registry.unlock();
        }
    }

    /**
     * Takes the next stream the peer opened. Streams not accepted when the connection closes are
     * dropped: from then on this throws the connection's {@link LinkClosedException}.
     */
    @Override
    public FrameStream acceptStream() throws IOException, InterruptedException {
        Closure ended = closure;
        if (ended != null) {
            throw ended.exception();
        }
        Object next = incoming.take();
        if (next == NO_MORE_STREAMS) {
            incoming.offer(NO_MORE_STREAMS);
            throw closedException();
        }
        MuxStream stream = (MuxStream) next;
        stream.accepted();
        return stream;
    }

    /**
     * Fails every stream and waiter at once, then, in the background, sends what streams had already
     * queued, a GOAWAY with {@code reason} and the end of the TLS output; the socket closes when the
     * peer answers with its own end, or after {@link #LINGER}. Never blocks on the network.
     */
    @Override
    public void close(CloseReason reason) {
        terminate(new Closure(reason, false, null), MuxFrame.goAway(reason));
    }

    @Override
    public CompletableFuture<CloseReason> closed() {
        return closed;
    }

    /** Completes once the socket is closed (after the closing exchange or the linger). */
    CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Closes the socket now, without waiting for the peer (the transport's last resort). */
    void abort() {
        terminate(new Closure(CloseReason.CANCELLED, false, "aborted"), null);
        closeSocket();
    }

    // ---- used by streams ----

    /** The largest stream frame body accepted. */
    int maxFrameSize() {
        return config.maxFrameSize();
    }

    /** Queues a control frame that must not be lost (a WINDOW_UPDATE). */
    void sendControl(byte[] frame) {
        writer.control(frame, false);
    }

    /**
     * Queues a DATA chunk in order, waiting while the write queue is full.
     *
     * @return false if the connection is closing or the sender was abandoned
     */
    boolean sendData(MuxWriter.Chunk chunk, BooleanSupplier abandoned) throws InterruptedException {
        return writer.chunk(chunk, abandoned);
    }

    boolean trySendData(MuxWriter.Chunk chunk) {
        return writer.tryChunk(chunk);
    }

    /** Wakes senders waiting for the write queue, so that those of closed streams give up. */
    void wakeSenders() {
        writer.wake();
    }

    // ---- for tests ----

    /** Bytes received on streams and not yet read or dropped. */
    long bufferedBytes() {
        return budget.buffered();
    }

    /** The receive windows granted to the peer, in total. */
    long committedWindow() {
        return budget.committed();
    }

    /** PONGs received so far. */
    long pongsReceived() {
        return pongs;
    }

    /** The writer (for tests). */
    MuxWriter writer() {
        return writer;
    }

    /** The exception for a caller that finds the connection closed. */
    LinkClosedException closedException() {
        Closure ended = closure;
        return ended != null ? ended.exception()
                : new LinkClosedException(CloseReason.UNEXPECTED_CLOSE, false, "connection output stopped");
    }

    /**
     * A stream was closed locally: forget it and tell the peer.
     *
     * @param stream the stream
     * @param reason the reason to send, or {@code null} if the peer closed first
     */
    void streamClosed(MuxStream stream, CloseReason reason) {
        unregister(stream.id());
        if (reason != null && closure == null) {
            writer.frame(MuxFrame.close(stream.id(), reason), false);
        }
        writer.wake();
    }

    // ---- reader ----

    private void readLoop() {
        try {
            while (closure == null) {
                dispatch(reader.readHeader());
            }
        } catch (MuxProtocolException e) {
            log.debug("{}: protocol violation: {}", this, e.getMessage());
            close(CloseReason.PROTOCOL_VIOLATION, e.getMessage());
        } catch (SocketTimeoutException e) {
            log.debug("{}: nothing received for {}", this, config.idleTimeout());
            close(CloseReason.TIMEOUT, "nothing received for " + config.idleTimeout());
        } catch (InterruptedIOException e) {
            close(CloseReason.CANCELLED, "reader interrupted");
        } catch (IOException e) {
            terminate(new Closure(CloseReason.UNEXPECTED_CLOSE, true, e.getMessage()), null);
        } catch (RuntimeException e) {
            log.warn("{}: failure while reading, closing the connection", this, e);
            close(CloseReason.PROTOCOL_VIOLATION, e.toString());
        }
        drain();
        try {
            // Lets a GOAWAY queued just now reach the wire before the socket closes.
            writer.done().get(LINGER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the socket is closed regardless
        }
        closeSocket();
    }

    /** Reads until the peer ends its side (the answer to a GOAWAY), so the close is a clean FIN exchange. */
    private void drain() {
        byte[] scratch = new byte[IO_BUFFER];
        try {
            while (!socketClosed.get() && reader.discard(scratch) >= 0) {
                // dropped: the connection is closing
            }
        } catch (IOException e) {
            // ended, reset, timed out or closed by the linger guard
        }
    }

    private void dispatch(MuxFrame.Header header) throws IOException {
        int id = header.streamId();
        switch (header.type()) {
            case MuxFrame.OPEN -> onOpen(id);
            case MuxFrame.DATA -> {
                byte[] body = reader.readBody(header.length());
                config.metrics().received(body.length);
                MuxStream stream = stream(id, header.type());
                if (stream != null && !stream.onData(body)) {
                    throw new MuxProtocolException("stream " + id + " sent beyond its window");
                }
            }
            case MuxFrame.CLOSE -> {
                CloseReason reason = CloseReason.ofCode(MuxFrame.readInt(reader.readBody(4), 0));
                MuxStream stream = stream(id, header.type());
                if (stream != null) {
                    unregister(id);
                    stream.onRemoteClose(reason);
                }
            }
            case MuxFrame.WINDOW_UPDATE -> {
                int delta = MuxFrame.readInt(reader.readBody(4), 0);
                MuxStream stream = stream(id, header.type());
                if (stream != null && !stream.onWindowUpdate(delta)) {
                    throw new MuxProtocolException("stream " + id + " got a window update of "
                            + Integer.toUnsignedString(delta));
                }
            }
            case MuxFrame.PING -> writer.control(MuxFrame.pong(reader.readBody(MuxFrame.PING_BODY)), true);
            case MuxFrame.PONG -> {
                reader.readBody(MuxFrame.PING_BODY);
                pongs++;
            }
            case MuxFrame.GOAWAY -> {
                CloseReason reason = CloseReason.ofCode(MuxFrame.readInt(reader.readBody(4), 0));
                terminate(new Closure(reason, true, "connection closed by the peer"), null);
            }
            default -> throw new MuxProtocolException("unknown mux frame type " + header.type());
        }
    }

    private void onOpen(int id) throws MuxProtocolException {
        if (!isRemoteId(id) || Integer.compareUnsigned(id, highestRemoteId) <= 0) {
            throw new MuxProtocolException("OPEN of stream " + Integer.toUnsignedString(id) + " out of order");
        }
        highestRemoteId = id;
        registry.lock();
        try {
            if (closure != null) {
                return;
            }
            if (remoteOpen >= MAX_STREAMS) {
                throw new MuxProtocolException("OPEN of stream " + Integer.toUnsignedString(id) + " with "
                        + MAX_STREAMS + " streams already open");
            }
            if (!budget.admitRemote()) {
                // The application still holds streams the peer closed: no memory for another.
                log.debug("{}: refusing stream {}: streams the peer closed are not yet read here", this, id);
                writer.frame(MuxFrame.close(id, CloseReason.CANCELLED), true);
                return;
            }
            MuxStream stream = new MuxStream(id, this, budget, true);
            streams.put(id, stream);
            remoteOpen++;
            incoming.add(stream);
        } finally {
            registry.unlock();
        }
    }

    /**
     * The stream a frame is for; {@code null} for a stream that existed but is gone (frames in flight
     * when it closed are dropped).
     *
     * @throws MuxProtocolException for a stream that was never opened
     */
    private MuxStream stream(int id, byte type) throws MuxProtocolException {
        MuxStream stream = streams.get(id);
        if (stream != null || wasOpened(id)) {
            return stream;
        }
        throw new MuxProtocolException(MuxFrame.typeName(type) + " for stream " + Integer.toUnsignedString(id)
                + ", which was never opened");
    }

    private boolean wasOpened(int id) {
        if (id == 0) {
            return false;
        }
        if (isRemoteId(id)) {
            return highestRemoteId != 0 && Integer.compareUnsigned(id, highestRemoteId) <= 0;
        }
        registry.lock();
        try {
            return Integer.compareUnsigned(id, nextLocalId) < 0;
        } finally {
            registry.unlock();
        }
    }

    private boolean isRemoteId(int id) {
        // The dialer opens odd ids, the acceptor even ones.
        return (id & 1) == (initiator ? 0 : 1);
    }

    private void unregister(int id) {
        registry.lock();
        try {
            if (streams.remove(id) != null) {
                if (isRemoteId(id)) {
                    remoteOpen--;
                } else {
                    localOpen--;
                }
            }
        } finally {
            registry.unlock();
        }
    }

    // ---- closing ----

    private void close(CloseReason reason, String detail) {
        terminate(new Closure(reason, false, detail), MuxFrame.goAway(reason));
    }

    /**
     * Moves to closing once: fails every stream and waiter, tells the writer to send {@code lastFrame}
     * and end the output, and arms the linger guard. Never blocks on the network.
     */
    private void terminate(Closure ending, byte[] lastFrame) {
        List<MuxStream> open;
        registry.lock();
        try {
            if (closure != null) {
                return;
            }
            closure = ending;
            open = List.copyOf(streams.values());
            streams.clear();
            remoteOpen = 0;
            localOpen = 0;
        } finally {
            registry.unlock();
        }
        log.debug("{}: closing: {}", this, ending.exception().getMessage());
        ScheduledFuture<?> ping = pinger;
        if (ping != null) {
            ping.cancel(false);
        }
        for (MuxStream stream : open) {
            stream.onConnectionClosed(ending);
        }
        incoming.clear();
        incoming.offer(NO_MORE_STREAMS);
        writer.finish(lastFrame);
        closed.complete(ending.reason());
        try {
            lingerGuard = timer.schedule(this::closeSocket, LINGER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closeSocket();
        }
    }

    private void writeFailed(IOException e) {
        terminate(new Closure(CloseReason.UNEXPECTED_CLOSE, true, e.getMessage()), null);
        // The output is broken: nothing more can be exchanged, so do not wait for the linger.
        closeSocket();
    }

    /** Ends the TLS output (close_notify, then TCP FIN); runs on the writer thread after its last frame. */
    private void endOutput() {
        try {
            tls.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            // the peer notices the end either way
        }
    }

    /**
     * Closes the TCP socket under the TLS socket: that is bounded in time and unblocks the reader and
     * the writer, whereas closing the TLS socket may wait for a writer stuck on a full send buffer.
     */
    private void closeSocket() {
        if (!socketClosed.compareAndSet(false, true)) {
            return;
        }
        if (closure == null) {
            terminate(new Closure(CloseReason.CANCELLED, false, "socket closed"), null);
        }
        TcpTls.closeQuietly(plain);
        ScheduledFuture<?> guard = lingerGuard;
        if (guard != null) {
            guard.cancel(false);
        }
        terminated.complete(null);
    }

    @Override
    public String toString() {
        return "TcpConnection(" + (initiator ? "to " : "from ") + remoteAddress + ")";
    }
}
