package io.mosaik.streams;

/**
 * {@link ProducerBuilder#build()} was called for a stream this node already produces; one node has one
 * producer per stream. {@link #existing()} is that producer (use it, or {@link Streams#produce}, which
 * returns it).
 */
public final class ProducerExistsException extends IllegalStateException {

    private final transient Producer<?> existing;

    ProducerExistsException(Producer<?> existing) {
        super("this node already produces stream '" + existing.streamId() + "' (one producer per stream and node): "
                + "use the existing producer, for example through streams.produce(type)");
        this.existing = existing;
    }

    /** The producer this node already has for the stream. */
    public Producer<?> existing() {
        return existing;
    }
}
