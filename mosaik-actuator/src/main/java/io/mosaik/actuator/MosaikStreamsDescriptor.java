package io.mosaik.actuator;

import io.mosaik.streams.ChannelInfo;
import io.mosaik.streams.Consumer;
import io.mosaik.streams.Producer;
import io.mosaik.streams.Stats;
import io.mosaik.streams.Streams;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The {@code streams} section of {@code /actuator/mosaik}: this node's producers and consumers, each with
 * its subscriptions.
 *
 * @param producers the streams this node produces
 * @param consumers the consumers open on this node
 */
public record MosaikStreamsDescriptor(List<ProducerView> producers, List<ConsumerView> consumers) {

    /**
     * Describes a node's streams as they are now.
     *
     * @param streams the node's streams
     * @return the description
     */
    public static MosaikStreamsDescriptor of(Streams streams) {
        return new MosaikStreamsDescriptor(streams.producers().stream().map(ProducerView::of).toList(),
                streams.consumers().stream().map(ConsumerView::of).toList());
    }

    /**
     * One producer.
     *
     * @param stream      the stream's name
     * @param streamId    its id, 64 hex characters
     * @param type        the datum class
     * @param online      whether it sends (its online condition holds)
     * @param subscribers its subscriptions, by consumer
     */
    public record ProducerView(String stream, String streamId, String type, boolean online,
            List<ChannelView> subscribers) {
        static ProducerView of(Producer<?> producer) {
            return new ProducerView(producer.streamId().name(), producer.streamId().digest().toHex(),
                    producer.config().datumType().getName(), producer.isOnline(),
                    producer.consumers().stream().map(channel -> ChannelView.of(channel, true)).toList());
        }
    }

    /**
     * One consumer.
     *
     * @param stream    the stream's name
     * @param streamId  its id, 64 hex characters
     * @param type      the datum class
     * @param online    whether its online condition holds
     * @param taken     datums and bytes the application took
     * @param producers its subscriptions, by producer
     */
    public record ConsumerView(String stream, String streamId, String type, boolean online, StatsView taken,
            List<ChannelView> producers) {
        static ConsumerView of(Consumer<?> consumer) {
            return new ConsumerView(consumer.streamId().name(), consumer.streamId().digest().toHex(),
                    consumer.config().datumType().getName(), consumer.isOnline(), StatsView.of(consumer.stats()),
                    consumer.producers().stream().map(channel -> ChannelView.of(channel, false)).toList());
        }
    }

    /**
     * One subscription, seen from this node.
     *
     * @param peer  the peer id at the other end
     * @param state {@code CONNECTING}, {@code CONNECTED} or {@code TERMINATED}
     * @param stats what went through it
     */
    public record ChannelView(String peer, String state, StatsView stats) {
        static ChannelView of(ChannelInfo channel, boolean producing) {
            return new ChannelView((producing ? channel.consumer() : channel.producer()).toHex(),
                    channel.state().name(), StatsView.of(channel.stats()));
        }
    }

    /**
     * Counts.
     *
     * @param datums datums
     * @param bytes  payload bytes
     * @param uptime how long connected (ISO-8601), or {@code null}
     */
    public record StatsView(long datums, long bytes, String uptime) {
        static StatsView of(Stats stats) {
            return new StatsView(stats.datums(), stats.bytes(),
                    stats.uptime().map(uptime -> uptime.truncatedTo(ChronoUnit.MILLIS).toString()).orElse(null));
        }
    }
}
