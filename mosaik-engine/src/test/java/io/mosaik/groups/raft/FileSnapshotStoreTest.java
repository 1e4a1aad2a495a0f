package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.primitives.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {

    private static final PeerId SELF = PeerId.fromBytes(new byte[32]);
    private static final Configuration CONFIG = new Configuration(9, new TreeSet<>(List.of(SELF)));

    @Test
    void aSavedSnapshotIsThereAfterReopening(@TempDir Path dir) {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        assertThat(store.latest()).isNull();
        store.save(new Snapshot(new LogPosition(2, 40), CONFIG, new byte[] {1, 2, 3}));
        Snapshot back = FileSnapshotStore.open(dir).latest();
        assertThat(back.position()).isEqualTo(new LogPosition(2, 40));
        assertThat(back.configuration()).isEqualTo(CONFIG);
        assertThat(back.data()).containsExactly(1, 2, 3);
    }

    @Test
    void aDamagedSnapshotFileIsRefusedWithItsPath(@TempDir Path dir) throws Exception {
        FileSnapshotStore.open(dir).save(new Snapshot(new LogPosition(2, 40), CONFIG, new byte[] {1, 2, 3}));
        Path file = dir.resolve("snapshot.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> FileSnapshotStore.open(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snapshot.bin");
    }

    @Test
    void aCompactedLogWithoutItsSnapshotIsRefusedAtStartRatherThanReplayedWrongly() {
        InMemoryLogStorage log = new InMemoryLogStorage();
        log.append(List.of(new LogEntry(1, 1, LogEntry.Kind.CONFIGURATION, CONFIG.encode()),
                new LogEntry(1, 2, LogEntry.Kind.NOOP, new byte[0])));
        log.compact(new LogPosition(1, 1));
        assertThatThrownBy(() -> new RaftCore(SELF, RaftConfig.defaults(), log, SnapshotStore.inMemory(),
                new SplittableRandom(1), 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FileSnapshotStore");
    }
}
