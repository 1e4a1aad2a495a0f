package io.mosaik.groups.raft;

import io.mosaik.primitives.PeerId;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link RaftCore} asks its shell to do after some calls: send messages, apply newly committed
 * entries (in order, exactly once), and tell local clients what became of their requests. The shell
 * carries it out and forgets it.
 *
 * @param messages  messages to send, each to one peer
 * @param committed entries committed since the last ready, in index order
 * @param events    outcomes of local requests
 * @param snapshot  a snapshot to restore the state machine from before applying {@code committed}, or
 *                  {@code null} (on start over a saved snapshot, and when one was installed from the leader)
 */
public record RaftReady(List<Outbound> messages, List<LogEntry> committed, List<ClientEvent> events,
                        Snapshot snapshot) {

    /** Copies the lists. */
    public RaftReady {
        messages = List.copyOf(messages);
        committed = List.copyOf(committed);
        events = List.copyOf(events);
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return messages.isEmpty() && committed.isEmpty() && events.isEmpty() && snapshot == null;
    }

    /**
     * Whether a message of a ready may be sent before the shell has synced the turn's changes. A leader's
     * appends promise nothing about its own log, so sending them first lets the followers' fsyncs overlap
     * the leader's (the Raft thesis: "writing to the leader's disk in parallel"): the leader counts its
     * own entries toward a commit, but with another voter a commit also needs an acknowledgement of
     * entries sent in an earlier turn, which were synced by then. An append whose commit index runs past
     * what the leader has synced (a lone voter commits in the turn it appends; its learners must not apply
     * what a crash could take back) waits, as does everything else: votes, acknowledgements and answers
     * promise what must be durable first.
     *
     * @param message     a message of this ready
     * @param syncedIndex the last index of the sender's log as of its last completed sync
     * @return whether it may leave before this turn's sync
     */
    public static boolean maySendBeforeSync(RaftMessage message, long syncedIndex) {
        return message instanceof RaftMessage.AppendEntries append && append.leaderCommit() <= syncedIndex;
    }

    /**
     * Whether the shell may apply this ready's committed entries and report its events before it has
     * synced the turn's changes. Events promise nothing about this node's log (an accepted command still
     * waits for its entry to commit, a read for its index to be applied). Applying is safe when
     * everything committed was in the log as of the last sync: a leader that counted its own copy toward
     * the commit counted a durable one. A lone voter commits in the turn it appends, so what it commits
     * then waits for the sync, as does a snapshot to restore.
     *
     * @param syncedIndex the last index of this node's log as of its last completed sync
     * @return whether {@link #committed()} and {@link #events()} may be handled before this turn's sync
     */
    public boolean mayProcessBeforeSync(long syncedIndex) {
        return snapshot == null && (committed.isEmpty() || committed.getLast().index() <= syncedIndex);
    }

    /**
     * A message to one peer.
     *
     * @param to      the receiver
     * @param message the message
     */
    public record Outbound(PeerId to, RaftMessage message) {
        /** Validates. */
        public Outbound {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }
}
