package io.mosaik.groups.raft;

/**
 * How eager a node is to lead its group.
 */
public enum LeadershipPreference {
    /** Stands for election like anyone else. */
    NORMAL,
    /**
     * Waits three times as long as others before standing for election, so it leads only when nobody
     * else does; it is promoted to voter after normal nodes.
     */
    RELUCTANT,
    /** Never votes and never leads: it replicates the log as a learner and serves reads. */
    OBSERVER
}
