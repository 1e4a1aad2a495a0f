package io.mosaik.streams;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts of one channel, or of all channels of a consumer, at one moment.
 *
 * @param datums how many datums went through
 * @param bytes  their payload bytes (encoded datums, without framing)
 * @param uptime how long the channel has been connected; empty when it is not
 */
public record Stats(long datums, long bytes, Optional<Duration> uptime) {

    /** Validates. */
    public Stats {
        Objects.requireNonNull(uptime, "uptime");
    }

    @Override
    public String toString() {
        return "uptime: " + uptime.map(Duration::toString).orElse("-") + ", datums: " + datums + ", bytes: " + bytes;
    }
}
