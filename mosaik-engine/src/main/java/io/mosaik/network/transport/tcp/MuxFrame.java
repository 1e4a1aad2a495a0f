package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.CloseReason;

/**
 * The multiplexing frame format that carries many streams over one TLS connection.
 *
 * <pre>
 * mux frame = type:u8 | streamId:u32 | length:u32 | body (all big-endian)
 *
 * OPEN          1  stream  body empty       the sender opened the stream (odd ids: dialer, even: acceptor)
 * DATA          2  stream  1..64 KiB        the next bytes of the stream, counted against its window
 * CLOSE         3  stream  code:u32         the sender neither sends nor reads on the stream any more;
 *                                           bytes sent before it are still delivered
 * WINDOW_UPDATE 4  stream  delta:u32        the receiver consumed delta bytes: the sender may send more
 * PING          5  0       opaque:8 bytes   keep-alive; answered by a PONG with the same body
 * PONG          6  0       opaque:8 bytes   answer to a PING
 * GOAWAY        7  0       code:u32         the sender closes the connection with this reason
 * </pre>
 *
 * <p>The bytes of a stream are the {@link io.mosaik.network.transport.Frames} format, so one stream
 * frame may span several DATA mux frames (a payload larger than the window is sent in chunks as credit
 * arrives) and the receiver checks the announced frame size before allocating it. Every stream starts
 * with a send and a receive window of {@link #INITIAL_WINDOW} bytes; a receiver may grow a window with
 * larger WINDOW_UPDATEs (this implementation never beyond {@link #MAX_WINDOW}).
 *
 * <p>Stream limit: a side may have at most {@link TcpConnection#MAX_STREAMS} streams open towards the
 * other (opened and not yet closed by either side, as far as its own frames say); an OPEN beyond that
 * is a protocol violation. A receiver short of memory for a new stream (its application has not yet
 * read streams the peer already closed) refuses it with a CLOSE of reason 102 (Cancelled).
 */
final class MuxFrame {

    /** Bytes before the body: type, stream id and length. */
    static final int HEADER = 9;

    /** A new stream. */
    static final byte OPEN = 1;
    /** Bytes of a stream. */
    static final byte DATA = 2;
    /** End of a stream in both directions, with a reason. */
    static final byte CLOSE = 3;
    /** Receive credit returned to the sender. */
    static final byte WINDOW_UPDATE = 4;
    /** Keep-alive request. */
    static final byte PING = 5;
    /** Keep-alive answer. */
    static final byte PONG = 6;
    /** End of the connection, with a reason. */
    static final byte GOAWAY = 7;

    /** The largest DATA body a peer may send; anything above is a protocol violation. */
    static final int MAX_DATA = 64 * 1024;
    /** The DATA body size senders use: one TLS record, so one stream cannot hog the wire for long. */
    static final int CHUNK = 16 * 1024;
    /** The receive window every stream starts with, in bytes. */
    static final int INITIAL_WINDOW = 32 * 1024;
    /** The largest receive window a stream grows to, in bytes (see {@link StreamInbox}). */
    static final int MAX_WINDOW = 256 * 1024;
    /** Size of the PING and PONG bodies. */
    static final int PING_BODY = 8;

    private MuxFrame() {
    }

    /**
     * A decoded mux frame header.
     *
     * @param type     the frame type
     * @param streamId the stream id, 0 for connection frames
     * @param length   the body length
     */
    record Header(byte type, int streamId, int length) {
    }

    /** Writes a header into the first {@link #HEADER} bytes of {@code target}. */
    static void writeHeader(byte[] target, byte type, int streamId, int length) {
        target[0] = type;
        writeInt(target, 1, streamId);
        writeInt(target, 5, length);
    }

    /** An OPEN frame. */
    static byte[] open(int streamId) {
        byte[] frame = new byte[HEADER];
        writeHeader(frame, OPEN, streamId, 0);
        return frame;
    }

    /** A CLOSE frame carrying {@code reason}'s code. */
    static byte[] close(int streamId, CloseReason reason) {
        return withInt(CLOSE, streamId, reason.code());
    }

    /** A WINDOW_UPDATE frame granting {@code delta} more bytes. */
    static byte[] windowUpdate(int streamId, int delta) {
        return withInt(WINDOW_UPDATE, streamId, delta);
    }

    /** A GOAWAY frame carrying {@code reason}'s code. */
    static byte[] goAway(CloseReason reason) {
        return withInt(GOAWAY, 0, reason.code());
    }

    /** A PING frame with an opaque value. */
    static byte[] ping(long opaque) {
        byte[] frame = new byte[HEADER + PING_BODY];
        writeHeader(frame, PING, 0, PING_BODY);
        writeInt(frame, HEADER, (int) (opaque >>> 32));
        writeInt(frame, HEADER + 4, (int) opaque);
        return frame;
    }

    /** A PONG frame echoing a PING body. */
    static byte[] pong(byte[] pingBody) {
        byte[] frame = new byte[HEADER + PING_BODY];
        writeHeader(frame, PONG, 0, PING_BODY);
        System.arraycopy(pingBody, 0, frame, HEADER, PING_BODY);
        return frame;
    }

    /** Reads a big-endian u32 (as an int) from {@code source} at {@code offset}. */
    static int readInt(byte[] source, int offset) {
        return ((source[offset] & 0xFF) << 24) | ((source[offset + 1] & 0xFF) << 16)
                | ((source[offset + 2] & 0xFF) << 8) | (source[offset + 3] & 0xFF);
    }

    /** Writes a big-endian u32 into {@code target} at {@code offset}. */
    static void writeInt(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }

    /**
     * The body length a frame type must have, or -1 for DATA whose length varies.
     *
     * @return the fixed length, -1 for DATA, or -2 for a type this version does not know
     */
    static int fixedLength(byte type) {
        return switch (type) {
            case OPEN -> 0;
            case DATA -> -1;
            case CLOSE, WINDOW_UPDATE, GOAWAY -> 4;
            case PING, PONG -> PING_BODY;
            default -> -2;
        };
    }

    /** The name of a frame type, for logs and error messages. */
    static String typeName(byte type) {
        return switch (type) {
            case OPEN -> "OPEN";
            case DATA -> "DATA";
            case CLOSE -> "CLOSE";
            case WINDOW_UPDATE -> "WINDOW_UPDATE";
            case PING -> "PING";
            case PONG -> "PONG";
            case GOAWAY -> "GOAWAY";
            default -> "unknown(" + (type & 0xFF) + ")";
        };
    }

    private static byte[] withInt(byte type, int streamId, int value) {
        byte[] frame = new byte[HEADER + 4];
        writeHeader(frame, type, streamId, 4);
        writeInt(frame, HEADER, value);
        return frame;
    }
}
