package io.mosaik.groups.raft;

import java.util.Objects;

/**
 * The knobs of a {@link RaftCore}, in milliseconds of whatever clock drives it.
 *
 * @param heartbeatInterval    how often a leader sends entries or an empty append to each follower
 * @param electionTimeout      silence from the leader after which a voter asks for votes (base)
 * @param electionJitter       a random extra of up to this much, so that voters rarely time out together
 * @param bootstrapDelay       added to the first election timeout of a node with an empty log, so that
 *                             nodes starting together meet each other before one bootstraps the group
 * @param forwardTimeout       how long a command or read waits for a leader to accept it
 * @param targetVoters         how many voters the leader promotes learners to (an odd number is best)
 * @param bootstrapExpect      how many fresh nodes must see each other before the smallest of them
 *                             bootstraps the group, with that many voters (1: the first node alone)
 * @param voterRemovalTimeout  a voter unreachable for this long is removed from the configuration by the
 *                             leader (0: never; voters then leave only through an explicit call)
 * @param maxAppendBytes       a soft limit on the entries in one append message
 * @param maxInflight          append messages a leader may have unacknowledged per follower
 * @param preference           this node's leadership preference
 */
public record RaftConfig(long heartbeatInterval, long electionTimeout, long electionJitter, long bootstrapDelay,
                         long forwardTimeout, int targetVoters, int bootstrapExpect, long voterRemovalTimeout,
                         long maxAppendBytes, int maxInflight, LeadershipPreference preference) {

    /** The defaults: heartbeats every 500 ms, elections after 2–2.5 s, three voters. */
    public static RaftConfig defaults() {
        return new RaftConfig(500, 2_000, 500, 3_000, 2_000, 3, 1, 30_000, 1 << 20, 8, LeadershipPreference.NORMAL);
    }

    /** Validates. */
    public RaftConfig {
        Objects.requireNonNull(preference, "preference");
        if (heartbeatInterval < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be positive");
        }
        if (electionTimeout <= heartbeatInterval) {
            throw new IllegalArgumentException("electionTimeout (" + electionTimeout
                    + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
        }
        if (electionJitter < 0 || bootstrapDelay < 0 || forwardTimeout < 1 || voterRemovalTimeout < 0) {
            throw new IllegalArgumentException("negative timing in " + "RaftConfig");
        }
        if (targetVoters < 1 || bootstrapExpect < 1 || bootstrapExpect > targetVoters) {
            throw new IllegalArgumentException("targetVoters (" + targetVoters + ") and bootstrapExpect ("
                    + bootstrapExpect + ") must be at least 1, with bootstrapExpect at most targetVoters");
        }
        if (maxAppendBytes < 1 || maxInflight < 1) {
            throw new IllegalArgumentException("maxAppendBytes and maxInflight must be positive");
        }
    }

    /** A copy with other timings. */
    public RaftConfig withTimings(long heartbeatInterval, long electionTimeout, long electionJitter, long bootstrapDelay) {
        return new RaftConfig(heartbeatInterval, electionTimeout, electionJitter, bootstrapDelay, forwardTimeout,
                targetVoters, bootstrapExpect, voterRemovalTimeout, maxAppendBytes, maxInflight, preference);
    }

    /** A copy with another forward timeout. */
    public RaftConfig withForwardTimeout(long forwardTimeout) {
        return new RaftConfig(heartbeatInterval, electionTimeout, electionJitter, bootstrapDelay, forwardTimeout,
                targetVoters, bootstrapExpect, voterRemovalTimeout, maxAppendBytes, maxInflight, preference);
    }

    /** A copy with other membership settings. */
    public RaftConfig withMembership(int targetVoters, int bootstrapExpect, long voterRemovalTimeout) {
        return new RaftConfig(heartbeatInterval, electionTimeout, electionJitter, bootstrapDelay, forwardTimeout,
                targetVoters, bootstrapExpect, voterRemovalTimeout, maxAppendBytes, maxInflight, preference);
    }

    /** A copy with other replication limits. */
    public RaftConfig withReplication(long maxAppendBytes, int maxInflight) {
        return new RaftConfig(heartbeatInterval, electionTimeout, electionJitter, bootstrapDelay, forwardTimeout,
                targetVoters, bootstrapExpect, voterRemovalTimeout, maxAppendBytes, maxInflight, preference);
    }

    /** A copy with another leadership preference. */
    public RaftConfig withPreference(LeadershipPreference preference) {
        return new RaftConfig(heartbeatInterval, electionTimeout, electionJitter, bootstrapDelay, forwardTimeout,
                targetVoters, bootstrapExpect, voterRemovalTimeout, maxAppendBytes, maxInflight, preference);
    }
}
