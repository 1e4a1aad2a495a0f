package io.mosaik.discovery.gossip;

import io.mosaik.primitives.PeerId;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The per-origin broadcast trees of a {@link GossipCore}, stored compactly: for each origin, the
 * neighbours that only hear of its messages lazily, as a bit mask over neighbour slots. A node of a
 * network of N nodes keeps a tree per origin, and N trees of sets cost kilobytes each in a large network
 * (a hash set per origin); a mask costs one int. Open addressing (linear probing) keyed by origin; when
 * {@code capacity} origins are kept, the one not used for longest of those the clock hand passes goes
 * (CLOCK, an approximation of least recently used).
 *
 * <p>Slots: every active neighbour holds one of {@value #MAX_NEIGHBOURS} slots while it is linked; a slot
 * is cleared in every mask when its neighbour comes or goes, so a new neighbour starts as a tree edge of
 * every tree.
 */
final class OriginTrees {

    /** The most neighbours a mask covers. */
    static final int MAX_NEIGHBOURS = 32;

    private final int capacity;
    private final PeerId[] neighbours = new PeerId[MAX_NEIGHBOURS];
    private PeerId[] origins = new PeerId[16];
    private int[] lazy = new int[16];
    private boolean[] used = new boolean[16];
    private int size;
    private int hand;

    OriginTrees(int capacity) {
        this.capacity = capacity;
    }

    /** How many origins have a tree. */
    int size() {
        return size;
    }

    /** Whether the origin has a tree (without marking it used). */
    boolean has(PeerId origin) {
        int mask = origins.length - 1;
        for (int i = home(origin, mask); origins[i] != null; i = (i + 1) & mask) {
            if (origins[i].equals(origin)) {
                return true;
            }
        }
        return false;
    }

    /** A new neighbour takes a free slot; it is a tree edge of every tree. */
    void link(PeerId neighbour) {
        if (slotOf(neighbour) >= 0) {
            return;
        }
        for (int slot = 0; slot < MAX_NEIGHBOURS; slot++) {
            if (neighbours[slot] == null) {
                neighbours[slot] = neighbour;
                clear(slot);
                return;
            }
        }
        throw new IllegalStateException("more than " + MAX_NEIGHBOURS + " neighbours");
    }

    /** A neighbour that left frees its slot. */
    void unlink(PeerId neighbour) {
        int slot = slotOf(neighbour);
        if (slot >= 0) {
            neighbours[slot] = null;
            clear(slot);
        }
    }

    /** The neighbour becomes a tree edge of every origin's tree. */
    void eagerEverywhere(PeerId neighbour) {
        int slot = slotOf(neighbour);
        if (slot >= 0) {
            clear(slot);
        }
    }

    /** Creates the origin's tree (every link a tree edge) if it has none; marks it used. */
    void touch(PeerId origin) {
        indexOf(origin, true);
    }

    /** Whether the neighbour only hears of the origin's messages lazily (never for an origin without tree). */
    boolean isLazy(PeerId origin, PeerId neighbour) {
        int slot = slotOf(neighbour);
        int index = indexOf(origin, false);
        return slot >= 0 && index >= 0 && (lazy[index] & (1 << slot)) != 0;
    }

    /** The neighbour becomes lazy (or, with {@code lazy} false, a tree edge) in the origin's tree. */
    void set(PeerId origin, PeerId neighbour, boolean makeLazy) {
        int index = indexOf(origin, true);
        int slot = slotOf(neighbour);
        if (slot >= 0) {
            lazy[index] = makeLazy ? lazy[index] | (1 << slot) : lazy[index] & ~(1 << slot);
        }
    }

    /** The origin's lazy neighbours (empty for an origin without tree). */
    Set<PeerId> lazyPeers(PeerId origin) {
        Set<PeerId> peers = new LinkedHashSet<>();
        int index = indexOf(origin, false);
        if (index >= 0) {
            for (int slot = 0; slot < MAX_NEIGHBOURS; slot++) {
                if ((lazy[index] & (1 << slot)) != 0) {
                    peers.add(neighbours[slot]);
                }
            }
        }
        return peers;
    }

    /** Whether the neighbour is a tree edge of some origin's tree. */
    boolean isEdgeOfAny(PeerId neighbour) {
        int slot = slotOf(neighbour);
        if (slot < 0) {
            return false;
        }
        for (int i = 0; i < origins.length; i++) {
            if (origins[i] != null && (lazy[i] & (1 << slot)) == 0) {
                return true;
            }
        }
        return false;
    }

    /** A random lazy neighbour of the first tree (in table order) that has one, or {@code null}. */
    PeerId anyLazy(RandomGenerator random) {
        for (int i = 0; i < origins.length; i++) {
            int mask = lazy[i];
            if (origins[i] != null && mask != 0) {
                int pick = random.nextInt(Integer.bitCount(mask));
                for (int slot = 0; slot < MAX_NEIGHBOURS; slot++) {
                    if ((mask & (1 << slot)) != 0 && pick-- == 0) {
                        return neighbours[slot];
                    }
                }
            }
        }
        return null;
    }

    private int slotOf(PeerId neighbour) {
        for (int slot = 0; slot < MAX_NEIGHBOURS; slot++) {
            if (neighbour.equals(neighbours[slot])) {
                return slot;
            }
        }
        return -1;
    }

    private void clear(int slot) {
        int keep = ~(1 << slot);
        for (int i = 0; i < lazy.length; i++) {
            lazy[i] &= keep;
        }
    }

    private int indexOf(PeerId origin, boolean create) {
        int mask = origins.length - 1;
        int i = home(origin, mask);
        while (origins[i] != null) {
            if (origins[i].equals(origin)) {
                used[i] = true;
                return i;
            }
            i = (i + 1) & mask;
        }
        if (!create) {
            return -1;
        }
        if (size >= capacity) {
            evict();
            return indexOf(origin, true);
        }
        if ((size + 1) * 4L > origins.length * 3L) {
            grow();
            return indexOf(origin, true);
        }
        origins[i] = origin;
        lazy[i] = 0;
        used[i] = true;
        size++;
        return i;
    }

    private void grow() {
        PeerId[] oldOrigins = origins;
        int[] oldLazy = lazy;
        boolean[] oldUsed = used;
        origins = new PeerId[oldOrigins.length * 2];
        lazy = new int[origins.length];
        used = new boolean[origins.length];
        int mask = origins.length - 1;
        for (int old = 0; old < oldOrigins.length; old++) {
            if (oldOrigins[old] != null) {
                int i = home(oldOrigins[old], mask);
                while (origins[i] != null) {
                    i = (i + 1) & mask;
                }
                origins[i] = oldOrigins[old];
                lazy[i] = oldLazy[old];
                used[i] = oldUsed[old];
            }
        }
        hand = 0;
    }

    /**
     * Where an origin's probe run starts: its fingerprint mixed with a secret of this process. Origins come
     * from peers (a PRUNE or GRAFT names one without proof), and without the secret a neighbour could make
     * thousands that share one run and turn every lookup into a walk along it.
     */
    private static int home(PeerId origin, int mask) {
        return GossipHashing.mix(origin.fingerprint()) & mask;
    }

    /** CLOCK: the first origin the hand finds that was not used since the hand last passed it goes. */
    private void evict() {
        while (true) {
            hand = (hand + 1) & (origins.length - 1);
            if (origins[hand] != null) {
                if (!used[hand]) {
                    remove(hand);
                    return;
                }
                used[hand] = false;
            }
        }
    }

    /** Removes the entry at {@code index}, moving later entries of its probe run back (no tombstones). */
    private void remove(int index) {
        int mask = origins.length - 1;
        origins[index] = null;
        size--;
        int gap = index;
        int i = (index + 1) & mask;
        while (origins[i] != null) {
            int home = home(origins[i], mask);
            // the entry may fill the gap if its home is not cyclically within (gap, i]
            if (((i - home) & mask) >= ((i - gap) & mask)) {
                origins[gap] = origins[i];
                lazy[gap] = lazy[i];
                used[gap] = used[i];
                origins[i] = null;
                gap = i;
            }
            i = (i + 1) & mask;
        }
        lazy[gap] = 0;
        used[gap] = false;
    }

    @Override
    public String toString() {
        return "OriginTrees[" + size + " origins, neighbours " + Arrays.toString(neighbours) + "]";
    }
}
