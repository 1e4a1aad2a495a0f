package io.mosaik.groups;

import io.mosaik.groups.raft.InMemoryLogStorage;
import io.mosaik.groups.raft.LeadershipPreference;
import io.mosaik.groups.raft.LogStorage;
import io.mosaik.groups.raft.SnapshotStore;
import io.mosaik.groups.raft.SyncPolicy;
import io.mosaik.primitives.NetworkId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Builds a {@link Group}: the key and state machine are given, the rest has defaults. Obtained from
 * {@link Groups#builder(GroupKey, StateMachine)}.
 *
 * @param <C> the commands
 * @param <Q> the queries
 * @param <R> the results
 */
public final class GroupBuilder<C, Q, R> {

    private final Groups groups;
    private final GroupKey key;
    private final StateMachine<C, Q, R> machine;
    private ConsensusConfig consensus = ConsensusConfig.defaults();
    private LogStorage storage;
    private LeadershipPreference preference;
    private SnapshotStore snapshots;
    private Path dataDirectory;
    private SyncPolicy syncPolicy = SyncPolicy.ALWAYS;
    private long snapshotEvery = 10_000;
    private long snapshotRetain = 1_000;

    GroupBuilder(Groups groups, GroupKey key, StateMachine<C, Q, R> machine) {
        this.groups = groups;
        this.key = Objects.requireNonNull(key, "key");
        this.machine = Objects.requireNonNull(machine, "machine");
    }

    /** The consensus settings (default {@link ConsensusConfig#defaults()}). */
    public GroupBuilder<C, Q, R> consensus(ConsensusConfig consensus) {
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        return this;
    }

    /**
     * Where the log is kept (default: a new {@link InMemoryLogStorage}, unless a
     * {@linkplain #dataDirectory(Path, SyncPolicy) data directory} is set). The group closes it when this
     * member leaves, if it is {@link AutoCloseable} (as {@code FileLogStorage} is). Replaces a data
     * directory set before.
     */
    public GroupBuilder<C, Q, R> logStorage(LogStorage storage) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.dataDirectory = null;
        return this;
    }

    /**
     * Keeps this member's log and snapshots on disk, in a directory of the group's own, with
     * {@link SyncPolicy#ALWAYS}. See {@link #dataDirectory(Path, SyncPolicy)}.
     */
    public GroupBuilder<C, Q, R> dataDirectory(Path directory) {
        return dataDirectory(directory, SyncPolicy.ALWAYS);
    }

    /**
     * Keeps this member's log and snapshots on disk, so that it restarts where it stopped: the directory
     * gets {@code log/} (a {@code FileLogStorage}), {@code snapshots/} (a {@code FileSnapshotStore}) and a
     * {@code group} file naming the network, group and member, and is created readable by its owner only.
     * When the group is joined, a directory that holds another network's or another group's data (a
     * group's id changes with its key, consensus settings and state machine signature), or another
     * member's (the node's peer id changed: give it a lasting secret key), is refused with a
     * {@link DataDirectoryException}, as is one another process uses or one that is damaged. Replaces a
     * {@linkplain #logStorage(LogStorage) log storage} set before.
     *
     * @param directory the group's directory, used by this member alone
     * @param policy    when the log is forced to the disk; see {@link SyncPolicy} for what each risks
     * @return this builder
     */
    public GroupBuilder<C, Q, R> dataDirectory(Path directory, SyncPolicy policy) {
        this.dataDirectory = Objects.requireNonNull(directory, "directory");
        this.syncPolicy = Objects.requireNonNull(policy, "policy");
        this.storage = null;
        return this;
    }

    /** This node's leadership preference (default: the state machine's). */
    public GroupBuilder<C, Q, R> leadershipPreference(LeadershipPreference preference) {
        this.preference = Objects.requireNonNull(preference, "preference");
        return this;
    }

    /**
     * How often this member snapshots its state machine (if it implements
     * {@link StateMachine#snapshot()}), after which its log is compacted. Members far behind, and new
     * ones, then catch up by installing the leader's snapshot.
     *
     * @param every  applied entries between snapshots (default 10,000; 0: never)
     * @param retain entries kept in the log before a snapshot (default 1,000)
     * @return this builder
     */
    public GroupBuilder<C, Q, R> snapshots(long every, long retain) {
        if (every < 0 || retain < 0) {
            throw new IllegalArgumentException("snapshot every (" + every + ") and retain (" + retain
                    + ") must not be negative");
        }
        this.snapshotEvery = every;
        this.snapshotRetain = retain;
        return this;
    }

    /** Where snapshots are kept (default: in memory, or next to a {@code FileLogStorage}'s files). */
    public GroupBuilder<C, Q, R> snapshotStore(SnapshotStore store) {
        this.snapshots = Objects.requireNonNull(store, "store");
        return this;
    }

    /** The id the group will have. */
    public GroupId id() {
        return GroupId.of(key, consensus, machine.signature());
    }

    /**
     * Joins the group: starts this node's member (or, if it already runs one for this id, returns another
     * handle on it).
     *
     * @return the handle
     * @throws IllegalStateException if this node runs the group with a state machine of another class
     */
    public Group<C, Q, R> join() {
        return groups.join(this);
    }

    GroupKey key() {
        return key;
    }

    StateMachine<C, Q, R> machine() {
        return machine;
    }

    ConsensusConfig consensusConfig() {
        return consensus;
    }

    /** The log and snapshot store this member opens when it starts. */
    record Stores(LogStorage log, SnapshotStore snapshots) {
    }

    Stores openStores(NetworkId network, GroupId id, io.mosaik.primitives.PeerId self) {
        if (dataDirectory != null) {
            GroupDataDirectory.Opened opened = GroupDataDirectory.open(dataDirectory, syncPolicy, network, id, self);
            return new Stores(opened.log(), snapshots != null ? snapshots : opened.snapshots());
        }
        LogStorage log = storage != null ? storage : new InMemoryLogStorage();
        return new Stores(log, snapshotStore(log));
    }

    private SnapshotStore snapshotStore(LogStorage log) {
        if (snapshots != null) {
            return snapshots;
        }
        // A durable log needs durable snapshots: the log is compacted behind them.
        return log instanceof io.mosaik.groups.raft.FileLogStorage files
                ? io.mosaik.groups.raft.FileSnapshotStore.open(files.directory().resolve("snapshots"))
                : SnapshotStore.inMemory();
    }

    /** The data directory, absolute, or {@code null}. */
    Path dataDirectory() {
        return dataDirectory == null ? null : dataDirectory.toAbsolutePath().normalize();
    }

    long snapshotEvery() {
        return snapshotEvery;
    }

    long snapshotRetain() {
        return snapshotRetain;
    }

    LeadershipPreference preference() {
        return preference != null ? preference : machine.leadershipPreference();
    }
}
