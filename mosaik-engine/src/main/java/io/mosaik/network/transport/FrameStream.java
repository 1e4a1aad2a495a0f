package io.mosaik.network.transport;

import java.io.IOException;

/**
 * One bidirectional, ordered, reliable stream of frames between two connected nodes.
 *
 * <p>Implementations are thread-safe in this sense: one thread may {@link #receive()} while any
 * number of threads {@link #send(byte[])} (sends are serialized, each payload goes out as one frame,
 * whole), and {@link #close(CloseReason)} may be called from any thread at any time, which unblocks a
 * local {@code receive()} with a {@link LinkClosedException}.
 *
 * <p>Wire format: {@link Frames}. NOOP frames are skipped by {@code receive()}.
 */
public interface FrameStream extends AutoCloseable {

    /**
     * Sends one payload as one DATA frame. Blocks while the transport's flow control has no room.
     *
     * @param payload the payload (the array must not be changed afterwards)
     * @throws LinkClosedException if the stream was closed (locally or by the remote)
     * @throws IOException         on a transport failure
     */
    void send(byte[] payload) throws IOException;

    /**
     * Sends one payload as one DATA frame if the transport can take it at once, without waiting for
     * anything (another sender, flow control, a full write queue); otherwise sends nothing. The default
     * never does: callers then use {@link #send}.
     *
     * @param payload the payload (the array must not be changed afterwards)
     * @return whether it was sent
     */
    default boolean trySend(byte[] payload) {
        return false;
    }

    /**
     * Sends payloads as consecutive DATA frames, in order, as {@link #send} would one by one; a transport
     * may hand them to the wire together. If it fails part-way, the first ones may have been sent.
     *
     * @param payloads the payloads (the arrays must not be changed afterwards)
     * @throws LinkClosedException if the stream was closed (locally or by the remote)
     * @throws IOException         on a transport failure
     */
    default void sendAll(java.util.List<byte[]> payloads) throws IOException {
        for (byte[] payload : payloads) {
            send(payload);
        }
    }

    /**
     * Receives the next payload, blocking until it arrives.
     *
     * @return the payload of the next DATA frame
     * @throws LinkClosedException    when the remote sent a CLOSE frame (its reason), ended the stream
     *                                ({@link CloseReason#UNEXPECTED_CLOSE}), the connection died, or the
     *                                stream was closed locally
     * @throws FrameTooLargeException when the peer announced a frame over the maximum frame size; the
     *                                caller should then {@link #close(CloseReason) close} the stream with
     *                                {@link CloseReason#PROTOCOL_VIOLATION}
     * @throws IOException            on a malformed frame or a transport failure
     */
    byte[] receive() throws IOException;

    /**
     * Receives the next payload as {@link #receive()} does, then, without waiting, the payloads of whole
     * DATA frames that are already here, up to {@code max} in all: a receiver that keeps up with a fast
     * sender pays its per-receive costs once per batch. The default takes one.
     *
     * @param into where the payloads are added, in order
     * @param max  the most to take (at least 1)
     * @return how many were added (at least 1)
     * @throws IOException as {@link #receive()}, only before the first payload is taken
     */
    default int receiveAvailable(java.util.List<byte[]> into, int max) throws IOException {
        into.add(receive());
        return 1;
    }

    /**
     * Pushes every payload to {@code sink} on the transport's reader thread from now on, instead of
     * waiting to be {@link #receive() received}: those already here first, then each as it arrives, then
     * the end. Afterwards the caller must not receive. A transport that cannot returns {@code false} and
     * changes nothing (the caller then receives on a thread of its own); the default cannot.
     *
     * @param sink where the payloads go; its methods must not block
     * @return whether the stream pushes to {@code sink}
     * @throws IllegalStateException if the stream already pushes to a sink
     */
    default boolean deliverTo(FrameSink sink) {
        return false;
    }

    /**
     * Closes the stream: best-effort CLOSE frame with {@code reason}, end of the local output, release of
     * the stream's resources. Idempotent; never blocks for longer than a short, bounded time.
     *
     * @param reason the reason sent to the remote
     */
    void close(CloseReason reason);

    /** Closes with {@link CloseReason#SUCCESS}. */
    @Override
    default void close() {
        close(CloseReason.SUCCESS);
    }

    /** Whether neither side has closed the stream yet. */
    boolean isOpen();
}
