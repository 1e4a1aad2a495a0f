package io.mosaik.collections;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads a replicated map. Every write goes through the collection's group and completes with
 * its version once this node has applied it; it fails with {@link CollectionOfflineException} (holding
 * the input back) when the collection is offline, and never takes effect then.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface ReplicatedMapWriter<K, V> extends ReplicatedMap<K, V> {

    /** Sets the value of a key (inserting it or replacing its value). */
    CompletableFuture<Version> put(K key, V value);

    /** Sets the values of several keys in one write; an empty map writes nothing (current version). */
    CompletableFuture<Version> putAll(Map<? extends K, ? extends V> entries);

    /**
     * Changes a key's value only if it is {@code expected} now (compared by encoding).
     *
     * @param key         the key
     * @param expected    the value it must have, or {@code null} for "no value"
     * @param replacement its new value, or {@code null} to remove the key
     * @return the version, and whether the condition held (so that the change took effect)
     */
    CompletableFuture<CasResult> compareAndSet(K key, V expected, V replacement);

    /** Removes a key (a key without a value is a write that changes nothing). */
    CompletableFuture<Version> remove(K key);

    /** Removes several keys in one write; an empty collection writes nothing (current version). */
    CompletableFuture<Version> removeAll(Collection<? extends K> keys);

    /** Removes every key. */
    CompletableFuture<Version> clear();
}
