package io.mosaik.groups;

import io.mosaik.groups.raft.LeadershipPreference;
import io.mosaik.groups.raft.RaftConfig;
import io.mosaik.primitives.Digest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * How a group runs its consensus. The heartbeat interval, its jitter and the missed-heartbeat limit are
 * part of the {@link GroupId} (members must agree on them); the rest may differ between members.
 *
 * @param heartbeatInterval   bond pings and leader heartbeats; default 500 ms
 * @param heartbeatJitter     bond pings go out every interval minus up to this; default 150 ms
 * @param maxMissedHeartbeats a bond silent for this many pings is closed; default 10
 * @param electionTimeout     a voter that hears nothing from a leader this long stands for election;
 *                            default 2 s
 * @param electionJitter      a random extra of up to this much; default 500 ms
 * @param bootstrapDelay      added to a new node's first election timeout, so that nodes starting
 *                            together meet before one of them bootstraps the group; default 3 s
 * @param forwardTimeout      how long a command or strong query waits for a leader to take it;
 *                            default 2 s
 * @param targetVoters        how many voters the leader promotes members to (odd is best); default 3
 * @param bootstrapExpect     how many new members must see each other before the first one bootstraps
 *                            the group with that many voters; default 1
 * @param voterRemovalTimeout a voter unreachable this long is removed by the leader so that a learner
 *                            can take its place; {@link Duration#ZERO} never removes one; default 30 s
 */
public record ConsensusConfig(Duration heartbeatInterval, Duration heartbeatJitter, int maxMissedHeartbeats,
                              Duration electionTimeout, Duration electionJitter, Duration bootstrapDelay,
                              Duration forwardTimeout, int targetVoters, int bootstrapExpect,
                              Duration voterRemovalTimeout) {

    /** The defaults of the original (and three voters, one to bootstrap, removal after 30 s). */
    public static ConsensusConfig defaults() {
        return new ConsensusConfig(Duration.ofMillis(500), Duration.ofMillis(150), 10, Duration.ofSeconds(2),
                Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(2), 3, 1, Duration.ofSeconds(30));
    }

    /** Validates, with errors that name the setting. */
    public ConsensusConfig {
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(heartbeatJitter, "heartbeatJitter");
        Objects.requireNonNull(electionTimeout, "electionTimeout");
        Objects.requireNonNull(electionJitter, "electionJitter");
        Objects.requireNonNull(bootstrapDelay, "bootstrapDelay");
        Objects.requireNonNull(forwardTimeout, "forwardTimeout");
        Objects.requireNonNull(voterRemovalTimeout, "voterRemovalTimeout");
        if (heartbeatInterval.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeatInterval must be at least 1 ms, got " + heartbeatInterval);
        }
        if (heartbeatJitter.isNegative() || heartbeatJitter.compareTo(heartbeatInterval) >= 0) {
            throw new IllegalArgumentException("heartbeatJitter must be at least 0 and below heartbeatInterval ("
                    + heartbeatInterval + "), got " + heartbeatJitter);
        }
        if (maxMissedHeartbeats < 1) {
            throw new IllegalArgumentException("maxMissedHeartbeats must be at least 1, got " + maxMissedHeartbeats);
        }
        if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("electionTimeout (" + electionTimeout
                    + ") must be at least twice heartbeatInterval (" + heartbeatInterval + ")");
        }
        if (electionJitter.isNegative() || bootstrapDelay.isNegative() || voterRemovalTimeout.isNegative()) {
            throw new IllegalArgumentException("electionJitter, bootstrapDelay and voterRemovalTimeout must not be negative");
        }
        if (forwardTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("forwardTimeout must be at least 1 ms, got " + forwardTimeout);
        }
        if (targetVoters < 1 || bootstrapExpect < 1 || bootstrapExpect > targetVoters) {
            throw new IllegalArgumentException("targetVoters (" + targetVoters + ") and bootstrapExpect ("
                    + bootstrapExpect + ") must be at least 1, and bootstrapExpect at most targetVoters");
        }
    }

    /** A copy with other heartbeat settings (these change the group id). */
    public ConsensusConfig withHeartbeats(Duration interval, Duration jitter, int maxMissed) {
        return new ConsensusConfig(interval, jitter, maxMissed, electionTimeout, electionJitter, bootstrapDelay,
                forwardTimeout, targetVoters, bootstrapExpect, voterRemovalTimeout);
    }

    /** A copy with other election timings. */
    public ConsensusConfig withElections(Duration timeout, Duration jitter, Duration bootstrapDelay) {
        return new ConsensusConfig(heartbeatInterval, heartbeatJitter, maxMissedHeartbeats, timeout, jitter,
                bootstrapDelay, forwardTimeout, targetVoters, bootstrapExpect, voterRemovalTimeout);
    }

    /** A copy with another forward timeout. */
    public ConsensusConfig withForwardTimeout(Duration timeout) {
        return new ConsensusConfig(heartbeatInterval, heartbeatJitter, maxMissedHeartbeats, electionTimeout,
                electionJitter, bootstrapDelay, timeout, targetVoters, bootstrapExpect, voterRemovalTimeout);
    }

    /** A copy with other membership settings. */
    public ConsensusConfig withMembership(int targetVoters, int bootstrapExpect, Duration voterRemovalTimeout) {
        return new ConsensusConfig(heartbeatInterval, heartbeatJitter, maxMissedHeartbeats, electionTimeout,
                electionJitter, bootstrapDelay, forwardTimeout, targetVoters, bootstrapExpect, voterRemovalTimeout);
    }

    /** The settings that enter the group id: heartbeat interval and jitter in ms, missed-heartbeat limit. */
    public Digest digest() {
        return Digest.hash(ByteBuffer.allocate(24).putLong(heartbeatInterval.toMillis())
                .putLong(heartbeatJitter.toMillis()).putLong(maxMissedHeartbeats).array());
    }

    /** The Raft core's settings for a node with this preference. */
    RaftConfig raftConfig(LeadershipPreference preference) {
        return RaftConfig.defaults()
                .withTimings(heartbeatInterval.toMillis(), electionTimeout.toMillis(), electionJitter.toMillis(),
                        bootstrapDelay.toMillis())
                .withForwardTimeout(forwardTimeout.toMillis())
                .withMembership(targetVoters, bootstrapExpect, voterRemovalTimeout.toMillis())
                .withPreference(preference);
    }
}
