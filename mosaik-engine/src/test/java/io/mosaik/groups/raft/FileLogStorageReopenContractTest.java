package io.mosaik.groups.raft;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link LogStorage} contract for {@link FileLogStorage} closed and opened again after every change,
 * so that every answer comes from what the files hold.
 */
class FileLogStorageReopenContractTest extends LogStorageContractTest {

    @TempDir
    Path directory;

    @Override
    protected LogStorage create() {
        return new Reopening(directory.resolve("log"));
    }

    /** Delegates to a file storage that it closes and opens again after each change. */
    private static final class Reopening implements LogStorage, AutoCloseable {
        private final Path directory;
        private FileLogStorage storage;

        Reopening(Path directory) {
            this.directory = directory;
            this.storage = open();
        }

        private FileLogStorage open() {
            return FileLogStorage.open(directory, SyncPolicy.batched(java.time.Duration.ofHours(1)),
                    FileLogStorage.Options.DEFAULTS.withSegmentBytes(128));
        }

        private void reopen() {
            storage.close();
            storage = open();
        }

        @Override
        public HardState hardState() {
            return storage.hardState();
        }

        @Override
        public void saveHardState(HardState state) {
            storage.saveHardState(state);
            reopen();
        }

        @Override
        public LogPosition compactedPosition() {
            return storage.compactedPosition();
        }

        @Override
        public LogPosition lastPosition() {
            return storage.lastPosition();
        }

        @Override
        public long termAt(long index) {
            return storage.termAt(index);
        }

        @Override
        public List<LogEntry> entries(long from, long to, long maxBytes) {
            return storage.entries(from, to, maxBytes);
        }

        @Override
        public void append(List<LogEntry> entries) {
            try {
                storage.append(entries);
            } finally {
                reopen();
            }
        }

        @Override
        public void truncateFrom(long index) {
            storage.truncateFrom(index);
            reopen();
        }

        @Override
        public void compact(LogPosition upTo) {
            storage.compact(upTo);
            reopen();
        }

        @Override
        public void reset(LogPosition position) {
            storage.reset(position);
            reopen();
        }

        @Override
        public void sync() {
            storage.sync();
        }

        @Override
        public void close() {
            storage.close();
        }
    }
}
