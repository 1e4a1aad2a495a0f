package io.mosaik.discovery.gossip;

import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one call into a {@link GossipCore} asks its shell to do, in order: messages to send, payloads to
 * hand to the application, and neighbour changes to publish. The shell carries these out and forgets
 * them; the core never looks at them again.
 *
 * @param sends      messages to send
 * @param deliveries new broadcast payloads (each message id is delivered at most once per cache lifetime)
 * @param events     neighbour up/down events, in the order they happened
 */
public record GossipOutput(List<Send> sends, List<Delivery> deliveries, List<NeighborEvent> events) {

    /** Nothing to do. */
    public static final GossipOutput EMPTY = new GossipOutput(List.of(), List.of(), List.of());

    /** Copies the lists. */
    public GossipOutput {
        sends = List.copyOf(sends);
        deliveries = List.copyOf(deliveries);
        events = List.copyOf(events);
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return sends.isEmpty() && deliveries.isEmpty() && events.isEmpty();
    }

    /**
     * A message to send.
     *
     * @param to      the receiver
     * @param address where to dial it if there is no link yet; {@code null} when the core does not know
     *                (a reply to a peer that is not in any view: use the link the request came on, or drop)
     * @param message the message
     */
    public record Send(PeerId to, PeerAddress address, GossipMessage message) {
        /** Validates. */
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
            if (address != null && !address.peerId().equals(to)) {
                throw new IllegalArgumentException("address of another peer");
            }
        }
    }

    /**
     * A broadcast payload received for the first time.
     *
     * @param id      the message id
     * @param payload the bytes (a copy the application may keep)
     * @param round   hops it travelled from its originator
     * @param from    the neighbour that pushed it
     */
    public record Delivery(Digest id, byte[] payload, int round, PeerId from) {
    }

    /** A change of the active view, for the shell's metrics and for rebroadcast triggers (spec §2.4). */
    public sealed interface NeighborEvent {
        /** The peer concerned. */
        PeerId peer();
    }

    /** A peer entered the active view. */
    public record NeighborUp(PeerAddress address) implements NeighborEvent {
        @Override
        public PeerId peer() {
            return address.peerId();
        }
    }

    /** A peer left the active view (the shell may close the link). */
    public record NeighborDown(PeerId peer) implements NeighborEvent {
    }

    /** Collects the output of one call; not thread-safe, like the core. */
    static final class Builder {
        private List<Send> sends;
        private List<Delivery> deliveries;
        private List<NeighborEvent> events;

        void send(PeerId to, PeerAddress address, GossipMessage message) {
            if (sends == null) {
                sends = new ArrayList<>();
            }
            sends.add(new Send(to, address, message));
        }

        void deliver(Delivery delivery) {
            if (deliveries == null) {
                deliveries = new ArrayList<>();
            }
            deliveries.add(delivery);
        }

        void event(NeighborEvent event) {
            if (events == null) {
                events = new ArrayList<>();
            }
            events.add(event);
        }

        GossipOutput build() {
            if (sends == null && deliveries == null && events == null) {
                return EMPTY;
            }
            return new GossipOutput(sends == null ? List.of() : sends,
                    deliveries == null ? List.of() : deliveries, events == null ? List.of() : events);
        }
    }
}
