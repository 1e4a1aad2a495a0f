package io.mosaik.collections;

/**
 * One entry of a {@link ReplicatedPriorityQueue}.
 *
 * @param priority its priority
 * @param key      its key (unique in the queue)
 * @param value    its value
 * @param <P>      the priority type
 * @param <K>      the key type
 * @param <V>      the value type
 */
public record PriorityEntry<P, K, V>(P priority, K key, V value) {
}
