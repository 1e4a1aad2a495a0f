package io.mosaik.actuator;

import io.mosaik.groups.GroupStatus;

/**
 * One group of {@code /actuator/mosaik/groups}: this node's view of it in one line.
 *
 * @param name         its name: the bean name of its {@code Group} (every group declared under
 *                     {@code mosaik.groups} is one); {@code null} for a group joined without a bean
 * @param id           the group id, 64 hex characters
 * @param role         this node's Raft role: {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}, ...
 * @param term         this node's current term
 * @param leader       the leader's peer id, {@code null} while none is known
 * @param online       whether this node leads, or follows a leader whose log it matches
 * @param commitIndex  the highest log index this node knows to be committed
 * @param appliedIndex the highest log index its state machine has applied
 * @param voterCount   the voters of the current configuration
 * @param learnerCount the members that replicate without voting
 * @param bondCount    the members this node has a bond with
 */
public record MosaikGroupSummary(String name, String id, String role, long term, String leader, boolean online,
        long commitIndex, long appliedIndex, int voterCount, int learnerCount, int bondCount) {

    /**
     * Summarizes a group.
     *
     * @param status this node's view of it
     * @param name   its name, or {@code null}
     * @return the summary
     */
    public static MosaikGroupSummary of(GroupStatus status, String name) {
        return new MosaikGroupSummary(name, status.id().toString(), status.role().name(), status.term(),
                status.leader() == null ? null : status.leader().toHex(), status.online(), status.commitIndex(),
                status.appliedIndex(), status.voters().size(), status.learners().size(), status.bonds().size());
    }
}
