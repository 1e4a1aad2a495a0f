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
 * <p>Bad input never throws: messages from peers that have no business sending them, a peer naming
 * itself or us, duplicates and oversized samples are ignored or clamped.
 */
public final class GossipCore {

    /** The most announcers remembered per missing message; more only cost memory. */
    private static final int MAX_ANNOUNCERS = 8;

    private final PeerAddress self;
    private final PeerId selfId;
    private final GossipConfig config;
    private final RandomGenerator random;

    // insertion-ordered maps so that iteration, and thus every random pick, is reproducible
    private final Map<PeerId, PeerAddress> active = new LinkedHashMap<>();
    private final Map<PeerId, PeerAddress> passive = new LinkedHashMap<>();
    /** JOIN and NEIGHBOR requests waiting for a {@link NeighborReply}. */
    private final Map<PeerId, Pending> pending = new LinkedHashMap<>();
    private final Set<PeerId> eager = new LinkedHashSet<>();
    private final Set<PeerId> lazy = new LinkedHashSet<>();
    /** Received (and originated) messages, oldest first: dedup and the source for GRAFT answers. */
    private final LinkedHashMap<Digest, Cached> cache = new LinkedHashMap<>();
    /** Announced but not received messages, with the announcers to graft from. */
    private final LinkedHashMap<Digest, Missing> missing = new LinkedHashMap<>();
    /** IHAVE entries to send on the next tick, per lazy peer. */
    private final Map<PeerId, List<Announcement>> lazyQueue = new LinkedHashMap<>();

    private List<PeerAddress> contacts = List.of();
    /** What we sent in our last shuffle: the first to go when the reply fills the passive view. */
    private List<PeerAddress> lastShuffleSample = List.of();
    private boolean started;
    private long nextShuffleAt;
    private long nextRepairAt;

    private record Pending(PeerAddress address, long deadline) {
    }

    private record Cached(byte[] payload, int round, long receivedAt) {
    }

    private record Announcer(PeerId peer, int round) {
    }

    private static final class Missing {
        final ArrayDeque<Announcer> announcers = new ArrayDeque<>();
        long deadline;

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
            case Neighbor m -> onNeighbor(from, m, out);
            case NeighborReply m -> onNeighborReply(from, m, now, out);
            case Disconnect m -> onDisconnect(from, m, now, out);
            case Shuffle m -> onShuffle(from, m, out);
            case ShuffleReply m -> integrate(m.sample(), lastShuffleSample);
            case Gossip m -> onGossip(from, m, now, out);
            case IHave m -> onIHave(from, m, now);
            case Graft m -> onGraft(from, m, out);
            case Prune m -> {
                if (active.containsKey(from)) {
                    eager.remove(from);
                    lazy.add(from);
                }
            }
        }
        return out.build();
    }

    /**
     * Does the timed work: expires unanswered requests, grafts missing messages, sends IHAVE batches,
     * shuffles, refills a short active view, forgets old messages.
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
            } else if (passive.isEmpty() && pending.isEmpty()) {
                sendJoins(now, out); // isolated: the only way back in is through the contacts
            }
        }
        if (now >= nextRepairAt) {
            nextRepairAt = now + config.repairIntervalMillis();
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
     * @param id      the message id (unique per message, such as the hash of the payload)
     * @param payload the bytes (copied)
     * @param now     the shell's clock
     * @return what to do
     */
    public GossipOutput broadcast(Digest id, byte[] payload, long now) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        GossipOutput.Builder out = new GossipOutput.Builder();
        start(now);
        if (cache.containsKey(id)) {
            return out.build();
        }
        byte[] copy = payload.clone();
        remember(id, copy, 0, now);
        missing.remove(id);
        push(id, copy, 0, null, out);
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
        boolean wasActive = removeActive(peer, out);
        boolean wasPending = pending.remove(peer) != null;
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

    /** The address we know for a peer in a view, or {@code null}. */
    public PeerAddress addressOf(PeerId peer) {
        return known(peer);
    }

    /** Whether a message id is in the cache (received or originated, not yet expired). */
    public boolean hasMessage(Digest id) {
        return cache.containsKey(id);
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
        pending.remove(from);
        addActive(m.joiner(), out);
        out.send(from, m.joiner(), new NeighborReply(true));
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
            acceptJoiner(joiner, out);
            return;
        }
        if (ttl == config.passiveRandomWalkLength()) {
            addPassive(joiner);
        }
        PeerId next = pick(active.keySet(), from, joiner.peerId());
        if (next == null) {
            acceptJoiner(joiner, out);
        } else {
            out.send(next, active.get(next), new ForwardJoin(joiner, ttl - 1));
        }
    }

    private void acceptJoiner(PeerAddress joiner, GossipOutput.Builder out) {
        pending.remove(joiner.peerId());
        addActive(joiner, out);
        // high priority: we already took it in, so it must take us too for the link to be symmetric
        out.send(joiner.peerId(), joiner, new Neighbor(self, true));
    }

    private void onNeighbor(PeerId from, Neighbor m, GossipOutput.Builder out) {
        if (!m.sender().peerId().equals(from)) {
            return;
        }
        if (active.containsKey(from)) {
            out.send(from, active.get(from), new NeighborReply(true));
            return;
        }
        if (m.highPriority() || active.size() < config.activeViewSize()) {
            pending.remove(from);
            addActive(m.sender(), out);
            out.send(from, m.sender(), new NeighborReply(true));
        } else {
            addPassive(m.sender());
            out.send(from, m.sender(), new NeighborReply(false));
        }
    }

    private void onNeighborReply(PeerId from, NeighborReply m, long now, GossipOutput.Builder out) {
        Pending request = pending.remove(from);
        if (request == null) {
            if (m.accepted() && !active.containsKey(from)) {
                // an acceptance that came after we gave up: tell the peer, or it keeps a one-sided link
                out.send(from, known(from), new Disconnect(true));
            }
            return;
        }
        if (m.accepted()) {
            addActive(request.address(), out);
        } else {
            addPassive(request.address()); // alive, only full; the repair tick tries someone else
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
        removeActive(from, out);
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
        List<PeerAddress> reply = sample(passive.values(), sample.size(), origin.peerId());
        out.send(origin.peerId(), origin, new ShuffleReply(reply));
        List<PeerAddress> received = new ArrayList<>(sample);
        received.add(origin);
        integrate(received, reply);
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
            if (!active.containsKey(contact.peerId())) {
                pending.put(contact.peerId(), new Pending(contact, now + config.neighborTimeoutMillis()));
                out.send(contact.peerId(), contact, new Join(self));
            }
        }
    }

    /** Asks one random passive peer (other than {@code exclude}) to become active, if there is room. */
    private void promote(long now, PeerId exclude, GossipOutput.Builder out) {
        if (active.size() + pending.size() >= config.activeViewSize()) {
            return;
        }
        List<PeerId> candidates = new ArrayList<>();
        for (PeerId peer : passive.keySet()) {
            if (!pending.containsKey(peer) && !peer.equals(exclude)) {
                candidates.add(peer);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        PeerId chosen = candidates.get(random.nextInt(candidates.size()));
        PeerAddress address = passive.get(chosen);
        pending.put(chosen, new Pending(address, now + config.neighborTimeoutMillis()));
        out.send(chosen, address, new Neighbor(self, active.isEmpty()));
    }

    private void expirePending(long now) {
        // no answer within the timeout: the peer is probably gone, so it leaves the passive view as well
        pending.entrySet().removeIf(entry -> {
            if (entry.getValue().deadline() <= now) {
                passive.remove(entry.getKey());
                return true;
            }
            return false;
        });
    }

    private void addActive(PeerAddress address, GossipOutput.Builder out) {
        PeerId id = address.peerId();
        if (id.equals(selfId) || active.containsKey(id)) {
            return;
        }
        if (active.size() >= config.activeViewSize()) {
            PeerId victim = pick(active.keySet(), id, null);
            PeerAddress victimAddress = active.get(victim);
            out.send(victim, victimAddress, new Disconnect(true));
            removeActive(victim, out);
            addPassive(victimAddress);
        }
        passive.remove(id);
        active.put(id, address);
        eager.add(id); // a new neighbour starts as a tree edge; duplicates prune it later
        out.event(new GossipOutput.NeighborUp(address));
    }

    private boolean removeActive(PeerId peer, GossipOutput.Builder out) {
        if (active.remove(peer) == null) {
            return false;
        }
        eager.remove(peer);
        lazy.remove(peer);
        lazyQueue.remove(peer);
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
        if (cache.containsKey(m.id())) {
            if (neighbour) {
                // a second copy: this edge is redundant, keep it lazy (IHAVE still covers it)
                eager.remove(from);
                lazy.add(from);
                out.send(from, active.get(from), new Prune());
            }
            return;
        }
        remember(m.id(), m.payload(), m.round(), now);
        missing.remove(m.id());
        out.deliver(new GossipOutput.Delivery(m.id(), m.payload().clone(), m.round(), from));
        if (neighbour) {
            lazy.remove(from);
            eager.add(from);
        } else {
            // a peer that thinks we are linked when we are not: close its side too
            out.send(from, known(from), new Disconnect(true));
        }
        push(m.id(), m.payload(), m.round(), from, out);
    }

    private void push(Digest id, byte[] payload, int round, PeerId except, GossipOutput.Builder out) {
        for (PeerId peer : eager) {
            if (!peer.equals(except)) {
                out.send(peer, active.get(peer), new Gossip(id, round + 1, payload));
            }
        }
        for (PeerId peer : lazy) {
            if (!peer.equals(except)) {
                lazyQueue.computeIfAbsent(peer, p -> new ArrayList<>()).add(new Announcement(id, round + 1));
            }
        }
    }

    private void onIHave(PeerId from, IHave m, long now) {
        if (!active.containsKey(from)) {
            return;
        }
        List<Announcement> announcements = m.announcements();
        int limit = Math.min(announcements.size(), config.maxIHaveBatch());
        for (int i = 0; i < limit; i++) {
            Announcement announcement = announcements.get(i);
            if (cache.containsKey(announcement.id())) {
                continue;
            }
            Missing entry = missing.get(announcement.id());
            if (entry == null) {
                if (missing.size() >= config.messageCacheCapacity()) {
                    continue; // bounded: a flood of made-up ids must not grow memory
                }
                entry = new Missing(now + config.graftTimeoutMillis());
                missing.put(announcement.id(), entry);
            }
            if (entry.announcers.size() < MAX_ANNOUNCERS) {
                entry.announcers.add(new Announcer(from, announcement.round()));
            }
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
        }
    }

    private void onGraft(PeerId from, Graft m, GossipOutput.Builder out) {
        if (!active.containsKey(from)) {
            return;
        }
        lazy.remove(from);
        eager.add(from);
        Cached cached = cache.get(m.id());
        if (cached != null) {
            out.send(from, active.get(from), new Gossip(m.id(), cached.round() + 1, cached.payload()));
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

    private void remember(Digest id, byte[] payload, int round, long now) {
        cache.put(id, new Cached(payload, round, now));
        while (cache.size() > config.messageCacheCapacity()) {
            Iterator<Digest> oldest = cache.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private void expireCache(long now) {
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
            nextRepairAt = now + config.repairIntervalMillis();
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
        List<PeerId> candidates = new ArrayList<>(from.size());
        for (PeerId peer : from) {
            if (!peer.equals(exclude1) && !peer.equals(exclude2)) {
                candidates.add(peer);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
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
