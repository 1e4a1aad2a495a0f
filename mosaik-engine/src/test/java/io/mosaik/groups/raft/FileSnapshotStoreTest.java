package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.primitives.PeerId;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
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
        assertThat(back.data().bytes()).containsExactly(1, 2, 3);
        assertThat(back.data().checksum()).isEqualTo(SnapshotData.of(new byte[] {1, 2, 3}).checksum());
    }

    @Test
    void aSnapshotLargerThanItsBuffersIsReadBackInChunksAndAsAStream(@TempDir Path dir) throws Exception {
        byte[] state = new byte[3 * 65_536 + 17];
        new SplittableRandom(7).nextBytes(state);
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        try (SnapshotWriter writer = store.create(new LogPosition(1, 5), CONFIG)) {
            for (int at = 0; at < state.length; at += 1000) { // small writes, as a state machine makes them
                writer.write(state, at, Math.min(1000, state.length - at));
            }
            writer.prepare();
            assertThat(writer.commit()).isNotNull();
        }
        SnapshotData data = FileSnapshotStore.open(dir).latest().data();
        assertThat(data.size()).isEqualTo(state.length);
        assertThat(data.read(65_530, 20)).containsExactly(java.util.Arrays.copyOfRange(state, 65_530, 65_550));
        assertThat(data.read(state.length - 5, 100)).hasSize(5);
        try (InputStream in = data.open()) {
            assertThat(in.readAllBytes()).isEqualTo(state);
        }
    }

    @Test
    void aNewerSnapshotReplacesTheOldOneAndAnOlderOneIsDropped(@TempDir Path dir) throws Exception {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(new Snapshot(new LogPosition(1, 10), CONFIG, new byte[] {1}));
        SnapshotWriter late = store.create(new LogPosition(1, 15), CONFIG); // written in the background
        late.write(new byte[] {15}, 0, 1);
        late.prepare();
        store.save(new Snapshot(new LogPosition(2, 20), CONFIG, new byte[] {2})); // installed meanwhile
        assertThat(late.commit()).as("older than the latest: dropped").isNull();
        assertThat(store.latest().position().index()).isEqualTo(20);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("snapshot-20-2.bin");
        }
        assertThat(FileSnapshotStore.open(dir).latest().data().bytes()).containsExactly(2);
    }

    @Test
    void anUnfinishedSnapshotIsDeletedAndTheLastCommittedOneKept(@TempDir Path dir) throws Exception {
        FileSnapshotStore store = FileSnapshotStore.open(dir);
        store.save(new Snapshot(new LogPosition(1, 10), CONFIG, new byte[] {1}));
        SnapshotWriter crashed = store.create(new LogPosition(1, 30), CONFIG);
        crashed.write(new byte[100], 0, 100); // the process dies here: no prepare, no commit
        FileSnapshotStore reopened = FileSnapshotStore.open(dir);
        assertThat(reopened.latest().position().index()).isEqualTo(10);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("snapshot-10-1.bin");
        }
        SnapshotWriter abandoned = reopened.create(new LogPosition(1, 40), CONFIG);
        abandoned.write(new byte[] {4}, 0, 1);
        abandoned.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("snapshot-10-1.bin");
        }
        crashed.close();
    }

    @Test
    void aDamagedSnapshotFileIsRefusedWithItsPath(@TempDir Path dir) throws Exception {
        FileSnapshotStore.open(dir).save(new Snapshot(new LogPosition(2, 40), CONFIG, new byte[] {1, 2, 3}));
        Path file = dir.resolve("snapshot-40-2.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[1] ^= 1; // in the state machine's bytes
        Files.write(file, bytes);
        assertThatThrownBy(() -> FileSnapshotStore.open(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snapshot-40-2.bin").hasMessageContaining("checksum");
        bytes[1] ^= 1;
        bytes[bytes.length - 10] ^= 1; // in the footer
        Files.write(file, bytes);
        assertThatThrownBy(() -> FileSnapshotStore.open(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("footer");
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
