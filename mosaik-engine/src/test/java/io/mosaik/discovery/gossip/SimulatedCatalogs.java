package io.mosaik.discovery.gossip;

import io.mosaik.primitives.Digest;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What discovery does around the gossip cores of a {@link GossipSimulator}, reduced to what the catalogs
 * depend on. Each node's catalog is the newest version it knows of every node's entry (a version is the
 * virtual time of the change; an entry older than the purge interval is forgotten). Every announce
 * interval (45 s ± 50 %) a node makes a new version of its entry and broadcasts it, and syncs catalogs
 * with a random peer of its catalog: a push-pull exchange of one round trip that fails across a
 * partition. As in {@code Discovery}, peers a sync brings that were not in the catalog are observed by
 * the gossip core, and a peer whose copy of our entry is older than a version we broadcast with
 * neighbours at least 10 s ago is bridged to. At the start every catalog holds every entry (version 0):
 * a network that has been running.
 */
final class SimulatedCatalogs {

    static final long ANNOUNCE_MILLIS = 45_000;
    static final double ANNOUNCE_JITTER = 0.5;
    static final long PURGE_MILLIS = 300_000;
    static final long SETTLED_MILLIS = 10_000;
    static final long ROUND_TRIP_MILLIS = 40;

    private final GossipSimulator sim;
    private final SplittableRandom random;
    /** {@code versions[node][origin]}: the version of origin's entry that node holds, -1 for none. */
    private final long[][] versions;
    private final Map<Digest, long[]> announcements = new HashMap<>();
    /** Per node, the versions it broadcast while it had neighbours, oldest first. */
    private final List<ArrayDeque<Long>> broadcasts = new ArrayList<>();
    long syncs;
    long bridges;

    SimulatedCatalogs(GossipSimulator sim, long seed) {
        this.sim = sim;
        this.random = new SplittableRandom(seed ^ 0xCA7A1065L);
        this.versions = new long[sim.size][sim.size];
        for (long[] row : versions) {
            Arrays.fill(row, 0);
        }
        for (int i = 0; i < sim.size; i++) {
            broadcasts.add(new ArrayDeque<>());
        }
        sim.onDelivery = (node, delivery) -> {
            long[] announced = announcements.get(delivery.id());
            if (announced != null) {
                learn(node, (int) announced[0], announced[1]);
            }
        };
    }

    /** Starts every node's announce timer, each at a random phase. */
    void start() {
        for (int i = 0; i < sim.size; i++) {
            int node = i;
            sim.at(sim.now() + random.nextLong(ANNOUNCE_MILLIS), () -> announce(node));
        }
    }

    /** The version of {@code origin}'s entry that {@code node} holds (-1 for none, or forgotten). */
    long version(int node, int origin) {
        return known(node, origin) ? versions[node][origin] : -1;
    }

    /** Node {@code node} changes its entry now (a tag, say) and broadcasts it; returns the new version. */
    long change(int node) {
        long version = Math.max(sim.now(), versions[node][node] + 1);
        versions[node][node] = version;
        Digest id = sim.broadcast(node, ByteBuffer.allocate(16).putLong(node).putLong(version).array());
        announcements.put(id, new long[] {node, version});
        if (!sim.cores[node].activeView().isEmpty()) {
            broadcasts.get(node).addLast(version);
        }
        return version;
    }

    private void announce(int node) {
        if (sim.isCrashed(node)) {
            return;
        }
        change(node);
        List<Integer> peers = new ArrayList<>();
        for (int peer = 0; peer < sim.size; peer++) {
            if (peer != node && known(node, peer)) {
                peers.add(peer);
            }
        }
        if (!peers.isEmpty()) {
            sync(node, peers.get(random.nextInt(peers.size())));
        }
        long jitter = (long) (ANNOUNCE_MILLIS * ANNOUNCE_JITTER);
        sim.at(sim.now() + ANNOUNCE_MILLIS + random.nextLong(-jitter, jitter + 1), () -> announce(node));
    }

    /** A push-pull sync that {@code from} opens with {@code to}: each side merges what the other held. */
    private void sync(int from, int to) {
        if (!sim.canReach(from, to)) {
            return; // the dial fails
        }
        syncs++;
        long[] mine = snapshot(from);
        sim.at(sim.now() + ROUND_TRIP_MILLIS / 2, () -> {
            long[] theirs = snapshot(to); // the acceptor answers with what it held before merging
            merge(to, from, mine);
            sim.at(sim.now() + ROUND_TRIP_MILLIS / 2, () -> merge(from, to, theirs));
        });
    }

    private long[] snapshot(int node) {
        long[] snapshot = new long[sim.size];
        for (int origin = 0; origin < sim.size; origin++) {
            snapshot[origin] = version(node, origin);
        }
        return snapshot;
    }

    private void merge(int node, int peer, long[] snapshot) {
        List<Integer> discovered = new ArrayList<>();
        for (int origin = 0; origin < sim.size; origin++) {
            if (origin != node && !known(node, origin) && snapshot[origin] >= 0) {
                discovered.add(origin);
            }
            learn(node, origin, snapshot[origin]);
        }
        if (!discovered.isEmpty()) {
            sim.observe(node, discovered);
        }
        Long settled = settled(node);
        if (settled != null && snapshot[node] >= 0 && snapshot[node] < settled) {
            bridges++;
            sim.bridge(node, peer);
        }
    }

    private Long settled(int node) {
        Long settled = null;
        ArrayDeque<Long> own = broadcasts.get(node);
        while (!own.isEmpty() && own.peekFirst() <= sim.now() - SETTLED_MILLIS) {
            settled = own.pollFirst();
        }
        if (settled != null) {
            own.addFirst(settled);
        }
        return settled;
    }

    private void learn(int node, int origin, long version) {
        if (origin != node && version > versions[node][origin] && sim.now() - version <= PURGE_MILLIS) {
            versions[node][origin] = version;
        }
    }

    private boolean known(int node, int origin) {
        return versions[node][origin] >= 0 && sim.now() - versions[node][origin] <= PURGE_MILLIS;
    }
}
