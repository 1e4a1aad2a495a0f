package io.mosaik.groups;

import io.mosaik.groups.raft.LogPosition;
import io.mosaik.groups.raft.RaftCore;
import io.mosaik.groups.raft.RaftStatus;
import io.mosaik.primitives.PeerId;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * A snapshot of one node's view of a group, as the actuator shows it.
 *
 * @param id           the group id
 * @param self         this node
 * @param role         this node's Raft role
 * @param term         its current term
 * @param leader       the leader it knows, or {@code null}
 * @param online       whether it leads, or follows a leader whose log it matches
 * @param commitIndex  the highest index it knows to be committed
 * @param appliedIndex the highest index its state machine has applied
 * @param lastLog      the position of its last log entry
 * @param voters       the voters of the current configuration
 * @param learners     members that replicate without voting
 * @param bonds        members it has a bond with
 * @param followers    on the leader, what it knows of each follower (match index, last contact)
 */
public record GroupStatus(GroupId id, PeerId self, RaftCore.Role role, long term, PeerId leader, boolean online,
                          long commitIndex, long appliedIndex, LogPosition lastLog, SortedSet<PeerId> voters,
                          List<PeerId> learners, List<PeerId> bonds, Map<PeerId, RaftStatus.FollowerStatus> followers) {

    /** Copies the collections. */
    public GroupStatus {
        voters = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(voters));
        learners = List.copyOf(learners);
        bonds = List.copyOf(bonds);
        followers = Map.copyOf(followers);
    }

    /** Whether this node leads the group. */
    public boolean isLeader() {
        return role == RaftCore.Role.LEADER;
    }

    static GroupStatus of(GroupId id, RaftStatus raft, boolean online, long applied, List<PeerId> bonds) {
        return new GroupStatus(id, raft.self(), raft.role(), raft.term(), raft.leader(), online, raft.commitIndex(),
                applied, raft.last(), raft.voters(), raft.learners(), bonds, raft.followers());
    }
}
