package io.mosaik.groups;

import io.mosaik.groups.raft.InMemoryLogStorage;
import io.mosaik.groups.raft.LeadershipPreference;
import io.mosaik.groups.raft.LogStorage;
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

    /** Where the log is kept (default: a new {@link InMemoryLogStorage}). */
    public GroupBuilder<C, Q, R> logStorage(LogStorage storage) {
        this.storage = Objects.requireNonNull(storage, "storage");
        return this;
    }

    /** This node's leadership preference (default: the state machine's). */
    public GroupBuilder<C, Q, R> leadershipPreference(LeadershipPreference preference) {
        this.preference = Objects.requireNonNull(preference, "preference");
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

    LogStorage storage() {
        return storage != null ? storage : new InMemoryLogStorage();
    }

    LeadershipPreference preference() {
        return preference != null ? preference : machine.leadershipPreference();
    }
}
