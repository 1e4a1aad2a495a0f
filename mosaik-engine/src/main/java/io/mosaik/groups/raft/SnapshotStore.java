package io.mosaik.groups.raft;

/**
 * Where a Raft node keeps its latest snapshot. {@link #save} must be durable when it returns if the log
 * storage is, because the log is compacted behind the snapshot right after.
 */
public interface SnapshotStore {

    /** The latest snapshot saved, or {@code null}. */
    Snapshot latest();

    /** Saves a snapshot, replacing the previous one. */
    void save(Snapshot snapshot);

    /** A store on the heap. */
    static SnapshotStore inMemory() {
        return new SnapshotStore() {
            private Snapshot latest;

            @Override
            public Snapshot latest() {
                return latest;
            }

            @Override
            public void save(Snapshot snapshot) {
                latest = snapshot;
            }
        };
    }
}
