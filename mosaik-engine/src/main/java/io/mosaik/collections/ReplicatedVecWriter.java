package io.mosaik.collections;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads a replicated vec. Writes complete with their version once this node has applied
 * them; they fail with {@link CollectionOfflineException} when the collection is offline. Writes whose
 * index is out of range when the replicas apply them change nothing (they still take a version), except
 * {@link #insert}, which is refused.
 *
 * @param <T> the element type
 */
public interface ReplicatedVecWriter<T> extends ReplicatedVec<T> {

    /** Appends an element. */
    CompletableFuture<Version> pushBack(T element);

    /** Prepends an element (the others' indices grow by one). */
    CompletableFuture<Version> pushFront(T element);

    /**
     * Inserts an element at an index, moving those from there on up by one; the vec's length appends.
     * An index past the end fails at once with {@link IndexOutOfBoundsException} if this replica's vec
     * is shorter, and with a {@link io.mosaik.groups.CommandRejectedException} if the vec is shorter
     * when the write is applied (other writes may have shortened it meanwhile); neither changes anything.
     */
    CompletableFuture<Version> insert(long index, T element);

    /** Appends several elements in one write; an empty collection writes nothing (current version). */
    CompletableFuture<Version> extend(Collection<? extends T> elements);

    /** Removes the last element (an empty vec stays empty). */
    CompletableFuture<Version> popBack();

    /** Removes the first element (an empty vec stays empty). */
    CompletableFuture<Version> popFront();

    /** Removes the element at an index, moving those after it down by one (no effect past the end). */
    CompletableFuture<Version> remove(long index);

    /** Swaps two elements (no effect unless both indices are in range). */
    CompletableFuture<Version> swap(long first, long second);

    /** Keeps the first {@code length} elements (no effect on a vec that is not longer). */
    CompletableFuture<Version> truncate(long length);

    /** Removes every element. */
    CompletableFuture<Version> clear();
}
