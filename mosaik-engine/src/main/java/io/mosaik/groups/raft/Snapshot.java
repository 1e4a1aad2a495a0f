package io.mosaik.groups.raft;

import java.util.Objects;

/**
 * The state of a group's state machine after applying the log up to a position, with the voter
 * configuration in force there: what a member installs instead of replaying a log that was compacted.
 *
 * @param position      the position of the last entry the state includes
 * @param configuration the configuration at that position
 * @param data          the state machine's bytes (opaque to Raft)
 */
public record Snapshot(LogPosition position, Configuration configuration, SnapshotData data) {

    /** Validates. */
    public Snapshot {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(data, "data");
        if (position.index() < 1) {
            throw new IllegalArgumentException("a snapshot covers at least one entry");
        }
    }

    /**
     * A snapshot of bytes on the heap.
     *
     * @param position      the position of the last entry the state includes
     * @param configuration the configuration at that position
     * @param data          the state machine's bytes (not copied)
     */
    public Snapshot(LogPosition position, Configuration configuration, byte[] data) {
        this(position, configuration, SnapshotData.of(data));
    }

    @Override
    public String toString() {
        return "Snapshot[" + position + ", " + data.size() + " B]";
    }
}
