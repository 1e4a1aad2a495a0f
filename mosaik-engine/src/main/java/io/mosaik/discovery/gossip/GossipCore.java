package io.mosaik.discovery.gossip;

import io.mosaik.discovery.gossip.GossipMessage.Announcement;
import io.mosaik.discovery.gossip.GossipMessage.Disconnect;
import io.mosaik.discovery.gossip.GossipMessage.ForwardJoin;
import io.mosaik.discovery.gossip.GossipMessage.Gossip;
import io.mosaik.discovery.gossip.GossipMessage.Graft;
import io.mosaik.discovery.gossip.GossipMessage.IHave;
import io.mosaik.discovery.gossip.GossipMessage.Join;
import io.mosaik.discovery.gossip.GossipMessage.Neighbor;
import io.mosaik.discovery.gossip.GossipMessage.NeighborReply;
import io.mosaik.discovery.gossip.GossipMessage.Prune;
import io.mosaik.discovery.gossip.GossipMessage.Shuffle;
import io.mosaik.discovery.gossip.GossipMessage.ShuffleReply;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The gossip core of discovery: HyParView membership (a small active view of linked neighbours, a larger
 * passive view of candidates) and Plumtree broadcast (an epidemic spanning tree over the active view:
 * eager GOSSIP along tree edges, lazy IHAVE along the others, GRAFT to repair, PRUNE to trim).
 *
 * <p>No I/O, no threads, no clock: every input carries {@code now} (milliseconds of the shell's clock)
 * and returns a {@link GossipOutput}; randomness comes from the generator given at construction, so a
 * seeded generator makes a run reproducible. Not thread-safe: one shell executor owns one core.
 *
 * <p>What the shell must do: feed every received message with the peer id its link proved; report a
 * broken or undialable link with {@link #peerDown}; call {@link #tick} regularly (every 100 ms or so:
 * IHAVE batches go out on ticks, so the tick period bounds the lazy-push delay); carry out the output.
 *
 * <p>Where it departs from the papers. Membership, so that the overlay is a well-mixed random graph even
 * when every node is configured with the same single bootstrap peer, and so that no group of nodes is
 * left as an island:
 * <ul>
 *   <li>a contact whose active view is full refuses a joiner instead of dropping a neighbour for it,
 *       walks it from all its neighbours, and sends it other candidates. A contact that everyone joins
 *       through would otherwise keep only the latest joiners as neighbours; the walks would start among
 *       nodes that have not finished joining and end next to them, and the overlay would grow as a chain
 *       whose diameter grows with N;</li>
 *   <li>on one shuffle tick in {@value #ROTATE_ONE_TICK_IN} a node with a full active view asks a random
 *       passive peer to replace one of its neighbours: active links keep being re-drawn from the passive
 *       views, which the shuffles keep random, so an overlay built in a skewed way re-mixes;</li>
 *   <li>a refused request is answered with other candidates, a node with at most one neighbour asks with
 *       high priority, and a contact that never answered stays a candidate: each closes a way in which
 *       a few nodes could stay linked only with each other, refused by everyone else;</li>
 *   <li>{@link #observe} takes peers the shell learned elsewhere (its catalog) as candidates, and
 *       {@link #bridge} links with a peer the shell found in another part of the overlay (a healed
 *       partition leaves two overlays that nothing else would join again);</li>
 *   <li>during its first shuffle interval a node whose active view is not full asks for a link every
 *       {@value #STARTUP_REPAIR_MILLIS} ms rather than every repair interval: many nodes starting together
 *       through one contact otherwise leave islands of early joiners apart for a whole interval;</li>
 *   <li>an IHAVE, like a GOSSIP, from a known peer that is not a neighbour is answered with a DISCONNECT,
 *       so a link that one side kept (through a partition, say) is closed by the first traffic over it.</li>
 * </ul>
 * Broadcast, so that the trees stay short and whole:
 * <ul>
 *   <li>a tree per origin, not one for all (see {@link #trees}): a message carries its origin, and so do
 *       PRUNEs and the GRAFTs of the tree optimisation;</li>
 *   <li>Plumtree's tree optimisation: an announcement of a path at least
 *       {@link GossipConfig#treeOptimizationThreshold()} hops shorter than the one a message came along
 *       makes the announcer a tree edge (a GRAFT for {@link #LINK_ONLY}) and the old parent lazy;</li>
 *   <li>a broken tree edge is replaced by a lazy one at once, and a node that must drop a neighbour
 *       drops a lazy one if it can;</li>
 *   <li>a new neighbour hears of the recent messages at once, in IHAVEs marked as history that it
 *       grafts from at once: a node that joined late, or whose links broke while messages were under
 *       way, would otherwise never get them;</li>
 *   <li>a GRAFT sent over a link that then breaks goes to the next announcer on the next tick, not after
 *       the retry interval: while a crowd of nodes joins, links come and go within rounds, and the
 *       retry interval was most of a cold start's time.</li>
 * </ul>
 *
 * <p>Bad input never throws: messages from peers that have no business sending them, a peer naming
 * itself or us, duplicates and oversized samples are ignored or clamped.
 */
public final class GossipCore {

    /** The most announcers remembered per missing message; more only cost memory. */
    private static final int MAX_ANNOUNCERS = 8;
    /** Message ids remembered for dedup per message cached, at most (they are 16 bytes each, a message kilobytes). */
    private static final long SEEN_PER_CACHED = 16;
    /** The most per-origin trees kept (each an int). */
    private static final int MAX_TREES = 16_384;
    /**
     * A node with a full active view asks to replace a neighbour on one shuffle tick in this many: enough
     * to re-mix an overlay grown in a skewed way, rare enough that the broadcast trees, which every
     * replaced link cuts, stay close to the shortest paths between repairs.
     */
    private static final int ROTATE_ONE_TICK_IN = 4;
    /** The repair interval during a node's first shuffle interval. */
    private static final long STARTUP_REPAIR_MILLIS = 100;

    /**
     * The id a GRAFT carries when it only asks for the link to become a tree edge again (Plumtree's
     * "GRAFT without a message id"). It names no message: the zero digest is no hash anyone finds, and
     * a GRAFT for it is never answered with a payload.
     */
    public static final Digest LINK_ONLY = Digest.zero();

    private final PeerAddress self;
    private final PeerId selfId;
    private final GossipConfig config;
    private final RandomGenerator random;

    // insertion-ordered maps so that iteration, and thus every random pick, is reproducible
    private final Map<PeerId, PeerAddress> active = new LinkedHashMap<>();
    private final Map<PeerId, PeerAddress> passive = new LinkedHashMap<>();
    /** JOIN and NEIGHBOR requests waiting for a {@link NeighborReply}. */
    private final Map<PeerId, Pending> pending = new LinkedHashMap<>();
    /**
     * Every peer we sent a JOIN or NEIGHBOR whose reply has not come yet, with when we stop waiting.
     * Replies carry no request id, so we never ask a peer twice at once: a late reply to the first
     * request would be taken for the answer to the second (and make a link the peer has since dropped).
     */
    private final Map<PeerId, Long> awaitingReply = new LinkedHashMap<>();
    /** The shared tree: what messages without an origin travel, and what a new origin's tree starts as. */
    private final Set<PeerId> eager = new LinkedHashSet<>();
    private final Set<PeerId> lazy = new LinkedHashSet<>();
    /**
     * A tree per origin (Plumtree's per-sender trees): for each node whose broadcasts came recently, the
     * neighbours this node only announces that origin's messages to; the other active neighbours are its
     * tree edges. An origin's tree starts with every link a tree edge, so the origin's first message
     * floods and the duplicates prune it to the tree its first copies came along (with even latencies,
     * a shortest-path tree); it is then shaped by that origin's messages alone (a duplicate prunes, an
     * announcement of a shorter path grafts). Each origin's messages so travel a tree near the shortest
     * paths from it, rather than a tree every origin shares, whose paths between two leaves can be
     * twice its depth. At most {@link #MAX_TREES}, the least recently used going first; a bit mask per
     * origin, so that a node of a large network keeps its trees in an int each.
     */
    private final OriginTrees trees = new OriginTrees(MAX_TREES);
    /** Received (and originated) messages, oldest first: the source for GRAFT answers and history. */
    private final LinkedHashMap<Digest, Cached> cache = new LinkedHashMap<>();
    /**
     * The ids of every message received (or originated) within the cache lifetime, for dedup: more than the
     * cache keeps when messages come in a burst (see {@link SeenIds}).
     */
    private final SeenIds seen;
    /** Announced but not received messages, with the announcers to graft from. */
    private final LinkedHashMap<Digest, Missing> missing = new LinkedHashMap<>();
    /** New neighbours to announce the recent messages to, at the end of the current input. */
    private final Set<PeerId> historyDue = new LinkedHashSet<>();
    /** IHAVE entries to send on the next tick, per lazy peer. */
    private final Map<PeerId, List<Announcement>> lazyQueue = new LinkedHashMap<>();

    private List<PeerAddress> contacts = List.of();
    /** What we sent in our last shuffle: the first to go when the reply fills the passive view. */
    private List<PeerAddress> lastShuffleSample = List.of();
    private boolean started;
    private long startedAt;
    private long nextShuffleAt;
    private long nextRepairAt;

    /** A JOIN ({@code join}) or NEIGHBOR request waiting for its reply. */
    private record Pending(PeerAddress address, long deadline, boolean join) {
    }

    /**
     * A received message. {@code round} is how far our copy travelled (a GRAFT answer carries it on);
     * {@code parent} and {@code treeRound} are the tree edge it is expected along and that path's
     * length, which the tree optimisation compares announcements with.
     */
    private record Cached(byte[] payload, PeerId origin, int round, long receivedAt, PeerId parent, int treeRound) {
    }

    private record Announcer(PeerId peer, int round) {
    }

    private static final class Missing {
        final ArrayDeque<Announcer> announcers = new ArrayDeque<>();
        long deadline;
        /** The neighbour our last GRAFT for it went to, if any. */
        PeerId grafted;

        Missing(long deadline) {
            this.deadline = deadline;
        }
    }

    /**
     * A core for this node.
     *
     * @param self   our own dialable address (sent to others in JOIN, NEIGHBOR and SHUFFLE)
     * @param config the knobs
     * @param random the source of every random choice (seed it for reproducible runs)
     */
    public GossipCore(PeerAddress self, GossipConfig config, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.selfId = self.peerId();
        this.config = Objects.requireNonNull(config, "config");
        this.seen = new SeenIds(config.messageCacheTtlMillis(),
                (int) Math.min(Integer.MAX_VALUE, SEEN_PER_CACHED * config.messageCacheCapacity()));
        this.random = Objects.requireNonNull(random, "random");
    }

    // ------------------------------------------------------------------------------------------ inputs

    /**
     * Bootstraps: sends JOIN to each contact. The contacts are remembered and joined again whenever the
     * node finds itself with neither active nor passive peers (at most once per shuffle interval).
     * Calling it again later (the discovery layer learned new peers) is allowed and merges overlays.
     *
     * @param contacts peers to join through (ourselves and duplicates are skipped)
     * @param now      the shell's clock
     * @return what to do
     */
    public GossipOutput join(List<PeerAddress> contacts, long now) {
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        Map<PeerId, PeerAddress> distinct = new LinkedHashMap<>();
        for (PeerAddress contact : contacts) {
            if (contact != null && !contact.peerId().equals(selfId)) {
                distinct.putIfAbsent(contact.peerId(), contact);
            }
        }
        this.contacts = List.copyOf(distinct.values());
        sendJoins(now, out);
        return out.build();
    }

    /**
     * Takes peers the shell learned elsewhere (its catalog, a catalog sync) as candidates: those not in a
     * view yet enter the passive view like a shuffle sample (at most {@link GossipConfig#maxSampleSize()}
     * per call, picked at random, replacing random candidates when the view is full). A node without
     * neighbours and without a request under way asks one of its candidates at once (spec §2.4: observing
     * a peer while having no neighbours dials it).
     *
     * @param known peers the shell knows (ourselves, duplicates and peers already in a view are skipped)
     * @param now   the shell's clock
     * @return what to do
     */
    public GossipOutput observe(List<PeerAddress> known, long now) {
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        Map<PeerId, PeerAddress> fresh = new LinkedHashMap<>();
        for (PeerAddress address : known) {
            if (address != null && known(address.peerId()) == null && !address.peerId().equals(selfId)) {
                fresh.putIfAbsent(address.peerId(), address);
            }
        }
        integrate(sample(fresh.values(), config.maxSampleSize(), null), List.of());
        if (active.isEmpty() && pending.isEmpty()) {
            promote(now, null, out);
        }
        return out.build();
    }

    /**
     * Links with a peer the shell found to be in another part of the overlay: it had not received a
     * broadcast of ours that every node linked with us would have by now (the shell sees that in a catalog
     * sync, whose snapshot holds the peer's copy of our entry). That happens after a partition heals: each
     * side refilled its views from its own side, and the two overlays go on apart. The request has high
     * priority, so that a peer whose active view is full takes it (dropping a neighbour, which repairs from
     * its passive view): one link joins the two overlays, and shuffles across it mix them. Nothing is sent
     * if the peer is already a neighbour or a request to it is under way.
     *
     * @param peer the peer
     * @param now  the shell's clock
     * @return what to do
     */
    public GossipOutput bridge(PeerAddress peer, long now) {
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        if (peer == null) {
            return out.build();
        }
        PeerId id = peer.peerId();
        if (id.equals(selfId) || active.containsKey(id) || pending.containsKey(id) || awaitingReply.containsKey(id)) {
            return out.build();
        }
        pending.put(id, new Pending(peer, now + config.neighborTimeoutMillis(), false));
        request(id, peer, new Neighbor(self, true), now, out);
        return out.build();
    }

    /**
     * Handles a message from a peer.
     *
     * @param from    the peer the link proved
     * @param message the message
     * @param now     the shell's clock
     * @return what to do
     */
    public GossipOutput receive(PeerId from, GossipMessage message, long now) {
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        if (from == null || message == null || from.equals(selfId)) {
            return out.build();
        }
        switch (message) {
            case Join m -> onJoin(from, m, now, out);
            case ForwardJoin m -> onForwardJoin(from, m, now, out);
            case Neighbor m -> onNeighbor(from, m, now, out);
            case NeighborReply m -> onNeighborReply(from, m, now, out);
            case Disconnect m -> onDisconnect(from, m, now, out);
            case Shuffle m -> onShuffle(from, m, out);
            case ShuffleReply m -> integrate(m.sample(), lastShuffleSample);
            case Gossip m -> onGossip(from, m, now, out);
            case IHave m -> onIHave(from, m, now, out);
            case Graft m -> onGraft(from, m, out);
            case Prune m -> {
                if (active.containsKey(from)) {
                    makeLazy(m.origin(), from);
                }
            }
        }
        for (PeerId peer : historyDue) {
            announceHistory(peer, now, out);
        }
        historyDue.clear();
        return out.build();
    }

    /**
     * Does the timed work: expires unanswered requests, grafts missing messages, sends IHAVE batches,
     * shuffles and rotates the active view, refills a short active view, forgets old messages.
     *
     * @param now the shell's clock
     * @return what to do
     */
    public GossipOutput tick(long now) {
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        expirePending(now);
        graftMissing(now, out);
        flushLazyQueue(out);
        expireCache(now);
        if (now >= nextShuffleAt) {
            nextShuffleAt = now + config.shuffleIntervalMillis();
            if (!active.isEmpty()) {
                shuffle(out);
                if (random.nextInt(ROTATE_ONE_TICK_IN) == 0) {
                    rotate(now, out);
                }
            } else if (passive.isEmpty() && pending.isEmpty()) {
                sendJoins(now, out); // isolated: the only way back in is through the contacts
            }
        }
        if (now >= nextRepairAt) {
            // a node that just started fills its view fast (a crowd of nodes starting together otherwise
            // leaves islands of early joiners for a whole repair interval); later it repairs calmly
            nextRepairAt = now + (now - startedAt < config.shuffleIntervalMillis()
                    ? Math.min(STARTUP_REPAIR_MILLIS, config.repairIntervalMillis()) : config.repairIntervalMillis());
            // one request at a time: a rejected low-priority NEIGHBOR is retried on a later tick, not
            // at once, so two full nodes cannot ping-pong requests at network speed
            if (pending.isEmpty() && active.size() < config.activeViewSize()) {
                promote(now, null, out);
            }
        }
        return out.build();
    }

    /**
     * Originates a broadcast: pushes it eagerly along the tree and announces it lazily to the rest. Our
     * own message is not delivered back to us. An id that is already known is ignored. With no
     * neighbours the message goes nowhere; the discovery layer rebroadcasts on {@code NeighborUp}.
     *
     * @param id      the message id (unique per message, such as the hash of the payload; not
     *                {@link #LINK_ONLY})
     * @param payload the bytes (copied)
     * @param now     the shell's clock
     * @return what to do
     */
    public GossipOutput broadcast(Digest id, byte[] payload, long now) {
        return originate(id, payload, now, false);
    }

    /**
     * Originates this node's last broadcast before it leaves (its departure): like {@link #broadcast}, but
     * pushed to every neighbour, the lazy ones included, since a neighbour only told of it by an IHAVE
     * could not GRAFT it from a node that is gone.
     *
     * @param id      the message id (not {@link #LINK_ONLY})
     * @param payload the bytes (copied)
     * @param now     the shell's clock
     * @return what to do
     */
    public GossipOutput broadcastLast(Digest id, byte[] payload, long now) {
        return originate(id, payload, now, true);
    }

    private GossipOutput originate(Digest id, byte[] payload, long now, boolean everyNeighbour) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        if (id.equals(LINK_ONLY)) {
            throw new IllegalArgumentException("the zero digest is reserved for GRAFTs that ask for no message");
        }
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        if (seen.contains(id)) {
            return out.build();
        }
        byte[] copy = payload.clone();
        remember(id, copy, selfId, 0, now, null);
        missing.remove(id);
        push(id, selfId, copy, 0, null, everyNeighbour, out);
        return out.build();
    }

    /**
     * The link to a peer broke or could not be dialed: the peer leaves every view (HyParView treats it
     * as failed) and, if it was active, a passive peer is asked to take its place.
     *
     * @param peer the peer
     * @param now  the shell's clock
     * @return what to do
     */
    public GossipOutput peerDown(PeerId peer, long now) {
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        if (peer == null || peer.equals(selfId)) {
            return out.build();
        }
        boolean wasEager = isTreeEdge(peer);
        boolean wasActive = removeActive(peer, out);
        if (wasEager) {
            replaceTreeEdge(out);
        }
        boolean wasPending = pending.remove(peer) != null;
        awaitingReply.remove(peer);
        passive.remove(peer);
        if (wasActive || wasPending) {
            promote(now, peer, out);
        }
        return out.build();
    }

    // ----------------------------------------------------------------------------------------- queries

    /** Our address. */
    public PeerAddress self() {
        return self;
    }

    /** The peers we keep links with, in the order they were added. */
    public Set<PeerId> activeView() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(active.keySet()));
    }

    /** The candidate peers. */
    public Set<PeerId> passiveView() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(passive.keySet()));
    }

    /** The active peers we push messages to (tree edges). */
    public Set<PeerId> eagerPeers() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(eager));
    }

    /** The active peers we only announce messages to. */
    public Set<PeerId> lazyPeers() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(lazy));
    }

    /**
     * The active peers we push an origin's messages to (its tree edges here): every neighbour for an origin
     * whose tree we do not keep, since its next message floods.
     */
    public Set<PeerId> eagerPeers(PeerId origin) {
        Set<PeerId> edges = new LinkedHashSet<>(active.keySet());
        edges.removeAll(trees.lazyPeers(origin));
        return Collections.unmodifiableSet(edges);
    }

    /** The origins whose trees this node keeps. */
    public int trees() {
        return trees.size();
    }

    /** The address we know for a peer in a view, or {@code null}. */
    public PeerAddress addressOf(PeerId peer) {
        return known(peer);
    }

    /** Whether a message id was received or originated within the cache lifetime. */
    public boolean hasMessage(Digest id) {
        return seen.contains(id);
    }

    // ------------------------------------------------------------------------------------- membership

    private void onJoin(PeerId from, Join m, long now, GossipOutput.Builder out) {
        if (!m.joiner().peerId().equals(from)) {
            return; // a JOIN is only ever sent by the joiner itself
        }
        if (active.containsKey(from)) {
            // a repeated JOIN (our reply was lost, or the joiner restarted): confirm, do not walk again
            out.send(from, active.get(from), new NeighborReply(true));
            return;
        }
        // full: refuse rather than drop a neighbour for it (see the class comment). The walks from all our
        // neighbours give the joiner its links; the candidates, sent first, let it ask one of them at once
        boolean take = active.size() < config.activeViewSize();
        if (take) {
            pending.remove(from);
            addActive(m.joiner(), now, out);
        } else {
            addPassive(m.joiner());
            sendCandidates(from, m.joiner(), out);
        }
        out.send(from, m.joiner(), new NeighborReply(take));
        for (Map.Entry<PeerId, PeerAddress> peer : active.entrySet()) {
            if (!peer.getKey().equals(from)) {
                out.send(peer.getKey(), peer.getValue(),
                        new ForwardJoin(m.joiner(), config.activeRandomWalkLength()));
            }
        }
    }

    private void onForwardJoin(PeerId from, ForwardJoin m, long now, GossipOutput.Builder out) {
        PeerAddress joiner = m.joiner();
        if (!active.containsKey(from) || joiner.peerId().equals(selfId) || joiner.peerId().equals(from)) {
            return; // walks only travel along active links, and never about ourselves
        }
        if (active.containsKey(joiner.peerId())) {
            return;
        }
        int ttl = Math.min(m.ttl(), config.activeRandomWalkLength());
        if (ttl == 0 || active.size() <= 1) {
            acceptJoiner(joiner, now, out);
            return;
        }
        if (ttl == config.passiveRandomWalkLength()) {
            addPassive(joiner);
        }
        PeerId next = pick(active.keySet(), from, joiner.peerId());
        if (next == null) {
            acceptJoiner(joiner, now, out);
        } else {
            out.send(next, active.get(next), new ForwardJoin(joiner, ttl - 1));
        }
    }

    private void acceptJoiner(PeerAddress joiner, long now, GossipOutput.Builder out) {
        pending.remove(joiner.peerId());
        addActive(joiner, now, out);
        // high priority: we already took it in, so it must take us too for the link to be symmetric
        request(joiner.peerId(), joiner, new Neighbor(self, true), now, out);
    }

    private void onNeighbor(PeerId from, Neighbor m, long now, GossipOutput.Builder out) {
        if (!m.sender().peerId().equals(from)) {
            return;
        }
        if (active.containsKey(from)) {
            out.send(from, active.get(from), new NeighborReply(true));
            return;
        }
        if (m.highPriority() || active.size() < config.activeViewSize()) {
            pending.remove(from);
            addActive(m.sender(), now, out);
            out.send(from, m.sender(), new NeighborReply(true));
        } else {
            addPassive(m.sender());
            out.send(from, m.sender(), new NeighborReply(false));
            sendCandidates(from, m.sender(), out);
        }
    }

    private void onNeighborReply(PeerId from, NeighborReply m, long now, GossipOutput.Builder out) {
        awaitingReply.remove(from);
        Pending request = pending.remove(from);
        if (request == null) {
            if (m.accepted() && !active.containsKey(from)) {
                // an acceptance that came after we gave up: tell the peer, or it keeps a one-sided link
                out.send(from, known(from), new Disconnect(true));
            }
            return;
        }
        if (m.accepted()) {
            addActive(request.address(), now, out);
        } else {
            addPassive(request.address()); // alive, only full; the repair tick tries someone else
            if (active.isEmpty() && pending.isEmpty()) {
                // a refused JOIN: ask another candidate at once; without neighbours that request has high
                // priority and cannot be refused, so this does not ping-pong
                promote(now, from, out);
            }
        }
    }

    private void onDisconnect(PeerId from, Disconnect m, long now, GossipOutput.Builder out) {
        PeerAddress address = active.get(from);
        if (address == null) {
            Pending request = pending.remove(from);
            if (request != null && m.alive()) {
                addPassive(request.address());
            }
            return;
        }
        boolean wasEager = isTreeEdge(from);
        removeActive(from, out);
        if (wasEager) {
            replaceTreeEdge(out);
        }
        if (m.alive()) {
            addPassive(address);
        } else {
            passive.remove(from);
        }
        promote(now, from, out);
    }

    private void onShuffle(PeerId from, Shuffle m, GossipOutput.Builder out) {
        PeerAddress origin = m.origin();
        if (!active.containsKey(from) || origin.peerId().equals(selfId)) {
            return;
        }
        List<PeerAddress> sample = clamp(m.sample());
        int ttl = Math.min(m.ttl(), config.activeRandomWalkLength());
        if (ttl > 0 && active.size() > 1) {
            PeerId next = pick(active.keySet(), from, origin.peerId());
            if (next != null) {
                out.send(next, active.get(next), new Shuffle(origin, ttl - 1, sample));
                return;
            }
        }
        // as many as offered, but never next to nothing: a node that knows no one but its one neighbour
        // offers an empty sample, and would otherwise never learn anyone from its shuffles
        int size = Math.max(sample.size(), config.shufflePassiveCount());
        List<PeerAddress> reply = sample(passive.values(), size, origin.peerId());
        out.send(origin.peerId(), origin, new ShuffleReply(reply));
        List<PeerAddress> received = new ArrayList<>(sample);
        received.add(origin);
        integrate(received, reply);
    }

    /**
     * Sends a peer we refuse a sample of our passive view (as a SHUFFLE_REPLY, which is taken from
     * anyone), so that its next request goes to someone else than us: a node whose only candidate is a
     * full peer would otherwise ask that peer forever.
     */
    private void sendCandidates(PeerId to, PeerAddress address, GossipOutput.Builder out) {
        List<PeerAddress> candidates = sample(passive.values(), config.maxSampleSize(), to);
        if (!candidates.isEmpty()) {
            out.send(to, address, new ShuffleReply(candidates));
        }
    }

    private void shuffle(GossipOutput.Builder out) {
        PeerId target = pick(active.keySet(), null, null);
        List<PeerAddress> sample = new ArrayList<>();
        sample.add(self);
        sample.addAll(sample(active.values(), config.shuffleActiveCount(), target));
        sample.addAll(sample(passive.values(), config.shufflePassiveCount(), target));
        lastShuffleSample = List.copyOf(sample);
        out.send(target, active.get(target),
                new Shuffle(self, config.activeRandomWalkLength(), sample.subList(1, sample.size())));
    }

    /** Puts received addresses into the passive view, evicting {@code evictFirst} entries before others. */
    private void integrate(List<PeerAddress> received, List<PeerAddress> evictFirst) {
        Iterator<PeerAddress> evictable = evictFirst.iterator();
        for (PeerAddress address : clamp(received)) {
            PeerId id = address.peerId();
            if (id.equals(selfId) || active.containsKey(id) || passive.containsKey(id)) {
                continue;
            }
            if (passive.size() >= config.passiveViewSize()) {
                PeerId victim = null;
                while (victim == null && evictable.hasNext()) {
                    PeerId candidate = evictable.next().peerId();
                    if (passive.containsKey(candidate)) {
                        victim = candidate;
                    }
                }
                passive.remove(victim != null ? victim : pick(passive.keySet(), null, null));
            }
            passive.put(id, address);
        }
    }

    private void sendJoins(long now, GossipOutput.Builder out) {
        for (PeerAddress contact : contacts) {
            if (!active.containsKey(contact.peerId()) && !awaitingReply.containsKey(contact.peerId())) {
                pending.put(contact.peerId(), new Pending(contact, now + config.neighborTimeoutMillis(), true));
                request(contact.peerId(), contact, new Join(self), now, out);
            }
        }
    }

    /** Asks one random passive peer (other than {@code exclude}) to become active, if there is room. */
    private void promote(long now, PeerId exclude, GossipOutput.Builder out) {
        if (active.size() + pending.size() >= config.activeViewSize()) {
            return;
        }
        // high priority (never refused) with at most one neighbour, not only with none: a node with one
        // neighbour is one failure from isolation, and two such nodes linked only with each other are an
        // island that full nodes would refuse forever
        askRandomPassive(exclude, active.size() <= 1, now, out);
    }

    /** Sends NEIGHBOR to one random passive peer that is not {@code exclude} and owes us no reply. */
    private void askRandomPassive(PeerId exclude, boolean highPriority, long now, GossipOutput.Builder out) {
        List<PeerId> candidates = new ArrayList<>();
        for (PeerId peer : passive.keySet()) {
            if (!awaitingReply.containsKey(peer) && !peer.equals(exclude)) {
                candidates.add(peer);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        PeerId chosen = candidates.get(random.nextInt(candidates.size()));
        PeerAddress address = passive.get(chosen);
        pending.put(chosen, new Pending(address, now + config.neighborTimeoutMillis(), false));
        request(chosen, address, new Neighbor(self, highPriority), now, out);
    }

    /**
     * Asks one random passive peer to replace one of our neighbours, if the active view is full and no
     * other request is under way. Low priority: only a peer with room accepts, and then {@link #addActive}
     * drops an old neighbour (a lazy one if it can) as alive.
     */
    private void rotate(long now, GossipOutput.Builder out) {
        if (active.size() < config.activeViewSize() || !pending.isEmpty()) {
            return;
        }
        askRandomPassive(null, false, now, out);
    }

    /** Sends a JOIN or NEIGHBOR, which the peer answers with a NEIGHBOR_REPLY. */
    private void request(PeerId to, PeerAddress address, GossipMessage message, long now, GossipOutput.Builder out) {
        awaitingReply.put(to, now + config.neighborTimeoutMillis());
        out.send(to, address, message);
    }

    private void expirePending(long now) {
        awaitingReply.values().removeIf(deadline -> deadline <= now);
        // no answer within the timeout: the peer is probably gone, so it leaves the passive view as well;
        // except a contact, which stays a candidate: if its JOIN or the answer was lost, the nodes that
        // joined through us meanwhile may know no one else, and the contact is the way out of that island
        pending.entrySet().removeIf(entry -> {
            Pending request = entry.getValue();
            if (request.deadline() > now) {
                return false;
            }
            if (request.join()) {
                addPassive(request.address());
            } else {
                passive.remove(entry.getKey());
            }
            return true;
        });
    }

    private void addActive(PeerAddress address, long now, GossipOutput.Builder out) {
        PeerId id = address.peerId();
        if (id.equals(selfId) || active.containsKey(id)) {
            return;
        }
        if (active.size() >= config.activeViewSize()) {
            // a lazy neighbour if there is one: dropping a tree edge would cut a subtree off until it grafts
            PeerId victim = pick(lazy, id, null);
            if (victim == null) {
                victim = pick(active.keySet(), id, null);
            }
            PeerAddress victimAddress = active.get(victim);
            out.send(victim, victimAddress, new Disconnect(true));
            removeActive(victim, out);
            addPassive(victimAddress);
        }
        passive.remove(id);
        active.put(id, address);
        eager.add(id); // a new neighbour starts as a tree edge, in every tree; duplicates prune it later
        trees.link(id);
        out.event(new GossipOutput.NeighborUp(address));
        historyDue.add(id); // announced once this input's other messages (a NEIGHBOR_REPLY) are out
    }

    private boolean removeActive(PeerId peer, GossipOutput.Builder out) {
        if (active.remove(peer) == null) {
            return false;
        }
        eager.remove(peer);
        lazy.remove(peer);
        trees.unlink(peer);
        lazyQueue.remove(peer);
        for (Missing m : missing.values()) {
            if (peer.equals(m.grafted)) {
                // a link that broke answers no GRAFT: ask the next announcer on the next tick, not after the
                // retry interval (in a crowd of nodes starting together links come and go within rounds)
                m.deadline = Long.MIN_VALUE;
                m.grafted = null;
            }
        }
        out.event(new GossipOutput.NeighborDown(peer));
        return true;
    }

    private void addPassive(PeerAddress address) {
        PeerId id = address.peerId();
        if (id.equals(selfId) || active.containsKey(id) || passive.containsKey(id)) {
            return;
        }
        if (passive.size() >= config.passiveViewSize()) {
            passive.remove(pick(passive.keySet(), null, null));
        }
        passive.put(id, address);
    }

    // ---------------------------------------------------------------------------------------- plumtree

    private void onGossip(PeerId from, Gossip m, long now, GossipOutput.Builder out) {
        boolean neighbour = active.containsKey(from);
        if (m.id().equals(LINK_ONLY)) {
            return;
        }
        if (seen.contains(m.id())) {
            if (neighbour) {
                // a second copy: this edge is redundant in the origin's tree, keep it lazy (IHAVE still
                // covers it)
                makeLazy(m.origin(), from);
                out.send(from, active.get(from), new Prune(m.origin()));
            }
            return;
        }
        remember(m.id(), m.payload(), m.origin(), m.round(), now, neighbour ? from : null);
        Missing announced = missing.remove(m.id());
        out.deliver(new GossipOutput.Delivery(m.id(), m.payload().clone(), m.round(), from));
        if (neighbour) {
            makeEager(m.origin(), from);
        } else if (!pending.containsKey(from)) {
            // a peer that thinks we are linked when we are not: close its side too (unless we are asking
            // it to link right now: the DISCONNECT would cancel the link it is about to accept)
            out.send(from, known(from), new Disconnect(true));
        }
        push(m.id(), m.origin(), m.payload(), m.round(), from, false, out);
        if (neighbour && announced != null) {
            // it was announced before it came: the shortest announced path may beat this one (after the
            // push, or the announcer, grafted, would get a copy it already has and prune us again)
            for (Announcer announcer : announced.announcers) {
                optimize(m.id(), announcer.peer(), announcer.round(), now, out);
            }
        }
    }

    /**
     * Pushes a message along its origin's tree edges and queues its announcement for the other links (or,
     * with {@code everyNeighbour}, pushes it on every link).
     */
    private void push(Digest id, PeerId origin, byte[] payload, int round, PeerId except, boolean everyNeighbour,
            GossipOutput.Builder out) {
        if (origin != null) {
            trees.touch(origin);
        }
        Gossip copy = new Gossip(id, origin, round + 1, payload); // one immutable message for every tree edge
        Announcement announcement = new Announcement(id, round + 1);
        for (Map.Entry<PeerId, PeerAddress> neighbour : active.entrySet()) {
            PeerId peer = neighbour.getKey();
            if (peer.equals(except)) {
                continue;
            }
            if (!everyNeighbour && isLazy(origin, peer)) {
                lazyQueue.computeIfAbsent(peer, p -> new ArrayList<>()).add(announcement);
            } else {
                out.send(peer, neighbour.getValue(), copy);
            }
        }
    }

    /** Whether a neighbour is only announced to in an origin's tree, or in the shared tree. */
    private boolean isLazy(PeerId origin, PeerId peer) {
        return origin == null ? lazy.contains(peer) : trees.isLazy(origin, peer);
    }

    /** A peer becomes a lazy link of an origin's tree, and of the shared tree (which new trees copy). */
    private void makeLazy(PeerId origin, PeerId peer) {
        if (eager.remove(peer)) {
            lazy.add(peer);
        }
        if (origin != null) {
            trees.set(origin, peer, true);
        }
    }

    /** A peer becomes a tree edge of an origin's tree, and of the shared tree. */
    private void makeEager(PeerId origin, PeerId peer) {
        lazy.remove(peer);
        eager.add(peer);
        if (origin != null) {
            trees.set(origin, peer, false);
        }
    }

    /** Whether a neighbour is a tree edge of the shared tree or of any origin's. */
    private boolean isTreeEdge(PeerId peer) {
        return eager.contains(peer) || trees.isEdgeOfAny(peer);
    }

    private void onIHave(PeerId from, IHave m, long now, GossipOutput.Builder out) {
        if (!active.containsKey(from)) {
            PeerAddress address = known(from);
            if (address != null && !pending.containsKey(from)) {
                // a peer we know that thinks we are linked when we are not (it kept a link we dropped, say
                // across a partition): close its side too, as for a GOSSIP; a stranger is ignored
                out.send(from, address, new Disconnect(true));
            }
            return;
        }
        // history for a new link (see announceHistory): no copy of it is on its way, and waiting for the
        // graft timeout is pointless
        boolean history = m.history();
        List<Announcement> announcements = m.announcements();
        int limit = Math.min(announcements.size(), config.maxIHaveBatch());
        for (int i = 0; i < limit; i++) {
            Announcement announcement = announcements.get(i);
            if (seen.contains(announcement.id())) {
                optimize(announcement.id(), from, announcement.round(), now, out);
                continue;
            }
            if (announcement.id().equals(LINK_ONLY)) {
                continue;
            }
            Missing entry = missing.get(announcement.id());
            if (entry == null) {
                if (missing.size() >= config.messageCacheCapacity()) {
                    continue; // bounded: a flood of made-up ids must not grow memory
                }
                entry = new Missing(now + config.graftTimeoutMillis());
                missing.put(announcement.id(), entry);
                if (history) {
                    out.send(from, active.get(from), new Graft(announcement.id()));
                    entry.deadline = now + config.graftRetryMillis();
                    entry.grafted = from;
                    continue;
                }
            }
            if (entry.announcers.size() < MAX_ANNOUNCERS) {
                entry.announcers.add(new Announcer(from, announcement.round()));
            }
        }
    }

    /**
     * Plumtree's tree optimisation: if {@code announcer} offers message {@code id} along a path at least
     * the threshold shorter than the one it came along, the announcer becomes a tree edge (GRAFT without
     * a message) and the parent that brought the message a lazy one (PRUNE). The cache then records the
     * shorter path, so one message switches the tree at most once per improvement. An announcement that
     * comes later than a graft would have waited is history for a new link (see {@link
     * #announceHistory}), not news about the current tree, and is not acted on.
     */
    private void optimize(Digest id, PeerId announcer, int announcedRound, long now, GossipOutput.Builder out) {
        Cached cached = cache.get(id);
        if (cached == null || cached.parent() == null || announcer.equals(cached.parent())
                || now - cached.receivedAt() > config.graftTimeoutMillis()
                || !active.containsKey(announcer)
                || announcedRound > cached.treeRound() - (long) config.treeOptimizationThreshold()) {
            return;
        }
        PeerId origin = cached.origin();
        if (origin != null) {
            trees.touch(origin);
        }
        if (origin == null ? !eager.contains(announcer) : trees.isLazy(origin, announcer)) {
            makeEager(origin, announcer);
            out.send(announcer, active.get(announcer), new Graft(LINK_ONLY, origin));
        }
        PeerId parent = cached.parent();
        if (active.containsKey(parent) && (origin == null ? eager.contains(parent) : !trees.isLazy(origin, parent))) {
            makeLazy(origin, parent);
            out.send(parent, active.get(parent), new Prune(origin));
        }
        cache.put(id, new Cached(cached.payload(), origin, cached.round(), cached.receivedAt(), announcer,
                announcedRound));
    }

    /**
     * A tree edge broke (the neighbour left or dropped us): one random lazy neighbour becomes a tree edge
     * at once (a GRAFT for {@link #LINK_ONLY}), so that the part of the tree behind the broken edge is not
     * left to find each message by the graft timeout. If that closes a cycle instead, the next message
     * arrives twice and the duplicate prunes it again.
     */
    private void replaceTreeEdge(GossipOutput.Builder out) {
        PeerId peer = pick(lazy, null, null);
        if (peer == null) {
            // no lazy link in the shared tree: one that is lazy in some origin's tree
            peer = trees.anyLazy(random);
        }
        if (peer != null && active.containsKey(peer)) {
            PeerId edge = peer;
            makeEager(null, edge);
            trees.eagerEverywhere(edge);
            out.send(edge, active.get(edge), new Graft(LINK_ONLY)); // a tree edge again, in every tree
        }
    }

    private void graftMissing(long now, GossipOutput.Builder out) {
        Iterator<Map.Entry<Digest, Missing>> it = missing.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Digest, Missing> entry = it.next();
            Missing m = entry.getValue();
            if (m.deadline > now) {
                continue;
            }
            Announcer announcer = null;
            while (announcer == null && !m.announcers.isEmpty()) {
                Announcer candidate = m.announcers.poll();
                if (active.containsKey(candidate.peer())) {
                    announcer = candidate;
                }
            }
            if (announcer == null) {
                it.remove(); // nobody left to ask; a later IHAVE starts over
                continue;
            }
            // the announcer becomes a tree edge again: the tree repairs itself along the path that worked
            lazy.remove(announcer.peer());
            eager.add(announcer.peer());
            out.send(announcer.peer(), active.get(announcer.peer()), new Graft(entry.getKey()));
            m.deadline = now + config.graftRetryMillis();
            m.grafted = announcer.peer();
        }
    }

    private void onGraft(PeerId from, Graft m, GossipOutput.Builder out) {
        if (!active.containsKey(from)) {
            return;
        }
        Cached cached = m.id().equals(LINK_ONLY) ? null : cache.get(m.id());
        if (m.id().equals(LINK_ONLY) && m.origin() == null) {
            makeEager(null, from); // a repaired edge: a tree edge in every tree
            trees.eagerEverywhere(from);
        } else {
            makeEager(cached != null ? cached.origin() : m.origin(), from);
        }
        if (cached != null) {
            out.send(from, active.get(from), new Gossip(m.id(), cached.origin(), cached.round() + 1,
                    cached.payload()));
        }
    }

    /**
     * Announces the recent messages we hold to a new neighbour (at once, after the reply that made the
     * link, in IHAVEs marked as history): a node that
     * just joined, or whose links broke while messages were under way, missed them and nothing else
     * would ever tell it; it GRAFTs what it lacks (at once, see {@link #onIHave}). Only messages younger
     * than half the cache lifetime: an older one may already be forgotten by the neighbour, which would
     * then take it for new and deliver and spread it a second time (and every node that forgot it too
     * would spread it again: a second flood). A full cache forgets by count before the lifetime is up (a
     * network of 10,000 nodes re-announcing every 45 s sends more messages in a lifetime than the cache
     * holds), and the neighbours, carrying the same traffic, forget as early: then only messages younger
     * than half the time the cache spans.
     */
    private void announceHistory(PeerId peer, long now, GossipOutput.Builder out) {
        if (cache.isEmpty() || !active.containsKey(peer)) {
            return;
        }
        long since = now - config.messageCacheTtlMillis() / 2;
        if (cache.size() >= config.messageCacheCapacity()) {
            long span = now - cache.firstEntry().getValue().receivedAt();
            since = Math.max(since, now - span / 2);
        }
        List<Announcement> history = new ArrayList<>();
        for (Map.Entry<Digest, Cached> entry : cache.entrySet()) {
            if (entry.getValue().receivedAt() >= since) {
                history.add(new Announcement(entry.getKey(), entry.getValue().round() + 1));
            }
        }
        // at once, not with the next batch: the new neighbour grafts what it lacks at once too, so a node
        // that joins (or an island that links up) catches up within a round trip
        for (int from = 0; from < history.size(); from += config.maxIHaveBatch()) {
            out.send(peer, active.get(peer), new IHave(history.subList(from, Math.min(history.size(),
                    from + config.maxIHaveBatch())), true));
        }
    }

    private void flushLazyQueue(GossipOutput.Builder out) {
        for (Map.Entry<PeerId, List<Announcement>> entry : lazyQueue.entrySet()) {
            PeerAddress address = active.get(entry.getKey());
            if (address == null) {
                continue;
            }
            List<Announcement> all = entry.getValue();
            for (int from = 0; from < all.size(); from += config.maxIHaveBatch()) {
                int to = Math.min(all.size(), from + config.maxIHaveBatch());
                out.send(entry.getKey(), address, new IHave(all.subList(from, to)));
            }
        }
        lazyQueue.clear();
    }

    private void remember(Digest id, byte[] payload, PeerId origin, int round, long now, PeerId parent) {
        seen.add(id, now);
        cache.put(id, new Cached(payload, origin, round, now, parent, round));
        while (cache.size() > config.messageCacheCapacity()) {
            Iterator<Digest> oldest = cache.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private void expireCache(long now) {
        seen.expire(now);
        Iterator<Cached> it = cache.values().iterator();
        while (it.hasNext()) {
            if (it.next().receivedAt() + config.messageCacheTtlMillis() > now) {
                break; // insertion order is arrival order: the rest is younger
            }
            it.remove();
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void start(long now) {
        if (!started) {
            started = true;
            // a random phase, so that nodes started together do not shuffle in lock-step
            nextShuffleAt = now + config.shuffleIntervalMillis() / 2
                    + random.nextLong(Math.max(1, config.shuffleIntervalMillis() / 2));
            nextRepairAt = now + Math.min(STARTUP_REPAIR_MILLIS, config.repairIntervalMillis());
            startedAt = now;
        }
    }

    private PeerAddress known(PeerId peer) {
        PeerAddress address = active.get(peer);
        if (address == null) {
            Pending request = pending.get(peer);
            address = request != null ? request.address() : passive.get(peer);
        }
        return address;
    }

    private List<PeerAddress> clamp(List<PeerAddress> sample) {
        return sample.size() <= config.maxSampleSize() ? sample : sample.subList(0, config.maxSampleSize());
    }

    /** A random element other than the two exclusions, or {@code null}. */
    private PeerId pick(Collection<PeerId> from, PeerId exclude1, PeerId exclude2) {
        // counts and walks instead of copying: this runs for every eviction and every walk step
        int count = 0;
        for (PeerId peer : from) {
            if (!peer.equals(exclude1) && !peer.equals(exclude2)) {
                count++;
            }
        }
        if (count == 0) {
            return null;
        }
        int index = random.nextInt(count);
        for (PeerId peer : from) {
            if (!peer.equals(exclude1) && !peer.equals(exclude2) && index-- == 0) {
                return peer;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Up to {@code count} random addresses, none of them {@code exclude}. */
    private List<PeerAddress> sample(Collection<PeerAddress> from, int count, PeerId exclude) {
        List<PeerAddress> candidates = new ArrayList<>(from.size());
        for (PeerAddress address : from) {
            if (!address.peerId().equals(exclude)) {
                candidates.add(address);
            }
        }
        // partial Fisher-Yates: the first count slots end up a uniform sample
        int n = Math.min(count, candidates.size());
        for (int i = 0; i < n; i++) {
            Collections.swap(candidates, i, i + random.nextInt(candidates.size() - i));
        }
        return List.copyOf(candidates.subList(0, n));
    }
}
