package io.mosaik.network.transport;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The frame format shared by every transport's streams.
 *
 * <pre>
 * frame   = length:u32 (big-endian, counts type and body) | type:u8 | body
 * DATA  0 = body is one application payload
 * CLOSE 1 = body is code:u32 | reason name (UTF-8); the sender closes its side after it
 * NOOP  2 = empty body; readers skip it (used to re-arm a stalled QUIC stream and as keep-alive)
 * </pre>
 *
 * <p>Every frame is built as one array so that a transport can hand it to the wire in one write.
 */
public final class Frames {

    /** Frame type of an application payload. */
    public static final byte DATA = 0;
    /** Frame type of a close notice carrying a {@link CloseReason}. */
    public static final byte CLOSE = 1;
    /** Frame type that carries nothing and is skipped by readers. */
    public static final byte NOOP = 2;
    /** Bytes before the body: the length and the type. */
    public static final int HEADER = 5;

    private static final byte[] NOOP_FRAME = {0, 0, 0, 1, NOOP};

    private Frames() {
    }

    /** One DATA frame holding {@code payload}. */
    public static byte[] data(byte[] payload) {
        return frame(DATA, payload, 0, payload.length);
    }

    /** One CLOSE frame carrying {@code reason}. */
    public static byte[] close(CloseReason reason) {
        byte[] name = reason.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(4 + name.length).putInt(reason.code()).put(name);
        return frame(CLOSE, body.array(), 0, body.capacity());
    }

    /** One NOOP frame (a fresh copy each call, so callers may not corrupt a shared one). */
    public static byte[] noop() {
        return NOOP_FRAME.clone();
    }

    /**
     * Where a run of payloads that fit, as DATA frames, in {@code limit} bytes ends: the index after the
     * last one, and at least {@code from + 1} (a payload too large for the limit is a run of its own).
     */
    public static int dataRun(java.util.List<byte[]> payloads, int from, int limit) {
        int end = from;
        long packed = 0;
        while (end < payloads.size() && packed + HEADER + payloads.get(end).length <= limit) {
            packed += HEADER + payloads.get(end).length;
            end++;
        }
        return Math.max(end, from + 1);
    }

    /** The payloads {@code from} to {@code to} (exclusive) as consecutive DATA frames in one array. */
    public static byte[] packData(java.util.List<byte[]> payloads, int from, int to) {
        int size = 0;
        for (int i = from; i < to; i++) {
            size += HEADER + payloads.get(i).length;
        }
        byte[] frames = new byte[size];
        int at = 0;
        for (int i = from; i < to; i++) {
            byte[] payload = payloads.get(i);
            writeHeader(frames, at, DATA, payload.length);
            System.arraycopy(payload, 0, frames, at + HEADER, payload.length);
            at += HEADER + payload.length;
        }
        return frames;
    }

    /** A frame of any type. */
    public static byte[] frame(byte type, byte[] body, int offset, int length) {
        byte[] frame = new byte[HEADER + length];
        writeHeader(frame, 0, type, length);
        System.arraycopy(body, offset, frame, HEADER, length);
        return frame;
    }

    private static void writeHeader(byte[] target, int at, byte type, int bodyLength) {
        int size = bodyLength + 1;
        target[at] = (byte) (size >>> 24);
        target[at + 1] = (byte) (size >>> 16);
        target[at + 2] = (byte) (size >>> 8);
        target[at + 3] = (byte) size;
        target[at + 4] = type;
    }

    /** Decodes the body of a CLOSE frame; a malformed body yields {@link CloseReason#PROTOCOL_VIOLATION}. */
    public static CloseReason decodeClose(byte[] body) {
        if (body.length < 4) {
            return CloseReason.PROTOCOL_VIOLATION;
        }
        return CloseReason.ofCode(ByteBuffer.wrap(body).getInt());
    }

    /**
     * The body length a frame's size field announces (the size counts the type byte), checked as every
     * reader checks it.
     *
     * @param size         the size field, unsigned
     * @param maxFrameSize the largest body accepted
     * @return the body length
     * @throws MalformedFrameException if the size is 0 (no type)
     * @throws FrameTooLargeException  if the body would exceed {@code maxFrameSize}
     */
    public static int bodyLength(long size, int maxFrameSize) throws IOException {
        if (size == 0) {
            throw new MalformedFrameException("frame of length 0 has no type");
        }
        if (size - 1 > maxFrameSize) {
            throw new FrameTooLargeException(size - 1, maxFrameSize);
        }
        return (int) (size - 1);
    }

    /**
     * A received frame.
     *
     * @param type the frame type
     * @param body the frame body
     */
    public record Frame(byte type, byte[] body) {
    }

    /**
     * Reads frames from a blocking input stream, refusing frames larger than a limit before
     * allocating them.
     */
    public static final class Reader {
        /** The most a reader allocates for a frame body before its bytes arrive. */
        static final int CHUNK = 64 * 1024;

        private final DataInputStream in;
        private final int maxFrameSize;

        /**
         * Creates a reader.
         *
         * @param in           the stream to read (buffer it if the transport does not)
         * @param maxFrameSize the largest body accepted, in bytes
         */
        public Reader(InputStream in, int maxFrameSize) {
            this.in = new DataInputStream(in);
            this.maxFrameSize = maxFrameSize;
        }

        /**
         * Reads the next frame.
         *
         * @return the frame, or {@code null} at a clean end of stream between frames
         * @throws FrameTooLargeException if the peer announces a frame over the limit
         * @throws EOFException           if the stream ends inside a frame
         * @throws IOException            on a transport error, or a frame of length 0
         */
        public Frame read() throws IOException {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            long size = ((long) first << 24) | ((long) in.readUnsignedByte() << 16)
                    | ((long) in.readUnsignedByte() << 8) | in.readUnsignedByte();
            int length = bodyLength(size, maxFrameSize);
            byte type = in.readByte();
            return new Frame(type, readBody(length));
        }

        /**
         * Reads a body of the announced length. Up to {@link #CHUNK} bytes are allocated at once; a
         * larger body grows as its bytes actually arrive, so a peer that announces a large frame and
         * sends nothing holds no more memory than it sent.
         */
        private byte[] readBody(int length) throws IOException {
            if (length <= CHUNK) {
                byte[] body = new byte[length];
                in.readFully(body);
                return body;
            }
            byte[] body = new byte[CHUNK];
            int filled = 0;
            while (filled < length) {
                if (filled == body.length) {
                    body = java.util.Arrays.copyOf(body, (int) Math.min(length, 2L * body.length));
                }
                int read = in.read(body, filled, body.length - filled);
                if (read < 0) {
                    throw new EOFException("stream ended after " + filled + " of " + length + " frame bytes");
                }
                filled += read;
            }
            return body;
        }
    }

    /** A frame that breaks the format (not one too large: see {@link FrameTooLargeException}). */
    public static final class MalformedFrameException extends IOException {
        /**
         * Creates the exception.
         *
         * @param message what was wrong
         */
        public MalformedFrameException(String message) {
            super(message);
        }
    }
}
