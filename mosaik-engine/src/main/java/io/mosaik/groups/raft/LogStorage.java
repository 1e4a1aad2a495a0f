package io.mosaik.groups.raft;

import java.util.List;

/**
 * Where a Raft node keeps its log and its {@link HardState}. The default is
 * {@link InMemoryLogStorage}.
 *
 * <p>Durability: changes may be buffered until {@link #sync()}, which the shell calls once per turn of
 * its loop, before it sends the messages of that turn (votes, acknowledgements). So a durable
 * implementation fsyncs in {@code sync()} (one fsync for everything the turn appended: group commit),
 * and what it acknowledged survives a crash.
 *
 * <p>Indices are contiguous from {@link #firstIndex()} to {@link #lastPosition()}. Entries before
 * {@code firstIndex()} were compacted away behind a snapshot; {@link #compactedPosition()} is the
 * position of the last of them. Calls come from one thread at a time.
 */
public interface LogStorage {

    /** The term and vote last saved ({@link HardState#INITIAL} for a new node). */
    HardState hardState();

    /** Saves the term and vote. */
    void saveHardState(HardState state);

    /** The first index still held: {@code compactedPosition().index() + 1}. */
    default long firstIndex() {
        return compactedPosition().index() + 1;
    }

    /** The position of the last entry compacted away, or {@link LogPosition#ZERO} if none was. */
    LogPosition compactedPosition();

    /**
     * The position of the last entry; {@link #compactedPosition()} when no entry follows it (so
     * {@link LogPosition#ZERO} for a new log).
     */
    LogPosition lastPosition();

    /**
     * The term of the entry at an index.
     *
     * @param index 0 (answers 0), the compacted position's index (answers its term), or an index from
     *              {@code firstIndex()} to the last index
     * @return the term, or -1 for any other index
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

    /**
     * Drops the entries up to {@code upTo} (inclusive), which a snapshot at that position now covers.
     * Afterwards {@link #compactedPosition()} is {@code upTo}; a position at or below the current
     * compacted position changes nothing.
     *
     * @param upTo a position of an entry this log holds (or held)
     */
    void compact(LogPosition upTo);

    /**
     * Drops every entry: the log now ends at {@code position}, as after installing a snapshot taken
     * there. Afterwards {@link #compactedPosition()} and {@link #lastPosition()} are {@code position}.
     *
     * @param position the snapshot's position
     */
    void reset(LogPosition position);

    /** Makes everything changed so far durable (a no-op for memory). */
    void sync();
}
