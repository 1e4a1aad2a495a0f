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
 * @param followers    on the leader, what it knows of each follower (match index, last contact, the
 *                     progress of a snapshot being installed)
 * @param storage      where this member keeps its log and snapshots, and how much
 */
public record GroupStatus(GroupId id, PeerId self, RaftCore.Role role, long term, PeerId leader, boolean online,
                          long commitIndex, long appliedIndex, LogPosition lastLog, SortedSet<PeerId> voters,
                          List<PeerId> learners, List<PeerId> bonds, Map<PeerId, RaftStatus.FollowerStatus> followers,
                          Storage storage) {

    /**
     * This member's log and snapshots.
     *
     * @param durable       whether they are on disk (a data directory or a durable log storage)
     * @param directory     the data directory, or {@code null}
     * @param logBytes      the bytes the log's files take on disk (0 in memory)
     * @param firstIndex    the first index the log holds (entries before are in the snapshot)
     * @param lastIndex     the last index the log holds
     * @param snapshotIndex the index the latest snapshot includes entries up to, 0 if there is none
     * @param snapshotBytes the size of the latest snapshot, 0 if there is none
     */
    public record Storage(boolean durable, String directory, long logBytes, long firstIndex, long lastIndex,
                          long snapshotIndex, long snapshotBytes) {
    }

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

    static GroupStatus of(GroupId id, RaftStatus raft, boolean online, long applied, List<PeerId> bonds,
                          io.mosaik.groups.raft.LogStorage log, java.nio.file.Path directory) {
        boolean durable = directory != null || log instanceof io.mosaik.groups.raft.FileLogStorage;
        long logBytes = log instanceof io.mosaik.groups.raft.FileLogStorage files ? files.sizeOnDisk() : 0;
        Storage storage = new Storage(durable, directory == null ? null : directory.toString(), logBytes,
                raft.compacted().index() + 1, raft.last().index(),
                raft.snapshot() == null ? 0 : raft.snapshot().index(), raft.snapshotBytes());
        return new GroupStatus(id, raft.self(), raft.role(), raft.term(), raft.leader(), online, raft.commitIndex(),
                applied, raft.last(), raft.voters(), raft.learners(), bonds, raft.followers(), storage);
    }
}
