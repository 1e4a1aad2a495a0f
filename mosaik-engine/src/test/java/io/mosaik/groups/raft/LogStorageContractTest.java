package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.primitives.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link LogStorage} contract, run against every implementation by a subclass that says how to
 * make a fresh one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class LogStorageContractTest {

    /** A new, empty storage. */
    protected abstract LogStorage create() throws Exception;

    protected LogStorage log;

    @BeforeEach
    void createStorage() throws Exception {
        log = create();
    }

    @AfterEach
    void closeStorage() throws Exception {
        if (log instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    static PeerId peer(int n) {
        byte[] bytes = new byte[PeerId.LENGTH];
        bytes[0] = (byte) n;
        bytes[31] = (byte) (n * 7);
        return PeerId.fromBytes(bytes);
    }

    /** An entry whose 10 data bytes say its term and index. */
    static LogEntry entry(long term, long index) {
        byte[] data = new byte[10];
        data[0] = (byte) term;
        data[1] = (byte) index;
        data[2] = (byte) (index >> 8);
        return new LogEntry(term, index, index % 5 == 0 ? LogEntry.Kind.NOOP : LogEntry.Kind.COMMAND, data);
    }

    /** Entries {@code from..to} of one term. */
    static List<LogEntry> entries(long term, long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        for (long index = from; index <= to; index++) {
            out.add(entry(term, index));
        }
        return out;
    }

    private List<LogEntry> all() {
        return log.entries(log.firstIndex(), log.lastPosition().index(), Long.MAX_VALUE);
    }

    @Test
    void aNewLogIsEmpty() {
        assertThat(log.hardState()).isEqualTo(HardState.INITIAL);
        assertThat(log.compactedPosition()).isEqualTo(LogPosition.ZERO);
        assertThat(log.lastPosition()).isEqualTo(LogPosition.ZERO);
        assertThat(log.firstIndex()).isEqualTo(1);
        assertThat(log.termAt(0)).isZero();
        assertThat(log.termAt(1)).isEqualTo(-1);
        assertThat(log.entries(1, 0, Long.MAX_VALUE)).isEmpty();
        log.sync();
    }

    @Test
    void appendedEntriesAreReadBackInOrder() {
        log.append(entries(1, 1, 3));
        log.append(List.of(entry(1, 4)));
        log.append(entries(2, 5, 12));
        log.sync();
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 12));
        List<LogEntry> expected = new ArrayList<>(entries(1, 1, 4));
        expected.addAll(entries(2, 5, 12));
        assertThat(all()).containsExactlyElementsOf(expected);
        assertThat(log.entries(4, 6, Long.MAX_VALUE)).containsExactlyElementsOf(expected.subList(3, 6));
        assertThat(log.entries(7, 7, 0)).containsExactly(entry(2, 7));
        for (long index = 1; index <= 12; index++) {
            assertThat(log.termAt(index)).as("term at %d", index).isEqualTo(index <= 4 ? 1 : 2);
        }
        assertThat(log.termAt(13)).isEqualTo(-1);
    }

    @Test
    void unsyncedEntriesAreReadable() {
        log.append(entries(1, 1, 20));
        assertThat(log.entries(1, 20, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 1, 20));
        log.append(entries(1, 21, 22));
        assertThat(log.entries(2, 22, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 2, 22));
    }

    @Test
    void anAppendThatDoesNotContinueTheLogIsRefusedAndChangesNothing() {
        assertThatThrownBy(() -> log.append(List.of(entry(1, 2)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not continue");
        assertThat(log.lastPosition()).isEqualTo(LogPosition.ZERO);
        log.append(entries(1, 1, 3));
        assertThatThrownBy(() -> log.append(List.of(entry(1, 3)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(List.of(entry(1, 5)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(List.of(entry(1, 4), entry(1, 6)))).isInstanceOf(IllegalArgumentException.class);
        log.append(List.of());
        assertThat(log.lastPosition().index()).isLessThanOrEqualTo(4);
        log.truncateFrom(4);
        assertThat(all()).containsExactlyElementsOf(entries(1, 1, 3));
    }

    @Test
    void entriesStopAtMaxBytesButReturnAtLeastOne() {
        log.append(entries(1, 1, 10));
        int size = entry(1, 1).size();
        assertThat(log.entries(1, 10, 0)).hasSize(1);
        assertThat(log.entries(1, 10, size - 1)).hasSize(1);
        assertThat(log.entries(1, 10, size)).hasSize(1);
        assertThat(log.entries(1, 10, 2L * size - 1)).hasSize(1);
        assertThat(log.entries(1, 10, 2L * size)).containsExactlyElementsOf(entries(1, 1, 2));
        assertThat(log.entries(3, 10, 5L * size + 3)).containsExactlyElementsOf(entries(1, 3, 7));
        assertThat(log.entries(3, 5, 100L * size)).containsExactlyElementsOf(entries(1, 3, 5));
        assertThat(log.entries(8, 10, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 8, 10));
    }

    @Test
    void entriesOutsideTheLogAreRefused() {
        log.append(entries(1, 1, 5));
        assertThatThrownBy(() -> log.entries(0, 3, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> log.entries(2, 6, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
        log.compact(new LogPosition(1, 3));
        assertThatThrownBy(() -> log.entries(3, 5, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(log.entries(4, 5, Long.MAX_VALUE)).containsExactlyElementsOf(entries(1, 4, 5));
    }

    @Test
    void truncateRemovesTheSuffixAndTheLogContinuesFromThere() {
        log.append(entries(1, 1, 6));
        log.append(entries(2, 7, 12));
        log.sync();
        log.truncateFrom(9);
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 8));
        assertThat(log.termAt(9)).isEqualTo(-1);
        log.truncateFrom(20);
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 8));
        log.truncateFrom(7);
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(1, 6));
        log.append(entries(3, 7, 9));
        log.sync();
        List<LogEntry> expected = new ArrayList<>(entries(1, 1, 6));
        expected.addAll(entries(3, 7, 9));
        assertThat(all()).containsExactlyElementsOf(expected);
        assertThat(log.termAt(7)).isEqualTo(3);
        log.truncateFrom(1);
        assertThat(log.lastPosition()).isEqualTo(LogPosition.ZERO);
        assertThat(log.termAt(1)).isEqualTo(-1);
        log.append(entries(4, 1, 2));
        assertThat(all()).containsExactlyElementsOf(entries(4, 1, 2));
        assertThatThrownBy(() -> log.truncateFrom(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compactDropsThePrefixAndKeepsTheRest() {
        log.append(entries(1, 1, 5));
        log.append(entries(2, 6, 15));
        log.sync();
        log.compact(new LogPosition(2, 8));
        assertThat(log.compactedPosition()).isEqualTo(new LogPosition(2, 8));
        assertThat(log.firstIndex()).isEqualTo(9);
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 15));
        assertThat(log.termAt(8)).isEqualTo(2);
        assertThat(log.termAt(7)).isEqualTo(-1);
        assertThat(log.termAt(1)).isEqualTo(-1);
        assertThat(log.termAt(0)).isZero();
        assertThat(all()).containsExactlyElementsOf(entries(2, 9, 15));

        log.compact(new LogPosition(2, 8));
        log.compact(new LogPosition(1, 3));
        assertThat(log.compactedPosition()).isEqualTo(new LogPosition(2, 8));
        assertThatThrownBy(() -> log.compact(new LogPosition(1, 10))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.compact(new LogPosition(2, 16))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.truncateFrom(8)).isInstanceOf(IllegalArgumentException.class);

        log.truncateFrom(9);
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(2, 8));
        log.append(entries(3, 9, 12));
        log.compact(new LogPosition(3, 12));
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(3, 12));
        assertThat(log.firstIndex()).isEqualTo(13);
        assertThat(log.entries(13, 12, Long.MAX_VALUE)).isEmpty();
        log.append(entries(3, 13, 14));
        log.sync();
        assertThat(all()).containsExactlyElementsOf(entries(3, 13, 14));
    }

    @Test
    void resetDropsEverythingAndTheLogContinuesAfterThePosition() {
        log.append(entries(1, 1, 10));
        log.compact(new LogPosition(1, 4));
        log.reset(new LogPosition(7, 100));
        assertThat(log.compactedPosition()).isEqualTo(new LogPosition(7, 100));
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(7, 100));
        assertThat(log.firstIndex()).isEqualTo(101);
        assertThat(log.termAt(100)).isEqualTo(7);
        assertThat(log.termAt(5)).isEqualTo(-1);
        assertThat(log.termAt(101)).isEqualTo(-1);
        assertThatThrownBy(() -> log.append(List.of(entry(7, 11)))).isInstanceOf(IllegalArgumentException.class);
        log.append(entries(7, 101, 103));
        log.sync();
        assertThat(all()).containsExactlyElementsOf(entries(7, 101, 103));
        log.reset(new LogPosition(8, 105));
        assertThat(log.lastPosition()).isEqualTo(new LogPosition(8, 105));
        log.append(List.of(entry(8, 106)));
        assertThat(all()).containsExactly(entry(8, 106));
    }

    @Test
    void termAtAnswersOnlyForHeldIndices() {
        assertThat(log.termAt(-1)).isEqualTo(-1);
        log.append(entries(3, 1, 4));
        assertThat(log.termAt(0)).isZero();
        assertThat(log.termAt(4)).isEqualTo(3);
        assertThat(log.termAt(5)).isEqualTo(-1);
        log.compact(new LogPosition(3, 4));
        assertThat(log.termAt(4)).isEqualTo(3);
        assertThat(log.termAt(3)).isEqualTo(-1);
        assertThat(log.termAt(0)).isZero();
        assertThat(log.termAt(5)).isEqualTo(-1);
    }

    @Test
    void theHardStateIsWhatWasSavedLast() {
        log.saveHardState(new HardState(3, peer(1)));
        assertThat(log.hardState()).isEqualTo(new HardState(3, peer(1)));
        log.sync();
        log.saveHardState(new HardState(4, null));
        log.sync();
        assertThat(log.hardState()).isEqualTo(new HardState(4, null));
        log.saveHardState(new HardState(4, peer(2)));
        log.sync();
        assertThat(log.hardState()).isEqualTo(new HardState(4, peer(2)));
    }
}
