package io.mosaik.streams;

/**
 * A consumer's settings, as built.
 *
 * @param streamId   the stream
 * @param datumType  the class its datums decode into
 * @param bufferSize how many received datums may wait for the application
 * @param backoff    how it waits between reconnection attempts
 */
public record ConsumerConfig(StreamId streamId, Class<?> datumType, int bufferSize, Backoff backoff) {
}
