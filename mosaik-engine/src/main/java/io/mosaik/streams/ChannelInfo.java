package io.mosaik.streams;

import io.mosaik.discovery.PeerEntry;
import io.mosaik.primitives.PeerId;
import java.util.Objects;

/**
 * One subscription as seen from either end, at one moment.
 *
 * @param streamId the stream
 * @param producer the producing node
 * @param consumer the consuming node
 * @param peer     the other end's catalog entry as of when the channel was opened
 * @param state    where the channel is
 * @param stats    what went through it
 */
public record ChannelInfo(StreamId streamId, PeerId producer, PeerId consumer, PeerEntry peer, ChannelState state,
        Stats stats) {

    /** Validates. */
    public ChannelInfo {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stats, "stats");
    }

    /** Whether datums flow. */
    public boolean isConnected() {
        return state == ChannelState.CONNECTED;
    }
}
