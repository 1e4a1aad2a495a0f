package io.mosaik.discovery;

import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A peer as predicates see it (spec §2.10): its catalog entry and, if it was measured, its smoothed
 * round-trip time.
 *
 * @param entry the peer's entry
 * @param rtt   its smoothed round-trip time (RFC 6298's SRTT over discovery's pings), if measured
 */
public record PeerInfo(PeerEntry entry, Optional<Duration> rtt) {

    /** Validates. */
    public PeerInfo {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(rtt, "rtt");
    }

    /** The peer's id. */
    public PeerId peerId() {
        return entry.peerId();
    }

    /** Whether the peer carries every one of these tags. */
    public boolean hasTags(Tag... tags) {
        return Arrays.stream(tags).allMatch(entry::hasTag);
    }

    /** True when no round trip was measured yet (optimistic, as in the original), else whether it is below. */
    public boolean rttBelow(Duration limit) {
        return rtt.map(measured -> measured.compareTo(limit) < 0).orElse(true);
    }
}
