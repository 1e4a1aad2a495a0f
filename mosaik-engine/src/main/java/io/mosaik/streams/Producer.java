package io.mosaik.streams;

import io.micrometer.core.instrument.Counter;
import io.mosaik.codec.Codec;
import io.mosaik.codec.CodecException;
import io.mosaik.discovery.PeerInfo;
import io.mosaik.network.Link;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's producer of one stream: every datum sent is delivered, in order, to every consumer
 * subscribed at that moment (spec §3.4). Real time only: no history, no acknowledgements.
 *
 * <p>Each subscription has its own bounded queue ({@code bufferSize}) drained by its own thread, so a
 * slow consumer never slows the others: when its queue is full it is disconnected with {@code TooSlow}
 * (default) or misses that datum. A datum is encoded once, whatever the number of consumers.
 *
 * <p>One producer per stream and node; all threads may send. {@link #close()} ends the stream on this node
 * for every holder of it (consumers are told {@code GracefulShutdown}); the stream id stays in the node's
 * catalog entry, as in the original (entries never lose streams).
 *
 * @param <D> the datum type
 */
public final class Producer<D> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Producer.class);

    private final Streams streams;
    private final ProducerConfig config;
    private final Class<D> type;
    private final List<Predicate<PeerInfo>> require;
    private final ChannelConditions online;
    private final Consumer<D> undelivered;
    private final Codec codec;
    private final StreamMetrics metrics;
    private final Channels channels = new Channels();
    private final ConcurrentHashMap<Long, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** The subscriptions as an array for the per-datum fanout; replaced (under the fanout lock) on every change. */
    private volatile List<Subscription> fanoutTargets = List.of();
    /** {@code online.isMet()}, recomputed on every channel change rather than on every datum. */
    private volatile boolean onlineNow;
    /** Held while a datum is offered to every subscription, so all consumers see one order. */
    private final Object fanout = new Object();
    private final ReentrantLock onlineLock = new ReentrantLock();
    private final Condition onlineChanged = onlineLock.newCondition();
    private volatile boolean closed;

    Producer(Streams streams, ProducerConfig config, Class<D> type, List<Predicate<PeerInfo>> require,
            UnaryOperator<ChannelConditions> onlineWhen, Consumer<D> undelivered, Codec codec, StreamMetrics metrics) {
        this.streams = streams;
        this.config = config;
        this.type = type;
        this.require = require;
        this.undelivered = undelivered;
        this.codec = codec;
        this.metrics = metrics;
        this.online = Objects.requireNonNull(onlineWhen.apply(ChannelConditions.of(channels, 1)),
                "onlineWhen returned null");
        this.onlineNow = online.isMet();
        channels.onChange(() -> {
            // computed and stored under the lock: two subscriptions that change at once on two threads
            // would otherwise race, and the one that computed first (seeing one channel) could store last,
            // leaving the producer offline with both channels up
            onlineLock.lock();
            try {
                onlineNow = online.isMet();
                onlineChanged.signalAll();
            } finally {
                onlineLock.unlock();
            }
        });
    }

    /** The stream. */
    public StreamId streamId() {
        return config.streamId();
    }

    /** The settings it was built with. */
    public ProducerConfig config() {
        return config;
    }

    /** Whether {@link #send} sends now rather than waits (the {@code onlineWhen} condition holds). */
    public boolean isOnline() {
        return !closed && onlineNow;
    }

    /** The subscriptions, including those still connecting. */
    public List<ChannelInfo> consumers() {
        return channels.snapshot();
    }

    /** Conditions on this producer's subscriptions, as futures. */
    public When when() {
        return new When(channels, online);
    }

    /**
     * Sends a datum to every current consumer, first waiting while the producer is offline.
     *
     * @param datum the datum
     * @throws InterruptedException     if interrupted while waiting to be online
     * @throws IllegalStateException    if the producer is closed
     * @throws IllegalArgumentException if the datum cannot be encoded
     */
    public void send(D datum) throws InterruptedException {
        Objects.requireNonNull(datum, "datum");
        if (isOnline()) {
            publish(datum); // the common case takes no lock
            return;
        }
        onlineLock.lock();
        try {
            while (!isOnline()) {
                if (closed) {
                    throw new IllegalStateException("the producer of '" + streamId() + "' is closed");
                }
                onlineChanged.await(1, TimeUnit.SECONDS); // re-checks even if a signal raced the check
            }
        } finally {
            onlineLock.unlock();
        }
        publish(datum);
    }

    /**
     * Sends a datum to every current consumer if the producer is online, without waiting.
     *
     * @param datum the datum
     * @return what happened to it
     * @throws IllegalArgumentException if the datum cannot be encoded
     */
    public SendStatus trySend(D datum) {
        Objects.requireNonNull(datum, "datum");
        if (closed) {
            return SendStatus.CLOSED;
        }
        if (!onlineNow) {
            return SendStatus.OFFLINE;
        }
        return publish(datum);
    }

    /** Ends the stream on this node: every consumer is disconnected with {@code GracefulShutdown}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        streams.unregister(this);
        subscriptions.values().forEach(subscription -> subscription.terminate(CloseReason.GRACEFUL_SHUTDOWN));
        channels.closeWaiters("the producer of '" + streamId() + "' was closed");
        onlineLock.lock();
        try {
            onlineChanged.signalAll();
        } finally {
            onlineLock.unlock();
        }
    }

    Class<D> type() {
        return type;
    }

    // --- fanout ----------------------------------------------------------------------------------

    private SendStatus publish(D datum) {
        byte[] bytes;
        try {
            bytes = codec.encode(datum);
        } catch (CodecException e) {
            throw new IllegalArgumentException("cannot encode a " + datum.getClass().getName() + " for stream '"
                    + streamId() + "': " + e.getMessage(), e);
        }
        int offered = 0;
        int full = 0;
        synchronized (fanout) {
            for (Subscription subscription : fanoutTargets) {
                if (subscription.closing != null) {
                    continue;
                }
                offered++;
                if (!subscription.queue.offer(bytes)) {
                    full++;
                    metrics.itemsDropped.increment();
                    if (config.disconnectLagging()) {
                        log.info("consumer {} of '{}' is too slow ({} datums queued): disconnecting it",
                                subscription.channel.consumer.toShortString(), streamId(), config.bufferSize());
                        subscription.terminate(CloseReason.TOO_SLOW);
                    }
                }
            }
        }
        if (offered > full) { // counted once per datum, not once per subscription
            metrics.itemsSent.increment(offered - full);
            metrics.bytesSent.increment((double) bytes.length * (offered - full));
        }
        if (offered == 0) {
            if (undelivered != null) {
                undelivered.accept(datum);
            }
            return SendStatus.SENT;
        }
        return full == offered && !config.disconnectLagging() ? SendStatus.FULL : SendStatus.SENT;
    }

    // --- subscriptions ---------------------------------------------------------------------------

    /**
     * Serves one consumer on the link it opened, after the protocol checks: capacity, then predicates.
     * Runs on the link's handler thread until the subscription ends.
     */
    void serve(Link link, PeerInfo consumer) throws IOException {
        Subscription subscription;
        synchronized (fanout) {
            if (closed) {
                reject(link, CloseReason.STREAM_NOT_FOUND, "closed");
                return;
            }
            if (subscriptions.size() >= config.maxConsumers()) {
                reject(link, CloseReason.NO_CAPACITY, "capacity");
                return;
            }
            if (!allowed(consumer)) {
                reject(link, CloseReason.NOT_ALLOWED, "not-allowed");
                return;
            }
            Channel channel = new Channel(streamId(), streams.localPeer(), consumer.peerId(), consumer.entry());
            subscription = new Subscription(channel, link, config.bufferSize());
            subscription.id = channels.add(channel);
            subscriptions.put(subscription.id, subscription);
            fanoutTargets = List.copyOf(subscriptions.values());
        }
        metrics.consumersAccepted.increment();
        try {
            // The sending loop wakes once per batch: on a platform thread that wake-up costs less than a
            // virtual thread's (no carrier hand-off); the handler's thread waits for it.
            byte[] start = streams.startMessage(streamId());
            Thread sender = Thread.ofPlatform().daemon().name("mosaik-stream-" + streamId() + "-to-"
                    + consumer.peerId().toShortString()).start(() -> subscription.run(start));
            try {
                sender.join();
            } catch (InterruptedException e) {
                subscription.terminate(CloseReason.CANCELLED); // the node is closing
                Thread.currentThread().interrupt();
            }
        } finally {
            synchronized (fanout) {
                subscriptions.remove(subscription.id);
                fanoutTargets = List.copyOf(subscriptions.values());
            }
            channels.remove(subscription.id);
        }
    }

    /** Re-checks the predicates of a consumer whose entry changed. */
    void recheck(PeerInfo consumer) {
        if (require.isEmpty()) {
            return;
        }
        boolean allowed = allowed(consumer);
        if (!allowed) {
            subscriptions.values().stream().filter(s -> s.channel.consumer.equals(consumer.peerId())).forEach(s -> {
                log.info("consumer {} of '{}' no longer passes the producer's predicates: disconnecting it",
                        consumer.peerId().toShortString(), streamId());
                s.terminate(CloseReason.NOT_ALLOWED);
            });
        }
    }

    boolean hasConsumer(PeerId peer) {
        return subscriptions.values().stream().anyMatch(s -> s.channel.consumer.equals(peer));
    }

    private boolean allowed(PeerInfo consumer) {
        for (Predicate<PeerInfo> predicate : require) {
            try {
                if (!predicate.test(consumer)) {
                    return false;
                }
            } catch (RuntimeException e) {
                log.warn("a require predicate of the producer of '{}' failed on {}; refusing it: {}", streamId(),
                        consumer.peerId().toShortString(), e.toString());
                return false;
            }
        }
        return true;
    }

    private void reject(Link link, CloseReason reason, String metric) {
        metrics.consumersRejected(metric).increment();
        link.close(reason);
    }

    /** One consumer's queue and the thread that drains it into the link. */
    private final class Subscription {
        private static final byte[] WAKE = new byte[0];
        /** The most datums taken from the queue and handed to the link at once. */
        private static final int BATCH = 256;

        final Channel channel;
        final Link link;
        /** Separate locks for the sending thread and the subscription's thread (see the consumer's queue). */
        final LinkedBlockingQueue<byte[]> queue;
        volatile CloseReason closing;
        long id;

        Subscription(Channel channel, Link link, int capacity) {
            this.channel = channel;
            this.link = link;
            this.queue = new LinkedBlockingQueue<>(capacity);
        }

        void run(byte[] start) {
            // the consumer never sends after its handshake: a read returns only when it closes the link
            CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
                try {
                    link.receiveBytes();
                    terminate(CloseReason.PROTOCOL_VIOLATION); // it sent something: not the protocol
                } catch (IOException e) {
                    terminate(null);
                }
            }, streams.virtualThreads());
            try {
                link.sendBytes(start);
                channels.state(channel, ChannelState.CONNECTED);
                List<byte[]> batch = new ArrayList<>(BATCH);
                while (closing == null) {
                    // What queued up while the last batch was written goes out together (the transport
                    // may pack it into one write); an idle stream sends each datum as it comes.
                    batch.add(queue.take());
                    queue.drainTo(batch, BATCH - 1);
                    batch.removeIf(bytes -> bytes == WAKE);
                    if (batch.isEmpty()) {
                        continue;
                    }
                    long bytes = link.sendAllBytes(batch);
                    channel.counted(batch.size(), bytes);
                    metrics.datumsTotal.increment(batch.size());
                    metrics.bytesTotal.increment(bytes);
                    batch.clear();
                }
            } catch (LinkClosedException e) {
                terminate(null);
            } catch (IOException e) {
                log.debug("subscription of {} to '{}' failed: {}", channel.consumer.toShortString(), streamId(),
                        e.toString());
                terminate(CloseReason.UNEXPECTED_CLOSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                terminate(CloseReason.CANCELLED);
            }
            watcher.cancel(false);
        }

        /** Ends the subscription (from any thread); {@code null} when the link already ended. */
        void terminate(CloseReason reason) {
            synchronized (this) {
                if (closing != null) {
                    return;
                }
                closing = reason == null ? CloseReason.SUCCESS : reason;
            }
            queue.clear();
            queue.offer(WAKE);
            // closing may wait for the connection's writer: never on the sending thread, which holds the fanout
            CloseReason sent = reason == null ? CloseReason.SUCCESS : reason;
            try {
                streams.virtualThreads().execute(() -> link.close(sent));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                link.close(sent); // the node is closing: no sender holds the fanout any more
            }
        }
    }
}
