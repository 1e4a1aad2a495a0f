package io.mosaik.network.transport.tcp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads mux frames from the connection's decrypted input, validating each header before its body is
 * read so that a peer can never make this side allocate more than {@link MuxFrame#MAX_DATA} bytes.
 *
 * <p>Used by the connection's single reader thread only.
 */
final class MuxReader {

    private final DataInputStream in;
    private final byte[] header = new byte[MuxFrame.HEADER];

    /**
     * Creates a reader.
     *
     * @param in the decrypted input of the connection (buffered by the caller)
     */
    MuxReader(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /**
     * Reads and validates the next header.
     *
     * @return the header
     * @throws MuxProtocolException if the type is unknown or the length is not allowed for the type
     * @throws java.io.EOFException if the connection ends
     * @throws IOException          on a read failure or a read timeout
     */
    MuxFrame.Header readHeader() throws IOException {
        in.readFully(header);
        byte type = header[0];
        int streamId = MuxFrame.readInt(header, 1);
        int length = MuxFrame.readInt(header, 5);
        int expected = MuxFrame.fixedLength(type);
        if (expected == -2) {
            throw new MuxProtocolException("unknown mux frame type " + (type & 0xFF));
        }
        if (expected == -1 ? length <= 0 || length > MuxFrame.MAX_DATA : length != expected) {
            throw new MuxProtocolException("mux frame " + MuxFrame.typeName(type) + " with a body of "
                    + Integer.toUnsignedString(length) + " bytes");
        }
        return new MuxFrame.Header(type, streamId, length);
    }

    /**
     * Reads a body whose length {@link #readHeader()} validated.
     *
     * @param length the body length
     * @return the body
     * @throws IOException on a read failure
     */
    byte[] readBody(int length) throws IOException {
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    /**
     * Reads raw bytes and drops them: used to drain the connection while it closes.
     *
     * @param buffer scratch space
     * @return the number of bytes read, or -1 at the end of the input
     * @throws IOException on a read failure
     */
    int discard(byte[] buffer) throws IOException {
        return in.read(buffer);
    }
}
