package io.mosaik.discovery.gossip;

import io.mosaik.primitives.Digest;
import java.util.Arrays;

/**
 * The ids of the messages a {@link GossipCore} received within the message lifetime, for dedup, bounded
 * by time as Plumtree's set of received messages is. The message cache, which keeps payloads to answer
 * GRAFTs, is bounded by count; in a burst (thousands of nodes starting together, each flooding its entry)
 * more messages arrive within seconds than it holds, and a late copy of a message that already left it
 * would be taken for new: delivered again and pushed on, through every node that forgot it too. Measured
 * in the simulator: a cold start of 5,000 nodes delivered a quarter of its copies twice.
 *
 * <p>Each id is kept as a 64-bit fingerprint (its first 8 bytes; ids are BLAKE3 hashes of the payload, so
 * a stranger's message that shares one would take about 2⁶⁴ tries to make) with its arrival time, in an
 * open-addressing table of 16 bytes a slot, placed by {@link GossipHashing} (mixed with a secret of the
 * process, since the ids come from peers). Expired ids go when the table is rebuilt: when the oldest one
 * expired and a sixteenth of the lifetime passed since the last rebuild, or to grow. A hard limit guards
 * memory against a member flooding made-up messages: when it is reached, the expired ids go and, if that is
 * not enough, the older half by arrival.
 */
final class SeenIds {

    private static final long EMPTY = 0;
    private static final int MIN_SLOTS = 64;

    private final long lifetimeMillis;
    private final int limit;
    private long[] keys = new long[MIN_SLOTS];
    private long[] times = new long[MIN_SLOTS];
    private int size;
    private long oldest = Long.MAX_VALUE;
    private long lastSweep = Long.MIN_VALUE;

    /**
     * @param lifetimeMillis how long an id is remembered
     * @param limit          the most ids remembered
     */
    SeenIds(long lifetimeMillis, int limit) {
        if (lifetimeMillis <= 0 || limit <= 0) {
            throw new IllegalArgumentException("lifetime and limit must be positive");
        }
        this.lifetimeMillis = lifetimeMillis;
        this.limit = limit;
    }

    /** How many ids are remembered (expired ones included until the next sweep). */
    int size() {
        return size;
    }

    /** Whether the id arrived within the lifetime (or a little longer: expired ids go in sweeps). */
    boolean contains(Digest id) {
        long key = keyOf(id);
        int mask = keys.length - 1;
        for (int i = GossipHashing.mix(key) & mask; keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return true;
            }
        }
        return false;
    }

    /** Remembers an id that arrived at {@code now} (an id already remembered keeps its first arrival). */
    void add(Digest id, long now) {
        if (contains(id)) {
            return;
        }
        if (size >= limit) {
            rebuild(now - lifetimeMillis, keys.length);
            if (size >= limit) {
                // the older half (by count) goes; ids that arrived together with the median go with it
                rebuild(medianTime(), keys.length);
            }
        } else if ((size + 1) * 4L > keys.length * 3L) {
            rebuild(now - lifetimeMillis, MIN_SLOTS); // sized for the ids kept, and the one to come
        }
        insert(keyOf(id), now);
        size++;
        oldest = Math.min(oldest, now);
    }

    /** Forgets expired ids, if the oldest one expired and a sixteenth of the lifetime passed since the last time. */
    void expire(long now) {
        if (oldest <= now - lifetimeMillis && (lastSweep == Long.MIN_VALUE || now - lastSweep >= lifetimeMillis / 16)) {
            lastSweep = now;
            rebuild(now - lifetimeMillis, keys.length);
            int fit = slotsFor(size);
            if (fit < keys.length / 2) {
                rebuild(Long.MIN_VALUE, fit); // shrink after a burst
            }
        }
    }

    private long medianTime() {
        long[] arrivals = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                arrivals[n++] = times[i];
            }
        }
        Arrays.sort(arrivals, 0, n);
        return arrivals[(n - 1) / 2];
    }

    /**
     * Keeps the ids that arrived after {@code cutoff} in a table of {@code slots} slots, or more: enough for
     * them and one more at a load of at most three quarters.
     */
    private void rebuild(long cutoff, int slots) {
        long[] oldKeys = keys;
        long[] oldTimes = times;
        int kept = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY && oldTimes[i] > cutoff) {
                kept++;
            }
        }
        int length = Math.max(slots, slotsFor(kept + 1));
        keys = new long[length];
        times = new long[length];
        size = kept;
        oldest = Long.MAX_VALUE;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY && oldTimes[i] > cutoff) {
                insert(oldKeys[i], oldTimes[i]);
                oldest = Math.min(oldest, oldTimes[i]);
            }
        }
    }

    private void insert(long key, long time) {
        int mask = keys.length - 1;
        int i = GossipHashing.mix(key) & mask;
        while (keys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        times[i] = time;
    }

    /** The smallest power of two that holds {@code count} ids at a load of at most three quarters. */
    private static int slotsFor(int count) {
        int slots = MIN_SLOTS;
        while (count * 4L > slots * 3L) {
            slots *= 2;
        }
        return slots;
    }

    private static long keyOf(Digest id) {
        long key = id.fingerprint();
        return key == EMPTY ? 1 : key;
    }

    @Override
    public String toString() {
        return "SeenIds[" + size + " ids in " + keys.length + " slots, limit " + limit + "]";
    }
}
