package io.mosaik.collections;

import java.util.Set;

/**
 * Reads a replicated set. Elements are the same if they encode to the same bytes; iteration is in the
 * order of the encoded elements, the same on every replica.
 *
 * @param <T> the element type
 */
public interface ReplicatedSet<T> extends ReplicatedCollection {

    /** Whether the element is in the set. */
    boolean contains(T element);

    /** Whether every element of this set is in {@code other} (as both are now on this node). */
    boolean isSubsetOf(ReplicatedSet<T> other);

    /** The whole set as it is now, as an unmodifiable set that does not change. */
    Set<T> asSet();
}
