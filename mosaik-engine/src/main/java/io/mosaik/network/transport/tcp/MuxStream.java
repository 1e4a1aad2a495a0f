package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameSink;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.Frames;
import io.mosaik.network.transport.LinkClosedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link FrameStream} multiplexed on a {@link TcpConnection}.
 *
 * <p>The stream's bytes in each direction are the {@link Frames} format. A payload is sent as one
 * frame split into DATA chunks of at most {@link MuxFrame#CHUNK} bytes, each sent only when the peer's
 * window has room, so a payload larger than the window still goes through while the receiver reads it,
 * and a receiver that does not read stalls this stream only. Concurrent senders are serialized for a
 * whole payload so that chunks of two payloads never interleave.
 */
final class MuxStream implements FrameStream {

    private final int id;
    private final TcpConnection connection;
    private final StreamInbox inbox;
    private final Frames.Reader frames;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition creditArrived = stateLock.newCondition();
    // guarded by stateLock
    private long sendWindow = MuxFrame.INITIAL_WINDOW;
    // written under stateLock; read without it for isOpen() and fast checks
    private volatile Closure closure;
    /** Where payloads are pushed, once {@link #deliverTo} was called. */
    private volatile FrameSink sink;
    // guarded by receiveLock: the push side's state (the frame being assembled across chunks)
    private boolean pushing;
    private boolean pushEnded;
    private final byte[] pushHeader = new byte[Frames.HEADER];
    private int pushHeaderFilled;
    private byte[] pushBody;
    private int pushBodyLength;
    private int pushBodyFilled;
    private final List<byte[]> pushBatch = new ArrayList<>();

    /**
     * Creates a stream (it is registered and announced by the connection, which already took its
     * initial window from {@code budget}).
     *
     * @param id         the stream id
     * @param connection the connection it lives on
     * @param budget     the connection's receive budget
     * @param remote     whether the peer opened it (its window then grows only once accepted)
     */
    MuxStream(int id, TcpConnection connection, ReceiveBudget budget, boolean remote) {
        this.id = id;
        this.connection = connection;
        this.inbox = new StreamInbox(delta -> connection.sendControl(MuxFrame.windowUpdate(id, delta)), budget,
                remote, !remote);
        this.frames = new Frames.Reader(inbox, connection.maxFrameSize());
    }

    /** The stream id. */
    int id() {
        return id;
    }

    /** The application accepted the stream: its receive window may now grow. */
    void accepted() {
        inbox.allowGrowth();
    }

    /** Bytes received and not yet taken (for tests). */
    int bufferedBytes() {
        return inbox.available();
    }

    /** The current receive window (for tests). */
    long receiveWindow() {
        return inbox.window();
    }

    /**
     * Sends one payload as one DATA frame, in chunks as the peer's window allows.
     *
     * @param payload the payload (the array must not be changed afterwards: it is written without a copy)
     * @throws LinkClosedException    if the stream or the connection is closed
     * @throws InterruptedIOException if interrupted while waiting for credit or for the connection's
     *                                write queue; if part of the payload was already sent, the stream is
     *                                closed with {@link CloseReason#CANCELLED}, since the frame cannot be
     *                                completed
     */
    @Override
    public void send(byte[] payload) throws IOException {
        Objects.requireNonNull(payload, "payload");
        sendStream(frameHeader(payload.length), payload);
    }

    /**
     * Sends one payload as one DATA frame if that needs no waiting: no other send is under way, the
     * peer's window has room for the whole frame, it fits in one chunk and the connection's write queue
     * is not full.
     */
    @Override
    public boolean trySend(byte[] payload) {
        int size = Frames.HEADER + payload.length;
        if (size > MuxFrame.CHUNK || !sendLock.tryLock()) {
            return false;
        }
        try {
            stateLock.lock();
            try {
                if (closure != null || sendWindow < size) {
                    return false;
                }
                sendWindow -= size;
            } finally {
                stateLock.unlock();
            }
            if (!connection.trySendData(chunk(frameHeader(payload.length), payload, 0, size))) {
                returnCredit(size);
                return false;
            }
            return true;
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Sends payloads as consecutive frames. Runs of small ones are packed into one buffer of whole
     * frames, sent as one chunk: one credit check and one hand-off to the writer for the lot.
     */
    @Override
    public void sendAll(List<byte[]> payloads) throws IOException {
        int next = 0;
        while (next < payloads.size()) {
            int end = Frames.dataRun(payloads, next, MuxFrame.CHUNK);
            if (end - next == 1) {
                send(payloads.get(next)); // alone, or too large to pack
            } else {
                sendStream(NO_PREFIX, Frames.packData(payloads, next, end));
            }
            next = end;
        }
    }

    /** Sends {@code prefix} then {@code body} as stream bytes, in chunks as the peer's window allows. */
    private void sendStream(byte[] prefix, byte[] body) throws IOException {
        try {
            if (!sendLock.tryLock()) { // uncontended: no interrupt check, which is costly on a virtual thread
                sendLock.lockInterruptibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to send");
        }
        try {
            long total = prefix.length + (long) body.length;
            long sent = 0;
            while (sent < total) {
                int size = 0;
                try {
                    size = acquireCredit((int) Math.min(total - sent, MuxFrame.CHUNK));
                    if (!connection.sendData(chunk(prefix, body, sent, size), this::abandoned)) {
                        throw closedException();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (sent > 0) {
                        close(CloseReason.CANCELLED);
                    } else {
                        returnCredit(size);
                    }
                    throw new InterruptedIOException("interrupted while waiting to send");
                }
                sent += size;
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives the next payload; NOOP frames are skipped.
     *
     * @throws FrameTooLargeException if the peer announced a frame over the maximum frame size; the
     *                                stream is then closed with {@link CloseReason#PROTOCOL_VIOLATION}
     * @throws InterruptedIOException if interrupted; if that happened inside a frame, the stream is
     *                                closed with {@link CloseReason#CANCELLED}
     */
    @Override
    public byte[] receive() throws IOException {
        lockReceive();
        try {
            return receiveLocked();
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Receives the next payload, then takes the whole DATA frames at hand in the inbox without waiting
     * (under the inbox's lock once), up to {@code max}.
     */
    @Override
    public int receiveAvailable(java.util.List<byte[]> into, int max) throws IOException {
        lockReceive();
        try {
            into.add(receiveLocked());
            int taken = 1;
            Closure ended = closure;
            if (max > 1 && (ended == null || ended.remote())) { // what the remote sent before closing is still read
                taken += inbox.pollDataFrames(connection.maxFrameSize(), into, max - 1);
            }
            return taken;
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Pushes payloads to {@code target} from now on: those already here on this thread, the rest on the
     * connection's reader thread as their chunks arrive (a frame split across chunks is assembled as its
     * bytes come, so its credit returns as it would to a reading receiver).
     */
    @Override
    public boolean deliverTo(FrameSink target) {
        Objects.requireNonNull(target, "sink");
        receiveLock.lock();
        try {
            if (sink != null) {
                throw new IllegalStateException("stream " + id + " already delivers to a sink");
            }
            sink = target;
        } finally {
            receiveLock.unlock();
        }
        push();
        return true;
    }

    /**
     * Delivers what the inbox holds to the sink, if there is one, without waiting: called by the reader
     * thread after each chunk and by whoever ends the stream. Re-entry (a sink closing its own stream)
     * returns at once: the outer call goes on.
     */
    void push() {
        FrameSink target = sink;
        if (target == null) {
            return;
        }
        receiveLock.lock();
        try {
            if (pushing || pushEnded) {
                return;
            }
            pushing = true;
            try {
                pushLocked(target);
            } finally {
                pushing = false;
            }
        } finally {
            receiveLock.unlock();
        }
    }

    private void pushLocked(FrameSink target) {
        while (true) {
            Closure ended = closure;
            if (ended != null && !ended.remote()) {
                endPush(target, ended.exception()); // closed here: what is buffered is dropped
                return;
            }
            if (pushHeaderFilled == 0) {
                // The usual case: whole DATA frames in the chunks at hand, taken under one lock.
                pushBatch.clear();
                inbox.pollDataFrames(connection.maxFrameSize(), pushBatch, 64);
                for (byte[] payload : pushBatch) {
                    target.frame(payload);
                }
                if (!pushBatch.isEmpty()) {
                    continue;
                }
            }
            int available = inbox.available();
            if (available == 0) {
                IOException end = inbox.drainedEnd();
                if (end != null) {
                    endPush(target, end);
                }
                return;
            }
            byte[] payload;
            try {
                payload = assemble(available);
            } catch (FrameTooLargeException | Frames.MalformedFrameException e) {
                close(CloseReason.PROTOCOL_VIOLATION);
                endPush(target, e);
                return;
            } catch (IOException e) {
                endPush(target, e);
                return;
            }
            if (payload != null) {
                target.frame(payload);
            }
        }
    }

    /**
     * Reads at most {@code available} bytes (so never waits) into the frame being assembled.
     *
     * @return the payload if a DATA frame completed, else {@code null}
     * @throws LinkClosedException if a CLOSE frame completed (its reason, from the remote)
     * @throws IOException         if the frame breaks the format
     */
    private byte[] assemble(int available) throws IOException {
        if (pushHeaderFilled < Frames.HEADER) {
            pushHeaderFilled += inbox.read(pushHeader, pushHeaderFilled,
                    Math.min(available, Frames.HEADER - pushHeaderFilled));
            if (pushHeaderFilled < Frames.HEADER) {
                return null;
            }
            pushBodyLength = Frames.bodyLength(Integer.toUnsignedLong(MuxFrame.readInt(pushHeader, 0)),
                    connection.maxFrameSize());
            // Grows as the bytes come, as the reading side does: an announced size allocates nothing.
            pushBody = new byte[Math.min(pushBodyLength, MuxFrame.CHUNK)];
            pushBodyFilled = 0;
        } else {
            int wanted = Math.min(available, pushBodyLength - pushBodyFilled);
            if (pushBodyFilled + wanted > pushBody.length) {
                pushBody = Arrays.copyOf(pushBody, (int) Math.min(pushBodyLength,
                        Math.max(2L * pushBody.length, pushBodyFilled + (long) wanted)));
            }
            pushBodyFilled += inbox.read(pushBody, pushBodyFilled, wanted);
        }
        if (pushBodyFilled < pushBodyLength) {
            return null;
        }
        byte[] body = pushBody;
        pushHeaderFilled = 0;
        pushBody = null;
        return payloadOf(pushHeader[4], body);
    }

    private void endPush(FrameSink target, IOException cause) {
        pushEnded = true;
        pushBody = null;
        target.ended(cause);
    }

    private void lockReceive() throws InterruptedIOException {
        try {
            if (!receiveLock.tryLock()) { // uncontended: no interrupt check, which is costly on a virtual thread
                receiveLock.lockInterruptibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to receive");
        }
    }

    /** The next payload (receive lock held). */
    private byte[] receiveLocked() throws IOException {
        while (true) {
            Closure ended = closure;
            if (ended != null && !ended.remote()) {
                throw ended.exception();
            }
            // Usually the whole frame under one lock; else parsed from the stream (split or refused).
            Frames.Frame frame = inbox.pollFrame(connection.maxFrameSize());
            try {
                if (frame == null) {
                    frame = frames.read();
                }
            } catch (FrameTooLargeException | Frames.MalformedFrameException e) {
                // Nothing after a refused frame can be parsed: the stream is done.
                close(CloseReason.PROTOCOL_VIOLATION);
                throw e;
            } catch (InterruptedIOException e) {
                // Interrupted inside a frame: its rest would be parsed as the next frame.
                close(CloseReason.CANCELLED);
                throw e;
            }
            if (frame == null) {
                throw closedException();
            }
            byte[] payload = payloadOf(frame.type(), frame.body());
            if (payload != null) {
                return payload;
            }
        }
    }

    /**
     * What a whole stream frame means: its body if DATA, {@code null} if NOOP (skipped); a CLOSE ends the
     * stream as the remote's close, an unknown type breaks the format and closes the stream.
     */
    private byte[] payloadOf(byte type, byte[] body) throws IOException {
        switch (type) {
            case Frames.DATA:
                return body;
            case Frames.NOOP:
                return null;
            case Frames.CLOSE:
                // This transport closes streams with a mux CLOSE, but honour the stream format.
                CloseReason reason = Frames.decodeClose(body);
                onRemoteClose(reason);
                throw new LinkClosedException(reason, true, null);
            default:
                close(CloseReason.PROTOCOL_VIOLATION);
                throw new Frames.MalformedFrameException("unknown stream frame type " + type);
        }
    }

    /**
     * Closes the stream: tells the peer (unless it closed first or the connection is gone), fails
     * pending and future sends and receives, drops buffered input. Never blocks on the network.
     */
    @Override
    public void close(CloseReason reason) {
        Objects.requireNonNull(reason, "reason");
        Closure local = new Closure(reason, false, null);
        boolean first = false;
        stateLock.lock();
        try {
            if (closure == null) {
                closure = local;
                first = true;
            }
            creditArrived.signalAll();
        } finally {
            stateLock.unlock();
        }
        // Releases buffered input even when the remote closed first.
        inbox.end(local, true);
        connection.streamClosed(this, first ? reason : null);
        push(); // a sink learns of the end
    }

    @Override
    public boolean isOpen() {
        return closure == null;
    }

    /** Hands a DATA chunk from the wire to the inbox; false if the peer exceeded the window. */
    boolean onData(byte[] chunk) {
        if (!inbox.offer(chunk)) {
            return false;
        }
        push();
        return true;
    }

    /**
     * Adds credit granted by the peer.
     *
     * @return false if the window would exceed what a u32 can express (a protocol violation)
     */
    boolean onWindowUpdate(int delta) {
        stateLock.lock();
        try {
            long grown = sendWindow + Integer.toUnsignedLong(delta);
            if (delta == 0 || grown > 0xFFFF_FFFFL) {
                return false;
            }
            sendWindow = grown;
            creditArrived.signalAll();
            return true;
        } finally {
            stateLock.unlock();
        }
    }

    /** The peer closed the stream: what it sent before is still delivered, sends fail at once. */
    void onRemoteClose(CloseReason reason) {
        end(new Closure(reason, true, null), false);
    }

    /** The connection ended; a local end drops buffered input, a remote end still delivers it. */
    void onConnectionClosed(Closure connectionClosure) {
        end(connectionClosure, !connectionClosure.remote());
    }

    private void end(Closure ended, boolean discard) {
        stateLock.lock();
        try {
            if (closure != null) {
                return;
            }
            closure = ended;
            creditArrived.signalAll();
        } finally {
            stateLock.unlock();
        }
        inbox.end(ended, discard);
        connection.wakeSenders();
        push(); // a sink takes what is left, then the end
    }

    private int acquireCredit(int wanted) throws InterruptedException, LinkClosedException {
        stateLock.lock();
        try {
            while (closure == null && sendWindow == 0) {
                creditArrived.await();
            }
            if (closure != null) {
                throw closure.exception();
            }
            int granted = (int) Math.min(wanted, sendWindow);
            sendWindow -= granted;
            return granted;
        } finally {
            stateLock.unlock();
        }
    }

    private boolean abandoned() {
        return closure != null;
    }

    private void returnCredit(int size) {
        stateLock.lock();
        try {
            sendWindow += size;
        } finally {
            stateLock.unlock();
        }
    }

    private LinkClosedException closedException() {
        Closure ended = closure;
        return ended != null ? ended.exception() : connection.closedException();
    }

    /** The DATA chunk of {@code size} stream bytes from {@code position} of {@code prefix} then {@code body}. */
    private MuxWriter.Chunk chunk(byte[] prefix, byte[] body, long position, int size) {
        int headerPart = position < prefix.length ? (int) Math.min(prefix.length - position, size) : 0;
        byte[] head = new byte[MuxFrame.HEADER + headerPart];
        MuxFrame.writeHeader(head, MuxFrame.DATA, id, size);
        if (headerPart > 0) {
            System.arraycopy(prefix, (int) position, head, MuxFrame.HEADER, headerPart);
        }
        int bodyOffset = (int) Math.max(0, position - prefix.length);
        return new MuxWriter.Chunk(head, body, bodyOffset, size - headerPart, size);
    }

    private static final byte[] NO_PREFIX = new byte[0];

    private static byte[] frameHeader(int payloadLength) {
        byte[] header = new byte[Frames.HEADER];
        writeFrameHeader(header, 0, payloadLength);
        return header;
    }

    /** Writes the {@link Frames} header of a DATA frame carrying {@code payloadLength} bytes. */
    private static void writeFrameHeader(byte[] target, int at, int payloadLength) {
        MuxFrame.writeInt(target, at, payloadLength + 1);
        target[at + 4] = Frames.DATA;
    }

    @Override
    public String toString() {
        return "MuxStream(" + id + " on " + connection + ")";
    }
}
