package io.mosaik.groups.raft;

import io.mosaik.primitives.PeerId;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * A snapshot of one node's view of its group.
 *
 * @param self        this node
 * @param role        its role
 * @param term        its current term
 * @param leader      the leader it knows of, or {@code null}
 * @param commitIndex the highest index it knows to be committed
 * @param last        the position of its last log entry
 * @param formation   the formation id of its group, 0 before it has one
 * @param voters      the voters of its current configuration (empty before it has one)
 * @param learners    peers bonded with this node that replicate but do not vote
 * @param followers   on a leader, what it knows of each follower; empty elsewhere
 * @param compacted   the position its log is compacted up to (the first entry is the next), 0/0 if none
 * @param snapshot    the latest snapshot: its position, or {@code null} if there is none
 * @param snapshotBytes the latest snapshot's size, 0 if there is none
 */
public record RaftStatus(PeerId self, RaftCore.Role role, long term, PeerId leader, long commitIndex, LogPosition last,
                         long formation, SortedSet<PeerId> voters, List<PeerId> learners,
                         Map<PeerId, FollowerStatus> followers, LogPosition compacted, LogPosition snapshot,
                         long snapshotBytes) {

    /** Copies the collections. */
    public RaftStatus {
        voters = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(voters));
        learners = List.copyOf(learners);
        followers = Map.copyOf(followers);
    }

    /**
     * What a leader knows of a follower.
     *
     * @param matchIndex      the highest index known to be replicated on it
     * @param lastIndex       its last index as it last reported
     * @param voter           whether it votes
     * @param millisSinceContact time since it last answered
     * @param snapshotReceived   of the snapshot being sent to it, the bytes it acknowledged (0 if none)
     * @param snapshotTotal      the size of the snapshot being sent to it (0 if none)
     */
    public record FollowerStatus(long matchIndex, long lastIndex, boolean voter, long millisSinceContact,
                                 long snapshotReceived, long snapshotTotal) {

        /** Whether it is catching up by installing a snapshot. */
        public boolean installingSnapshot() {
            return snapshotTotal > 0 || snapshotReceived > 0;
        }
    }
}
