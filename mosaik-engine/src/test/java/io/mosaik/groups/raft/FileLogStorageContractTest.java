package io.mosaik.groups.raft;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link LogStorage} contract for {@link FileLogStorage}, with segments of a few records (so that
 * every operation meets segment boundaries) and a cache of three entries (so that reads mix the cache
 * and the files).
 */
class FileLogStorageContractTest extends LogStorageContractTest {

    @TempDir
    Path directory;

    @Override
    protected LogStorage create() {
        return FileLogStorage.open(directory.resolve("log"), SyncPolicy.ALWAYS,
                FileLogStorage.Options.DEFAULTS.withSegmentBytes(128).withCache(3, 1 << 20));
    }
}
