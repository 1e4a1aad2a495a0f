package io.mosaik.network;

import io.mosaik.codec.Codec;
import io.mosaik.codec.CodecException;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameSink;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.Frames;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A framed, ordered, bidirectional channel to one authenticated peer for one protocol: what the
 * discovery, streams and groups subsystems talk over.
 *
 * <p>A frame that is larger than the maximum frame size, malformed, or does not decode into the
 * expected type closes the link with {@link CloseReason#PROTOCOL_VIOLATION}, is counted in
 * {@code mosaik.network.frames.rejected}, and surfaces as a {@link LinkClosedException}; the connection
 * and the node carry on.
 *
 * <p>Thread-safety: one thread receives while any threads send.
 */
public final class Link implements AutoCloseable {

    private final PeerId peer;
    private final String protocol;
    private final FrameStream stream;
    private final Codec codec;
    private final NetworkMetrics metrics;
    private final Runnable onClose;
    private final Runnable onUnknownPeer;
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();

    Link(PeerId peer, String protocol, FrameStream stream, Codec codec, NetworkMetrics metrics, Runnable onClose,
            Runnable onUnknownPeer) {
        this.onUnknownPeer = onUnknownPeer;
        this.peer = peer;
        this.protocol = protocol;
        this.stream = stream;
        this.codec = codec;
        this.metrics = metrics;
        this.onClose = onClose;
    }

    /** The authenticated peer at the other end. */
    public PeerId peer() {
        return peer;
    }

    /** The protocol this link was opened for. */
    public String protocol() {
        return protocol;
    }

    /**
     * Encodes a message with the network's codec and sends it as one frame.
     *
     * @param message the message
     * @return the payload size in bytes (without framing)
     * @throws LinkClosedException if the link is closed
     * @throws CodecException      if the message cannot be encoded (the link stays open)
     * @throws IOException         on a transport failure
     */
    public int send(Object message) throws IOException {
        return sendBytes(codec.encode(message));
    }

    /**
     * Sends raw bytes as one frame.
     *
     * @param payload the bytes (not to be changed afterwards)
     * @return the payload size in bytes
     * @throws LinkClosedException if the link is closed
     * @throws IOException         on a transport failure
     */
    public int sendBytes(byte[] payload) throws IOException {
        try {
            stream.send(payload);
        } catch (LinkClosedException e) {
            onClose.run();
            throw e;
        }
        bytesSent.addAndGet(payload.length);
        return payload.length;
    }

    /**
     * Sends raw bytes as one frame if the transport takes them at once, without waiting (over TCP: no
     * other send under way, room in the peer's window and in the connection's write queue); otherwise
     * sends nothing, and the caller may queue them for {@link #sendBytes}. Never blocks.
     *
     * @param payload the payload (not to be changed afterwards)
     * @return whether it was sent
     */
    public boolean trySendBytes(byte[] payload) {
        if (stream.trySend(payload)) {
            bytesSent.addAndGet(payload.length);
            return true;
        }
        return false;
    }

    /**
     * Sends raw byte arrays as consecutive frames, in order; the transport may write them together,
     * which costs less per frame than one {@link #sendBytes} each.
     *
     * @param payloads the payloads (not to be changed afterwards)
     * @return the payload bytes sent
     * @throws LinkClosedException if the link is closed (some of the first payloads may have been sent)
     * @throws IOException         on a transport failure
     */
    public long sendAllBytes(java.util.List<byte[]> payloads) throws IOException {
        try {
            stream.sendAll(payloads);
        } catch (LinkClosedException e) {
            onClose.run();
            throw e;
        }
        long total = 0;
        for (byte[] payload : payloads) {
            total += payload.length;
        }
        bytesSent.addAndGet(total);
        return total;
    }

    /**
     * Receives the next frame and decodes it as {@code type}.
     *
     * @param type the expected message type
     * @param <T>  the type
     * @return the message
     * @throws LinkClosedException when the link is closed, including because this frame did not decode
     * @throws IOException         on a transport failure
     */
    public <T> T receive(Class<T> type) throws IOException {
        byte[] payload = receiveBytes();
        try {
            return codec.decode(payload, type);
        } catch (CodecException e) {
            throw reject("undecodable", e.getMessage());
        }
    }

    /**
     * Receives the next frame's raw bytes.
     *
     * @return the payload
     * @throws LinkClosedException when the link is closed, including because a frame broke the format
     * @throws IOException         on a transport failure
     */
    public byte[] receiveBytes() throws IOException {
        try {
            byte[] payload = stream.receive();
            bytesReceived.addAndGet(payload.length);
            return payload;
        } catch (IOException e) {
            throw receiveFailed(e);
        }
    }

    /**
     * Receives the next frame's raw bytes, then, without waiting, those of the frames already here, up to
     * {@code max} in all: a receiver that keeps up with a fast sender pays the per-receive costs once per
     * batch (over TCP; other transports take one at a time).
     *
     * @param into where the payloads are added, in order
     * @param max  the most to take (at least 1)
     * @return how many were added (at least 1)
     * @throws LinkClosedException when the link is closed, including because a frame broke the format
     * @throws IOException         on a transport failure
     */
    public int receiveAvailableBytes(java.util.List<byte[]> into, int max) throws IOException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, not " + max);
        }
        int before = into.size();
        try {
            int taken = stream.receiveAvailable(into, max);
            long total = 0;
            for (int i = before; i < into.size(); i++) {
                total += into.get(i).length;
            }
            bytesReceived.addAndGet(total);
            return taken;
        } catch (IOException e) {
            throw receiveFailed(e);
        }
    }

    /**
     * Pushes every frame's raw bytes to {@code sink} on the transport's reader thread instead of waiting
     * to be received, if the transport can (TCP; see {@link FrameStream#deliverTo}): a receiver that only
     * hands frames on then needs no thread of its own. The end reaches {@code sink} as a receive would
     * have thrown it (a frame that broke the format is counted and closes the link, as on receive).
     *
     * @param sink where the payloads and the end go; must not block
     * @return whether the link pushes; if {@code false}, nothing changed: receive as usual
     */
    public boolean deliverTo(FrameSink sink) {
        java.util.Objects.requireNonNull(sink, "sink");
        return stream.deliverTo(new FrameSink() {
            @Override
            public void frame(byte[] payload) {
                bytesReceived.addAndGet(payload.length);
                sink.frame(payload);
            }

            @Override
            public void ended(IOException cause) {
                sink.ended(receiveFailed(cause));
            }
        });
    }

    /** What a failed receive throws: a rejected frame closes the link, a closed stream is counted off. */
    private IOException receiveFailed(IOException e) {
        if (e instanceof FrameTooLargeException) {
            return reject("oversized", e.getMessage());
        }
        if (e instanceof Frames.MalformedFrameException || e instanceof java.io.EOFException) {
            return reject("malformed", e.getMessage());
        }
        // a closed or broken stream: the link no longer counts towards its connection
        onClose.run();
        if (e instanceof LinkClosedException closed && closed.remote()
                && closed.reason().equals(CloseReason.UNKNOWN_PEER)) {
            onUnknownPeer.run(); // the peer does not know us: discovery syncs catalogs with it
        }
        return e;
    }

    /** Payload bytes sent so far (without framing). */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Payload bytes received so far (without framing). */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** Whether the link is still open. */
    public boolean isOpen() {
        return stream.isOpen();
    }

    /**
     * Closes the link, telling the remote why.
     *
     * @param reason the reason the remote receives
     */
    public void close(CloseReason reason) {
        stream.close(reason);
        onClose.run();
    }

    /** Closes the link with {@link CloseReason#SUCCESS}. */
    @Override
    public void close() {
        close(CloseReason.SUCCESS);
    }

    private LinkClosedException reject(String metricReason, String detail) {
        metrics.frameRejected(metricReason);
        close(CloseReason.PROTOCOL_VIOLATION);
        return new LinkClosedException(CloseReason.PROTOCOL_VIOLATION, false, detail);
    }

    @Override
    public String toString() {
        return "Link(" + protocol + " with " + peer.toShortString() + ")";
    }
}
