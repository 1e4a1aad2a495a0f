package io.mosaik.collections;

import java.util.Map;
import java.util.Optional;

/**
 * Reads a replicated map: keys to values. Keys are compared by their encoding (two keys are the same
 * key if the codec encodes them to the same bytes), and iteration is in the order of the encoded keys,
 * the same on every replica.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface ReplicatedMap<K, V> extends ReplicatedCollection {

    /** The value of a key, if it has one. */
    Optional<V> get(K key);

    /** Whether a key has a value. */
    boolean containsKey(K key);

    /**
     * The whole map as it is now, as an unmodifiable {@link Map} that does not change (a later write
     * makes a new state; this one stays). Taking it costs nothing; iterating it visits entries in the
     * order of their encoded keys.
     */
    Map<K, V> asMap();
}
