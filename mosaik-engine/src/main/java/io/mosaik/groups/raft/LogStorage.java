package io.mosaik.groups.raft;

import java.util.List;

/**
 * Where a Raft node keeps its log and its {@link HardState}. The default is
 * {@link InMemoryLogStorage}; a durable implementation must have made a call's effect durable before
 * it returns (the core sends votes and acknowledgements right after).
 *
 * <p>Indices are contiguous from {@link #firstIndex()} to {@link #lastPosition()}. Calls come from one
 * thread at a time.
 */
public interface LogStorage {

    /** The term and vote last saved ({@link HardState#INITIAL} for a new node). */
    HardState hardState();

    /** Saves the term and vote. */
    void saveHardState(HardState state);

    /** The first index still held (1 unless a prefix was compacted away). */
    long firstIndex();

    /** The position of the last entry, or {@link LogPosition#ZERO} for an empty log. */
    LogPosition lastPosition();

    /**
     * The term of the entry at an index.
     *
     * @param index 0 (answers 0) or an index from {@code firstIndex() - 1} to the last index
     * @return the term, or -1 if the index is not held
     */
    long termAt(long index);

    /**
     * Entries from {@code from} up to {@code to} inclusive, stopping early after {@code maxBytes} (but
     * always at least one entry when the range is not empty).
     *
     * @param from     the first index, at least {@link #firstIndex()}
     * @param to       the last index, at most the last index of the log
     * @param maxBytes soft limit on the summed {@link LogEntry#size()}
     * @return the entries in index order
     */
    List<LogEntry> entries(long from, long to, long maxBytes);

    /**
     * Appends entries that continue the log (the first one's index is the last index plus one).
     *
     * @param entries the entries, in index order
     */
    void append(List<LogEntry> entries);

    /**
     * Removes the entry at {@code index} and every later one. The core never truncates a committed
     * entry.
     *
     * @param index the first index to remove, greater than 0
     */
    void truncateFrom(long index);
}
