package io.mosaik.collections;

import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads a replicated cell. Writes complete with their version once this node has applied
 * them, and fail with {@link CollectionOfflineException} when the collection is offline.
 *
 * @param <T> the value type
 */
public interface ReplicatedCellWriter<T> extends ReplicatedCell<T> {

    /** Sets the value. */
    CompletableFuture<Version> set(T value);

    /**
     * Changes the value only if it is {@code expected} now (compared by encoding).
     *
     * @param expected    the value it must hold, or {@code null} for "empty"
     * @param replacement the new value, or {@code null} to empty the cell
     * @return the version, and whether the condition held (so that the change took effect)
     */
    CompletableFuture<CasResult> compareAndSet(T expected, T replacement);

    /** Empties the cell. */
    CompletableFuture<Version> clear();
}
