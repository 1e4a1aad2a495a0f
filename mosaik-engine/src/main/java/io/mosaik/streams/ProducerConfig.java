package io.mosaik.streams;

/**
 * A producer's settings, as built.
 *
 * @param streamId          the stream
 * @param datumType         the class of its datums
 * @param bufferSize        capacity of each subscription's queue
 * @param disconnectLagging whether a consumer whose queue overflows is disconnected ({@code TooSlow})
 *                          rather than just missing datums
 * @param maxConsumers      the most subscriptions at once
 */
public record ProducerConfig(StreamId streamId, Class<?> datumType, int bufferSize, boolean disconnectLagging,
        int maxConsumers) {
}
