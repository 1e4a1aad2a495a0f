package io.mosaik.groups.raft;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link FileLogStorage} forces what it wrote to the disk ({@code fsync}) in
 * {@link LogStorage#sync()}. Every policy hands everything to the operating system in {@code sync()}, so
 * nothing that {@code sync()} returned for is lost when the <em>process</em> crashes ({@code kill -9},
 * an out-of-memory error); the policies differ in what a <em>power failure</em> or kernel crash may
 * take.
 *
 * <ul>
 *   <li>{@link #ALWAYS}: every {@code sync()} that follows a change forces it to the disk before it
 *       returns. What the node acknowledged (entries, votes) survives anything short of a broken disk.
 *       This is what Raft's safety argument assumes; one fsync per turn of the group's loop (group
 *       commit), so its cost is spread over every entry the turn appended.</li>
 *   <li>{@link #batched(Duration)}: {@code sync()} forces the log at most once per interval (the first
 *       {@code sync()} after the interval has passed does). The term and vote are still forced in the
 *       {@code sync()} that follows their change, so a node never votes twice in a term. Entries
 *       acknowledged in the last interval may be lost on a power failure; if that happens to a majority
 *       of the voters at once, an entry reported committed can be lost or replaced. Choose it when
 *       power failures of several nodes at once are not a concern (separate failure domains, or a
 *       battery-backed write cache) and fsync latency is.</li>
 *   <li>{@link #NEVER}: nothing is forced, not even the vote; the operating system writes back when it
 *       likes (about 30 s on Linux). After a power failure the log may have lost any suffix, and the
 *       node may vote twice in a term. For tests, benchmarks and throw-away clusters.</li>
 * </ul>
 *
 * <p>Sealing a full segment and compacting the log also force, except under {@code NEVER}.
 */
public sealed interface SyncPolicy permits SyncPolicy.Always, SyncPolicy.Batched, SyncPolicy.Never {

    /** Force in every {@code sync()} after a change: nothing acknowledged is ever lost. */
    SyncPolicy ALWAYS = new Always();

    /** Never force: a process crash loses nothing acknowledged, a power failure may lose anything. */
    SyncPolicy NEVER = new Never();

    /**
     * Force the log at most once per interval (the term and vote at once).
     *
     * @param interval the least time between two forces of the log; zero behaves as {@link #ALWAYS}
     * @return the policy
     */
    static SyncPolicy batched(Duration interval) {
        return new Batched(interval);
    }

    /** See {@link SyncPolicy#ALWAYS}. */
    record Always() implements SyncPolicy {
        @Override
        public String toString() {
            return "ALWAYS";
        }
    }

    /**
     * See {@link SyncPolicy#batched(Duration)}.
     *
     * @param interval the least time between two forces of the log, zero or more
     */
    record Batched(Duration interval) implements SyncPolicy {
        /** Validates. */
        public Batched {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("negative interval: " + interval);
            }
        }

        @Override
        public String toString() {
            boolean millis = interval.toNanos() % 1_000_000 == 0;
            return "BATCHED(" + (millis ? interval.toMillis() + " ms" : interval.toNanos() + " ns") + ")";
        }
    }

    /** See {@link SyncPolicy#NEVER}. */
    record Never() implements SyncPolicy {
        @Override
        public String toString() {
            return "NEVER";
        }
    }
}
