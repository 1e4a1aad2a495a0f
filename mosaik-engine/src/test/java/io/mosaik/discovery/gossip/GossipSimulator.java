package io.mosaik.discovery.gossip;

import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A seeded discrete-event simulation of N {@link GossipCore}s: virtual time, per-message random latency
 * (FIFO per directed link, like a QUIC stream), optional loss, partitions and crashes. A message that
 * cannot arrive (crashed receiver, other side of a partition) makes the sender's shell report
 * {@code peerDown} after a detection delay, as a failed dial or a broken link would, and then the other
 * end of that link as well. Hooks let a test play the shell's reactions to neighbour events and
 * deliveries. One seed, one run.
 */
final class GossipSimulator {

    /** Network and timing knobs of a run. */
    record Options(long minLatency, long maxLatency, double lossRate, long detectionDelay, long tickInterval) {
        static Options defaults() {
            return new Options(1, 20, 0.0, 500, 100);
        }

        Options withLoss(double rate) {
            return new Options(minLatency, maxLatency, rate, detectionDelay, tickInterval);
        }
    }

    /**
     * The events of one virtual time, in the order they were scheduled (which is the order they run in),
     * stored as arrays in chunks: a cold start of 10,000 nodes has tens of millions of messages in flight
     * at once, and an object per event would not fit. An event is a message ({@code item} a
     * {@link GossipMessage} from {@code from} to {@code node}), a link's end noticing the link broke
     * ({@code item} the peer, at {@code node}) or an action ({@code item} a {@link Runnable}).
     */
    private static final class Bucket {
        private static final int CHUNK = 1_024;

        private Chunk head = new Chunk();
        private Chunk tail = head;
        private int read;
        int node;
        int from;
        Object item;

        private static final class Chunk {
            final int[] nodes = new int[CHUNK];
            final int[] froms = new int[CHUNK];
            final Object[] items = new Object[CHUNK];
            int count;
            Chunk next;
        }

        void add(int node, int from, Object item) {
            if (tail.count == CHUNK) {
                tail.next = new Chunk();
                tail = tail.next;
            }
            tail.nodes[tail.count] = node;
            tail.froms[tail.count] = from;
            tail.items[tail.count++] = item;
        }

        /** Moves to the next event, if there is one; its fields are then {@code node}, {@code from}, {@code item}. */
        boolean poll() {
            if (read == head.count) {
                if (head.next == null) {
                    return false;
                }
                head = head.next; // the chunk read goes, so a bucket of millions frees memory as it runs
                read = 0;
            }
            node = head.nodes[read];
            from = head.froms[read];
            item = head.items[read];
            head.items[read++] = null;
            return true;
        }
    }

    final int size;
    final GossipCore[] cores;
    final PeerAddress[] addresses;
    private final Map<PeerId, Integer> index = new HashMap<>();
    private final Options options;
    private final SplittableRandom random;
    /** Pending events by virtual time; each time's in the order they were scheduled. */
    private final TreeMap<Long, Bucket> calendar = new TreeMap<>();
    /** Messages scheduled and not yet handled. */
    private long messagesInFlight;
    private final Map<Long, Long> linkClock = new HashMap<>();
    private final Set<Long> downScheduled = new java.util.HashSet<>();
    private final boolean[] crashed;
    private final int[] group;
    private long seq;
    private long now;
    private long nextTick;

    /** Deliveries per message id: how often each node got it. */
    final Map<Digest, int[]> deliveries = new HashMap<>();
    /** Highest round (hop count) a message id was delivered with. */
    final Map<Digest, Integer> maxRound = new HashMap<>();
    /** Messages sent, by type, since the last {@link #resetCounters()}. */
    final Map<String, Long> sent = new TreeMap<>();
    /** Neighbour events seen, to check that the cores report them consistently. */
    long neighborUps;
    long neighborDowns;
    /** Called for every neighbour event with the node that reported it: a shell's reaction, if any. */
    BiConsumer<Integer, GossipOutput.NeighborEvent> onNeighborEvent = (node, event) -> { };
    /** Called for every delivery with the node that delivered it: a shell's reaction, if any. */
    BiConsumer<Integer, GossipOutput.Delivery> onDelivery = (node, delivery) -> { };

    GossipSimulator(long seed, int size, GossipConfig config, Options options) {
        this.size = size;
        this.options = options;
        this.random = new SplittableRandom(seed);
        this.cores = new GossipCore[size];
        this.addresses = new PeerAddress[size];
        this.crashed = new boolean[size];
        this.group = new int[size];
        for (int i = 0; i < size; i++) {
            byte[] idBytes = Digest.hash(ByteBuffer.allocate(16).putLong(seed).putLong(i).array()).toBytes();
            PeerId id = PeerId.fromBytes(idBytes);
            addresses[i] = new PeerAddress(id, "127.0." + (i / 250) + "." + (1 + i % 250), 7400);
            index.put(id, i);
            cores[i] = new GossipCore(addresses[i], config, random.split());
        }
        nextTick = options.tickInterval();
    }

    long now() {
        return now;
    }

    int indexOf(PeerId peer) {
        return index.getOrDefault(peer, -1);
    }

    boolean isCrashed(int node) {
        return crashed[node];
    }

    /** Node {@code node} joins through the given contacts, now. */
    void join(int node, int... contacts) {
        List<PeerAddress> list = new ArrayList<>();
        for (int contact : contacts) {
            list.add(addresses[contact]);
        }
        apply(node, cores[node].join(list, now));
    }

    /** Node {@code node} is told of peers learned elsewhere (a catalog sync), now. */
    void observe(int node, List<Integer> peers) {
        apply(node, cores[node].observe(peers.stream().map(peer -> addresses[peer]).toList(), now));
    }

    /** Node {@code node} links with a peer it found in another part of the overlay, now. */
    void bridge(int node, int peer) {
        apply(node, cores[node].bridge(addresses[peer], now));
    }

    /** Whether a message (or a dial) from one node can reach another now. */
    boolean canReach(int from, int to) {
        return reachable(from, to);
    }

    /** Node {@code node} originates a broadcast now; returns its id. */
    Digest broadcast(int node, byte[] payload) {
        Digest id = Digest.hash(ByteBuffer.allocate(24).putLong(now).putLong(node).putLong(seq++).array());
        deliveries.put(id, new int[size]);
        deliveries.get(id)[node] = 1; // the originator has it; it is never delivered back to it
        apply(node, cores[node].broadcast(id, payload, now));
        return id;
    }

    /** Schedules an action at a virtual time (such as joins spread over time). */
    void at(long time, Runnable action) {
        schedule(Math.max(time, now), -1, -1, action);
    }

    /** Crashes a node: its messages vanish, and its neighbours notice after the detection delay. */
    void crash(int node) {
        crashed[node] = true;
        for (int i = 0; i < size; i++) {
            if (!crashed[i] && cores[i].activeView().contains(addresses[node].peerId())) {
                scheduleDown(i, addresses[node].peerId());
            }
        }
    }

    /** Splits the network: nodes in {@code side} and the others cannot reach each other. */
    void partition(Set<Integer> side) {
        for (int i = 0; i < size; i++) {
            group[i] = side.contains(i) ? 1 : 0;
        }
        for (int i = 0; i < size; i++) {
            if (crashed[i]) {
                continue;
            }
            for (PeerId peer : cores[i].activeView()) {
                if (group[indexOf(peer)] != group[i]) {
                    scheduleDown(i, peer);
                }
            }
        }
    }

    /** Ends the partition. */
    void heal() {
        java.util.Arrays.fill(group, 0);
    }

    void resetCounters() {
        sent.clear();
    }

    long totalSent(String... types) {
        long total = 0;
        for (String type : types) {
            total += sent.getOrDefault(type, 0L);
        }
        return total;
    }

    /**
     * Runs on to just before the next tick, when every request a tick sent (a repair's NEIGHBOR, its
     * reply, the DISCONNECT of a neighbour it evicts) has been answered: a moment to check views at.
     */
    void runToBeforeNextTick() {
        runUntil((now / options.tickInterval() + 1) * options.tickInterval() - 1);
    }

    /** Runs events and ticks up to and including {@code until}. */
    void runUntil(long until) {
        while (true) {
            Map.Entry<Long, Bucket> next = calendar.firstEntry();
            long nextEvent = next == null ? Long.MAX_VALUE : next.getKey();
            if (nextTick <= nextEvent && nextTick <= until) {
                now = nextTick;
                nextTick += options.tickInterval();
                for (int i = 0; i < size; i++) {
                    if (!crashed[i]) {
                        apply(i, cores[i].tick(now));
                    }
                }
            } else if (nextEvent <= until) {
                now = nextEvent;
                Bucket bucket = next.getValue();
                // events this one schedules at the same time join the bucket and run after it
                while (bucket.poll()) {
                    handle(bucket.node, bucket.from, bucket.item);
                }
                calendar.remove(nextEvent);
            } else {
                now = until;
                return;
            }
        }
    }

    /** Runs until no message is in flight (ticks keep going), or until the limit. */
    void runUntilQuiet(long limit) {
        long deadline = now + limit;
        while (now < deadline) {
            runUntil(Math.min(deadline, now + options.tickInterval()));
            if (messagesInFlight == 0) {
                // one more tick period lets pending IHAVE batches and graft timers fire
                return;
            }
        }
    }

    /** Runs a check at every node that is up. */
    void forEachLive(Consumer<Integer> check) {
        for (int i = 0; i < size; i++) {
            if (!crashed[i]) {
                check.accept(i);
            }
        }
    }

    private void schedule(long time, int node, int from, Object item) {
        calendar.computeIfAbsent(time, t -> new Bucket()).add(node, from, item);
        seq++;
        if (item instanceof GossipMessage) {
            messagesInFlight++;
        }
    }

    private void handle(int node, int from, Object item) {
        if (item instanceof Runnable action) {
            action.run();
        } else if (item instanceof PeerId down) {
            downScheduled.remove(key(node, indexOf(down)));
            if (!crashed[node]) {
                apply(node, cores[node].peerDown(down, now));
                // a link that breaks breaks for both ends: the other end's shell notices it as well
                int other = indexOf(down);
                if (!crashed[other] && cores[other].activeView().contains(addresses[node].peerId())) {
                    scheduleDown(other, addresses[node].peerId());
                }
            }
        } else {
            messagesInFlight--;
            if (reachable(from, node)) {
                apply(node, cores[node].receive(addresses[from].peerId(), (GossipMessage) item, now));
            } else if (!crashed[from]) {
                scheduleDown(from, addresses[node].peerId());
            }
        }
    }

    private boolean reachable(int from, int to) {
        return !crashed[from] && !crashed[to] && group[from] == group[to];
    }

    private void apply(int node, GossipOutput output) {
        for (GossipOutput.Send send : output.sends()) {
            int to = indexOf(send.to());
            if (to < 0) {
                continue;
            }
            sent.merge(typeOf(send.message()), 1L, Long::sum);
            if (options.lossRate() > 0 && random.nextDouble() < options.lossRate()) {
                continue;
            }
            long latency = options.minLatency() + random.nextLong(options.maxLatency() - options.minLatency() + 1);
            long link = key(node, to);
            long at = Math.max(now + latency, linkClock.getOrDefault(link, 0L));
            linkClock.put(link, at);
            schedule(at, to, node, send.message());
        }
        for (GossipOutput.Delivery delivery : output.deliveries()) {
            int[] counts = deliveries.computeIfAbsent(delivery.id(), id -> new int[size]);
            counts[node]++;
            maxRound.merge(delivery.id(), delivery.round(), Math::max);
        }
        for (GossipOutput.Delivery delivery : output.deliveries()) {
            onDelivery.accept(node, delivery);
        }
        for (GossipOutput.NeighborEvent event : output.events()) {
            if (event instanceof GossipOutput.NeighborUp) {
                neighborUps++;
            } else {
                neighborDowns++;
            }
        }
        for (GossipOutput.NeighborEvent event : output.events()) {
            onNeighborEvent.accept(node, event);
        }
    }

    /** The counter name of a message: its type, with GRAFTs that ask for no message counted apart. */
    static String typeOf(GossipMessage message) {
        if (message instanceof GossipMessage.Graft graft && graft.id().equals(GossipCore.LINK_ONLY)) {
            return "GraftLinkOnly";
        }
        return message.getClass().getSimpleName();
    }

    private void scheduleDown(int node, PeerId peer) {
        if (downScheduled.add(key(node, indexOf(peer)))) {
            schedule(now + options.detectionDelay(), node, -1, peer);
        }
    }

    private long key(int a, int b) {
        return (long) a * size + b;
    }
}
