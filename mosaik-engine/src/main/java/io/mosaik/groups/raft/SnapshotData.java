package io.mosaik.groups.raft;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The state machine's bytes in a {@link Snapshot}: on the heap, or in a file of a
 * {@link FileSnapshotStore} (so a snapshot may be larger than the heap). Read in chunks to send it to a
 * member that catches up, or as a stream to restore a state machine.
 */
public interface SnapshotData {

    /** The number of bytes. */
    long size();

    /** The CRC32C of all the bytes. */
    int checksum();

    /**
     * Reads a range of the bytes.
     *
     * @param offset where to start, from 0 to {@link #size()}
     * @param length how many bytes (fewer if the data ends first)
     * @return the bytes
     * @throws UncheckedIOException if the file cannot be read
     */
    byte[] read(long offset, int length);

    /**
     * The bytes from the start, as a stream.
     *
     * @return a new stream, to be closed by the caller
     * @throws IOException if the file cannot be opened
     */
    InputStream open() throws IOException;

    /**
     * Data on the heap.
     *
     * @param bytes the bytes (not copied: do not change them afterwards)
     * @return the data
     */
    static SnapshotData of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int checksum = (int) crc.getValue();
        return new SnapshotData() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public int checksum() {
                return checksum;
            }

            @Override
            public byte[] read(long offset, int length) {
                int from = (int) Math.min(offset, bytes.length);
                return Arrays.copyOfRange(bytes, from, (int) Math.min((long) from + length, bytes.length));
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public String toString() {
                return bytes.length + " B on the heap";
            }
        };
    }

    /**
     * Reads all the bytes onto the heap (for small snapshots and tests).
     *
     * @return the bytes
     * @throws IllegalStateException if there are 2 GiB or more
     * @throws UncheckedIOException  if the file cannot be read
     */
    default byte[] bytes() {
        if (size() > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a snapshot of " + size() + " bytes does not fit in an array; "
                    + "read it as a stream");
        }
        try (InputStream in = open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
