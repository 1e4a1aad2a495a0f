package io.mosaik.groups.raft;

import io.mosaik.primitives.PeerId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * The voters of a Raft group, as written in its log. A configuration takes effect on a node as soon as
 * it is in that node's log (committed or not), and the leader changes it one voter at a time, which
 * keeps any two majorities of consecutive configurations overlapping.
 *
 * <p>The formation id is drawn once, when the first node bootstraps the group, and copied into every
 * later configuration. Two formations of one group (nodes that bootstrapped apart, say on the two sides
 * of a partition at start-up) never exchange Raft messages, so neither can overwrite the other's
 * committed entries.
 *
 * @param formation the formation id, never 0
 * @param voters    the voters, at least one
 */
public record Configuration(long formation, SortedSet<PeerId> voters) {

    /** Validates and freezes. */
    public Configuration {
        if (formation == 0) {
            throw new IllegalArgumentException("formation id 0 is reserved for nodes that have none");
        }
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
    }

    /** Whether the peer is a voter. */
    public boolean isVoter(PeerId peer) {
        return voters.contains(peer);
    }

    /** Votes needed for a majority. */
    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /** Whether these peers (others are ignored) include a majority of the voters. */
    public boolean isQuorum(Collection<PeerId> peers) {
        int count = 0;
        for (PeerId peer : voters) {
            if (peers.contains(peer)) {
                count++;
            }
        }
        return count >= quorum();
    }

    /**
     * The highest index that a majority of the voters hold, given what each holds.
     *
     * @param matchIndex the highest index known to be replicated on a voter (0 if unknown)
     * @return that index
     */
    public long majorityIndex(ToLongFunction<PeerId> matchIndex) {
        long[] matched = new long[voters.size()];
        int i = 0;
        for (PeerId peer : voters) {
            matched[i++] = matchIndex.applyAsLong(peer);
        }
        Arrays.sort(matched);
        return matched[matched.length - quorum()];
    }

    /** This configuration with one more voter. */
    public Configuration withVoter(PeerId peer) {
        TreeSet<PeerId> next = new TreeSet<>(voters);
        next.add(peer);
        return new Configuration(formation, next);
    }

    /** This configuration without a voter. */
    public Configuration withoutVoter(PeerId peer) {
        TreeSet<PeerId> next = new TreeSet<>(voters);
        next.remove(peer);
        return new Configuration(formation, next);
    }

    /** The bytes of this configuration in a log entry. */
    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(8 + 4 + voters.size() * PeerId.LENGTH);
        buffer.putLong(formation).putInt(voters.size());
        for (PeerId voter : voters) {
            buffer.put(voter.toBytes());
        }
        return buffer.array();
    }

    /**
     * Reads a configuration from a log entry.
     *
     * @param data the entry's bytes
     * @return the configuration
     * @throws IllegalArgumentException if the bytes are not a configuration
     */
    public static Configuration decode(byte[] data) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long formation = buffer.getLong();
            int count = buffer.getInt();
            if (count < 1 || count > buffer.remaining() / PeerId.LENGTH || buffer.remaining() != count * PeerId.LENGTH) {
                throw new IllegalArgumentException("bad voter count " + count);
            }
            TreeSet<PeerId> voters = new TreeSet<>();
            byte[] id = new byte[PeerId.LENGTH];
            for (int i = 0; i < count; i++) {
                buffer.get(id);
                voters.add(PeerId.fromBytes(id));
            }
            return new Configuration(formation, voters);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated configuration", e);
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Configuration[").append(Long.toHexString(formation)).append(":");
        for (PeerId voter : voters) {
            text.append(' ').append(voter.toShortString());
        }
        return text.append(']').toString();
    }
}
