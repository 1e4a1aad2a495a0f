package io.mosaik.collections;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads a replicated priority queue. Writes complete with their version once this node has
 * applied them, and fail with {@link CollectionOfflineException} when the collection is offline.
 *
 * <p>A bounded queue evicts after every insert while it holds more than its capacity: the entry of the
 * lowest priority (the first by encoded key among equals), which may be the one just inserted. Replacing
 * an existing key's entry never evicts.
 *
 * @param <P> the priority type
 * @param <K> the key type
 * @param <V> the value type
 */
public interface ReplicatedPriorityQueueWriter<P extends Comparable<? super P>, K, V>
        extends ReplicatedPriorityQueue<P, K, V> {

    /** Inserts a key with its priority and value, or replaces the key's priority and value. */
    CompletableFuture<Version> insert(P priority, K key, V value);

    /** Inserts several entries in one write, in order; an empty collection writes nothing. */
    CompletableFuture<Version> insertAll(Collection<PriorityEntry<P, K, V>> entries);

    /** Changes a key's priority (a key not in the queue: no effect). */
    CompletableFuture<Version> updatePriority(K key, P priority);

    /** Changes a key's value, keeping its priority (a key not in the queue: no effect). */
    CompletableFuture<Version> updateValue(K key, V value);

    /**
     * Changes a key's value only if the key is in the queue with value {@code expected} (compared by
     * encoding).
     *
     * @param key         the key
     * @param expected    the value it must have
     * @param replacement its new value (same priority), or {@code null} to remove the key
     * @return the version, and whether the condition held
     */
    CompletableFuture<CasResult> compareAndSetValue(K key, V expected, V replacement);

    /** Removes a key. */
    CompletableFuture<Version> remove(K key);

    /** Removes several keys in one write; an empty collection writes nothing (current version). */
    CompletableFuture<Version> removeAll(Collection<? extends K> keys);

    /** Removes every entry whose priority is in the range. */
    CompletableFuture<Version> removeRange(PriorityRange<P> range);

    /** Removes every entry. */
    CompletableFuture<Version> clear();
}
