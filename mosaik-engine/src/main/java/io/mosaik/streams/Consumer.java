package io.mosaik.streams;

import io.mosaik.codec.Codec;
import io.mosaik.discovery.PeerEntry;
import io.mosaik.discovery.PeerInfo;
import io.mosaik.network.Link;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one stream from every eligible producer in the network (spec §3.6): on start and on every
 * catalog change it subscribes to each producer whose entry lists the stream and passes the
 * {@code require} predicates, keeps each producer's order, and merges producers in arrival order.
 * The first subscription to a producer with no round-trip sample yet is preceded by a ping, so that
 * {@code require} predicates see its {@link io.mosaik.discovery.PeerInfo#rtt() rtt} (a producer that
 * does not answer the ping is subscribed to anyway, without one). Lost subscriptions are retried with
 * backoff; a producer that says {@code UnknownPeer} gets a catalog sync first.
 *
 * <p>Memory is bounded: at most {@code bufferSize} datums wait for the application; then the consumer
 * stops reading and flow control pushes back on the producers (see {@link ConsumerBuilder#bufferSize}).
 * Datums are decoded on the thread that takes them (receivers only move bytes, and several takers
 * decode in parallel); one that does not decode into the consumer's type is skipped there and counted
 * ({@code mosaik.streams.consumer.items.undecodable}).
 *
 * <p>Take datums with {@link #next()}, {@link #poll(Duration)}, {@link #stream()}, {@link #iterator()} or
 * {@link #publisher()}; each datum goes to one taker. {@link #close()} unsubscribes from everything.
 *
 * @param <D> the datum type
 */
public final class Consumer<D> implements AutoCloseable, Iterable<D> {

    private static final Logger log = LoggerFactory.getLogger(Consumer.class);
    private static final Object END = new Object();
    /** The most datums a receiver takes from its link at once (fewer if the buffer is smaller). */
    private static final int RECEIVE_BATCH = 64;

    private final Streams streams;
    private final ConsumerConfig config;
    private final Class<D> type;
    private final List<Predicate<PeerInfo>> require;
    private final Codec codec;
    private final StreamMetrics metrics;
    private final Channels channels = new Channels();
    private final ChannelConditions online;
    private final BlockingQueue<Object> delivery;
    private final ConcurrentHashMap<PeerId, Receiver> receivers = new ConcurrentHashMap<>();
    private final AtomicBoolean rescanPending = new AtomicBoolean();
    /** Producers pinged before a first subscription (touched by rescans only, which run one at a time). */
    private final Set<PeerId> pinging = new HashSet<>();
    private final Set<PeerId> pinged = new HashSet<>();
    private final AtomicBoolean published = new AtomicBoolean();
    private final AtomicLong datumsTaken = new AtomicLong();
    private final AtomicLong bytesTaken = new AtomicLong();
    private final long createdNanos = System.nanoTime();
    private final AtomicLong undecodableLogged = new AtomicLong();
    private volatile AutoCloseable catalogSubscription;
    private volatile boolean closed;

    Consumer(Streams streams, ConsumerConfig config, Class<D> type, List<Predicate<PeerInfo>> require,
            UnaryOperator<ChannelConditions> onlineWhen, Codec codec, StreamMetrics metrics) {
        this.streams = streams;
        this.config = config;
        this.type = type;
        this.require = require;
        this.codec = codec;
        this.metrics = metrics;
        // Separate locks for receivers and takers, and a wake-up only when the queue was empty (or full):
        // with a backlog, neither side disturbs the other (an ArrayBlockingQueue's one lock made them
        // contend on every datum).
        this.delivery = new LinkedBlockingQueue<>(config.bufferSize() + 1); // + END
        this.online = Objects.requireNonNull(onlineWhen.apply(ChannelConditions.of(channels, 0)),
                "onlineWhen returned null");
    }

    void start() {
        catalogSubscription = streams.discovery().subscribe(event -> rescanSoon());
        rescanSoon();
    }

    /** The stream. */
    public StreamId streamId() {
        return config.streamId();
    }

    /** The settings it was built with. */
    public ConsumerConfig config() {
        return config;
    }

    /** Whether the {@code onlineWhen} condition holds (by default always). */
    public boolean isOnline() {
        return !closed && online.isMet();
    }

    /** The subscriptions to producers, including those still connecting. */
    public List<ChannelInfo> producers() {
        return channels.snapshot();
    }

    /** What the application took so far; the uptime counts from the consumer's creation. */
    public Stats stats() {
        return new Stats(datumsTaken.get(), bytesTaken.get(), Optional.of(Duration.ofNanos(System.nanoTime()
                - createdNanos)));
    }

    /** Conditions on this consumer's subscriptions, as futures. */
    public When when() {
        return new When(channels, online);
    }

    /**
     * The next datum, waiting for one.
     *
     * @return the datum
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the consumer is closed
     */
    public D next() throws InterruptedException {
        while (true) {
            Object item = delivery.poll(); // waiting ones without take()'s interrupt check (costly on a virtual thread)
            D datum = unwrap(item != null ? item : delivery.take());
            if (datum != null) {
                return datum;
            }
        }
    }

    /**
     * The next datum, waiting at most {@code timeout}.
     *
     * @return the datum, or empty if none came in time
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if the consumer is closed
     */
    public Optional<D> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object item = delivery.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (item == null) {
                return Optional.empty();
            }
            D datum = unwrap(item);
            if (datum != null) {
                return Optional.of(datum);
            }
        }
    }

    /** The next datum if one is waiting, without waiting. */
    public Optional<D> tryNext() {
        while (true) {
            Object item = delivery.poll();
            if (item == null) {
                return Optional.empty();
            }
            D datum = unwrap(item);
            if (datum != null) {
                return Optional.of(datum);
            }
        }
    }

    /** A blocking iterator over the datums; {@code hasNext()} returns false once the consumer is closed. */
    @Override
    public Iterator<D> iterator() {
        return new Iterator<>() {
            private D next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    next = Consumer.this.next();
                    return true;
                } catch (IllegalStateException closedNow) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }

            @Override
            public D next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the consumer of '" + streamId() + "' is closed");
                }
                D taken = next;
                next = null;
                return taken;
            }
        };
    }

    /** A blocking, sequential stream of the datums, which ends when the consumer is closed. */
    public Stream<D> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED
                | Spliterator.NONNULL), false);
    }

    /**
     * The datums as a {@link Flow.Publisher} that honours demand: datums are taken from the consumer only
     * as the subscriber requests them. One subscriber per consumer; it completes when the consumer closes.
     */
    public Flow.Publisher<D> publisher() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            if (!published.compareAndSet(false, true)) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                subscriber.onError(new IllegalStateException("a consumer's publisher takes one subscriber"));
                return;
            }
            new PublisherLoop(subscriber).start();
        };
    }

    /** Unsubscribes from every producer; waiting takers get {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        AutoCloseable subscription = catalogSubscription;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("unsubscribing from the catalog failed: {}", e.toString());
            }
        }
        receivers.values().forEach(Receiver::cancel);
        streams.unregister(this);
        channels.closeWaiters("the consumer of '" + streamId() + "' was closed");
        delivery.clear();
        while (!delivery.offer(END)) {
            delivery.clear(); // a receiver put one more datum in between
        }
    }

    /**
     * Decodes a taken item on the taker's thread (so the receivers only move bytes, and several takers
     * decode in parallel); {@code null} if it does not decode: counted, logged now and then, skipped.
     */
    private D unwrap(Object item) {
        if (item == END || closed) { // a datum a receiver put in while the consumer closed is dropped
            delivery.offer(END); // for the other takers
            throw new IllegalStateException("the consumer of '" + streamId() + "' is closed");
        }
        Item taken = (Item) item;
        D datum;
        try {
            datum = codec.decode(taken.bytes, type);
        } catch (RuntimeException e) { // CodecException, or whatever a custom codec throws
            metrics.itemsUndecodable.increment();
            if (undecodableLogged.getAndIncrement() % 1_000 == 0) {
                log.warn("a datum from {} on '{}' does not decode into {} (skipped; {} so far): {}",
                        taken.producer.toShortString(), streamId(), type.getName(), undecodableLogged.get(),
                        e.getMessage());
            }
            return null;
        }
        datumsTaken.incrementAndGet();
        bytesTaken.addAndGet(taken.bytes.length);
        metrics.itemsReceived.increment();
        metrics.bytesReceived.increment(taken.bytes.length);
        return datum;
    }

    /** A datum as received, decoded when taken. */
    private record Item(byte[] bytes, PeerId producer) {
    }

    // --- subscriptions ---------------------------------------------------------------------------

    /** Schedules a rescan of the catalog, coalescing bursts of changes into one. */
    void rescanSoon() {
        if (!closed && rescanPending.compareAndSet(false, true)) {
            streams.serial().execute(() -> {
                rescanPending.set(false);
                rescan();
            });
        }
    }

    private void rescan() {
        if (closed) {
            return;
        }
        // spec §3.6: catalog.peers(), signed then unsigned, without peers over the discovery's max RTT
        List<PeerEntry> producers = streams.discovery().peers().stream().map(PeerInfo::entry).toList();
        List<PeerId> eligible = new ArrayList<>();
        Set<PeerId> offering = new HashSet<>();
        for (PeerEntry entry : producers) {
            if (!entry.streams().contains(streamId().digest())) {
                continue;
            }
            offering.add(entry.peerId());
            if (!receivers.containsKey(entry.peerId()) && needsPing(entry)) {
                continue; // subscribed to, or not, once the ping answers
            }
            PeerInfo info = streams.peerInfo(entry);
            if (!allowed(info)) {
                continue;
            }
            eligible.add(entry.peerId());
            receivers.computeIfAbsent(entry.peerId(), peer -> {
                Receiver receiver = new Receiver(entry);
                // a platform thread: it wakes per batch of frames, which costs a virtual thread more
                Thread.ofPlatform().daemon().name("mosaik-stream-" + streamId() + "-from-"
                        + entry.peerId().toShortString()).start(receiver::run);
                return receiver;
            });
        }
        pinged.retainAll(offering);
        receivers.forEach((peer, receiver) -> {
            if (!eligible.contains(peer)) {
                log.debug("producer {} of '{}' left the catalog or no longer qualifies: unsubscribing",
                        peer.toShortString(), streamId());
                receiver.cancel();
            }
        });
    }

    /**
     * Whether a producer must be pinged before a first subscription: it has no round-trip sample yet (spec
     * §3.6). Starts the ping, once; its answer (or failure) triggers a rescan.
     */
    private boolean needsPing(PeerEntry producer) {
        PeerId peer = producer.peerId();
        if (pinging.contains(peer)) {
            return true;
        }
        if (pinged.contains(peer) || streams.discovery().rtt(peer).isPresent()) {
            return false;
        }
        pinging.add(peer);
        streams.discovery().ping(producer.address()).whenComplete((rtt, failure) -> {
            if (failure != null) {
                log.debug("pinging producer {} of '{}' before subscribing failed (subscribing anyway): {}",
                        peer.toShortString(), streamId(), failure.toString());
            }
            try {
                streams.serial().execute(() -> {
                    pinging.remove(peer);
                    pinged.add(peer);
                    rescan();
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the node is closing: nothing to subscribe to any more
            }
        });
        return true;
    }

    private boolean allowed(PeerInfo producer) {
        for (Predicate<PeerInfo> predicate : require) {
            try {
                if (!predicate.test(producer)) {
                    return false;
                }
            } catch (RuntimeException e) {
                log.warn("a require predicate of the consumer of '{}' failed on {}; skipping it: {}", streamId(),
                        producer.peerId().toShortString(), e.toString());
                return false;
            }
        }
        return true;
    }

    /** The subscription to one producer: connects, reads, reconnects with backoff, until it must stop. */
    private final class Receiver {
        private final PeerEntry producer;
        private volatile boolean cancelled;
        /** Released by {@link #cancel()}: ends a backoff wait at once. */
        private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        private volatile Thread thread;
        private volatile Link link;

        Receiver(PeerEntry producer) {
            this.producer = producer;
        }

        void cancel() {
            cancelled = true;
            stopped.countDown();
            Link current = link;
            if (current != null) {
                current.close(CloseReason.CANCELLED);
            }
            Thread running = thread;
            if (running != null) {
                running.interrupt();
            }
        }

        void run() {
            thread = Thread.currentThread();
            Backoff.Attempts backoff = config.backoff().new Attempts(ThreadLocalRandom.current());
            Channel channel = new Channel(streamId(), producer.peerId(), streams.localPeer(), producer);
            long id = channels.add(channel);
            boolean retry = false;
            boolean refusedAsUnknown = false;
            try {
                while (!cancelled && !closed) {
                    if (retry) {
                        OptionalLong wait = backoff.next();
                        if (wait.isEmpty()) {
                            log.info("giving up on producer {} of '{}' after {} without a datum",
                                    producer.peerId().toShortString(), streamId(), config.backoff().maxElapsed());
                            return;
                        }
                        if (stopped.await(wait.getAsLong(), TimeUnit.MILLISECONDS)) {
                            return; // cancelled while backing off
                        }
                    }
                    retry = true;
                    channels.state(channel, ChannelState.CONNECTING);
                    CloseReason reason = attempt(channel, backoff);
                    if (reason == null) {
                        continue; // an I/O failure: back off and retry
                    }
                    if (reason.equals(CloseReason.UNKNOWN_PEER)) {
                        // the producer does not know us yet: tell it (a catalog sync), then retry at once; but a
                        // producer that refuses us again right after a sync hides us (its max-rtt, say) or
                        // refuses our entry, and retrying at once would hammer it: back off as after any refusal
                        boolean synced = syncWithProducer();
                        retry = !synced || refusedAsUnknown;
                        refusedAsUnknown = true;
                        continue;
                    }
                    refusedAsUnknown = false;
                    if (isFinal(reason)) {
                        log.debug("subscription to {} for '{}' ended: {}", producer.peerId().toShortString(),
                                streamId(), reason);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // cancelled
            } catch (Exception e) {
                log.debug("subscription to {} for '{}' failed: {}", producer.peerId().toShortString(), streamId(),
                        e.toString());
            } finally {
                channels.remove(id);
                receivers.remove(producer.peerId(), this);
                thread = null;
            }
        }

        /** A catalog sync with the producer, so that it knows us; false if it failed (logged). */
        private boolean syncWithProducer() throws InterruptedException {
            try {
                streams.discovery().syncWith(producer.address()).get(10, TimeUnit.SECONDS);
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("catalog sync with producer {} of '{}' failed: {}", producer.peerId().toShortString(),
                        streamId(), e.toString());
                return false;
            }
        }

        /**
         * One connection: handshake, then datums until the link ends. Returns the close reason when the
         * producer closed it (or {@code Cancelled} when we did), {@code null} on an I/O failure.
         */
        private CloseReason attempt(Channel channel, Backoff.Attempts backoff) throws InterruptedException {
            try {
                Link opened = streams.network().openLink(producer.address(), Streams.PROTOCOL)
                        .get(30, TimeUnit.SECONDS);
                link = opened;
                if (cancelled) {
                    opened.close(CloseReason.CANCELLED);
                    return CloseReason.CANCELLED;
                }
                opened.sendBytes(new StreamWire.Handshake(streams.network().networkId(), streamId().digest())
                        .encode());
                StreamWire.Start start;
                try {
                    start = StreamWire.Start.decode(opened.receiveBytes());
                } catch (IllegalArgumentException e) {
                    opened.close(CloseReason.PROTOCOL_VIOLATION);
                    return null;
                }
                if (!start.network().equals(streams.network().networkId())) {
                    opened.close(CloseReason.DIFFERENT_NETWORK);
                    return CloseReason.DIFFERENT_NETWORK;
                }
                if (!start.stream().equals(streamId().digest())) {
                    opened.close(CloseReason.STREAM_NOT_FOUND);
                    return CloseReason.STREAM_NOT_FOUND;
                }
                channels.state(channel, ChannelState.CONNECTED);
                // what arrived together is taken together (counted once), then queued datum by datum
                int most = Math.min(RECEIVE_BATCH, config.bufferSize());
                List<byte[]> batch = new ArrayList<>(most);
                while (true) {
                    batch.clear();
                    int count = opened.receiveAvailableBytes(batch, most);
                    long bytes = 0;
                    for (byte[] payload : batch) {
                        bytes += payload.length;
                    }
                    channel.counted(count, bytes);
                    metrics.datumsTotal.increment(count);
                    metrics.bytesTotal.increment(bytes);
                    backoff.reset();
                    for (byte[] payload : batch) {
                        Item item = new Item(payload, producer.peerId());
                        if (cancelled || closed) {
                            return CloseReason.CANCELLED;
                        }
                        if (!delivery.offer(item)) { // with room, without put()'s interrupt check
                            delivery.put(item);
                        }
                    }
                }
            } catch (LinkClosedException e) {
                return e.remote() ? e.reason() : CloseReason.CANCELLED;
            } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("connecting to producer {} of '{}' failed: {}", producer.peerId().toShortString(),
                        streamId(), e.toString());
                return null;
            } finally {
                Link current = link;
                link = null;
                if (current != null && current.isOpen()) {
                    current.close(cancelled ? CloseReason.CANCELLED : CloseReason.SUCCESS);
                }
            }
        }

        private boolean isFinal(CloseReason reason) {
            return reason.equals(CloseReason.CANCELLED) || reason.equals(CloseReason.NOT_ALLOWED)
                    || reason.equals(CloseReason.GRACEFUL_SHUTDOWN) || reason.equals(CloseReason.STREAM_NOT_FOUND)
                    || reason.equals(CloseReason.DIFFERENT_NETWORK);
        }
    }

    /** Feeds a {@link Flow.Subscriber} from the delivery queue, as far as it asked. */
    private final class PublisherLoop implements Flow.Subscription {
        private final Flow.Subscriber<? super D> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private volatile boolean cancelled;
        private volatile Thread thread;

        PublisherLoop(Flow.Subscriber<? super D> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            streams.virtualThreads().execute(this::loop);
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancelled = true;
                subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"
                        + " (Reactive Streams rule 3.9)"));
                wake();
                return;
            }
            demand.getAndUpdate(current -> current + n < 0 ? Long.MAX_VALUE : current + n);
            wake();
        }

        @Override
        public void cancel() {
            cancelled = true;
            Thread running = thread;
            if (running != null) {
                running.interrupt(); // it may be waiting for a datum
            }
        }

        private void wake() {
            Thread running = thread;
            if (running != null) {
                java.util.concurrent.locks.LockSupport.unpark(running);
            }
        }

        private void loop() {
            thread = Thread.currentThread();
            try {
                while (!cancelled) {
                    if (demand.get() == 0) {
                        java.util.concurrent.locks.LockSupport.park(this);
                        continue;
                    }
                    D datum;
                    try {
                        datum = next();
                    } catch (IllegalStateException closedNow) {
                        subscriber.onComplete();
                        return;
                    }
                    demand.decrementAndGet();
                    try {
                        subscriber.onNext(datum);
                    } catch (RuntimeException e) {
                        cancelled = true;
                        subscriber.onError(e);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
