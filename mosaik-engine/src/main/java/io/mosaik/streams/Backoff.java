package io.mosaik.streams;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * How a consumer waits between attempts to (re)connect to a producer: exponential, randomized, capped,
 * and given up after a total time (spec §3.6 defaults: 500 ms, x1.5, ±50 %, at most 60 s between
 * attempts, give up after 300 s without a datum).
 *
 * @param initial        the first wait
 * @param multiplier     how much each wait grows
 * @param randomization  the fraction each wait is randomized by, in [0, 1)
 * @param maxInterval    the longest single wait
 * @param maxElapsed     after this long without success, give up
 */
public record Backoff(Duration initial, double multiplier, double randomization, Duration maxInterval,
        Duration maxElapsed) {

    /** Validates. */
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(maxInterval, "maxInterval");
        Objects.requireNonNull(maxElapsed, "maxElapsed");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("the initial backoff must be positive, was " + initial);
        }
        if (multiplier < 1) {
            throw new IllegalArgumentException("the backoff multiplier must be at least 1, was " + multiplier);
        }
        if (randomization < 0 || randomization >= 1) {
            throw new IllegalArgumentException("the backoff randomization must be in [0, 1), was " + randomization);
        }
    }

    /** The defaults of the original. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(500), 1.5, 0.5, Duration.ofSeconds(60), Duration.ofSeconds(300));
    }

    /** A running backoff: the next wait, until given up. Not thread-safe. */
    final class Attempts {
        private final RandomGenerator random;
        private long startedNanos = System.nanoTime();
        private double currentMillis = initial.toMillis();

        Attempts(RandomGenerator random) {
            this.random = random;
        }

        /** The next wait in milliseconds, or empty once {@code maxElapsed} has passed. */
        OptionalLong next() {
            if (System.nanoTime() - startedNanos > maxElapsed.toNanos()) {
                return OptionalLong.empty();
            }
            double delta = currentMillis * randomization;
            long wait = Math.round(currentMillis - delta + random.nextDouble() * 2 * delta);
            currentMillis = Math.min(currentMillis * multiplier, maxInterval.toMillis());
            return OptionalLong.of(Math.max(0, wait));
        }

        /** Starts over (after a datum arrived). */
        void reset() {
            startedNanos = System.nanoTime();
            currentMillis = initial.toMillis();
        }
    }
}
