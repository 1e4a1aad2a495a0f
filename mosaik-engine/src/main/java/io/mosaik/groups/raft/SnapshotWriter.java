package io.mosaik.groups.raft;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A snapshot being written into a {@link SnapshotStore}: its bytes are written in order, then it is
 * {@linkplain #prepare() made durable} (on any thread, as this may take long), then
 * {@linkplain #commit() committed}, which makes it the store's latest snapshot. Closing a writer that was
 * not committed abandons it and deletes what it wrote.
 */
public interface SnapshotWriter extends AutoCloseable {

    /** The position of the last entry the snapshot includes. */
    LogPosition position();

    /**
     * Appends bytes.
     *
     * @param bytes  the bytes
     * @param offset where they start in {@code bytes}
     * @param length how many
     * @throws IOException if they cannot be written
     */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** The number of bytes written so far. */
    long written();

    /** The CRC32C of the bytes written so far. */
    int checksum();

    /**
     * Makes what was written durable (a file store forces it to the disk). Called once, after the last
     * {@link #write}, before {@link #commit()}; may be called on another thread than {@code commit}.
     *
     * @throws IOException if it cannot be
     */
    void prepare() throws IOException;

    /**
     * Makes the snapshot the store's latest, unless the store has one at the same or a later position
     * already (one installed from the leader meanwhile); then this one is dropped.
     *
     * @return the snapshot, or {@code null} if it was dropped
     * @throws IOException if it cannot be published
     */
    Snapshot commit() throws IOException;

    /** Abandons the snapshot if it was not committed. */
    @Override
    void close();

    /**
     * This writer as an output stream, for a state machine to write its state to. Closing the stream does
     * not close the writer.
     *
     * @return the stream
     */
    default OutputStream stream() {
        SnapshotWriter writer = this;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writer.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                writer.write(b, off, len);
            }
        };
    }
}
