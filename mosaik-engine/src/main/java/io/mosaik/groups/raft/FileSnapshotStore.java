package io.mosaik.groups.raft;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SnapshotStore} in a directory: one file per snapshot, {@code snapshot-<index>-<term>.bin},
 * holding the state machine's bytes followed by the configuration and a checksummed footer (position,
 * sizes, the CRC32C of the bytes). A snapshot is written to a {@code .part} file, forced, and renamed into
 * place when committed; the previous one is then deleted. The bytes stay in the file: snapshots larger
 * than the heap are read from it in chunks (to send them) and as a stream (to restore them).
 *
 * <p>On opening, unfinished {@code .part} files and superseded snapshots are deleted and the latest is
 * checked in full. Pair the store with a durable {@link LogStorage}: the log is compacted behind a
 * snapshot once it is committed.
 */
public final class FileSnapshotStore implements SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    private static final int MAGIC = 0x4d534e51; // "MSNQ"
    private static final int VERSION = 2;
    private static final int FOOTER = 4 + 4 + 8 + 8 + 8 + 4 + 4 + 4;
    private static final String SUFFIX = ".bin";
    private static final String PART = ".part";
    private static final AtomicLong PARTS = new AtomicLong();

    private final Path directory;
    private volatile FileSnapshot latest;

    private FileSnapshotStore(Path directory, FileSnapshot latest) {
        this.directory = directory;
        this.latest = latest;
    }

    /**
     * Opens the store in a directory (created owner-only if missing), finding the latest snapshot there.
     *
     * @param directory the directory, used by this store alone
     * @return the store
     * @throws IllegalStateException if the latest snapshot file is damaged
     * @throws UncheckedIOException  if the directory cannot be read or created
     */
    public static FileSnapshotStore open(Path directory) {
        Objects.requireNonNull(directory, "directory");
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir, FileLogIo.ownerOnlyDirectory());
            List<Path> snapshots = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(PART)) {
                        Files.deleteIfExists(file); // a snapshot a crash interrupted
                    } else if (name.startsWith("snapshot-") && name.endsWith(SUFFIX)) {
                        snapshots.add(file);
                    }
                }
            }
            snapshots.sort((a, b) -> Long.compare(indexOf(b), indexOf(a)));
            FileSnapshot latest = snapshots.isEmpty() ? null : FileSnapshot.read(snapshots.getFirst(), true);
            for (Path older : snapshots.subList(Math.min(1, snapshots.size()), snapshots.size())) {
                Files.deleteIfExists(older); // a crash came between a commit and the deletion
            }
            return new FileSnapshotStore(dir, latest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the snapshot store in " + dir + ": " + e, e);
        }
    }

    private static long indexOf(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring("snapshot-".length(), name.indexOf('-', "snapshot-".length())));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public Snapshot latest() {
        FileSnapshot current = latest;
        return current == null ? null : current.snapshot;
    }

    /** The directory. */
    public Path directory() {
        return directory;
    }

    /** The size of the latest snapshot's file, 0 if there is none. */
    public long sizeOnDisk() {
        FileSnapshot current = latest;
        return current == null ? 0 : current.fileSize;
    }

    @Override
    public SnapshotWriter create(LogPosition position, Configuration configuration) {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(configuration, "configuration");
        Path part = directory.resolve("snapshot-" + position.index() + "-" + position.term() + "."
                + PARTS.incrementAndGet() + PART);
        try {
            return new Writer(position, configuration, part,
                    FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the snapshot file " + part + ": " + e, e);
        }
    }

    private synchronized Snapshot publish(Writer writer) throws IOException {
        FileSnapshot current = latest;
        if (current != null && current.snapshot.position().index() >= writer.position.index()) {
            return null;
        }
        Path target = directory.resolve("snapshot-" + writer.position.index() + "-" + writer.position.term() + SUFFIX);
        Files.move(writer.part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileLogIo.forceDirectory(directory);
        FileSnapshot next = FileSnapshot.read(target, false);
        latest = next;
        if (current != null) {
            // A member may still be receiving the old one: its open file stays readable until nothing
            // refers to it any more (then it is closed and the space freed); a system that cannot delete
            // an open file gets it deleted at the next start.
            try {
                Files.deleteIfExists(current.file);
            } catch (IOException e) {
                LOG.debug("cannot delete the superseded snapshot {} yet", current.file, e);
            }
        }
        return next.snapshot;
    }

    @Override
    public String toString() {
        return "FileSnapshotStore[" + directory + "]";
    }

    /** Closes the files of snapshots nothing refers to any more. */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /**
     * A committed snapshot: its file stays open for reads as long as the snapshot is referred to (the
     * store's latest, or one being sent to a member), and is closed once it is not.
     */
    private static final class FileSnapshot implements SnapshotData {
        final Path file;
        final FileChannel channel;
        final java.lang.ref.Cleaner.Cleanable cleanable;
        final long size;
        final int checksum;
        final long fileSize;
        final Snapshot snapshot;

        private FileSnapshot(Path file, FileChannel channel, long size, int checksum, LogPosition position,
                             Configuration configuration) throws IOException {
            this.file = file;
            this.channel = channel;
            this.size = size;
            this.checksum = checksum;
            this.fileSize = channel.size();
            this.snapshot = new Snapshot(position, configuration, this);
            this.cleanable = CLEANER.register(this, () -> {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("closing {} failed", file, e);
                }
            });
        }

        static FileSnapshot read(Path file, boolean verify) throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                long fileSize = channel.size();
                ByteBuffer footer = ByteBuffer.allocate(FOOTER);
                if (fileSize < FOOTER || !FileLogIo.readFully(channel, footer, fileSize - FOOTER)) {
                    throw damaged(file, "too short for its footer");
                }
                CRC32C crc = new CRC32C();
                crc.update(footer.array(), 0, FOOTER - 4);
                if (footer.getInt(0) != MAGIC || footer.getInt(4) != VERSION
                        || (int) crc.getValue() != footer.getInt(FOOTER - 4)) {
                    throw damaged(file, "its footer does not check out");
                }
                LogPosition position = new LogPosition(footer.getLong(8), footer.getLong(16));
                long size = footer.getLong(24);
                int checksum = footer.getInt(32);
                int configurationBytes = footer.getInt(36);
                if (size < 0 || configurationBytes < 0 || size + configurationBytes + FOOTER != fileSize) {
                    throw damaged(file, "its sizes do not add up to the file's");
                }
                ByteBuffer configuration = ByteBuffer.allocate(configurationBytes);
                FileLogIo.readFully(channel, configuration, size);
                FileSnapshot snapshot = new FileSnapshot(file, channel, size, checksum, position,
                        Configuration.decode(configuration.array()));
                if (verify) {
                    CRC32C data = new CRC32C();
                    try (InputStream in = snapshot.open()) {
                        byte[] buffer = new byte[1 << 16];
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            data.update(buffer, 0, n);
                        }
                    }
                    if ((int) data.getValue() != checksum) {
                        throw damaged(file, "its bytes do not match their checksum");
                    }
                }
                return snapshot;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        private static IllegalStateException damaged(Path file, String problem) {
            return new IllegalStateException("the snapshot " + file + " is damaged (" + problem + "); snapshots are "
                    + "written and renamed into place atomically, so something other than a crash changed it. The "
                    + "log behind it was compacted: delete the group's data directory to make this node a new, "
                    + "empty member that catches up from the others (remove the old one from the group first)");
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int checksum() {
            return checksum;
        }

        @Override
        public byte[] read(long offset, int length) {
            int n = (int) Math.max(0, Math.min(length, size - offset));
            ByteBuffer buffer = ByteBuffer.allocate(n);
            try {
                if (!FileLogIo.readFully(channel, buffer, offset)) {
                    throw new IOException("the file ended early");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the snapshot " + file + ": " + e, e);
            }
            return buffer.array();
        }

        @Override
        public InputStream open() throws IOException {
            FileChannel reader = FileChannel.open(file, StandardOpenOption.READ);
            return new java.io.BufferedInputStream(new java.io.FilterInputStream(Channels.newInputStream(reader)) {
                private long left = size;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    left -= b < 0 ? 0 : 1;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(b, off, (int) Math.min(len, left));
                    left -= Math.max(n, 0);
                    return n;
                }
            }, 1 << 16);
        }

        @Override
        public String toString() {
            return size + " B in " + file;
        }
    }

    /** A snapshot being written to its {@code .part} file. */
    private final class Writer implements SnapshotWriter {
        final LogPosition position;
        final Configuration configuration;
        final Path part;
        final FileChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        final CRC32C crc = new CRC32C();
        long written;
        boolean prepared;
        boolean done;

        Writer(LogPosition position, Configuration configuration, Path part, FileChannel channel) {
            this.position = position;
            this.configuration = configuration;
            this.part = part;
            this.channel = channel;
        }

        @Override
        public LogPosition position() {
            return position;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (prepared || done) {
                throw new IllegalStateException("the snapshot " + part + " is already prepared");
            }
            crc.update(bytes, offset, length);
            written += length;
            while (length > 0) {
                int n = Math.min(length, buffer.remaining());
                buffer.put(bytes, offset, n);
                offset += n;
                length -= n;
                if (!buffer.hasRemaining()) {
                    drain();
                }
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        @Override
        public long written() {
            return written;
        }

        @Override
        public int checksum() {
            return (int) crc.getValue();
        }

        @Override
        public void prepare() throws IOException {
            if (prepared) {
                return;
            }
            byte[] encoded = configuration.encode();
            drain();
            ByteBuffer tail = ByteBuffer.allocate(encoded.length + FOOTER);
            tail.put(encoded).putInt(MAGIC).putInt(VERSION).putLong(position.term()).putLong(position.index())
                    .putLong(written).putInt(checksum()).putInt(encoded.length);
            CRC32C footer = new CRC32C();
            footer.update(tail.array(), encoded.length, FOOTER - 4);
            tail.putInt((int) footer.getValue()).flip();
            while (tail.hasRemaining()) {
                channel.write(tail);
            }
            channel.force(true);
            channel.close();
            prepared = true;
        }

        @Override
        public Snapshot commit() throws IOException {
            if (!prepared) {
                prepare();
            }
            if (done) {
                throw new IllegalStateException("the snapshot " + part + " was committed or abandoned already");
            }
            done = true;
            Snapshot committed = publish(this);
            if (committed == null) {
                Files.deleteIfExists(part);
            }
            return committed;
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                channel.close();
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.warn("cannot delete the abandoned snapshot {}", part, e);
            }
        }
    }
}
