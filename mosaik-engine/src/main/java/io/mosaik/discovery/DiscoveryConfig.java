package io.mosaik.discovery;

import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Discovery settings, with the defaults of the original (spec §2.14).
 *
 * @param tags             the node's role tags
 * @param purgeAfter       a peer not heard of for this long is dropped from the catalog (300 s)
 * @param announceInterval how often the node re-announces itself and syncs with a random known peer
 *                         (45 s)
 * @param announceJitter   the fraction of the interval added or removed at random (0.5)
 */
public record DiscoveryConfig(List<Tag> tags, Duration purgeAfter, Duration announceInterval, double announceJitter) {

    /** Validates the components. */
    public DiscoveryConfig {
        tags = List.copyOf(Objects.requireNonNull(tags, "tags"));
        if (purgeAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("purge-after must be at least 1s, was " + purgeAfter);
        }
        if (announceInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("announce-interval must be at least 100ms, was " + announceInterval);
        }
        if (announceJitter < 0 || announceJitter >= 1) {
            throw new IllegalArgumentException("announce-jitter must be in [0, 1), was " + announceJitter);
        }
    }

    /** The defaults: no tags, 300 s, 45 s, 0.5. */
    public static DiscoveryConfig defaults() {
        return new DiscoveryConfig(List.of(), Duration.ofSeconds(300), Duration.ofSeconds(45), 0.5);
    }

    /** These settings with other tags. */
    public DiscoveryConfig withTags(List<Tag> newTags) {
        return new DiscoveryConfig(newTags, purgeAfter, announceInterval, announceJitter);
    }
}
