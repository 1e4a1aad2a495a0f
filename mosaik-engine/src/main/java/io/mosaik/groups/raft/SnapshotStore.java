package io.mosaik.groups.raft;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Where a Raft node keeps its latest snapshot. A snapshot is written through a {@link SnapshotWriter}
 * and becomes the latest when committed; committing must leave it durable if the log storage is,
 * because the log is compacted behind the snapshot right after. {@link #latest()} and
 * {@link SnapshotWriter#commit()} are called on the group's thread; writing and preparing may happen on
 * another.
 */
public interface SnapshotStore {

    /** The latest snapshot committed, or {@code null}. */
    Snapshot latest();

    /**
     * Starts a snapshot.
     *
     * @param position      the position of the last entry it includes
     * @param configuration the configuration in force at that position
     * @return the writer
     */
    SnapshotWriter create(LogPosition position, Configuration configuration);

    /**
     * Saves a snapshot whose bytes are at hand, replacing the latest unless that is at the same or a later
     * position.
     *
     * @param snapshot the snapshot
     * @return the snapshot as stored, or {@code null} if it was dropped
     * @throws UncheckedIOException if it cannot be written
     */
    default Snapshot save(Snapshot snapshot) {
        try (SnapshotWriter writer = create(snapshot.position(), snapshot.configuration());
             var in = snapshot.data().open()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                writer.write(buffer, 0, n);
            }
            writer.prepare();
            return writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the snapshot at " + snapshot.position(), e);
        }
    }

    /** A store on the heap (snapshots up to 2 GiB). */
    static SnapshotStore inMemory() {
        return new SnapshotStore() {
            private volatile Snapshot latest;

            @Override
            public Snapshot latest() {
                return latest;
            }

            @Override
            public SnapshotWriter create(LogPosition position, Configuration configuration) {
                Objects.requireNonNull(position, "position");
                Objects.requireNonNull(configuration, "configuration");
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CRC32C crc = new CRC32C();
                return new SnapshotWriter() {
                    @Override
                    public LogPosition position() {
                        return position;
                    }

                    @Override
                    public void write(byte[] data, int offset, int length) {
                        bytes.write(data, offset, length);
                        crc.update(data, offset, length);
                    }

                    @Override
                    public long written() {
                        return bytes.size();
                    }

                    @Override
                    public int checksum() {
                        return (int) crc.getValue();
                    }

                    @Override
                    public void prepare() {
                    }

                    @Override
                    public Snapshot commit() {
                        Snapshot current = latest;
                        if (current != null && current.position().index() >= position.index()) {
                            return null;
                        }
                        latest = new Snapshot(position, configuration, bytes.toByteArray());
                        return latest;
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
