package io.mosaik.collections;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads a replicated set. Writes complete with their version once this node has applied
 * them, and fail with {@link CollectionOfflineException} when the collection is offline.
 *
 * @param <T> the element type
 */
public interface ReplicatedSetWriter<T> extends ReplicatedSet<T> {

    /** Adds an element (one already there is a write that changes nothing). */
    CompletableFuture<Version> add(T element);

    /** Adds several elements in one write; an empty collection writes nothing (current version). */
    CompletableFuture<Version> addAll(Collection<? extends T> elements);

    /** Removes an element. */
    CompletableFuture<Version> remove(T element);

    /** Removes several elements in one write; an empty collection writes nothing (current version). */
    CompletableFuture<Version> removeAll(Collection<? extends T> elements);

    /** Removes every element. */
    CompletableFuture<Version> clear();
}
