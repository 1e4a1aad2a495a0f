package io.mosaik.discovery.gossip;

import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.util.List;
import java.util.Objects;

/**
 * What two {@link GossipCore}s say to each other: the HyParView membership messages and the Plumtree
 * broadcast messages. The sender is never inside a message: the link it arrived on proved it
 * ({@link GossipCore#receive}). Messages that let the receiver dial someone carry that someone's
 * {@link PeerAddress}.
 *
 * <p>The constructors reject malformed values (nulls, negative counters), so a decoder that builds these
 * records turns garbage into an exception at the frame boundary; everything that is well-formed but
 * nonsensical (a peer naming itself, oversized samples) is the core's to ignore.
 */
public sealed interface GossipMessage {

    /** A new node asks a contact to take it into the overlay. */
    record Join(PeerAddress joiner) implements GossipMessage {
        /** Validates. */
        public Join {
            Objects.requireNonNull(joiner, "joiner");
        }
    }

    /** A random walk that spreads a joiner into the views of other nodes. */
    record ForwardJoin(PeerAddress joiner, int ttl) implements GossipMessage {
        /** Validates. */
        public ForwardJoin {
            Objects.requireNonNull(joiner, "joiner");
            nonNegative("ttl", ttl);
        }
    }

    /**
     * A request to become active neighbours. High priority (sent by a node with at most one neighbour,
     * or by one that already took the receiver in) must be accepted.
     */
    record Neighbor(PeerAddress sender, boolean highPriority) implements GossipMessage {
        /** Validates. */
        public Neighbor {
            Objects.requireNonNull(sender, "sender");
        }
    }

    /** The answer to a {@link Neighbor} or a {@link Join}. */
    record NeighborReply(boolean accepted) implements GossipMessage {
    }

    /** The sender dropped the link from its active view; {@code alive} means "keep me as a candidate". */
    record Disconnect(boolean alive) implements GossipMessage {
    }

    /** A random walk carrying a sample of the origin's views, answered by a {@link ShuffleReply}. */
    record Shuffle(PeerAddress origin, int ttl, List<PeerAddress> sample) implements GossipMessage {
        /** Validates and copies the sample. */
        public Shuffle {
            Objects.requireNonNull(origin, "origin");
            nonNegative("ttl", ttl);
            sample = List.copyOf(sample);
        }
    }

    /** A sample of the replier's passive view, sent straight to the shuffle's origin. */
    record ShuffleReply(List<PeerAddress> sample) implements GossipMessage {
        /** Validates and copies the sample. */
        public ShuffleReply {
            sample = List.copyOf(sample);
        }
    }

    /**
     * Eager push of a broadcast message. The payload array is shared, not copied: treat it as immutable.
     *
     * @param id      the message id
     * @param origin  the node that broadcast it, whose spanning tree it travels; {@code null} for the tree
     *                all origins share
     * @param round   hops travelled, the originator's first push is round 1
     * @param payload the opaque application bytes
     */
    record Gossip(Digest id, PeerId origin, int round, byte[] payload) implements GossipMessage {
        /** Validates. */
        public Gossip {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
            nonNegative("round", round);
        }

        /** A message of the shared tree (no origin). */
        public Gossip(Digest id, int round, byte[] payload) {
            this(id, null, round, payload);
        }
    }

    /**
     * Lazy push: "I have these messages" (a batch collected between two ticks).
     *
     * @param announcements the messages
     * @param history       whether they are the recent messages announced to a new neighbour (none of
     *                      them is on its way, so the receiver grafts what it lacks at once) rather than
     *                      news along the tree (grafted only if no copy comes within the graft timeout)
     */
    record IHave(List<Announcement> announcements, boolean history) implements GossipMessage {
        /** Validates and copies. */
        public IHave {
            announcements = List.copyOf(announcements);
        }

        /** News along the tree. */
        public IHave(List<Announcement> announcements) {
            this(announcements, false);
        }
    }

    /**
     * One id in an {@link IHave}.
     *
     * @param id    the message id
     * @param round the round a GOSSIP from the announcer would carry
     */
    record Announcement(Digest id, int round) {
        /** Validates. */
        public Announcement {
            Objects.requireNonNull(id, "id");
            nonNegative("round", round);
        }
    }

    /**
     * "I miss this message: send it, and from now on push eagerly to me" (in the tree of the message's
     * origin). With {@link GossipCore#LINK_ONLY} it asks for no message, only for eager pushes: in the tree
     * of {@code origin} (the tree optimisation), or in every tree if {@code origin} is {@code null} (tree
     * repair after a broken edge).
     *
     * @param id     the message id, or {@link GossipCore#LINK_ONLY}
     * @param origin the tree, for {@link GossipCore#LINK_ONLY}; {@code null} otherwise or for every tree
     */
    record Graft(Digest id, PeerId origin) implements GossipMessage {
        /** Validates. */
        public Graft {
            Objects.requireNonNull(id, "id");
        }

        /** A GRAFT for a message, or for every tree. */
        public Graft(Digest id) {
            this(id, null);
        }
    }

    /**
     * "I got that message twice: only announce to me from now on", in the tree of {@code origin} (and the
     * shared one).
     *
     * @param origin the tree, {@code null} for the shared one only
     */
    record Prune(PeerId origin) implements GossipMessage {
        /** A PRUNE of the shared tree. */
        public Prune() {
            this(null);
        }
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
