package io.mosaik.streams;

import io.mosaik.discovery.PeerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Configures a {@link Producer}; obtained from {@link Streams#producer(Class)}.
 *
 * <pre>{@code
 * Producer<Quote> quotes = network.streams().producer(Quote.class)
 *         .streamId("quotes")
 *         .require(peer -> peer.hasTags(Tag.of("trader")))
 *         .maxConsumers(16)
 *         .build();
 * }</pre>
 *
 * @param <D> the datum type
 */
public final class ProducerBuilder<D> {

    private final Streams streams;
    private final Class<D> type;
    private StreamId streamId;
    private final List<Predicate<PeerInfo>> require = new ArrayList<>();
    private UnaryOperator<ChannelConditions> onlineWhen = conditions -> conditions.minimumOf(1);
    private boolean disconnectLagging = true;
    private int bufferSize = 1_024;
    private int maxConsumers = Integer.MAX_VALUE;
    private Consumer<D> undelivered;

    ProducerBuilder(Streams streams, Class<D> type) {
        this.streams = streams;
        this.type = Objects.requireNonNull(type, "type");
        this.streamId = StreamId.of(type);
    }

    /** The stream's name (default: the datum class's fully qualified name). */
    public ProducerBuilder<D> streamId(String name) {
        return streamId(StreamId.of(name));
    }

    /** The stream's id. */
    public ProducerBuilder<D> streamId(StreamId id) {
        this.streamId = Objects.requireNonNull(id, "id");
        return this;
    }

    /**
     * Only consumers passing {@code predicate} may subscribe; checked when they subscribe and again on
     * every change of their catalog entry (failing ⇒ disconnected with {@code NotAllowed}). Several calls
     * are and-ed. A predicate that throws refuses.
     */
    public ProducerBuilder<D> require(Predicate<PeerInfo> predicate) {
        require.add(Objects.requireNonNull(predicate, "predicate"));
        return this;
    }

    /**
     * When the producer is online, i.e. when {@link Producer#send} sends rather than waits (default: at
     * least one connected consumer).
     */
    public ProducerBuilder<D> onlineWhen(UnaryOperator<ChannelConditions> condition) {
        this.onlineWhen = Objects.requireNonNull(condition, "condition");
        return this;
    }

    /**
     * What happens to a consumer whose queue overflows: disconnected with {@code TooSlow} ({@code true},
     * the default; it reconnects with backoff) or it just misses datums ({@code false}). Either way the
     * other consumers are not slowed down.
     */
    public ProducerBuilder<D> disconnectLagging(boolean disconnect) {
        this.disconnectLagging = disconnect;
        return this;
    }

    /** The capacity of each subscription's queue (default 1,024 datums). */
    public ProducerBuilder<D> bufferSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1, was " + size);
        }
        this.bufferSize = size;
        return this;
    }

    /** The most consumers at once (default unlimited); more are refused with {@code NoCapacity}. */
    public ProducerBuilder<D> maxConsumers(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConsumers must be at least 1, was " + max);
        }
        this.maxConsumers = max;
        return this;
    }

    /** Receives every datum that reached no consumer (none subscribed). Called on the sending thread. */
    public ProducerBuilder<D> undelivered(Consumer<D> sink) {
        this.undelivered = Objects.requireNonNull(sink, "sink");
        return this;
    }

    /**
     * Creates the producer and adds the stream to this node's catalog entry.
     *
     * @return the producer
     * @throws ProducerExistsException if this node already produces the stream
     */
    public Producer<D> build() {
        ProducerConfig config = new ProducerConfig(streamId, type, bufferSize, disconnectLagging, maxConsumers);
        return streams.register(config, type, List.copyOf(require), onlineWhen, undelivered);
    }
}
