package io.mosaik.streams;

import io.mosaik.discovery.PeerEntry;
import io.mosaik.primitives.PeerId;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** The mutable state behind a {@link ChannelInfo}; counters are bumped by the one thread moving its datums. */
final class Channel {

    final StreamId streamId;
    final PeerId producer;
    final PeerId consumer;
    final PeerEntry peer;
    private volatile ChannelState state = ChannelState.CONNECTING;
    private volatile long connectedAtNanos;
    private final AtomicLong datums = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    Channel(StreamId streamId, PeerId producer, PeerId consumer, PeerEntry peer) {
        this.streamId = streamId;
        this.producer = producer;
        this.consumer = consumer;
        this.peer = peer;
    }

    ChannelState state() {
        return state;
    }

    void state(ChannelState next) {
        if (next == ChannelState.CONNECTED) {
            connectedAtNanos = System.nanoTime();
        }
        state = next;
    }

    void counted(int payloadBytes) {
        counted(1, payloadBytes);
    }

    void counted(int datumCount, long payloadBytes) {
        datums.addAndGet(datumCount);
        bytes.addAndGet(payloadBytes);
    }

    Stats stats() {
        Optional<Duration> uptime = state == ChannelState.CONNECTED
                ? Optional.of(Duration.ofNanos(System.nanoTime() - connectedAtNanos)) : Optional.empty();
        return new Stats(datums.get(), bytes.get(), uptime);
    }

    ChannelInfo info() {
        return new ChannelInfo(streamId, producer, consumer, peer, state, stats());
    }
}
