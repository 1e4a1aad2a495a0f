package io.mosaik.discovery;

import io.mosaik.primitives.PeerId;

/** A change in what a node knows about its network, as delivered to {@link Discovery#subscribe}. */
public sealed interface DiscoveryEvent {

    /** The peer the event is about. */
    PeerId peer();

    /**
     * A peer this node did not know.
     *
     * @param entry its signed entry
     */
    record PeerDiscovered(SignedPeerEntry entry) implements DiscoveryEvent {
        @Override
        public PeerId peer() {
            return entry.entry().peerId();
        }
    }

    /**
     * A newer entry of a known peer.
     *
     * @param entry its new signed entry
     */
    record PeerUpdated(SignedPeerEntry entry) implements DiscoveryEvent {
        @Override
        public PeerId peer() {
            return entry.entry().peerId();
        }
    }

    /**
     * A peer left the catalog: it departed, or it went silent for longer than the purge interval.
     *
     * @param peer the peer
     */
    record PeerDeparted(PeerId peer) implements DiscoveryEvent {
    }
}
