package io.mosaik.collections;

/**
 * A point in a collection's history: the index in its group's log of the last write a state includes.
 * Versions of one collection are ordered; a replica that {@linkplain CollectionWhen#reaches reaches} a
 * version holds every write up to it. They are log indices, not counts of writes: internal entries
 * (a new leader's first entry, membership changes) take indices too.
 *
 * @param index the log index
 */
public record Version(long index) implements Comparable<Version> {

    /** The version of a collection no write has reached yet. */
    public static final Version ZERO = new Version(0);

    /**
     * A version.
     *
     * @param index the log index, not negative
     */
    public Version {
        if (index < 0) {
            throw new IllegalArgumentException("a version is a log index and cannot be negative: " + index);
        }
    }

    @Override
    public int compareTo(Version other) {
        return Long.compare(index, other.index);
    }

    @Override
    public String toString() {
        return "v" + index;
    }
}
