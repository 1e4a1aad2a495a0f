package io.mosaik.groups.raft;

import java.util.Objects;

/**
 * One entry of a Raft log.
 *
 * @param term  the term of the leader that created it
 * @param index its index, 1 or more
 * @param kind  what the data is
 * @param data  the bytes: an encoded command, an encoded {@link Configuration}, or empty for a no-op
 */
public record LogEntry(long term, long index, Kind kind, byte[] data) {

    /** What a log entry carries. */
    public enum Kind {
        /** An application command for the state machine. */
        COMMAND,
        /** A new voter configuration, effective from the moment it is in a log. */
        CONFIGURATION,
        /** The entry a new leader appends so that it can commit (and serve reads) in its own term. */
        NOOP
    }

    /** Validates. */
    public LogEntry {
        if (term < 1 || index < 1) {
            throw new IllegalArgumentException("an entry needs a term and an index of 1 or more");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(data, "data");
    }

    /** The position of this entry. */
    public LogPosition position() {
        return new LogPosition(term, index);
    }

    /** Bytes this entry takes in a message, roughly. */
    public int size() {
        return data.length + 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && e.term == term && e.index == index && e.kind == kind
                && java.util.Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, kind, java.util.Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "LogEntry[" + term + "/" + index + " " + kind + " " + data.length + " B]";
    }
}
