package io.mosaik.groups.raft;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link SnapshotStore} in one file ({@code snapshot.bin} in its directory), replaced atomically and
 * checksummed: position, configuration and the state machine's bytes. Pair it with a durable
 * {@link LogStorage}: the log is compacted behind a snapshot once {@link #save} returns, so a snapshot
 * that did not survive a crash would leave a log that cannot be replayed.
 */
public final class FileSnapshotStore implements SnapshotStore {

    private static final int MAGIC = 0x4d534e50; // "MSNP"
    private static final int VERSION = 1;
    private final Path file;
    private Snapshot latest;

    private FileSnapshotStore(Path file, Snapshot latest) {
        this.file = file;
        this.latest = latest;
    }

    /**
     * Opens the store in a directory (created owner-only if missing), reading the snapshot there.
     *
     * @param directory the directory
     * @return the store
     * @throws IllegalStateException if the snapshot file is damaged
     * @throws UncheckedIOException  if the directory cannot be read or created
     */
    public static FileSnapshotStore open(Path directory) {
        Objects.requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory, FileLogIo.ownerOnlyDirectory());
            Path file = directory.resolve("snapshot.bin");
            ByteBuffer body = FileLogIo.readChecked(file, MAGIC, VERSION);
            return new FileSnapshotStore(file, body == null ? null : decode(body));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the snapshot store in " + directory, e);
        }
    }

    @Override
    public synchronized Snapshot latest() {
        return latest;
    }

    @Override
    public synchronized void save(Snapshot snapshot) {
        byte[] configuration = snapshot.configuration().encode();
        ByteBuffer buffer = FileLogIo.checkedFile(MAGIC, VERSION,
                16 + 4 + configuration.length + 4 + snapshot.data().length);
        buffer.putLong(snapshot.position().term()).putLong(snapshot.position().index())
                .putInt(configuration.length).put(configuration).putInt(snapshot.data().length).put(snapshot.data());
        try {
            FileLogIo.replace(file, FileLogIo.seal(buffer), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the snapshot " + file, e);
        }
        latest = snapshot;
    }

    private static Snapshot decode(ByteBuffer body) {
        LogPosition position = new LogPosition(body.getLong(), body.getLong());
        byte[] configuration = new byte[body.getInt()];
        body.get(configuration);
        byte[] data = new byte[body.getInt()];
        body.get(data);
        return new Snapshot(position, Configuration.decode(configuration), data);
    }

    @Override
    public String toString() {
        return "FileSnapshotStore[" + file + "]";
    }
}
