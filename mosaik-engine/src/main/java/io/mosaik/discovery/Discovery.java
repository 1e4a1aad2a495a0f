package io.mosaik.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.discovery.gossip.GossipConfig;
import io.mosaik.discovery.gossip.GossipOutput;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.PeerId;
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
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node knows about its network: the catalog of signed peer entries (spec §2).
 *
 * <p>It is kept up to date by four mechanisms:
 * <ul>
 *   <li><b>gossip</b> ({@value GossipShell#PROTOCOL}): every new version of a node's entry, and its signed
 *       departure when it closes, is broadcast over a HyParView overlay with Plumtree dissemination, so
 *       a change reaches every node in O(log N) hops at O(1) messages per node;</li>
 *   <li><b>catalog sync</b> ({@value CatalogSync#PROTOCOL}): a full two-way exchange with a bootstrap
 *       peer when it connects, with a new gossip neighbour this node did not know, with a random known
 *       peer every announce interval (and with each bootstrap peer the catalog does not hold: after a
 *       partition longer than {@code purgeAfter} both sides forgot each other, and this is how they find
 *       back), and on {@link #syncWith};</li>
 *   <li><b>ping</b> ({@value #PING}): a round-trip sample and a fresh entry from every known peer, every
 *       RTT probe interval, and from a newly discovered peer within seconds;</li>
 *   <li><b>purge</b>: a peer not heard of for {@code purgeAfter} is dropped.</li>
 * </ul>
 * Every entry is signed by its node and verified on arrival; entries from another network, stale or
 * too far from the local clock, or older than what is known, are refused, and counted in
 * {@code mosaik.discovery.entries.rejected} by reason (an older version only when gossip brings it: a
 * sync snapshot carries them whenever its sender lags behind). A frame that does not decode or verify
 * closes its link with {@code ProtocolViolation}.
 *
 * <p>A sync also shows whether the peer gets this node's broadcasts (its copy of our entry): one that
 * missed a broadcast made 10 s before is in another gossip overlay, as after a partition healed, and the
 * gossip core links with it.
 *
 * <p>Unlike the original, a node does not sync with every peer it hears of for the first time (that is
 * N² full-catalog exchanges when N nodes start); gossip delivers the entries, and syncs are kept to
 * the cases above.
 *
 * <p>Obtained from {@link Network#discovery()}; it starts and stops with its network.
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
    private final List<DiscoveryEvents> receivers = new CopyOnWriteArrayList<>();
    /** Set when discovery closes: a receiver opened after that is handed out closed. */
    private volatile boolean receiversClosed;
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final Counter syncs;
    private final Counter discovered;
    private final Counter updated;
    private final Counter departed;
    private final MeterRegistry registry;
    private final ExecutorService merges = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("mosaik-discovery-merge").factory());
    private final java.util.Map<String, Counter> rejected = new java.util.concurrent.ConcurrentHashMap<>();
    private final Counter announcementsSent;
    private final Counter announcementsReceived;
    private final GossipConfig gossipConfig;
    private final java.util.Map<io.mosaik.primitives.PeerId, Long> unknownPeerSyncs =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile GossipShell gossip;
    private volatile Catalog catalog;
    /**
     * Guards {@link #newestPingAnswer} and the setting of {@link #departing}: a small lock of its own, so that
     * ping answers do not wait behind catalog merges (which hold {@code this}) and inflate the RTT samples.
     * Taken after {@code this} where both are held.
     */
    private final Object pingAnswers = new Object();
    /**
     * The newest version signed for a ping's answer (one ahead of the catalog's, see {@link #ping}): the
     * pinging peer keeps it, so the departure must cover it.
     */
    private EntryVersion newestPingAnswer;
    /**
     * Set once the departure is signed (under {@code this} and {@link #pingAnswers}): no ping is answered and
     * no new version made after it.
     */
    private volatile boolean departing;
    /** Our recent broadcasts made with neighbours, oldest first (see {@link #bridgeIfApart}). */
    private final java.util.ArrayDeque<Broadcast> broadcasts = new java.util.ArrayDeque<>();
    private final java.util.Map<io.mosaik.primitives.PeerId, SmoothedRtt> rtt =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The gossip settings of a node: the papers' defaults, except that a message announced (IHAVE) but not
     * pushed is grafted after 200 ms rather than 1 s. Nodes of one organisation sit a few milliseconds
     * apart, and the graft timer is what a change waits for wherever the broadcast tree has a gap.
     */
    static final GossipConfig GOSSIP = GossipConfig.defaults().withGraftTimeouts(200, 200);

    /**
     * The protocol name of the ping: an empty request answered by a fresh signed local entry. A request
     * that is not empty, or an answer that is not the pinged peer's valid entry, closes the link with
     * {@code ProtocolViolation}.
     */
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
        this(network, key, config, GOSSIP, registry);
    }

    /**
     * Creates the discovery of a network with other gossip settings (tests shorten its timers).
     *
     * @param network  the network
     * @param key      the network's secret key, to sign the local entry
     * @param config   the settings
     * @param gossip   the gossip overlay's settings
     * @param registry where meters go
     */
    public Discovery(Network network, SecretKey key, DiscoveryConfig config, GossipConfig gossip,
            MeterRegistry registry) {
        this.gossipConfig = Objects.requireNonNull(gossip, "gossip");
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
        this.announcementsSent = Counter.builder("mosaik.discovery.announcements.sent")
                .description("Entries and departures this node broadcast").register(registry);
        this.announcementsReceived = Counter.builder("mosaik.discovery.announcements.received")
                .description("Entries and departures received over gossip (first copies)").register(registry);
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
        Gauge.builder("mosaik.discovery.catalog.size", this, Discovery::peersCount)
                .description("Known peers, this node excluded").register(registry);
        network.handle(CatalogSync.PROTOCOL, link -> {
            try {
                CatalogSync.accept(link, snapshot(), received -> {
                    merge(received, "sync");
                    received.stream().filter(entry -> entry.entry().peerId().equals(link.peer())).findFirst()
                            .ifPresent(peer -> bridgeIfApart(peer.entry().address(), received));
                });
            } catch (io.mosaik.network.transport.LinkClosedException e) {
                if (e.reason().equals(io.mosaik.network.transport.CloseReason.PROTOCOL_VIOLATION) && !e.remote()) {
                    reject("malformed");
                }
                throw e;
            }
        });
        network.handle(PING, link -> {
            if (link.receiveBytes().length != 0) {
                // the request is an empty frame; anything else is not a ping, and gets no signed entry
                reject("malformed");
                log.debug("closing the ping link of {}: the request is not empty", link.peer().toShortString());
                link.close(io.mosaik.network.transport.CloseReason.PROTOCOL_VIOLATION);
                return;
            }
            // a fresh version, signed for this answer only: the catalog keeps its own
            SignedPeerEntry answer = null;
            synchronized (pingAnswers) {
                if (!departing) {
                    answer = SignedPeerEntry.sign(me().entry().bumped(now()), key);
                    EntryVersion version = answer.entry().version();
                    if (newestPingAnswer == null || version.isNewerThan(newestPingAnswer)) {
                        newestPingAnswer = version;
                    }
                }
            }
            if (answer == null) {
                // a version newer than the departure would bring this node back into the pinger's catalog
                link.close(io.mosaik.network.transport.CloseReason.GRACEFUL_SHUTDOWN);
                return;
            }
            link.sendBytes(answer.toBytes());
        });
        gossip = new GossipShell(network, gossipConfig, new GossipListener(), this::screen, registry);
        gossip.start(network.bootstrapPeers());
        scheduleAnnounce();
        scheduleCatchUp(0);
        scheduleProbe(0);
        long purgePeriod = Math.max(1_000, config.purgeAfter().toMillis() / 10);
        timers.scheduleWithFixedDelay(this::purge, purgePeriod, purgePeriod, TimeUnit.MILLISECONDS);
    }

    /** The number of active gossip neighbours (0 before start). */
    public int gossipNeighbors() {
        GossipShell shell = gossip;
        return shell == null ? 0 : shell.neighbors();
    }

    /** The settings this discovery runs with. */
    public DiscoveryConfig config() {
        return config;
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
        return syncWith(peer, CatalogSync.PROTOCOL);
    }

    /** {@link #syncWith(PeerAddress)} over another protocol name: tests point it at a peer that misbehaves. */
    CompletableFuture<Void> syncWith(PeerAddress peer, String protocol) {
        return network.openLink(peer, protocol).thenAcceptAsync(link -> {
            try {
                List<SignedPeerEntry> theirs = CatalogSync.initiate(link, snapshot());
                merge(theirs, "sync");
                bridgeIfApart(peer, theirs);
            } catch (io.mosaik.network.transport.LinkClosedException e) {
                if (e.reason().equals(io.mosaik.network.transport.CloseReason.PROTOCOL_VIOLATION) && !e.remote()) {
                    reject("malformed");
                }
                throw new java.util.concurrent.CompletionException(e);
            } catch (java.io.IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, workers);
    }

    /**
     * Pings a peer: measures the round trip over its connection and merges the fresh entry it answers
     * with. The sample goes into the peer's smoothed round-trip time, shown by
     * {@link #rtt(io.mosaik.primitives.PeerId)}. A peer that does not answer within 5 s fails the future
     * (its link is closed with {@code Timeout}).
     *
     * @param peer the peer
     * @return a future of this ping's round-trip time
     */
    public CompletableFuture<java.time.Duration> ping(PeerAddress peer) {
        return ping(peer, PING);
    }

    /** {@link #ping(PeerAddress)} over another protocol name: tests point it at a peer that misbehaves. */
    CompletableFuture<java.time.Duration> ping(PeerAddress peer, String protocol) {
        return network.openLink(peer, protocol).thenApplyAsync(link -> {
            java.util.concurrent.ScheduledFuture<?> deadline = null;
            try {
                // a peer that never answers must not hold this thread: the link is closed after 5 s (spec)
                deadline = timers.schedule(() -> link.close(io.mosaik.network.transport.CloseReason.TIMEOUT),
                        PING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // discovery is closing: the network closes the link
            }
            try (link) {
                long start = System.nanoTime();
                link.sendBytes(new byte[0]);
                SignedPeerEntry answer;
                try {
                    answer = SignedPeerEntry.fromBytes(link.receiveBytes());
                } catch (PeerEntry.MalformedEntryException e) {
                    throw refusePingAnswer(link, "malformed", "a bad entry: " + e.getMessage());
                }
                java.time.Duration sample = java.time.Duration.ofNanos(System.nanoTime() - start);
                if (!answer.entry().peerId().equals(peer.peerId())) {
                    // well signed, but by someone else: taking it would let one peer speak for another
                    throw refusePingAnswer(link, "wrong-peer",
                            "the entry of another peer, " + answer.entry().peerId().toShortString());
                }
                rtt.merge(peer.peerId(), SmoothedRtt.first(sample), (known, first) -> known.next(sample));
                merge(List.of(answer), "ping");
                return sample;
            } catch (java.io.IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            } finally {
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
        }, workers);
    }

    /** Counts a ping answer refused, closes its link as a protocol violation and says why the ping failed. */
    private java.io.IOException refusePingAnswer(io.mosaik.network.Link link, String reason, String what) {
        reject(reason);
        link.close(io.mosaik.network.transport.CloseReason.PROTOCOL_VIOLATION);
        return new java.io.IOException("peer " + link.peer().toShortString() + " answered a ping with " + what);
    }

    /**
     * The smoothed round-trip time to a peer (spec §2.10: RFC 6298's SRTT over the samples of
     * {@link #ping}), if it was measured; forgotten when the peer departs or is purged.
     */
    public java.util.Optional<java.time.Duration> rtt(io.mosaik.primitives.PeerId peer) {
        return java.util.Optional.ofNullable(rtt.get(peer)).map(SmoothedRtt::srtt);
    }

    /**
     * The other peers (spec §2.2 {@code peers()}): the signed entries that are not stale, then the
     * unsigned ones, each with its round-trip time, without those whose round-trip time is above
     * {@link DiscoveryConfig#maxRtt()} (a peer not measured yet is kept). Stream consumers subscribe to
     * the producers in this view; {@link Catalog#signedPeers} is not filtered (groups use it).
     */
    public List<PeerInfo> peers() {
        return visible(catalog(), now());
    }

    /**
     * One other peer (spec §2.2 {@code get()}): its signed entry if not stale, else its unsigned one;
     * empty if unknown or if its round-trip time is above {@link DiscoveryConfig#maxRtt()}. A stream
     * producer refuses a consumer it does not find here.
     */
    public java.util.Optional<PeerInfo> peer(io.mosaik.primitives.PeerId peer) {
        Catalog current = catalog();
        java.util.Optional<PeerEntry> entry = current.getSigned(peer, now()).map(SignedPeerEntry::entry)
                .or(() -> current.unsignedPeers().stream().filter(e -> e.peerId().equals(peer)).findFirst());
        return entry.map(this::info).filter(config::withinMaxRtt);
    }

    /** How many other peers {@link #peers()} shows (the gauge {@code mosaik.discovery.catalog.size}). */
    public int peersCount() {
        Catalog current = catalog;
        return current == null ? 0 : visible(current, now()).size();
    }

    private List<PeerInfo> visible(Catalog snapshot, long now) {
        List<PeerInfo> peers = new ArrayList<>();
        snapshot.signedPeers(now).forEach(signed -> peers.add(info(signed.entry())));
        snapshot.unsignedPeers().forEach(entry -> peers.add(info(entry)));
        peers.removeIf(peer -> !config.withinMaxRtt(peer));
        return peers;
    }

    private PeerInfo info(PeerEntry entry) {
        return new PeerInfo(entry, rtt(entry.peerId()));
    }

    /**
     * Puts a signed entry into the catalog as if it had been received, without an event (spec §2.13).
     *
     * @param entry the entry
     * @return whether the catalog took it (a new peer or a newer version)
     */
    public boolean feed(SignedPeerEntry entry) {
        synchronized (this) {
            Catalog.Upserted result = catalog().upsert(entry, now());
            catalog = result.catalog();
            if (result.changed()) {
                waiters.forEach(waiter -> waiter.check(catalog));
            }
            return result.changed();
        }
    }

    /**
     * A peer closed a link with {@code UnknownPeer}: it does not know this node yet. Syncs catalogs with it
     * (at most once per second per peer), so the caller's retry finds it informed. Called by the network.
     *
     * @param peer the peer
     */
    public void unknownPeer(io.mosaik.primitives.PeerId peer) {
        Catalog current = catalog;
        if (current == null) {
            return;
        }
        long now = now();
        Long last = unknownPeerSyncs.get(peer);
        if (last != null && now - last < 1_000) {
            return;
        }
        unknownPeerSyncs.put(peer, now);
        if (unknownPeerSyncs.size() > 10_000) {
            unknownPeerSyncs.clear();
        }
        current.getSigned(peer, now).ifPresentOrElse(entry -> syncQuietly(entry.entry().address(), "unknown peer"),
                () -> log.debug("{} does not know us, and we have no address for it", peer.toShortString()));
    }

    /** Adds role tags to this node's entry (a new version, synced from here on). */
    public void addTags(Collection<Tag> tags) {
        updateLocal(entry -> entry.withTags(tags, now()));
    }

    /** Adds a stream this node produces to its entry (streams are never removed, as in the original). */
    public void addStream(io.mosaik.primitives.Digest stream) {
        updateLocal(entry -> entry.withStream(stream, now()));
    }

    /** Adds a group this node joined to its entry (groups are never removed, as in the original). */
    public void addGroup(io.mosaik.primitives.Digest group) {
        updateLocal(entry -> entry.withGroup(group, now()));
    }

    /** Removes role tags from this node's entry. */
    public void removeTags(Collection<Tag> tags) {
        updateLocal(entry -> entry.withoutTags(tags, now()));
    }

    /**
     * Delivers every later change of the catalog to {@code listener}, in order, on a discovery thread.
     * The listener is called while discovery waits for it, so it must be quick (hand the work to another
     * thread); a reader at its own pace takes {@link #events()}.
     *
     * @return a handle whose {@code close()} stops the delivery
     */
    public AutoCloseable subscribe(Consumer<DiscoveryEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /**
     * A receiver of every later change of the catalog (spec §2.11), read at the caller's pace. It keeps
     * up to {@link DiscoveryConfig#eventsBacklog()} unread events; when a slow reader lets more pile up, the
     * oldest are dropped and its next read throws {@link DiscoveryEvents.LaggedException} with the number
     * lost. Closed when discovery closes (one asked for after that is closed already).
     *
     * @return the receiver; close it when done
     */
    public DiscoveryEvents events() {
        DiscoveryEvents[] opened = new DiscoveryEvents[1];
        opened[0] = new DiscoveryEvents(config.eventsBacklog(), () -> receivers.remove(opened[0]));
        receivers.add(opened[0]);
        if (receiversClosed) {
            opened[0].close(); // closing raced with this call, or came before it
        }
        return opened[0];
    }

    /** Conditions on the catalog, as futures. */
    public When when() {
        return new When();
    }

    /** Futures that complete when the catalog satisfies a condition (checked now and on every change). */
    public final class When {
        private When() {
        }

        /** Completes once at least {@code count} other peers are known ({@link #peers()} counts them). */
        public CompletableFuture<Catalog> peers(int count) {
            return matching(snapshot -> visible(snapshot, now()).size() >= count);
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

    /**
     * Broadcasts this node's signed departure (if it has gossip neighbours), waits up to 500 ms until
     * each gossip neighbour took it, and stops the periodic work; the network closes the links (only
     * then: a connection closed under a departure not read yet can lose it). The departure covers every
     * version of the entry this run signed, those of ping answers included; from then on the entry no
     * longer changes and pings are not answered, since a newer version would outlive the departure.
     */
    @Override
    public void close() {
        timers.shutdownNow();
        GossipShell shell = gossip;
        EntryVersion last = null;
        synchronized (this) { // no new version of the entry meanwhile (updateLocal holds this)
            synchronized (pingAnswers) { // nor a ping's answer
                Catalog current = catalog;
                if (current != null && !departing) {
                    // every version this run signed: its entry's and the ping answers' (peers may hold either)
                    last = current.local().entry().version();
                    if (newestPingAnswer != null && newestPingAnswer.isNewerThan(last)) {
                        last = newestPingAnswer;
                    }
                }
                departing = true;
            }
        }
        if (shell != null && last != null && shell.neighbors() > 0) {
            announcementsSent.increment();
            shell.depart(AnnounceMessage.Departure.sign(key, network.networkId(), last, now()),
                    departureWindowMillis);
        }
        if (shell != null) {
            shell.close();
        }
        merges.shutdownNow();
        workers.shutdownNow();
        receiversClosed = true;
        receivers.forEach(DiscoveryEvents::close);
        waiters.forEach(waiter -> waiter.future().completeExceptionally(
                new TimeoutException("discovery closed before the condition held")));
    }

    // --- internals -------------------------------------------------------------------------------

    private List<SignedPeerEntry> snapshot() {
        return catalog().snapshotForSync(now());
    }

    private void merge(List<SignedPeerEntry> entries, String source) {
        List<DiscoveryEvent> events = new ArrayList<>();
        Catalog after;
        synchronized (this) {
            Catalog next = catalog;
            long now = now();
            for (SignedPeerEntry entry : entries) {
                if (entry.entry().version().update() > now + config.maxTimeDrift().toMillis()) {
                    reject("time-drift"); // from the future: it would outrank every honest later version
                    continue;
                }
                Catalog.Upserted result = next.upsert(entry, now);
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
                    case OUTDATED, DIFFERENT_NETWORK, DEPARTED ->
                            reject(result.outcome().name().toLowerCase().replace('_', '-'));
                    // not reached: entries are verified as they are decoded, and a forgery refuses its frame
                    case INVALID_SIGNATURE -> reject("malformed");
                    case REJECTED -> {
                        // Gossip hands over first copies only, so an older version from it is a replay or,
                        // now and then, a late copy (history grafted when a link forms); an equal version,
                        // or an older one in a sync snapshot (its sender had not caught up), is routine.
                        EntryVersion version = entry.entry().version();
                        if (source.equals("gossip") && next.getSigned(entry.entry().peerId(), now)
                                .filter(known -> known.entry().version().isNewerThan(version)).isPresent()) {
                            reject("older-version");
                        }
                    }
                    default -> log.trace("entry of {} not merged: {}", entry.entry().peerId().toShortString(),
                            result.outcome());
                }
            }
            catalog = next;
            after = next;
            if (source.equals("sync")) {
                syncs.increment();
            }
        }
        GossipShell shell = gossip;
        if (shell != null && !source.equals("gossip")) {
            // peers learned by sync or ping are candidates for the gossip overlay's views
            shell.observe(events.stream().filter(DiscoveryEvent.PeerDiscovered.class::isInstance)
                    .map(event -> ((DiscoveryEvent.PeerDiscovered) event).entry().entry().address()).toList());
        }
        events.stream().filter(DiscoveryEvent.PeerDiscovered.class::isInstance)
                .forEach(event -> probeSoon(((DiscoveryEvent.PeerDiscovered) event).entry().entry().address()));
        publish(events, after);
    }

    private void departed(AnnounceMessage.Departure departure) {
        List<DiscoveryEvent> events = new ArrayList<>();
        Catalog after;
        synchronized (this) {
            var result = catalog.depart(departure.peer(), departure.lastVersion());
            catalog = result.getKey();
            after = catalog;
            if (result.getValue()) {
                departed.increment();
                rtt.remove(departure.peer());
                events.add(new DiscoveryEvent.PeerDeparted(departure.peer()));
            }
        }
        publish(events, after);
    }

    private void reject(String reason) {
        rejected.computeIfAbsent(reason, key -> Counter.builder("mosaik.discovery.entries.rejected")
                .description("Entries and departures refused, by reason").tag("reason", key).register(registry))
                .increment();
    }

    /** Why a gossiped announcement must be dropped (and not relayed), or null to take it. */
    private String screen(AnnounceMessage message) {
        String refused = null;
        if (Math.abs(now() - message.timestampMillis()) > config.maxTimeDrift().toMillis()) {
            refused = "time-drift";
        } else if (message instanceof AnnounceMessage.EntryUpdate update
                && !update.entry().entry().network().equals(network.networkId())) {
            refused = "different-network";
        } else if (message instanceof AnnounceMessage.Departure departure
                && !departure.network().equals(network.networkId())) {
            refused = "different-network";
        } else if (message.peer().equals(network.peerId())) {
            refused = message instanceof AnnounceMessage.Departure ? "forged-departure" : null;
        }
        if (refused != null) {
            reject(refused);
        }
        return refused;
    }

    /** Receives what the gossip shell delivers (on its thread) and hands it to the merge thread. */
    private final class GossipListener implements GossipShell.Listener {
        @Override
        public void delivered(AnnounceMessage message, io.mosaik.primitives.PeerId from) {
            announcementsReceived.increment();
            onMergeThread(() -> {
                switch (message) {
                    case AnnounceMessage.EntryUpdate update -> merge(List.of(update.entry()), "gossip");
                    case AnnounceMessage.Departure departure -> departed(departure);
                }
            });
        }

        @Override
        public void neighbors(int count, GossipOutput.NeighborEvent cause) {
            if (cause instanceof GossipOutput.NeighborUp up) {
                if (count == 1) {
                    // the first neighbour: what we broadcast while alone went nowhere, so say it again
                    onMergeThread(() -> updateLocal(entry -> entry.bumped(now())));
                }
                if (catalog().getSigned(up.peer(), now()).isEmpty()) {
                    syncQuietly(up.address(), "new gossip neighbour");
                }
            } else if (count == 0) {
                onMergeThread(Discovery.this::rejoin);
            }
        }
    }

    /**
     * After a catalog sync: if the peer's copy of our entry is older than a version we broadcast at least
     * {@value #BROADCAST_SETTLED_MILLIS} ms ago, with gossip neighbours, our broadcasts do not reach it: it
     * is in another overlay, as both sides of a healed partition are (each refilled its views from its own
     * side, and a node with neighbours never rejoins). The gossip core then links with it, which joins the
     * two overlays. A peer that does not know us at all is new, not apart, and learns us from this sync.
     */
    private void bridgeIfApart(PeerAddress peer, List<SignedPeerEntry> theirs) {
        GossipShell shell = gossip;
        EntryVersion settled = settledBroadcast(now());
        if (shell == null || settled == null) {
            return;
        }
        for (SignedPeerEntry entry : theirs) {
            if (entry.entry().peerId().equals(network.peerId())) {
                if (settled.isNewerThan(entry.entry().version())) {
                    log.debug("{} missed our broadcast of {}: in another part of the overlay, linking with it",
                            peer.peerId().toShortString(), settled);
                    shell.bridge(peer);
                }
                return;
            }
        }
    }

    /** The newest version we broadcast with neighbours at least {@value #BROADCAST_SETTLED_MILLIS} ms ago. */
    private EntryVersion settledBroadcast(long now) {
        synchronized (broadcasts) {
            EntryVersion settled = null;
            // oldest first: keep only the newest settled one and those younger than it
            while (!broadcasts.isEmpty() && broadcasts.peekFirst().at() <= now - BROADCAST_SETTLED_MILLIS) {
                settled = broadcasts.pollFirst().version();
            }
            if (settled != null) {
                broadcasts.addFirst(new Broadcast(settled, now - BROADCAST_SETTLED_MILLIS));
            }
            return settled;
        }
    }

    private record Broadcast(EntryVersion version, long at) {
    }

    /** With no gossip neighbour left: join again through the bootstrap peers and some known peers. */
    private void rejoin() {
        List<PeerAddress> contacts = new ArrayList<>(network.bootstrapPeers());
        List<SignedPeerEntry> known = new ArrayList<>(catalog().signedPeers(now()));
        java.util.Collections.shuffle(known);
        known.stream().limit(8).map(entry -> entry.entry().address()).forEach(contacts::add);
        GossipShell shell = gossip;
        if (shell != null && !contacts.isEmpty()) {
            shell.join(contacts);
        }
    }

    private void onMergeThread(Runnable task) {
        try {
            merges.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("discovery update failed", e);
                }
            });
        } catch (RejectedExecutionException closing) {
            // discovery is closing
        }
    }

    private void syncQuietly(PeerAddress peer, String why) {
        syncWith(peer).exceptionally(error -> {
            log.debug("catalog sync with {} ({}) failed: {}", peer.peerId().toShortString(), why, error.toString());
            return null;
        });
    }

    private void purge() {
        List<DiscoveryEvent> events = new ArrayList<>();
        Catalog after;
        synchronized (this) {
            var purged = catalog.purgeStale(now());
            catalog = purged.getKey();
            after = catalog;
            purged.getValue().forEach(entry -> events.add(new DiscoveryEvent.PeerDeparted(entry.entry().peerId())));
            long nowMillis = now();
            // also samples of peers the catalog never took or no longer holds (a ping answer refused on merge)
            rtt.keySet().removeIf(peer -> catalog.getSigned(peer, nowMillis).isEmpty());
            departed.increment(events.size());
        }
        publish(events, after);
    }

    private void updateLocal(java.util.function.UnaryOperator<PeerEntry> change) {
        SignedPeerEntry signed = null;
        synchronized (this) {
            PeerEntry current = catalog().local().entry();
            PeerEntry next = change.apply(current);
            if (next != current && !departing) { // a version after the departure would outlive it
                signed = SignedPeerEntry.sign(next, key);
                catalog = catalog.withLocal(signed);
            }
        }
        GossipShell shell = gossip;
        if (signed != null && shell != null) {
            shell.broadcast(new AnnounceMessage.EntryUpdate(signed));
            announcementsSent.increment();
            if (shell.neighbors() > 0) {
                synchronized (broadcasts) {
                    broadcasts.addLast(new Broadcast(signed.entry().version(), now()));
                }
            }
        }
    }

    private synchronized void publish(List<DiscoveryEvent> events, Catalog after) {
        for (DiscoveryEvent event : events) {
            receivers.forEach(receiver -> receiver.offer(event));
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

    /**
     * Re-announces (a new version of the local entry) and syncs with one random known peer, and with every
     * bootstrap peer the catalog does not hold: after a partition longer than {@code purgeAfter} each side
     * has purged the other, gossip and random syncs stay within a side, and a bootstrap peer across the
     * cut is the one address that still leads there (a failed dial while the cut lasts).
     */
    private void scheduleAnnounce() {
        long base = config.announceInterval().toMillis();
        long jitter = (long) (base * config.announceJitter());
        long delay = base + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1));
        try {
            timers.schedule(() -> {
                updateLocal(entry -> entry.bumped(now()));
                periodicSyncTargets(catalog(), network.bootstrapPeers(), now(), ThreadLocalRandom.current())
                        .forEach(peer -> syncQuietly(peer, "periodic"));
                scheduleAnnounce();
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // discovery is closing
        }
    }

    /**
     * Whom the periodic sync goes to: one random known peer, and every bootstrap peer (other than this
     * node) the catalog does not hold.
     */
    static List<PeerAddress> periodicSyncTargets(Catalog catalog, List<PeerAddress> bootstrap, long now,
            RandomGenerator random) {
        List<PeerAddress> targets = new ArrayList<>();
        List<SignedPeerEntry> peers = catalog.signedPeers(now);
        if (!peers.isEmpty()) {
            targets.add(peers.get(random.nextInt(peers.size())).entry().address());
        }
        PeerId self = catalog.local().entry().peerId();
        for (PeerAddress peer : bootstrap) {
            if (!peer.peerId().equals(self) && catalog.getSigned(peer.peerId(), now).isEmpty()) {
                targets.add(peer);
            }
        }
        return targets;
    }

    private void scheduleCatchUp(int round) {
        if (round >= CATCH_UP_DELAYS.length) {
            return;
        }
        try {
            timers.schedule(() -> {
                List<SignedPeerEntry> peers = catalog().signedPeers(now());
                if (!peers.isEmpty()) {
                    syncQuietly(peers.get(ThreadLocalRandom.current().nextInt(peers.size())).entry().address(),
                            "catch-up");
                }
                scheduleCatchUp(round + 1);
            }, CATCH_UP_DELAYS[round], TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // discovery is closing
        }
    }

    /** Pings every known peer, then again after half to one and a half of the probe interval. */
    private void scheduleProbe(long delayMillis) {
        try {
            timers.schedule(() -> {
                for (SignedPeerEntry peer : catalog().signedPeers(now())) {
                    probe(peer.entry().address());
                }
                long base = config.rttProbeInterval().toMillis();
                scheduleProbe(base / 2 + ThreadLocalRandom.current().nextLong(base + 1));
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // discovery is closing
        }
    }

    /**
     * Pings a newly discovered peer after a random delay of up to {@link #NEW_PEER_PROBE_SPREAD_MILLIS} (at
     * most half the probe interval), so its round-trip time is known within seconds rather than at the next
     * probe tick; nodes that discover many peers at once spread those pings rather than send them in a burst.
     * Skipped if the peer was measured meanwhile (by a ping of a consumer, say) or left the catalog.
     */
    private void probeSoon(PeerAddress peer) {
        long spread = Math.min(NEW_PEER_PROBE_SPREAD_MILLIS, config.rttProbeInterval().toMillis() / 2);
        try {
            timers.schedule(() -> {
                if (!rtt.containsKey(peer.peerId()) && catalog().getSigned(peer.peerId(), now()).isPresent()) {
                    probe(peer);
                }
            }, ThreadLocalRandom.current().nextLong(spread + 1), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // discovery is closing
        }
    }

    private void probe(PeerAddress peer) {
        ping(peer).exceptionally(error -> {
            log.debug("ping of {} failed: {}", peer.peerId().toShortString(), error.toString());
            return null;
        });
    }

    private static final long NEW_PEER_PROBE_SPREAD_MILLIS = 2_000;
    private static final long GRACEFUL_DEPARTURE_WINDOW_MILLIS = 500;
    /** How long {@link #close} waits for the neighbours to take the departure (tests lengthen it). */
    volatile long departureWindowMillis = GRACEFUL_DEPARTURE_WINDOW_MILLIS;
    private static final long PING_TIMEOUT_MILLIS = 5_000;
    /**
     * A broadcast has reached every node of the overlay this long after it left (a few hops, graft timers
     * of 200 ms), so a peer that holds an older version of our entry by then is not in our overlay.
     */
    private static final long BROADCAST_SETTLED_MILLIS = 10_000;
    /**
     * After start, a node syncs with a random known peer after each of these delays (ms, cumulative
     * 1, 3, 7, 15, 31 s): what was broadcast before it joined the overlay never reaches it over gossip,
     * and nodes that start together each miss some of the others' first announcements. Push-pull with
     * random peers closes such gaps in O(log N) rounds; afterwards the announce interval's sync is enough.
     */
    private static final long[] CATCH_UP_DELAYS = {1_000, 2_000, 4_000, 8_000, 16_000};

    private static long now() {
        return System.currentTimeMillis();
    }
}
