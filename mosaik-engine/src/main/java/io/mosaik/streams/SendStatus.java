package io.mosaik.streams;

/** What {@link Producer#trySend} did with a datum. */
public enum SendStatus {
    /** Handed to every subscription (or, with no subscription, to the undelivered sink if any). */
    SENT,
    /** Not sent: the producer is offline (its {@code onlineWhen} condition does not hold). */
    OFFLINE,
    /** Not sent to anyone: every subscription's queue was full (only with {@code disconnectLagging(false)}). */
    FULL,
    /** Not sent: the producer was closed. */
    CLOSED
}
