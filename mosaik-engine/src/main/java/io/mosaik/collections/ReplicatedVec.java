package io.mosaik.collections;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a replicated vec: a list indexed from 0 that grows and shrinks at both ends (a deque with
 * random access). Elements are compared by their encoding. Indices are {@code long}, but a vec holds at
 * most {@code Integer.MAX_VALUE - 8} elements: a write that would make it longer is refused by every
 * replica ({@link io.mosaik.groups.CommandRejectedException}).
 *
 * @param <T> the element type
 */
public interface ReplicatedVec<T> extends ReplicatedCollection {

    /** The element at an index, if the vec is that long. */
    Optional<T> get(long index);

    /** The first element, if any. */
    Optional<T> first();

    /** The last element, if any. */
    Optional<T> last();

    /** Whether an element encoding like this one is in the vec. */
    boolean contains(T element);

    /** The index of the first element encoding like this one, if any. */
    OptionalLong indexOf(T element);

    /** The whole vec as it is now, as an unmodifiable list that does not change. */
    List<T> asList();
}
