package io.mosaik.groups.raft;

/**
 * A place in a Raft log: the term of an entry and its index. Index 0 with term 0 is the empty log; the
 * first entry has index 1. Positions order by term, then index, which is the "more up to date" order
 * of Raft's voting rule.
 *
 * @param term  the term of the entry, 0 or more
 * @param index the index of the entry, 0 or more
 */
public record LogPosition(long term, long index) implements Comparable<LogPosition> {

    /** The position of the empty log. */
    public static final LogPosition ZERO = new LogPosition(0, 0);

    /** Validates. */
    public LogPosition {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("negative term or index: " + term + "/" + index);
        }
    }

    @Override
    public int compareTo(LogPosition other) {
        int byTerm = Long.compare(term, other.term);
        return byTerm != 0 ? byTerm : Long.compare(index, other.index);
    }

    /** Whether this position is at least as up to date as the other (Raft's voting rule). */
    public boolean atLeast(LogPosition other) {
        return compareTo(other) >= 0;
    }

    @Override
    public String toString() {
        return term + "/" + index;
    }
}
