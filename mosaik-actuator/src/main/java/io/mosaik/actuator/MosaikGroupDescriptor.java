package io.mosaik.actuator;

import io.mosaik.groups.GroupStatus;
import io.mosaik.groups.raft.RaftStatus;
import io.mosaik.primitives.PeerId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One group as {@code /actuator/mosaik/groups/{name-or-id}} shows it: this node's full view, with who
 * votes, who replicates and, on the leader, how far each follower is.
 *
 * @param name         its name (the bean name of its {@code Group}), or {@code null}
 * @param id           the group id, 64 hex characters
 * @param self         this node's peer id
 * @param role         this node's Raft role
 * @param term         this node's current term
 * @param leader       the leader's peer id, {@code null} while none is known
 * @param online       whether this node leads, or follows a leader whose log it matches
 * @param commitIndex  the highest log index this node knows to be committed
 * @param appliedIndex the highest log index its state machine has applied
 * @param lastLog      the position of its last log entry
 * @param voters       the voters of the current configuration, by peer id
 * @param learners     the members that replicate without voting
 * @param bonds        the members this node has a bond with
 * @param followers    on the leader, each follower by peer id (with the progress of a snapshot it is
 *                     installing); empty on other members
 * @param storage      this member's log and snapshots: where, how large, which indexes
 */
public record MosaikGroupDescriptor(String name, String id, String self, String role, long term, String leader,
        boolean online, long commitIndex, long appliedIndex, Position lastLog, List<String> voters,
        List<String> learners, List<String> bonds, Map<String, Follower> followers, Storage storage) {

    /**
     * Describes a group.
     *
     * @param status this node's view of it
     * @param name   its name, or {@code null}
     * @return the description
     */
    public static MosaikGroupDescriptor of(GroupStatus status, String name) {
        Map<String, Follower> followers = new TreeMap<>();
        status.followers().forEach((peer, follower) -> followers.put(peer.toHex(), Follower.of(follower)));
        return new MosaikGroupDescriptor(name, status.id().toString(), status.self().toHex(), status.role().name(),
                status.term(), status.leader() == null ? null : status.leader().toHex(), status.online(),
                status.commitIndex(), status.appliedIndex(),
                new Position(status.lastLog().term(), status.lastLog().index()), hex(status.voters()),
                hex(status.learners()), hex(status.bonds()), followers, Storage.of(status.storage()));
    }

    private static List<String> hex(Collection<PeerId> peers) {
        return peers.stream().sorted().map(PeerId::toHex).toList();
    }

    /**
     * A position in the log.
     *
     * @param term  the entry's term
     * @param index the entry's index
     */
    public record Position(long term, long index) {
    }

    /**
     * What the leader knows of a follower.
     *
     * @param matchIndex         the highest index known to be replicated on it
     * @param lastIndex          its last index, as it last reported
     * @param voter              whether it votes
     * @param millisSinceContact milliseconds since it last answered
     * @param snapshot           the snapshot it is catching up with, {@code null} if none
     */
    public record Follower(long matchIndex, long lastIndex, boolean voter, long millisSinceContact,
                           SnapshotInstall snapshot) {
        static Follower of(RaftStatus.FollowerStatus status) {
            return new Follower(status.matchIndex(), status.lastIndex(), status.voter(), status.millisSinceContact(),
                    status.installingSnapshot()
                            ? new SnapshotInstall(status.snapshotReceived(), status.snapshotTotal()) : null);
        }
    }

    /**
     * A snapshot being sent to a member that catches up.
     *
     * @param receivedBytes the bytes it acknowledged
     * @param totalBytes    the snapshot's size
     */
    public record SnapshotInstall(long receivedBytes, long totalBytes) {
    }

    /**
     * This member's log and snapshots.
     *
     * @param kind          {@code disk} or {@code memory}
     * @param directory     the data directory, {@code null} if none
     * @param logBytes      the bytes the log's files take (0 in memory)
     * @param firstIndex    the first index the log holds (earlier entries are in the snapshot)
     * @param lastIndex     the last index the log holds
     * @param snapshotIndex the index the latest snapshot includes entries up to, 0 if none
     * @param snapshotBytes the latest snapshot's size, 0 if none
     */
    public record Storage(String kind, String directory, long logBytes, long firstIndex, long lastIndex,
                          long snapshotIndex, long snapshotBytes) {
        static Storage of(GroupStatus.Storage storage) {
            return new Storage(storage.durable() ? "disk" : "memory", storage.directory(), storage.logBytes(),
                    storage.firstIndex(), storage.lastIndex(), storage.snapshotIndex(), storage.snapshotBytes());
        }
    }
}
