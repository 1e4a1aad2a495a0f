package io.mosaik.groups.raft;

import java.util.List;
import java.util.Objects;

/**
 * The messages Raft cores exchange. The sender is whoever is at the other end of the bond the message
 * came on; no message names its sender. Every message carries the sender's formation id (0 while it has
 * none), and a node that has one ignores messages from another formation.
 */
public sealed interface RaftMessage {

    /** The sender's formation id, 0 if it has not joined one yet. */
    long formation();

    /**
     * What a node says about itself when a bond forms, so that nodes that have no log yet can agree
     * who bootstraps the group, and the leader knows who wants to vote.
     *
     * @param formation  the sender's formation id or 0
     * @param term       the sender's term
     * @param last       the position of its last entry
     * @param preference its leadership preference
     */
    record Hello(long formation, long term, LogPosition last, LeadershipPreference preference) implements RaftMessage {
        /** Validates. */
        public Hello {
            Objects.requireNonNull(last, "last");
            Objects.requireNonNull(preference, "preference");
        }
    }

    /**
     * Asks whether the receiver would vote for the sender in {@code term}, without changing anyone's
     * term: a node cut off from the group cannot disturb it when it comes back.
     *
     * @param formation the sender's formation id
     * @param term      the term the sender would campaign in (its term plus one)
     * @param last      the position of the sender's last entry
     */
    record PreVote(long formation, long term, LogPosition last) implements RaftMessage {
    }

    /**
     * The answer to a {@link PreVote}.
     *
     * @param formation the sender's formation id
     * @param term      the asked term if granted, else the sender's own term
     * @param granted   whether it would vote
     */
    record PreVoteResponse(long formation, long term, boolean granted) implements RaftMessage {
    }

    /**
     * A candidate's request for a vote.
     *
     * @param formation the sender's formation id
     * @param term      the candidate's term
     * @param last      the position of the candidate's last entry
     * @param transfer  whether the leader handed over to the candidate ({@link TimeoutNow}): voters then
     *                  answer even though they heard from that leader recently
     */
    record RequestVote(long formation, long term, LogPosition last, boolean transfer) implements RaftMessage {
    }

    /**
     * One chunk of the leader's snapshot, for a follower that needs entries the leader compacted away.
     * Chunks go one at a time, each answered with the offset the follower expects next, so a transfer
     * resumes where it stopped.
     *
     * @param formation     the leader's formation id
     * @param term          the leader's term
     * @param position      the snapshot's position
     * @param configuration the encoded configuration at that position
     * @param offset        where this chunk starts in the snapshot's data
     * @param total         the size of the data
     * @param checksum      CRC32C of the whole data
     * @param chunk         the bytes
     */
    record InstallSnapshot(long formation, long term, LogPosition position, byte[] configuration, long offset,
                           long total, int checksum, byte[] chunk) implements RaftMessage {
        /** Validates. */
        public InstallSnapshot {
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(configuration, "configuration");
            Objects.requireNonNull(chunk, "chunk");
        }
    }

    /**
     * The answer to an {@link InstallSnapshot}.
     *
     * @param formation  the sender's formation id
     * @param term       the sender's term
     * @param position   the snapshot's position
     * @param nextOffset the offset expected next
     * @param done       whether the snapshot is installed (or was not needed)
     */
    record InstallSnapshotResponse(long formation, long term, LogPosition position, long nextOffset, boolean done)
            implements RaftMessage {
    }

    /**
     * Asks a member for a range of its latest snapshot: a node installing the leader's snapshot fetches
     * chunks from other members whose latest snapshot is the same (same position and checksum), in
     * parallel with the chunks the leader sends.
     *
     * @param formation the sender's formation id
     * @param position  the snapshot's position
     * @param checksum  CRC32C of the snapshot's whole data
     * @param offset    where the range starts
     * @param length    the most bytes wanted
     */
    record SnapshotFetch(long formation, LogPosition position, int checksum, long offset, int length)
            implements RaftMessage {
        /** Validates. */
        public SnapshotFetch {
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * The answer to a {@link SnapshotFetch}.
     *
     * @param formation the sender's formation id
     * @param position  the snapshot's position
     * @param checksum  CRC32C of the snapshot's whole data
     * @param offset    where the chunk starts
     * @param available whether the sender has that snapshot (if not, the chunk is empty)
     * @param chunk     the bytes
     */
    record SnapshotFetchResponse(long formation, LogPosition position, int checksum, long offset, boolean available,
                                 byte[] chunk) implements RaftMessage {
        /** Validates. */
        public SnapshotFetchResponse {
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(chunk, "chunk");
        }
    }

    /**
     * The leader hands its leadership over: the receiver, whose log matches the leader's, stands for
     * election at once (graceful shutdown of a leader, so that a rolling restart costs no election timeout).
     *
     * @param formation the leader's formation id
     * @param term      the leader's term
     */
    record TimeoutNow(long formation, long term) implements RaftMessage {
    }

    /**
     * The answer to a {@link RequestVote}.
     *
     * @param formation the sender's formation id
     * @param term      the sender's term
     * @param granted   whether it voted for the candidate
     */
    record VoteResponse(long formation, long term, boolean granted) implements RaftMessage {
    }

    /**
     * Entries (or none: a heartbeat) from the leader.
     *
     * @param formation    the leader's formation id
     * @param term         the leader's term
     * @param prevIndex    the index of the entry before {@code entries}
     * @param prevTerm     the term of that entry
     * @param entries      entries following {@code prevIndex}, possibly none
     * @param leaderCommit the leader's commit index
     * @param probe        a number the follower echoes, so the leader can tell it is still leader (reads)
     */
    record AppendEntries(long formation, long term, long prevIndex, long prevTerm, List<LogEntry> entries,
                         long leaderCommit, long probe) implements RaftMessage {
        /** Copies the entries. */
        public AppendEntries {
            entries = List.copyOf(entries);
        }
    }

    /**
     * The answer to an {@link AppendEntries}.
     *
     * @param formation the sender's formation id
     * @param term      the sender's term
     * @param success   whether the entries continue the follower's log
     * @param index     on success the last index known to match the leader's log; on failure the
     *                  {@code prevIndex} that did not match
     * @param hint      on failure, an index at or below which the logs may match (where the leader
     *                  should probe next); on success the follower's last index
     * @param probe     the probe of the request
     */
    record AppendResponse(long formation, long term, boolean success, long index, long hint, long probe)
            implements RaftMessage {
    }

    /**
     * Commands a follower hands to the leader.
     *
     * @param formation the sender's formation id
     * @param commands  the commands with the sender's request ids
     */
    record ForwardCommands(long formation, List<Forwarded> commands) implements RaftMessage {
        /** Copies the list. */
        public ForwardCommands {
            commands = List.copyOf(commands);
        }
    }

    /**
     * One forwarded command.
     *
     * @param requestId  the id the sender will know the answer by
     * @param data       the encoded command
     * @param resendTerm 0 for a first send; for a command sent again after its bond was replaced, the
     *                   term of the leader it was first sent to: only that leader, still in that term,
     *                   can tell whether it already appended it
     */
    record Forwarded(long requestId, byte[] data, long resendTerm) {
        /** Validates. */
        public Forwarded {
            Objects.requireNonNull(data, "data");
        }

        /**
         * A first send.
         *
         * @param requestId the id the sender will know the answer by
         * @param data      the encoded command
         */
        public Forwarded(long requestId, byte[] data) {
            this(requestId, data, 0);
        }
    }

    /**
     * The leader's answer to {@link ForwardCommands}: for each accepted command the position it was
     * appended at; refused commands were not appended anywhere.
     *
     * @param formation the sender's formation id
     * @param accepted  positions of the accepted commands
     * @param refused   request ids of commands refused because the receiver is not the leader
     * @param unknown   request ids of commands sent again that the leader can no longer tell about (its
     *                  term changed, or it forgot the first send): they may or may not be in its log
     */
    record ForwardResponse(long formation, List<Accepted> accepted, List<Long> refused, List<Long> unknown)
            implements RaftMessage {
        /** Copies the lists. */
        public ForwardResponse {
            accepted = List.copyOf(accepted);
            refused = List.copyOf(refused);
            unknown = List.copyOf(unknown);
        }
    }

    /**
     * Where the leader appended a forwarded command.
     *
     * @param requestId the request id
     * @param position  the position of its entry
     */
    record Accepted(long requestId, LogPosition position) {
    }

    /**
     * A follower asks the leader for a read index (a linearizable read).
     *
     * @param formation the sender's formation id
     * @param requestId the id the sender will know the answer by
     */
    record ReadIndexRequest(long formation, long requestId) implements RaftMessage {
    }

    /**
     * The leader's read index: once the asker has applied up to it, its state reflects every write
     * acknowledged before the read began.
     *
     * @param formation the sender's formation id
     * @param requestId the request id
     * @param index     the read index, or -1 if the receiver is not (or no longer) the leader
     */
    record ReadIndexResponse(long formation, long requestId, long index) implements RaftMessage {
    }
}
