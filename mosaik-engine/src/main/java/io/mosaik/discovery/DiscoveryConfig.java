package io.mosaik.discovery;

import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Discovery settings, with the defaults of the original (spec §2.14). Start from {@link #defaults()} and
 * change what you need with the {@code with...} methods.
 *
 * <p>The original's {@code no_dht_bootstrap} has no counterpart: bootstrap through the Mainline DHT is
 * not implemented, so a node learns its network from its bootstrap peers only.
 *
 * @param tags             the node's role tags
 * @param purgeAfter       a peer not heard of for this long is dropped from the catalog (300 s)
 * @param announceInterval how often the node re-announces itself and syncs with a random known peer
 *                         (45 s)
 * @param announceJitter   the fraction of the interval added or removed at random (0.5)
 * @param maxTimeDrift     a gossiped entry or departure whose timestamp is further than this from the
 *                         local clock is ignored (50 s)
 * @param rttProbeInterval how often every known peer is pinged for a round-trip sample; the actual
 *                         period is drawn from half to one and a half of it (30 s)
 * @param maxRtt           a peer whose smoothed round-trip time is above this is hidden from
 *                         {@link Discovery#peers()}, {@link Discovery#peer}, {@link Discovery#peersCount()}
 *                         and so from stream consumers and producers, but not from
 *                         {@link Catalog#signedPeers} (groups); a peer not measured yet is kept (none: no
 *                         peer is hidden)
 * @param eventsBacklog    how many events a receiver of {@link Discovery#events()} may fall behind; beyond
 *                         that the oldest are dropped and the receiver is told how many it missed (100)
 */
public record DiscoveryConfig(List<Tag> tags, Duration purgeAfter, Duration announceInterval, double announceJitter,
        Duration maxTimeDrift, Duration rttProbeInterval, Optional<Duration> maxRtt, int eventsBacklog) {

    /** Validates the components; every message names the property it is about. */
    public DiscoveryConfig {
        tags = List.copyOf(Objects.requireNonNull(tags, "tags"));
        Objects.requireNonNull(purgeAfter, "purgeAfter");
        Objects.requireNonNull(announceInterval, "announceInterval");
        Objects.requireNonNull(maxTimeDrift, "maxTimeDrift");
        Objects.requireNonNull(rttProbeInterval, "rttProbeInterval");
        Objects.requireNonNull(maxRtt, "maxRtt");
        if (purgeAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("purge-after must be at least 1s, was " + purgeAfter);
        }
        if (announceInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("announce-interval must be at least 100ms, was " + announceInterval);
        }
        if (announceJitter < 0 || announceJitter >= 1) {
            throw new IllegalArgumentException("announce-jitter must be in [0, 1), was " + announceJitter);
        }
        if (maxTimeDrift.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("max-time-drift must be at least 1s, was " + maxTimeDrift);
        }
        if (rttProbeInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("rtt-probe-interval must be at least 100ms, was " + rttProbeInterval);
        }
        if (maxRtt.isPresent() && (maxRtt.get().isNegative() || maxRtt.get().isZero())) {
            throw new IllegalArgumentException("max-rtt must be positive, was " + maxRtt.get());
        }
        if (eventsBacklog < 1) {
            throw new IllegalArgumentException("events-backlog must be at least 1, was " + eventsBacklog);
        }
    }

    /**
     * Whether {@link #maxRtt()} lets a peer be seen: always without a limit, and for a peer whose round trip
     * was not measured yet (optimistic, as in the original); else whether its round-trip time is at most
     * the limit.
     */
    public boolean withinMaxRtt(PeerInfo peer) {
        return maxRtt.isEmpty() || peer.rtt().isEmpty() || peer.rtt().get().compareTo(maxRtt.get()) <= 0;
    }

    /**
     * The defaults: no tags, purge after 300 s, announce every 45 s ± 50 %, 50 s drift, probe every 30 s,
     * no round-trip limit, a backlog of 100 events.
     */
    public static DiscoveryConfig defaults() {
        return new DiscoveryConfig(List.of(), Duration.ofSeconds(300), Duration.ofSeconds(45), 0.5,
                Duration.ofSeconds(50), Duration.ofSeconds(30), Optional.empty(), 100);
    }

    /** These settings with other tags. */
    public DiscoveryConfig withTags(List<Tag> newTags) {
        return new DiscoveryConfig(newTags, purgeAfter, announceInterval, announceJitter, maxTimeDrift,
                rttProbeInterval, maxRtt, eventsBacklog);
    }

    /** These settings with another purge interval. */
    public DiscoveryConfig withPurgeAfter(Duration value) {
        return new DiscoveryConfig(tags, value, announceInterval, announceJitter, maxTimeDrift, rttProbeInterval,
                maxRtt, eventsBacklog);
    }

    /** These settings with another announce interval and jitter. */
    public DiscoveryConfig withAnnounceInterval(Duration value, double jitter) {
        return new DiscoveryConfig(tags, purgeAfter, value, jitter, maxTimeDrift, rttProbeInterval, maxRtt,
                eventsBacklog);
    }

    /** These settings with another allowed clock drift. */
    public DiscoveryConfig withMaxTimeDrift(Duration value) {
        return new DiscoveryConfig(tags, purgeAfter, announceInterval, announceJitter, value, rttProbeInterval,
                maxRtt, eventsBacklog);
    }

    /** These settings with another RTT probe interval. */
    public DiscoveryConfig withRttProbeInterval(Duration value) {
        return new DiscoveryConfig(tags, purgeAfter, announceInterval, announceJitter, maxTimeDrift, value, maxRtt,
                eventsBacklog);
    }

    /** These settings hiding peers whose smoothed round-trip time is above {@code value}. */
    public DiscoveryConfig withMaxRtt(Duration value) {
        return new DiscoveryConfig(tags, purgeAfter, announceInterval, announceJitter, maxTimeDrift, rttProbeInterval,
                Optional.of(Objects.requireNonNull(value, "maxRtt")), eventsBacklog);
    }

    /** These settings with another backlog for {@link Discovery#events()} receivers. */
    public DiscoveryConfig withEventsBacklog(int value) {
        return new DiscoveryConfig(tags, purgeAfter, announceInterval, announceJitter, maxTimeDrift, rttProbeInterval,
                maxRtt, value);
    }
}
