package io.mosaik.collections;

import java.util.List;
import java.util.Optional;

/**
 * Reads a replicated double-ended priority queue: keys, each with one priority and one value, ordered by
 * priority. Entries of equal priority are ordered by their encoded keys, the same on every replica:
 * {@link #min()} is the first entry in that order and {@link #max()} the last, and a full bounded queue
 * evicts from the start of it.
 *
 * @param <P> the priority type, naturally ordered
 * @param <K> the key type
 * @param <V> the value type
 */
public interface ReplicatedPriorityQueue<P extends Comparable<? super P>, K, V> extends ReplicatedCollection {

    /** The most entries the queue holds ({@link Long#MAX_VALUE}: unbounded). */
    long capacity();

    /** Whether the key is in the queue. */
    boolean containsKey(K key);

    /** The value of a key, if it is in the queue. */
    Optional<V> get(K key);

    /** The priority of a key, if it is in the queue. */
    Optional<P> priorityOf(K key);

    /** An entry of the lowest priority (the first by encoded key among them). */
    Optional<PriorityEntry<P, K, V>> min();

    /** An entry of the highest priority (the last by encoded key among them). */
    Optional<PriorityEntry<P, K, V>> max();

    /** The lowest priority in the queue. */
    default Optional<P> minPriority() {
        return min().map(PriorityEntry::priority);
    }

    /** The highest priority in the queue. */
    default Optional<P> maxPriority() {
        return max().map(PriorityEntry::priority);
    }

    /**
     * Every entry as it is now, lowest priority first (an unmodifiable list that does not change). It is
     * a copy, made in time proportional to the size: for the first or last entry, use {@link #min()} or
     * {@link #max()}.
     */
    List<PriorityEntry<P, K, V>> ascending();

    /** Every entry as it is now, highest priority first: a copy, like {@link #ascending()}. */
    List<PriorityEntry<P, K, V>> descending();
}
