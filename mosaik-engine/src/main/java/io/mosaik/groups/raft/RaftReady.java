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
