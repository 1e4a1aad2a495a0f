package io.mosaik.streams;

import io.mosaik.discovery.PeerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Configures a {@link Consumer}; obtained from {@link Streams#consumer(Class)}.
 *
 * <pre>{@code
 * Consumer<Quote> quotes = network.streams().consumer(Quote.class)
 *         .streamId("quotes")
 *         .require(peer -> peer.hasTags(Tag.of("exchange")))
 *         .build();
 * }</pre>
 *
 * @param <D> the datum type
 */
public final class ConsumerBuilder<D> {

    private final Streams streams;
    private final Class<D> type;
    private StreamId streamId;
    private final List<Predicate<PeerInfo>> require = new ArrayList<>();
    private UnaryOperator<ChannelConditions> onlineWhen = conditions -> conditions.minimumOf(0);
    private Backoff backoff;
    private int bufferSize = 1_024;

    ConsumerBuilder(Streams streams, Class<D> type, Backoff backoff) {
        this.streams = streams;
        this.type = Objects.requireNonNull(type, "type");
        this.streamId = StreamId.of(type);
        this.backoff = backoff;
    }

    /** The stream's name (default: the datum class's fully qualified name). */
    public ConsumerBuilder<D> streamId(String name) {
        return streamId(StreamId.of(name));
    }

    /** The stream's id. */
    public ConsumerBuilder<D> streamId(StreamId id) {
        this.streamId = Objects.requireNonNull(id, "id");
        return this;
    }

    /**
     * Only producers passing {@code predicate} are subscribed to; re-checked on every catalog change
     * (failing ⇒ unsubscribed). Several calls are and-ed. A predicate that throws refuses.
     */
    public ConsumerBuilder<D> require(Predicate<PeerInfo> predicate) {
        require.add(Objects.requireNonNull(predicate, "predicate"));
        return this;
    }

    /** When the consumer counts as online (default: always, i.e. at least 0 producers). */
    public ConsumerBuilder<D> onlineWhen(UnaryOperator<ChannelConditions> condition) {
        this.onlineWhen = Objects.requireNonNull(condition, "condition");
        return this;
    }

    /** How to wait between reconnection attempts to a producer (default {@link Backoff#defaults()}). */
    public ConsumerBuilder<D> backoff(Backoff policy) {
        this.backoff = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * How many received datums may wait for the application (default 1,024; besides, each subscription's
     * receiver may hold up to 64 that arrived together while it queues them). When they are all waiting,
     * the consumer stops reading from its producers: flow control then holds their sending back, and a
     * producer that cannot queue any more disconnects this consumer as too slow (or drops datums for it).
     * Memory stays bounded either way.
     */
    public ConsumerBuilder<D> bufferSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1, was " + size);
        }
        this.bufferSize = size;
        return this;
    }

    /** Creates the consumer; it subscribes to every eligible producer it finds in the catalog, from now on. */
    public Consumer<D> build() {
        return streams.register(new ConsumerConfig(streamId, type, bufferSize, backoff), type, List.copyOf(require),
                onlineWhen);
    }
}
