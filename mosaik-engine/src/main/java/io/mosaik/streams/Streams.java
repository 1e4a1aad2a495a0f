package io.mosaik.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.codec.Codec;
import io.mosaik.discovery.Discovery;
import io.mosaik.discovery.DiscoveryEvent;
import io.mosaik.discovery.PeerEntry;
import io.mosaik.discovery.PeerInfo;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed publish/subscribe between nodes (spec §3), obtained from {@link Network#streams()}.
 *
 * <pre>{@code
 * Producer<Quote> quotes = network.streams().produce(Quote.class);      // on the exchange nodes
 * quotes.send(new Quote("ACME", 12.5));
 *
 * try (Consumer<Quote> in = network.streams().consume(Quote.class)) {   // on any other node
 *     Quote next = in.next();
 * }
 * }</pre>
 *
 * <p>A producer adds its stream to the node's catalog entry; every consumer of that stream on the network
 * subscribes to it over {@value #PROTOCOL}. Datums are encoded with the network's codec (CBOR by
 * default), so any Jackson-serializable record or class is a datum.
 */
public final class Streams implements AutoCloseable {

    /** The protocol subscriptions are opened for. */
    public static final String PROTOCOL = "/mosaik/streams/1.0";

    private static final Logger log = LoggerFactory.getLogger(Streams.class);

    private final Network network;
    private final Codec codec;
    private final MeterRegistry registry;
    private final Backoff backoff;
    private final ConcurrentHashMap<Digest, Producer<?>> producers = new ConcurrentHashMap<>();
    private final List<Consumer<?>> consumers = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<StreamId, StreamMetrics> metrics = new ConcurrentHashMap<>();
    private final ExecutorService virtualThreads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("mosaik-streams-", 0).factory());
    private final ExecutorService serial = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("mosaik-streams").factory());
    private final AtomicInteger activeProducers = new AtomicInteger();
    private final Counter accepted;
    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * Creates the streams of a network; {@link Network} does this, applications call
     * {@link Network#streams()}.
     *
     * @param network  the network
     * @param codec    how datums are encoded
     * @param backoff  the default reconnection policy of consumers
     * @param registry where meters go
     */
    public Streams(Network network, Codec codec, Backoff backoff, MeterRegistry registry) {
        this.network = Objects.requireNonNull(network, "network");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.accepted = Counter.builder("mosaik.streams.connections.accepted")
                .description("Inbound subscriptions that passed the protocol checks").register(registry);
        Gauge.builder("mosaik.streams.producers.active", activeProducers, AtomicInteger::get)
                .description("Streams this node produces").register(registry);
        Gauge.builder("mosaik.streams.consumers.active", consumers, List::size)
                .description("Open consumers on this node").register(registry);
    }

    /**
     * Serves the protocol and starts following the catalog; called by the network once it runs. Producers
     * and consumers created before (in a Spring context, beans are created before the node starts) are
     * advertised and started now.
     */
    public synchronized void start() {
        if (started) {
            return;
        }
        network.handle(PROTOCOL, this::serve);
        network.discovery().subscribe(this::catalogChanged);
        producers.values().forEach(producer -> network.discovery().addStream(producer.streamId().digest()));
        consumers.forEach(Consumer::start);
        started = true;
    }

    /**
     * The node's producer of {@code type}'s default stream: the existing one, or a new one with default
     * settings.
     *
     * @throws IllegalStateException if the stream is produced with another datum type
     */
    public <D> Producer<D> produce(Class<D> type) {
        try {
            return producer(type).build();
        } catch (ProducerExistsException e) {
            return cast(e.existing(), type);
        }
    }

    /** A builder for a producer of {@code type}. */
    public <D> ProducerBuilder<D> producer(Class<D> type) {
        return new ProducerBuilder<>(this, type);
    }

    /** A new consumer of {@code type}'s default stream, with default settings. */
    public <D> Consumer<D> consume(Class<D> type) {
        return consumer(type).build();
    }

    /** A builder for a consumer of {@code type}. */
    public <D> ConsumerBuilder<D> consumer(Class<D> type) {
        return new ConsumerBuilder<>(this, type, backoff);
    }

    /** This node's producers. */
    public List<Producer<?>> producers() {
        return List.copyOf(producers.values());
    }

    /** This node's open consumers. */
    public List<Consumer<?>> consumers() {
        return List.copyOf(consumers);
    }

    /** Closes every producer and consumer of this node. */
    @Override
    public void close() {
        closed = true;
        producers.values().forEach(Producer::close);
        consumers.forEach(Consumer::close);
        serial.shutdownNow();
        virtualThreads.shutdownNow();
    }

    // --- used by producers and consumers ---------------------------------------------------------

    synchronized <D> Producer<D> register(ProducerConfig config, Class<D> type, List<Predicate<PeerInfo>> require,
            UnaryOperator<ChannelConditions> onlineWhen, java.util.function.Consumer<D> undelivered) {
        requireOpen();
        Producer<D> created = new Producer<>(this, config, type, require, onlineWhen, undelivered, codec,
                metrics(config.streamId()));
        Producer<?> existing = producers.putIfAbsent(config.streamId().digest(), created);
        if (existing != null) {
            throw new ProducerExistsException(existing);
        }
        activeProducers.incrementAndGet();
        Digest stream = config.streamId().digest();
        Gauge.builder("mosaik.streams.producer.consumers", producers, all -> {
            Producer<?> current = all.get(stream);
            return current == null ? 0 : current.consumers().size();
        }).description("Subscriptions of this node's producer").tag("stream", config.streamId().shortName())
                .register(registry);
        if (started) {
            network.discovery().addStream(config.streamId().digest());
        }
        log.info("producing stream '{}' ({})", config.streamId(), type.getName());
        return created;
    }

    synchronized <D> Consumer<D> register(ConsumerConfig config, Class<D> type, List<Predicate<PeerInfo>> require,
            UnaryOperator<ChannelConditions> onlineWhen) {
        requireOpen();
        Consumer<D> created = new Consumer<>(this, config, type, require, onlineWhen, codec,
                metrics(config.streamId()));
        consumers.add(created);
        if (started) {
            created.start();
        }
        return created;
    }

    void unregister(Producer<?> producer) {
        if (producers.remove(producer.streamId().digest(), producer)) {
            activeProducers.decrementAndGet();
        }
    }

    void unregister(Consumer<?> consumer) {
        consumers.remove(consumer);
    }

    Network network() {
        return network;
    }

    Discovery discovery() {
        return network.discovery();
    }

    PeerId localPeer() {
        return network.peerId();
    }

    ExecutorService virtualThreads() {
        return virtualThreads;
    }

    ExecutorService serial() {
        return serial;
    }

    byte[] startMessage(StreamId stream) {
        return new StreamWire.Start(network.networkId(), stream.digest()).encode();
    }

    PeerInfo peerInfo(PeerEntry entry) {
        return new PeerInfo(entry, discovery().rtt(entry.peerId()));
    }

    // --- the acceptor ----------------------------------------------------------------------------

    private void serve(Link link) throws IOException {
        Optional<PeerEntry> consumer = known(link.peer());
        if (consumer.isEmpty()) {
            reject(link, CloseReason.UNKNOWN_PEER, "unknown-peer");
            return;
        }
        StreamWire.Handshake handshake;
        try {
            handshake = StreamWire.Handshake.decode(link.receiveBytes());
        } catch (IllegalArgumentException e) {
            reject(link, CloseReason.PROTOCOL_VIOLATION, "malformed");
            return;
        }
        if (!handshake.network().equals(network.networkId())) {
            reject(link, CloseReason.DIFFERENT_NETWORK, "different-network");
            return;
        }
        Producer<?> producer = producers.get(handshake.stream());
        if (producer == null) {
            reject(link, CloseReason.STREAM_NOT_FOUND, "stream-not-found");
            return;
        }
        accepted.increment();
        producer.serve(link, peerInfo(consumer.get()));
    }

    /** The consumer's entry as the catalog's RTT-filtered view has it (spec §3.5: {@code catalog.get}). */
    private Optional<PeerEntry> known(PeerId peer) {
        return discovery().peer(peer).map(PeerInfo::entry);
    }

    private void reject(Link link, CloseReason reason, String metric) {
        rejected.computeIfAbsent(metric, key -> Counter.builder("mosaik.streams.connections.rejected")
                .description("Inbound subscriptions refused by the protocol checks").tag("reason", key)
                .register(registry)).increment();
        log.debug("refusing a subscription from {}: {}", link.peer().toShortString(), reason);
        link.close(reason);
    }

    private void catalogChanged(DiscoveryEvent event) {
        if (event instanceof DiscoveryEvent.PeerUpdated updated) {
            PeerInfo info = peerInfo(updated.entry().entry());
            producers.values().forEach(producer -> {
                if (producer.hasConsumer(info.peerId())) {
                    serial.execute(() -> producer.recheck(info));
                }
            });
        }
    }

    private StreamMetrics metrics(StreamId id) {
        return metrics.computeIfAbsent(id, key -> new StreamMetrics(registry, key));
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the network was closed: its streams cannot take new producers or consumers");
        }
    }

    @SuppressWarnings("unchecked")
    private static <D> Producer<D> cast(Producer<?> producer, Class<D> type) {
        if (!producer.type().equals(type)) {
            throw new IllegalStateException("stream '" + producer.streamId() + "' is produced on this node with "
                    + producer.type().getName() + ", not " + type.getName() + "; use one datum type per stream");
        }
        return (Producer<D>) producer;
    }
}
