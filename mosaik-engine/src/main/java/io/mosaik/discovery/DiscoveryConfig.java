package io.mosaik.discovery;

import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Discovery settings, with the defaults of the original (spec §2.14). Start from {@link #defaults()} and
 * change what you need with the {@code with...} methods.
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
 */
public record DiscoveryConfig(List<Tag> tags, Duration purgeAfter, Duration announceInterval, double announceJitter,
        Duration maxTimeDrift, Duration rttProbeInterval) {

    /** Validates the components; every message names the property it is about. */
    public DiscoveryConfig {
        tags = List.copyOf(Objects.requireNonNull(tags, "tags"));
        Objects.requireNonNull(purgeAfter, "purgeAfter");
        Objects.requireNonNull(announceInterval, "announceInterval");
        Objects.requireNonNull(maxTimeDrift, "maxTimeDrift");
        Objects.requireNonNull(rttProbeInterval, "rttProbeInterval");
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
    }

    /** The defaults: no tags, purge after 300 s, announce every 45 s ± 50 %, 50 s drift, probe every 30 s. */
    public static DiscoveryConfig defaults() {
        return new DiscoveryConfig(List.of(), Duration.ofSeconds(300), Duration.ofSeconds(45), 0.5,
                Duration.ofSeconds(50), Duration.ofSeconds(30));
    }

    /** These settings with other tags. */
    public DiscoveryConfig withTags(List<Tag> newTags) {
        return new DiscoveryConfig(newTags, purgeAfter, announceInterval, announceJitter, maxTimeDrift,
                rttProbeInterval);
    }

    /** These settings with another purge interval. */
    public DiscoveryConfig withPurgeAfter(Duration value) {
        return new DiscoveryConfig(tags, value, announceInterval, announceJitter, maxTimeDrift, rttProbeInterval);
    }

    /** These settings with another announce interval and jitter. */
    public DiscoveryConfig withAnnounceInterval(Duration value, double jitter) {
        return new DiscoveryConfig(tags, purgeAfter, value, jitter, maxTimeDrift, rttProbeInterval);
    }

    /** These settings with another allowed clock drift. */
    public DiscoveryConfig withMaxTimeDrift(Duration value) {
        return new DiscoveryConfig(tags, purgeAfter, announceInterval, announceJitter, value, rttProbeInterval);
    }

    /** These settings with another RTT probe interval. */
    public DiscoveryConfig withRttProbeInterval(Duration value) {
        return new DiscoveryConfig(tags, purgeAfter, announceInterval, announceJitter, maxTimeDrift, value);
    }
}
