package io.mosaik.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.discovery.gossip.GossipCodec;
import io.mosaik.discovery.gossip.GossipConfig;
import io.mosaik.discovery.gossip.GossipCore;
import io.mosaik.discovery.gossip.GossipMessage;
import io.mosaik.discovery.gossip.GossipOutput;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O around a {@link GossipCore}: carries its messages over {@value #PROTOCOL} links, feeds it what
 * arrives, ticks it, and hands broadcast payloads to discovery.
 *
 * <p>Threads: every call into the core happens on one thread ({@code mosaik-gossip}). Each peer we
 * send to gets an outbound link with a bounded queue drained by a virtual thread, so a slow peer never
 * blocks the core; each link a peer opened to us is read by a virtual thread that decodes and checks
 * messages before they reach the core, with at most {@value #IN_FLIGHT} of them waiting per link (flow
 * control then pushes back on the peer). Links are used one way: we send on the links we open and
 * read the links others open.
 *
 * <p>A broadcast payload is an {@link AnnounceMessage}: its id must be the hash of its bytes and its
 * signature must verify, or the link it came on is closed with {@code ProtocolViolation} (it would
 * otherwise be relayed to the whole network). Messages discovery refuses (another network, a clock
 * too far off) are dropped here and not relayed.
 */
final class GossipShell implements AutoCloseable {

    /** The protocol gossip links are opened for. */
    static final String PROTOCOL = "/mosaik/discovery/announce/1.1";

    private static final Logger log = LoggerFactory.getLogger(GossipShell.class);
    private static final long TICK_MILLIS = 100;
    private static final int QUEUE_CAPACITY = 1_024;
    private static final int IN_FLIGHT = 64;
    /** An outbound link to a peer outside the active view is closed after this long unused. */
    private static final long IDLE_CLOSE_MILLIS = 15_000;

    /** What the shell tells discovery. Called on the gossip thread: hand work off, do not block. */
    interface Listener {
        /** A broadcast arrived for the first time (already checked by the validator). */
        void delivered(AnnounceMessage message, PeerId from);

        /** The number of active gossip neighbours changed. */
        void neighbors(int count, GossipOutput.NeighborEvent cause);
    }

    private final Network network;
    private final GossipCore core;
    private final Listener listener;
    /** Returns why a checked announcement must not be relayed (another network, clock drift), or null. */
    private final Function<AnnounceMessage, String> screen;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("mosaik-gossip").factory());
    private final ExecutorService io = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("mosaik-gossip-io-", 0).factory());
    /** Loop thread only. */
    private final Map<PeerId, Outbound> outbound = new HashMap<>();
    /** Loop thread only: the last address seen for a peer, for replies to peers outside the views. */
    private final Map<PeerId, PeerAddress> addresses = new HashMap<>();
    /** The links peers opened to us, each with a future completed when it ends. */
    private final Map<Link, CompletableFuture<Void>> inbound = new ConcurrentHashMap<>();
    private final AtomicInteger neighbors = new AtomicInteger();
    private final MeterRegistry registry;
    private final Counter messagesSent;
    private final Counter messagesReceived;
    private final Counter messagesDropped;
    private volatile boolean closed;
    /** Loop thread only: the departure went out, nothing more is sent. */
    private boolean departed;

    GossipShell(Network network, GossipConfig config, Listener listener, Function<AnnounceMessage, String> screen,
            MeterRegistry registry) {
        this.network = network;
        this.listener = listener;
        this.screen = screen;
        this.registry = registry;
        this.core = new GossipCore(network.address(), config, new Random(new SecureRandom().nextLong()));
        this.messagesSent = Counter.builder("mosaik.discovery.gossip.messages.sent")
                .description("Gossip protocol messages queued to neighbours").register(registry);
        this.messagesReceived = Counter.builder("mosaik.discovery.gossip.messages.received")
                .description("Gossip protocol messages received").register(registry);
        this.messagesDropped = Counter.builder("mosaik.discovery.gossip.messages.dropped")
                .description("Gossip messages not sent: no address known or the peer's queue was full")
                .register(registry);
        Gauge.builder("mosaik.discovery.gossip.neighbors", neighbors, AtomicInteger::get)
                .description("Active gossip neighbours").register(registry);
    }

    /** Serves the protocol, joins the overlay through {@code contacts} and starts ticking. */
    void start(List<PeerAddress> contacts) {
        network.handle(PROTOCOL, this::serve);
        run(() -> apply(core.join(contacts, now()), null));
        loop.scheduleWithFixedDelay(() -> apply(core.tick(now()), null), TICK_MILLIS, TICK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Joins the overlay through more contacts (peers learned later, when isolated). */
    void join(List<PeerAddress> contacts) {
        run(() -> apply(core.join(contacts, now()), null));
    }

    /** Tells the overlay of peers learned some other way (a catalog sync): candidates for its views. */
    void observe(List<PeerAddress> known) {
        if (!known.isEmpty()) {
            run(() -> apply(core.observe(known, now()), null));
        }
    }

    /** Links with a peer found to be in another part of the overlay (see {@link GossipCore#bridge}). */
    void bridge(PeerAddress peer) {
        run(() -> apply(core.bridge(peer, now()), null));
    }

    /** Broadcasts an announcement to every node. */
    void broadcast(AnnounceMessage message) {
        byte[] payload = message.toBytes();
        run(() -> apply(core.broadcast(Digest.hash(payload), payload, now()), null));
    }

    /** The active gossip neighbours. */
    int neighbors() {
        return neighbors.get();
    }

    /**
     * Says goodbye, waiting at most {@code millis}: broadcasts the departure, pushes it straight to every
     * active neighbour (not only along its tree: a neighbour told of it by an IHAVE could not fetch it
     * from a node that is gone), closes every outbound link gracefully behind it and sends nothing more.
     * Then waits until each neighbour took it: a neighbour that receives the departure over our own link
     * closes its gossip link to us, which is the sign; for a neighbour with no link to us, until our link
     * to it wrote the departure and closed. Only then may the connections close: closing
     * them earlier can lose what the neighbour has not read yet (QUIC drops it).
     *
     * @param departure the signed departure of this node
     * @param millis    the most to wait
     */
    void depart(AnnounceMessage departure, long millis) {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        byte[] payload = departure.toBytes();
        Digest id = Digest.hash(payload);
        CompletableFuture<List<CompletableFuture<Void>>> sent = new CompletableFuture<>();
        run(() -> sent.complete(sendDeparture(id, payload)));
        try {
            List<CompletableFuture<Void>> taken = sent.get(millis, TimeUnit.MILLISECONDS);
            CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            log.debug("not every gossip neighbour took the departure within {} ms", millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Outbound link : List.copyOf(outbound.values())) {
            link.abort();
        }
        inbound.keySet().forEach(link -> link.close(CloseReason.GRACEFUL_SHUTDOWN));
        io.shutdownNow();
    }

    // --- the gossip thread -----------------------------------------------------------------------

    private void run(Runnable task) {
        if (closed) {
            return;
        }
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("gossip step failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Carries out a core output; {@code received} is the checked announcement of a received GOSSIP. */
    private void apply(GossipOutput output, AnnounceMessage received) {
        long now = now();
        for (GossipOutput.Send send : output.sends()) {
            enqueue(send, now);
        }
        for (GossipOutput.Delivery delivery : output.deliveries()) {
            AnnounceMessage message = received;
            if (message == null) {
                try {
                    message = AnnounceMessage.fromBytes(delivery.payload()); // checked when it arrived
                } catch (IllegalArgumentException e) {
                    continue;
                }
            }
            listener.delivered(message, delivery.from());
        }
        for (GossipOutput.NeighborEvent event : output.events()) {
            int count = core.activeView().size();
            neighbors.set(count);
            if (event instanceof GossipOutput.NeighborUp up) {
                addresses.put(up.peer(), up.address());
            }
            listener.neighbors(count, event);
        }
        if (!output.events().isEmpty() || output.sends().isEmpty()) {
            closeIdle(now);
        }
    }

    /**
     * A peer sent us its own departure (a first copy, delivered, or one we already had): it leaves the
     * views, and our link to it closes once what is queued went out, which tells it that we took the
     * departure (see {@link #depart}).
     */
    private void left(PeerId peer, long now) {
        Outbound link = outbound.remove(peer);
        if (link != null) {
            link.finish(CloseReason.SUCCESS);
        }
        apply(core.peerDown(peer, now), null);
    }

    /**
     * Broadcasts the departure to every active neighbour (the lazy ones too) and closes every outbound
     * link behind it.
     *
     * @return for each active neighbour, what completes once it took the departure
     */
    private List<CompletableFuture<Void>> sendDeparture(Digest id, byte[] payload) {
        apply(core.broadcastLast(id, payload, now()), null);
        List<CompletableFuture<Void>> taken = new ArrayList<>();
        for (PeerId peer : core.activeView()) {
            List<CompletableFuture<Void>> theirs = inbound.entrySet().stream()
                    .filter(entry -> entry.getKey().peer().equals(peer)).map(Map.Entry::getValue).toList();
            Outbound ours = outbound.get(peer);
            if (!theirs.isEmpty()) {
                taken.add(CompletableFuture.allOf(theirs.toArray(CompletableFuture[]::new)));
            } else if (ours != null) {
                taken.add(ours.ended);
            }
        }
        for (Outbound link : outbound.values()) {
            link.finish(CloseReason.GRACEFUL_SHUTDOWN);
        }
        departed = true;
        return taken;
    }

    private void enqueue(GossipOutput.Send send, long now) {
        if (departed) {
            return; // the links are closing: a new one would only be aborted
        }
        if (send.address() != null) {
            addresses.put(send.to(), send.address());
        }
        Outbound link = outbound.get(send.to());
        if (link == null || link.dead) {
            PeerAddress address = send.address() != null ? send.address() : addresses.get(send.to());
            if (address == null) {
                messagesDropped.increment();
                log.debug("no address for {}: {} not sent", send.to().toShortString(), send.message());
                return;
            }
            link = new Outbound(address);
            outbound.put(send.to(), link);
            Outbound started = link;
            try {
                io.execute(started::run);
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
        link.lastUsed = now;
        if (link.queue.offer(GossipCodec.encode(send.message()))) {
            messagesSent.increment();
        } else {
            messagesDropped.increment(); // gossip repairs losses: IHAVE/GRAFT, shuffles, re-announces
        }
    }

    private void closeIdle(long now) {
        Set<PeerId> active = core.activeView();
        outbound.entrySet().removeIf(entry -> {
            Outbound link = entry.getValue();
            if (link.dead) {
                return true;
            }
            if (!active.contains(entry.getKey()) && now - link.lastUsed > IDLE_CLOSE_MILLIS) {
                link.finish(CloseReason.SUCCESS);
                return true;
            }
            return false;
        });
    }

    private void linkLost(PeerId peer, Outbound which) {
        run(() -> {
            if (which != null && outbound.get(peer) == which) {
                outbound.remove(peer);
            }
            apply(core.peerDown(peer, now()), null);
        });
    }

    // --- links -----------------------------------------------------------------------------------

    /** Reads a link a peer opened to us, until it closes. */
    private void serve(Link link) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        inbound.put(link, ended);
        Semaphore permits = new Semaphore(IN_FLIGHT);
        PeerId peer = link.peer();
        try {
            while (!closed) {
                byte[] frame = link.receiveBytes();
                GossipMessage message;
                AnnounceMessage announcement = null;
                try {
                    message = GossipCodec.decode(frame);
                    if (message instanceof GossipMessage.Gossip gossip) {
                        if (!Digest.hash(gossip.payload()).equals(gossip.id())) {
                            throw new IllegalArgumentException("a gossip id that is not the hash of its payload");
                        }
                        announcement = AnnounceMessage.fromBytes(gossip.payload());
                    }
                } catch (IllegalArgumentException e) {
                    reject(link, e.getMessage());
                    return;
                }
                messagesReceived.increment();
                if (announcement != null) {
                    String refused = screen.apply(announcement);
                    if (refused != null) {
                        log.debug("announcement of {} relayed by {} dropped: {}", announcement.peer().toShortString(),
                                peer.toShortString(), refused);
                        continue;
                    }
                }
                permits.acquire();
                AnnounceMessage checked = announcement;
                GossipMessage received = message;
                if (closed) {
                    return;
                }
                try {
                    loop.execute(() -> {
                        try {
                            apply(core.receive(peer, received, now()), checked);
                            if (checked instanceof AnnounceMessage.Departure gone && gone.peer().equals(peer)) {
                                left(peer, now());
                            }
                        } catch (RuntimeException e) {
                            log.error("gossip step failed", e);
                        } finally {
                            permits.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    return;
                }
            }
        } catch (LinkClosedException e) {
            // the peer closing its link on purpose (we left its views) is not a failure
            if (!(e.remote() && e.reason().equals(CloseReason.SUCCESS)) && !closed) {
                linkLost(peer, null);
            }
        } catch (IOException e) {
            if (!closed) {
                linkLost(peer, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inbound.remove(link);
            ended.complete(null);
        }
    }

    private void reject(Link link, String why) {
        Counter.builder("mosaik.discovery.gossip.rejected").description("Gossip links closed for bad input")
                .register(registry).increment();
        log.warn("closing the gossip link of {}: {}", link.peer().toShortString(), why);
        link.close(CloseReason.PROTOCOL_VIOLATION);
        linkLost(link.peer(), null);
    }

    /** The last item of an outbound queue: close the link, for this reason, once what came before went out. */
    private record Close(CloseReason reason) {
    }

    /** Our link to one peer: a queue drained by a virtual thread. */
    private final class Outbound {
        final PeerAddress address;
        /** Frames (byte[]) to send, then possibly a {@link Close}. */
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        /** Completes when the link is done: closed after its queue, failed or aborted. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        volatile boolean dead;
        volatile Link link;
        long lastUsed;

        Outbound(PeerAddress address) {
            this.address = address;
        }

        void run() {
            try {
                Link opened = network.openLink(address, PROTOCOL).get(30, TimeUnit.SECONDS);
                link = opened;
                while (true) {
                    Object item = queue.take();
                    if (item instanceof Close close) {
                        // after the frames before it were handed to the transport, which delivers them first
                        opened.close(close.reason());
                        dead = true;
                        return;
                    }
                    opened.sendBytes((byte[]) item);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail();
            } catch (Exception e) {
                if (!closed) {
                    log.debug("gossip link to {} lost: {}", address.peerId().toShortString(), e.toString());
                }
                fail();
            } finally {
                ended.complete(null);
            }
        }

        private void fail() {
            dead = true;
            Link current = link;
            if (current != null) {
                current.close(CloseReason.UNEXPECTED_CLOSE);
            }
            if (!closed) {
                linkLost(address.peerId(), this);
            }
        }

        /** Sends what is queued, then closes the link with {@code reason}. */
        void finish(CloseReason reason) {
            if (!queue.offer(new Close(reason))) {
                abort();
            }
        }

        /** Closes now, dropping what is queued. */
        void abort() {
            dead = true;
            queue.clear();
            queue.offer(new Close(CloseReason.GRACEFUL_SHUTDOWN));
            Link current = link;
            if (current != null) {
                current.close(CloseReason.GRACEFUL_SHUTDOWN);
            }
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
