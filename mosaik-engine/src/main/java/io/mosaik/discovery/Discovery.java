package io.mosaik.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node knows about its network: the catalog of signed peer entries, kept up to date by catalog
 * syncs with the bootstrap peers when they connect and with a random known peer every announce
 * interval (push-pull anti-entropy), and purged of peers not heard of for {@code purgeAfter}.
 *
 * <p>Obtained from {@link Network#discovery()}; it starts and stops with its network. Gossip
 * announcements (HyParView/Plumtree), graceful departures and pings are not wired in yet.
 */
public final class Discovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Discovery.class);

    private final Network network;
    private final SecretKey key;
    private final DiscoveryConfig config;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("mosaik-discovery").factory());
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("mosaik-discovery-", 0).factory());
    private final List<Consumer<DiscoveryEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final Counter syncs;
    private final Counter discovered;
    private final Counter updated;
    private final Counter departed;
    private final MeterRegistry registry;
    private volatile Catalog catalog;
    private final java.util.Map<io.mosaik.primitives.PeerId, java.time.Duration> rtt =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The protocol name of the ping: an empty request answered by a fresh signed local entry. */
    public static final String PING = "/mosaik/discovery/ping/1.0";

    /**
     * Creates the discovery of a network; {@link Network} does this, applications call
     * {@link Network#discovery()}.
     *
     * @param network  the network
     * @param key      the network's secret key, to sign the local entry
     * @param config   the settings
     * @param registry where meters go
     */
    public Discovery(Network network, SecretKey key, DiscoveryConfig config, MeterRegistry registry) {
        this.network = Objects.requireNonNull(network, "network");
        this.key = Objects.requireNonNull(key, "key");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = registry;
        this.syncs = Counter.builder("mosaik.discovery.catalog.syncs").description("Completed catalog syncs")
                .register(registry);
        this.discovered = Counter.builder("mosaik.discovery.peers.discovered").description("New peers")
                .register(registry);
        this.updated = Counter.builder("mosaik.discovery.peers.updated").description("Newer entries of known peers")
                .register(registry);
        this.departed = Counter.builder("mosaik.discovery.peers.departed").description("Peers purged or departed")
                .register(registry);
    }

    /**
     * Starts serving catalog syncs and the periodic work; called by the network once it has an address.
     */
    public synchronized void start() {
        if (catalog != null) {
            return; // started already
        }
        PeerEntry local = PeerEntry.create(network.networkId(), network.address(), config.tags(), now());
        catalog = Catalog.of(SignedPeerEntry.sign(local, key), config.purgeAfter());
        Gauge.builder("mosaik.discovery.catalog.size", this, discovery -> discovery.catalog().peersCount(now()))
                .description("Known peers, this node excluded").register(registry);
        network.handle(CatalogSync.PROTOCOL, link -> merge(CatalogSync.accept(link, snapshot())));
        network.handle(PING, link -> {
            link.receiveBytes();
            // a fresh version, signed for this answer only: the catalog keeps its own
            link.sendBytes(SignedPeerEntry.sign(me().entry().bumped(now()), key).toBytes());
        });
        scheduleAnnounce();
        long purgePeriod = Math.max(1_000, config.purgeAfter().toMillis() / 10);
        timers.scheduleWithFixedDelay(this::purge, purgePeriod, purgePeriod, TimeUnit.MILLISECONDS);
    }

    /** The current catalog: an immutable snapshot. */
    public Catalog catalog() {
        Catalog current = catalog;
        if (current == null) {
            throw new IllegalStateException("discovery starts with the network: call network.start() first");
        }
        return current;
    }

    /** This node's own signed entry. */
    public SignedPeerEntry me() {
        return catalog().local();
    }

    /**
     * Swaps catalogs with a peer now.
     *
     * @param peer the peer
     * @return a future completed once both sides merged, failed if the peer could not be synced with
     */
    public CompletableFuture<Void> syncWith(PeerAddress peer) {
        return network.openLink(peer, CatalogSync.PROTOCOL).thenAcceptAsync(link -> {
            try {
                merge(CatalogSync.initiate(link, snapshot()));
            } catch (java.io.IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, workers);
    }

    /**
     * Pings a peer: measures the round trip over its connection and merges the fresh entry it answers
     * with. The sample is kept and shown by {@link #rtt(io.mosaik.primitives.PeerId)}.
     *
     * @param peer the peer
     * @return a future of the round-trip time
     */
    public CompletableFuture<java.time.Duration> ping(PeerAddress peer) {
        return network.openLink(peer, PING).thenApplyAsync(link -> {
            try (link) {
                long start = System.nanoTime();
                link.sendBytes(new byte[0]);
                SignedPeerEntry answer;
                try {
                    answer = SignedPeerEntry.fromBytes(link.receiveBytes());
                } catch (PeerEntry.MalformedEntryException e) {
                    link.close(io.mosaik.network.transport.CloseReason.PROTOCOL_VIOLATION);
                    throw new java.io.IOException("peer " + peer.peerId().toShortString()
                            + " answered a ping with a bad entry: " + e.getMessage());
                }
                java.time.Duration sample = java.time.Duration.ofNanos(System.nanoTime() - start);
                if (!answer.entry().peerId().equals(peer.peerId())) {
                    throw new java.io.IOException("peer " + peer.peerId().toShortString()
                            + " answered a ping with the entry of " + answer.entry().peerId().toShortString());
                }
                rtt.put(peer.peerId(), sample);
                merge(List.of(answer));
                return sample;
            } catch (java.io.IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, workers);
    }

    /** The last round-trip time measured to a peer by {@link #ping}, if any. */
    public java.util.Optional<java.time.Duration> rtt(io.mosaik.primitives.PeerId peer) {
        return java.util.Optional.ofNullable(rtt.get(peer));
    }

    /** Adds role tags to this node's entry (a new version, synced from here on). */
    public void addTags(Collection<Tag> tags) {
        updateLocal(entry -> entry.withTags(tags, now()));
    }

    /** Removes role tags from this node's entry. */
    public void removeTags(Collection<Tag> tags) {
        updateLocal(entry -> entry.withoutTags(tags, now()));
    }

    /**
     * Delivers every later change of the catalog to {@code listener}, in order, on a discovery thread.
     *
     * @return a handle whose {@code close()} stops the delivery
     */
    public AutoCloseable subscribe(Consumer<DiscoveryEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /** Conditions on the catalog, as futures. */
    public When when() {
        return new When();
    }

    /** Futures that complete when the catalog satisfies a condition (checked now and on every change). */
    public final class When {
        private When() {
        }

        /** Completes once at least {@code count} other peers are known. */
        public CompletableFuture<Catalog> peers(int count) {
            return matching(snapshot -> snapshot.peersCount(now()) >= count);
        }

        /** Completes once a peer carrying every one of these tags is known. */
        public CompletableFuture<Catalog> peerWithTags(Tag... tags) {
            return matching(snapshot -> snapshot.signedPeers(now()).stream().anyMatch(
                    entry -> java.util.Arrays.stream(tags).allMatch(entry.entry()::hasTag)));
        }

        /** Completes once {@code condition} holds for the catalog. */
        public CompletableFuture<Catalog> matching(Predicate<Catalog> condition) {
            Waiter waiter = new Waiter(condition, new CompletableFuture<>());
            waiters.add(waiter);
            waiter.future().whenComplete((done, error) -> waiters.remove(waiter));
            waiter.check(catalog());
            return waiter.future();
        }
    }

    private record Waiter(Predicate<Catalog> condition, CompletableFuture<Catalog> future) {
        void check(Catalog snapshot) {
            if (!future.isDone() && condition.test(snapshot)) {
                future.complete(snapshot);
            }
        }
    }

    /** Stops the periodic work; the network closes the links. */
    @Override
    public void close() {
        timers.shutdownNow();
        workers.shutdownNow();
        waiters.forEach(waiter -> waiter.future().completeExceptionally(
                new TimeoutException("discovery closed before the condition held")));
    }

    // --- internals -------------------------------------------------------------------------------

    private List<SignedPeerEntry> snapshot() {
        return catalog().snapshotForSync(now());
    }

    private void merge(List<SignedPeerEntry> entries) {
        List<DiscoveryEvent> events = new ArrayList<>();
        Catalog after;
        synchronized (this) {
            Catalog next = catalog;
            for (SignedPeerEntry entry : entries) {
                Catalog.Upserted result = next.upsert(entry, now());
                next = result.catalog();
                switch (result.outcome()) {
                    case NEW -> {
                        discovered.increment();
                        events.add(new DiscoveryEvent.PeerDiscovered(entry));
                    }
                    case UPDATED -> {
                        updated.increment();
                        events.add(new DiscoveryEvent.PeerUpdated(entry));
                    }
                    default -> log.trace("entry of {} not merged: {}", entry.entry().peerId().toShortString(),
                            result.outcome());
                }
            }
            catalog = next;
            after = next;
            syncs.increment();
        }
        publish(events, after);
    }

    private void purge() {
        List<DiscoveryEvent> events = new ArrayList<>();
        Catalog after;
        synchronized (this) {
            var purged = catalog.purgeStale(now());
            catalog = purged.getKey();
            after = catalog;
            purged.getValue().forEach(entry -> {
                events.add(new DiscoveryEvent.PeerDeparted(entry.entry().peerId()));
                rtt.remove(entry.entry().peerId());
            });
            departed.increment(events.size());
        }
        publish(events, after);
    }

    private void updateLocal(java.util.function.UnaryOperator<PeerEntry> change) {
        synchronized (this) {
            PeerEntry current = catalog().local().entry();
            PeerEntry next = change.apply(current);
            if (next != current) {
                catalog = catalog.withLocal(SignedPeerEntry.sign(next, key));
            }
        }
    }

    private synchronized void publish(List<DiscoveryEvent> events, Catalog after) {
        for (DiscoveryEvent event : events) {
            for (Consumer<DiscoveryEvent> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.warn("a discovery listener failed on {}: {}", event, e.toString());
                }
            }
        }
        waiters.forEach(waiter -> waiter.check(after));
    }

    /** Re-announces (a new version of the local entry) and syncs with one random known peer. */
    private void scheduleAnnounce() {
        long base = config.announceInterval().toMillis();
        long jitter = (long) (base * config.announceJitter());
        long delay = base + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1));
        try {
            timers.schedule(() -> {
                updateLocal(entry -> entry.bumped(now()));
                List<SignedPeerEntry> peers = catalog().signedPeers(now());
                if (!peers.isEmpty()) {
                    PeerAddress peer = peers.get(ThreadLocalRandom.current().nextInt(peers.size())).entry().address();
                    syncWith(peer).thenCompose(synced -> ping(peer)).exceptionally(error -> {
                        log.debug("periodic sync with {} failed: {}", peer.peerId().toShortString(), error.toString());
                        return null;
                    });
                }
                scheduleAnnounce();
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // discovery is closing
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
