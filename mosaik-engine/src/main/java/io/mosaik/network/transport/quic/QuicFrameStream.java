package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.Frames;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportMetrics;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * A {@link FrameStream} over one bidirectional kwik stream.
 *
 * <p>The first cause that ends the stream wins and is what every later {@code send}/{@code receive}
 * reports: a local {@link #close(CloseReason)}, a CLOSE frame or end of stream read from the remote,
 * or the end of the connection.
 *
 * <p>Closing is done by a virtual thread (the "closer"), so that {@code close} stays short even when
 * a {@code send} is blocked on flow control: it writes the CLOSE frame, lingers a few re-arms long so
 * that whatever is still buffered in kwik drains while the stream can still be re-armed, and then
 * ends the output (FIN; after the FIN no write can re-arm the stream any more, so the FIN should find
 * the buffer empty: then the last send request has nothing left to reschedule and cannot be lost).
 * When the closer cannot finish within {@link #CLOSE_DEADLINE}, the stream is reset instead, which
 * also interrupts a blocked writer. The input is released at once with {@code abortReading}, which
 * also asks the remote (STOP_SENDING) to stop sending.
 *
 * <p>A stream read to a CLOSE frame or to its end is closed in turn from this side (echoing the
 * reason), so that both directions end and kwik returns the stream credit to the opener.
 *
 * <p>Only the stream's own reader thread reads from kwik (see {@link FrameInbox} for why): kwik
 * interrupts the last thread it saw in a read when the stream is aborted, sometimes after that read
 * has returned, and a caller of {@code receive()} must never inherit that interrupt. For the same
 * reason a {@code send} that kwik interrupted because the stream ended clears the interrupt.
 */
final class QuicFrameStream implements FrameStream {

    /** The input buffer: large enough for many small frames per kwik read. */
    static final int READ_BUFFER = 64 * 1024;
    /** The most bytes of small frames packed into one write by {@link #sendAll}. */
    static final int PACK = 16 * 1024;
    /** Bytes read ahead of {@code receive()} before the reader thread waits. */
    static final int INBOX_BYTES = 2 * READ_BUFFER;
    /** How long {@code close} waits for the CLOSE frame to be handed to kwik. */
    static final Duration CLOSE_WAIT = Duration.ofMillis(500);
    /** How long the closer may take before the stream is reset instead. */
    static final Duration CLOSE_DEADLINE = Duration.ofSeconds(3);
    /** How long to wait for the connection's end when a stream fails for no stream-level reason. */
    static final Duration CONNECTION_END_GRACE = Duration.ofSeconds(1);
    /** Re-arm steps between the CLOSE frame and the FIN, and their spacing. */
    static final int LINGER_STEPS = 3;
    static final long LINGER_STEP_MILLIS = 50;

    private static final Logger log = LoggerFactory.getLogger(QuicFrameStream.class);

    private final QuicTransportConnection connection;
    private final QuicStream stream;
    private final RearmableOutput output;
    private final Frames.Reader reader;
    private final FrameInbox inbox = new FrameInbox(INBOX_BYTES);
    private final TransportMetrics metrics;
    private final StallWatchdog watchdog;
    private final AtomicReference<ConnectionEnd> ending = new AtomicReference<>();
    private final AtomicBoolean closerStarted = new AtomicBoolean();
    private volatile IOException inputFailure;

    /**
     * Wraps a kwik stream.
     *
     * @param connection   the connection the stream belongs to
     * @param stream       the kwik stream
     * @param maxFrameSize the largest frame body accepted
     * @param metrics      where bytes and stalls are counted
     * @param watchdog     the watchdog that re-arms the stream's output
     */
    QuicFrameStream(QuicTransportConnection connection, QuicStream stream, int maxFrameSize,
            TransportMetrics metrics, StallWatchdog watchdog) {
        this.connection = connection;
        this.stream = stream;
        this.metrics = metrics;
        this.watchdog = watchdog;
        this.output = new RearmableOutput(stream.getOutputStream(), metrics);
        this.reader = new Frames.Reader(new BufferedInputStream(stream.getInputStream(), READ_BUFFER), maxFrameSize);
        watchdog.watch(output);
    }

    /** Starts the stream's reader thread; called once, after the stream is registered. */
    void startReading() {
        Thread.ofPlatform().daemon().name("mosaik-quic-read-" + id()).start(this::readLoop);
    }

    private void readLoop() {
        try {
            while (true) {
                // A stale interrupt from kwik is harmless here: kwik's read waits again, and a real
                // abort makes the read fail.
                Thread.interrupted();
                Frames.Frame frame = reader.read();
                if (frame == null) {
                    inbox.end(null);
                    return;
                }
                metrics.received(Frames.HEADER + frame.body().length);
                output.noteInbound();
                if (!inbox.put(frame)) {
                    return;
                }
            }
        } catch (IOException e) {
            inbox.end(e);
        } catch (RuntimeException e) {
            inbox.end(new IOException("reading the QUIC stream failed", e));
        }
    }

    /** The kwik stream id, for thread names and logs. */
    int id() {
        return stream.getStreamId();
    }

    /**
     * Makes the stream known to the remote: QUIC opens a stream on the peer only with its first frame,
     * and the remote's {@code acceptStream()} must not wait for our first payload.
     *
     * @throws IOException if the NOOP frame cannot be written
     */
    void announce() throws IOException {
        ReentrantLock lock = output.sendLock();
        lock.lock();
        try {
            output.write(Frames.noop());
        } catch (IOException e) {
            throw failure(e, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The frame is handed to kwik in one write (pieces of 25 KiB above kwik's 50 KiB buffer).
     */
    @Override
    public void send(byte[] payload) throws IOException {
        write(Frames.data(payload));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs of small payloads are packed into one write of whole frames (up to {@link #PACK} bytes):
     * kwik then sends them in as few packets as they fit, rather than a packet per frame.
     */
    @Override
    public void sendAll(java.util.List<byte[]> payloads) throws IOException {
        int next = 0;
        while (next < payloads.size()) {
            int end = Frames.dataRun(payloads, next, PACK);
            write(end - next == 1 ? Frames.data(payloads.get(next)) : Frames.packData(payloads, next, end));
            next = end;
        }
    }

    /** Hands whole frames to kwik in one write. */
    private void write(byte[] frame) throws IOException {
        ReentrantLock lock = output.sendLock();
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to send");
        }
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        try {
            ConnectionEnd end = ending.get();
            if (end != null) {
                throw end.exception();
            }
            output.write(frame);
        } catch (LinkClosedException e) {
            throw e;
        } catch (IOException e) {
            IOException mapped = failure(e, false);
            if (!interruptedBefore && mapped instanceof LinkClosedException) {
                // kwik interrupted this writer because the stream ended: the exception says so already.
                Thread.interrupted();
            }
            throw mapped;
        } finally {
            lock.unlock();
        }
    }

    /** {@inheritDoc} */
    @Override
    public byte[] receive() throws IOException {
        while (true) {
            ConnectionEnd end = ending.get();
            if (end != null) {
                throw end.exception();
            }
            IOException broken = inputFailure;
            if (broken != null) {
                throw broken;
            }
            FrameInbox.Item item;
            try {
                item = inbox.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to receive");
            }
            Frames.Frame frame;
            switch (item) {
                case FrameInbox.Data data -> frame = data.frame();
                case FrameInbox.Closed closed -> {
                    continue; // the local close set the stream's end, reported at the top
                }
                case FrameInbox.End ended when ended.failure() == null ->
                    throw remoteEnded(CloseReason.UNEXPECTED_CLOSE, "stream ended without a CLOSE frame");
                case FrameInbox.End ended -> {
                    IOException e = ended.failure();
                    if (e instanceof FrameTooLargeException || e instanceof Frames.MalformedFrameException) {
                        // The reader is no longer aligned on frames: this input is unusable from now on.
                        inputFailure = e;
                        throw e;
                    }
                    if (e instanceof EOFException) {
                        throw remoteEnded(CloseReason.UNEXPECTED_CLOSE, "stream ended inside a frame");
                    }
                    throw failure(e, true);
                }
            }
            switch (frame.type()) {
                case Frames.DATA:
                    return frame.body();
                case Frames.NOOP:
                    continue;
                case Frames.CLOSE:
                    throw remoteEnded(Frames.decodeClose(frame.body()), null);
                default:
                    Frames.MalformedFrameException malformed =
                            new Frames.MalformedFrameException("unknown frame type " + frame.type());
                    inputFailure = malformed;
                    throw malformed;
            }
        }
    }

    /** {@inheritDoc} */
    @Override
    public void close(CloseReason reason) {
        if (!ending.compareAndSet(null, new ConnectionEnd(reason, false, null))) {
            return;
        }
        // Wakes a local receive(), which then reports this close.
        abortInput(reason);
        CompletableFuture<Void> closeFrameQueued = startCloser(reason);
        try {
            closeFrameQueued.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Best effort: the closer goes on, bounded by CLOSE_DEADLINE.
        }
    }

    /** {@inheritDoc} */
    @Override
    public boolean isOpen() {
        return ending.get() == null;
    }

    /**
     * Called by the connection when it ended: kwik has aborted the stream, nothing can be sent any
     * more; blocked calls are woken by kwik and report {@code end}.
     */
    void connectionEnded(ConnectionEnd end) {
        ending.compareAndSet(null, end);
        output.abandon();
        watchdog.forget(output);
    }

    private LinkClosedException remoteEnded(CloseReason reason, String detail) {
        ending.compareAndSet(null, new ConnectionEnd(reason, true, detail));
        abortInput(reason);
        startCloser(reason);
        return ending.get().exception();
    }

    /**
     * Maps a kwik failure to what the SPI promises. Stream resets are recognized by kwik 0.10.9's
     * messages only to skip a pointless wait; anything else waits briefly for the connection's end,
     * because kwik aborts the streams before its termination callback has run.
     */
    private IOException failure(IOException cause, boolean input) {
        ConnectionEnd end = ending.get();
        if (end != null) {
            return end.exception();
        }
        String message = String.valueOf(cause.getMessage());
        if (message.contains("reset")) {
            if (input) {
                ending.compareAndSet(null, new ConnectionEnd(CloseReason.UNEXPECTED_CLOSE, true, "stream reset"));
                startCloser(CloseReason.UNEXPECTED_CLOSE);
                return ending.get().exception();
            }
            // Our output was reset on the remote's request (it closed its side): the remote's CLOSE
            // frame may still be waiting in our input, so leave the stream's verdict to the reader.
            return new LinkClosedException(CloseReason.UNEXPECTED_CLOSE, true, "stream reset by the remote");
        }
        ConnectionEnd connectionEnd = connection.awaitEnd(CONNECTION_END_GRACE);
        if (connectionEnd != null) {
            connectionEnded(connectionEnd);
            return ending.get().exception();
        }
        return cause;
    }

    private void abortInput(CloseReason reason) {
        inbox.close();
        try {
            stream.abortReading(reason.code());
        } catch (RuntimeException e) {
            log.debug("abortReading failed on stream {}", id(), e);
        }
    }

    /**
     * Starts the closer once: CLOSE frame, linger with re-arms, FIN; reset when it cannot finish in
     * time.
     *
     * @return completes when the CLOSE frame was handed to kwik (or the closer gave up)
     */
    private CompletableFuture<Void> startCloser(CloseReason reason) {
        CompletableFuture<Void> queued = new CompletableFuture<>();
        if (!closerStarted.compareAndSet(false, true)) {
            queued.complete(null);
            return queued;
        }
        if (output.ended() || !connection.isOpen()) {
            output.abandon();
            finished();
            queued.complete(null);
            return queued;
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = watchdog.scheduler().schedule(() -> giveUp(reason),
                    CLOSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The transport is shutting down: its connection close aborts the stream anyway.
            giveUp(reason);
            queued.complete(null);
            return queued;
        }
        Thread.ofVirtual().name("mosaik-quic-close-" + id()).start(() -> {
            try {
                runCloser(reason, queued);
            } finally {
                deadline.cancel(false);
                queued.complete(null);
                finished();
            }
        });
        return queued;
    }

    private void runCloser(CloseReason reason, CompletableFuture<Void> queued) {
        ReentrantLock lock = output.sendLock();
        try {
            // A send blocked on flow control holds the lock; the deadline's reset frees it. This wait ends at
            // the same time: if it ends first (the deadline's thread is late), reset here, since the deadline
            // is cancelled once the closer is done and would otherwise leave the send blocked for good.
            if (!lock.tryLock(CLOSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                giveUp(reason);
                return;
            }
            try {
                output.write(Frames.close(reason));
                queued.complete(null);
                for (int i = 0; i < LINGER_STEPS && !output.ended(); i++) {
                    Thread.sleep(LINGER_STEP_MILLIS);
                    output.rearm();
                }
                output.end(Frames.noop());
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            output.abandon();
        } catch (IOException e) {
            // Reset, aborted with the connection or interrupted by the deadline: nothing more to send.
            output.abandon();
        }
    }

    private void giveUp(CloseReason reason) {
        if (!output.abandon()) {
            return; // ended, or given up by the closer and the deadline both: reset once
        }
        try {
            // Discards what is buffered, tells the remote, and interrupts a writer blocked in kwik.
            stream.resetStream(reason.code());
        } catch (RuntimeException e) {
            log.debug("resetStream failed on stream {}", id(), e);
        }
        finished();
    }

    private void finished() {
        watchdog.forget(output);
        connection.forget(this);
    }
}
